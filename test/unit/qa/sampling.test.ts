/**
 * The fair sample (server/qa/sampling.ts): bottom-k by keyed hash is reproducible, keyed, and uniform.
 *
 * The statistical tests are deterministic (seeds derived from a counter, not Math.random) so they do not flake, and
 * each is checked to be able to fail: the same statistic applied to a biased picker (the first k ids in text order,
 * or a hash without the seed) is far beyond the critical value.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bottomK, isoWeekOf, parsePeriod, sampleKey } from '../../../server/qa/sampling.js';

const seedOf = (i: number) => createHash('sha256').update(`seed-${i}`).digest('hex');
const ids = (n: number) => Array.from({ length: n }, (_, i) => `c-${String(i).padStart(3, '0')}`);

/** Pearson's chi-square of observed counts against equal expected counts. */
function chiSquare(counts: number[], expected: number): number {
  return counts.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
}

describe('bottom-k by keyed hash', () => {
  it('takes k distinct contacts, the same for the same seed, in key order', () => {
    const contacts = ids(30);
    const a = bottomK(seedOf(1), contacts, 3);
    expect(a).toHaveLength(3);
    expect(new Set(a.map((x) => x.contactId)).size).toBe(3);
    expect(bottomK(seedOf(1), [...contacts].reverse(), 3)).toEqual(a);
    expect(a.map((x) => x.key)).toEqual([...a.map((x) => x.key)].sort());
    expect(a[0]?.key).toBe(sampleKey(seedOf(1), a[0]?.contactId as string));
    // Another seed, another sample (for 30 contacts the chance of the same 3 is 1 in 4060).
    expect(bottomK(seedOf(2), contacts, 3).map((x) => x.contactId)).not.toEqual(a.map((x) => x.contactId));
  });

  it('takes everything when there are k or fewer, and ignores duplicates', () => {
    expect(bottomK(seedOf(1), ['x', 'y', 'x'], 5).map((x) => x.contactId).sort()).toEqual(['x', 'y']);
    expect(bottomK(seedOf(1), [], 2)).toEqual([]);
  });

  it('a late contact only enters the sample if its key is smaller: the others are not reshuffled', () => {
    const seed = seedOf(9);
    const before = bottomK(seed, ids(20), 2).map((x) => x.contactId);
    const after = bottomK(seed, [...ids(20), 'late'], 2).map((x) => x.contactId);
    const kept = after.filter((c) => c !== 'late');
    expect(before.slice(0, kept.length)).toEqual(kept);
  });

  it('picks each contact with probability k/n over many seeds (chi-square, 9 d.f., critical value 27.88 at p = 0.001)', () => {
    // n = 10 contacts, k = 2, S = 5000 draws: each contact is expected S·k/n = 1000 times.
    const n = 10;
    const k = 2;
    const S = 5000;
    const contacts = ids(n);
    const counts = new Array<number>(n).fill(0);
    for (let s = 0; s < S; s++) for (const pick of bottomK(seedOf(s), contacts, k)) counts[contacts.indexOf(pick.contactId)]!++;
    const expected = (S * k) / n;
    const stat = chiSquare(counts, expected);
    expect(stat).toBeLessThan(27.88);
    // And each count within 10 % of 1000 (sd ≈ √(5000·0.2·0.8) ≈ 28, so 100 is over 3.5 sd).
    for (const c of counts) expect(Math.abs(c - expected)).toBeLessThan(100);

    // The statistic can fail: a biased picker (the two smallest ids, as "whoever comes first" would) is rejected.
    const biased = new Array<number>(n).fill(0);
    for (let s = 0; s < S; s++) for (const c of [...contacts].sort().slice(0, k)) biased[contacts.indexOf(c)]!++;
    expect(chiSquare(biased, expected)).toBeGreaterThan(27.88);
  });

  it('every k-subset is equally likely (n = 5, k = 2: 10 subsets, chi-square 9 d.f. < 27.88)', () => {
    const contacts = ids(5);
    const S = 5000;
    const subsets = new Map<string, number>();
    for (let s = 0; s < S; s++) {
      const key = bottomK(seedOf(100_000 + s), contacts, 2)
        .map((x) => x.contactId)
        .sort()
        .join('+');
      subsets.set(key, (subsets.get(key) ?? 0) + 1);
    }
    expect(subsets.size).toBe(10);
    expect(chiSquare([...subsets.values()], S / 10)).toBeLessThan(27.88);
  });

  it('the key depends on the seed: without it the order would be fixed and could be steered', () => {
    const contacts = ids(10);
    const firsts = new Set<string>();
    for (let s = 0; s < 200; s++) firsts.add(bottomK(seedOf(s), contacts, 1)[0]?.contactId as string);
    expect(firsts.size).toBe(10);
  });
});

describe('periods: ISO weeks in the centre time zone', () => {
  it('a Sunday evening in New York is still that ISO week there, while UTC has moved on', () => {
    // Sunday 6 December 2026, 22:00 in New York = Monday 03:00 UTC.
    const ms = Date.UTC(2026, 11, 7, 3);
    expect(isoWeekOf(ms, 'America/New_York').id).toBe('2026-W49');
    expect(isoWeekOf(ms, 'UTC').id).toBe('2026-W50');
    const p = isoWeekOf(ms, 'Europe/London');
    expect(new Date(p.fromMs).toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(p.toMs - p.fromMs).toBe(7 * 86_400_000);
  });

  it('parses a period back to the same bounds, and refuses weeks that do not exist', () => {
    const p = isoWeekOf(Date.UTC(2026, 0, 1, 12), 'Europe/London');
    expect(p.id).toBe('2026-W01');
    expect(parsePeriod('2026-W01', 'Europe/London')).toEqual(p);
    expect(parsePeriod('2026-W49', 'America/New_York')?.id).toBe('2026-W49');
    expect(parsePeriod('2026-W53', 'UTC')?.id).toBe('2026-W53'); // 2026 starts on a Thursday: 53 ISO weeks
    expect(parsePeriod('2025-W53', 'UTC')).toBeUndefined();
    expect(parsePeriod('2026-49', 'UTC')).toBeUndefined();
  });
});
