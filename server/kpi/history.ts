/**
 * KPI history: persisted rollups (summed counters per scope for every 15-minute interval and every local day) for
 * everything before the engine's hot window, so history queries and trends read rollups, never raw events, and a
 * restart does not replay months of events.
 *
 * A day's rollups are always computed the same way, from raw events: a fresh engine fed every event of the contacts
 * offered that day and of the customer contacts offered up to 7 days after (they decide repeat-contact FCR). That one
 * function serves the nightly roll-over of a day out of the hot window, a late event for an old contact (its day is
 * recomputed) and the rebuild command, so incremental and rebuilt rollups are identical by construction.
 *
 * Each scope's day rows are its own local days (shared/zones.ts: a site's zone, its teams', agents' and queues';
 * the centre's for centre-wide scopes), keyed by that local midnight. The days handed to `rebuildDays` are the
 * centre's; the range replayed is widened to whole local days of every zone in use, so every day row overlapping them
 * is rewritten whole, from one replay. A day straddling the end of history (the hot window's start) has interval rows
 * only, until history reaches its end.
 */
import { createHash } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';
import type { Directory } from '../../shared/directory.js';
import { FCR_WINDOW_DAYS, INTERVAL_MS } from '../../shared/kpis.js';
import { scopeZones, type ScopeZones } from '../../shared/zones.js';
import type { Store } from '../store/db.js';
import { scanEvents } from '../store/events.store.js';
import { addInto, parseCounters, serializeCounters, zero, type Counters } from './counters.js';
import { KpiEngine } from './engine.js';

const DAY_MS = 86_400_000;
/** Days recomputed per pass: bounds the scratch engine's memory (each pass also reads the 7 days after it). */
const CHUNK_DAYS = 14;
const INSERT_ROWS = 200;
/** 2: segment cells (engine.ts cellScope) are rolled up too. 3: day rows in each scope's own zone. */
const FORMAT = 3;

export type Grain = 'interval' | 'day';

export interface Checkpoint {
  basis: string;
  cutoffMs: number;
  throughSeq: number;
}

/**
 * What the rollups depend on besides the events: a different basis means the stored rollups are void. The directory
 * holds every zone (its own `timeZone` and each site's), so changing any of them changes the basis.
 */
export function historyBasis(directory: Directory): string {
  return createHash('sha256').update(JSON.stringify({ FORMAT, timeZone: scopeZones(directory).centre, directory })).digest('hex').slice(0, 32);
}

/** A local day: its midnight and the next (23 or 25 hours later at the clock changes). */
interface LocalDay {
  start: number;
  end: number;
}

/** What one replay rewrites: interval rows in [fromMs, toMs), and the day rows of the local days wholly inside it. */
interface Span {
  fromMs: number;
  toMs: number;
  /** zone → starts of its local days wholly inside the span. */
  days: Map<string, Set<number>>;
}

export class KpiHistory {
  /** zone → quarter-hour number → the local day holding it. */
  private readonly dayCache = new Map<string, Map<number, LocalDay>>();
  private readonly zones: ScopeZones;
  private readonly zoneList: string[];
  /** The centre's zone: centre-wide scopes' days, and the days the service's hot window and stale days are counted in. */
  readonly timeZone: string;

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    timeZone?: string,
  ) {
    this.zones = scopeZones(directory);
    this.timeZone = timeZone ?? this.zones.centre;
    this.zoneList = [...new Set([this.timeZone, ...this.zones.all().slice(1)])];
  }

  /** The zone `scope`'s day rows follow. */
  zoneOf(scope: string): string {
    return this.zones.own(scope) ?? this.timeZone;
  }

  /** Every zone some scope's days follow, the centre's first. */
  allZones(): string[] {
    return this.zoneList;
  }

  /** The local day of `zone` holding `ms`. */
  dayIn(zone: string, ms: number): LocalDay {
    let byInterval = this.dayCache.get(zone);
    if (!byInterval) this.dayCache.set(zone, (byInterval = new Map<number, LocalDay>()));
    const interval = Math.floor(ms / INTERVAL_MS);
    let d = byInterval.get(interval);
    if (d === undefined) {
      const start = startOfDay(new TZDate(ms, zone)).getTime();
      d = { start, end: addDays(new TZDate(start, zone), 1).getTime() };
      if (byInterval.size > 100_000) byInterval.clear();
      byInterval.set(interval, d);
    }
    return d;
  }

  /** Local midnight of `zone` at or before `ms`. */
  dayStartIn(zone: string, ms: number): number {
    return this.dayIn(zone, ms).start;
  }

  /** The local midnight of `zone` `days` days after its local midnight `dayStartMs`. */
  addDaysIn(zone: string, dayStartMs: number, days: number): number {
    return days === 1 ? this.dayIn(zone, dayStartMs).end : addDays(new TZDate(dayStartMs, zone), days).getTime();
  }

  /** Local midnight at or before `ms` in the centre's zone. */
  dayStart(ms: number): number {
    return this.dayStartIn(this.timeZone, ms);
  }

  /** The centre's local midnight `days` days after its local midnight `dayStartMs` (23 or 25 hours at the clock changes). */
  addDays(dayStartMs: number, days: number): number {
    return this.addDaysIn(this.timeZone, dayStartMs, days);
  }

  /** The earliest local midnight, in any zone in use, of a day holding `ms`: where a rebuild from `ms` starts writing. */
  earliestDayStart(ms: number): number {
    return Math.min(ms, ...this.allZones().map((z) => this.dayStartIn(z, ms)));
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const row = await this.store.db.selectFrom('kpi_checkpoint').selectAll().where('id', '=', 1).executeTakeFirst();
    return row ? { basis: row.basis, cutoffMs: Number(row.cutoff_ms), throughSeq: Number(row.through_seq) } : undefined;
  }

  async saveCheckpoint(c: Checkpoint, nowMs: number): Promise<void> {
    const values = { basis: c.basis, cutoff_ms: c.cutoffMs, through_seq: c.throughSeq, written_ms: nowMs };
    await this.store.db
      .insertInto('kpi_checkpoint')
      .values({ id: 1, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  async maxSeq(): Promise<number> {
    const row = await this.store.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
    return Number(row?.m ?? 0);
  }

  /** Local midnight of the first stored event, or undefined when there are none. */
  async firstDay(): Promise<number | undefined> {
    const row = await this.store.db.selectFrom('events').select((eb) => eb.fn.min('occurred_ms').as('m')).executeTakeFirst();
    return row?.m === null || row?.m === undefined ? undefined : this.dayStart(Number(row.m));
  }

  /** Deletes rollups before `fromMs` and from `toMs` on. */
  async deleteOutside(fromMs: number, toMs: number): Promise<void> {
    if (Number.isFinite(fromMs)) await this.store.db.deleteFrom('kpi_rollups').where('start_ms', '<', fromMs).execute();
    await this.store.db.deleteFrom('kpi_rollups').where('start_ms', '>=', toMs).execute();
  }

  /**
   * Recomputes the rollups of the centre's local days in [fromMs, toMs) from raw events, replacing what was stored
   * for them: widened to whole local days of every zone, but never before `floorMs` (raw events deleted by retention)
   * nor after `limitMs` (the end of history; default `toMs`). Returns the number of events read.
   */
  async rebuildDays(fromMs: number, toMs: number, bounds: { floorMs?: number; limitMs?: number } = {}): Promise<number> {
    const floor = bounds.floorMs ?? Number.NEGATIVE_INFINITY;
    const limit = Math.max(bounds.limitMs ?? toMs, toMs);
    let read = 0;
    for (let a = fromMs; a < toMs; ) {
      const b = Math.min(this.addDays(a, CHUNK_DAYS), toMs);
      const span = this.widen(a, b, floor, limit);
      const { engine, events } = await this.replayDays(span.fromMs, span.toMs);
      read += events;
      await this.replace(span, engine);
      a = b;
    }
    return read;
  }

  /**
   * [a, b) widened to whole local days of every zone, within [floorMs, limitMs]; with the local days wholly inside.
   * Two zones can share a midnight with days of different lengths (a clock change in one): the span grows until every
   * zone's day at a rewritten midnight is inside too, or runs past the limit (such a day has no row yet).
   */
  private widen(a: number, b: number, floorMs: number, limitMs: number): Span {
    const zones = this.allZones();
    let fromMs = a;
    let toMs = b;
    for (const z of zones) {
      fromMs = Math.min(fromMs, this.dayStartIn(z, a));
      toMs = Math.max(toMs, this.dayIn(z, b - 1).end);
    }
    fromMs = Math.max(fromMs, floorMs);
    toMs = Math.min(toMs, limitMs);
    for (let guard = 0; ; guard++) {
      const days = new Map<string, Set<number>>();
      const starts = new Set<number>();
      for (const z of zones) {
        const inside = new Set<number>();
        const first = this.dayIn(z, fromMs);
        for (let d = first.start < fromMs ? first.end : first.start; d < toMs; ) {
          const end = this.dayIn(z, d).end;
          if (end > toMs) break;
          inside.add(d);
          starts.add(d);
          d = end;
        }
        days.set(z, inside);
      }
      let grown = toMs;
      for (const d of starts) {
        for (const z of zones) {
          const day = this.dayIn(z, d);
          if (day.start === d && !(days.get(z) as Set<number>).has(d) && day.end <= limitMs) grown = Math.max(grown, day.end);
        }
      }
      if (grown === toMs || guard > 8) return { fromMs, toMs, days };
      toMs = grown;
    }
  }

  /** A scratch engine holding the exact contributions of the contacts offered in [fromMs, toMs). */
  async replayDays(fromMs: number, toMs: number): Promise<{ engine: KpiEngine; events: number }> {
    const lookAhead = toMs + FCR_WINDOW_DAYS * DAY_MS + 1;
    const engine = new KpiEngine(this.directory);
    engine.beginBatch();
    const events = await scanEvents(
      this.store.db,
      (q) =>
        q.where((eb) =>
          eb.or([
            eb(
              'contact_id',
              'in',
              eb.selectFrom('events as o').select('o.contact_id').where('o.type', '=', 'contact.offered').where('o.occurred_ms', '>=', fromMs).where('o.occurred_ms', '<', lookAhead),
            ),
            eb.and([eb('contact_id', 'is', null), eb('type', '=', 'complaint.logged'), eb('occurred_ms', '>=', fromMs), eb('occurred_ms', '<', toMs)]),
          ]),
        ),
      (e) => engine.apply(e),
    );
    await engine.endBatchYielding();
    return { engine, events };
  }

  /**
   * Replaces the stored rollups of a span with the engine's buckets there: every interval row, and the day rows of the
   * local days wholly inside it (in each scope's zone). Day rows at a midnight no zone uses any more (a zone changed)
   * go too.
   */
  private async replace(span: Span, engine: KpiEngine): Promise<void> {
    const { fromMs, toMs } = span;
    const rows: { scope: string; grain: Grain; start_ms: number; counters: string }[] = [];
    const days = new Map<string, Map<number, Counters>>();
    // In (scope, interval) order, so the day sums are added up the same way whichever replay produced the buckets.
    const buckets = [...engine.bucketsIn(fromMs, toMs)].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1]));
    let scope = '';
    let inside = new Set<number>();
    let zone = '';
    for (const [s, interval, counters] of buckets) {
      const start = interval * INTERVAL_MS;
      rows.push({ scope: s, grain: 'interval', start_ms: start, counters: serializeCounters(counters) });
      if (s !== scope) {
        scope = s;
        zone = this.zoneOf(s);
        inside = span.days.get(zone) ?? new Set<number>();
      }
      const day = this.dayStartIn(zone, start);
      if (!inside.has(day)) continue;
      let byDay = days.get(s);
      if (!byDay) days.set(s, (byDay = new Map<number, Counters>()));
      let sum = byDay.get(day);
      if (!sum) byDay.set(day, (sum = zero()));
      addInto(sum, counters, 1);
    }
    for (const [s, byDay] of days) for (const [day, sum] of byDay) rows.push({ scope: s, grain: 'day', start_ms: day, counters: serializeCounters(sum) });
    const rewritten = [...new Set([...span.days.values()].flatMap((d) => [...d]))];
    const midnights = new Set<number>();
    for (const z of this.allZones()) for (let d = this.dayStartIn(z, fromMs); d < toMs; d = this.dayIn(z, d).end) midnights.add(d);
    await this.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('kpi_rollups').where('grain', '=', 'interval').where('start_ms', '>=', fromMs).where('start_ms', '<', toMs).execute();
      for (let i = 0; i < rewritten.length; i += 400) await trx.deleteFrom('kpi_rollups').where('grain', '=', 'day').where('start_ms', 'in', rewritten.slice(i, i + 400)).execute();
      await trx
        .deleteFrom('kpi_rollups')
        .where('grain', '=', 'day')
        .where('start_ms', '>=', fromMs)
        .where('start_ms', '<', toMs)
        .where('start_ms', 'not in', [...midnights, -1])
        .execute();
      for (let i = 0; i < rows.length; i += INSERT_ROWS) await trx.insertInto('kpi_rollups').values(rows.slice(i, i + INSERT_ROWS)).execute();
    });
  }

  /**
   * Summed counters of `scope` over [fromMs, toMs) (quarter-hour aligned): whole local days (in the scope's zone) from
   * day rows, edges from interval rows.
   */
  async sum(scope: string, fromMs: number, toMs: number): Promise<Counters> {
    const total = zero();
    if (toMs <= fromMs) return total;
    const zone = this.zoneOf(scope);
    const first = this.dayIn(zone, fromMs);
    const fullFrom = first.start === fromMs ? fromMs : first.end;
    const fullTo = this.dayStartIn(zone, toMs);
    const add = (rows: { counters: string }[]) => {
      for (const r of rows) addInto(total, parseCounters(r.counters), 1);
    };
    if (fullFrom < fullTo) {
      add(await this.rows(scope, 'day', fullFrom, fullTo));
      if (fromMs < fullFrom) add(await this.rows(scope, 'interval', fromMs, fullFrom));
      if (fullTo < toMs) add(await this.rows(scope, 'interval', fullTo, toMs));
    } else add(await this.rows(scope, 'interval', fromMs, toMs));
    return total;
  }

  /**
   * Summed counters for consecutive periods [bounds[i], bounds[i+1]) clipped to before `untilMs`: when every bound is
   * a local midnight of the scope's zone (days, weeks), whole days from day rows and the part of a day before
   * `untilMs` from interval rows; else all from interval rows. At most two queries per series.
   */
  async series(scope: string, bounds: number[], untilMs: number): Promise<Counters[]> {
    const out = bounds.slice(1).map(() => zero());
    const from = bounds[0] as number;
    const to = Math.min(bounds[bounds.length - 1] as number, untilMs);
    if (to <= from) return out;
    const zone = this.zoneOf(scope);
    const byDay = bounds.every((b) => b >= to || this.dayStartIn(zone, b) === b);
    const fullTo = byDay ? Math.max(from, this.dayStartIn(zone, to)) : from;
    const rows = [...(fullTo > from ? await this.rows(scope, 'day', from, fullTo) : []), ...(fullTo < to ? await this.rows(scope, 'interval', fullTo, to) : [])];
    let i = 0;
    for (const r of rows) {
      while (i + 1 < bounds.length && r.start_ms >= (bounds[i + 1] as number)) i++;
      if (i < out.length) addInto(out[i] as Counters, parseCounters(r.counters), 1);
    }
    return out;
  }

  private async rows(scope: string, grain: Grain, fromMs: number, toMs: number): Promise<{ start_ms: number; counters: string }[]> {
    const rows = await this.store.db
      .selectFrom('kpi_rollups')
      .select(['start_ms', 'counters'])
      .where('scope', '=', scope)
      .where('grain', '=', grain)
      .where('start_ms', '>=', fromMs)
      .where('start_ms', '<', toMs)
      .orderBy('start_ms')
      .execute();
    return rows.map((r) => ({ start_ms: Number(r.start_ms), counters: r.counters }));
  }

  /** Rollup rows of several scopes over [fromMs, toMs) at one grain (segment cells). */
  async rowsOf(scopes: string[], grain: Grain, fromMs: number, toMs: number): Promise<{ scope: string; start_ms: number; counters: string }[]> {
    const out: { scope: string; start_ms: number; counters: string }[] = [];
    if (toMs <= fromMs) return out;
    for (let i = 0; i < scopes.length; i += 400) {
      const rows = await this.store.db
        .selectFrom('kpi_rollups')
        .select(['scope', 'start_ms', 'counters'])
        .where('scope', 'in', scopes.slice(i, i + 400))
        .where('grain', '=', grain)
        .where('start_ms', '>=', fromMs)
        .where('start_ms', '<', toMs)
        .execute();
      for (const r of rows) out.push({ scope: r.scope, start_ms: Number(r.start_ms), counters: r.counters });
    }
    return out;
  }

  /** Every scope with a stored day rollup whose name starts with `prefix`. */
  async scopesLike(prefix: string): Promise<string[]> {
    // A range on the primary key's first column rather than LIKE, so both dialects use the index.
    const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    const rows = await this.store.db.selectFrom('kpi_rollups').select('scope').distinct().where('scope', '>=', prefix).where('scope', '<', upper).where('grain', '=', 'day').execute();
    return rows.map((r) => r.scope);
  }

  /** Every stored rollup row in a stable order (the rebuild check compares these). */
  async allRows(): Promise<{ scope: string; grain: string; start_ms: number; counters: string }[]> {
    const rows = await this.store.db.selectFrom('kpi_rollups').selectAll().orderBy('scope').orderBy('grain').orderBy('start_ms').execute();
    return rows.map((r) => ({ ...r, start_ms: Number(r.start_ms) }));
  }
}
