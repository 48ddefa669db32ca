/**
 * The initiative's before/after comparison: equal windows of whole local days either side of the change day (which
 * is in neither), a verdict per KPI from the 95% interval of the change (not from the point estimate), success
 * criteria judged once their date has passed, and 30/60/90-day checks pending until their day is over.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Criterion } from '../../../shared/initiatives.js';
import { binOf, zero, type Counters } from '../../../server/kpi/counters.js';
import { compareRow, computeResults, headlineOf, localMidnight, type ComparisonSource } from '../../../server/improvement/comparison.js';

const DAY = 86_400_000;
const TZ = 'Europe/London';
const CHANGE = '2026-10-01';
const changeMs = localMidnight(CHANGE, TZ).getTime();

interface Rates {
  csat: [number, number];
  sl?: [number, number];
  abandoned?: number;
  handle?: { n: number; seconds: number };
}

function counters(r: Rates): Counters {
  const c = zero();
  [c.csatTop2, c.csatN] = r.csat;
  [c.fcrSurveyYes, c.fcrSurveyN] = r.csat;
  if (r.sl) {
    [c.answeredInSl, c.offered] = r.sl;
    c.abandoned = r.abandoned ?? 0;
  }
  if (r.handle) {
    // Half a little under, half a little over the mean: a spread, so the log-scale interval has a width.
    for (let i = 0; i < r.handle.n; i++) {
      const s = r.handle.seconds * (i % 2 === 0 ? 0.8 : 1.2);
      c.handled++;
      c.handleSum += s;
      c.handleHist.set(binOf(s), (c.handleHist.get(binOf(s)) ?? 0) + 1);
    }
  }
  return c;
}

/** Counters per window: `before` for windows ending by the change day, `after` for those starting after it. */
function source(before: Rates, after: Rates, calls: { from: number; to: number }[] = []): ComparisonSource {
  return {
    counters: (_scope, from, to) => {
      calls.push({ from, to });
      return Promise.resolve(counters(to <= changeMs ? before : after));
    },
  };
}

const input = (nowMs: number, criteria: Criterion[] = [], days = 28) => ({ scope: 'team:t1', timeZone: TZ, changeDate: CHANGE, days, criteria, nowMs });

describe('initiative before/after comparison', () => {
  it('compares equal windows of whole local days either side of the change day, which belongs to neither', async () => {
    const calls: { from: number; to: number }[] = [];
    const r = await computeResults(source({ csat: [80, 100] }, { csat: [80, 100] }, calls), input(changeMs + 40 * DAY));
    const [before, after] = calls;
    expect(before).toEqual({ from: localMidnight('2026-09-03', TZ).getTime(), to: changeMs });
    // The clocks go back on 25 October: the after window is 28 local days, one of them 25 hours long.
    expect(after).toEqual({ from: localMidnight('2026-10-02', TZ).getTime(), to: localMidnight('2026-10-30', TZ).getTime() });
    expect(after!.to - after!.from).toBe(28 * DAY + 3_600_000);
    expect(r.provisional).toBe(false);
    expect(r.daysElapsed).toBe(28);
  });

  it('says improved when the interval of the change excludes no change, and no change when it does not', async () => {
    const better = await computeResults(source({ csat: [800, 1000] }, { csat: [880, 1000] }), input(changeMs + 40 * DAY));
    const csat = better.rows.find((x) => x.kpi === 'csat')!;
    expect(csat.verdict).toBe('improved');
    expect(csat.changeLow!).toBeGreaterThan(0);
    expect(csat.change!).toBeCloseTo(0.08, 6);
    const same = await computeResults(source({ csat: [800, 1000] }, { csat: [805, 1000] }), input(changeMs + 40 * DAY));
    expect(same.rows.find((x) => x.kpi === 'csat')!.verdict).toBe('no-change');
    expect(same.headline).toBe('no-change');
  });

  it('does not call a higher point estimate an improvement on small samples', () => {
    const b = { from: 0, to: 1 };
    const row = compareRow('csat', counters({ csat: [3, 5] }), counters({ csat: [5, 5] }), b, b);
    expect(row.change!).toBeGreaterThan(0.3);
    expect(row.changeLow!).toBeLessThan(0);
    expect(row.verdict).toBe('no-change');
  });

  it('reads lower handle time and abandon rate as improvements, higher service level too', () => {
    const b = { from: 0, to: 1 };
    const before = counters({ csat: [0, 0], sl: [700, 1000], abandoned: 80, handle: { n: 500, seconds: 300 } });
    const after = counters({ csat: [0, 0], sl: [800, 1000], abandoned: 40, handle: { n: 500, seconds: 250 } });
    expect(compareRow('aht', before, after, b, b).verdict).toBe('improved');
    expect(compareRow('aht', after, before, b, b).verdict).toBe('worse');
    expect(compareRow('serviceLevel', before, after, b, b).verdict).toBe('improved');
    expect(compareRow('abandonRate', before, after, b, b).verdict).toBe('improved');
    expect(compareRow('csat', before, after, b, b).verdict).toBe('no-data');
  });

  it('judges success criteria only after their date and a full after window; pending before', async () => {
    const criteria: Criterion[] = [{ kpi: 'csat', threshold: 0.85, direction: 'up', byDate: '2026-11-15' }];
    const src = source({ csat: [800, 1000] }, { csat: [880, 1000] });
    const early = await computeResults(src, input(changeMs + 20 * DAY, criteria));
    expect(early.provisional).toBe(true);
    expect(early.criteria[0]).toMatchObject({ state: 'pending', value: 0.88 });
    const late = await computeResults(src, input(localMidnight('2026-11-16', TZ).getTime(), criteria));
    expect(late.criteria[0]).toMatchObject({ state: 'met', value: 0.88, n: 1000 });
    const strict = await computeResults(src, input(localMidnight('2026-11-16', TZ).getTime(), [{ ...criteria[0]!, threshold: 0.9 }]));
    expect(strict.criteria[0]!.state).toBe('not-met');
  });

  it('keeps the 30, 60 and 90-day checks pending until their last day has passed, then compares with the before window', async () => {
    const src = source({ csat: [800, 1000] }, { csat: [900, 1000] });
    const at45 = await computeResults(src, input(changeMs + 45 * DAY));
    expect(at45.sustained.map((s) => [s.day, s.state])).toEqual([
      [30, 'sustained'],
      [60, 'pending'],
      [90, 'pending'],
    ]);
    const check = at45.sustained[0]!;
    // The 28 whole days ending with day 30 after the change: days 3 to 30.
    expect(Date.parse(check.from)).toBe(localMidnight('2026-10-04', TZ).getTime());
    expect(Date.parse(check.to)).toBe(localMidnight('2026-11-01', TZ).getTime());
    expect(check.rows.find((x) => x.kpi === 'csat')!.verdict).toBe('improved');
    const flat = await computeResults(source({ csat: [800, 1000] }, { csat: [800, 1000] }), input(changeMs + 100 * DAY));
    expect(flat.sustained.map((s) => s.state)).toEqual(['not-sustained', 'not-sustained', 'not-sustained']);
  });

  it('headline: mixed when one KPI improved and another got worse; only the criteria KPIs count when there are any', () => {
    const b = { from: 0, to: 1 };
    const rows = [compareRow('csat', counters({ csat: [800, 1000] }), counters({ csat: [900, 1000] }), b, b), compareRow('serviceLevel', counters({ csat: [0, 0], sl: [800, 1000] }), counters({ csat: [0, 0], sl: [700, 1000] }), b, b)];
    expect(headlineOf(rows, [])).toBe('mixed');
    expect(headlineOf(rows, [{ kpi: 'csat', threshold: 0.85, direction: 'up', byDate: '2026-12-01' }])).toBe('improved');
  });

  it('property: the verdict follows the interval, and swapping before and after swaps improved and worse', () => {
    const b = { from: 0, to: 1 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 2000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (n1, n2, p1, p2) => {
        const x1 = Math.round(p1 * n1);
        const x2 = Math.round(p2 * n2);
        const row = compareRow('csat', counters({ csat: [x1, n1] }), counters({ csat: [x2, n2] }), b, b);
        const expected = row.changeLow! > 0 ? 'improved' : row.changeHigh! < 0 ? 'worse' : 'no-change';
        expect(row.verdict).toBe(expected);
        expect(row.changeLow!).toBeLessThanOrEqual(row.change! + 1e-12);
        expect(row.changeHigh!).toBeGreaterThanOrEqual(row.change! - 1e-12);
        const swapped = compareRow('csat', counters({ csat: [x2, n2] }), counters({ csat: [x1, n1] }), b, b).verdict;
        const flip = { improved: 'worse', worse: 'improved', 'no-change': 'no-change', 'no-data': 'no-data' } as const;
        expect(swapped).toBe(flip[row.verdict]);
      }),
      { numRuns: 300 },
    );
  });
});
