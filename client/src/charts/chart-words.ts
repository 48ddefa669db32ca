/** Words, colours and formats the chart panels share (Okabe-Ito colours, always with a shape and a word). */
import type { XmrChartReply, XmrMark, XmrRule } from '../../../shared/charts.js';
import { RULE_WORDS } from '../../../shared/charts.js';
import { KPI_DEFINITIONS, type KpiName } from '../../../shared/kpis.js';

/** Okabe-Ito: orange for concern, blue for improvement, reddish purple for "neither"; bluish green for the target. */
export const COLOURS = {
  concern: '#e69f00',
  improvement: '#0072b2',
  neither: '#cc79a7',
  target: '#009e73',
  common: '#5b6475',
  data: '#4b5563',
  mean: '#1d2330',
  limit: '#8a93a3',
  /** The target's words beside its line: a darker green, as #009e73 is too light for small text (WCAG 1.4.3). */
  targetText: '#00674b',
} as const;

export const MARK_WORDS: Record<XmrMark, string> = { concern: 'Special cause: concern', improvement: 'Special cause: improvement', neither: 'Special cause (no good direction)' };

/** A KPI value in display units: percentages for rates, as they are drawn. */
export function scaled(kpi: KpiName, v: number): number {
  return KPI_DEFINITIONS[kpi].unit === 'fraction' ? v * 100 : v;
}

export function axisUnit(kpi: KpiName): string {
  const u = KPI_DEFINITIONS[kpi].unit;
  return u === 'fraction' ? '%' : u === 'seconds' ? ' s' : '';
}

export const pct = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`);

/** "2026-10-06" → "06/10". */
export function shortDay(label: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(label) ? `${label.slice(8, 10)}/${label.slice(5, 7)}` : label;
}

export function rulesText(high: XmrRule[], low: XmrRule[]): string {
  const side = (rules: XmrRule[], where: string) => (rules.length ? `${rules.map((r) => RULE_WORDS[r]).join(', ')} (${where})` : '');
  return [side(high, 'high'), side(low, 'low')].filter(Boolean).join('; ');
}

/** The rules in plain words with the lengths the server used. */
export function rulesCaption(r: XmrChartReply['rules']): string {
  return (
    `Shift: ${r.shiftPoints} points in a row on one side of the mean; trend: ${r.trendPoints} rising or falling; limits from the first ${r.baselinePoints} points; needs ${r.minimumPoints} points. ` +
    `Beyond limits: a point outside mean ± ${r.limitWidth} × mean moving range; two of three: 2 of 3 points in a row beyond mean ± ${r.twoSigmaWidth} × mean moving range on one side.`
  );
}


/** A y axis with round ticks (steps of 1, 2 or 5 × 10^k) covering [lo, hi], clamped to [floor, ceiling]. */
export function niceAxis(lo: number, hi: number, clamp: { floor?: number; ceiling?: number } = {}, ticks = 6): { domain: [number, number]; ticks: number[] } {
  const span = Math.max(hi - lo, 1e-9);
  const raw = span / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  let a = Math.floor(lo / step) * step;
  let b = Math.ceil(hi / step) * step;
  if (clamp.floor !== undefined) a = Math.max(clamp.floor, a);
  if (clamp.ceiling !== undefined) b = Math.min(clamp.ceiling, b);
  const out: number[] = [];
  for (let x = a; x <= b + step / 1e6; x += step) out.push(Math.round(x * 1e6) / 1e6);
  return { domain: [a, b], ticks: out };
}
