/**
 * Local time in a site's IANA time zone with Intl only (no date library): opening windows and local dates.
 * Called a few times per simulated day and per late event, never per arrival, so Intl's cost does not matter.
 */
import { WEEKDAYS, type Site, type Weekday } from '../../shared/directory.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export interface LocalParts extends LocalDate {
  weekday: Weekday;
  /** Minutes since local midnight, fractional. */
  minuteOfDay: number;
}

export interface OpeningWindow {
  date: LocalDate;
  weekday: Weekday;
  openMs: number;
  closeMs: number;
  /** Local minute of day at opening: time of day inside the window is openMinute + (t - openMs) / 60 000. */
  openMinute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function weekdayOf(d: LocalDate): Weekday {
  // getUTCDay: 0 = Sunday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7] as Weekday;
}

export function localParts(ms: number, timeZone: string): LocalParts {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const date = { year: p.year ?? 1970, month: p.month ?? 1, day: p.day ?? 1 };
  const seconds = (p.hour ?? 0) * 3600 + (p.minute ?? 0) * 60 + (p.second ?? 0) + (((ms % 1000) + 1000) % 1000) / 1000;
  return { ...date, weekday: weekdayOf(date), minuteOfDay: seconds / 60 };
}

/** Offset of the zone from UTC at instant ms, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const p = localParts(whole, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day) + Math.round(p.minuteOfDay * 60) * 1000;
  return asUtc - whole;
}

/** Epoch ms of a local wall-clock time; minutes past 1440 roll into the next day. */
export function zonedEpoch(d: LocalDate, minuteOfDay: number, timeZone: string): number {
  const guess = Date.UTC(d.year, d.month - 1, d.day) + Math.round(minuteOfDay * MINUTE_MS);
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  return second;
}

export function addDays(d: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Whole days from 1970-01-01 to this local date: a stable index for rotas and weeks. */
export function dayNumber(d: LocalDate): number {
  return Math.round(Date.UTC(d.year, d.month - 1, d.day) / DAY_MS);
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Opening windows are asked for again and again (every return contact): cached per site and local date. */
const windowCache = new WeakMap<Site, Map<number, OpeningWindow | null>>();

export function openingWindow(site: Site, date: LocalDate): OpeningWindow | undefined {
  let bySite = windowCache.get(site);
  if (!bySite) {
    bySite = new Map();
    windowCache.set(site, bySite);
  }
  const key = dayNumber(date);
  const cached = bySite.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const weekday = weekdayOf(date);
  const hours = site.openingHours[weekday];
  let w: OpeningWindow | null = null;
  if (hours) {
    const openMinute = toMinutes(hours.open);
    w = {
      date,
      weekday,
      openMs: zonedEpoch(date, openMinute, site.timeZone),
      closeMs: zonedEpoch(date, toMinutes(hours.close), site.timeZone),
      openMinute,
    };
  }
  bySite.set(key, w);
  return w ?? undefined;
}

/** The window open at ms, or the next one to open after it (up to two weeks ahead); undefined if never open. */
export function windowAtOrAfter(site: Site, ms: number): OpeningWindow | undefined {
  // Zone offsets stay within +-14 h, so the local date of ms is no earlier than the UTC date 14 h before it.
  const t = new Date(ms - 14 * HOUR_MS);
  let date: LocalDate = { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
  for (let i = 0; i < 16; i++) {
    const w = openingWindow(site, date);
    if (w && w.closeMs > ms) return w;
    date = addDays(date, 1);
  }
  return undefined;
}
