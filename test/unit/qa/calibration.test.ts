import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calibrationSpread, RATING_FLAG_RANGE, SCORE_FLAG_RANGE_POINTS, statsOf, type CalibrationSubmission } from '../../../shared/qa-calibration.js';
import { scoreEvaluation, type Answer, type AnswerValue, type ScorecardDefinition } from '../../../shared/qa-score.js';
import { scorecardDefinition } from '../../../shared/qa.js';
import { definitionFromTemplate, SCORECARD_TEMPLATES, standardIssues } from '../../../shared/qa-templates.js';
import { HEAT_CALIBRATION } from '../../support/qa-calibration-fixture.js';

const heatTemplate = SCORECARD_TEMPLATES.find((t) => t.id === 'complaint-heat')!;
const heat = definitionFromTemplate(heatTemplate, (code) => `std-${code}`);

function submit(evaluatorId: string, answers: Answer[]): CalibrationSubmission {
  const r = scoreEvaluation(heat, answers);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return { evaluatorId, answers, score: r.score, criticalFail: r.criticalFail };
}

describe('the calibration spread', () => {
  it('gives the figures worked out by hand for three evaluators on the HEAT card (test/support/qa-calibration-fixture.ts)', () => {
    const subs = [submit('e1', HEAT_CALIBRATION.e1), submit('e2', HEAT_CALIBRATION.e2), submit('e3', HEAT_CALIBRATION.e3)];
    subs.forEach((s, i) => expect(s.score).toBeCloseTo(HEAT_CALIBRATION.scores[i]!, 10));
    const spread = calibrationSpread(heat, subs);
    const o = HEAT_CALIBRATION.overall;
    expect(spread.overall.mean).toBeCloseTo(o.mean, 10);
    expect(spread.overall.sd).toBeCloseTo(o.sd, 10);
    expect(spread.overall).toMatchObject({ n: 3, min: o.min, max: o.max, range: o.range, flagged: true });
    expect(spread.overall.evaluators.map((e) => e.leaning)).toEqual(HEAT_CALIBRATION.leanings);
    expect(spread.overall.evaluators[2]!.diff).toBeCloseTo(61.25 - o.mean, 10);
    for (const c of spread.criteria) {
      const want = HEAT_CALIBRATION.criteria[c.key as keyof typeof HEAT_CALIBRATION.criteria];
      expect({ key: c.key, n: c.n, min: c.min, max: c.max, agree: c.agree, flagged: c.flagged }).toEqual({ key: c.key, n: want.n, min: want.min, max: want.max, agree: want.agree, flagged: want.flagged });
      expect(c.mean).toBeCloseTo(want.mean, 10);
      expect(c.sd).toBeCloseTo(want.sd, 10);
      expect(c.range).toBeCloseTo(want.range, 10);
    }
    expect(spread.flaggedCount).toBe(HEAT_CALIBRATION.flaggedCount);
    expect(spread.criteria.find((c) => c.key === 'confirm-close')!.reason).toBe('some marked it N/A, others scored it');
    expect(spread.criteria.find((c) => c.key === 'empathise')!.reason).toBe('ratings 3 points apart');
    expect(spread.criteria.find((c) => c.key === 'hear')!.answers.map((a) => [a.value, a.fraction])).toEqual([['met', 1], ['met', 1], ['not_met', 0]]);
  });

  it('flags a rating exactly 2 points apart but not 1 (fractions 0.5 and 1 differ by exactly RATING_FLAG_RANGE)', () => {
    const one: ScorecardDefinition = { sections: [{ title: 'S', criteria: [{ key: 'r', label: 'Rated', guidance: '', weight: 1, critical: false, naAllowed: true, scale: 'rating', standardId: 's' }] }] };
    const sub = (id: string, value: AnswerValue, score: number) => ({ evaluatorId: id, answers: [{ key: 'r', value, example: null }], score, criticalFail: false });
    expect(RATING_FLAG_RANGE).toBe(0.5);
    expect(calibrationSpread(one, [sub('a', 3, 50), sub('b', 5, 100)]).criteria[0]!.flagged).toBe(true);
    expect(calibrationSpread(one, [sub('a', 4, 75), sub('b', 5, 100)]).criteria[0]).toMatchObject({ flagged: false, agree: false, range: 0.25 });
    // All N/A: nobody scored it, they agree it does not apply.
    expect(calibrationSpread(one, [sub('a', 'na', 0), sub('b', 'na', 0)]).criteria[0]).toMatchObject({ n: 0, mean: null, sd: null, range: null, agree: true, flagged: false });
    // One evaluator alone: no SD.
    expect(calibrationSpread(one, [sub('a', 4, 75)]).criteria[0]).toMatchObject({ n: 1, sd: null, range: 0 });
  });

  it(`flags the overall scores only when their range exceeds ${SCORE_FLAG_RANGE_POINTS} points`, () => {
    const only = (scores: number[]) => calibrationSpread({ sections: [] }, scores.map((score, i) => ({ evaluatorId: `e${i}`, answers: [], score, criticalFail: false }))).overall.flagged;
    expect(only([70, 80])).toBe(false);
    expect(only([70, 80.5])).toBe(true);
  });

  it('statsOf: the sample SD divides by n − 1', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32, 32 / 7.
    expect(statsOf([2, 4, 4, 4, 5, 5, 7, 9]).sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('identical answers are never flagged, and their range and SD are 0', () => {
    const value = fc.constantFrom<AnswerValue>('met', 'not_met', 'na', 1, 2, 3, 4, 5);
    fc.assert(
      fc.property(fc.array(value, { minLength: heat.sections.flatMap((s) => s.criteria).length, maxLength: heat.sections.flatMap((s) => s.criteria).length }), fc.integer({ min: 2, max: 12 }), (values, n) => {
        // Fit each drawn value to its criterion (a met card criterion takes met / not met; N/A only where allowed).
        const crit = heat.sections.flatMap((s) => s.criteria);
        const answers: Answer[] = crit.map((c, i) => {
          let v = values[i] as AnswerValue;
          if (v === 'na' && !c.naAllowed) v = c.scale === 'met' ? 'met' : 3;
          if (c.scale === 'met' && typeof v === 'number') v = v >= 3 ? 'met' : 'not_met';
          if (c.scale === 'rating' && (v === 'met' || v === 'not_met')) v = v === 'met' ? 5 : 1;
          return { key: c.key, value: v, example: null };
        });
        const r = scoreEvaluation(heat, answers);
        fc.pre(r.ok);
        if (!r.ok) return;
        const spread = calibrationSpread(heat, Array.from({ length: n }, (_, i) => ({ evaluatorId: `e${i}`, answers, score: r.score, criticalFail: r.criticalFail })));
        expect(spread.flaggedCount).toBe(0);
        expect(spread.overall).toMatchObject({ range: 0, sd: 0, flagged: false });
        for (const c of spread.criteria) {
          expect(c.agree).toBe(true);
          if (c.n > 0) expect([c.range, c.sd]).toEqual([0, 0]);
        }
      }),
    );
  });
});

describe('templates', () => {
  it('each template makes a card the schema accepts once its standards have ids, with the HEAT steps in the complaint card', () => {
    for (const t of SCORECARD_TEMPLATES) expect(scorecardDefinition.safeParse(definitionFromTemplate(t, (c) => `id-${c}`)).success).toBe(true);
    expect(heat.sections[0]!.criteria.map((c) => c.key)).toEqual(['hear', 'empathise', 'apologise', 'take-ownership']);
    expect(heat.sections[1]!.title).toBe('Resolution and close');
  });

  it('standardIssues names criteria whose standard is missing or retired', () => {
    const issues = standardIssues(heat, [{ id: 'std-CMP-1', code: 'CMP-1', retiredAt: '2026-01-01T00:00:00Z' }, ...['CMP-2', 'CMP-3', 'CMP-4'].map((c) => ({ id: `std-${c}`, code: c, retiredAt: null }))]);
    expect(issues.map((i) => i.path.join('.'))).toEqual(['sections.0.criteria.0.standardId', 'sections.1.criteria.0.standardId', 'sections.1.criteria.1.standardId', 'sections.1.criteria.2.standardId']);
    expect(issues[0]!.message).toMatch(/CMP-1, which is retired/);
    expect(issues[1]!.message).toMatch(/does not exist/);
  });
});
