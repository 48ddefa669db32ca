/**
 * QA monitoring (issue 19): a scorecard's shape and how an evaluation against it is scored. Zod-free, so the client's
 * evaluation form can show the score as it is filled in with exactly the rule the server applies.
 *
 * The rule (README "Quality monitoring"; DOMAIN.md section 3, "QA score"):
 * - every criterion has a weight; each answered criterion earns a fraction of its weight: met 1, not met 0, a rating r
 *   on 1–5 earns (r − 1) / 4;
 * - N/A (only where the criterion allows it) leaves the criterion out of both sides, so it neither helps nor hurts;
 * - score = 100 × Σ weight × fraction ÷ Σ weight, over the criteria not marked N/A;
 * - a critical item (always met / not met) answered "not met" is a critical fail: the evaluation is kept with its
 *   score, but the QA KPI counts it as 0 (the KPI engine applies this to every qa.evaluated event alike).
 */

export const MONITORING_METHODS = ['recorded_call', 'live_side_by_side', 'transcript', 'mystery_shop'] as const;
export type MonitoringMethod = (typeof MONITORING_METHODS)[number];

export const METHOD_WORDS: Record<MonitoringMethod, string> = {
  recorded_call: 'Recorded call',
  live_side_by_side: 'Live side-by-side',
  transcript: 'Transcript or notes',
  mystery_shop: 'Mystery shop',
};

/** met: met / not met; rating: 1 (poor) to 5 (excellent). */
export const CRITERION_SCALES = ['met', 'rating'] as const;
export type CriterionScale = (typeof CRITERION_SCALES)[number];
export const RATING_MIN = 1;
export const RATING_MAX = 5;

export interface Criterion {
  /** Stable within the scorecard across its versions (calibration and trends compare criteria by key). */
  key: string;
  label: string;
  /** What the evaluator looks for. */
  guidance: string;
  weight: number;
  critical: boolean;
  naAllowed: boolean;
  scale: CriterionScale;
  /** The service standard this criterion checks (qa_standards.id). */
  standardId: string;
}

export interface ScorecardSection {
  title: string;
  criteria: Criterion[];
}

export interface ScorecardDefinition {
  sections: ScorecardSection[];
}

export type AnswerValue = 'met' | 'not_met' | 'na' | number;
/** A finding recorded as an example to learn from: good practice, or something to change. */
export type ExampleKind = 'positive' | 'negative';

export interface Answer {
  key: string;
  value: AnswerValue;
  example: ExampleKind | null;
  note?: string | undefined;
}

export interface ScoredCriterion {
  key: string;
  weight: number;
  /** null: N/A. */
  fraction: number | null;
}

export type ScoreResult =
  | { ok: true; score: number; criticalFail: boolean; criteria: ScoredCriterion[]; scoredWeight: number }
  | { ok: false; issues: { key: string; reason: string }[] };

export function criteriaOf(def: ScorecardDefinition): Criterion[] {
  return def.sections.flatMap((s) => s.criteria);
}

/** The fraction of its weight an answer earns; null for N/A; undefined when the answer does not fit the criterion. */
export function fractionOf(c: Criterion, value: AnswerValue): number | null | undefined {
  if (value === 'na') return c.naAllowed ? null : undefined;
  if (c.scale === 'met') return value === 'met' ? 1 : value === 'not_met' ? 0 : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < RATING_MIN || value > RATING_MAX) return undefined;
  return (value - RATING_MIN) / (RATING_MAX - RATING_MIN);
}

function answerWords(c: Criterion): string {
  const base = c.scale === 'met' ? "'met' or 'not_met'" : `a rating ${RATING_MIN}–${RATING_MAX}`;
  return c.naAllowed ? `${base}, or 'na'` : `${base} (N/A is not allowed for this criterion)`;
}

/** Scores a complete set of answers; every criterion must be answered exactly once. */
export function scoreEvaluation(def: ScorecardDefinition, answers: readonly Answer[]): ScoreResult {
  const issues: { key: string; reason: string }[] = [];
  const byKey = new Map<string, Answer>();
  const criteria = criteriaOf(def);
  const known = new Set(criteria.map((c) => c.key));
  for (const a of answers) {
    if (!known.has(a.key)) issues.push({ key: a.key, reason: 'no such criterion on this scorecard version' });
    else if (byKey.has(a.key)) issues.push({ key: a.key, reason: 'answered more than once' });
    else byKey.set(a.key, a);
  }
  const scored: ScoredCriterion[] = [];
  let earned = 0;
  let weight = 0;
  let criticalFail = false;
  for (const c of criteria) {
    const a = byKey.get(c.key);
    if (!a) {
      issues.push({ key: c.key, reason: `not answered: '${c.label}' needs ${answerWords(c)}` });
      continue;
    }
    const f = fractionOf(c, a.value);
    if (f === undefined) {
      issues.push({ key: c.key, reason: `'${c.label}' needs ${answerWords(c)}, got ${JSON.stringify(a.value)}` });
      continue;
    }
    scored.push({ key: c.key, weight: c.weight, fraction: f });
    if (f === null) continue;
    earned += c.weight * f;
    weight += c.weight;
    if (c.critical && f === 0) criticalFail = true;
  }
  if (issues.length > 0) return { ok: false, issues };
  if (weight === 0) return { ok: false, issues: [{ key: '', reason: 'every criterion is N/A: at least one must be scored' }] };
  return { ok: true, score: (100 * earned) / weight, criticalFail, criteria: scored, scoredWeight: weight };
}

/** What the QA KPI counts for an evaluation (DOMAIN.md: a failed critical item scores 0). */
export function kpiScore(r: { score: number; criticalFail: boolean }): number {
  return r.criticalFail ? 0 : r.score;
}
