/**
 * Keeps the KPI engine fed: rebuilt from stored events at start (and after erasure or a directory change), then
 * updated from every commit. Events committed while a rebuild runs are held and applied after it; the engine ignores
 * what it has already seen, so the overlap is harmless.
 *
 * Windows and trend points follow the centre's time zone: days start at local midnight (23 or 25 hours long at the
 * clock changes), weeks on Monday.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, addHours, addMinutes, addWeeks, startOfDay, startOfHour, startOfWeek } from 'date-fns';
import type { FrontlineEvent } from '../../shared/events.js';
import { INTERVAL_MS, type KpiName, type KpiSet, type KpiValue } from '../../shared/kpis.js';
import type { LiveWindow } from '../../shared/live.js';
import type { Clock } from '../clock.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { AcceptedEvent } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import { KpiEngine } from './engine.js';

const REPLAY_PAGE = 5_000;
const DEFAULT_TIME_ZONE = 'Europe/London';
export const GRANULARITIES = ['interval', 'hour', 'day', 'week'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
/** A trend never has more points than this; a finer request is answered at the next coarser granularity. */
export const MAX_POINTS = 500;

export interface TrendPoint {
  start: string;
  end: string;
  value: number | null;
  n: number;
  provisional?: boolean;
}

export class KpiService {
  private engine: KpiEngine | undefined;
  private rebuilding: Promise<void> | undefined;
  private again: Promise<void> | undefined;
  private held: FrontlineEvent[] = [];
  private tz = DEFAULT_TIME_ZONE;
  private rebuiltSinceTouched = false;

  constructor(
    private readonly store: Store,
    private readonly directory: DirectoryService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  start(): Promise<void> {
    return this.rebuild();
  }

  now(): number {
    return this.clock.now();
  }

  get timeZone(): string {
    return this.tz;
  }

  onStored(events: AcceptedEvent[]): void {
    if (!this.engine || this.rebuilding) {
      for (const e of events) this.held.push(e.event);
      return;
    }
    for (const e of events) this.engine.apply(e.event);
  }

  /**
   * Rebuilds from the store (directory changed, data erased). A request that arrives while a replay runs gets a fresh
   * replay after it: the running one may have read the old directory or rows erased since.
   */
  rebuild(): Promise<void> {
    if (this.rebuilding) {
      this.again ??= this.rebuilding.then(() => {
        this.again = undefined;
        return this.rebuild();
      });
      return this.again;
    }
    this.rebuilding = this.replay().finally(() => (this.rebuilding = undefined));
    return this.rebuilding;
  }

  query(scope: string, fromMs: number, toMs: number): KpiSet {
    return this.ready().query(scope, fromMs, toMs, this.clock.now());
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

  /** A live window's range now: today, the current 15-minute interval, or the rolling last 60 minutes. */
  windowRange(window: LiveWindow): { fromMs: number; toMs: number } {
    const now = this.clock.now();
    if (window === 'today') return this.today();
    if (window === 'interval') {
      const start = Math.floor(now / INTERVAL_MS) * INTERVAL_MS;
      return { fromMs: start, toMs: start + INTERVAL_MS };
    }
    // Rolling hour at the engine's 15-minute resolution: the current quarter-hour and the three before it.
    const end = Math.floor(now / INTERVAL_MS) * INTERVAL_MS + INTERVAL_MS;
    return { fromMs: end - 4 * INTERVAL_MS, toMs: end };
  }

  /** Today so far in the centre's time zone. */
  today(): { fromMs: number; toMs: number } {
    const start = startOfDay(new TZDate(this.clock.now(), this.tz)).getTime();
    return { fromMs: start, toMs: addDays(new TZDate(start, this.tz), 1).getTime() };
  }

  trend(kpi: KpiName, scope: string, fromMs: number, toMs: number, wanted: Granularity): { granularity: Granularity; points: TrendPoint[] } {
    let g = wanted;
    let starts = this.boundaries(fromMs, toMs, g);
    while (starts.length - 1 > MAX_POINTS && g !== 'week') {
      g = GRANULARITIES[GRANULARITIES.indexOf(g) + 1] as Granularity;
      starts = this.boundaries(fromMs, toMs, g);
    }
    const engine = this.ready();
    const now = this.clock.now();
    const points: TrendPoint[] = [];
    for (let i = 0; i + 1 < starts.length; i++) {
      const a = starts[i] as number;
      const b = starts[i + 1] as number;
      const v: KpiValue = engine.query(scope, a, b, now)[kpi];
      points.push({ start: new Date(a).toISOString(), end: new Date(b).toISOString(), value: v.value, n: v.n, ...(v.provisional ? { provisional: true } : {}) });
    }
    return { granularity: g, points };
  }

  /** Period boundaries covering [fromMs, toMs), aligned to the granularity in the centre's time zone. */
  private boundaries(fromMs: number, toMs: number, g: Granularity): number[] {
    const tz = this.tz;
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

  private async replay(): Promise<void> {
    const t0 = Date.now();
    const dir = await this.directory.get();
    this.tz = dir.sites[0]?.timeZone ?? DEFAULT_TIME_ZONE;
    const engine = new KpiEngine(dir);
    let after = 0;
    let replayed = 0;
    for (;;) {
      const rows = await this.store.db.selectFrom('events').select(['seq', 'payload']).where('seq', '>', after).orderBy('seq').limit(REPLAY_PAGE).execute();
      for (const r of rows) engine.apply(JSON.parse(r.payload) as FrontlineEvent);
      replayed += rows.length;
      if (rows.length < REPLAY_PAGE) break;
      after = Number(rows[rows.length - 1]?.seq);
    }
    for (const e of this.held.splice(0)) engine.apply(e);
    this.engine = engine;
    this.rebuiltSinceTouched = true;
    this.logger.info({ replayed, ms: Date.now() - t0 }, 'KPI engine rebuilt from the store');
  }
}
