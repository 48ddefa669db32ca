/**
 * The chart API's contract (GET /api/v1/charts/xmr and /api/v1/charts/funnel), shared by server and client: system
 * XmR charts with the NHS "Making Data Count" rules and icons, and the agent funnel plot (DOMAIN.md section 5).
 */
import type { Direction, KpiName } from './kpis.js';

/** System charts are for the system: the centre and its sites, teams, queues and channels, never one agent. */
export const SYSTEM_SCOPE_KINDS = ['centre', 'site', 'team', 'queue', 'channel'] as const;
export const CHART_GRANULARITIES = ['day', 'interval'] as const;
export type ChartGranularity = (typeof CHART_GRANULARITIES)[number];
export const XMR_DAYS = { default: 42, max: 180 } as const;

/** Funnel plots need a yes/no outcome per response (a rate of n). */
export const FUNNEL_KPIS = ['csat', 'fcrSurvey'] as const satisfies readonly KpiName[];
export type FunnelKpi = (typeof FUNNEL_KPIS)[number];
export const FUNNEL_DAYS = { default: 28, max: 180 } as const;

export type XmrRule = 'beyond-limits' | 'shift' | 'trend' | 'two-of-three';
export type XmrVariation = 'common-cause' | 'improvement-high' | 'improvement-low' | 'concern-high' | 'concern-low' | 'neither-high' | 'neither-low';
export type XmrAssurance = 'pass' | 'hit-or-miss' | 'fail';
/** What a special-cause point means for this KPI's good direction. */
export type XmrMark = 'concern' | 'improvement' | 'neither';

export interface XmrChartPoint {
  start: string;
  end: string;
  /** Local date (YYYY-MM-DD) for days, local HH:MM for 15-minute intervals. */
  label: string;
  value: number;
  n: number;
  provisional?: boolean;
  /** Rules completing at this point (evaluated causally: a run is marked from the point that completes it). */
  high: XmrRule[];
  low: XmrRule[];
  mark: XmrMark | null;
}

export interface XmrChartLimits {
  mean: number;
  upper: number;
  lower: number;
  /** The 2σ lines used by the two-of-three rule. */
  upper2s: number;
  lower2s: number;
  meanMovingRange: number;
  /** Points the limits were computed from. */
  baselinePoints: number;
  /** True when fixed from a full baseline (the first `rules.baselinePoints` points); false: trial limits from fewer. */
  fixed: boolean;
  baselineFrom: string;
  baselineTo: string;
}

export interface XmrRuleSettings {
  shiftPoints: number;
  trendPoints: number;
  baselinePoints: number;
  minimumPoints: number;
  /** Process limits at mean ± this × mean moving range. */
  limitWidth: number;
  twoSigmaWidth: number;
}

export interface XmrChartReply {
  ok: true;
  kpi: KpiName;
  scope: string;
  granularity: ChartGranularity;
  from: string;
  to: string;
  timeZone: string;
  direction: Direction;
  points: XmrChartPoint[];
  /** Periods in the range with no data (a closed day, a quiet interval): left out, not drawn as zero. */
  periodsWithoutData: number;
  limits: XmrChartLimits | null;
  /** Icon for the latest point; null until there are `rules.minimumPoints` points. */
  variation: XmrVariation | null;
  /** Target against the process limits; null without a target or before `rules.minimumPoints` points. */
  assurance: XmrAssurance | null;
  target: { threshold: number; direction: 'up' | 'down'; tolerance: number; scope: string } | null;
  rules: XmrRuleSettings;
}

export type FunnelPosition = 'within' | 'above-95' | 'below-95' | 'above-99.8' | 'below-99.8';

export interface FunnelBand {
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

export interface FunnelAgent {
  agentId: string;
  name: string;
  /** Contacts handled in the period (all queues). */
  handled: number;
  /** Responses (the funnel's n) and the good ones among them. */
  n: number;
  y: number;
  rate: number | null;
  /** Wilson 95% interval of the observed rate. */
  wilson: { lower: number; upper: number } | null;
  /** Empirical-Bayes (beta-binomial) posterior mean and 95% credible interval. */
  shrunken: { mean: number; lower: number; upper: number; weight: number } | null;
  /** The overdispersion-adjusted funnel at this agent's n. */
  limits: FunnelBand | null;
  position: FunnelPosition | null;
}

export interface FunnelReply {
  ok: true;
  kpi: FunnelKpi;
  /** The agents' group: a team (all their contacts) or a queue (each agent's contacts on it). */
  group: { kind: 'team' | 'queue'; id: string; name: string };
  /** The team, for a team funnel (kept for readers of the first version of this reply). */
  team?: { id: string; name: string };
  from: string;
  to: string;
  days: number;
  timeZone: string;
  /** The group rate: good responses ÷ responses over the agents shown. */
  theta0: number | null;
  /** Dispersion ratio (mean squared winsorised z-score); null with too few agents to estimate it. */
  phi: number | null;
  /** DerSimonian–Laird between-agent variance added to every limit (0: no more spread than chance). */
  tau2: number;
  /** Agents with responses the estimates rest on. */
  units: number;
  agents: FunnelAgent[];
  /** Limit lines over a grid of n, for drawing. */
  funnel: ({ n: number } & FunnelBand)[];
  method: string;
}

/** The variation icon in words, e.g. "Special cause: concern (low)". */
export function variationWords(v: XmrVariation | null): string {
  if (v === null) return 'Variation: not enough points yet';
  if (v === 'common-cause') return 'Common cause: no significant change';
  const [kind, side] = v.split('-') as ['improvement' | 'concern' | 'neither', 'high' | 'low'];
  const what = kind === 'neither' ? 'neither improvement nor concern' : kind;
  return `Special cause: ${what} (${side})`;
}

/** The assurance icon in words. */
export function assuranceWords(a: XmrAssurance | null, hasTarget: boolean): string {
  if (!hasTarget) return 'Assurance: no target set';
  switch (a) {
    case null:
      return 'Assurance: not enough points yet';
    case 'pass':
      return 'Assurance: consistently hits target';
    case 'hit-or-miss':
      return 'Assurance: inconsistently hits target';
    case 'fail':
      return 'Assurance: consistently fails target (a system issue: the process cannot meet it without change)';
  }
}

export const RULE_WORDS: Record<XmrRule, string> = {
  'beyond-limits': 'beyond a process limit',
  shift: 'shift',
  trend: 'trend',
  'two-of-three': 'two of three near the limit',
};

/** The rules in full, for written reports (the service review); run lengths as in MDC_SETTINGS (server/flagging/xmr.ts). */
export const RULE_SENTENCES: Record<XmrRule, string> = {
  'beyond-limits': 'beyond a process limit',
  shift: 'a shift of 6 points on one side of the mean',
  trend: 'a trend of 6 rising or falling points',
  'two-of-three': '2 of 3 points near a limit',
};

export const POSITION_WORDS: Record<FunnelPosition, string> = {
  within: 'Within limits',
  'above-95': 'Above 95% limit',
  'below-95': 'Below 95% limit',
  'above-99.8': 'Above 99.8% limit',
  'below-99.8': 'Below 99.8% limit',
};
