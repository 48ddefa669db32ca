import { describe, expect, it } from 'vitest';
import { isoWeekBefore } from '../../../client/src/qa/weeks.js';

describe('the ISO week before', () => {
  it('steps back within a year and across years of 52 and 53 weeks', () => {
    expect(isoWeekBefore('2026-W50', 1)).toBe('2026-W49');
    expect(isoWeekBefore('2026-W50', 4)).toBe('2026-W46');
    // 2025 has 52 weeks; 2020 has 53 (a leap year starting on a Wednesday).
    expect(isoWeekBefore('2026-W01', 1)).toBe('2025-W52');
    expect(isoWeekBefore('2021-W01', 1)).toBe('2020-W53');
    expect(isoWeekBefore('2021-W02', 2)).toBe('2020-W53');
  });
});
