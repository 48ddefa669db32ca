/**
 * What the chart screens draw, as plain functions over figures the KPI service already gives: a system XmR chart
 * (xmr.ts: NHS "Making Data Count" limits, rules and icons) from a trend, and an agent funnel plot (funnel.ts,
 * intervals.ts: overdispersion-adjusted limits, Wilson intervals, empirical-Bayes rates) from per-agent counts.
 * Nothing statistical is computed here that those modules do not already do; this only arranges their answers.
 */
import type { FunnelAgent, FunnelBand, FunnelPosition, XmrChartLimits, XmrChartPoint, XmrMark, XmrRuleSettings } from '../../shared/charts.js';
import type { Direction } from '../../shared/kpis.js';
import { normalFunnel, overdispersion, type FunnelLevel } from './funnel.js';
import { betaPriorFromUnits, shrink, wilson } from './intervals.js';
import { assuranceOf, MDC_SETTINGS, variationOf, xmrChart, xmrLimits, type Assurance, type Variation } from './xmr.js';

/** A period with data, as the KPI trend gives it (value in the KPI's unit). */
export interface ChartInput {
  start: string;
  end: string;
  label: string;
  value: number;
  n: number;
  provisional?: boolean;
}

export interface SystemChart {
  points: XmrChartPoint[];
  limits: XmrChartLimits | null;
  variation: Variation | null;
  assurance: Assurance | null;
  rules: XmrRuleSettings;
}

// The limit widths, read back from xmr.ts itself (limits of [0, 1] have a mean moving range of 1).
const UNIT = xmrLimits([0, 1]);
const LIMIT_WIDTH = UNIT ? Math.round((UNIT.upper - UNIT.mean) * 1000) / 1000 : NaN;
const TWO_SIGMA_WIDTH = UNIT ? Math.round((UNIT.upper2s - UNIT.mean) * 1000) / 1000 : NaN;

export const CHART_RULES: XmrRuleSettings = {
  shiftPoints: MDC_SETTINGS.shiftPoints,
  trendPoints: MDC_SETTINGS.trendPoints,
  baselinePoints: MDC_SETTINGS.baselinePoints,
  minimumPoints: MDC_SETTINGS.minimumPoints,
  limitWidth: LIMIT_WIDTH,
  twoSigmaWidth: TWO_SIGMA_WIDTH,
};

/**
 * The XmR chart of a system measure with the NHSE defaults. The variation icon follows the KPI's good direction; the
 * assurance icon the target's own direction (a target may state it where the KPI has none, e.g. AHT).
 */
export function systemChart(input: ChartInput[], direction: Direction, target: { threshold: number; direction: 'up' | 'down' } | null): SystemChart {
  const chart = xmrChart(
    input.map((p) => p.value),
    { direction, settings: MDC_SETTINGS },
  );
  const points = input.map((p, i): XmrChartPoint => {
    const x = chart.points[i] as (typeof chart.points)[number];
    return { ...p, high: x.high, low: x.low, mark: markOf(variationOf(x, direction)) };
  });
  const l = chart.limits;
  const limits: XmrChartLimits | null = l
    ? {
        mean: l.mean,
        upper: l.upper,
        lower: l.lower,
        upper2s: l.upper2s,
        lower2s: l.lower2s,
        meanMovingRange: l.meanMovingRange,
        baselinePoints: l.baselineN,
        fixed: !l.trial,
        baselineFrom: (input[0] as ChartInput).start,
        baselineTo: (input[l.baselineN - 1] as ChartInput).end,
      }
    : null;
  // Icons only once the chart has its minimum points (xmrChart gives the variation icon exactly then).
  const enough = chart.variation !== null;
  const assurance = enough && l && target ? assuranceOf(l, target.threshold, target.direction) : null;
  return { points, limits, variation: chart.variation, assurance, rules: CHART_RULES };
}

function markOf(v: Variation): XmrMark | null {
  if (v === 'common-cause') return null;
  return v.startsWith('concern') ? 'concern' : v.startsWith('improvement') ? 'improvement' : 'neither';
}

export interface AgentCounts {
  agentId: string;
  name: string;
  handled: number;
  /** Good outcomes (satisfied, resolved) of n responses. */
  y: number;
  n: number;
}

export interface AgentFunnel {
  theta0: number | null;
  phi: number | null;
  tau2: number;
  units: number;
  agents: FunnelAgent[];
  funnel: ({ n: number } & FunnelBand)[];
}

/** Fewer agents with responses than this and φ, τ² are not estimated (the limits are then binomial only). */
export const MIN_UNITS_FOR_DISPERSION = 3;
const GRID_STEPS = 60;

/** The funnel band at n: normal limits around θ0 widened by the additive random effect τ². */
export function bandAt(theta0: number, n: number, tau2: number): FunnelBand {
  const at = (level: FunnelLevel) => normalFunnel(theta0, n, level, tau2);
  const a = at('95');
  const b = at('99.8');
  return { lower95: a.lower, upper95: a.upper, lower998: b.lower, upper998: b.upper };
}

export function positionOf(rate: number, band: FunnelBand): FunnelPosition {
  if (rate < band.lower998) return 'below-99.8';
  if (rate > band.upper998) return 'above-99.8';
  if (rate < band.lower95) return 'below-95';
  if (rate > band.upper95) return 'above-95';
  return 'within';
}

/**
 * Agents against their group by volume (Spiegelhalter 2005): θ0 the group's rate, φ and τ² from the agents' winsorised
 * z-scores (DerSimonian–Laird), limits θ0 ± z·√(θ0(1−θ0)/n + τ²) at 95% and 99.8%, each agent's Wilson interval and
 * beta-binomial shrunken rate.
 */
export function agentFunnel(agents: AgentCounts[]): AgentFunnel {
  const used = agents.filter((a) => a.n > 0);
  const sumY = used.reduce((s, a) => s + a.y, 0);
  const sumN = used.reduce((s, a) => s + a.n, 0);
  const theta0 = sumN > 0 ? sumY / sumN : null;
  // θ0 of exactly 0 or 1 has no binomial spread to standardise by.
  const spread = theta0 !== null && theta0 > 0 && theta0 < 1;
  const od = spread && used.length >= MIN_UNITS_FOR_DISPERSION ? overdispersion(used, theta0) : null;
  const tau2 = od?.tau2 ?? 0;
  const prior = betaPriorFromUnits(used);
  const rows = agents.map((a): FunnelAgent => {
    if (a.n === 0) return { ...a, rate: null, wilson: null, shrunken: null, limits: null, position: null };
    const rate = a.y / a.n;
    const limits = spread ? bandAt(theta0, a.n, tau2) : null;
    return {
      ...a,
      rate,
      wilson: wilson(a.y, a.n),
      shrunken: prior ? shrink(a.y, a.n, prior) : null,
      limits,
      position: limits ? positionOf(rate, limits) : null,
    };
  });
  return { theta0, phi: od?.phi ?? null, tau2, units: used.length, agents: rows, funnel: spread ? grid(theta0, used, tau2) : [] };
}

/** The limit lines over n from a little below the smallest agent's volume to a little above the largest's. */
function grid(theta0: number, used: AgentCounts[], tau2: number): ({ n: number } & FunnelBand)[] {
  const ns = used.map((a) => a.n);
  const lo = Math.max(2, Math.floor(Math.min(...ns) * 0.5));
  const hi = Math.max(lo + 1, Math.ceil(Math.max(...ns) * 1.15));
  const out: ({ n: number } & FunnelBand)[] = [];
  let last = 0;
  for (let i = 0; i <= GRID_STEPS; i++) {
    const n = Math.round(lo * (hi / lo) ** (i / GRID_STEPS));
    if (n === last) continue;
    last = n;
    out.push({ n, ...bandAt(theta0, n, tau2) });
  }
  return out;
}
