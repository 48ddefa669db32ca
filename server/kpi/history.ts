/**
 * KPI history: persisted rollups (summed counters per scope for every 15-minute interval and every local day) for
 * everything before the engine's hot window, so history queries and trends read rollups, never raw events, and a
 * restart does not replay months of events.
 *
 * A day's rollups are always computed the same way, from raw events: a fresh engine fed every event of the contacts
 * offered that day and of the customer contacts offered up to 7 days after (they decide repeat-contact FCR). That one
 * function serves the nightly roll-over of a day out of the hot window, a late event for an old contact (its day is
 * recomputed) and the rebuild command, so incremental and rebuilt rollups are identical by construction.
 */
import { createHash } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';
import type { Directory } from '../../shared/directory.js';
import { FCR_WINDOW_DAYS, INTERVAL_MS } from '../../shared/kpis.js';
import type { Store } from '../store/db.js';
import { scanEvents } from '../store/events.store.js';
import { addInto, parseCounters, serializeCounters, zero, type Counters } from './counters.js';
import { KpiEngine } from './engine.js';

const DAY_MS = 86_400_000;
/** Days recomputed per pass: bounds the scratch engine's memory (each pass also reads the 7 days after it). */
const CHUNK_DAYS = 14;
const INSERT_ROWS = 200;
/** 2: segment cells (engine.ts cellScope) are rolled up too. */
const FORMAT = 2;

export type Grain = 'interval' | 'day';

export interface Checkpoint {
  basis: string;
  cutoffMs: number;
  throughSeq: number;
}

/** What the rollups depend on besides the events: a different basis means the stored rollups are void. */
export function historyBasis(directory: Directory, timeZone: string): string {
  return createHash('sha256').update(JSON.stringify({ FORMAT, timeZone, directory })).digest('hex').slice(0, 32);
}

export class KpiHistory {
  private readonly dayStartCache = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    readonly timeZone: string,
  ) {}

  /** Local midnight at or before `ms`. */
  dayStart(ms: number): number {
    const interval = Math.floor(ms / INTERVAL_MS);
    let d = this.dayStartCache.get(interval);
    if (d === undefined) {
      d = startOfDay(new TZDate(ms, this.timeZone)).getTime();
      if (this.dayStartCache.size > 100_000) this.dayStartCache.clear();
      this.dayStartCache.set(interval, d);
    }
    return d;
  }

  /** The local midnight `days` days after the local midnight `dayStartMs` (23 or 25 hours at the clock changes). */
  addDays(dayStartMs: number, days: number): number {
    return addDays(new TZDate(dayStartMs, this.timeZone), days).getTime();
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
   * Recomputes the rollups of the local days in [fromMs, toMs) from raw events, replacing what was stored for them.
   * Returns the number of events read.
   */
  async rebuildDays(fromMs: number, toMs: number): Promise<number> {
    let read = 0;
    for (let a = fromMs; a < toMs; ) {
      const b = Math.min(this.addDays(a, CHUNK_DAYS), toMs);
      const { engine, events } = await this.replayDays(a, b);
      read += events;
      await this.replace(a, b, engine);
      a = b;
    }
    return read;
  }

  /** A scratch engine holding the exact contributions of the contacts offered in [fromMs, toMs). */
  async replayDays(fromMs: number, toMs: number): Promise<{ engine: KpiEngine; events: number }> {
    const lookAhead = toMs + FCR_WINDOW_DAYS * DAY_MS + 1;
    const engine = new KpiEngine(this.directory);
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
    return { engine, events };
  }

  /** Replaces the stored rollups of [fromMs, toMs) (whole local days) with the engine's buckets there. */
  private async replace(fromMs: number, toMs: number, engine: KpiEngine): Promise<void> {
    const rows: { scope: string; grain: Grain; start_ms: number; counters: string }[] = [];
    const days = new Map<string, Map<number, Counters>>();
    // In (scope, interval) order, so the day sums are added up the same way whichever replay produced the buckets.
    const buckets = [...engine.bucketsIn(fromMs, toMs)].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1]));
    for (const [scope, interval, counters] of buckets) {
      const start = interval * INTERVAL_MS;
      rows.push({ scope, grain: 'interval', start_ms: start, counters: serializeCounters(counters) });
      const day = this.dayStart(start);
      let byDay = days.get(scope);
      if (!byDay) days.set(scope, (byDay = new Map<number, Counters>()));
      let sum = byDay.get(day);
      if (!sum) byDay.set(day, (sum = zero()));
      addInto(sum, counters, 1);
    }
    for (const [scope, byDay] of days) for (const [day, sum] of byDay) rows.push({ scope, grain: 'day', start_ms: day, counters: serializeCounters(sum) });
    await this.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('kpi_rollups').where('start_ms', '>=', fromMs).where('start_ms', '<', toMs).execute();
      for (let i = 0; i < rows.length; i += INSERT_ROWS) await trx.insertInto('kpi_rollups').values(rows.slice(i, i + INSERT_ROWS)).execute();
    });
  }

  /** Summed counters of `scope` over [fromMs, toMs) (quarter-hour aligned): whole local days from day rows, edges from interval rows. */
  async sum(scope: string, fromMs: number, toMs: number): Promise<Counters> {
    const total = zero();
    if (toMs <= fromMs) return total;
    const fullFrom = this.dayStart(fromMs) === fromMs ? fromMs : this.addDays(this.dayStart(fromMs), 1);
    const fullTo = this.dayStart(toMs);
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
   * Summed counters for consecutive periods [bounds[i], bounds[i+1]) clipped to before `untilMs`: from day rows when
   * every bound is a local midnight (days, weeks), else from interval rows. One query per series.
   */
  async series(scope: string, bounds: number[], untilMs: number): Promise<Counters[]> {
    const out = bounds.slice(1).map(() => zero());
    const from = bounds[0] as number;
    const to = Math.min(bounds[bounds.length - 1] as number, untilMs);
    if (to <= from) return out;
    const byDay = bounds.every((b) => b >= untilMs || this.dayStart(b) === b) && (untilMs >= (bounds[bounds.length - 1] as number) || this.dayStart(untilMs) === untilMs);
    const rows = await this.rows(scope, byDay ? 'day' : 'interval', from, to);
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
