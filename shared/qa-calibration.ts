/**
 * Calibration (issue 19, part 4): several evaluators score the same contact blind against one scorecard version, and
 * the spread of their answers shows where they read the card differently. Zod-free and pure, so the server computes
 * it at reveal and the client could show it the same way.
 *
 * The rule, per criterion (fractions as in ./qa-score.ts: met 1, not met 0, a rating r earns (r − 1) / 4; N/A null):
 * - each evaluator's answer and fraction; n = the evaluators who scored it (not N/A);
 * - over the scored fractions: mean, sample standard deviation (n − 1 in the denominator; null when n < 2), min, max
 *   and range (max − min); all null when nobody scored it;
 * - agree: every evaluator gave the identical answer (N/A included);
 * - flagged, i.e. the evaluators read the criterion differently enough to talk about it:
 *   - met / not met: whenever they do not all agree (one "not met" among "met"s is a real disagreement);
 *   - a 1–5 rating: when the range is 2 rating points or more (a fraction range of at least RATING_FLAG_RANGE = 0.5),
 *     or when some marked it N/A while others scored it (they disagree on whether it applies at all);
 *     a one-point difference on a rating is ordinary judgement and is not flagged.
 * Overall, over the evaluators' scores (0–100, before the critical-fail rule): mean, sample SD, min, max, range;
 * flagged when the range exceeds SCORE_FLAG_RANGE_POINTS (10 points). Each evaluator's difference from the mean
 * marks them harsh (more than LEANING_POINTS below it), lenient (more than LEANING_POINTS above) or in line.
 */
import { fractionOf, RATING_MAX, RATING_MIN, type Answer, type AnswerValue, type CriterionScale, type ScorecardDefinition } from './qa-score.js';

/** A rated criterion is flagged when its fraction range reaches this: 2 points on the 1–5 scale. */
export const RATING_FLAG_RANGE = 2 / (RATING_MAX - RATING_MIN);
/** The overall scores are flagged when their range exceeds this many points. */
export const SCORE_FLAG_RANGE_POINTS = 10;
/** An evaluator further than this from the mean score is called harsh (below) or lenient (above). */
export const LEANING_POINTS = 5;

export interface CalibrationSubmission {
  evaluatorId: string;
  answers: readonly Answer[];
  /** The score as scoreEvaluation gave it (before the critical-fail rule). */
  score: number;
  criticalFail: boolean;
}

export interface Stats {
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null when n < 2. */
  sd: number | null;
  min: number | null;
  max: number | null;
  range: number | null;
}

export interface CriterionSpread extends Stats {
  key: string;
  label: string;
  section: string;
  scale: CriterionScale;
  critical: boolean;
  /** In the submissions' order; value null when the evaluator did not answer it. */
  answers: { evaluatorId: string; value: AnswerValue | null; fraction: number | null }[];
  agree: boolean;
  flagged: boolean;
  /** Why it is flagged, in words; null when it is not. */
  reason: string | null;
}

export type Leaning = 'harsh' | 'lenient' | 'in_line';

export interface CalibrationSpread {
  criteria: CriterionSpread[];
  overall: Stats & {
    flagged: boolean;
    evaluators: { evaluatorId: string; score: number; criticalFail: boolean; diff: number; leaning: Leaning }[];
  };
  /** How many criteria are flagged. */
  flaggedCount: number;
}

export function statsOf(xs: readonly number[]): Stats {
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, min: null, max: null, range: null };
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  // Identical values are exactly their own mean with no spread (summing and dividing would leave a rounding crumb).
  const mean = min === max ? min : xs.reduce((s, x) => s + x, 0) / n;
  const sd = n < 2 ? null : min === max ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  return { n, mean, sd, min, max, range: max - min };
}

/** Tolerance for comparing fractions computed by division (0.75 − 0.25 must count as 0.5). */
const EPS = 1e-9;

function flagOf(scale: CriterionScale, values: (AnswerValue | null)[], s: Stats): string | null {
  const agree = values.every((v) => v === values[0]);
  if (agree) return null;
  const na = values.filter((v) => v === 'na').length;
  if (na > 0 && s.n > 0) return 'some marked it N/A, others scored it';
  if (scale === 'met') return 'evaluators disagree on met / not met';
  if (s.range !== null && s.range >= RATING_FLAG_RANGE - EPS) return `ratings ${Math.round(s.range * (RATING_MAX - RATING_MIN))} points apart`;
  return null;
}

export function calibrationSpread(def: ScorecardDefinition, subs: readonly CalibrationSubmission[]): CalibrationSpread {
  const criteria: CriterionSpread[] = [];
  for (const section of def.sections) {
    for (const c of section.criteria) {
      const answers = subs.map((sub) => {
        const a = sub.answers.find((x) => x.key === c.key);
        const f = a ? fractionOf(c, a.value) : undefined;
        return { evaluatorId: sub.evaluatorId, value: a ? a.value : null, fraction: f ?? null };
      });
      const stats = statsOf(answers.flatMap((a) => (a.fraction === null ? [] : [a.fraction])));
      const values = answers.map((a) => a.value);
      const reason = flagOf(c.scale, values, stats);
      criteria.push({ key: c.key, label: c.label, section: section.title, scale: c.scale, critical: c.critical, answers, ...stats, agree: values.every((v) => v === values[0]), flagged: reason !== null, reason });
    }
  }
  const overall = statsOf(subs.map((s) => s.score));
  const mean = overall.mean ?? 0;
  const evaluators = subs.map((s) => {
    const diff = s.score - mean;
    const leaning: Leaning = diff < -LEANING_POINTS ? 'harsh' : diff > LEANING_POINTS ? 'lenient' : 'in_line';
    return { evaluatorId: s.evaluatorId, score: s.score, criticalFail: s.criticalFail, diff, leaning };
  });
  return {
    criteria,
    overall: { ...overall, flagged: overall.range !== null && overall.range > SCORE_FLAG_RANGE_POINTS, evaluators },
    flaggedCount: criteria.filter((c) => c.flagged).length,
  };
}

