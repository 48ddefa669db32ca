/** Counters add field by field (server/kpi/counters.ts writes addInto out by hand): no field may be left out. */
import { describe, expect, it } from 'vitest';
import { addInto, isEmpty, SCALAR_KEYS, zero, zeroStored, type Counters } from '../../../server/kpi/counters.js';

function filled(): Counters {
  const c = zero();
  SCALAR_KEYS.forEach((k, i) => (c[k] = i + 1));
  c.asyncHist.set(10, 2);
  c.handleHist.set(300, 1);
  return c;
}

describe('counters', () => {
  it('addInto adds every scalar key and both histograms, and subtracting gives back an empty counter', () => {
    const sum = zero();
    addInto(sum, filled(), 1);
    addInto(sum, filled(), 1);
    SCALAR_KEYS.forEach((k, i) => expect(sum[k], k).toBe(2 * (i + 1)));
    expect([...sum.asyncHist]).toEqual([[10, 4]]);
    expect([...sum.handleHist]).toEqual([[300, 2]]);
    addInto(sum, filled(), -1);
    addInto(sum, filled(), -1);
    expect(isEmpty(sum)).toBe(true);
    // Every field of a Counters is either a scalar key or one of the two histograms.
    expect(Object.keys(zero()).length).toBe(SCALAR_KEYS.length + 2);
  });

  it('isEmpty sees any single non-zero field', () => {
    for (const k of SCALAR_KEYS) {
      const c = zero();
      c[k] = 1;
      expect(isEmpty(c), k).toBe(false);
    }
    const h = zero();
    h.handleHist.set(1, 1);
    expect(isEmpty(h)).toBe(false);
    expect(isEmpty(zero())).toBe(true);
  });

  it('stored counters share one read-only empty histogram until addInto gives them their own', () => {
    const a = zeroStored();
    const b = zeroStored();
    expect(a.handleHist).toBe(b.handleHist);
    expect(() => a.handleHist.set(1, 1)).toThrow(/read-only/);
    addInto(a, filled(), 1);
    expect([...a.handleHist]).toEqual([[300, 1]]);
    expect(b.handleHist.size).toBe(0);
    expect(isEmpty(b)).toBe(true);
  });
});
