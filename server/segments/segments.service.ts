/**
 * Segments: a scope narrowed by multi-select filters, answered from the engine's segment cells (every contribution
 * also counts for its team × queue × channel × reason cell, rolled up per quarter-hour and local day like any scope),
 * so any mix of filters is a sum of cells and never a scan of raw events. Hours of the day need quarter-hour rows;
 * everything else reads day rows for whole stored days.
 */
import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';
import type { Scope } from '../../shared/access.js';
import type { Directory } from '../../shared/directory.js';
import { FCR_WINDOW_DAYS, type KpiName, type KpiSet } from '../../shared/kpis.js';
import { NO_REASON, NO_TEAM, WEEKDAY_NAMES, type SegmentBar, type SegmentDimension, type SegmentFilter, type SegmentOption, type SegmentReply, type SegmentTrendPoint } from '../../shared/segments.js';
import { addInto, zero, type Counters } from '../kpi/counters.js';
import { parseCell, type Cell } from '../kpi/engine.js';
import { kpisOf } from '../kpi/formulas.js';
import type { KpiService } from '../kpi/kpi.service.js';

const DAY_MS = 86_400_000;

/** A contact reason id as words: "bill-dispute" → "Bill dispute". */
export function reasonLabel(id: string): string {
  if (id === NO_REASON) return 'No reason given';
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The site a cell counts for: the engine's rule (the queue's site, else the team's, else the only site). */
function siteOf(cell: Cell, dir: Directory): string | null {
  const q = dir.queues.find((x) => x.id === cell.queue);
  if (q?.siteId) return q.siteId;
  const t = dir.teams.find((x) => x.id === cell.team);
  if (t) return t.siteId;
  return dir.sites.length === 1 ? (dir.sites[0]?.id ?? null) : null;
}

function inScope(cell: Cell, scope: Scope, dir: Directory): boolean {
  switch (scope.kind) {
    case 'centre':
      return true;
    case 'site':
      return siteOf(cell, dir) === scope.id;
    case 'team':
      return cell.team === scope.id;
    case 'queue':
      return cell.queue === scope.id;
    case 'channel':
      return cell.channel === scope.id;
    case 'agent':
      return false;
  }
}

const keyOf = (cell: Cell, d: 'team' | 'queue' | 'channel' | 'reason'): string => (d === 'team' ? (cell.team ?? NO_TEAM) : d === 'reason' ? (cell.reason ?? NO_REASON) : (cell[d] ?? ''));

function passes(cell: Cell, f: SegmentFilter): boolean {
  if (f.teams.length > 0 && !f.teams.includes(keyOf(cell, 'team'))) return false;
  if (f.queues.length > 0 && !f.queues.includes(keyOf(cell, 'queue'))) return false;
  if (f.channels.length > 0 && !f.channels.includes(keyOf(cell, 'channel'))) return false;
  if (f.reasons.length > 0 && !f.reasons.includes(keyOf(cell, 'reason'))) return false;
  return true;
}

export interface SegmentRequest {
  scope: Scope;
  scopeText: string;
  filter: SegmentFilter;
  fromMs: number;
  toMs: number;
  kpi: KpiName;
  by: SegmentDimension;
  /** Whether the caller may see a team's own figures (its bars and its place among the filter's choices). */
  canSeeTeam: (teamId: string) => boolean;
}

export class SegmentsService {
  constructor(private readonly kpis: KpiService) {}

  /** Everything but the targets (the route adds those, with the caller's view of them). */
  async build(req: SegmentRequest, dir: Directory): Promise<Omit<SegmentReply, 'targets' | 'status'>> {
    const tz = this.kpis.timeZone;
    const all = (await this.kpis.knownCells()).map((name) => ({ name, cell: parseCell(name) as Cell }));
    const scoped = all.filter((c) => inScope(c.cell, req.scope, dir));
    const chosen = scoped.filter((c) => passes(c.cell, req.filter));
    const cellOf = new Map(chosen.map((c) => [c.name, c.cell]));
    const hourly = req.filter.hours.length > 0 || req.by === 'hour';
    const grain = hourly ? 'interval' : 'day';
    const length = req.toMs - req.fromMs;
    const previousFrom = req.fromMs - length;

    // Local calendar facts, cached per row start (rows repeat the same starts across cells).
    const local = new Map<number, { day: number; weekday: number; hour: number }>();
    const when = (ms: number) => {
      let w = local.get(ms);
      if (!w) {
        const d = new TZDate(ms, tz);
        w = { day: this.kpis.dayStart(ms), weekday: d.getDay() === 0 ? 7 : d.getDay(), hour: d.getHours() };
        local.set(ms, w);
      }
      return w;
    };
    const wanted = (ms: number) => {
      const w = when(ms);
      return (req.filter.weekdays.length === 0 || req.filter.weekdays.includes(w.weekday)) && (req.filter.hours.length === 0 || req.filter.hours.includes(w.hour));
    };
    const barKey = (cell: Cell, ms: number): string => {
      switch (req.by) {
        case 'hour':
          return String(when(ms).hour);
        case 'weekday':
          return String(when(ms).weekday);
        case 'team':
        case 'queue':
        case 'channel':
        case 'reason':
          return keyOf(cell, req.by);
      }
    };

    // Trend days over the period (local midnights), each clipped to the period.
    const days: number[] = [];
    for (let d = this.kpis.dayStart(req.fromMs); d < req.toMs && days.length <= 400; d = addDays(new TZDate(d, tz), 1).getTime()) days.push(d);
    const dayIndex = new Map(days.map((d, i) => [d, i]));
    const dayCounters = days.map(() => zero());

    const total = zero();
    const bars = new Map<string, { now: Counters; before: Counters }>();
    const bar = (k: string) => {
      let b = bars.get(k);
      if (!b) bars.set(k, (b = { now: zero(), before: zero() }));
      return b;
    };
    const names = [...cellOf.keys()];
    await this.kpis.visitCells(names, req.fromMs, req.toMs, grain, (name, start, c) => {
      if (!wanted(start)) return;
      const cell = cellOf.get(name) as Cell;
      addInto(total, c, 1);
      addInto(bar(barKey(cell, start)).now, c, 1);
      const i = dayIndex.get(when(start).day);
      if (i !== undefined) addInto(dayCounters[i] as Counters, c, 1);
    });
    const before = zero();
    await this.kpis.visitCells(names, previousFrom, req.fromMs, grain, (name, start, c) => {
      if (!wanted(start)) return;
      addInto(before, c, 1);
      addInto(bar(barKey(cellOf.get(name) as Cell, start)).before, c, 1);
    });

    const now = this.kpis.now();
    const open = (toMs: number) => toMs > now - FCR_WINDOW_DAYS * DAY_MS;
    const kpis: KpiSet = kpisOf(total, open(req.toMs));
    const previous: KpiSet = kpisOf(before, open(req.fromMs));
    const trend: SegmentTrendPoint[] = days.map((d, i) => {
      const end = i + 1 < days.length ? (days[i + 1] as number) : req.toMs;
      const v = kpisOf(dayCounters[i] as Counters, open(end))[req.kpi];
      return { start: new Date(Math.max(d, req.fromMs)).toISOString(), end: new Date(Math.min(end, req.toMs)).toISOString(), value: v.value, n: v.n };
    });

    const options = this.optionsOf(scoped.map((c) => c.cell), dir);
    const visibleTeam = (k: string) => k === NO_TEAM || req.canSeeTeam(k);
    options.teams = options.teams.filter((o) => visibleTeam(o.id));
    const label = (k: string): string => {
      switch (req.by) {
        case 'hour':
          return `${k.padStart(2, '0')}:00`;
        case 'weekday':
          return WEEKDAY_NAMES[Number(k) - 1] ?? k;
        case 'team':
          return options.teams.find((o) => o.id === k)?.label ?? k;
        case 'queue':
          return options.queues.find((o) => o.id === k)?.label ?? k;
        case 'channel':
          return options.channels.find((o) => o.id === k)?.label ?? k;
        case 'reason':
          return reasonLabel(k);
      }
    };
    let hiddenBars = 0;
    const barRows: SegmentBar[] = [...bars.entries()]
      .filter(([key]) => {
        const ok = req.by !== 'team' || visibleTeam(key);
        if (!ok) hiddenBars++;
        return ok;
      })
      .map(([key, b]) => {
        const v = kpisOf(b.now, open(req.toMs))[req.kpi];
        return { key, label: label(key), value: v.value, n: v.n, previous: kpisOf(b.before, open(req.fromMs))[req.kpi].value };
      })
      .filter((b) => b.n > 0 || b.previous !== null)
      .sort((a, b) => (req.by === 'hour' || req.by === 'weekday' ? Number(a.key) - Number(b.key) : a.label.localeCompare(b.label)));

    return {
      scope: req.scopeText,
      from: new Date(req.fromMs).toISOString(),
      to: new Date(req.toMs).toISOString(),
      previousFrom: new Date(previousFrom).toISOString(),
      previousTo: new Date(req.fromMs).toISOString(),
      timeZone: tz,
      filter: req.filter,
      kpi: req.kpi,
      kpis,
      previous,
      by: req.by,
      bars: barRows,
      hiddenBars,
      trend,
      options,
    };
  }

  /** The values each filter can take within the scope: directory names where there are any, the data otherwise. */
  private optionsOf(cells: Cell[], dir: Directory): SegmentReply['options'] {
    const distinct = (d: 'team' | 'queue' | 'channel' | 'reason') => [...new Set(cells.map((c) => keyOf(c, d)))].filter((k) => k !== '');
    const byLabel = (a: SegmentOption, b: SegmentOption) => a.label.localeCompare(b.label);
    return {
      teams: distinct('team')
        .map((id) => ({ id, label: id === NO_TEAM ? 'Unanswered (no team)' : (dir.teams.find((t) => t.id === id)?.name ?? id) }))
        .sort(byLabel),
      queues: distinct('queue')
        .map((id) => ({ id, label: dir.queues.find((q) => q.id === id)?.name ?? id }))
        .sort(byLabel),
      channels: distinct('channel')
        .map((id) => ({ id, label: id.charAt(0).toUpperCase() + id.slice(1) }))
        .sort(byLabel),
      reasons: distinct('reason')
        .map((id) => ({ id, label: reasonLabel(id) }))
        .sort(byLabel),
    };
  }
}
