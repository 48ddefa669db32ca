/**
 * KPI history: persisted rollups for the days before the hot window, on SQLite and PostgreSQL.
 *
 * A simulated fortnight is delivered messily (late, duplicated, shuffled) to a running KpiService whose clock stands
 * at the end of the fortnight, so six days are history and eight are hot. Every KPI of every scope, per day and over
 * the fortnight, must equal a plain engine fed every stored event (itself checked against the raw-event oracle in
 * oracle.test.ts); and stay equal after a restart (which must not recompute history), after a full rebuild (which
 * must write byte-identical rollups), after the hot window moves on a day, and after retention deletes old raw events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import { KPI_NAMES, type KpiSet } from '../../../shared/kpis.js';
import { ManualClock } from '../../../server/clock.js';
import { DirectoryService } from '../../../server/directory/directory.service.js';
import { IngestService } from '../../../server/ingest/ingest.service.js';
import { KpiEngine } from '../../../server/kpi/engine.js';
import { KpiHistory } from '../../../server/kpi/history.js';
import { KpiService } from '../../../server/kpi/kpi.service.js';
import { silentLogger } from '../../../server/logger.js';
import { CentreSimulator, defaultCentreDirectory } from '../../../server/simulator/index.js';
import { Rng } from '../../../server/simulator/random.js';
import { deliveries, directoryScopes } from '../../support/kpi-oracle.js';
import { openTestStore, type TestStore } from '../../support/stores.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 9, 5); // a Monday, in British Summer Time (local midnight is 23:00 UTC the day before)
const DAYS = 14;
const directory = defaultCentreDirectory();
const scopes = directoryScopes(directory);

function expectSame(got: KpiSet, want: KpiSet, where: string): void {
  for (const k of KPI_NAMES) {
    expect(got[k].n, `${where} ${k} n`).toBe(want[k].n);
    const a = got[k].value;
    const b = want[k].value;
    if (a === null || b === null) expect(a, `${where} ${k}`).toBe(b);
    else expect(Math.abs(a - b), `${where} ${k}: history ${a}, engine ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    for (const [x, v] of Object.entries(want[k].extra ?? {})) {
      const g = got[k].extra?.[x] ?? null;
      if (v === null || g === null) expect(g, `${where} ${k}.${x}`).toBe(v);
      else expect(Math.abs(g - v), `${where} ${k}.${x}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
    }
  }
}

describe.each(['sqlite', 'postgres'] as const)('KPI history on %s', (dialect) => {
  let store: TestStore;
  let clock: ManualClock;
  let dirs: DirectoryService;
  let kpis: KpiService;
  let truth: KpiEngine;
  let localDays: number[];

  /** Local-day windows of the fortnight (the centre is in Europe/London), and the whole fortnight. */
  const windows = (): [number, number][] => [[localDays[0] as number, localDays[DAYS] as number], ...localDays.slice(0, DAYS).map((d, i) => [d, localDays[i + 1] as number] as [number, number])];

  async function compareAll(service: KpiService, what: string): Promise<number> {
    let compared = 0;
    for (const [from, to] of windows()) {
      for (const scope of scopes) {
        expectSame(await service.query(scope, from, to), truth.query(scope, from, to, clock.now()), `${what} ${scope} ${new Date(from).toISOString()}`);
        compared++;
      }
    }
    return compared;
  }

  beforeAll(async () => {
    store = await openTestStore(dialect);
    dirs = new DirectoryService(store);
    await dirs.replace(directory);
    const sim = new CentreSimulator({ seed: 11, startMs: START, directory, scenarioWindowDays: DAYS });
    const events = sim.advanceTo(START + DAYS * DAY);
    const { batches } = deliveries(events, new Rng(5, 99, 1));
    // Late on the last day: the hot window is that day and the 8 before; the first 6 days are history.
    clock = new ManualClock(START + (DAYS - 1) * DAY + 20 * 3600_000);
    kpis = new KpiService(store, dirs, clock, silentLogger);
    await kpis.start();
    const ingest = new IngestService({ store, clock, logger: silentLogger, maxClockSkewMs: 0, onStored: (a) => kpis.onStored(a) });
    for (const b of batches) await ingest.ingest(b);
    await kpis.settle();
    const rows = await store.db.selectFrom('events').select('payload').orderBy('seq').execute();
    truth = new KpiEngine(directory);
    for (const r of rows) truth.apply(JSON.parse(r.payload) as FrontlineEvent);
    const h = new KpiHistory(store, directory, 'Europe/London');
    localDays = Array.from({ length: DAYS + 1 }, (_, i) => h.addDays(h.dayStart(START + 12 * 3600_000), i));
  }, 240_000);

  afterAll(async () => {
    await kpis?.stop();
    await store?.cleanup();
  });

  it('answers history from rollups and the hot window from memory, equal to a plain engine over every stored event', async () => {
    expect(kpis.hotFrom).toBe(localDays[DAYS - 1 - 8]);
    const rollups = await store.db.selectFrom('kpi_rollups').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(rollups.n)).toBeGreaterThan(1000);
    // Nothing before the hot window is held in memory.
    expect(kpis.contactsInMemory).toBeLessThan(truth.size * 0.75);
    const compared = await compareAll(kpis, 'live');
    console.log(`history (${dialect}): ${compared} scope-windows equal; ${Number(rollups.n)} rollup rows; ${kpis.contactsInMemory} of ${truth.size} contacts in memory`);
    // A trend across the boundary: daily points, history and hot window alike.
    const trend = await kpis.trend('csat', 'centre', localDays[0] as number, localDays[DAYS] as number, 'day');
    expect(trend.points).toHaveLength(DAYS);
    trend.points.forEach((p, i) => {
      const want = truth.query('centre', localDays[i] as number, localDays[i + 1] as number, clock.now()).csat;
      expect(p.n).toBe(want.n);
      expect(p.value).toBeCloseTo(want.value as number, 12);
    });
  }, 120_000);

  it('a restart resumes from the checkpoint without recomputing history, and answers the same', async () => {
    const again = new KpiService(store, dirs, clock, silentLogger);
    await again.start();
    expect(again.lastLoad.historyEvents).toBe(0);
    expect(again.lastLoad.hotEvents).toBeGreaterThan(0);
    await compareAll(again, 'restarted');
    await again.stop();
  }, 120_000);

  it('the rebuild command recomputes byte-identical rollups from raw events', async () => {
    const h = new KpiHistory(store, directory, 'Europe/London');
    const before = await h.allRows();
    await kpis.rebuild('full');
    const after = await h.allRows();
    expect(after.length).toBe(before.length);
    expect(after).toEqual(before);
    expect(kpis.lastLoad.historyEvents).toBeGreaterThan(0);
  }, 120_000);

  it('the hot window moves on at local midnight: the day leaving it goes into the rollups and out of memory', async () => {
    const held = kpis.contactsInMemory;
    const cutoff = kpis.hotFrom;
    clock.advance(DAY);
    await kpis.settle();
    expect(kpis.hotFrom).toBe(localDays[DAYS - 8]);
    expect(kpis.hotFrom).toBeGreaterThan(cutoff);
    expect(kpis.contactsInMemory).toBeLessThan(held);
    await compareAll(kpis, 'moved');
  }, 120_000);

  it('a late survey for a contact in history is folded into its day', async () => {
    const offered = await store.db.selectFrom('events').select('contact_id').where('type', '=', 'contact.offered').where('occurred_ms', '<', localDays[1] as number).orderBy('seq').limit(1).executeTakeFirstOrThrow();
    const ingest = new IngestService({ store, clock, logger: silentLogger, maxClockSkewMs: 0, onStored: (a) => kpis.onStored(a) });
    const late: FrontlineEvent = { type: 'survey.responded', id: 'late-survey-1', occurredAt: new Date(clock.now() - 3600_000).toISOString(), contactId: offered.contact_id as string, csat: 1 };
    const before = await kpis.query('centre', localDays[0] as number, localDays[1] as number);
    const res = await ingest.ingest([late]);
    expect(res.results[0]?.status).toBe('accepted');
    truth.apply(late);
    await kpis.settle();
    const after = await kpis.query('centre', localDays[0] as number, localDays[1] as number);
    expect(after.csat.n).toBe(before.csat.n + 1);
    await compareAll(kpis, 'late');
  }, 120_000);

  it('retention deleting old raw events never loses their days from history', async () => {
    const day0 = await kpis.query('centre', localDays[0] as number, localDays[1] as number);
    const day3 = await kpis.query('centre', localDays[3] as number, localDays[4] as number);
    // Raw events of the first three days go; a service configured with that retention rebuilds everything it can.
    await store.db.deleteFrom('events').where('occurred_ms', '<', (localDays[3] as number) - 6 * 3600_000).execute();
    const retentionDays = Math.ceil((clock.now() - (localDays[3] as number)) / DAY);
    const kept = new KpiService(store, dirs, clock, silentLogger, { eventRetentionDays: retentionDays });
    await kept.start();
    await kept.rebuild('full');
    expectSame(await kept.query('centre', localDays[0] as number, localDays[1] as number), day0, 'after retention, day 0');
    expectSame(await kept.query('centre', localDays[3] as number, localDays[4] as number), day3, 'after retention, day 3');
    await kept.stop();
  }, 120_000);
});
