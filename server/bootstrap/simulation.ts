/**
 * Runs the built-in simulator as the default data source: backfills history on a first start (so charts have
 * something to show), then streams live through the same ingest service an integrator's events go through.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FrontlineEvent } from '../../shared/events.js';
import type { Clock } from '../clock.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import { CentreSimulator, centreScenarios, Rng, startLiveSimulation, STREAMS } from '../simulator/index.js';
import type { Directory } from '../../shared/directory.js';

const DAY_MS = 24 * 3600_000;
const SCENARIO_WINDOW_DAYS = 21;
const BATCH = 5_000;

export interface SimulationHandle {
  stop(): Promise<void>;
}

/** Stores simulated events in batches; the ingest metrics count them under the source `simulator`. */
export async function ingestAll(ingest: IngestService, events: FrontlineEvent[]): Promise<{ accepted: number; duplicate: number; rejected: number }> {
  const totals = { accepted: 0, duplicate: 0, rejected: 0 };
  for (let i = 0; i < events.length; i += BATCH) {
    const out = await ingest.ingest(events.slice(i, i + BATCH), 'stored', 'simulator');
    totals.accepted += out.accepted;
    totals.duplicate += out.duplicate;
    totals.rejected += out.rejected;
  }
  return totals;
}

/** Simulates [startMs, endMs] day by day into the ingest service; returns the simulator to carry on live. */
export async function backfill(
  simulator: CentreSimulator,
  ingest: IngestService,
  endMs: number,
  logger: Logger,
  startMs: number,
): Promise<{ events: number; ms: number }> {
  const t0 = Date.now();
  let events = 0;
  for (let t = startMs + DAY_MS; ; t += DAY_MS) {
    const until = Math.min(t, endMs);
    const batch = simulator.advanceTo(until);
    const out = await ingestAll(ingest, batch);
    if (out.rejected > 0) logger.warn({ rejected: out.rejected }, 'simulator produced rejected events');
    events += batch.length;
    if (until >= endMs) break;
  }
  return { events, ms: Date.now() - t0 };
}

export interface StartSimulationOptions {
  ingest: IngestService;
  clock: Clock;
  logger: Logger;
  seed: number;
  backfillDays: number;
  /** True when the store has no events yet: only then is history backfilled. */
  firstStart: boolean;
  groundTruthFile: string;
  directory: Directory;
}

export async function startSimulation(o: StartSimulationOptions): Promise<SimulationHandle> {
  const now = o.clock.now();
  const startMs = o.firstStart ? now - o.backfillDays * DAY_MS : now;
  // Scenarios (a struggling agent, a systemic dip, ...) are placed in the backfilled window on a first start only;
  // a restart carries on with the plain centre rather than re-injecting them over live data.
  // They go in the last three weeks of the backfill, after the flagger's baseline, so a first start already shows the
  // flagger at work: an individual case, a systemic review, a recognition.
  const window = Math.min(SCENARIO_WINDOW_DAYS, o.backfillDays);
  const scenarios = o.firstStart && o.backfillDays > 0 ? centreScenarios(startMs + (o.backfillDays - window) * DAY_MS, window, new Rng(o.seed, STREAMS.scenarios, startMs), o.directory) : [];
  const simulator = new CentreSimulator({ seed: o.seed, startMs, directory: o.directory, scenarios });
  if (o.firstStart && o.backfillDays > 0) {
    o.logger.info({ days: o.backfillDays, seed: o.seed }, 'first start: backfilling simulated history');
    const { events, ms } = await backfill(simulator, o.ingest, o.clock.now(), o.logger, startMs);
    o.logger.info({ events, seconds: +(ms / 1000).toFixed(1) }, 'backfill done');
    await fs.mkdir(path.dirname(o.groundTruthFile), { recursive: true });
    await fs.writeFile(o.groundTruthFile, JSON.stringify(simulator.groundTruth(), null, 2));
  }
  const live = startLiveSimulation({
    simulator,
    clock: o.clock,
    sink: (events) => ingestAll(o.ingest, events),
    tickMs: 1000,
    logger: o.logger,
  });
  return live;
}
