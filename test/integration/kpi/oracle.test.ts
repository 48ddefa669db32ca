/**
 * The oracle test: a simulated fortnight, sent with late, duplicated and out-of-order events, through the real ingest
 * path into a store; every KPI for every scope from the live engine equals the same KPI computed by the plain oracle
 * over the stored raw events, for every day, the whole fortnight and a sample of 15-minute intervals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import { KPI_NAMES, type KpiSet } from '../../../shared/kpis.js';
import { ManualClock } from '../../../server/clock.js';
import { IngestService } from '../../../server/ingest/ingest.service.js';
import { KpiEngine } from '../../../server/kpi/engine.js';
import { silentLogger } from '../../../server/logger.js';
import { CentreSimulator, defaultCentreDirectory } from '../../../server/simulator/index.js';
import { Rng } from '../../../server/simulator/random.js';
import { buildOracle, deliveries, exactQuantile, type OracleFigures } from '../../support/kpi-oracle.js';
import { openTestStore, type TestStore } from '../../support/stores.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 9, 5); // a Monday
const DAYS = 14;
const directory = defaultCentreDirectory();

let store: TestStore;
let engine: KpiEngine;
let stored: FrontlineEvent[];
let stats: { sent: number; late: number; duplicates: number; shuffledBatches: number };

beforeAll(async () => {
  const sim = new CentreSimulator({ seed: 11, startMs: START, directory, scenarioWindowDays: DAYS });
  const events = sim.advanceTo(START + DAYS * DAY);
  const { batches, late, duplicates } = deliveries(events, new Rng(5, 99, 1));
  store = await openTestStore('sqlite');
  engine = new KpiEngine(directory);
  const ingest = new IngestService({
    store,
    clock: new ManualClock(START + (DAYS + 1) * DAY),
    logger: silentLogger,
    maxClockSkewMs: 0,
    onStored: (accepted) => {
      for (const a of accepted) engine.apply(a.event);
    },
  });
  for (const b of batches) await ingest.ingest(b);
  // The engine also shrugs off events it has already seen (a replay after restart overlapping live ones).
  for (const b of batches.slice(0, 5)) for (const e of b) engine.apply(e);
  const rows = await store.db.selectFrom('events').select('payload').orderBy('seq').execute();
  stored = rows.map((r) => JSON.parse(r.payload) as FrontlineEvent);
  stats = { sent: batches.reduce((s, b) => s + b.length, 0), late, duplicates, shuffledBatches: batches.length };
}, 120_000);

function expectMatches(got: KpiSet, o: OracleFigures, where: string): void {
  const close = (a: number | null, b: number | null, what: string, rel = 1e-9) => {
    if (a === null || b === null) return expect(a, `${where} ${what}`).toBe(b);
    expect(Math.abs(a - b), `${where} ${what}: engine ${a}, oracle ${b}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
  };
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
  const share = (xs: number[], pred: (x: number) => boolean) => (xs.length === 0 ? null : xs.filter(pred).length / xs.length);
  expect(got.csat.n, `${where} csat n`).toBe(o.csat.length);
  close(got.csat.value, share(o.csat, (x) => x >= 4), 'csat');
  expect(got.fcrSurvey.n).toBe(o.fcrSurvey.length);
  close(got.fcrSurvey.value, o.fcrSurvey.length === 0 ? null : o.fcrSurvey.filter(Boolean).length / o.fcrSurvey.length, 'fcrSurvey');
  expect(got.fcrRepeat.n, `${where} fcrRepeat n`).toBe(o.fcrEligible);
  close(got.fcrRepeat.value, o.fcrEligible === 0 ? null : o.fcrFirstTime / o.fcrEligible, 'fcrRepeat');
  expect(got.serviceLevel.n, `${where} serviceLevel n`).toBe(o.slBase);
  close(got.serviceLevel.value, o.slBase === 0 ? null : o.answeredInSl / o.slBase, 'serviceLevel');
  close(got.abandonRate.value, o.slBase === 0 ? null : o.abandoned / o.slBase, 'abandonRate');
  expect(got.asa.n).toBe(o.syncWaits.length);
  close(got.asa.value, mean(o.syncWaits), 'asa');
  expect(got.firstResponse.n).toBe(o.asyncWaits.length);
  close(got.firstResponse.value, exactQuantile(o.asyncWaits, 0.5), 'firstResponse median', 0.011);
  close(got.firstResponse.extra?.p90 ?? null, exactQuantile(o.asyncWaits, 0.9), 'firstResponse p90', 0.011);
  expect(got.aht.n).toBe(o.handleTimes.length);
  close(got.aht.value, mean(o.handleTimes), 'aht');
  close(got.aht.extra?.median ?? null, exactQuantile(o.handleTimes, 0.5), 'aht median', 0.011);
  expect(got.nps.n).toBe(o.nps.length);
  close(got.nps.value, o.nps.length === 0 ? null : (100 * (o.nps.filter((x) => x >= 9).length - o.nps.filter((x) => x <= 6).length)) / o.nps.length, 'nps');
  expect(got.qa.n, `${where} qa n`).toBe(o.qa.length);
  close(got.qa.value, mean(o.qa), 'qa');
  expect(got.complaintsPer1000.extra?.count, `${where} complaints`).toBe(o.complaints);
  close(got.complaintsPer1000.value, o.offered === 0 ? null : (1000 * o.complaints) / o.offered, 'complaintsPer1000');
  for (const k of KPI_NAMES) expect(got[k], `${where} ${k}`).toBeDefined();
}

describe('live KPI engine against the raw-event oracle', () => {
  it('delivery was messy: late, duplicated and out-of-order events', () => {
    expect(stats.late).toBeGreaterThan(500);
    expect(stats.duplicates).toBeGreaterThan(1000);
    expect(stored.length).toBeLessThan(stats.sent);
    console.log(`oracle: ${stored.length} stored events from ${stats.sent} sent (${stats.duplicates} duplicates, ${stats.late} held back and sent late, ${stats.shuffledBatches} shuffled batches)`);
  });

  it('every KPI for every scope matches, per day, over the fortnight, and for sampled 15-minute intervals', () => {
    const scopes = [
      'centre',
      ...directory.sites.map((s) => `site:${s.id}`),
      ...directory.teams.map((x) => `team:${x.id}`),
      ...directory.queues.map((q) => `queue:${q.id}`),
      ...['voice', 'chat', 'email', 'messaging'].map((c) => `channel:${c}`),
      ...directory.agents.map((a) => `agent:${a.id}`),
    ];
    expect(engine.scopes().filter((s) => !scopes.includes(s))).toEqual([]);
    const windows: [number, number][] = [[START, START + DAYS * DAY]];
    for (let d = 0; d < DAYS; d++) windows.push([START + d * DAY, START + (d + 1) * DAY]);
    const rng = new Rng(9, 1, 2);
    for (let i = 0; i < 12; i++) {
      const at = START + Math.floor(rng.uniform() * DAYS) * DAY + (8 * 4 + Math.floor(rng.uniform() * 40)) * 15 * 60_000;
      windows.push([at, at + 15 * 60_000]);
    }
    const now = START + (DAYS + 30) * DAY;
    const oracle = buildOracle(stored, directory);
    let compared = 0;
    for (const [from, to] of windows) {
      for (const scope of scopes) {
        expectMatches(engine.query(scope, from, to, now), oracle(scope, from, to), `${scope} ${new Date(from).toISOString()}`);
        compared++;
      }
    }
    console.log(`oracle: ${compared} scope-windows × ${KPI_NAMES.length} KPIs matched`);
  }, 120_000);

  it('marks repeat-contact FCR provisional while its 7-day window is open', () => {
    const end = START + DAYS * DAY;
    expect(engine.query('centre', end - DAY, end, end + DAY).fcrRepeat.provisional).toBe(true);
    expect(engine.query('centre', end - DAY, end, end + 8 * DAY).fcrRepeat.provisional).toBe(false);
  });
});
