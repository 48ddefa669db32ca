/**
 * Chart API (session or read key): GET /api/v1/charts/xmr, a system XmR chart with the NHS "Making Data Count" rules
 * and icons, and GET /api/v1/charts/funnel, a team's or a queue's agents on a funnel plot. Closed periods only: a day still running
 * (or a quarter-hour) would be judged on part of its contacts.
 *
 * The funnel is by team or by queue. By queue, each agent is placed by their contacts on that queue alone (the KPI
 * engine's agent × queue scopes), and the group rate and overdispersion come from every agent on the queue, whatever
 * their team: a queue answered by two teams of 15 estimates τ² from 30 agents, not 15.
 */
import { TZDate } from '@date-fns/tz';
import { format, subDays } from 'date-fns';
import type { Router } from 'express';
import { z } from 'zod';
import { formatScope, scopeText, type Scope } from '../../shared/access.js';
import { CHART_GRANULARITIES, FUNNEL_DAYS, FUNNEL_KPIS, SYSTEM_SCOPE_KINDS, XMR_DAYS, type FunnelKpi, type FunnelReply, type XmrChartReply } from '../../shared/charts.js';
import { id } from '../../shared/events.js';
import { INTERVAL_MS, KPI_DEFINITIONS, KPI_NAMES } from '../../shared/kpis.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { Principal } from '../access/principal.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import { agentFunnel, systemChart, type AgentCounts, type ChartInput } from '../flagging/charts.js';
import { agentQueueScope } from '../kpi/contributions.js';
import type { Counters } from '../kpi/counters.js';
import type { KpiService } from '../kpi/kpi.service.js';
import type { TargetService } from '../targets/target.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const xmrQuery = z.object({
  scope: scopeText.default({ kind: 'centre' }),
  kpi: z.enum(KPI_NAMES).default('csat'),
  granularity: z.enum(CHART_GRANULARITIES).default('day'),
  days: z.coerce.number().int().min(1).max(XMR_DAYS.max).default(XMR_DAYS.default),
});

const funnelQuery = z.object({
  team: id.optional(),
  queue: id.optional(),
  kpi: z.enum(FUNNEL_KPIS).default('csat'),
  days: z.coerce.number().int().min(1).max(FUNNEL_DAYS.max).default(FUNNEL_DAYS.default),
});

/** Good outcomes and responses behind a funnel KPI. */
const OUTCOMES: Record<FunnelKpi, (c: Counters) => { y: number; n: number }> = {
  csat: (c) => ({ y: c.csatTop2, n: c.csatN }),
  fcrSurvey: (c) => ({ y: c.fcrSurveyYes, n: c.fcrSurveyN }),
};

export interface ChartDeps {
  kpis: KpiService;
  targets: TargetService;
  directory: DirectoryService;
  dirIndex: () => Promise<DirectoryIndex>;
  cases: CaseStore;
}

export function chartRoutes(routes: RouteTable, { kpis, targets, directory, dirIndex, cases }: ChartDeps): Router {
  const router = routes.router('Charts');

  async function canSee(p: Principal | null, scope: Scope): Promise<boolean> {
    const links = p?.kind === 'user' && p.role === 'coach' ? await cases.linksFor(p.userId) : undefined;
    return canViewScope(p, scope, await dirIndex(), links);
  }

  /** The last `days` whole local days of `scope`'s time zone, ending at the start of its today. */
  function closedDays(days: number, scope: string): { fromMs: number; toMs: number } {
    const toMs = kpis.today(scope).fromMs;
    return { fromMs: subDays(new TZDate(toMs, kpis.zoneOf(scope)), days).getTime(), toMs };
  }

  routes.add(
    router,
    { method: 'get', path: '/api/v1/charts/xmr', audiences: ['admin', 'manager', 'team_leader', 'coach', 'agent', 'key:read'], summary: 'a system XmR chart (Making Data Count) for a scope and KPI', doc: { query: xmrQuery } },
    async (req, res) => {
      const q = parseInput(xmrQuery, req.query, 'query');
      if (!(SYSTEM_SCOPE_KINDS as readonly string[]).includes(q.scope.kind)) {
        throw new HttpError(
          400,
          'invalid_input',
          `system charts are for the centre, a site, team, queue or channel, not one agent; an agent is compared with peers on the funnel plot (GET /api/v1/charts/funnel?team=ID)`,
        );
      }
      if (!(await canSee(principalOf(res), q.scope))) deny(`you do not have access to ${formatScope(q.scope)}`);
      const scope = formatScope(q.scope);
      const tz = kpis.zoneOf(scope);
      const today = kpis.today(scope);
      const range =
        q.granularity === 'day'
          ? closedDays(q.days, scope)
          : // Today's completed quarter-hours.
            { fromMs: today.fromMs, toMs: Math.max(today.fromMs, Math.floor(kpis.now() / INTERVAL_MS) * INTERVAL_MS) };
      const trend = range.toMs > range.fromMs ? await kpis.trend(q.kpi, formatScope(q.scope), range.fromMs, range.toMs, q.granularity) : { points: [] };
      const label = (iso: string) => format(new TZDate(Date.parse(iso), tz), q.granularity === 'day' ? 'yyyy-MM-dd' : 'HH:mm');
      const input: ChartInput[] = [];
      for (const p of trend.points) {
        if (p.value === null || p.n === 0) continue;
        input.push({ start: p.start, end: p.end, label: label(p.start), value: p.value, n: p.n, ...(p.provisional ? { provisional: true } : {}) });
      }
      const t = await targets.applicable(q.kpi, q.scope, targets.todayLocal(), await dirIndex());
      const target = t ? { threshold: t.threshold, direction: t.direction, tolerance: t.tolerance, scope: t.scope } : null;
      const direction = KPI_DEFINITIONS[q.kpi].direction;
      const chart = systemChart(input, direction, target);
      const reply: XmrChartReply = {
        ok: true,
        kpi: q.kpi,
        scope: formatScope(q.scope),
        granularity: q.granularity,
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        timeZone: tz,
        direction,
        points: chart.points,
        periodsWithoutData: trend.points.length - input.length,
        limits: chart.limits,
        variation: chart.variation,
        assurance: chart.assurance,
        target,
        rules: chart.rules,
      };
      res.json(reply);
    },
  );

  routes.add(
    router,
    { method: 'get', path: '/api/v1/charts/funnel', audiences: ['admin', 'manager', 'team_leader', 'key:read'], summary: "a team's or a queue's agents on a funnel plot with intervals and shrunken rates", doc: { query: funnelQuery } },
    async (req, res) => {
      const q = parseInput(funnelQuery, req.query, 'query');
      if ((q.team === undefined) === (q.queue === undefined)) throw new HttpError(400, 'invalid_input', 'say which team or which queue: team=ID or queue=ID (one of them)');
      const p = principalOf(res);
      const dir = await directory.get();
      const names = new Map(dir.agents.map((a) => [a.id, a.name]));
      const nameOf = (agentId: string) => names.get(agentId) ?? agentId;
      let group: { kind: 'team' | 'queue'; id: string; name: string };
      let members: { agentId: string; scope: string }[];
      if (q.team !== undefined) {
        const teamScope: Scope = { kind: 'team', id: q.team };
        if (!(await canSee(p, teamScope))) deny(`you do not have access to team ${q.team}`);
        const team = dir.teams.find((x) => x.id === q.team);
        if (!team) throw new HttpError(404, 'not_found', `no team '${q.team}'`);
        group = { kind: 'team', id: team.id, name: team.name };
        members = dir.agents.filter((a) => a.teamId === team.id).map((a) => ({ agentId: a.id, scope: `agent:${a.id}` }));
      } else {
        const queueId = q.queue as string;
        if (!(await canSee(p, { kind: 'queue', id: queueId }))) deny(`you do not have access to queue ${queueId}`);
        const queue = dir.queues.find((x) => x.id === queueId);
        if (!queue) throw new HttpError(404, 'not_found', `no queue '${queueId}'`);
        group = { kind: 'queue', id: queue.id, name: queue.name };
        members = (await kpis.agentsOnQueue(queue.id)).map((agentId) => ({ agentId, scope: agentQueueScope(agentId, queue.id) }));
      }
      // Every agent shown must be one the caller may see; one hidden agent refuses the whole plot.
      for (const a of members) if (!(await canSee(p, { kind: 'agent', id: a.agentId }))) deny(`you do not have access to every agent in ${group.kind} ${group.id}`);
      const groupScope = `${group.kind}:${group.id}`;
      const { fromMs, toMs } = closedDays(q.days, groupScope);
      const counts: AgentCounts[] = [];
      for (const a of members) {
        // Each agent's own closed days (their site's zone), as on a team funnel.
        const own = closedDays(q.days, `agent:${a.agentId}`);
        const c = await kpis.counters(a.scope, own.fromMs, own.toMs);
        // Agents who handled nothing in the period are not on the plot.
        if (c.handled === 0) continue;
        counts.push({ agentId: a.agentId, name: nameOf(a.agentId), handled: c.handled, ...OUTCOMES[q.kpi](c) });
      }
      const f = agentFunnel(counts);
      const reply: FunnelReply = {
        ok: true,
        kpi: q.kpi,
        group,
        ...(group.kind === 'team' ? { team: { id: group.id, name: group.name } } : {}),
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        days: q.days,
        timeZone: kpis.zoneOf(groupScope),
        ...f,
        method:
          `limits θ0 ± z·√(θ0(1−θ0)/n + τ²), z 1.96 (95%) and 3.09 (99.8%); τ² by DerSimonian–Laird from z-scores winsorised at the 10th and 90th percentiles; Wilson 95% intervals; shrunken rates from a beta prior fitted to the ${group.kind} by the method of moments${group.kind === 'queue' ? "; each agent's figures on this queue alone" : ''}`,
      };
      res.json(reply);
    },
  );

  return router;
}
