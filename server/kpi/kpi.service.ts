/**
 * Keeps the KPI engine fed and its history persisted: at start the rollups are resumed from their checkpoint and the
 * hot window is loaded from raw events (after erasure or a directory change everything is recomputed), then every
 * commit updates the engine. Events committed while a rebuild runs are held and applied after it; the engine ignores
 * what it has already seen, so the overlap is harmless.
 *
 * Windows and trend points follow the zone of the scope asked about (shared/zones.ts): days start at its local
 * midnight (23 or 25 hours long at the clock changes), weeks on Monday. The hot window's start and the days marked
 * for recomputation are the centre's days; history widens them to every zone's (history.ts).
 */
import { TZDate } from '@date-fns/tz';
import { addDays, addHours, addMinutes, addWeeks, startOfDay, startOfHour, startOfWeek } from 'date-fns';
import type { FrontlineEvent } from '../../shared/events.js';
import { FCR_WINDOW_DAYS, INTERVAL_MS, type CreditRule, type KpiName, type KpiSet, type KpiValue } from '../../shared/kpis.js';
import type { TrendPoint } from '../../shared/api.js';
import type { LiveWindow } from '../../shared/live.js';
import { DEFAULT_TIME_ZONE, scopeZones, type ScopeZones } from '../../shared/zones.js';
import type { Clock } from '../clock.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { AcceptedEvent } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import { scanEvents } from '../store/events.store.js';
import { addInto, parseCounters, zero, type Counters } from './counters.js';
import { alignOutward, CELL_PREFIX, contactKeyOf, creditRuleOf, KpiEngine } from './engine.js';
import { AGENT_QUEUE_PREFIX, parseAgentQueue } from './contributions.js';
import { kpisOf } from './formulas.js';
import { historyBasis, KpiHistory } from './history.js';

export type { TrendPoint };
export const GRANULARITIES = ['interval', 'hour', 'day', 'week'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
/** A trend never has more points than this; a finer request is answered at the next coarser granularity. */
export const MAX_POINTS = 500;

/** Flush period: late events for days already in history are folded in and the hot window moves on this often. */
const FLUSH_MS = 5_000;
/**
 * Days the engine keeps in memory before today: a week of repeat-contact FCR window plus one, so every figure still
 * provisional, and every live window, is answered from memory.
 */
export const HOT_DAYS = FCR_WINDOW_DAYS + 1;
const DAY_MS = 86_400_000;

export interface KpiServiceOptions {
  /** Raw events older than this many days are deleted by retention (0: kept): their days are never recomputed. */
  eventRetentionDays?: number;
  /**
   * Whether this node writes the rollups and the checkpoint. With several nodes only the leader does (server/cluster);
   * the others read what it wrote and keep in memory any day it has not rolled up yet.
   */
  isWriter?: () => boolean;
  /** The highest event seq delivered to onStored (the cluster's change feed); by default the store's max seq. */
  deliveredSeq?: () => number;
}

/**
 * The engine holds the hot window (today and the 8 days before, contact by contact); everything before it lives in
 * the persisted rollups (history.ts). A query spanning both sums the two. Events are applied to the engine as they
 * are stored; an event for a contact older than the window marks that contact's day for recomputation from raw
 * events at the next flush, and the window moves on (its oldest day recomputed into the rollups, then forgotten by the
 * engine) at the first flush after local midnight.
 */
export class KpiService {
  private engine: KpiEngine | undefined;
  private history: KpiHistory | undefined;
  private basis = '';
  private cutoff = 0;
  private readonly scopeCache = new Map<string, { history: KpiHistory; atMs: number; stored: string[] }>();
  private rebuilding: Promise<void> | undefined;
  private again: Promise<void> | undefined;
  private held: FrontlineEvent[] = [];
  private tz = DEFAULT_TIME_ZONE;
  private zones: ScopeZones | undefined;
  private rebuiltSinceTouched = false;
  /** Local days before the cutoff whose rollups must be recomputed from raw events. */
  private staleDays = new Set<number>();
  /** Stale days a flush is recomputing right now. */
  private folding = new Set<number>();
  /** On a reader node: stale days the writer folds, with the flushes left before they count as folded. */
  private writerFolds = new Map<number, number>();
  /** Events for contacts the engine does not hold: resolved against the store (old contact, or one not yet offered). */
  private unknown: FrontlineEvent[] = [];
  /** Offers whose 7-day look-back reaches into history: the customer's contacts there may now count as repeated. */
  private lookbacks: { customerId: string; fromMs: number; toMs: number }[] = [];
  private resolving: Promise<void> = Promise.resolve();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** What the last (re)load read: events replayed for the hot window, raw events read to recompute history, tail events. */
  lastLoad = { hotEvents: 0, historyEvents: 0, tail: 0, ms: 0 };
  /** Max event seq seen at the previous flush: everything up to it has been delivered to onStored by now. */
  private seqMark = 0;

  constructor(
    private readonly store: Store,
    private readonly directory: DirectoryService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: KpiServiceOptions = {},
  ) {}

  async start(): Promise<void> {
    await this.rebuild('resume');
    this.timer = setInterval(() => void this.flush().catch((err: unknown) => this.logger.error({ err }, 'KPI history flush failed')), FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.settle();
  }

  /** When a contact the engine holds (the hot window) was offered, or undefined. */
  contactTime(contactId: string): number | undefined {
    return this.engine?.timeOf(contactId);
  }

  now(): number {
    return this.clock.now();
  }

  private isWriter(): boolean {
    return this.options.isWriter?.() ?? true;
  }

  /** The centre's time zone: centre-wide figures' days (the centre, channels, queues with no site). */
  get timeZone(): string {
    return this.tz;
  }

  /** The centre's credit rule for surveys, FCR and complaints (README "Legs and credit"). */
  async creditRule(): Promise<CreditRule> {
    return creditRuleOf(await this.directory.get());
  }

  /** The time zone `scope`'s days and weeks follow (shared/zones.ts). */
  zoneOf(scope: string): string {
    return this.zones?.own(scope) ?? this.tz;
  }

  /**
   * Whether [fromMs, toMs) overlaps a day that has received events not yet folded into history (or history is being
   * rebuilt): figures for it may still change within seconds. Waits for the events just stored to be located first.
   */
  async pendingIn(fromMs: number, toMs: number): Promise<boolean> {
    await this.resolving;
    const history = this.history;
    if (!history) return true;
    if (this.rebuilding && fromMs < this.cutoff) return true;
    for (const d of [...this.staleDays, ...this.folding, ...this.writerFolds.keys()]) if (fromMs < history.addDays(d, 1) && toMs > d) return true;
    return false;
  }

  /** Start of the hot window: history (rollups) holds everything before it. */
  get hotFrom(): number {
    return this.cutoff;
  }

  /** Contacts the engine holds in memory (bench). */
  get contactsInMemory(): number {
    return this.engine?.size ?? 0;
  }

  /** Drops expired orphans from the engine (server/ingest/orphans.ts), as a rebuild would leave them out. */
  forgetOrphans(contactIds: readonly string[]): number {
    let dropped = 0;
    for (const id of contactIds) if (this.engine?.dropOrphan(id)) dropped++;
    return dropped;
  }

  onStored(events: AcceptedEvent[]): void {
    if (!this.engine || this.rebuilding) {
      for (const e of events) this.held.push(e.event);
      return;
    }
    this.applyLive(events.map((e) => e.event));
  }

  /**
   * Rebuilds the engine (directory changed, data erased): the rollups of every day that still has raw events, then
   * the hot window. A request that arrives while one runs gets a fresh one after it: the running one may have read the
   * old directory or rows erased since.
   */
  rebuild(mode: 'full' | 'resume' = 'full'): Promise<void> {
    if (this.rebuilding) {
      this.again ??= this.rebuilding.then(() => {
        this.again = undefined;
        return this.rebuild(mode);
      });
      return this.again;
    }
    this.rebuilding = this.replay(mode).finally(() => (this.rebuilding = undefined));
    return this.rebuilding;
  }

  /** Waits until every event delivered so far is reflected in the engine and the rollups (tests, shutdown). */
  async settle(): Promise<void> {
    await this.rebuilding;
    await this.flush();
  }

  /** KPIs for a scope over [fromMs, toMs), rounded outward to whole quarter-hours: history and hot window summed. */
  async query(scope: string, fromMs: number, toMs: number): Promise<KpiSet> {
    const { fromMs: from, toMs: to } = alignOutward(fromMs, toMs);
    return kpisOf(await this.counters(scope, from, to), to > this.clock.now() - FCR_WINDOW_DAYS * DAY_MS);
  }

  /** The summed counters behind `query` (for figures a KPI value alone does not carry, such as spreads). */
  async counters(scope: string, fromMs: number, toMs: number): Promise<Counters> {
    const engine = this.ready();
    const history = this.history as KpiHistory;
    const cutoff = this.cutoff;
    const { fromMs: from, toMs: to } = alignOutward(fromMs, toMs);
    const sum = from < cutoff ? await history.sum(scope, from, Math.min(to, cutoff)) : zero();
    if (to > cutoff) addInto(sum, engine.counters(scope, Math.max(from, cutoff), to), 1);
    return sum;
  }

  /**
   * Segment cells' counters over [fromMs, toMs) (rounded outward to quarter-hours), handed to `visit` row by row with
   * the start of what each row covers: with grain 'day', stored whole local days come as day rows and everything else
   * (edges, the hot window) per quarter-hour; with grain 'interval', every row is a quarter-hour (hours-of-day filters).
   */
  async visitCells(cells: string[], fromMs: number, toMs: number, grain: 'day' | 'interval', visit: (cell: string, startMs: number, counters: Counters) => void): Promise<void> {
    const engine = this.ready();
    const history = this.history as KpiHistory;
    const cutoff = this.cutoff;
    const { fromMs: from, toMs: to } = alignOutward(fromMs, toMs);
    const coldTo = Math.min(to, cutoff);
    if (from < coldTo) {
      const read = async (g: 'day' | 'interval', a: number, b: number) => {
        for (const r of await history.rowsOf(cells, g, a, b)) visit(r.scope, r.start_ms, parseCounters(r.counters));
      };
      const fullFrom = history.dayStart(from) === from ? from : history.addDays(history.dayStart(from), 1);
      const fullTo = history.dayStart(coldTo);
      if (grain === 'day' && fullFrom < fullTo) {
        await read('day', fullFrom, fullTo);
        await read('interval', from, fullFrom);
        await read('interval', fullTo, coldTo);
      } else await read('interval', from, coldTo);
    }
    if (to > cutoff) for (const cell of cells) for (const [start, c] of engine.intervalsOf(cell, Math.max(from, cutoff), to)) visit(cell, start, c);
  }

  /** Every segment cell with figures, stored or in the hot window (cached for a minute: new cells appear rarely). */
  async knownCells(): Promise<string[]> {
    return this.knownScopes(CELL_PREFIX);
  }

  /** The agents with figures on a queue (the KPI engine's agent × queue scopes), stored or in the hot window. */
  async agentsOnQueue(queueId: string): Promise<string[]> {
    const out: string[] = [];
    for (const s of await this.knownScopes(AGENT_QUEUE_PREFIX)) {
      const aq = parseAgentQueue(s);
      if (aq?.queueId === queueId) out.push(aq.agentId);
    }
    return out;
  }

  /** Every scope named `prefix…` with figures, stored or in the hot window (the stored list cached for a minute). */
  private async knownScopes(prefix: string): Promise<string[]> {
    const engine = this.ready();
    const history = this.history as KpiHistory;
    const cached = this.scopeCache.get(prefix);
    let stored = cached?.stored;
    if (!cached || cached.history !== history || this.clock.now() - cached.atMs > 60_000) {
      stored = await history.scopesLike(prefix);
      this.scopeCache.set(prefix, { history, atMs: this.clock.now(), stored });
    }
    const all = new Set(stored);
    for (const s of engine.scopes()) if (s.startsWith(prefix)) all.add(s);
    return [...all].sort();
  }

  /** Local midnight at or before `ms` in `scope`'s time zone (the centre's by default). */
  dayStart(ms: number, scope = 'centre'): number {
    const history = this.history as KpiHistory;
    return history.dayStartIn(this.zoneOf(scope), ms);
  }

  /** KPIs for a window inside the hot window (the live windows), answered from memory without waiting. */
  queryLive(scope: string, fromMs: number, toMs: number): KpiSet {
    return this.ready().query(scope, Math.max(fromMs, this.cutoff), toMs, this.clock.now());
  }

  /** Scopes changed since the last call (all of them after a rebuild). */
  takeTouched(): Set<string> | 'all' {
    if (this.rebuiltSinceTouched) {
      this.rebuiltSinceTouched = false;
      this.engine?.takeTouched();
      return 'all';
    }
    return this.engine ? this.engine.takeTouched() : new Set();
  }

  /**
   * Applies stored events to the engine. An event for a contact the engine does not hold (other than its offer) is
   * resolved against the store; an event landing before the hot window marks its day stale; an offer whose look-back
   * reaches into history is checked against the customer's older contacts.
   */
  private applyLive(events: FrontlineEvent[]): void {
    const engine = this.engine as KpiEngine;
    engine.beginBatch();
    for (const e of events) {
      const key = contactKeyOf(e);
      if (key === undefined) continue;
      if (e.type !== 'contact.offered' && e.type !== 'complaint.logged' && !engine.has(key)) {
        this.unknown.push(e);
        continue;
      }
      if (e.type === 'complaint.logged' && e.contactId !== undefined && !engine.has(key)) {
        this.unknown.push(e);
        continue;
      }
      engine.apply(e);
      this.classify(key, e);
    }
    engine.endBatch();
    if (this.unknown.length > 0 || this.lookbacks.length > 0) this.resolving = this.resolving.then(() => this.resolve()).catch((err: unknown) => this.logger.error({ err }, 'resolving KPI events failed'));
  }

  /** After an event was applied: history it affects. */
  private classify(key: string, e: FrontlineEvent): void {
    const t = (this.engine as KpiEngine).timeOf(key);
    if (t !== undefined && t < this.cutoff) this.staleDays.add((this.history as KpiHistory).dayStart(t));
    if (e.type === 'contact.offered' && e.customerId !== undefined) {
      const at = Date.parse(e.occurredAt);
      if (at - FCR_WINDOW_DAYS * DAY_MS < this.cutoff) this.lookbacks.push({ customerId: e.customerId, fromMs: at - FCR_WINDOW_DAYS * DAY_MS, toMs: Math.min(at, this.cutoff) });
    }
  }

  /** Loads the stored events of contacts the engine did not hold, and checks look-backs into history. */
  private async resolve(): Promise<void> {
    const engine = this.engine;
    const history = this.history;
    if (!engine || !history) return;
    const events = this.unknown.splice(0);
    const lookbacks = this.lookbacks.splice(0);
    const ids = [...new Set(events.map((e) => contactKeyOf(e) as string))];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.store.db.selectFrom('events').select('payload').where('contact_id', 'in', ids.slice(i, i + 500)).where('expired_ms', 'is', null).orderBy('seq').execute();
      // The engine ignores what it has already seen, so stored events overlapping live ones are harmless.
      for (const r of rows) {
        const e = JSON.parse(r.payload) as FrontlineEvent;
        engine.apply(e);
        this.classify(contactKeyOf(e) as string, e);
      }
    }
    for (const e of events) {
      engine.apply(e);
      this.classify(contactKeyOf(e) as string, e);
    }
    for (const l of [...lookbacks, ...this.lookbacks.splice(0)]) {
      const rows = await this.store.db
        .selectFrom('events')
        .select('occurred_ms')
        .where('customer_id', '=', l.customerId)
        .where('type', '=', 'contact.offered')
        .where('occurred_ms', '>=', l.fromMs)
        .where('occurred_ms', '<', l.toMs)
        .execute();
      for (const r of rows) this.staleDays.add(history.dayStart(Number(r.occurred_ms)));
    }
  }

  /**
   * Folds stale days into the rollups, moves the hot window on after local midnight, and records a checkpoint. Runs
   * every few seconds; calls overlapping a running flush wait for it and run once more.
   */
  flush(): Promise<void> {
    const run = async (): Promise<void> => {
      await this.rebuilding;
      await this.resolving;
      const engine = this.engine;
      const history = this.history;
      if (!engine || !history) return;
      const writer = this.isWriter();
      const mark = this.options.deliveredSeq?.() ?? (await history.maxSeq());
    // Events held so far were committed before `mark` was read, so the reads below (history and hot window) include
    // them; only events stored from here on need applying after the replay.
    this.held = [];
      const rawFrom = this.rawFrom(history);
      const next = this.cutoffAt(this.clock.now(), history);
      if (next > this.cutoff) {
        if (writer) {
          await history.rebuildDays(Math.max(this.cutoff, rawFrom), next, { floorMs: rawFrom, limitMs: next });
          this.cutoff = next;
        } else {
          // A reader moves its window on only once the writer has rolled the days leaving it up.
          const saved = await history.checkpoint();
          if (saved && saved.basis === this.basis) this.cutoff = Math.max(this.cutoff, Math.min(next, saved.cutoffMs));
        }
      }
      const stale = [...this.staleDays].filter((d) => d < this.cutoff && d >= rawFrom).sort((a, b) => a - b);
      this.staleDays = new Set();
      // A reader leaves stale days to the writer, which sees the same events through the change feed.
      if (writer) {
        this.folding = new Set(stale);
        try {
          for (const d of stale) {
            await history.rebuildDays(d, history.addDays(d, 1), { floorMs: rawFrom, limitMs: this.cutoff });
            this.folding.delete(d);
          }
        } catch (err) {
          // Still stale (and pending): the next flush tries again.
          for (const d of this.folding) this.staleDays.add(d);
          throw err;
        } finally {
          this.folding = new Set();
        }
      } else {
        // Folded by the writer within a flush or two: counted as pending until then.
        for (const [d, left] of this.writerFolds) if (left <= 1) this.writerFolds.delete(d);
        else this.writerFolds.set(d, left - 1);
        for (const d of stale) this.writerFolds.set(d, 2);
      }
      engine.evictBefore(this.cutoff);
      if (writer) await history.saveCheckpoint({ basis: this.basis, cutoffMs: this.cutoff, throughSeq: this.seqMark }, this.clock.now());
      this.seqMark = mark;
    };
    const p = (this.flushing ?? Promise.resolve()).then(run, run);
    this.flushing = p.finally(() => {
      if (this.flushing === p) this.flushing = undefined;
    });
    return p;
  }

  /** The hot window's start for a given time: local midnight HOT_DAYS before today. */
  private cutoffAt(nowMs: number, history: KpiHistory): number {
    return history.addDays(history.dayStart(nowMs), -HOT_DAYS);
  }

  /** The first local day whose raw events are all still stored (retention deletes older ones). */
  private rawFrom(history: KpiHistory): number {
    const days = this.options.eventRetentionDays ?? 0;
    if (days <= 0) return Number.NEGATIVE_INFINITY;
    return history.addDays(history.dayStart(this.clock.now() - days * DAY_MS), 1);
  }

  /** A live window's range now: today (in `scope`'s zone), the current 15-minute interval, or the rolling last 60 minutes. */
  windowRange(window: LiveWindow, scope = 'centre'): { fromMs: number; toMs: number } {
    const now = this.clock.now();
    if (window === 'today') return this.today(scope);
    if (window === 'interval') {
      const start = Math.floor(now / INTERVAL_MS) * INTERVAL_MS;
      return { fromMs: start, toMs: start + INTERVAL_MS };
    }
    // Rolling hour at the engine's 15-minute resolution: the current quarter-hour and the three before it.
    const end = Math.floor(now / INTERVAL_MS) * INTERVAL_MS + INTERVAL_MS;
    return { fromMs: end - 4 * INTERVAL_MS, toMs: end };
  }

  /** Today (its whole local day) in `scope`'s time zone, the centre's by default. */
  today(scope = 'centre'): { fromMs: number; toMs: number } {
    const tz = this.zoneOf(scope);
    const start = startOfDay(new TZDate(this.clock.now(), tz)).getTime();
    return { fromMs: start, toMs: addDays(new TZDate(start, tz), 1).getTime() };
  }

  /**
   * A KPI's trend: one point per period in `scope`'s time zone, history from rollups and the hot window from memory;
   * with the zone and whether the range is still pending (see pendingIn).
   */
  async trend(kpi: KpiName, scope: string, fromMs: number, toMs: number, wanted: Granularity): Promise<{ granularity: Granularity; points: TrendPoint[]; timeZone: string; pending: boolean }> {
    const tz = this.zoneOf(scope);
    let g = wanted;
    let starts = this.boundaries(fromMs, toMs, g, tz);
    while (starts.length - 1 > MAX_POINTS && g !== 'week') {
      g = GRANULARITIES[GRANULARITIES.indexOf(g) + 1] as Granularity;
      starts = this.boundaries(fromMs, toMs, g, tz);
    }
    const pending = await this.pendingIn(starts[0] as number, starts[starts.length - 1] as number);
    const engine = this.ready();
    const cutoff = this.cutoff;
    const now = this.clock.now();
    const cold = (starts[0] as number) < cutoff ? await (this.history as KpiHistory).series(scope, starts, cutoff) : undefined;
    const points: TrendPoint[] = [];
    for (let i = 0; i + 1 < starts.length; i++) {
      const a = starts[i] as number;
      const b = starts[i + 1] as number;
      const sum = cold?.[i] ?? zero();
      if (b > cutoff) addInto(sum, engine.counters(scope, Math.max(a, cutoff), b), 1);
      const v: KpiValue = kpisOf(sum, b > now - FCR_WINDOW_DAYS * DAY_MS)[kpi];
      points.push({ start: new Date(a).toISOString(), end: new Date(b).toISOString(), value: v.value, n: v.n, ...(v.provisional ? { provisional: true } : {}) });
    }
    return { granularity: g, points, timeZone: tz, pending };
  }

  /** Period boundaries covering [fromMs, toMs), aligned to the granularity in the time zone `tz`. */
  private boundaries(fromMs: number, toMs: number, g: Granularity, tz: string): number[] {
    const align = (ms: number): TZDate => {
      const d = new TZDate(ms, tz);
      switch (g) {
        case 'interval':
          return new TZDate(Math.floor(ms / INTERVAL_MS) * INTERVAL_MS, tz);
        case 'hour':
          return startOfHour(d);
        case 'day':
          return startOfDay(d);
        case 'week':
          return startOfWeek(d, { weekStartsOn: 1 });
      }
    };
    const step = (d: TZDate): TZDate => (g === 'interval' ? addMinutes(d, 15) : g === 'hour' ? addHours(d, 1) : g === 'day' ? addDays(d, 1) : addWeeks(d, 1));
    const out: number[] = [];
    let d = align(fromMs);
    // Bounded: a caller asking for years at 15 minutes is answered coarser before this runs long.
    for (let guard = 0; d.getTime() < toMs && guard < 200_000; guard++) {
      out.push(d.getTime());
      d = step(d);
    }
    out.push(d.getTime());
    return out;
  }

  private ready(): KpiEngine {
    if (!this.engine) throw new Error('the KPI engine is still loading');
    return this.engine;
  }

  /**
   * 'resume' (start-up): keeps the stored rollups when their basis matches and the checkpoint is there, recomputing
   * only the days that left the hot window since and the days touched by events stored after the checkpoint.
   * 'full': recomputes the rollups of every day that still has raw events.
   */
  private async replay(mode: 'full' | 'resume'): Promise<void> {
    const t0 = Date.now();
    const dir = await this.directory.get();
    const zones = scopeZones(dir);
    const history = new KpiHistory(this.store, dir);
    const basis = historyBasis(dir);
    let cutoff = this.cutoffAt(this.clock.now(), history);
    const rawFrom = this.rawFrom(history);
    const mark = this.options.deliveredSeq?.() ?? (await history.maxSeq());
    const writer = this.isWriter();
    const saved = mode === 'resume' || !writer ? await history.checkpoint() : undefined;
    let recomputed = 0;
    let tail: FrontlineEvent[] = [];
    if (!writer) {
      // A reader never writes: it keeps in memory the days the writer has not rolled up yet.
      if (saved && saved.basis === basis && saved.cutoffMs < cutoff) cutoff = saved.cutoffMs;
    } else if (saved && saved.basis === basis) {
      // Days that left the hot window while the server was down.
      if (saved.cutoffMs < cutoff) recomputed += await history.rebuildDays(Math.max(saved.cutoffMs, rawFrom), cutoff, { floorMs: rawFrom, limitMs: cutoff });
      // Events stored after the checkpoint: the ones for older contacts are found by running them through applyLive.
      const rows = await this.store.db.selectFrom('events').select('payload').where('seq', '>', saved.throughSeq).where('expired_ms', 'is', null).orderBy('seq').execute();
      tail = rows.map((r) => JSON.parse(r.payload) as FrontlineEvent);
    } else {
      // Marked first, so a crash half-way through means a full rebuild at the next start, not a resume.
      await history.saveCheckpoint({ basis: 'rebuilding', cutoffMs: cutoff, throughSeq: 0 }, this.clock.now());
      const first = await history.firstDay();
      const from = Math.max(first ?? cutoff, rawFrom);
      if (from < cutoff) recomputed += await history.rebuildDays(from, cutoff, { floorMs: rawFrom, limitMs: cutoff });
      // Rows outside what was recomputed are void, except days whose raw events retention has deleted. The rebuild
      // wrote from the earliest local midnight (of any zone) of the first day.
      await history.deleteOutside(rawFrom === Number.NEGATIVE_INFINITY ? history.earliestDayStart(from) : Number.NEGATIVE_INFINITY, cutoff);
    }
    // The hot window: every event of every contact with anything from the window's start on. Read in two passes
    // (the engine takes events in any order): the events from the window's start, then the earlier events of the
    // contacts that straddle it (offered before midnight, surveyed after). One query paging through
    // `contact_id IN (the window's contacts)` made the database rebuild that list for every page, which grows as the
    // square of the window: 92 s to load a 5,000-agent centre's three days.
    const engine = new KpiEngine(dir);
    engine.beginBatch();
    const fromWindow = await scanEvents(
      this.store.db,
      (q) => q.where('occurred_ms', '>=', cutoff).where((eb) => eb.or([eb('contact_id', 'is not', null), eb('type', '=', 'complaint.logged')])),
      (e) => engine.apply(e),
    );
    const straddling = await scanEvents(
      this.store.db,
      (q) =>
        q
          .where('occurred_ms', '<', cutoff)
          .where('contact_id', 'in', (eb) => eb.selectFrom('events as h').select('h.contact_id').where('h.occurred_ms', '>=', cutoff).where('h.contact_id', 'is not', null)),
      (e) => engine.apply(e),
      // Few rows as a rule (one day's edge); a large page keeps the list above from being rebuilt many times.
      200_000,
    );
    const hotEvents = fromWindow + straddling;
    await engine.endBatchYielding();
    engine.evictBefore(cutoff);
    this.engine = engine;
    this.history = history;
    this.zones = zones;
    this.tz = zones.centre;
    this.basis = basis;
    this.cutoff = cutoff;
    this.staleDays = new Set();
    this.writerFolds = new Map();
    this.unknown = [];
    this.lookbacks = [];
    this.seqMark = mark;
    this.applyLive([...tail, ...this.held.splice(0)]);
    await this.resolving;
    if (writer) await history.saveCheckpoint({ basis, cutoffMs: cutoff, throughSeq: this.staleDays.size === 0 ? mark : saved?.throughSeq ?? 0 }, this.clock.now());
    this.rebuiltSinceTouched = true;
    this.lastLoad = { hotEvents, historyEvents: recomputed, tail: tail.length, ms: Date.now() - t0 };
    this.logger.info(this.lastLoad, 'KPI engine loaded: history from rollups, hot window from raw events');
  }
}
