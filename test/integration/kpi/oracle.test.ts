/**
 * The oracle test: a simulated fortnight, sent with late, duplicated and out-of-order events, through the real ingest
 * path into a store; every KPI for every scope from the live engine equals the same KPI computed by the plain oracle
 * over the stored raw events, for every day, the whole fortnight and a sample of 15-minute intervals.
 *
 * It runs on two centres: the default 45-agent Leeds centre over a fortnight, and a 1,000-agent centre over three
 * sites in three time zones (London, Manila, Chicago; issue 17) over three days, which is what CI can afford. On the
 * large centre every site, team, queue and channel is compared, and a seeded sample of agents (and their agent ×
 * queue scopes) rather than all thousand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../../shared/directory.js';
import type { FrontlineEvent } from '../../../shared/events.js';
import { KPI_NAMES } from '../../../shared/kpis.js';
import { ManualClock } from '../../../server/clock.js';
import { IngestService } from '../../../server/ingest/ingest.service.js';
import { CELL_PREFIX, KpiEngine } from '../../../server/kpi/engine.js';
import { AGENT_QUEUE_PREFIX, parseAgentQueue } from '../../../server/kpi/contributions.js';
import { silentLogger } from '../../../server/logger.js';
import { CentreSimulator, centreDirectory, defaultCentreDirectory } from '../../../server/simulator/index.js';
import { Rng } from '../../../server/simulator/random.js';
import { buildOracle, deliveries, directoryScopes, expectMatches } from '../../support/kpi-oracle.js';
import { openTestStore, type TestStore } from '../../support/stores.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 9, 5); // a Monday

interface OracleCentre {
  label: string;
  directory: Directory;
  days: number;
  /** Agents compared (all when undefined). */
  agentSample?: number;
  late: number;
  duplicates: number;
}

const CENTRES: OracleCentre[] = [
  { label: 'the default centre, a fortnight', directory: defaultCentreDirectory(), days: 14, late: 500, duplicates: 1000 },
  { label: 'a 1,000-agent centre in three zones, three days', directory: centreDirectory({ preset: 'medium' }), days: 3, agentSample: 120, late: 5000, duplicates: 10_000 },
];

for (const centre of CENTRES) {
  describe(`live KPI engine against the raw-event oracle: ${centre.label}`, () => {
    const { directory, days: DAYS } = centre;
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
    }, 300_000);

    it('delivery was messy: late, duplicated and out-of-order events', () => {
      expect(stats.late).toBeGreaterThan(centre.late);
      expect(stats.duplicates).toBeGreaterThan(centre.duplicates);
      expect(stored.length).toBeLessThan(stats.sent);
      console.log(`oracle (${centre.label}): ${stored.length} stored events from ${stats.sent} sent (${stats.duplicates} duplicates, ${stats.late} held back and sent late, ${stats.shuffledBatches} shuffled batches)`);
    });

    it('every KPI for every scope matches, per day, over the period, and for sampled 15-minute intervals', () => {
      const sample = new Rng(3, 7, 1);
      const agents = centre.agentSample === undefined ? directory.agents : sample.shuffled(directory.agents).slice(0, centre.agentSample);
      const compared = new Set(agents.map((a) => a.id));
      const agentQueue = engine.scopes().filter((s) => s.startsWith(AGENT_QUEUE_PREFIX));
      const scopes = [
        ...directoryScopes(directory, agents),
        // Each agent on each queue they handled (the funnel by queue): every one the engine holds, checked here too.
        ...agentQueue.filter((s) => compared.has(parseAgentQueue(s)?.agentId ?? '')),
      ];
      expect(scopes.filter((s) => s.startsWith(AGENT_QUEUE_PREFIX)).length).toBeGreaterThan(agents.length);
      // Besides these (and the agents not sampled), only segment cells (team × queue × channel × reason; checked in segments.test.ts).
      const known = new Set([...scopes, ...directory.agents.map((a) => `agent:${a.id}`), ...agentQueue]);
      expect(engine.scopes().filter((s) => !known.has(s) && !s.startsWith(CELL_PREFIX))).toEqual([]);
      const windows: [number, number][] = [[START, START + DAYS * DAY]];
      for (let d = 0; d < DAYS; d++) windows.push([START + d * DAY, START + (d + 1) * DAY]);
      const rng = new Rng(9, 1, 2);
      for (let i = 0; i < 12; i++) {
        const at = START + Math.floor(rng.uniform() * DAYS) * DAY + (8 * 4 + Math.floor(rng.uniform() * 40)) * 15 * 60_000;
        windows.push([at, at + 15 * 60_000]);
      }
      const now = START + (DAYS + 30) * DAY;
      const oracle = buildOracle(stored, directory);
      let checked = 0;
      for (const [w, [from, to]] of windows.entries()) {
        // Agent × queue scopes over the period and its first three days (every day of 150 of them adds a minute).
        for (const scope of w < 4 ? scopes : scopes.filter((x) => !x.startsWith(AGENT_QUEUE_PREFIX))) {
          expectMatches(engine.query(scope, from, to, now), oracle(scope, from, to), `${scope} ${new Date(from).toISOString()}`);
          checked++;
        }
      }
      console.log(`oracle (${centre.label}): ${checked} scope-windows × ${KPI_NAMES.length} KPIs matched`);
    }, 300_000);

    it('marks repeat-contact FCR provisional while its 7-day window is open', () => {
      const end = START + DAYS * DAY;
      expect(engine.query('centre', end - DAY, end, end + DAY).fcrRepeat.provisional).toBe(true);
      expect(engine.query('centre', end - DAY, end, end + 8 * DAY).fcrRepeat.provisional).toBe(false);
    });
  });
}
