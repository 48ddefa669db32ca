/**
 * What a paired screen reads besides the live socket: its layout (boards, rotation, targets) and the REST-fed tiles
 * (trend, agent grid, latest comments, open coaching). Only for display credentials, and only for boards the screen
 * shows and scopes it was granted.
 */
import type { Router } from 'express';
import { TZDate } from '@date-fns/tz';
import { subDays } from 'date-fns';
import { z } from 'zod';
import { scopeText, type Scope } from '../../shared/access.js';
import { KPI_NAMES, statusOf, type KpiName, type Target } from '../../shared/kpis.js';
import { targetKey, type Tile, type TileData, type WallConfig } from '../../shared/boards.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { maskPersonalData } from '../../shared/mask.js';
import type { DisplayPrincipal } from '../access/principal.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { BoardService } from '../boards/board.service.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { DisplayService } from '../displays/display.service.js';
import type { KpiService } from '../kpi/kpi.service.js';
import type { PulseService } from '../live/pulse.service.js';
import type { Store } from '../store/db.js';
import type { TargetService } from '../targets/target.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const COMMENTS_SHOWN = 6;
const AGENTS_SHOWN = 60;
const tileParams = z.object({ boardId: z.string().min(1).max(64), tileId: z.string().min(1).max(64) });

export interface WallDeps {
  boards: BoardService;
  displays: DisplayService;
  targets: TargetService;
  kpis: KpiService;
  pulse: PulseService;
  cases: CaseStore;
  directory: DirectoryService;
  store: Store;
  dirIndex: () => Promise<DirectoryIndex>;
}

function requireDisplay(res: Parameters<typeof principalOf>[0]): DisplayPrincipal {
  const p = principalOf(res);
  if (p?.kind !== 'display') deny('only a paired screen reads this');
  return p;
}

/** KPIs whose targets a tile needs: its own, or every KPI for an alert ticker. */
function tileKpis(t: Tile): KpiName[] {
  if (t.kind === 'alerts') return [...KPI_NAMES];
  return t.kpi ? [t.kpi] : [];
}

export function wallRoutes(routes: RouteTable, d: WallDeps): Router {
  const router = routes.router('Wall screens');

  routes.add(router, { method: 'get', path: '/api/v1/wall', audiences: ['display'], summary: "a screen's boards, rotation and targets" }, async (_req, res) => {
    const p = requireDisplay(res);
    const info = await d.displays.get(p.displayId);
    const boards = await d.boards.resolveShows(info.shows);
    const dir = await d.dirIndex();
    const all = await d.targets.list();
    const date = d.targets.todayLocal();
    const targets: Record<string, Target | null> = {};
    const refused: Record<string, string> = {};
    for (const { board } of boards) {
      for (const t of board.tiles) {
        const scope = scopeText.parse(t.scope);
        if (!canViewScope(p, scope, dir)) {
          refused[`${board.id}|${t.id}`] = `this screen was not granted ${t.scope}`;
          continue;
        }
        for (const k of tileKpis(t)) {
          const key = targetKey(t.scope, k);
          if (!(key in targets)) {
            const target = await d.targets.applicable(k, scope, date, dir, all);
            // A screen shows the threshold, not who owns the target or why.
            targets[key] = target ? { ...target, owner: '', objective: '' } : null;
          }
        }
      }
    }
    const config: WallConfig = { display: { id: p.displayId, name: info.name, scopes: info.scopes }, boards, targets, refused, reloadHour: info.reloadHour, timeZone: d.kpis.timeZone };
    res.json({ ok: true, ...config });
  });

  routes.add(router, { method: 'get', path: '/api/v1/wall/tiles/:boardId/:tileId', audiences: ['display'], summary: "data for one of a screen's tiles", doc: { params: tileParams } }, async (req, res) => {
    const p = requireDisplay(res);
    const { boardId, tileId } = parseInput(tileParams, req.params, 'path');
    const info = await d.displays.get(p.displayId);
    const board = (await d.boards.resolveShows(info.shows)).find((b) => b.board.id === boardId)?.board;
    if (!board) deny('this screen does not show that board');
    const tile = board.tiles.find((t) => t.id === tileId);
    if (!tile) throw new HttpError(404, 'not_found', `the board has no tile '${tileId}'`);
    const scope = scopeText.parse(tile.scope);
    const dir = await d.dirIndex();
    if (!canViewScope(p, scope, dir)) deny(`this screen was not granted ${tile.scope}`);
    res.json({ ok: true, data: await tileData(d, tile, scope, dir) });
  });

  return router;
}

async function tileData(d: WallDeps, tile: Tile, scope: Scope, dir: DirectoryIndex): Promise<TileData> {
  // The tile's scope's own days (a site's zone for a site and its teams and agents; the centre's for centre-wide).
  const tz = d.kpis.zoneOf(tile.scope);
  const today = d.kpis.today(tile.scope);
  switch (tile.kind) {
    case 'trend': {
      const kpi = tile.kpi as KpiName;
      const range = tile.range ?? '7d';
      const from = range === 'today' ? today.fromMs : subDays(new TZDate(today.fromMs, tz), range === '7d' ? 6 : 29).getTime();
      const t = await d.kpis.trend(kpi, tile.scope, from, today.toMs, range === 'today' ? 'hour' : 'day');
      return { kind: 'trend', granularity: t.granularity, points: t.points.map((x) => ({ start: x.start, value: x.value, n: x.n })) };
    }
    case 'agents': {
      const kpi = tile.kpi as KpiName;
      const directory = await d.directory.get();
      const inScope = directory.agents.filter((a) => agentInScope(a.id, scope, dir)).slice(0, AGENTS_SHOWN);
      const all = await d.targets.list();
      const date = d.targets.todayLocal();
      const agents = [];
      for (const a of inScope) {
        const own = d.kpis.today(`agent:${a.id}`);
        const v = d.kpis.queryLive(`agent:${a.id}`, own.fromMs, own.toMs)[kpi];
        const target = await d.targets.applicable(kpi, { kind: 'agent', id: a.id }, date, dir, all);
        agents.push({ id: a.id, name: a.name, state: d.pulse.agentState(a.id), value: v.value, n: v.n, status: statusOf(v.value, target) });
      }
      return { kind: 'agents', agents };
    }
    case 'comments':
      return { kind: 'comments', comments: await latestComments(d, scope, dir, today.fromMs) };
    case 'coaching': {
      const open = (await d.cases.list({ status: 'open', limit: 10_000 })).filter((c) => caseInScope(c, scope, dir));
      return { kind: 'coaching', open: open.length, unassigned: open.filter((c) => c.assignedCoachId === null).length };
    }
    case 'kpi':
    case 'alerts':
    case 'queue':
      throw new HttpError(400, 'invalid_input', `a ${tile.kind} tile is fed live over the socket, not here`);
  }
}

function agentInScope(agentId: string, scope: Scope, dir: DirectoryIndex): boolean {
  switch (scope.kind) {
    case 'centre':
      return true;
    case 'site':
      return dir.siteOfAgent(agentId) === scope.id;
    case 'team':
      return dir.agentTeam.get(agentId) === scope.id;
    case 'agent':
      return agentId === scope.id;
    case 'queue':
    case 'channel':
      return false;
  }
}

function caseInScope(c: { scope: string; agentId: string | null; teamId: string | null }, scope: Scope, dir: DirectoryIndex): boolean {
  if (scope.kind === 'centre') return true;
  if (c.scope === (scope.kind === 'channel' ? `channel:${scope.id}` : `${scope.kind}:${scope.id}`)) return true;
  if (c.agentId !== null && agentInScope(c.agentId, scope, dir)) return true;
  if (scope.kind === 'team' && c.teamId === scope.id) return true;
  if (scope.kind === 'site' && c.teamId !== null && dir.teamSite.get(c.teamId) === scope.id) return true;
  return false;
}

/** Today's latest survey comments for contacts in scope, personal data masked. */
async function latestComments(d: WallDeps, scope: Scope, dir: DirectoryIndex, fromMs: number): Promise<{ at: string; csat: number | null; text: string }[]> {
  const rows = await d.store.db
    .selectFrom('events')
    .select(['payload', 'contact_id'])
    .where('type', '=', 'survey.responded')
    .where('occurred_ms', '>=', fromMs)
    .where('payload', 'like', '%"comment"%')
    .orderBy('occurred_ms', 'desc')
    .limit(300)
    .execute();
  const contactIds = [...new Set(rows.map((r) => r.contact_id).filter((c): c is string => c !== null))];
  const where = new Map<string, { queueId?: string; agentId?: string }>();
  for (let i = 0; i < contactIds.length; i += 500) {
    const ctx = await d.store.db
      .selectFrom('events')
      .select(['payload'])
      .where('contact_id', 'in', contactIds.slice(i, i + 500))
      .where('type', 'in', ['contact.offered', 'contact.answered'])
      .execute();
    for (const r of ctx) {
      const e = JSON.parse(r.payload) as FrontlineEvent;
      if (e.type !== 'contact.offered' && e.type !== 'contact.answered') continue;
      const w = where.get(e.contactId) ?? {};
      if (e.type === 'contact.offered') w.queueId ??= e.queueId;
      else w.agentId ??= e.agentId;
      where.set(e.contactId, w);
    }
  }
  const out: { at: string; csat: number | null; text: string }[] = [];
  for (const r of rows) {
    const e = JSON.parse(r.payload) as FrontlineEvent;
    if (e.type !== 'survey.responded' || !e.comment) continue;
    const w = where.get(e.contactId) ?? {};
    const site = (w.queueId ? dir.queueSite.get(w.queueId) : undefined) ?? (w.agentId ? dir.siteOfAgent(w.agentId) : undefined);
    const hit =
      scope.kind === 'centre' ||
      (scope.kind === 'queue' && w.queueId === scope.id) ||
      (scope.kind === 'channel' && w.queueId !== undefined && dir.queueChannel.get(w.queueId) === scope.id) ||
      (scope.kind === 'site' && site === scope.id) ||
      (w.agentId !== undefined && agentInScope(w.agentId, scope, dir));
    if (!hit) continue;
    out.push({ at: e.occurredAt, csat: e.csat ?? null, text: maskPersonalData(e.comment) });
    if (out.length >= COMMENTS_SHOWN) break;
  }
  return out;
}
