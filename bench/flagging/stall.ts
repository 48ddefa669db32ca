/**
 * bench/flagging/stall: what a flagger run costs live traffic on its node. The same closed days of the default
 * simulated centre are flagged twice in one process, first on the main thread yielding between days (the baseline:
 * how the server ran it before), then on the flagger's worker thread (how it runs now). During each run a 10 ms ticker on the main thread
 * measures the longest wait for its event loop. Both runs must find the same cases.
 *
 *   npm run bench:flagging:stall            (DAYS=42 to change the span)
 */
import { DailyCountsBuilder } from '../../server/flagging/daily.js';
import { runFlaggerOffThread, type FlaggerJob } from '../../server/flagging/flagger-job.js';
import { Flagger, type FlagCase } from '../../server/flagging/flagger.js';
import { CentreSimulator, defaultCentreDirectory } from '../../server/simulator/index.js';

const DAYS = Number(process.env.DAYS ?? 42);
const DAY = 86_400_000;
const START = Date.UTC(2026, 8, 7);

const directory = defaultCentreDirectory();
const sim = new CentreSimulator({ seed: 8, startMs: START, directory, scenarios: [] });
const builder = new DailyCountsBuilder('Europe/London');
let events = 0;
for (const e of sim.advanceTo(START + DAYS * DAY)) {
  if (e.type === 'agent.state') continue;
  builder.add(e);
  events++;
}
const job: FlaggerJob = {
  directory: { agents: directory.agents.map((a) => ({ id: a.id, teamId: a.teamId })), teams: directory.teams.map((t) => ({ id: t.id })) },
  days: [...builder.days],
};

/**
 * A 10 ms ticker stands in for live traffic: the longest gap between its ticks (from the run's start to the first
 * tick after it ends) is how long a socket heartbeat, a KPI delta or an ingest call on this node would have waited.
 */
async function measure(label: string, run: () => Promise<unknown[]>): Promise<{ cases: string; maxGapMs: number; p99GapMs: number; wallMs: number }> {
  const gaps: number[] = [];
  const t0 = performance.now();
  let last = t0;
  const ticker = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 10);
  const cases = await run();
  const wallMs = performance.now() - t0;
  // The first tick after the run closes the last gap.
  const ticked = gaps.length;
  while (gaps.length === ticked) await new Promise((r) => setImmediate(r));
  clearInterval(ticker);
  gaps.sort((a, b) => a - b);
  const maxGapMs = gaps[gaps.length - 1] ?? wallMs;
  const p99GapMs = gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.99))] ?? wallMs;
  console.log(`${label.padEnd(12)} wall ${wallMs.toFixed(0).padStart(6)} ms   longest wait for the event loop ${maxGapMs.toFixed(0).padStart(6)} ms, p99 ${p99GapMs.toFixed(0).padStart(5)} ms (10 ms ticker, ${gaps.length} ticks)   cases ${cases.length}`);
  return { cases: JSON.stringify(cases), maxGapMs, p99GapMs, wallMs };
}

console.log(`bench/flagging/stall: ${DAYS} days, ${events.toLocaleString('en-GB')} events, ${directory.agents.length} agents`);
// The baseline is how the server ran it before: on the main thread, yielding to the event loop between days.
const main = await measure('main thread', async () => {
  const flagger = new Flagger(job.directory);
  const found: FlagCase[] = [];
  for (const [d, cells] of [...job.days].sort((a, b) => a[0] - b[0])) {
    found.push(...flagger.run(new Map([[d, cells]])));
    await new Promise((r) => setImmediate(r));
  }
  return found;
});
const worker = await measure('worker', () => runFlaggerOffThread(job));
if (main.cases !== worker.cases) throw new Error('the worker found different cases from the main thread');
console.log(`same cases: yes   max stall, worker/main thread: ${(worker.maxGapMs / main.maxGapMs).toFixed(3)}   wall, worker/main thread: ${(worker.wallMs / main.wallMs).toFixed(2)}`);
