/**
 * Survey scales and how each maps onto the KPI definitions (DOMAIN.md section 3). One rule for every scale, so a
 * centre that runs a 1–10 post-call survey and a good/bad email survey gets one comparable CSAT:
 *
 * - CSAT "satisfied" is the top quarter of the scale's range: 4–5 of 1–5 (the DOMAIN's top-2-box), 8–10 of 1–10 and of
 *   0–10, "good" of good/bad. The mean score is shown on the 1–5 scale (1 + 4 × position in the range); a good/bad
 *   answer has no position and is left out of the mean.
 * - NPS needs the 0–10 scale: promoters 9–10, detractors 0–6.
 * - Survey FCR ("was your issue resolved?") is yes/no; "yes" is resolved.
 */
import type { FrontlineEvent, SurveyAnswer, SurveyMeasure, SurveyScale } from './events.js';

interface NumericScale {
  min: number;
  max: number;
}

const NUMERIC: Partial<Record<SurveyScale, NumericScale>> = {
  '1-5': { min: 1, max: 5 },
  '1-10': { min: 1, max: 10 },
  '0-10': { min: 0, max: 10 },
};

/** Share of the scale's range at or above which a CSAT answer counts as satisfied. */
export const CSAT_SATISFIED_FROM = 0.75;

/** Which scales each measure may use. */
export const SCALES_FOR: Record<SurveyMeasure, readonly SurveyScale[]> = {
  csat: ['1-5', '1-10', '0-10', 'good-bad'],
  nps: ['0-10'],
  resolved: ['yes-no'],
};

/** The mapping in words, per scale: shown in the CSAT, NPS and survey FCR tooltips and the README. */
export const SCALE_RULES: Record<SurveyScale, string> = {
  '1-5': 'satisfied = 4–5',
  '1-10': 'satisfied = 8–10',
  '0-10': 'satisfied = 8–10; NPS promoters 9–10, detractors 0–6',
  'good-bad': 'satisfied = good (no mean score)',
  'yes-no': 'resolved = yes',
};

/** Why an answer does not fit its scale or measure, or null when it does. */
export function answerProblem(a: SurveyAnswer): string | null {
  if (!SCALES_FOR[a.measure].includes(a.scale)) return `a ${a.measure} answer needs one of the scales ${SCALES_FOR[a.measure].join(', ')}; got '${a.scale}'`;
  const numeric = NUMERIC[a.scale];
  if (numeric) {
    if (typeof a.value !== 'number' || !Number.isInteger(a.value) || a.value < numeric.min || a.value > numeric.max) {
      return `a value on the ${a.scale} scale must be a whole number from ${numeric.min} to ${numeric.max}; got ${JSON.stringify(a.value)}`;
    }
    return null;
  }
  const words = a.scale === 'good-bad' ? ['good', 'bad'] : ['yes', 'no'];
  return typeof a.value === 'string' && words.includes(a.value) ? null : `a value on the ${a.scale} scale must be '${words[0]}' or '${words[1]}'; got ${JSON.stringify(a.value)}`;
}

/** A response's figures on the KPI definitions' terms. */
export interface SurveyScores {
  csat?: { satisfied: boolean; /** On the 1–5 scale; absent for good/bad. */ score5?: number };
  nps?: number;
  resolved?: boolean;
}

function csatOf(a: SurveyAnswer): SurveyScores['csat'] {
  const numeric = NUMERIC[a.scale];
  if (numeric && typeof a.value === 'number') {
    const position = (a.value - numeric.min) / (numeric.max - numeric.min);
    return { satisfied: position >= CSAT_SATISFIED_FROM - 1e-9, score5: 1 + 4 * position };
  }
  return { satisfied: a.value === 'good' };
}

/** The scores of one stored survey response: its v1 fields (1–5 CSAT, 0–10 NPS, resolved) and its v2 answers. */
export function surveyScores(e: Extract<FrontlineEvent, { type: 'survey.responded' }>): SurveyScores {
  const out: SurveyScores = {};
  if (e.csat !== undefined) out.csat = { satisfied: e.csat >= 4, score5: e.csat };
  if (e.nps !== undefined) out.nps = e.nps;
  if (e.resolved !== undefined) out.resolved = e.resolved;
  for (const a of e.answers ?? []) {
    if (answerProblem(a) !== null) continue;
    if (a.measure === 'csat') out.csat = csatOf(a);
    else if (a.measure === 'nps' && typeof a.value === 'number') out.nps = a.value;
    else if (a.measure === 'resolved') out.resolved = a.value === 'yes';
  }
  return out;
}

/** A CSAT answer as a person reads it in a table: "4/5", "9/10", "good". */
export function csatLabel(e: Extract<FrontlineEvent, { type: 'survey.responded' }>): string | null {
  const a = (e.answers ?? []).find((x) => x.measure === 'csat');
  if (a) return NUMERIC[a.scale] ? `${String(a.value)}/${NUMERIC[a.scale]?.max}` : String(a.value);
  return e.csat === undefined ? null : `${e.csat}/5`;
}
