/**
 * bench/history: 90 days of the default simulated centre in SQLite; a 90-day daily trend for one agent and for the
 * centre from the KPI engine, p50 and p95 over repeated queries, beside the same answer computed from the raw events
 * (read from the store and aggregated plainly) in the same run, with the ratio. Also the engine's rebuild time and
 * heap. Target: p95 under 50 ms.
 *
 *   npm run bench:history            (DAYS=90 to change the span)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../../server/clock.js';
import { DirectoryService } from '../../server/directory/directory.service.js';
import { IngestService } from '../../server/ingest/ingest.service.js';
import { KpiService } from '../../server/kpi/kpi.service.js';
import { silentLogger } from '../../server/logger.js';
import { CentreSimulator, defaultCentreDirectory } from '../../server/simulator/index.js';
import { openStore } from '../../server/store/db.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { buildOracle } from '../../test/support/kpi-oracle.js';

const DAYS = Number(process.env.DAYS ?? 90);
const DAY = 86_400_000;
const REPEAT = 40;

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-bench-history-'));
  const store = await openStore({ kind: 'sqlite', file: path.join(work, 'h.sqlite') });
  const directory = defaultCentreDirectory();
  const dirs = new DirectoryService(store);
  await dirs.replace(directory);
  const end = Date.UTC(2026, 10, 16);
  const start = end - DAYS * DAY;
  const sim = new CentreSimulator({ seed: 7, startMs: start, directory, scenarioWindowDays: DAYS });
  const ingest = new IngestService({ store, clock: systemClock, logger: silentLogger, maxClockSkewMs: 1e12 });
  let events = 0;
  for (let d = 1; d <= DAYS; d++) {
    const batch = sim.advanceTo(start + d * DAY);
    for (let i = 0; i < batch.length; i += 5000) await ingest.ingest(batch.slice(i, i + 5000));
    events += batch.length;
  }
  const kpis = new KpiService(store, dirs, systemClock, silentLogger);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  await kpis.start();
  const rebuildMs = performance.now() - t0;
  global.gc?.();
  const heap1 = process.memoryUsage().heapUsed;
  console.log(`bench/history on ${os.cpus().length} cores, node ${process.version}: ${events.toLocaleString('en-GB')} events over ${DAYS} days`);
  console.log(`engine rebuild from raw events: ${(rebuildMs / 1000).toFixed(1)} s, heap +${((heap1 - heap0) / 1e6).toFixed(0)} MB${global.gc ? '' : ' (run with --expose-gc for a steadier figure)'}`);
  console.log('series                      engine p50   engine p95   raw p50     raw p95    ratio(p95 raw/engine)   same answer');
  for (const scope of ['agent:a-001', 'centre']) {
    const engineMs: number[] = [];
    let engineAnswer: (number | null)[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const s = performance.now();
      engineAnswer = kpis.trend('csat', scope, start, end, 'day').points.map((p) => p.value);
      engineMs.push(performance.now() - s);
    }
    const rawMs: number[] = [];
    let rawAnswer: (number | null)[] = [];
    for (let i = 0; i < Math.min(REPEAT, 5); i++) {
      const s = performance.now();
      const rows = await store.db.selectFrom('events').select('payload').where('occurred_ms', '>=', start - DAY).where('occurred_ms', '<', end + 8 * DAY).execute();
      const oracle = buildOracle(rows.map((r) => JSON.parse(r.payload) as FrontlineEvent), directory);
      // Days in Europe/London: the trend's own boundaries, so both sides answer the same question.
      const bounds = kpis.trend('csat', scope, start, end, 'day').points.map((p) => [Date.parse(p.start), Date.parse(p.end)] as const);
      rawAnswer = bounds.map(([a, b]) => {
        const o = oracle(scope, a, b);
        return o.csat.length === 0 ? null : o.csat.filter((x) => x >= 4).length / o.csat.length;
      });
      rawMs.push(performance.now() - s);
    }
    const same = engineAnswer.length === rawAnswer.length && engineAnswer.every((v, i) => (v === null ? rawAnswer[i] === null : Math.abs(v - (rawAnswer[i] ?? NaN)) < 1e-9));
    console.log(
      `${`csat ${scope}, ${engineAnswer.length} days`.padEnd(28)}${pct(engineMs, 0.5).toFixed(2).padStart(8)} ms  ${pct(engineMs, 0.95).toFixed(2).padStart(8)} ms  ${pct(rawMs, 0.5).toFixed(0).padStart(7)} ms  ${pct(rawMs, 0.95).toFixed(0).padStart(7)} ms  ${(pct(rawMs, 0.95) / pct(engineMs, 0.95)).toFixed(0).padStart(12)}x  ${same ? 'yes' : 'NO'}`,
    );
    if (pct(engineMs, 0.95) >= 50) console.log(`  target p95 < 50 ms: NOT MET`);
  }
  console.log('target: p95 < 50 ms for each series');
  await store.close();
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
