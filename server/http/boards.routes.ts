/**
 * Wallboards, rotations, and what each screen shows. Team leaders, managers and admins build boards from tiles over
 * scopes they can see; a board is visible to, and editable by, whoever can see every scope on it (admins: all). A
 * rotation is visible when all its boards are.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { scopeText } from '../../shared/access.js';
import { boardBody, displayShowsBody, rotationBody, type Board, type Rotation } from '../../shared/boards.js';
import type { Principal } from '../access/principal.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { BoardService } from '../boards/board.service.js';
import type { DisplayService } from '../displays/display.service.js';
import { deny, principalOf, requireUser, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const EDITORS = ['admin', 'manager', 'team_leader'] as const;
const idParam = z.string().min(1).max(64);
const boardParams = z.object({ boardId: idParam });
const rotationParams = z.object({ rotationId: idParam });

export function boardRoutes(routes: RouteTable, boards: BoardService, displays: DisplayService, dirIndex: () => Promise<DirectoryIndex>): Router {
  const router = routes.router('Wallboards');
  const json = express.json({ limit: '64kb' });

  const seesBoard = (p: Principal | null, b: Pick<Board, 'tiles'>, dir: DirectoryIndex) => b.tiles.every((t) => canViewScope(p, scopeText.parse(t.scope), dir));
  const seesRotation = (p: Principal | null, r: Rotation, all: Board[], dir: DirectoryIndex) => r.items.every((i) => { const b = all.find((x) => x.id === i.boardId); return b !== undefined && seesBoard(p, b, dir); });
  const outOfSight = (p: Principal | null, b: Pick<Board, 'tiles'>, dir: DirectoryIndex) => b.tiles.find((t) => !canViewScope(p, scopeText.parse(t.scope), dir))?.scope;

  routes.add(router, { method: 'get', path: '/api/v1/boards', audiences: [...EDITORS], summary: 'wallboards and rotations the caller can see' }, async (_req, res) => {
    const p = principalOf(res);
    const dir = await dirIndex();
    const all = await boards.listBoards();
    const rotations = (await boards.listRotations()).filter((r) => seesRotation(p, r, all, dir));
    res.json({ ok: true, boards: all.filter((b) => seesBoard(p, b, dir)), rotations });
  });

  routes.add(router, { method: 'post', path: '/api/v1/boards', audiences: [...EDITORS], summary: 'create a wallboard', doc: { body: boardBody, status: 201 } }, json, async (req, res) => {
    const p = requireUser(res);
    const body = parseInput(boardBody, req.body);
    const hidden = outOfSight(p, body, await dirIndex());
    if (hidden) deny(`you cannot put ${hidden} on a board: you cannot see it yourself`);
    res.status(201).json({ ok: true, board: await boards.createBoard(body, { userId: p.userId, ip: req.ip ?? null }) });
  });

  routes.add(router, { method: 'put', path: '/api/v1/boards/:boardId', audiences: [...EDITORS], summary: 'change a wallboard (screens showing it follow within seconds)', doc: { params: boardParams, body: boardBody } }, json, async (req, res) => {
    const p = requireUser(res);
    const id = parseInput(idParam, req.params.boardId, 'board id');
    const body = parseInput(boardBody, req.body);
    const dir = await dirIndex();
    if (!seesBoard(p, await boards.getBoard(id), dir)) deny('this board shows scopes you cannot see; ask an admin');
    const hidden = outOfSight(p, body, dir);
    if (hidden) deny(`you cannot put ${hidden} on a board: you cannot see it yourself`);
    res.json({ ok: true, board: await boards.updateBoard(id, body, { userId: p.userId, ip: req.ip ?? null }) });
  });

  routes.add(router, { method: 'delete', path: '/api/v1/boards/:boardId', audiences: [...EDITORS], summary: 'delete a wallboard no screen or rotation uses', doc: { params: boardParams, also: { 409: 'a screen or rotation still uses it' } } }, async (req, res) => {
    const p = requireUser(res);
    const id = parseInput(idParam, req.params.boardId, 'board id');
    if (!seesBoard(p, await boards.getBoard(id), await dirIndex())) deny('this board shows scopes you cannot see; ask an admin');
    await boards.deleteBoard(id, { userId: p.userId, ip: req.ip ?? null });
    res.json({ ok: true });
  });

  const checkRotationBoards = async (p: Principal, body: { items: { boardId: string }[] }) => {
    const dir = await dirIndex();
    const all = await boards.listBoards();
    for (const item of body.items) {
      const b = all.find((x) => x.id === item.boardId);
      if (!b) throw new HttpError(400, 'invalid_input', `no board with id '${item.boardId}'`);
      if (!seesBoard(p, b, dir)) deny('a rotation can only hold boards you can see');
    }
  };

  routes.add(router, { method: 'post', path: '/api/v1/rotations', audiences: [...EDITORS], summary: 'create a rotation through boards', doc: { body: rotationBody, status: 201 } }, json, async (req, res) => {
    const p = requireUser(res);
    const body = parseInput(rotationBody, req.body);
    await checkRotationBoards(p, body);
    res.status(201).json({ ok: true, rotation: await boards.createRotation(body, { userId: p.userId, ip: req.ip ?? null }) });
  });

  routes.add(router, { method: 'put', path: '/api/v1/rotations/:rotationId', audiences: [...EDITORS], summary: 'change a rotation', doc: { params: rotationParams, body: rotationBody } }, json, async (req, res) => {
    const p = requireUser(res);
    const id = parseInput(idParam, req.params.rotationId, 'rotation id');
    const body = parseInput(rotationBody, req.body);
    await checkRotationBoards(p, await boards.getRotation(id));
    await checkRotationBoards(p, body);
    res.json({ ok: true, rotation: await boards.updateRotation(id, body, { userId: p.userId, ip: req.ip ?? null }) });
  });

  routes.add(router, { method: 'delete', path: '/api/v1/rotations/:rotationId', audiences: [...EDITORS], summary: 'delete a rotation no screen shows', doc: { params: rotationParams, also: { 409: 'a screen still shows it' } } }, async (req, res) => {
    const p = requireUser(res);
    const id = parseInput(idParam, req.params.rotationId, 'rotation id');
    await checkRotationBoards(p, await boards.getRotation(id));
    await boards.deleteRotation(id, { userId: p.userId, ip: req.ip ?? null });
    res.json({ ok: true });
  });

  routes.add(router, { method: 'put', path: '/api/v1/displays/:displayId/shows', audiences: ['admin', 'team_leader'], summary: 'choose the board or rotation a screen shows', doc: { params: z.object({ displayId: idParam }), body: displayShowsBody } }, json, async (req, res) => {
    const p = requireUser(res);
    const id = parseInput(idParam, req.params.displayId, 'display id');
    const body = parseInput(displayShowsBody, req.body);
    const dir = await dirIndex();
    if (p.role !== 'admin' && !(await displays.scopesOf(id)).every((s) => canViewScope(p, s, dir))) deny('this screen shows scopes you cannot see; ask an admin');
    // Resolving checks the board or rotation exists; the caller must see every board in it.
    const shown = await boards.resolveShows(body.shows);
    for (const s of shown) if (!seesBoard(p, s.board, dir)) deny('you can only put boards you can see on a screen');
    const scopes = shown.flatMap((s) => s.board.tiles.map((t) => t.scope));
    res.json({ ok: true, display: await displays.setShows(id, body.shows, body.reloadHour, scopes, { userId: p.userId, ip: req.ip ?? null }) });
  });

  return router;
}
