/**
 * Segments: GET /api/v1/segments — a scope narrowed by multi-select filters, its KPIs against the period before, a
 * breakdown by one dimension and a daily trend for one KPI; JSON, or CSV holding exactly what the page shows.
 */
import type { Router } from 'express';
import { z } from 'zod';
import { formatScope, scopeText } from '../../shared/access.js';
import { KPI_DEFINITIONS, KPI_NAMES, statusOf, type KpiName, type Target, type TargetStatus } from '../../shared/kpis.js';
import { formatKpi } from '../../shared/kpi-format.js';
import { DIMENSION_WORDS, NO_TEAM, segmentQuery, type SegmentReply } from '../../shared/segments.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { SegmentsService } from '../segments/segments.service.js';
import type { TargetService } from '../targets/target.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { sendCsv } from './csv.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const iso = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-18T00:00:00Z' });
/** A quarter and a few days: the previous period doubles what is read. */
const MAX_RANGE_DAYS = 93;
const query = segmentQuery.extend({ scope: scopeText.default({ kind: 'centre' }), from: iso, to: iso });

export interface SegmentDeps {
  segments: SegmentsService;
  targets: TargetService;
  directory: DirectoryService;
  dirIndex: () => Promise<DirectoryIndex>;
  cases: CaseStore;
}

export function segmentRoutes(routes: RouteTable, deps: SegmentDeps): Router {
  const router = routes.router('Segments');
  const PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;

  routes.add(router, { method: 'get', path: '/api/v1/segments', audiences: [...PEOPLE, 'key:read'], summary: 'a scope narrowed by multi-select filters: KPIs vs the previous period, a breakdown and a trend', doc: { query, csv: true } }, async (req, res) => {
    const q = parseInput(query, req.query, 'query');
    const p = principalOf(res);
    const links = p?.kind === 'user' && p.role === 'coach' ? await deps.cases.linksFor(p.userId) : undefined;
    const dir = await deps.dirIndex();
    if (!canViewScope(p, q.scope, dir, links)) deny(`you do not have access to ${formatScope(q.scope)}`);
    if (q.scope.kind === 'agent') throw new HttpError(400, 'invalid_input', "filters and breakdowns work on the centre, a site, a team, a queue or a channel; an agent's figures are on their profile");
    const fromMs = Date.parse(q.from);
    const toMs = Date.parse(q.to);
    if (toMs <= fromMs) throw new HttpError(400, 'invalid_input', 'to must be after from');
    if (toMs - fromMs > MAX_RANGE_DAYS * 86_400_000) throw new HttpError(400, 'invalid_input', `segments cover at most ${MAX_RANGE_DAYS} days at a time; narrow the period`);
    const { kpi, by, format, scope, from: _f, to: _t, ...filter } = q;
    const canSeeTeam = (id: string) => canViewScope(p, { kind: 'team', id }, dir, links);
    // Choosing teams is looking at those teams' figures: each must be one the caller may see.
    for (const team of filter.teams) if (team !== NO_TEAM && !canSeeTeam(team)) deny(`you do not have access to team:${team}`);
    const built = await deps.segments.build({ scope, scopeText: formatScope(scope), filter, fromMs, toMs, kpi, by, canSeeTeam }, await deps.directory.get());
    const all = await deps.targets.list();
    const date = deps.targets.todayLocal();
    const targets: Partial<Record<KpiName, Target | null>> = {};
    const status: Partial<Record<KpiName, TargetStatus>> = {};
    for (const k of KPI_NAMES) {
      const t = await deps.targets.applicable(k, scope, date, dir, all);
      const visible = t === null || canViewScope(p, scopeText.parse(t.scope), dir, links);
      targets[k] = t && !visible ? { ...t, owner: '', objective: '' } : t;
      status[k] = statusOf(built.kpis[k].value, t);
    }
    const reply: SegmentReply = { ...built, targets, status };
    if (format === 'csv') {
      sendCsv(res, `segments-${reply.scope}-${reply.from.slice(0, 10)}`, segmentCsv(reply));
      return;
    }
    res.json({ ok: true, ...reply });
  });
  return router;
}

/** The page as a table: the filter, every KPI tile, the bars and the trend, with the figures as shown and raw. */
export function segmentCsv(r: SegmentReply): (string | number | null)[][] {
  const f = r.filter;
  const filterText = [
    f.teams.length ? `teams: ${f.teams.join(' ')}` : '',
    f.queues.length ? `queues: ${f.queues.join(' ')}` : '',
    f.channels.length ? `channels: ${f.channels.join(' ')}` : '',
    f.reasons.length ? `reasons: ${f.reasons.join(' ')}` : '',
    f.hours.length ? `hours: ${f.hours.join(' ')}` : '',
    f.weekdays.length ? `weekdays: ${f.weekdays.join(' ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const rows: (string | number | null)[][] = [
    ['section', 'key', 'label', 'shown', 'value', 'n', 'previous shown', 'previous value'],
    ['selection', r.scope, `${r.from} to ${r.to} (${r.timeZone}); previous ${r.previousFrom} to ${r.previousTo}`, filterText || 'no filters', null, null, null, null],
  ];
  for (const k of KPI_NAMES) rows.push(['kpi', k, KPI_DEFINITIONS[k].label, formatKpi(k, r.kpis[k].value), r.kpis[k].value, r.kpis[k].n, formatKpi(k, r.previous[k].value), r.previous[k].value]);
  for (const b of r.bars) rows.push([`by ${DIMENSION_WORDS[r.by].label.toLowerCase()}: ${r.kpi}`, b.key, b.label, formatKpi(r.kpi, b.value), b.value, b.n, formatKpi(r.kpi, b.previous), b.previous]);
  for (const t of r.trend) rows.push([`trend: ${r.kpi}`, t.start, t.end, formatKpi(r.kpi, t.value), t.value, t.n, null, null]);
  return rows;
}
