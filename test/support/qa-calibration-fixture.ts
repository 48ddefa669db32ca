/**
 * Three evaluators' answers on the HEAT complaint card (shared/qa-templates.ts), with the spread worked out by hand.
 * Used by the unit test of the spread and the HTTP integration test alike, so both check the same figures.
 *
 * Card (weight, scale): hear 20 met · empathise 15 rating · apologise 15 met · take-ownership 20 met, critical ·
 * resolve 15 rating · confirm-close 10 met, N/A allowed · record 5 met. Total weight 100.
 *
 * Scores (rating r earns (r − 1) / 4 of its weight; N/A leaves the criterion out of both sides):
 * - E1: 20 + 15×1 + 15 + 20 + 15×0.75 + 10 + 5 = 96.25 of 100                → 96.25
 * - E2: 20 + 15×0.75 + 15 + 20 + 15×0.75 + (N/A) + 5 = 82.5 of 90             → 91.666…
 * - E3: 0 + 15×0.25 + 15 + 20 + 15×0.5 + 10 + 5 = 61.25 of 100                → 61.25
 * Overall: mean (96.25 + 91.6667 + 61.25) / 3 = 83.0556; deviations +13.1944, +8.6111, −21.8056;
 * sample SD √((13.1944² + 8.6111² + 21.8056²) / 2) = √(723.727 / 2) = 19.0227; range 35 > 10 → flagged.
 * E1 and E2 are more than 5 points above the mean (lenient), E3 more than 5 below (harsh).
 *
 * Per criterion (fractions):
 * - hear: 1, 1, 0 → n 3, mean 2/3, SD √(((1/3)² × 2 + (2/3)²) / 2) = √(1/3) = 0.57735, range 1; met/not met differ → flagged
 * - empathise: 5, 4, 2 → 1, 0.75, 0.25 → mean 2/3, SD √((0.3333² + 0.0833² + 0.4167²) / 2) = 0.381881, range 0.75
 *   (3 rating points) → flagged
 * - apologise, take-ownership, record: all met → n 3, mean 1, SD 0, range 0, agree, not flagged
 * - resolve: 4, 4, 3 → 0.75, 0.75, 0.5 → mean 2/3, SD √((0.0833² × 2 + 0.1667²) / 2) = 0.144338, range 0.25 (one
 *   point): not all the same, but not flagged
 * - confirm-close: met, N/A, met → n 2, mean 1, SD 0, range 0; one N/A among scores → flagged
 * Flagged criteria: hear, empathise, confirm-close (3).
 */
import type { Answer, AnswerValue } from '../../shared/qa-score.js';

const KEYS = ['hear', 'empathise', 'apologise', 'take-ownership', 'resolve', 'confirm-close', 'record'] as const;

function answers(values: AnswerValue[]): Answer[] {
  return KEYS.map((key, i) => ({ key, value: values[i] as AnswerValue, example: null }));
}

export const HEAT_CALIBRATION = {
  e1: answers(['met', 5, 'met', 'met', 4, 'met', 'met']),
  e2: answers(['met', 4, 'met', 'met', 4, 'na', 'met']),
  e3: answers(['not_met', 2, 'met', 'met', 3, 'met', 'met']),
  scores: [96.25, (100 * 82.5) / 90, 61.25],
  overall: { mean: 83.05555555555556, sd: 19.022708164873, min: 61.25, max: 96.25, range: 35, flagged: true },
  leanings: ['lenient', 'lenient', 'harsh'],
  criteria: {
    hear: { n: 3, mean: 2 / 3, sd: Math.sqrt(1 / 3), min: 0, max: 1, range: 1, agree: false, flagged: true },
    empathise: { n: 3, mean: 2 / 3, sd: 0.3818813079129867, min: 0.25, max: 1, range: 0.75, agree: false, flagged: true },
    apologise: { n: 3, mean: 1, sd: 0, min: 1, max: 1, range: 0, agree: true, flagged: false },
    'take-ownership': { n: 3, mean: 1, sd: 0, min: 1, max: 1, range: 0, agree: true, flagged: false },
    resolve: { n: 3, mean: 2 / 3, sd: 0.14433756729740643, min: 0.5, max: 0.75, range: 0.25, agree: false, flagged: false },
    'confirm-close': { n: 2, mean: 1, sd: 0, min: 1, max: 1, range: 0, agree: false, flagged: true },
    record: { n: 3, mean: 1, sd: 0, min: 1, max: 1, range: 0, agree: true, flagged: false },
  },
  flaggedCount: 3,
} as const;
