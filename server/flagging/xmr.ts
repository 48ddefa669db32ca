/**
 * NHS England "Making Data Count" XmR charts (DOMAIN.md section 5, flagging-methods.md section 1), as the NHSE SPC SQL
 * v2.6a defaults give them: centre line the mean; process limits mean ± 2.66 × mean moving range; 2σ lines at
 * ± 1.773 × mean moving range; limits fixed from a baseline of the first 12 points (trial limits from all points
 * while there are fewer); icons only from 13 points.
 *
 * Special-cause rules, evaluated causally (a point is marked when a pattern is complete at it, as a live system can
 * only know then):
 * - beyond limits: the point is above the upper or below the lower process limit;
 * - shift: this point and the 5 before it all strictly on one side of the mean (a point on the mean breaks the run);
 * - trend: 6 points each strictly above (or below) the one before (a tie breaks the trend);
 * - two of three: of this point and the 2 before, all on one side of the mean and at least 2 beyond the 2σ line.
 */
export type Direction = 'up' | 'down' | 'neither';
export type Rule = 'beyond-limits' | 'shift' | 'trend' | 'two-of-three';
export type Side = 'high' | 'low';
export type Variation = 'common-cause' | 'improvement-high' | 'improvement-low' | 'concern-high' | 'concern-low' | 'neither-high' | 'neither-low';
export type Assurance = 'pass' | 'hit-or-miss' | 'fail';

export interface XmrSettings {
  shiftPoints: number;
  trendPoints: number;
  /** Points needed before icons show. */
  minimumPoints: number;
  /** Points the limits are fixed from. */
  baselinePoints: number;
  /** Drop moving ranges above 3.267 × their mean before using it (NHSE tool: off; recommended for agent data). */
  screenOutliers: boolean;
}

export const MDC_SETTINGS: XmrSettings = { shiftPoints: 6, trendPoints: 6, minimumPoints: 13, baselinePoints: 12, screenOutliers: false };

export interface XmrLimits {
  mean: number;
  meanMovingRange: number;
  upper: number;
  lower: number;
  upper2s: number;
  lower2s: number;
  /** Points the limits were computed from; fewer than the baseline means trial limits. */
  baselineN: number;
  trial: boolean;
}

export interface XmrPoint {
  value: number;
  /** Rules completing at this point, on each side. */
  high: Rule[];
  low: Rule[];
}

export interface XmrChart {
  limits: XmrLimits | null;
  points: XmrPoint[];
  /** Icon for the last point, null until minimumPoints. */
  variation: Variation | null;
  /** Target against the limits, null without a target or direction, or before minimumPoints. */
  assurance: Assurance | null;
  settings: XmrSettings;
}

const LIMIT = 2.66;
const TWO_SIGMA = (2 / 3) * LIMIT;
const MR_UPPER = 3.267;

export function xmrLimits(values: number[], settings: XmrSettings = MDC_SETTINGS): XmrLimits | null {
  if (values.length < 2) return null;
  const base = values.slice(0, Math.max(2, Math.min(values.length, settings.baselinePoints)));
  const mean = base.reduce((s, x) => s + x, 0) / base.length;
  let ranges = base.slice(1).map((x, i) => Math.abs(x - (base[i] as number)));
  let mr = ranges.reduce((s, x) => s + x, 0) / ranges.length;
  if (settings.screenOutliers) {
    const kept = ranges.filter((r) => r <= MR_UPPER * mr);
    if (kept.length > 0 && kept.length < ranges.length) {
      ranges = kept;
      mr = ranges.reduce((s, x) => s + x, 0) / ranges.length;
    }
  }
  return {
    mean,
    meanMovingRange: mr,
    upper: mean + LIMIT * mr,
    lower: mean - LIMIT * mr,
    upper2s: mean + TWO_SIGMA * mr,
    lower2s: mean - TWO_SIGMA * mr,
    baselineN: base.length,
    trial: base.length < settings.baselinePoints,
  };
}

export function xmrChart(values: number[], options: { direction: Direction; target?: number | null; settings?: XmrSettings; limits?: XmrLimits }): XmrChart {
  const settings = options.settings ?? MDC_SETTINGS;
  const limits = options.limits ?? xmrLimits(values, settings);
  const points: XmrPoint[] = values.map((value) => ({ value, high: [], low: [] }));
  if (limits) {
    const { mean } = limits;
    let above = 0;
    let below = 0;
    let rising = 1;
    let falling = 1;
    values.forEach((x, i) => {
      const p = points[i] as XmrPoint;
      if (x > limits.upper) p.high.push('beyond-limits');
      if (x < limits.lower) p.low.push('beyond-limits');
      above = x > mean ? above + 1 : 0;
      below = x < mean ? below + 1 : 0;
      if (above >= settings.shiftPoints) p.high.push('shift');
      if (below >= settings.shiftPoints) p.low.push('shift');
      if (i > 0) {
        const prev = values[i - 1] as number;
        rising = x > prev ? rising + 1 : 1;
        falling = x < prev ? falling + 1 : 1;
      }
      if (rising >= settings.trendPoints) p.high.push('trend');
      if (falling >= settings.trendPoints) p.low.push('trend');
      if (i >= 2) {
        const w = values.slice(i - 2, i + 1);
        if (w.every((v) => v > mean) && w.filter((v) => v > limits.upper2s).length >= 2) p.high.push('two-of-three');
        if (w.every((v) => v < mean) && w.filter((v) => v < limits.lower2s).length >= 2) p.low.push('two-of-three');
      }
    });
  }
  const enough = limits !== null && values.length >= settings.minimumPoints;
  const last = points[points.length - 1];
  return {
    limits,
    points,
    variation: enough && last ? variationOf(last, options.direction) : null,
    assurance: enough && limits && options.target !== undefined && options.target !== null ? assuranceOf(limits, options.target, options.direction) : null,
    settings,
  };
}

/** The variation icon of a point; when both sides fire, concern wins (the NHSE tool's default conflict rule). */
export function variationOf(p: Pick<XmrPoint, 'high' | 'low'>, direction: Direction): Variation {
  const high = p.high.length > 0;
  const low = p.low.length > 0;
  if (!high && !low) return 'common-cause';
  if (direction === 'neither') return high ? 'neither-high' : 'neither-low';
  const concernHigh = direction === 'down';
  if (high && low) return concernHigh ? 'concern-high' : 'concern-low';
  if (high) return concernHigh ? 'concern-high' : 'improvement-high';
  return concernHigh ? 'improvement-low' : 'concern-low';
}

/** Where the target lies against the process limits; a target exactly on a limit counts as pass or fail. */
export function assuranceOf(limits: Pick<XmrLimits, 'upper' | 'lower'>, target: number, direction: Direction): Assurance | null {
  if (direction === 'neither') return null;
  if (direction === 'up') return target <= limits.lower ? 'pass' : target >= limits.upper ? 'fail' : 'hit-or-miss';
  return target >= limits.upper ? 'pass' : target <= limits.lower ? 'fail' : 'hit-or-miss';
}

/** Whether a point is a special cause of concern for a KPI with this direction. */
export function isConcern(p: Pick<XmrPoint, 'high' | 'low'>, direction: Direction): boolean {
  return direction === 'up' ? p.low.length > 0 : direction === 'down' ? p.high.length > 0 : false;
}
