/**
 * When a notice may go out: retries back off exponentially with jitter; a person's quiet hours hold notices until
 * they end; digests go out on the hour (hourly) or at 08:00 in the person's zone (daily). Pure functions of times.
 */
import { TZDate } from '@date-fns/tz';
import type { NotificationPrefs } from '../../shared/notifications.js';

/** The local hour a daily digest goes out. */
export const DAILY_DIGEST_HOUR = 8;

/**
 * Delay before retry number `failures` (1 after the first failure): base × 2^(failures−1), stretched by up to a
 * quarter at random so many failed deliveries do not all come back at once. Each delay is at least 1.6× the one
 * before (2 ÷ 1.25), so they always grow; capped at `capMs`.
 */
export function retryDelayMs(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  if (!Number.isInteger(failures) || failures < 1) throw new Error(`failures must be a positive integer, not ${failures}`);
  const plain = baseMs * 2 ** (failures - 1);
  return Math.min(capMs, Math.round(plain * (1 + 0.25 * random())));
}

function minutesOfDay(ms: number, tz: string): number {
  const d = new TZDate(ms, tz);
  return d.getHours() * 60 + d.getMinutes();
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True when `ms` falls in the person's quiet hours (start inclusive, end exclusive; may span midnight). */
export function inQuietHours(ms: number, prefs: Pick<NotificationPrefs, 'quietHours' | 'timeZone'>): boolean {
  const q = prefs.quietHours;
  if (!q) return false;
  const m = minutesOfDay(ms, prefs.timeZone);
  const start = toMinutes(q.start);
  const end = toMinutes(q.end);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** The next instant at or after `ms` whose local wall time in `tz` is hh:mm (across a clock change: the next such minute). */
export function nextLocalTime(ms: number, tz: string, hh: number, mm: number): number {
  const d = new TZDate(ms, tz);
  const candidate = new TZDate(d.getFullYear(), d.getMonth(), d.getDate(), hh, mm, 0, 0, tz);
  if (candidate.getTime() >= ms) return candidate.getTime();
  const next = new TZDate(d.getFullYear(), d.getMonth(), d.getDate() + 1, hh, mm, 0, 0, tz);
  return next.getTime();
}

/** When quiet hours that hold `ms` end; `ms` itself when it is not in quiet hours. */
export function quietHoursEnd(ms: number, prefs: Pick<NotificationPrefs, 'quietHours' | 'timeZone'>): number {
  if (!prefs.quietHours || !inQuietHours(ms, prefs)) return ms;
  const end = toMinutes(prefs.quietHours.end);
  return nextLocalTime(ms, prefs.timeZone, Math.floor(end / 60), end % 60);
}

/** When a digest filed at `ms` goes out: the next full hour, or the next 08:00 local; never inside quiet hours. */
export function digestDue(ms: number, prefs: Pick<NotificationPrefs, 'digest' | 'quietHours' | 'timeZone'>): number {
  const due = prefs.digest === 'hourly' ? Math.floor(ms / 3600_000) * 3600_000 + 3600_000 : nextLocalTime(ms + 1, prefs.timeZone, DAILY_DIGEST_HOUR, 0);
  return quietHoursEnd(due, prefs);
}
