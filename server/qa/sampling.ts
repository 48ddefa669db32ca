/**
 * Fair random samples of contacts for QA (issue 19): per agent per period (an ISO week in the centre's time zone),
 * the k contacts the agent handled (ended) whose keyed hash is smallest.
 *
 * Why the k smallest keyed hashes are a uniform random sample without replacement: HMAC-SHA256 under a secret random
 * seed behaves as a random function of the contact id, so the n contacts' keys are n independent uniform values (ties
 * have probability ~2^-256). Sorting by them puts the contacts in a uniformly random order (every one of the n!
 * orders is equally likely, by symmetry), and the first k of a uniformly random order is a uniformly random k-subset:
 * each contact is in it with probability k/n, every k-subset with probability 1/C(n,k). Because the key of a contact
 * does not depend on the other contacts, adding contacts that arrive late cannot reshuffle who was picked unless a
 * new one's key is smaller (it is then fairly picked, as it would have been had it been there at the start).
 *
 * Reproducible: the seed is stored with the period's draw, so anyone can recompute the keys and check the sample.
 * Cannot be steered: the seed is drawn from the system's CSPRNG when the period is first drawn and is not shown
 * before, so neither the evaluator nor the agent can choose or predict which contacts come up; and drawing again for
 * the same period reuses the same seed and adds nothing already drawn.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { addWeeks, getISOWeek, getISOWeekYear, setISOWeek, startOfISOWeek } from 'date-fns';

export const DEFAULT_SAMPLE_SIZE = 2;
export const MAX_SAMPLE_SIZE = 50;

/** The keyed hash a contact is ordered by in a period's draw (hex, so text order is numeric order). */
export function sampleKey(seed: string, contactId: string): string {
  return createHmac('sha256', Buffer.from(seed, 'hex')).update(contactId, 'utf8').digest('hex');
}

/** The k contacts with the smallest keys, in key order (the whole list when it has k or fewer). */
export function bottomK(seed: string, contactIds: readonly string[], k: number): { contactId: string; key: string }[] {
  const keyed = [...new Set(contactIds)].map((contactId) => ({ contactId, key: sampleKey(seed, contactId) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.slice(0, Math.max(0, k));
}

/** A fresh secret seed for a period (32 random bytes, hex). */
export function newSeed(): string {
  return randomBytes(32).toString('hex');
}

export interface Period {
  /** e.g. '2026-W49' */
  id: string;
  fromMs: number;
  toMs: number;
}

const PERIOD = /^(\d{4})-W(\d{2})$/;

/** The ISO week containing `ms`, in the centre's time zone. */
export function isoWeekOf(ms: number, timeZone: string): Period {
  const start = startOfISOWeek(new TZDate(ms, timeZone));
  const year = getISOWeekYear(start);
  const week = getISOWeek(start);
  return { id: `${year}-W${String(week).padStart(2, '0')}`, fromMs: start.getTime(), toMs: addWeeks(start, 1).getTime() };
}

/** A period id back to its bounds in the centre's time zone; undefined when it is not a real ISO week. */
export function parsePeriod(id: string, timeZone: string): Period | undefined {
  const m = PERIOD.exec(id);
  if (!m) return undefined;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (week < 1 || week > 53) return undefined;
  // 4 January is always in ISO week 1 of its year.
  const jan4 = new TZDate(year, 0, 4, 12, 0, 0, timeZone);
  const p = isoWeekOf(setISOWeek(jan4, week).getTime(), timeZone);
  return p.id === id ? p : undefined;
}
