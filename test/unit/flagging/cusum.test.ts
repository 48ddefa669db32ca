/** CUSUM weights and signals on known sequences, and run lengths against published and simulated figures. */
import { describe, expect, it } from 'vitest';
import { BernoulliCusum, bernoulliArl, bernoulliHForBudget, bernoulliWeights, NormalCusum, normalArl, riskAdjusted } from '../../../server/flagging/cusum.js';

describe('Bernoulli CUSUM', () => {
  it('weights ln(p1/p0) for a bad outcome and ln((1−p1)/(1−p0)) for a good one', () => {
    const w = bernoulliWeights(0.15, 0.3);
    expect(w.bad).toBeCloseTo(Math.log(2), 12);
    expect(w.good).toBeCloseTo(Math.log(0.7 / 0.85), 12);
    expect(w.good).toBeCloseTo(-0.19416, 5);
    expect(() => bernoulliWeights(0, 0.3)).toThrow(RangeError);
  });

  it('accumulates, floors at zero and signals above h', () => {
    const c = new BernoulliCusum(0.15, 0.3, 1);
    expect(c.add(false)).toBe(false);
    expect(c.s).toBe(0);
    expect(c.add(true)).toBe(false);
    expect(c.s).toBeCloseTo(Math.log(2), 12);
    expect(c.add(false)).toBe(false);
    expect(c.s).toBeCloseTo(Math.log(2) + Math.log(0.7 / 0.85), 12);
    expect(c.add(true)).toBe(true);
    c.reset();
    expect(c.s).toBe(0);
  });

  it('risk-adjusted weights equal the plain ones when the expected rate is p0', () => {
    const oddsRatio = (0.3 / 0.7) / (0.15 / 0.85);
    const w = riskAdjusted(0.15, oddsRatio);
    expect(w.bad).toBeCloseTo(Math.log(2), 10);
    expect(w.good).toBeCloseTo(Math.log(0.7 / 0.85), 10);
    // A harder contact (expected 30% bad): a bad outcome counts for less.
    expect(riskAdjusted(0.3, oddsRatio).bad).toBeLessThan(w.bad);
  });

  it('run lengths for CSAT 85% → 70% match the simulated design table within 5%', () => {
    const table: [number, number, number][] = [
      [3, 390, 34],
      [4, 1180, 47],
      [4.5, 2000, 54],
      [5, 3330, 61],
    ];
    for (const [h, arl0, arl1] of table) {
      expect(Math.abs(bernoulliArl(0.15, 0.3, h) / arl0 - 1), `ARL0 at h ${h}`).toBeLessThan(0.05);
      expect(Math.abs(bernoulliArl(0.15, 0.3, h, 0.3) / arl1 - 1), `ARL1 at h ${h}`).toBeLessThan(0.05);
    }
  });

  it('h from a false-flag budget: 0.3 per 100 agent-days at 6 surveys a day gives h ≈ 4.5', () => {
    const h = bernoulliHForBudget(0.15, 0.3, 6, 0.3);
    expect(h).toBeGreaterThanOrEqual(4.4);
    expect(h).toBeLessThanOrEqual(4.7);
    // The budget holds: ARL0 in surveys is at least 100 agent-days' worth / 0.3.
    expect(bernoulliArl(0.15, 0.3, h)).toBeGreaterThanOrEqual((100 * 6) / 0.3);
  });
});

describe('normal CUSUM on standardised values', () => {
  it('signals on a run of high values and floors at zero', () => {
    const c = new NormalCusum(0.5, 4);
    expect([-1, -2].map((z) => c.add(z))).toEqual([false, false]);
    expect(c.s).toBe(0);
    expect([2, 2, 2].map((z) => c.add(z))).toEqual([false, false, true]);
    expect(c.s).toBeCloseTo(4.5, 12);
  });

  it('ARL matches the published values for k = 0.5: 336 at h = 4, 8.38 after a 1σ shift, 931 at h = 5', () => {
    expect(normalArl(0.5, 4)).toBeCloseTo(336, -1);
    expect(normalArl(0.5, 4, 1)).toBeCloseTo(8.38, 1);
    expect(normalArl(0.5, 5)).toBeCloseTo(931, -1);
  });
});
