/**
 * KPI read API (session or read key): GET /api/v1/kpis and GET /api/v1/trends, JSON or CSV (format=csv).
 * Every scope is checked with canViewScope before anything is computed.
 */
import type { Router } from 'express';
import { z } from 'zod';
import { formatScope, scopeText, type Scope } from '../../shared/access.js';
import type { KpisReply, TeamAgentsReply, TrendReply } from '../../shared/api.js';
import { KPI_DEFINITIONS, KPI_NAMES, statusOf, type KpiName, type KpiSet, type Target, type TargetStatus } from '../../shared/kpis.js';
import { formatKpi } from '../../shared/kpi-format.js';
import type { TargetService } from '../targets/target.service.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { Principal } from '../access/principal.js';
import type { CaseStore } from '../coaching/case.store.js';
import { TZDate } from '@date-fns/tz';
import { subWeeks } from 'date-fns';
import { alignOutward } from '../kpi/engine.js';
import { GRANULARITIES, type KpiService } from '../kpi/kpi.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { sendCsv } from './csv.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const iso = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-18T00:00:00Z' });
const MAX_RANGE_MS = 400 * 86_400_000;

const kpisQuery = z.object({
  scope: scopeText.default({ kind: 'centre' }),
  from: iso.optional(),
  to: iso.optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
const teamAgentsQuery = z.object({
  team: z.string().min(1).max(200).optional(),
  from: iso.optional(),
  to: iso.optional(),
});
/** What a team's agents table shows per agent. */
const TEAM_AGENT_KPIS = ['serviceLevel', 'csat', 'fcrRepeat', 'aht', 'qa'] as const satisfies readonly KpiName[];
const trendsQuery = kpisQuery.extend({
  kpi: z.enum(KPI_NAMES),
  granularity: z.enum(GRANULARITIES).default('day'),
});

export function kpiRoutes(routes: RouteTable, kpis: KpiService, dirIndex: () => Promise<DirectoryIndex>, cases: CaseStore, targets: TargetService): Router {
  const router = routes.router('KPIs');
  const PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;

  async function checkScope(p: Principal | null, scope: Scope): Promise<void> {
    const links = p?.kind === 'user' && p.role === 'coach' ? await cases.linksFor(p.userId) : undefined;
    if (!canViewScope(p, scope, await dirIndex(), links)) deny(`you do not have access to ${formatScope(scope)}`);
  }

  /**
   * The requested range, rounded outward to whole quarter-hours (the engine's resolution); answers echo it. Without
   * from and to: today in the scope's time zone.
   */
  function range(q: { scope: Scope; from?: string | undefined; to?: string | undefined }): { fromMs: number; toMs: number } {
    const today = kpis.today(formatScope(q.scope));
    const fromMs = q.from ? Date.parse(q.from) : today.fromMs;
    const toMs = q.to ? Date.parse(q.to) : today.toMs;
    if (toMs <= fromMs) throw new HttpError(400, 'invalid_input', 'to must be after from');
    if (toMs - fromMs > MAX_RANGE_MS) throw new HttpError(400, 'invalid_input', 'a range may span at most 400 days');
    return alignOutward(fromMs, toMs);
  }

  routes.add(router, { method: 'get', path: '/api/v1/kpis', audiences: [...PEOPLE, 'key:read'], summary: 'every KPI for a scope and range', doc: { query: kpisQuery, csv: true } }, async (req, res) => {
    const q = parseInput(kpisQuery, req.query, 'query');
    await checkScope(principalOf(res), q.scope);
    const { fromMs, toMs } = range(q);
    const set: KpiSet = await kpis.query(formatScope(q.scope), fromMs, toMs);
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    if (q.format === 'csv') {
      sendCsv(res, `kpis-${formatScope(q.scope)}-${from.slice(0, 10)}`, [
        ['kpi', 'label', 'shown', 'value', 'n', 'provisional', 'formula', 'scope', 'from', 'to'],
        ...KPI_NAMES.map((k) => [k, KPI_DEFINITIONS[k].label, formatKpi(k, set[k].value), set[k].value, set[k].n, set[k].provisional ? 'yes' : '', KPI_DEFINITIONS[k].formula, formatScope(q.scope), from, to]),
      ]);
      return;
    }
    // Beside the figures: the target in force for each KPI, where the value stands against it, and a like-for-like
    // comparison: a day or more against the same window a week earlier (contact centres run on a weekly rhythm, and
    // Monday against a closed Sunday says nothing); shorter windows against the period just before.
    const length = toMs - fromMs;
    const weekly = length >= 20 * 3600_000;
    // A calendar week earlier in the scope's time zone (168 hours would be an hour off across a clock change).
    const tz = kpis.zoneOf(formatScope(q.scope));
    const previousFrom = weekly ? subWeeks(new TZDate(fromMs, tz), 1).getTime() : fromMs - length;
    // Today so far is compared with last week's same day up to the same time, not with its whole day.
    const soFar = Math.min(toMs, kpis.now()) - fromMs;
    const previous = await kpis.query(formatScope(q.scope), previousFrom, previousFrom + (weekly ? Math.max(0, soFar) : length));
    const previousLabel = weekly ? 'vs same day last week' : 'vs previous period';
    const dir = await dirIndex();
    const all = await targets.list();
    const date = targets.todayLocal();
    const applied: Partial<Record<KpiName, Target | null>> = {};
    const status: Partial<Record<KpiName, TargetStatus>> = {};
    const p = principalOf(res);
    for (const k of KPI_NAMES) {
      const t = await targets.applicable(k, q.scope, date, dir, all);
      // A target inherited from a scope the caller cannot see shows its threshold, not its owner or objective.
      const visible = t === null || canViewScope(p, scopeText.parse(t.scope), dir);
      applied[k] = t && !visible ? { ...t, owner: '', objective: '' } : t;
      status[k] = statusOf(set[k].value, t);
    }
    const reply: KpisReply = { ok: true, scope: formatScope(q.scope), from, to, timeZone: tz, pending: await kpis.pendingIn(fromMs, toMs), creditAgent: await kpis.creditRule(), kpis: set, targets: applied, status, previous, previousLabel };
    res.json(reply);
  });

  // A team's agents in one answer: the dashboard's team table asked once per agent before, so a 200-agent team was 200
  // requests every few seconds per screen (issue 17). Each agent's figures are the same as GET /api/v1/kpis gives.
  routes.add(
    router,
    { method: 'get', path: '/api/v1/kpis/agents', audiences: ['admin', 'manager', 'team_leader', 'key:read'], summary: "a team's agents' KPIs for a range, in one answer", doc: { query: teamAgentsQuery } },
    async (req, res) => {
      const q = parseInput(teamAgentsQuery, req.query, 'query');
      if (q.team === undefined) throw new HttpError(400, 'invalid_input', 'say which team: team=ID');
      const scope: Scope = { kind: 'team', id: q.team };
      const p = principalOf(res);
      await checkScope(p, scope);
      const dir = await dirIndex();
      if (!dir.teamSite.has(q.team)) throw new HttpError(404, 'not_found', `no team '${q.team}'`);
      const members = [...dir.agentTeam].filter(([, team]) => team === q.team).map(([agentId]) => agentId);
      // Every agent shown must be one the caller may see (as on the funnel plot).
      for (const agentId of members) await checkScope(p, { kind: 'agent', id: agentId });
      const { fromMs, toMs } = range({ scope, from: q.from, to: q.to });
      const all = await targets.list();
      const date = targets.todayLocal();
      const agents: TeamAgentsReply['agents'] = [];
      for (const agentId of members) {
        const set = await kpis.query(`agent:${agentId}`, fromMs, toMs);
        const kpiSet = {} as TeamAgentsReply['agents'][number]['kpis'];
        const status = {} as TeamAgentsReply['agents'][number]['status'];
        for (const k of TEAM_AGENT_KPIS) {
          kpiSet[k] = set[k];
          status[k] = statusOf(set[k].value, await targets.applicable(k, { kind: 'agent', id: agentId }, date, dir, all));
        }
        agents.push({ agentId, kpis: kpiSet, status });
      }
      const reply: TeamAgentsReply = { ok: true, team: q.team, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), timeZone: kpis.zoneOf(formatScope(scope)), agents };
      res.json(reply);
    },
  );

  routes.add(router, { method: 'get', path: '/api/v1/trends', audiences: [...PEOPLE, 'key:read'], summary: 'one KPI over time for a scope', doc: { query: trendsQuery, csv: true } }, async (req, res) => {
    const q = parseInput(trendsQuery, req.query, 'query');
    await checkScope(principalOf(res), q.scope);
    const { fromMs, toMs } = range(q);
    const t = await kpis.trend(q.kpi, formatScope(q.scope), fromMs, toMs, q.granularity);
    if (q.format === 'csv') {
      sendCsv(res, `trend-${q.kpi}-${formatScope(q.scope)}`, [
        ['start', 'end', 'shown', 'value', 'n', 'provisional'],
        ...t.points.map((p) => [p.start, p.end, formatKpi(q.kpi, p.value), p.value, p.n, p.provisional ? 'yes' : '']),
      ]);
      return;
    }
    const reply: TrendReply = { ok: true, kpi: q.kpi, scope: formatScope(q.scope), granularity: t.granularity, requestedGranularity: q.granularity, timeZone: t.timeZone, pending: t.pending, points: t.points };
    res.json(reply);
  });
  return router;
}
