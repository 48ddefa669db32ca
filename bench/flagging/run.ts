/**
 * bench/flagging: the flagger against the simulator's ground truth, beside the naive rule "daily KPI below target",
 * on the same data and seeds (DOMAIN.md section 5; flagging-methods.md section 6).
 *
 * Each replicate simulates the default 45-agent centre for BASE baseline days then MON monitoring days, with injected
 * scenarios placed at random in the monitoring window: two agent step drops, one agent drift, one team-wide dip, one
 * queue-wide dip, two agent improvements; every other agent has no change. Both rules open at most one case per agent
 * and KPI per 10 days. Printed: recall (drops detected within 10 working days), precision, false individual cases per
 * 100 agent-days, share of agents in systemic dips wrongly given an individual case, underperformance flags on
 * improving agents, and detection delay (median and 90th percentile, working days). The first wave's flagger (a
 * frozen copy in first-wave/, systemic reviews for teams only) runs beside the current one on the same counts.
 *
 *   npm run bench:flagging               (REPLICATES=50 BASE=24 MON=36 SEED_OFFSET=0)
 *
 * SEED_OFFSET shifts every replicate's seed (replicate r uses seed 1000 + SEED_OFFSET + r), to check a setting on
 * centres it was not looked at on.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { affectedAgents } from '../../server/simulator/scenarios.js';
import { resolveSkills } from '../../server/simulator/agents.js';
import { logit } from '../../server/simulator/random.js';
import { DailyCountsBuilder, type AgentQueueDay, type DailyCounts, type FlagKpi } from '../../server/flagging/daily.js';
import { Flagger, type FlagCase } from '../../server/flagging/flagger.js';
import { Flagger as FirstWaveFlagger, type FlagCase as FirstWaveCase } from './first-wave/flagger.js';
import { CentreSimulator, defaultCentreDirectory, Rng, type ScenarioSpec } from '../../server/simulator/index.js';

const REPLICATES = Number(process.env.REPLICATES ?? 50);
const BASE = Number(process.env.BASE ?? 24);
const MON = Number(process.env.MON ?? 36);
const SEED_OFFSET = Number(process.env.SEED_OFFSET ?? 0);
const DAY = 86_400_000;
const WITHIN_WORKING_DAYS = 10;
const COOL_DOWN_DAYS = 10;
const directory = defaultCentreDirectory();
const skills = resolveSkills(directory, {});

function magnitudes(csat: [number, number], fcr: [number, number], ahtFactor: number, qaPoints: number, arrivalFactor = 1): Pick<ScenarioSpec, 'magnitudes' | 'nominal'> {
  return {
    magnitudes: { csatLogit: logit(csat[1]) - logit(csat[0]), fcrLogit: logit(fcr[1]) - logit(fcr[0]), ahtFactor, qaPoints, arrivalFactor },
    nominal: { csatFrom: csat[0], csatTo: csat[1], fcrFrom: fcr[0], fcrTo: fcr[1] },
  };
}

const DROP = magnitudes([0.85, 0.7], [0.75, 0.65], 1.2, -8);
const TEAM_DIP = magnitudes([0.85, 0.75], [0.75, 0.68], 1.1, -4);
const QUEUE_DIP = magnitudes([0.85, 0.7], [0.75, 0.62], 1.25, 0, 1.2);
const IMPROVE = magnitudes([0.85, 0.92], [0.75, 0.8], 0.85, 5);

export function scenarios(start: number, rng: Rng): ScenarioSpec[] {
  const mon = start + BASE * DAY;
  const day = (d: number) => mon + Math.floor(d) * DAY;
  const team = rng.pick(directory.teams).id;
  const queue = rng.pick(directory.queues.filter((q) => q.channel === 'voice' || q.channel === 'chat')).id;
  const pool = rng.shuffled(directory.agents.filter((a) => a.teamId !== team));
  const pickAgent = (i: number): { id: string } => {
    const a = pool[i];
    if (!a) throw new Error('the directory has too few agents for the scenarios');
    return a;
  };
  const [a1, a2, a3, i1, i2] = [0, 1, 2, 3, 4].map(pickAgent) as [{ id: string }, { id: string }, { id: string }, { id: string }, { id: string }];
  const out: ScenarioSpec[] = [];
  const s1 = rng.int(0, MON - 20);
  out.push({ id: 'step-a', kind: 'agent-step-drop', targetId: a1.id, startMs: day(s1), endMs: day(s1 + rng.int(12, 20)), rampMs: 0, ...DROP });
  const s2 = rng.int(0, MON - 20);
  out.push({ id: 'step-b', kind: 'agent-step-drop', targetId: a2.id, startMs: day(s2), endMs: day(s2 + rng.int(12, 20)), rampMs: 0, ...DROP });
  const s3 = rng.int(0, MON - 24);
  out.push({ id: 'drift', kind: 'agent-drift', targetId: a3.id, startMs: day(s3), endMs: day(s3 + 24), rampMs: 12 * DAY, ...DROP });
  const t = rng.int(0, MON - 14);
  out.push({ id: 'team', kind: 'team-dip', targetId: team, startMs: day(t), endMs: day(t + rng.int(5, 12)), rampMs: 0, ...TEAM_DIP });
  const q = rng.int(0, MON - 12);
  out.push({ id: 'queue', kind: 'queue-outage', targetId: queue, startMs: day(q), endMs: day(q + rng.int(4, 9)), rampMs: 0, ...QUEUE_DIP });
  const k1 = rng.int(0, MON - 15);
  out.push({ id: 'improve-a', kind: 'agent-improvement', targetId: i1.id, startMs: day(k1), endMs: day(k1 + 15), rampMs: 0, ...IMPROVE });
  const k2 = rng.int(0, MON - 15);
  out.push({ id: 'improve-b', kind: 'agent-improvement', targetId: i2.id, startMs: day(k2), endMs: day(k2 + 15), rampMs: 0, ...IMPROVE });
  return out;
}

/**
 * The naive rule: an agent's daily KPI misses its target (CSAT 80%, FCR 70%, AHT 15% above the baseline centre
 * figure). `strict` lowers the bar (CSAT and FCR thresholds minus strict, AHT factor plus strict) for the comparison at
 * a matched false-flag rate.
 */
function naive(counts: DailyCounts, monFrom: number, strict = 0): FlagCase[] {
  const days = [...counts.keys()].sort((a, b) => a - b);
  let baseLog = 0;
  let baseN = 0;
  for (const d of days.filter((x) => x < monFrom))
    for (const byQueue of counts.get(d)?.values() ?? [])
      for (const c of byQueue.values()) {
        baseLog += c.aht.sum;
        baseN += c.aht.n;
      }
  const ahtTarget = Math.log(1.15 + strict) + baseLog / Math.max(1, baseN);
  const cool = new Map<string, number>();
  const out: FlagCase[] = [];
  for (const d of days.filter((x) => x >= monFrom)) {
    for (const [agentId, byQueue] of counts.get(d) ?? []) {
      const cells = [...byQueue.values()];
      const sum = (f: (c: AgentQueueDay) => number) => cells.reduce((s, c) => s + f(c), 0);
      // The stricter variants also ask for a minimum daily volume, as anyone tuning the rule down would.
      const minN = strict > 0 ? 5 : 1;
      const checks: [FlagKpi, boolean][] = [
        ['csat', sum((c) => c.csat.n) >= minN && 1 - sum((c) => c.csat.bad) / sum((c) => c.csat.n) < 0.8 - strict],
        ['fcrSurvey', sum((c) => c.fcrSurvey.n) >= minN && 1 - sum((c) => c.fcrSurvey.bad) / sum((c) => c.fcrSurvey.n) < 0.7 - strict],
        ['aht', sum((c) => c.aht.n) > 0 && sum((c) => c.aht.sum) / sum((c) => c.aht.n) > ahtTarget],
      ];
      for (const [kpi, miss] of checks) {
        const key = `${agentId}|${kpi}`;
        if (!miss || (cool.get(key) ?? 0) > d) continue;
        cool.set(key, d + COOL_DOWN_DAYS * DAY);
        out.push({ kind: 'individual', kpi, scope: `agent:${agentId}`, dayMs: d, agentId, teamId: null, queueId: null, rule: 'daily KPI below target', explanation: '', figures: {}, evidence: { negative: [], positive: [] } });
      }
    }
  }
  return out;
}

export interface Tally {
  drops: number;
  detected: number;
  delays: number[];
  individual: number;
  truePositive: number;
  falseCases: number;
  agentDays: number;
  systemicAgents: number;
  systemicBlamed: number;
  improvingFlags: number;
  systemicReviews: number;
  recognitions: number;
  recognitionsRight: number;
  falseBy: Record<string, number>;
  /** Drops and detections within 10 working days by scenario kind (step drops, drifts). */
  byKind: Record<string, { drops: number; detected: number }>;
  /** Team dips and queue outages, and those given a systemic review of their own scope (team:T, queue:Q) while on. */
  systemicScenarios: Record<string, { n: number; rightScope: number; otherScopes: Record<string, number> }>;
}

export const emptyTally = (): Tally => ({ drops: 0, detected: 0, delays: [], individual: 0, truePositive: 0, falseCases: 0, agentDays: 0, systemicAgents: 0, systemicBlamed: 0, improvingFlags: 0, systemicReviews: 0, recognitions: 0, recognitionsRight: 0, falseBy: {}, byKind: {}, systemicScenarios: {} });

export function score(tally: Tally, cases: FlagCase[], specs: ScenarioSpec[], counts: DailyCounts, monFrom: number): void {
  const workDays = [...counts.keys()].filter((d) => d >= monFrom).sort((a, b) => a - b);
  const workingDaysBetween = (a: number, b: number) => workDays.filter((d) => d >= a && d <= b).length;
  const active = (s: ScenarioSpec, d: number) => d >= s.startMs && d < s.endMs + 2 * DAY;
  const individualDrops = specs.filter((s) => s.kind === 'agent-step-drop' || s.kind === 'agent-drift');
  const systemic = specs.filter((s) => s.kind === 'team-dip' || s.kind === 'queue-outage');
  const improving = specs.filter((s) => s.kind === 'agent-improvement');
  for (const d of workDays) tally.agentDays += counts.get(d)?.size ?? 0;
  const ind = cases.filter((c) => c.kind === 'individual');
  tally.individual += ind.length;
  tally.systemicReviews += cases.filter((c) => c.kind === 'systemic').length;
  for (const c of ind) {
    const tp = individualDrops.some((s) => s.targetId === c.agentId && active(s, c.dayMs));
    if (tp) tally.truePositive++;
    else {
      tally.falseCases++;
      const during = systemic.some((s) => active(s, c.dayMs) && affectedAgents(s, directory, skills).includes(c.agentId ?? ''));
      const key = `${c.kpi}:${during ? 'in-systemic' : 'clean'}`;
      tally.falseBy[key] = (tally.falseBy[key] ?? 0) + 1;
    }
    if (improving.some((s) => s.targetId === c.agentId && active(s, c.dayMs))) tally.improvingFlags++;
  }
  for (const s of individualDrops) {
    tally.drops++;
    const kind = (tally.byKind[s.kind] ??= { drops: 0, detected: 0 });
    kind.drops++;
    const first = ind.filter((c) => c.agentId === s.targetId && c.dayMs >= s.startMs && c.dayMs < s.endMs + 2 * DAY).sort((a, b) => a.dayMs - b.dayMs)[0];
    if (!first) continue;
    const delay = workingDaysBetween(s.startMs, first.dayMs);
    tally.delays.push(delay);
    if (delay <= WITHIN_WORKING_DAYS) {
      tally.detected++;
      kind.detected++;
    }
  }
  for (const s of systemic) {
    const agents = affectedAgents(s, directory, skills).filter((a) => !individualDrops.some((x) => x.targetId === a && x.startMs < s.endMs && x.endMs > s.startMs));
    tally.systemicAgents += agents.length;
    tally.systemicBlamed += agents.filter((a) => ind.some((c) => c.agentId === a && active(s, c.dayMs))).length;
  }
  for (const s of systemic) {
    const t = (tally.systemicScenarios[s.kind] ??= { n: 0, rightScope: 0, otherScopes: {} });
    t.n++;
    const own = `${s.kind === 'team-dip' ? 'team' : 'queue'}:${s.targetId}`;
    const during = cases.filter((c) => c.kind === 'systemic' && active(s, c.dayMs) && c.dayMs >= s.startMs);
    if (during.some((c) => c.scope === own)) t.rightScope++;
    for (const c of during) if (c.scope !== own) t.otherScopes[c.scope.split(':')[0] ?? '?'] = (t.otherScopes[c.scope.split(':')[0] ?? '?'] ?? 0) + 1;
  }
  const rec = cases.filter((c) => c.kind === 'recognition');
  tally.recognitions += rec.length;
  tally.recognitionsRight += rec.filter((c) => improving.some((s) => s.targetId === c.agentId && active(s, c.dayMs))).length;
}

export function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? null;
}

function main(): void {
  const t0 = Date.now();
  const ours = emptyTally();
  const firstWave = emptyTally();
  const base = emptyTally();
  const STRICT = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
  const stricter = STRICT.map(() => emptyTally());
  const tz = directory.sites[0]?.timeZone ?? 'Europe/London';
  console.log(`bench/flagging on ${os.cpus().length} cores: ${REPLICATES} replicates of ${directory.agents.length} agents, ${BASE} baseline + ${MON} monitoring days each`);
  for (let r = 0; r < REPLICATES; r++) {
    const seed = 1000 + SEED_OFFSET + r;
    const start = Date.UTC(2026, 0, 5) + r * 7 * DAY; // Mondays
    const rng = new Rng(seed, 77, 1);
    const specs = scenarios(start, rng);
    const sim = new CentreSimulator({ seed, startMs: start, directory, scenarios: specs });
    const builder = new DailyCountsBuilder(tz);
    for (let d = 1; d <= BASE + MON; d++) for (const e of sim.advanceTo(start + d * DAY)) builder.add(e);
    const monFrom = builder.dayOf(start + BASE * DAY + 12 * 3_600_000);
    const flagger = new Flagger(directory);
    const cases = flagger.run(builder.days).filter((c) => c.dayMs >= monFrom);
    if (process.env.DEBUG) {
      for (const sp of specs) {
        const ds = flagger.decisions.filter((x) => affectedAgents(sp, directory, skills).includes(x.agentId) && x.signalDay >= sp.startMs - DAY && x.signalDay < sp.endMs + 2 * DAY);
        console.log(`  ${sp.kind} ${sp.targetId} ${new Date(sp.startMs).toISOString().slice(0, 10)}..${new Date(sp.endMs).toISOString().slice(0, 10)}: ${ds.map((x) => `${new Date(x.signalDay).toISOString().slice(5, 10)} ${x.agentId} ${x.kpi} ${x.outcome}${x.reason ? `(${x.reason})` : ''}`).join('; ')}`);
      }
      const others = flagger.decisions.filter((x) => x.signalDay >= monFrom && !specs.some((sp) => affectedAgents(sp, directory, skills).includes(x.agentId) && x.signalDay >= sp.startMs - DAY && x.signalDay < sp.endMs + 2 * DAY));
      console.log(`  other signals: ${others.map((x) => `${x.agentId} ${x.kpi} ${x.outcome}${x.reason ? `(${x.reason})` : ''}`).join('; ')}`);
    }
    score(ours, cases, specs, builder.days, monFrom);
    // Its cases name no scope: a systemic review was its team's (or, rarely, a queue's).
    const scoped = (c: FirstWaveCase): FlagCase => ({ ...c, scope: c.agentId !== null ? `agent:${c.agentId}` : c.teamId !== null ? `team:${c.teamId}` : `queue:${c.queueId ?? '?'}` });
    score(firstWave, new FirstWaveFlagger(directory).run(builder.days).filter((c) => c.dayMs >= monFrom).map(scoped), specs, builder.days, monFrom);
    score(base, naive(builder.days, monFrom), specs, builder.days, monFrom);
    STRICT.forEach((x, i) => score(stricter[i] as Tally, naive(builder.days, monFrom, x), specs, builder.days, monFrom));
    if ((r + 1) % 10 === 0) console.log(`  ${r + 1} replicates done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const row = (name: string, t: Tally) => {
    const recall = t.detected / Math.max(1, t.drops);
    const precision = t.individual === 0 ? null : t.truePositive / t.individual;
    const falsePer100 = (100 * t.falseCases) / Math.max(1, t.agentDays);
    const misattributed = t.systemicBlamed / Math.max(1, t.systemicAgents);
    return { name, recall, precision, falsePer100, misattributed, improving: t.improvingFlags, p50: quantile(t.delays, 0.5), p90: quantile(t.delays, 0.9), cases: t.individual, reviews: t.systemicReviews, recognitions: `${t.recognitionsRight}/${t.recognitions}` };
  };
  const a = row('flagger (CUSUM vs peers, system first)', ours);
  const w = row('first wave\'s flagger (same counts)', firstWave);
  const b = row('naive: daily KPI below target', base);
  // The naive rule made strict enough to raise no more false cases than the flagger (chosen on the same data).
  const matchedAt = STRICT.findIndex((_, i) => row('', stricter[i] as Tally).falsePer100 <= a.falsePer100);
  const c = matchedAt < 0 ? null : row(`naive, bars lowered by ${STRICT[matchedAt]} (same false rate)`, stricter[matchedAt] as Tally);
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  console.log('');
  console.log('rule                                      recall≤10d  precision  false/100 agent-days  systemic blamed  flags on improvers  delay p50  p90  individual cases  systemic reviews  recognitions right');
  for (const x of c ? [a, w, b, c] : [a, w, b])
    console.log(
      `${x.name.padEnd(42)}${pct(x.recall).padStart(10)}${pct(x.precision).padStart(11)}${x.falsePer100.toFixed(2).padStart(22)}${pct(x.misattributed).padStart(17)}${String(x.improving).padStart(20)}${String(x.p50 ?? '-').padStart(11)}${String(x.p90 ?? '-').padStart(5)}${String(x.cases).padStart(18)}${String(x.reviews).padStart(18)}${x.recognitions.padStart(20)}`,
    );
  console.log('');
  const bars: [string, boolean][] = [
    ['false individual cases ≤ 0.5 per 100 agent-days', a.falsePer100 <= 0.5],
    ['≥ 80% of sustained drops detected within 10 working days', a.recall >= 0.8],
    ['issue 18: ≥ 85% of sustained drops detected within 10 working days', a.recall >= 0.85],
    ['issue 18: ≥ 80% of slow drifts detected within 10 working days', (ours.byKind['agent-drift']?.detected ?? 0) >= 0.8 * (ours.byKind['agent-drift']?.drops ?? 1)],
    ['≤ 10% systemic misattribution', a.misattributed <= 0.1],
    ['no underperformance flag on an improving agent', a.improving === 0],
    [
      'better than the naive rule at the same false-flag rate on every figure',
      c !== null && a.recall >= c.recall && (a.precision ?? 0) >= (c.precision ?? 0) && a.misattributed <= c.misattributed && a.improving <= c.improving && (a.p50 ?? 99) <= (c.p50 ?? 99),
    ],
    [
      'better than the naive rule as it stands on every figure (it flags about 30% of agent-days, so its raw recall and delay cannot be beaten)',
      a.recall >= b.recall && (a.precision ?? 0) >= (b.precision ?? 0) && a.falsePer100 <= b.falsePer100 && a.misattributed <= b.misattributed && a.improving <= b.improving && (a.p50 ?? 99) <= (b.p50 ?? 99) + 3,
    ],
  ];
  console.log(`false individual cases by KPI and situation: ${JSON.stringify(ours.falseBy)} (naive: ${JSON.stringify(base.falseBy)})`);
  const missed = ours.drops - ours.detected;
  console.log(`drops: ${ours.drops}, detected within ${WITHIN_WORKING_DAYS} working days: ${ours.detected}, later: ${ours.delays.filter((d) => d > WITHIN_WORKING_DAYS).length}, never: ${missed - ours.delays.filter((d) => d > WITHIN_WORKING_DAYS).length}`);
  console.log(`systemic scenarios given a review of their own scope: ${Object.entries(ours.systemicScenarios).map(([k, v]) => `${k} ${v.rightScope}/${v.n} (reviews of other scopes meanwhile: ${JSON.stringify(v.otherScopes)})`).join(', ')}`);
  console.log(`recall by kind: ${Object.entries(ours.byKind).map(([k, v]) => `${k} ${v.detected}/${v.drops} (${pct(v.detected / Math.max(1, v.drops))})`).join(', ')}`);
  console.log(`first wave's flagger, recall by kind: ${Object.entries(firstWave.byKind).map(([k, v]) => `${k} ${v.detected}/${v.drops} (${pct(v.detected / Math.max(1, v.drops))})`).join(', ')}; systemic scenarios given a review of their own scope: ${Object.entries(firstWave.systemicScenarios).map(([k, v]) => `${k} ${v.rightScope}/${v.n}`).join(', ')}`);
  for (const [what, ok] of bars) console.log(`${ok ? 'met    ' : 'NOT MET'}  ${what}`);
  console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

// Run when invoked as a script (bench/flagging/sweep.ts imports the scoring from here).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
