/**
 * An initiative's before/after comparison, computed on read from the KPI counters (never stored): the same KPIs over
 * two equal windows of whole local days, the `days` before the change day and the `days` after it (the change day
 * itself belongs to neither, as in the coaching follow-up review, server/coaching/review.ts, whose interval code this
 * reuses). Each KPI's verdict comes from the 95% interval of the change: improved or worse only when the interval
 * excludes no change, whatever the point estimate says.
 *
 * Sustained checks at 30, 60 and 90 days: each compares the `days` whole days ending with day N after the change (day
 * 1 is the day after the change; a window that would reach back over the change day starts the day after it instead)
 * against the same before window. A check is pending until its last day has passed.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, format } from 'date-fns';
import { KPI_DEFINITIONS } from '../../shared/kpis.js';
import { INITIATIVE_KPIS, SUSTAIN_CHECK_DAYS, type ComparisonRow, type Criterion, type InitiativeHeadline, type InitiativeKpi, type InitiativeResults, type InitiativeVerdict, type SustainCheck } from '../../shared/initiatives.js';
import type { ReviewRow } from '../../shared/coaching.js';
import type { Counters } from '../kpi/counters.js';
import { compareSides, EMPTY_SIDE, KPI_DIRECTION, sideOf, windowOf } from '../coaching/review.js';

export interface ComparisonSource {
  counters(scope: string, fromMs: number, toMs: number): Promise<Counters>;
}

export interface ThemeCounts {
  comments: number;
  themes: { id: string; label: string; count: number }[];
}

export interface ComparisonInput {
  scope: string;
  /** The scope's time zone: days are its local days. */
  timeZone: string;
  /** The change day, YYYY-MM-DD in that zone. */
  changeDate: string;
  days: number;
  criteria: Criterion[];
  nowMs: number;
  themes?: (fromMs: number, toMs: number) => Promise<ThemeCounts>;
}

const VERDICT: Record<ReviewRow['verdict'], InitiativeVerdict> = { better: 'improved', worse: 'worse', unclear: 'no-change', 'no-data': 'no-data' };

/** Local midnight starting `day` (YYYY-MM-DD) in `tz`; from the date's parts, never parsed in the server's zone. */
export function localMidnight(day: string, tz: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d, tz);
}

/** One KPI compared over two windows of counters. */
export function compareRow(kpi: InitiativeKpi, before: Counters | null, after: Counters | null, b: { from: number; to: number }, a: { from: number; to: number }): ComparisonRow {
  const bs = before ? sideOf(kpi, before) : EMPTY_SIDE;
  const as = after ? sideOf(kpi, after) : EMPTY_SIDE;
  const cmp = compareSides(kpi, bs, as);
  return {
    kpi,
    unit: kpi === 'aht' ? 'seconds' : 'rate',
    direction: KPI_DIRECTION[kpi],
    before: windowOf(kpi, bs, b.from, b.to),
    after: windowOf(kpi, as, a.from, a.to),
    change: cmp.change,
    changeLow: cmp.low,
    changeHigh: cmp.high,
    verdict: VERDICT[cmp.verdict],
  };
}

/** The verdicts of the KPIs that matter, in one word: mixed when some improved and others got worse. */
export function headlineOf(rows: readonly ComparisonRow[], criteria: readonly Criterion[]): InitiativeHeadline {
  const named = new Set(criteria.map((c) => c.kpi));
  const chosen = named.size === 0 ? rows : rows.filter((r) => named.has(r.kpi));
  const verdicts = new Set(chosen.map((r) => r.verdict));
  if (verdicts.has('improved') && verdicts.has('worse')) return 'mixed';
  if (verdicts.has('improved')) return 'improved';
  if (verdicts.has('worse')) return 'worse';
  if (verdicts.has('no-change')) return 'no-change';
  return 'no-data';
}

/** Whether a value meets a criterion's threshold (at least for up, at most for down). */
export function meets(c: Pick<Criterion, 'threshold' | 'direction'>, value: number): boolean {
  return c.direction === 'up' ? value >= c.threshold : value <= c.threshold;
}

export async function computeResults(source: ComparisonSource, input: ComparisonInput): Promise<InitiativeResults> {
  const tz = input.timeZone;
  const changeDay = localMidnight(input.changeDate, tz);
  const day = (n: number) => addDays(changeDay, n).getTime();
  const D = input.days;
  const before = { from: day(-D), to: day(0) };
  const afterEnd = day(1 + D);
  const after = { from: day(1), to: Math.max(day(1), Math.min(afterEnd, input.nowMs)) };
  const read = (w: { from: number; to: number }) => (w.to > w.from ? source.counters(input.scope, w.from, w.to) : Promise.resolve(null));
  const [cb, ca] = await Promise.all([read(before), read(after)]);
  const rows = INITIATIVE_KPIS.map((k) => compareRow(k, cb, ca, before, after));
  const provisional = after.to < afterEnd;
  const daysElapsed = Math.max(0, Math.round((after.to - after.from) / 86_400_000));
  const headline = headlineOf(rows, input.criteria);

  const criteria = input.criteria.map((c) => {
    const row = rows.find((r) => r.kpi === c.kpi);
    const value = row?.after.value ?? null;
    const n = row?.after.n ?? 0;
    // Judged once the by-date has passed and the after window is complete; before that, the figure so far.
    const due = input.nowMs >= addDays(localMidnight(c.byDate, tz), 1).getTime() && !provisional;
    const state = !due ? ('pending' as const) : value === null ? ('no-data' as const) : meets(c, value) ? ('met' as const) : ('not-met' as const);
    return { ...c, value, n, state };
  });

  const sustained: SustainCheck[] = [];
  for (const n of SUSTAIN_CHECK_DAYS) {
    const w = { from: day(Math.max(1, n + 1 - D)), to: day(n + 1) };
    const iso = { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
    if (input.nowMs < w.to) {
      sustained.push({ day: n, ...iso, state: 'pending', rows: [] });
      continue;
    }
    const c = await source.counters(input.scope, w.from, w.to);
    const checkRows = INITIATIVE_KPIS.map((k) => compareRow(k, cb, c, before, w));
    const h = headlineOf(checkRows, input.criteria);
    sustained.push({ day: n, ...iso, state: h === 'no-data' ? 'no-data' : h === 'improved' ? 'sustained' : 'not-sustained', rows: checkRows });
  }

  let themes: InitiativeResults['themes'] = { comments: { before: 0, after: 0 }, rows: [] };
  if (input.themes) {
    const [tb, ta] = await Promise.all([input.themes(before.from, before.to), after.to > after.from ? input.themes(after.from, after.to) : Promise.resolve({ comments: 0, themes: [] })]);
    const ids = new Map<string, { id: string; label: string; before: number; after: number }>();
    for (const t of tb.themes) ids.set(t.id, { id: t.id, label: t.label, before: t.count, after: 0 });
    for (const t of ta.themes) ids.set(t.id, { ...(ids.get(t.id) ?? { id: t.id, label: t.label, before: 0 }), after: t.count });
    themes = { comments: { before: tb.comments, after: ta.comments }, rows: [...ids.values()].filter((r) => r.before + r.after > 0).sort((x, y) => y.before + y.after - (x.before + x.after) || x.label.localeCompare(y.label)) };
  }

  return {
    changeDate: input.changeDate,
    windowDays: D,
    provisional,
    daysElapsed,
    rows,
    headline,
    summary: summarise(rows, headline, input.criteria, provisional, daysElapsed, D, format(changeDay, 'd MMM yyyy')),
    themes,
    criteria,
    sustained,
  };
}

const HEADLINE_WORDS: Record<InitiativeHeadline, string> = {
  improved: 'Improved',
  worse: 'Worse',
  mixed: 'Mixed: some KPIs improved, others got worse',
  'no-change': 'No change beyond what chance explains',
  'no-data': 'Not enough data on both sides yet',
};

function summarise(rows: ComparisonRow[], headline: InitiativeHeadline, criteria: Criterion[], provisional: boolean, elapsed: number, days: number, changeDay: string): string {
  const named = new Set(criteria.map((c) => c.kpi));
  const moved = rows.filter((r) => (named.size === 0 || named.has(r.kpi)) && (r.verdict === 'improved' || r.verdict === 'worse'));
  const parts = moved.map((r) => `${KPI_DEFINITIONS[r.kpi].label} ${r.verdict} (${changeWords(r)})`);
  const so = provisional ? ` So far ${elapsed} of ${days} days after the change.` : '';
  return `${HEADLINE_WORDS[headline]}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}. ${days} whole days before ${changeDay} against ${days} after it.${so}`;
}

export function changeWords(r: ComparisonRow): string {
  if (r.change === null) return '–';
  if (r.unit === 'seconds') return `×${r.change.toFixed(2)}, 95% interval ×${(r.changeLow ?? 1).toFixed(2)} to ×${(r.changeHigh ?? 1).toFixed(2)}`;
  const pts = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)} pts`);
  return `${pts(r.change)}, 95% interval ${pts(r.changeLow)} to ${pts(r.changeHigh)}`;
}
