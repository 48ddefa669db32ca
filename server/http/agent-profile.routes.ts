/**
 * The agent profile over REST: GET /api/v1/agents/:agentId/profile, JSON or the weekly table as CSV (format=csv).
 * Who may open it is the rule of GET /api/v1/agents/:agentId (canViewAgent, coaches through their assigned cases);
 * the team's own figures only go to callers who may see the team (canViewScope), and only cases the caller may open
 * are listed (canViewCase).
 */
import type { Router } from 'express';
import { z } from 'zod';
import { PROFILE_KPIS, PROFILE_MAX_DAYS, WEEK_TABLE_HEADER, weekTableRows, type ProfileKpi } from '../../shared/agent-profile.js';
import type { Target } from '../../shared/kpis.js';
import { canViewAgent, canViewCase, canViewScope, type DirectoryIndex } from '../access/policies.js';
import { caseRef, type CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { AgentProfileService } from '../drilldown/agent-profile.service.js';
import type { TargetService } from '../targets/target.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { sendCsv } from './csv.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const iso = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-18T00:00:00Z' });
const profileQuery = z.strictObject(
  {
    from: iso.optional(),
    to: iso.optional(),
    weeks: z.coerce.number({ message: 'must be a whole number of weeks' }).int('must be a whole number of weeks').min(1, 'must be 1 to 53').max(53, 'must be 1 to 53').optional(),
    format: z.enum(['json', 'csv'], { message: 'must be json or csv' }).default('json'),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `unknown query parameter(s): ${i.keys.join(', ')}; use from, to, weeks and format` : undefined) },
);
const idParam = z.string().min(1).max(128);
const profileParams = z.object({ agentId: idParam });
const MAX_RANGE_MS = PROFILE_MAX_DAYS * 86_400_000;

export interface AgentProfileDeps {
  profiles: AgentProfileService;
  directory: DirectoryService;
  dirIndex: () => Promise<DirectoryIndex>;
  cases: CaseStore;
  targets: TargetService;
  now: () => number;
}

export function agentProfileRoutes(routes: RouteTable, { profiles, directory, dirIndex, cases, targets, now }: AgentProfileDeps): Router {
  const router = routes.router('Agent profile');
  const STAFF = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;

  routes.add(
    router,
    { method: 'get', path: '/api/v1/agents/:agentId/profile', audiences: [...STAFF, 'key:read'], summary: "one agent's weekly figures against the team, QA evaluations and coaching history", doc: { params: profileParams, query: profileQuery, csv: true } },
    async (req, res) => {
      const agentId = parseInput(idParam, req.params.agentId, 'agent id');
      const q = parseInput(profileQuery, req.query, 'query');
      const p = principalOf(res);
      const links = p?.kind === 'user' && p.role === 'coach' ? await cases.linksFor(p.userId) : undefined;
      const dir = await dirIndex();
      if (!canViewAgent(p, agentId, dir, links)) deny('you do not have access to this agent');
      const d = await directory.get();
      const agent = d.agents.find((a) => a.id === agentId);
      if (!agent) throw new HttpError(404, 'not_found', `no agent '${agentId}'`);

      if (q.weeks !== undefined && q.from !== undefined) throw new HttpError(400, 'invalid_input', 'give either from or weeks, not both');
      const fromMs = q.from === undefined ? undefined : Date.parse(q.from);
      const toMs = q.to === undefined ? undefined : Date.parse(q.to);
      const end = toMs ?? now();
      if (fromMs !== undefined && end <= fromMs) throw new HttpError(400, 'invalid_input', q.to === undefined ? 'from must be in the past when to is not given' : 'to must be after from');
      if (fromMs !== undefined && end - fromMs > MAX_RANGE_MS) throw new HttpError(400, 'invalid_input', `a profile covers at most ${PROFILE_MAX_DAYS} days; narrow the period`);

      const team = { kind: 'team', id: agent.teamId } as const;
      const all = await targets.list();
      const today = targets.todayLocal();
      const applied: Partial<Record<ProfileKpi, Target | null>> = {};
      for (const k of PROFILE_KPIS) applied[k] = await targets.applicable(k, { kind: 'agent', id: agentId }, today, dir, all);
      const profile = await profiles.profile(d, {
        agentId,
        fromMs,
        toMs,
        weeks: q.weeks,
        teamVisible: canViewScope(p, team, dir, links),
        canViewCase: (c) => canViewCase(p, caseRef(c), dir),
        targets: applied,
      });
      if (!profile) throw new HttpError(404, 'not_found', `no agent '${agentId}'`);
      if (q.format === 'csv') {
        sendCsv(res, `profile-${agentId}-${profile.from.slice(0, 10)}-to-${profile.to.slice(0, 10)}`, [WEEK_TABLE_HEADER, ...weekTableRows(profile)]);
        return;
      }
      res.json(profile);
    },
  );
  return router;
}
