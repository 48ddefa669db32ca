/**
 * bench/flagging sweep: the bench's figures for several flagger settings on the same simulated centres (each
 * replicate is simulated once and every setting runs over it), scored exactly as bench/flagging/run.ts scores them.
 *
 *   REPLICATES=20 SEED_OFFSET=0 npx tsx bench/flagging/sweep.ts settings.json
 *
 * settings.json: [{ "name": "...", "settings": { ...partial FlaggerSettings } }, ...]
 */
import { readFileSync } from 'node:fs';
import { DailyCountsBuilder } from '../../server/flagging/daily.js';
import { Flagger, type FlaggerSettings } from '../../server/flagging/flagger.js';
import { CentreSimulator, defaultCentreDirectory, Rng } from '../../server/simulator/index.js';
import { emptyTally, quantile, scenarios, score, type Tally } from './run.js';

const REPLICATES = Number(process.env.REPLICATES ?? 20);
const BASE = Number(process.env.BASE ?? 24);
const MON = Number(process.env.MON ?? 36);
const SEED_OFFSET = Number(process.env.SEED_OFFSET ?? 0);
const DAY = 86_400_000;
const directory = defaultCentreDirectory();
const variants = JSON.parse(readFileSync(process.argv[2] ?? 'sweep.json', 'utf8')) as { name: string; settings: Partial<FlaggerSettings> }[];
const tallies = variants.map(() => ({ all: emptyTally(), step: emptyTally(), drift: emptyTally() }));
const tz = directory.sites[0]?.timeZone ?? 'Europe/London';
const t0 = Date.now();

for (let r = 0; r < REPLICATES; r++) {
  const seed = 1000 + SEED_OFFSET + r;
  const start = Date.UTC(2026, 0, 5) + r * 7 * DAY;
  const specs = scenarios(start, new Rng(seed, 77, 1));
  const sim = new CentreSimulator({ seed, startMs: start, directory, scenarios: specs });
  const builder = new DailyCountsBuilder(tz);
  for (let d = 1; d <= BASE + MON; d++) for (const e of sim.advanceTo(start + d * DAY)) builder.add(e);
  const monFrom = builder.dayOf(start + BASE * DAY + 12 * 3_600_000);
  variants.forEach((v, i) => {
    const cases = new Flagger(directory, v.settings).run(builder.days).filter((c) => c.dayMs >= monFrom);
    const t = tallies[i] as { all: Tally; step: Tally; drift: Tally };
    score(t.all, cases, specs, builder.days, monFrom);
    // Recall by kind of drop (the other figures of these two tallies are not used).
    score(t.step, cases, specs.filter((s) => s.kind === 'agent-step-drop'), builder.days, monFrom);
    score(t.drift, cases, specs.filter((s) => s.kind === 'agent-drift'), builder.days, monFrom);
  });
  console.log(`  ${r + 1} replicates done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(`\n${REPLICATES} replicates, seeds from ${1000 + SEED_OFFSET}`);
console.log('setting                                   recall  (step  drift)  precision  false/100  blamed  improvers  p50  p90  cases');
variants.forEach((v, i) => {
  const { all: t, step, drift } = tallies[i] as { all: Tally; step: Tally; drift: Tally };
  console.log(
    `${v.name.padEnd(40)}${pct(t.detected / Math.max(1, t.drops)).padStart(8)}${pct(step.detected / Math.max(1, step.drops)).padStart(7)}${pct(drift.detected / Math.max(1, drift.drops)).padStart(7)}${pct(t.truePositive / Math.max(1, t.individual)).padStart(11)}${((100 * t.falseCases) / Math.max(1, t.agentDays)).toFixed(2).padStart(11)}${pct(t.systemicBlamed / Math.max(1, t.systemicAgents)).padStart(8)}${String(t.improvingFlags).padStart(11)}${String(quantile(t.delays, 0.5)).padStart(5)}${String(quantile(t.delays, 0.9)).padStart(5)}${String(t.individual).padStart(7)}  ${JSON.stringify(t.falseBy)}`,
  );
});
