import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kpiScore, scoreEvaluation, type Answer, type ScorecardDefinition } from '../../../shared/qa-score.js';
import { scorecardDefinition } from '../../../shared/qa.js';

/** A complaint-handling card on the HEAT steps (hear, empathise, apologise, take ownership) plus a rated close. */
const heat: ScorecardDefinition = {
  sections: [
    {
      title: 'HEAT',
      criteria: [
        { key: 'hear', label: 'Heard the customer out', guidance: 'No interruption', weight: 20, critical: false, naAllowed: false, scale: 'met', standardId: 's1' },
        { key: 'empathise', label: 'Empathised', guidance: '', weight: 20, critical: false, naAllowed: false, scale: 'met', standardId: 's1' },
        { key: 'apologise', label: 'Apologised', guidance: '', weight: 10, critical: false, naAllowed: true, scale: 'met', standardId: 's1' },
        { key: 'ownership', label: 'Took ownership', guidance: '', weight: 30, critical: true, naAllowed: false, scale: 'met', standardId: 's2' },
      ],
    },
    { title: 'Close', criteria: [{ key: 'close', label: 'Summarised next steps', guidance: '', weight: 20, critical: false, naAllowed: true, scale: 'rating', standardId: 's3' }] },
  ],
};
const answer = (key: string, value: Answer['value']): Answer => ({ key, value, example: null });

describe('scoring an evaluation against a scorecard', () => {
  it('weights each criterion and rates 1–5 as (r − 1) / 4 of its weight', () => {
    const r = scoreEvaluation(heat, [answer('hear', 'met'), answer('empathise', 'not_met'), answer('apologise', 'met'), answer('ownership', 'met'), answer('close', 4)]);
    // (20 + 0 + 10 + 30 + 20 × 3/4) / 100 = 75.
    expect(r).toMatchObject({ ok: true, score: 75, criticalFail: false, scoredWeight: 100 });
  });

  it('leaves an N/A criterion out of both sides', () => {
    const r = scoreEvaluation(heat, [answer('hear', 'met'), answer('empathise', 'not_met'), answer('apologise', 'na'), answer('ownership', 'met'), answer('close', 'na')]);
    // (20 + 0 + 30) / (20 + 20 + 30) = 50 / 70.
    expect(r.ok && r.score).toBeCloseTo((100 * 50) / 70, 12);
  });

  it('keeps the score of a critical fail, and the KPI counts it as 0', () => {
    const r = scoreEvaluation(heat, [answer('hear', 'met'), answer('empathise', 'met'), answer('apologise', 'met'), answer('ownership', 'not_met'), answer('close', 5)]);
    expect(r).toMatchObject({ ok: true, score: 70, criticalFail: true });
    if (r.ok) expect(kpiScore(r)).toBe(0);
  });

  it('refuses a missing, doubled, unknown or ill-fitting answer, and N/A where it is not allowed', () => {
    const r = scoreEvaluation(heat, [answer('hear', 'na'), answer('hear', 'met'), answer('empathise', 3), answer('ownership', 'met'), answer('close', 6), answer('speed', 'met')]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.key).sort()).toEqual(['apologise', 'close', 'empathise', 'hear', 'hear', 'speed']);
  });

  it('needs at least one scored criterion', () => {
    const card: ScorecardDefinition = { sections: [{ title: 'S', criteria: [{ ...heat.sections[0]!.criteria[2]! }] }] };
    expect(scoreEvaluation(card, [answer('apologise', 'na')])).toMatchObject({ ok: false });
  });

  it('always lands in 0–100, and N/A on any allowed criterion never moves the score outside the others’ range', () => {
    const value = fc.constantFrom<Answer['value']>('met', 'not_met');
    fc.assert(
      fc.property(value, value, fc.constantFrom<Answer['value']>('met', 'not_met', 'na'), value, fc.constantFrom<Answer['value']>(1, 2, 3, 4, 5, 'na'), (h, e, a, o, c) => {
        const r = scoreEvaluation(heat, [answer('hear', h), answer('empathise', e), answer('apologise', a), answer('ownership', o), answer('close', c)]);
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(100);
          expect(r.criticalFail).toBe(o === 'not_met');
        }
      }),
    );
  });

  it('validates a definition at the boundary: unique keys, critical items met/not met and never N/A', () => {
    expect(scorecardDefinition.safeParse(heat).success).toBe(true);
    const twice = { sections: [{ title: 'Aa', criteria: [heat.sections[0]!.criteria[0], heat.sections[0]!.criteria[0]] }] };
    expect(scorecardDefinition.safeParse(twice).error?.issues[0]?.message).toMatch(/used twice/);
    const ratedCritical = { sections: [{ title: 'Aa', criteria: [{ ...heat.sections[0]!.criteria[3], scale: 'rating' }] }] };
    expect(scorecardDefinition.safeParse(ratedCritical).error?.issues[0]?.message).toMatch(/critical item/);
    const naCritical = { sections: [{ title: 'Aa', criteria: [{ ...heat.sections[0]!.criteria[3], naAllowed: true }] }] };
    expect(scorecardDefinition.safeParse(naCritical).error?.issues[0]?.message).toMatch(/cannot be marked N\/A/);
  });
});
