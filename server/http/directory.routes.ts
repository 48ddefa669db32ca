/** The organisation directory, one team, one agent, and the live pulse over REST. */
import express, { Router } from 'express';
import { z } from 'zod';
import { directory as directorySchema } from '../../shared/directory.js';
import { actorOf } from '../access/principal.js';
import { canViewAgent, canViewDirectory, canViewPulse, canViewTeam, type DirectoryIndex } from '../access/policies.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { PulseService } from '../live/pulse.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const STAFF = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;
const idParam = z.string().min(1).max(128);

export function directoryRoutes(
  routes: RouteTable,
  directory: DirectoryService,
  dirIndex: () => Promise<DirectoryIndex>,
  pulse: PulseService,
  audit: AuditService,
  cases: CaseStore,
  onChange: () => Promise<void>,
): Router {
  const router = Router();

  routes.add(router, { method: 'get', path: '/api/v1/directory', audiences: [...STAFF, 'key:read', 'key:admin'], summary: 'sites, teams, queues, agents' }, async (_req, res) => {
    if (!canViewDirectory(principalOf(res))) deny();
    res.json({ ok: true, directory: await directory.get() });
  });

  routes.add(
    router,
    { method: 'put', path: '/api/v1/directory', audiences: ['admin', 'key:admin'], summary: 'replace the directory' },
    express.json({ limit: '10mb' }),
    async (req, res) => {
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

  routes.add(router, { method: 'get', path: '/api/v1/teams/:teamId', audiences: [...STAFF, 'key:read'], summary: 'one team and its agents' }, async (req, res) => {
    const teamId = parseInput(idParam, req.params.teamId, 'team id');
    if (!canViewTeam(principalOf(res), teamId, await dirIndex())) deny('you do not have access to this team');
    const d = await directory.get();
    const team = d.teams.find((t) => t.id === teamId);
    if (!team) throw new HttpError(404, 'not_found', `no team '${teamId}'`);
    res.json({ ok: true, team, agents: d.agents.filter((a) => a.teamId === teamId) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/agents/:agentId', audiences: [...STAFF, 'key:read'], summary: 'one agent and their live state today' }, async (req, res) => {
    const agentId = parseInput(idParam, req.params.agentId, 'agent id');
    const p = principalOf(res);
    const links = p?.kind === 'user' && p.role === 'coach' ? await cases.linksFor(p.userId) : undefined;
    if (!canViewAgent(p, agentId, await dirIndex(), links)) deny('you do not have access to this agent');
    const d = await directory.get();
    const agent = d.agents.find((a) => a.id === agentId);
    if (!agent) throw new HttpError(404, 'not_found', `no agent '${agentId}'`);
    res.json({ ok: true, agent, team: d.teams.find((t) => t.id === agent.teamId) ?? null, today: pulse.agentToday(agentId) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/pulse', audiences: [...STAFF, 'display', 'key:read'], summary: "the live pulse: today's centre-wide counts" }, async (_req, res) => {
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
