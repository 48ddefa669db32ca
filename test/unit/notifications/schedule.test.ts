/** Retry backoff, quiet hours, digest times and the anti-flapping rule of the watchers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestDue, inQuietHours, quietHoursEnd, retryDelayMs } from '../../../server/notifications/schedule.js';
import { step, type WatchState } from '../../../server/notifications/watchers.js';

const MIN = 60_000;

describe('retry backoff', () => {
  it('doubles from the base, with up to a quarter of jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 30_000, 3600_000, () => 0))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 30_000, 3600_000, () => 0.999999))).toEqual([37_500, 75_000, 150_000, 300_000]);
  });

  it('always grows from one retry to the next, whatever the jitter, until the cap (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r1, r2) => {
        const a = retryDelayMs(n, 1000, 1e12, () => r1);
        const b = retryDelayMs(n + 1, 1000, 1e12, () => r2);
        expect(b).toBeGreaterThan(a);
      }),
    );
    expect(retryDelayMs(30, 30_000, 6 * 3600_000, () => 0.5)).toBe(6 * 3600_000);
  });

  it('refuses a nonsense attempt number', () => {
    expect(() => retryDelayMs(0, 1000, 10_000)).toThrow(/positive integer/);
  });
});

describe('quiet hours', () => {
  const london = { timeZone: 'Europe/London', quietHours: { start: '22:00', end: '07:00' } };

  it('span midnight in the person’s zone, start inclusive and end exclusive', () => {
    // 15 July 2026: London is UTC+1.
    expect(inQuietHours(Date.UTC(2026, 6, 15, 20, 59), london)).toBe(false);
    expect(inQuietHours(Date.UTC(2026, 6, 15, 21, 0), london)).toBe(true);
    expect(inQuietHours(Date.UTC(2026, 6, 16, 5, 59), london)).toBe(true);
    expect(inQuietHours(Date.UTC(2026, 6, 16, 6, 0), london)).toBe(false);
    expect(inQuietHours(Date.UTC(2026, 6, 16, 3, 0), { timeZone: 'UTC', quietHours: null })).toBe(false);
  });

  it('hold a notice until their end, the next morning local time', () => {
    expect(quietHoursEnd(Date.UTC(2026, 6, 15, 23, 30), london)).toBe(Date.UTC(2026, 6, 16, 6, 0));
    expect(quietHoursEnd(Date.UTC(2026, 6, 16, 2, 0), london)).toBe(Date.UTC(2026, 6, 16, 6, 0));
    expect(quietHoursEnd(Date.UTC(2026, 6, 16, 12, 0), london)).toBe(Date.UTC(2026, 6, 16, 12, 0));
  });
});

describe('digests', () => {
  it('go out on the next full hour, or at 08:00 local for daily ones, never inside quiet hours', () => {
    const base = { timeZone: 'America/New_York', quietHours: null };
    expect(digestDue(Date.UTC(2026, 10, 2, 14, 20), { ...base, digest: 'hourly' })).toBe(Date.UTC(2026, 10, 2, 15, 0));
    // 14:20 UTC is 09:20 in New York (UTC−5 in November): the next 08:00 there is tomorrow, 13:00 UTC.
    expect(digestDue(Date.UTC(2026, 10, 2, 14, 20), { ...base, digest: 'daily' })).toBe(Date.UTC(2026, 10, 3, 13, 0));
    expect(digestDue(Date.UTC(2026, 10, 2, 12, 0), { ...base, digest: 'daily' })).toBe(Date.UTC(2026, 10, 2, 13, 0));
    // Quiet until 09:00 local: the 08:00 digest waits for the end.
    expect(digestDue(Date.UTC(2026, 10, 2, 12, 0), { ...base, digest: 'daily', quietHours: { start: '20:00', end: '09:00' } })).toBe(Date.UTC(2026, 10, 2, 14, 0));
  });
});

describe('anti-flapping', () => {
  const start: WatchState<'ok' | 'breach'> = { told: 'ok', since: 0, pending: null };

  it('announces a change only once it has held for the sustain time', () => {
    let s = step(start, 'breach', 0, 5 * MIN);
    expect(s.announce).toBe(false);
    s = step(s.next, 'breach', 4 * MIN, 5 * MIN);
    expect(s.announce).toBe(false);
    s = step(s.next, 'breach', 5 * MIN, 5 * MIN);
    expect(s).toEqual({ announce: true, next: { told: 'breach', since: 0, pending: null } });
    // Said once: staying in breach says nothing more.
    expect(step(s.next, 'breach', 9 * MIN, 5 * MIN).announce).toBe(false);
  });

  it('starts the wait again when the value dips back in between, and ignores "no data"', () => {
    let s = step(start, 'breach', 0, 5 * MIN);
    s = step(s.next, 'ok', 3 * MIN, 5 * MIN);
    expect(s.next.pending).toBeNull();
    s = step(s.next, 'breach', 4 * MIN, 5 * MIN);
    s = step(s.next, null, 6 * MIN, 5 * MIN);
    expect(s.announce).toBe(false);
    s = step(s.next, 'breach', 8 * MIN, 5 * MIN);
    expect(s.announce).toBe(false);
    s = step(s.next, 'breach', 13 * MIN, 5 * MIN);
    expect(s).toEqual({ announce: true, next: { told: 'breach', since: 8 * MIN, pending: null } });
  });
});
