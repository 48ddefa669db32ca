/**
 * The follow-up review: the same KPI over two equal windows, the D whole local days before the session and the D
 * whole days after it (the session day itself belongs to neither), with the uncertainty of each side and of the
 * change. The agent's team is compared over the same windows, so an improvement everyone shared is not credited to
 * coaching (system before person, again).
 *
 * Rates (CSAT top-2 share, FCR) use Wilson intervals and Newcombe's interval for the difference. Handle time uses the
 * log scale (handle times are right-skewed): the change is the ratio of geometric means with a normal interval on the
 * difference of log means.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';
import type { CaseReview, ReviewRow, ReviewWindow } from '../../shared/coaching.js';
import { logMoments, type Counters } from '../kpi/counters.js';
import { newcombeDifference, wilson } from '../flagging/intervals.js';

const Z = 1.959964;
const REVIEW_KPIS = ['csat', 'fcrSurvey', 'aht'] as const;

/**
 * Every KPI a before/after comparison can read from counters: the coaching review's three, and the service KPIs an
 * improvement initiative (server/improvement) also compares. Rates are shares with Wilson intervals; AHT is a time on
 * the log scale.
 */
export const COMPARABLE_KPIS = ['csat', 'fcrSurvey', 'aht', 'serviceLevel', 'abandonRate'] as const;
export type ComparableKpi = (typeof COMPARABLE_KPIS)[number];
/** Which way is good (DOMAIN.md section 3): higher CSAT, FCR and service level; lower AHT and abandon rate. */
export const KPI_DIRECTION: Record<ComparableKpi, 'up' | 'down'> = { csat: 'up', fcrSurvey: 'up', serviceLevel: 'up', aht: 'down', abandonRate: 'down' };

/** Where the review reads its counters from (the KPI service). */
export interface CounterSource {
  counters(scope: string, fromMs: number, toMs: number): Promise<Counters>;
  readonly timeZone: string;
}

export interface ReviewSubject {
  scope: string;
  teamScope: string | null;
  kpi: string;
  /** The session (or the day the case opened, before a session is held). */
  pivotMs: number;
  days: number;
}

/** One side of a comparison: x of n for a rate; for AHT the handle-time sum over n with its log-scale moments. */
export interface Side {
  x: number;
  n: number;
  /** Time KPIs: arithmetic mean and the log-scale moments. */
  mean?: number | null;
  logMean?: number;
  logVar?: number;
}

export const EMPTY_SIDE: Side = { x: 0, n: 0 };

/** The KPI's numerator and base in a window's counters, as server/kpi/formulas.ts defines them. */
export function sideOf(kpi: ComparableKpi, c: Counters): Side {
  switch (kpi) {
    case 'csat':
      return { x: c.csatTop2, n: c.csatN };
    case 'fcrSurvey':
      return { x: c.fcrSurveyYes, n: c.fcrSurveyN };
    case 'serviceLevel':
      return { x: c.answeredInSl, n: c.offered - c.shortAbandoned };
    case 'abandonRate':
      return { x: c.abandoned, n: c.offered - c.shortAbandoned };
    case 'aht': {
      const m = logMoments(c.handleHist);
      return { x: c.handleSum, n: c.handled, mean: c.handled === 0 ? null : c.handleSum / c.handled, logMean: m.mean, logVar: m.variance };
    }
  }
}

export function windowOf(kpi: ComparableKpi, s: Side, fromMs: number, toMs: number): ReviewWindow {
  const base = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), n: s.n };
  if (s.n === 0) return { ...base, value: null, low: null, high: null };
  if (kpi === 'aht') {
    const half = s.n > 1 ? Z * Math.sqrt((s.logVar ?? 0) / s.n) : null;
    const mean = s.mean ?? null;
    return { ...base, value: mean, low: half === null || mean === null ? null : mean * Math.exp(-half), high: half === null || mean === null ? null : mean * Math.exp(half) };
  }
  const w = wilson(s.x, s.n);
  return { ...base, value: s.x / s.n, low: w?.lower ?? null, high: w?.upper ?? null };
}

type Verdict = ReviewRow['verdict'];

export interface Comparison {
  /** after − before for rates; after ÷ before for times. */
  change: number | null;
  low: number | null;
  high: number | null;
  /** From the 95% interval of the change: better or worse only when it excludes no change (0, or ×1 for times). */
  verdict: Verdict;
}

export function compareSides(kpi: ComparableKpi, before: Side, after: Side): Comparison {
  if (before.n === 0 || after.n === 0) return { change: null, low: null, high: null, verdict: 'no-data' };
  let change: number;
  let low: number;
  let high: number;
  let noChange: number;
  if (kpi === 'aht') {
    if (before.n < 2 || after.n < 2) return { change: null, low: null, high: null, verdict: 'no-data' };
    const d = (after.logMean ?? 0) - (before.logMean ?? 0);
    const se = Math.sqrt((after.logVar ?? 0) / after.n + (before.logVar ?? 0) / before.n);
    change = Math.exp(d);
    low = Math.exp(d - Z * se);
    high = Math.exp(d + Z * se);
    noChange = 1;
  } else {
    const nd = newcombeDifference(before.x, before.n, after.x, after.n);
    if (!nd) return { change: null, low: null, high: null, verdict: 'no-data' };
    ({ diff: change, lower: low, upper: high } = nd);
    noChange = 0;
  }
  const up = KPI_DIRECTION[kpi] === 'up';
  const verdict: Verdict = low > noChange ? (up ? 'better' : 'worse') : high < noChange ? (up ? 'worse' : 'better') : 'unclear';
  return { change, low, high, verdict };
}

const isReviewKpi = (k: string): k is (typeof REVIEW_KPIS)[number] => (REVIEW_KPIS as readonly string[]).includes(k);

export async function computeReview(source: CounterSource, subject: ReviewSubject, nowMs: number): Promise<CaseReview> {
  const tz = source.timeZone;
  const pivotDay = startOfDay(new TZDate(subject.pivotMs, tz));
  const beforeFrom = addDays(pivotDay, -subject.days).getTime();
  const beforeTo = pivotDay.getTime();
  const afterFrom = addDays(pivotDay, 1).getTime();
  const afterEnd = addDays(pivotDay, 1 + subject.days).getTime();
  const afterTo = Math.max(afterFrom, Math.min(afterEnd, nowMs));
  const daysElapsed = Math.max(0, Math.floor((afterTo - afterFrom) / 86_400_000));
  // The case's KPI first, the other flag KPIs after it for context.
  const kpis = [...(isReviewKpi(subject.kpi) ? [subject.kpi] : []), ...REVIEW_KPIS.filter((k) => k !== subject.kpi)];
  const read = (scope: string, from: number, to: number) => (to > from ? source.counters(scope, from, to) : Promise.resolve(null));
  const [b, a, tb, ta] = await Promise.all([
    read(subject.scope, beforeFrom, beforeTo),
    read(subject.scope, afterFrom, afterTo),
    subject.teamScope ? read(subject.teamScope, beforeFrom, beforeTo) : Promise.resolve(null),
    subject.teamScope ? read(subject.teamScope, afterFrom, afterTo) : Promise.resolve(null),
  ]);
  const empty = EMPTY_SIDE;
  const rows: ReviewRow[] = kpis.map((kpi) => {
    const before = b ? sideOf(kpi, b) : empty;
    const after = a ? sideOf(kpi, a) : empty;
    const cmp = compareSides(kpi, before, after);
    const team = tb && ta ? compareSides(kpi, sideOf(kpi, tb), sideOf(kpi, ta)) : null;
    return {
      kpi,
      unit: kpi === 'aht' ? 'seconds' : 'rate',
      direction: kpi === 'aht' ? 'down' : 'up',
      before: windowOf(kpi, before, beforeFrom, beforeTo),
      after: windowOf(kpi, after, afterFrom, afterTo),
      change: cmp.change,
      changeLow: cmp.low,
      changeHigh: cmp.high,
      verdict: cmp.verdict,
      team: team ? { change: team.change, verdict: team.verdict } : null,
    };
  });
  const provisional = afterTo < afterEnd;
  return { pivot: new Date(pivotDay.getTime()).toISOString(), days: subject.days, provisional, daysElapsed, rows, summary: summarise(rows[0], provisional, daysElapsed, subject.days) };
}

const LABEL: Record<string, string> = { csat: 'CSAT', fcrSurvey: 'FCR (survey)', aht: 'AHT' };

function summarise(row: ReviewRow | undefined, provisional: boolean, elapsed: number, days: number): string {
  if (!row) return 'No KPI to compare.';
  const so = provisional ? ` So far: ${elapsed} of ${days} days after the session.` : '';
  const label = LABEL[row.kpi] ?? row.kpi;
  if (row.verdict === 'no-data') return `${label}: not enough data on both sides yet to compare.${so}`;
  const size =
    row.unit === 'rate'
      ? `${fmtPts(row.change)} (95% interval ${fmtPts(row.changeLow)} to ${fmtPts(row.changeHigh)})`
      : `×${(row.change ?? 1).toFixed(2)} (95% interval ×${(row.changeLow ?? 1).toFixed(2)} to ×${(row.changeHigh ?? 1).toFixed(2)})`;
  const teamMoved = row.team && row.team.verdict === row.verdict && row.verdict !== 'unclear';
  const verdict =
    row.verdict === 'unclear'
      ? 'no change beyond what chance explains'
      : teamMoved
        ? `${row.verdict}, but the team moved the same way over the same windows, so the change may not be down to coaching`
        : row.verdict;
  return `${label} ${verdict}: ${size}.${so}`;
}

function fmtPts(v: number | null): string {
  if (v === null) return '–';
  const pts = v * 100;
  return `${pts >= 0 ? '+' : '−'}${Math.abs(pts).toFixed(1)} pts`;
}
