/** XmR limits, every special-cause rule with its edge cases, and the variation and assurance icons, on known vectors. */
import { describe, expect, it } from 'vitest';
import { assuranceOf, MDC_SETTINGS, variationOf, xmrChart, xmrLimits, type XmrLimits } from '../../../server/flagging/xmr.js';

/** Fixed limits around 0: process limits ±3, 2σ lines ±2 (mean moving range 3 / 2.66). */
const FIXED: XmrLimits = { mean: 0, meanMovingRange: 3 / 2.66, upper: 3, lower: -3, upper2s: 2, lower2s: -2, baselineN: 12, trial: false };
const rules = (values: number[]) => xmrChart(values, { direction: 'up', limits: FIXED }).points.map((p) => [...p.high.map((r) => `+${r}`), ...p.low.map((r) => `-${r}`)]);

describe('XmR limits', () => {
  it('mean ± 2.66 × mean moving range, 2σ at ± 1.773, from the first 12 points', () => {
    const values = [10, 12, 11, 13, 12, 11, 10, 12, 13, 11, 12, 11, 40, 50];
    const l = xmrLimits(values) as XmrLimits;
    expect(l.mean).toBeCloseTo(11.5, 10);
    expect(l.meanMovingRange).toBeCloseTo(15 / 11, 10);
    expect(l.upper).toBeCloseTo(11.5 + 2.66 * (15 / 11), 10);
    expect(l.lower).toBeCloseTo(11.5 - 2.66 * (15 / 11), 10);
    expect(l.upper2s).toBeCloseTo(11.5 + (2 / 3) * 2.66 * (15 / 11), 10);
    expect(l.baselineN).toBe(12);
    expect(l.trial).toBe(false);
  });

  it('trial limits from all points while there are fewer than 12; none from fewer than 2', () => {
    expect(xmrLimits([1, 3, 2])?.trial).toBe(true);
    expect(xmrLimits([1, 3, 2])?.mean).toBeCloseTo(2, 12);
    expect(xmrLimits([5])).toBeNull();
  });

  it('moving-range screening drops ranges above 3.267 × their mean when asked', () => {
    const values = [10, 10, 11, 10, 11, 10, 30, 10, 11, 10, 11, 10];
    const plain = xmrLimits(values) as XmrLimits;
    const screened = xmrLimits(values, { ...MDC_SETTINGS, screenOutliers: true }) as XmrLimits;
    expect(plain.meanMovingRange).toBeCloseTo((0 + 1 + 1 + 1 + 1 + 20 + 20 + 1 + 1 + 1 + 1) / 11, 10);
    // The two 20s exceed 3.267 × 4.36 and go; the other nine ranges remain.
    expect(screened.meanMovingRange).toBeCloseTo(8 / 9, 10);
  });
});

describe('special-cause rules (causal: marked where the pattern completes)', () => {
  it('a point beyond the process limits, on either side', () => {
    expect(rules([0, 3.1, -3.01, 3])).toEqual([[], ['+beyond-limits'], ['-beyond-limits'], []]);
  });

  it('shift: 6 points strictly on one side of the mean', () => {
    expect(rules([1, 1, 1, 1, 1, 1]).map((r) => r.includes('+shift'))).toEqual([false, false, false, false, false, true]);
    expect(rules([-1, -1, -1, -1, -1, -1, -1])[6]).toEqual(['-shift']);
  });

  it('a point exactly on the mean breaks a run', () => {
    expect(rules([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]).flat()).toEqual([]);
  });

  it('trend: 6 points each strictly rising (or falling), across the mean', () => {
    expect(rules([-0.5, -0.3, -0.1, 0.1, 0.3, 0.5]).map((r) => r.includes('+trend'))).toEqual([false, false, false, false, false, true]);
    expect(rules([0.5, 0.3, 0.1, -0.1, -0.3, -0.5])[5]).toEqual(['-trend']);
  });

  it('a tie breaks a trend', () => {
    expect(rules([-0.5, -0.3, -0.3, -0.1, 0.1, 0.3, 0.5]).flat()).toEqual([]);
  });

  it('two of three beyond the 2σ line, all three on the same side; points beyond 3σ count', () => {
    expect(rules([0.5, 2.1, 2.2])[2]).toEqual(['+two-of-three']);
    expect(rules([2.1, -0.1, 2.2]).flat()).toEqual([]);
    expect(rules([0.5, 3.2, 2.1])).toEqual([[], ['+beyond-limits'], ['+two-of-three']]);
    expect(rules([-2.5, -0.2, -2.1])[2]).toEqual(['-two-of-three']);
  });
});

describe('icons', () => {
  it('no icons before 13 points', () => {
    const twelve = Array.from({ length: 12 }, (_, i) => 10 + (i % 3));
    expect(xmrChart(twelve, { direction: 'up', target: 5 }).variation).toBeNull();
    expect(xmrChart(twelve, { direction: 'up', target: 5 }).assurance).toBeNull();
    const thirteen = [...twelve, 10];
    expect(xmrChart(thirteen, { direction: 'up', target: 5 }).variation).toBe('common-cause');
    expect(xmrChart(thirteen, { direction: 'up', target: 5 }).assurance).toBe('pass');
  });

  it('variation follows the KPI direction; concern wins a conflict', () => {
    expect(variationOf({ high: [], low: ['shift'] }, 'up')).toBe('concern-low');
    expect(variationOf({ high: ['shift'], low: [] }, 'up')).toBe('improvement-high');
    expect(variationOf({ high: ['beyond-limits'], low: [] }, 'down')).toBe('concern-high');
    expect(variationOf({ high: [], low: ['trend'] }, 'down')).toBe('improvement-low');
    expect(variationOf({ high: ['trend'], low: [] }, 'neither')).toBe('neither-high');
    expect(variationOf({ high: ['trend'], low: ['shift'] }, 'up')).toBe('concern-low');
    expect(variationOf({ high: [], low: [] }, 'up')).toBe('common-cause');
  });

  it('assurance: the target against the process limits, a target on a limit counting as pass or fail', () => {
    const l = { upper: 15, lower: 5 };
    expect(assuranceOf(l, 4, 'up')).toBe('pass');
    expect(assuranceOf(l, 5, 'up')).toBe('pass');
    expect(assuranceOf(l, 10, 'up')).toBe('hit-or-miss');
    expect(assuranceOf(l, 15, 'up')).toBe('fail');
    expect(assuranceOf(l, 15, 'down')).toBe('pass');
    expect(assuranceOf(l, 10, 'down')).toBe('hit-or-miss');
    expect(assuranceOf(l, 5, 'down')).toBe('fail');
    expect(assuranceOf(l, 5, 'neither')).toBeNull();
  });
});
