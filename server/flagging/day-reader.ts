/**
 * Reads the flagger's daily counts from the event store: every closed day at once (a run at start, after a directory
 * change), or only the days that new data touched (late events, a backfill, a revision, a day that has just closed),
 * patched into the counts kept from the previous run.
 *
 * Which days a contact counts on: the local date of its offer (its latest revision's `contact.offered`) in the zone of
 * each agent credited with part of it (daily.ts). So the days a changed contact touches are the dates, in every zone
 * of the centre, of each of its stored offers: the latest revision's (where it counts now) and earlier ones' (where
 * it counted before a revision moved it). A touched day is then counted again from scratch, from every contact
 * offered within that date in any of the centre's zones, its events read by contact id in ingest order, so the
 * counts, evidence lists included, are those a full read gives for that day.
 */
import { TZDate } from '@date-fns/tz';
import type { Kysely } from 'kysely';
import type { FrontlineEvent } from '../../shared/events.js';
import { scanEvents } from '../store/events.store.js';
import type { Database } from '../store/schema.js';
import type { DailyCounts, DailyCountsBuilder } from './daily.js';

/** Every event type the counts fold (a higher revision resets a contact whichever of its events comes first). */
export const COUNTED_TYPES: readonly string[] = ['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.abandoned', 'survey.responded'];

const HOUR = 3600_000;
const ID_CHUNK = 900;

/**
 * The offers that can count on a centre date (its key: midnight in the centre's zone): those within that date in any
 * of `zones`, from its earliest start to its latest end.
 */
function offersOf(centre: string, zones: readonly string[], key: number): [number, number] {
  const local = new TZDate(key, centre);
  const [y, m, d] = [local.getFullYear(), local.getMonth(), local.getDate()];
  let from = Infinity;
  let to = -Infinity;
  for (const z of new Set([centre, ...zones])) {
    from = Math.min(from, new TZDate(y, m, d, z).getTime());
    to = Math.max(to, new TZDate(y, m, d + 1, z).getTime());
  }
  return [from, to];
}

export interface DaysRead {
  /** Closed days' counts (day key → agent → queue → counts). */
  days: DailyCounts;
  /** Events read from the store. */
  events: number;
  /** Day keys counted again (every closed day on a full read). */
  daysRead: number;
}

/** Every closed day (keys before `openFrom`), from every stored event. */
export async function readAllDays(db: Kysely<Database>, builder: DailyCountsBuilder, openFrom: number): Promise<DaysRead> {
  // Pages of 5,000: each page is parsed and folded on the main thread between yields (20,000 took about 200 ms).
  const events = await scanEvents(db, (q) => q.where('type', 'in', COUNTED_TYPES), (e) => builder.add(e), 5_000);
  const days = await builder.settle();
  for (const d of [...days.keys()]) if (d >= openFrom) days.delete(d);
  return { days, events, daysRead: days.size };
}

/** The day keys from `fromKey` (a key) up to, not including, `toKey`. */
function keysBetween(builder: DailyCountsBuilder, fromKey: number, toKey: number): number[] {
  const keys: number[] = [];
  // A local day lasts 23 to 25 hours: 30 hours after a midnight is always within the next date.
  for (let k = fromKey; k < toKey; k = builder.dayOf(k + 30 * HOUR)) keys.push(k);
  return keys;
}

/**
 * Patches `held` (closed days' counts from a previous read, days before `heldUntil`) with what changed: the days
 * holding an offer of any `contacts` (ids whose events arrived since), and the days from `heldUntil` to `openFrom`
 * that have closed since. `newBuilder` makes an empty builder with the same zones and credit rule as the held counts
 * were built with. Returns the patched map (the same object as `held`).
 */
export async function readChangedDays(
  db: Kysely<Database>,
  newBuilder: () => DailyCountsBuilder,
  centre: string,
  zones: readonly string[],
  held: DailyCounts,
  heldUntil: number,
  openFrom: number,
  contacts: ReadonlySet<string>,
): Promise<DaysRead> {
  const builder = newBuilder();
  const touched = new Set<number>(keysBetween(builder, heldUntil, openFrom));
  const ids = [...contacts];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const rows = await db
      .selectFrom('events')
      .select('occurred_ms')
      .where('contact_id', 'in', ids.slice(i, i + ID_CHUNK))
      .where('type', '=', 'contact.offered')
      .where('expired_ms', 'is', null)
      .execute();
    for (const r of rows) for (const z of zones) touched.add(builder.dayIn(Number(r.occurred_ms), z));
  }
  const days = [...touched].filter((d) => d < openFrom).sort((a, b) => a - b);
  if (days.length === 0) return { days: held, events: 0, daysRead: 0 };

  // The offers that can count on a touched day, as merged time ranges.
  const ranges: [number, number][] = [];
  for (const d of days) {
    const [from, to] = offersOf(centre, zones, d);
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else ranges.push([from, to]);
  }
  const offered = new Set<string>();
  for (const [from, to] of ranges) {
    const rows = await db
      .selectFrom('events')
      .select('contact_id')
      .where('type', '=', 'contact.offered')
      .where('occurred_ms', '>=', from)
      .where('occurred_ms', '<', to)
      .where('expired_ms', 'is', null)
      .execute();
    for (const r of rows) if (r.contact_id !== null) offered.add(r.contact_id);
  }
  // Their events in ingest order, as a full read meets them (each contact's evidence order follows its first event).
  const rows: { seq: number; payload: string }[] = [];
  const all = [...offered];
  for (let i = 0; i < all.length; i += ID_CHUNK) {
    const chunk = await db
      .selectFrom('events')
      .select(['seq', 'payload'])
      .where('contact_id', 'in', all.slice(i, i + ID_CHUNK))
      .where('type', 'in', COUNTED_TYPES)
      .where('expired_ms', 'is', null)
      .execute();
    for (const r of chunk) rows.push({ seq: Number(r.seq), payload: r.payload });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  rows.sort((a, b) => a.seq - b.seq);
  for (let i = 0; i < rows.length; i++) {
    builder.add(JSON.parse((rows[i] as { payload: string }).payload) as FrontlineEvent);
    // A few days of a large centre are hundreds of thousands of events: yield now and then.
    if (i % 5_000 === 4_999) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const counted = await builder.settle();
  for (const d of days) {
    const day = counted.get(d);
    if (day) held.set(d, day);
    else held.delete(d);
  }
  return { days: held, events: rows.length, daysRead: days.length };
}
