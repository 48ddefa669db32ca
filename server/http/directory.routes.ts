/** The organisation directory (whole, or one item at a time), one team, one agent, and the live pulse over REST. */
import express, { type Router } from 'express';
import { z } from 'zod';
import {
  DIRECTORY_ITEM_NAMES,
  DIRECTORY_ITEM_SCHEMAS,
  DIRECTORY_KINDS,
  directory as directorySchema,
  type DirectoryKind,
  type DirectoryRemoveReply,
  type DirectoryUpsertReply,
} from '../../shared/directory.js';
import { assertNever } from '../../shared/events.js';
import { actorOf } from '../access/principal.js';
import { canManageDirectory, canViewAgent, canViewDirectory, canViewPulse, canViewTeam, type DirectoryIndex } from '../access/policies.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CaseStore } from '../coaching/case.store.js';
import { DirectoryRuleError, type DirectoryItemChange, type DirectoryRefusal, type DirectoryService } from '../directory/directory.service.js';
import type { PulseService } from '../live/pulse.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const STAFF = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;
const MANAGERS = ['admin', 'key:admin', 'key:directory'] as const;
const idParam = z.string().min(1).max(128);
const itemParams = z.object({ id: idParam });
const directoryReply = z.object({ ok: z.literal(true), directory: directorySchema });

const REFUSAL_STATUS: Record<DirectoryRefusal, [number, string]> = {
  unknown_reference: [400, 'unknown_reference'],
  still_referenced: [409, 'still_referenced'],
  not_found: [404, 'not_found'],
};

/** A refusal from the directory service as the one error reply shape; anything else is passed on. */
function refusalToHttp(err: unknown): never {
  if (err instanceof DirectoryRuleError) {
    const [status, code] = REFUSAL_STATUS[err.refusal];
    throw new HttpError(status, code, err.message, err.details);
  }
  throw err;
}

/** The body is the item with or without its id; an id that differs from the path's is refused, not silently moved. */
function itemChange(kind: DirectoryKind, id: string, body: unknown): DirectoryItemChange {
  const what = `${DIRECTORY_ITEM_NAMES[kind]} '${id}'`;
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'id' in body && body.id !== id) {
    throw new HttpError(400, 'invalid_input', `the id in the body (${JSON.stringify(body.id)}) is not the id in the path ('${id}'); nothing was changed`, [
      { path: 'id', reason: `must be '${id}' or left out` },
    ]);
  }
  const raw = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, id } : body;
  switch (kind) {
    case 'sites':
      return { kind, item: parseInput(DIRECTORY_ITEM_SCHEMAS.sites, raw, what) };
    case 'teams':
      return { kind, item: parseInput(DIRECTORY_ITEM_SCHEMAS.teams, raw, what) };
    case 'queues':
      return { kind, item: parseInput(DIRECTORY_ITEM_SCHEMAS.queues, raw, what) };
    case 'agents':
      return { kind, item: parseInput(DIRECTORY_ITEM_SCHEMAS.agents, raw, what) };
    default:
      return assertNever(kind);
  }
}

export function directoryRoutes(
  routes: RouteTable,
  directory: DirectoryService,
  dirIndex: () => Promise<DirectoryIndex>,
  pulse: PulseService,
  audit: AuditService,
  cases: CaseStore,
  onChange: () => Promise<void>,
): Router {
  const router = routes.router('Directory');

  routes.add(router, { method: 'get', path: '/api/v1/directory', audiences: [...STAFF, 'key:read', 'key:admin', 'key:directory'], summary: 'sites, teams, queues, agents', doc: { response: directoryReply } }, async (_req, res) => {
    if (!canViewDirectory(principalOf(res))) deny();
    res.json({ ok: true, directory: await directory.get() });
  });

  routes.add(
    router,
    { method: 'put', path: '/api/v1/directory', audiences: MANAGERS, summary: 'replace the directory', doc: { body: directorySchema } },
    express.json({ limit: '10mb' }),
    async (req, res) => {
      if (!canManageDirectory(principalOf(res))) deny();
      const parsed = directorySchema.safeParse(req.body);
      if (!parsed.success) {
        const details = parsed.error.issues.slice(0, 100).map((i) => ({ path: i.path.join('.'), reason: i.message }));
        throw new HttpError(400, 'invalid_directory', `the directory is invalid (${parsed.error.issues.length} problem(s)); nothing was changed`, details);
      }
      await directory.replace(parsed.data);
      await onChange();
      await audit.record({ actor: actorOf(principalOf(res)), action: 'directory.replace', ip: req.ip ?? null, details: countsOf(parsed.data) });
      res.json({ ok: true, counts: countsOf(parsed.data) });
    },
  );

  for (const kind of DIRECTORY_KINDS) {
    const noun = DIRECTORY_ITEM_NAMES[kind];
    routes.add(
      router,
      { method: 'put', path: `/api/v1/directory/${kind}/:id`, audiences: MANAGERS, summary: `add or change one ${noun}`, doc: { params: itemParams, body: (DIRECTORY_ITEM_SCHEMAS[kind] as z.ZodObject).partial({ id: true }), also: { 201: `created: the ${noun} is new` } } },
      express.json({ limit: '100kb' }),
      async (req, res) => {
        const p = principalOf(res);
        if (!canManageDirectory(p)) deny();
        const id = parseInput(idParam, req.params.id, `${noun} id`);
        const change = itemChange(kind, id, req.body);
        const { created } = await directory.upsert(change).catch(refusalToHttp);
        await onChange();
        await audit.record({ actor: actorOf(p), action: 'directory.upsert', target: `${noun}:${id}`, ip: req.ip ?? null, details: { kind, created } });
        const reply: DirectoryUpsertReply = { ok: true, item: change.item, created };
        res.status(created ? 201 : 200).json(reply);
      },
    );
    routes.add(router, { method: 'delete', path: `/api/v1/directory/${kind}/:id`, audiences: MANAGERS, summary: `remove one ${noun}`, doc: { params: itemParams, also: { 409: `something still refers to the ${noun}` } } }, async (req, res) => {
      const p = principalOf(res);
      if (!canManageDirectory(p)) deny();
      const id = parseInput(idParam, req.params.id, `${noun} id`);
      await directory.remove(kind, id).catch(refusalToHttp);
      await onChange();
      await audit.record({ actor: actorOf(p), action: 'directory.remove', target: `${noun}:${id}`, ip: req.ip ?? null, details: { kind } });
      const reply: DirectoryRemoveReply = { ok: true, removed: id };
      res.json(reply);
    });
  }

  routes.add(router, { method: 'get', path: '/api/v1/teams/:teamId', audiences: [...STAFF, 'key:read'], summary: 'one team and its agents', doc: { params: z.object({ teamId: idParam }) } }, async (req, res) => {
    const teamId = parseInput(idParam, req.params.teamId, 'team id');
    if (!canViewTeam(principalOf(res), teamId, await dirIndex())) deny('you do not have access to this team');
    const d = await directory.get();
    const team = d.teams.find((t) => t.id === teamId);
    if (!team) throw new HttpError(404, 'not_found', `no team '${teamId}'`);
    res.json({ ok: true, team, agents: d.agents.filter((a) => a.teamId === teamId) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/agents/:agentId', audiences: [...STAFF, 'key:read'], summary: 'one agent and their live state today', doc: { params: z.object({ agentId: idParam }) } }, async (req, res) => {
    const agentId = parseInput(idParam, req.params.agentId, 'agent id');
    const p = principalOf(res);
    const links = p?.kind === 'user' && p.role === 'coach' ? await cases.linksFor(p.userId) : undefined;
    if (!canViewAgent(p, agentId, await dirIndex(), links)) deny('you do not have access to this agent');
    const d = await directory.get();
    const agent = d.agents.find((a) => a.id === agentId);
    if (!agent) throw new HttpError(404, 'not_found', `no agent '${agentId}'`);
    res.json({ ok: true, agent, team: d.teams.find((t) => t.id === agent.teamId) ?? null, today: pulse.agentToday(agentId) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/pulse', audiences: [...STAFF, 'display', 'key:read'], summary: "the live pulse: today's centre-wide counts", doc: { also: { 503: 'the live pulse is still loading (Retry-After)' } } }, async (_req, res) => {
    if (!canViewPulse(principalOf(res), await dirIndex())) deny();
    const snap = pulse.current();
    if (!snap) throw new HttpError(503, 'not_ready', 'the live pulse is still loading; retry in a moment', undefined, { 'Retry-After': '2' });
    res.json({ ok: true, pulse: snap });
  });
  return router;
}

function countsOf(d: { sites: unknown[]; teams: unknown[]; queues: unknown[]; agents: unknown[] }) {
  return { sites: d.sites.length, teams: d.teams.length, queues: d.queues.length, agents: d.agents.length };
}
