/**
 * Improvement initiatives' fixed words and lists, without zod (the client's pages import these; the schemas are in
 * shared/initiatives.ts). The lifecycle is README "Improvement initiatives".
 */

/**
 * draft (the problem and its frozen evidence) → planned (root cause, actions with owners and dates, success criteria,
 * stakeholders) → signed off (every stakeholder has signed the plan) → implemented (the change is made, on a date:
 * measuring from then) → closed with an outcome. Abandoning is possible from any open status, with a reason.
 */
export const INITIATIVE_STATUSES = ['draft', 'planned', 'signed_off', 'implemented', 'closed'] as const;
export type InitiativeStatus = (typeof INITIATIVE_STATUSES)[number];

export const INITIATIVE_OUTCOMES = ['sustained', 'not_sustained', 'no_change', 'abandoned'] as const;
export type InitiativeOutcome = (typeof INITIATIVE_OUTCOMES)[number];

/** The KPIs an initiative is measured on: the service review's. */
export const INITIATIVE_KPIS = ['csat', 'fcrSurvey', 'aht', 'serviceLevel', 'abandonRate'] as const;
export type InitiativeKpi = (typeof INITIATIVE_KPIS)[number];

export const PLAN_ACTION_STATUSES = ['open', 'done', 'dropped'] as const;
export type PlanActionStatus = (typeof PLAN_ACTION_STATUSES)[number];

/** improved / worse only when the 95% interval of the change excludes no change; otherwise no change. */
export type InitiativeVerdict = 'improved' | 'worse' | 'no-change' | 'no-data';

/** The days after the change at which the effect is checked again. */
export const SUSTAIN_CHECK_DAYS = [30, 60, 90] as const;

export const DEFAULT_WINDOW_DAYS = 28;

export const STATUS_WORDS: Record<InitiativeStatus, string> = {
  draft: 'Draft',
  planned: 'Planned',
  signed_off: 'Signed off',
  implemented: 'Change made: measuring',
  closed: 'Closed',
};

export const OUTCOME_WORDS: Record<InitiativeOutcome, string> = {
  sustained: 'Improvement sustained',
  not_sustained: 'Improved, not sustained',
  no_change: 'No change',
  abandoned: 'Abandoned',
};

/** Words and a symbol for each verdict: never colour alone. */
export const VERDICT_WORDS: Record<InitiativeVerdict, { text: string; icon: string }> = {
  improved: { text: 'improved', icon: '▲' },
  worse: { text: 'worse', icon: '▼' },
  'no-change': { text: 'no change', icon: '●' },
  'no-data': { text: 'no data', icon: '–' },
};
