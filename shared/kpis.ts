/**
 * KPI definitions (DOMAIN.md section 3), shared by the engine, the API and the UI tooltips. Rates are fractions 0-1,
 * times are seconds.
 */
export const KPI_NAMES = ['csat', 'fcrRepeat', 'fcrSurvey', 'serviceLevel', 'asa', 'firstResponse', 'aht', 'abandonRate', 'nps', 'qa', 'complaintsPer1000', 'responseRate'] as const;
export type KpiName = (typeof KPI_NAMES)[number];

export type Direction = 'up' | 'down' | 'neither';

export interface KpiDefinition {
  label: string;
  unit: 'fraction' | 'seconds' | 'score' | 'per1000';
  direction: Direction;
  /** The formula in words, shown in every tooltip next to n. */
  formula: string;
  /** What n counts. */
  nIs: string;
}

export const KPI_DEFINITIONS: Record<KpiName, KpiDefinition> = {
  csat: {
    label: 'CSAT',
    unit: 'fraction',
    direction: 'up',
    formula:
      'satisfied survey responses ÷ all responses with a CSAT score; satisfied is the top quarter of the scale: 4–5 of 1–5, 8–10 of 1–10 or 0–10, "good" of good/bad; credited to the last agent who handled the contact',
    nIs: 'responses',
  },
  fcrRepeat: {
    label: 'FCR (repeat contacts)',
    unit: 'fraction',
    direction: 'up',
    formula:
      'handled contacts marked resolved (by their last leg) whose customer did not contact again (same reason where known) within 7 days ÷ handled contacts with a known customer; provisional until the 7 days have passed; credited to the last agent who handled the contact',
    nIs: 'handled contacts with a known customer',
  },
  fcrSurvey: {
    label: 'FCR (survey)',
    unit: 'fraction',
    direction: 'up',
    formula: '"yes" to "was your issue resolved?" ÷ responses to that question; credited to the last agent who handled the contact',
    nIs: 'responses',
  },
  serviceLevel: {
    label: 'Service level',
    unit: 'fraction',
    direction: 'up',
    formula: "contacts answered within the queue's threshold T ÷ (offered − short abandons under 5 s); the wait is the platform's where it sends one; contacts abandoned in the IVR never entered a queue and are not offered",
    nIs: 'offered contacts less short abandons',
  },
  asa: { label: 'ASA', unit: 'seconds', direction: 'down', formula: 'mean wait of answered voice and chat contacts', nIs: 'answered voice and chat contacts' },
  firstResponse: {
    label: 'First response',
    unit: 'seconds',
    direction: 'down',
    formula: 'median time to the first agent reply on email and messaging (90th percentile alongside)',
    nIs: 'answered email and messaging contacts',
  },
  aht: {
    label: 'AHT',
    unit: 'seconds',
    direction: 'neither',
    formula:
      "(talk + hold + wrap) ÷ handled contacts (mean; median, mean hold and holds per contact alongside); a transferred contact's legs count for the agent, team and queue that handled each leg, and once for the centre",
    nIs: 'handled contacts',
  },
  abandonRate: {
    label: 'Abandonment',
    unit: 'fraction',
    direction: 'down',
    formula: 'contacts abandoned after waiting 5 s or more ÷ (offered − short abandons under 5 s)',
    nIs: 'offered contacts less short abandons',
  },
  nps: { label: 'NPS', unit: 'score', direction: 'up', formula: '% scoring 9–10 minus % scoring 0–6 on the 0–10 scale (−100 to 100); credited to the last agent who handled the contact', nIs: 'responses with a 0–10 score' },
  qa: { label: 'QA score', unit: 'score', direction: 'up', formula: 'mean evaluation score (0–100); an evaluation with a failed critical item scores 0', nIs: 'evaluations' },
  complaintsPer1000: { label: 'Complaints', unit: 'per1000', direction: 'down', formula: 'complaints per 1,000 offered contacts; a complaint naming no agent is credited to the last agent who handled its contact', nIs: 'offered contacts' },
  responseRate: {
    label: 'Survey response rate',
    unit: 'fraction',
    direction: 'up',
    formula: 'surveys answered ÷ surveys offered (survey.offered), per survey programme and contact',
    nIs: 'surveys offered',
  },
};

/**
 * Which agent a contact's outcome (survey, FCR, a complaint naming no agent) is credited to: the last agent who
 * handled it (default), or the first who answered. Handle time always counts per leg; the wait for whoever answered.
 */
export const CREDIT_RULES = ['last', 'first'] as const;
export type CreditRule = (typeof CREDIT_RULES)[number];
export const CREDIT_RULE_WORDS: Record<CreditRule, string> = {
  last: 'credited to the last agent who handled the contact',
  first: 'credited to the first agent who answered the contact',
};

/** A KPI's formula as it applies in a centre with this credit rule (the definitions state the default, 'last'). */
export function formulaOf(kpi: KpiName, credit: CreditRule = 'last'): string {
  return KPI_DEFINITIONS[kpi].formula.replace(CREDIT_RULE_WORDS.last, CREDIT_RULE_WORDS[credit]).replace('credited to the last agent who handled its contact', credit === 'first' ? 'credited to the first agent who answered its contact' : 'credited to the last agent who handled its contact');
}

export interface KpiValue {
  value: number | null;
  n: number;
  /** Extra figures where the definition asks for them (median, p90, mean score, count). */
  extra?: Record<string, number | null>;
  /** Repeat-contact FCR whose 7-day window has not closed for every contact yet. */
  provisional?: boolean;
}

export type KpiSet = Record<KpiName, KpiValue>;

/** A short abandon waited less than this. */
export const SHORT_ABANDON_SECONDS = 5;
/** Repeat-contact window for FCR. */
export const FCR_WINDOW_DAYS = 7;
/** Service-level threshold when a queue does not say (DOMAIN.md: voice 20 s, chat 60 s). */
export const DEFAULT_SL_SECONDS = { voice: 20, chat: 60, email: 4 * 3600, messaging: 3600 } as const;
export const INTERVAL_MS = 15 * 60_000;

export const localDate = /^\d{4}-\d{2}-\d{2}$/;

export interface Target {
  id: string;
  kpi: KpiName;
  scope: string;
  /** In the KPI's unit: a fraction for rates, seconds for times, a score for NPS and QA. */
  threshold: number;
  /** 'up': at or above the threshold meets it; 'down': at or below. */
  direction: 'up' | 'down';
  /** How far on the wrong side still counts as "within tolerance" (same unit). */
  tolerance: number;
  effectiveFrom: string;
  effectiveTo: string | null;
  reviewDate: string;
  owner: string;
  objective: string;
}

export type TargetStatus = 'meets' | 'within' | 'off' | 'no-data' | 'no-target';

export const STATUS_WORDS: Record<TargetStatus, { word: string; icon: string }> = {
  meets: { word: 'Meets target', icon: '✓' },
  within: { word: 'Within tolerance', icon: '~' },
  off: { word: 'Off target', icon: '✕' },
  'no-data': { word: 'No data yet', icon: '–' },
  'no-target': { word: 'No target', icon: '·' },
};

/** Where a value stands against a target. */
export function statusOf(value: number | null, target: Pick<Target, 'threshold' | 'direction' | 'tolerance'> | null): TargetStatus {
  if (!target) return 'no-target';
  if (value === null) return 'no-data';
  const gap = target.direction === 'up' ? target.threshold - value : value - target.threshold;
  // A hair of slack for binary fractions: 0.8 − 0.75 is 0.05000000000000004, and 75% is within a 5-point band.
  const EPS = 1e-9;
  if (gap <= EPS) return 'meets';
  return gap <= target.tolerance + EPS ? 'within' : 'off';
}

/** How often a target would have been met, day by day, over a look-back (its "achievable?" check). */
export interface Attainment {
  days: number;
  daysWithData: number;
  met: number;
  within: number;
  off: number;
  /** Share of days with data that met the target, or null. */
  metShare: number | null;
}
