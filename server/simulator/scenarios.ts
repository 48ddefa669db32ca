/**
 * Injected scenarios with recorded ground truth (flagging-methods.md 6.2): the test bed for the flagger. Effects
 * are shifts on the logit of CSAT and FCR, a multiplier on handle time and points of QA, so a magnitude such as
 * "CSAT 85 -> 70%" is exact for an average agent and recorded as the logit shift actually applied.
 */
import type { Directory } from '../../shared/directory.js';
import { assertNever } from '../../shared/events.js';
import { resolveSkills } from './agents.js';
import { defaultCentreDirectory } from './centre.js';
import { logit, type Rng } from './random.js';
import { DAY_MS, HOUR_MS, localParts, zonedEpoch } from './zoned-time.js';

/** The kinds the default scenario set places, one each (other tests rely on its figures: do not add to it lightly). */
export const DEFAULT_SCENARIO_KINDS = ['agent-step-drop', 'agent-drift', 'team-dip', 'queue-outage', 'agent-improvement'] as const;
/**
 * Every kind. `team-improvement` and `queue-improvement` are a lasting change for the better from a process change
 * (an improvement initiative's test bed, server/improvement): never placed by default, only asked for by name.
 */
export const SCENARIO_KINDS = [...DEFAULT_SCENARIO_KINDS, 'team-improvement', 'queue-improvement'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];
export type TargetType = 'agent' | 'team' | 'queue';

export interface ScenarioMagnitudes {
  /** Added to the logit of the CSAT probability (negative = worse). */
  csatLogit: number;
  fcrLogit: number;
  /** Multiplies talk, hold and wrap time (1.2 = 20% longer). */
  ahtFactor: number;
  /** Added to QA scores. */
  qaPoints: number;
  /** Multiplies the queue's arrival rate (queue outages bring more contacts); 1 = unchanged. */
  arrivalFactor: number;
}

export interface ScenarioSpec {
  id: string;
  kind: ScenarioKind;
  /** An agent, team or queue id, according to the kind. */
  targetId: string;
  startMs: number;
  /** Exclusive. */
  endMs: number;
  /** The full magnitude is reached linearly over this long from startMs (0 = a step). */
  rampMs: number;
  magnitudes: ScenarioMagnitudes;
  /** Nominal rates for an average agent, for reports: e.g. CSAT 0.85 -> 0.70. */
  nominal: { csatFrom: number; csatTo: number; fcrFrom: number; fcrTo: number };
}

export function targetTypeOf(kind: ScenarioKind): TargetType {
  switch (kind) {
    case 'agent-step-drop':
    case 'agent-drift':
    case 'agent-improvement':
      return 'agent';
    case 'team-dip':
    case 'team-improvement':
      return 'team';
    case 'queue-outage':
    case 'queue-improvement':
      return 'queue';
    default:
      return assertNever(kind);
  }
}

/** Share of the full magnitude in force at time t. */
export function scenarioWeight(s: ScenarioSpec, t: number): number {
  if (t < s.startMs || t >= s.endMs) return 0;
  return s.rampMs > 0 ? Math.min(1, (t - s.startMs) / s.rampMs) : 1;
}

export interface Effect {
  csatLogit: number;
  fcrLogit: number;
  ahtLog: number;
  qaPoints: number;
}

export const NO_EFFECT: Readonly<Effect> = { csatLogit: 0, fcrLogit: 0, ahtLog: 0, qaPoints: 0 };

/**
 * Scenarios by `type:targetId`, each list in the scenarios' own order (as positions), so the per-contact lookups
 * below touch only the scenarios aimed at that agent, team or queue: a large centre has a hundred or more.
 */
const byTarget = new WeakMap<readonly ScenarioSpec[], Map<string, number[]>>();

function targetIndex(specs: readonly ScenarioSpec[]): Map<string, number[]> {
  let index = byTarget.get(specs);
  if (!index) {
    index = new Map();
    specs.forEach((s, i) => {
      const key = `${targetTypeOf(s.kind)}:${s.targetId}`;
      const list = index?.get(key);
      if (list) list.push(i);
      else index?.set(key, [i]);
    });
    byTarget.set(specs, index);
  }
  return index;
}

const NONE: readonly number[] = [];

/** Combined effect on one contact handled by agent (of team) on queue at time t. */
export function effectAt(specs: readonly ScenarioSpec[], t: number, agentId: string, teamId: string, queueId: string): Effect {
  if (specs.length === 0) return NO_EFFECT;
  const index = targetIndex(specs);
  const a = index.get(`agent:${agentId}`) ?? NONE;
  const b = index.get(`team:${teamId}`) ?? NONE;
  const c = index.get(`queue:${queueId}`) ?? NONE;
  if (a.length + b.length + c.length === 0) return NO_EFFECT;
  // Summed in the scenarios' order, as a plain pass over all of them would, so results do not depend on the index.
  const hits = a.length + b.length + c.length === a.length ? a : [...a, ...b, ...c].sort((x, y) => x - y);
  let out: Effect | undefined;
  for (const i of hits) {
    const s = specs[i] as ScenarioSpec;
    const w = scenarioWeight(s, t);
    if (w === 0) continue;
    out ??= { ...NO_EFFECT };
    out.csatLogit += w * s.magnitudes.csatLogit;
    out.fcrLogit += w * s.magnitudes.fcrLogit;
    out.ahtLog += w * Math.log(s.magnitudes.ahtFactor);
    out.qaPoints += w * s.magnitudes.qaPoints;
  }
  return out ?? NO_EFFECT;
}

/** Arrival multiplier for a queue at t, and its maximum over [from, to) for thinning. */
export function arrivalFactorAt(specs: readonly ScenarioSpec[], t: number, queueId: string): number {
  let f = 1;
  for (const i of specs.length === 0 ? NONE : (targetIndex(specs).get(`queue:${queueId}`) ?? NONE)) {
    const s = specs[i] as ScenarioSpec;
    f *= 1 + scenarioWeight(s, t) * (s.magnitudes.arrivalFactor - 1);
  }
  return f;
}

export function maxArrivalFactor(specs: readonly ScenarioSpec[], from: number, to: number, queueId: string): number {
  let f = 1;
  for (const i of specs.length === 0 ? NONE : (targetIndex(specs).get(`queue:${queueId}`) ?? NONE)) {
    const s = specs[i] as ScenarioSpec;
    if (s.startMs < to && s.endMs > from) f *= Math.max(1, s.magnitudes.arrivalFactor);
  }
  return f;
}

const shift = (from: number, to: number) => logit(to) - logit(from);

function magnitudes(csat: [number, number], fcr: [number, number], ahtFactor: number, qaPoints: number, arrivalFactor = 1) {
  return {
    magnitudes: { csatLogit: shift(csat[0], csat[1]), fcrLogit: shift(fcr[0], fcr[1]), ahtFactor, qaPoints, arrivalFactor },
    nominal: { csatFrom: csat[0], csatTo: csat[1], fcrFrom: fcr[0], fcrTo: fcr[1] },
  };
}

/** Rounds to the hour so ground truth reads cleanly. */
const hour = (ms: number) => Math.round(ms / HOUR_MS) * HOUR_MS;
/** The local midnight starting the day that contains ms: agent and team scenarios run in whole local days. */
const midnight = (ms: number, timeZone: string) => zonedEpoch(localParts(ms, timeZone), 0, timeZone);
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * One scenario of each kind inside [startMs, startMs + days), placed deterministically by rng. Individual
 * targets come from teams other than the dipped one, so systemic and individual ground truth stay separable.
 */
export function defaultScenarios(startMs: number, days: number, rng: Rng, directory: Directory = defaultCentreDirectory()): ScenarioSpec[] {
  const timeZone = directory.sites[0]?.timeZone ?? 'UTC';
  const endOfWindow = startMs + days * DAY_MS;
  const at = (fraction: number) => midnight(startMs + fraction * days * DAY_MS, timeZone);
  const until = (from: number, lengthDays: number) => Math.min(endOfWindow, midnight(from + Math.round(lengthDays) * DAY_MS + HOUR_MS * 12, timeZone));
  const teams = directory.teams.filter((t) => directory.agents.some((a) => a.teamId === t.id));
  const dipTeam = teams.length > 0 ? rng.pick(teams) : undefined;
  const pool = rng.shuffled(directory.agents.filter((a) => a.teamId !== dipTeam?.id || teams.length === 1));
  const [stepAgent, driftAgent, improvingAgent] = pool;
  // A live queue served by more than one team, so that the queue-wide problem crosses teams.
  const skills = resolveSkills(directory, {});
  const teamOf = new Map(directory.agents.map((a) => [a.id, a.teamId]));
  const teamsOn = (queueId: string) => new Set(directory.agents.filter((a) => skills.get(a.id)?.includes(queueId)).map((a) => teamOf.get(a.id))).size;
  const live = directory.queues.filter((q) => q.channel === 'voice' || q.channel === 'chat');
  const crossing = live.filter((q) => teamsOn(q.id) > 1);
  const candidates = crossing.length > 0 ? crossing : live.length > 0 ? live : directory.queues;
  const outageQueue = candidates.length > 0 ? rng.pick(candidates) : undefined;
  const out: ScenarioSpec[] = [];

  if (driftAgent) {
    const rampDays = Math.round(clamp(days * 0.6, 1, 20));
    const start = at(rng.between(0.08, 0.15));
    out.push({ id: 'drift-1', kind: 'agent-drift', targetId: driftAgent.id, startMs: start, endMs: until(start, rampDays + 0.25 * days), rampMs: rampDays * DAY_MS, ...magnitudes([0.85, 0.7], [0.75, 0.65], 1.2, -8) });
  }
  if (stepAgent) {
    const start = at(rng.between(0.3, 0.5));
    out.push({ id: 'step-1', kind: 'agent-step-drop', targetId: stepAgent.id, startMs: start, endMs: until(start, clamp(days * 0.4, 3, 20)), rampMs: 0, ...magnitudes([0.85, 0.7], [0.75, 0.65], 1.2, -8) });
  }
  if (dipTeam) {
    const start = at(rng.between(0.2, 0.6));
    out.push({ id: 'team-1', kind: 'team-dip', targetId: dipTeam.id, startMs: start, endMs: until(start, clamp(days * 0.25, 2, 15)), rampMs: 0, ...magnitudes([0.85, 0.75], [0.75, 0.68], 1.1, -4) });
  }
  if (outageQueue) {
    // Hours to days: a system fault on one queue, starting in the morning of a simulated day.
    const start = hour(at(rng.between(0.2, 0.8)) + rng.between(8, 11) * HOUR_MS);
    const end = Math.min(endOfWindow, hour(start + rng.between(6, 48) * HOUR_MS));
    out.push({ id: 'outage-1', kind: 'queue-outage', targetId: outageQueue.id, startMs: start, endMs: end, rampMs: 0, ...magnitudes([0.85, 0.65], [0.75, 0.55], 1.4, 0, 1.3) });
  }
  if (improvingAgent) {
    const start = at(rng.between(0.3, 0.55));
    out.push({ id: 'improve-1', kind: 'agent-improvement', targetId: improvingAgent.id, startMs: start, endMs: until(start, clamp(days * 0.4, 3, 20)), rampMs: 0, ...magnitudes([0.85, 0.92], [0.75, 0.8], 0.85, 5) });
  }
  return out.filter((s) => s.endMs > s.startMs);
}

/**
 * Scenarios for a centre of any size. The default centre (or any directory without generated service lines) gets the
 * default set exactly. A generated centre (server/simulator/centres.ts) gets one default set per service line, placed
 * in that line's site's days and ids prefixed with the line: so a 5,000-agent centre carries about a hundred known
 * problems, at the same density per agent as the default centre, and ground truth scales with it.
 */
export function centreScenarios(startMs: number, days: number, rng: Rng, directory: Directory): ScenarioSpec[] {
  const lines = serviceLines(directory);
  if (lines.length <= 1) return defaultScenarios(startMs, days, rng, directory);
  return lines.flatMap(({ line, directory: d }) => defaultScenarios(startMs, days, rng, d).map((s) => ({ ...s, id: `${line}/${s.id}` })));
}

/** A generated centre's service lines, each as a directory of its own; [] when the teams are not generated ones. */
function serviceLines(directory: Directory): { line: string; directory: Directory }[] {
  const lineOf = (teamId: string) => /^(.+-l\d+)-(billing|tech|digital)-\d+$/.exec(teamId)?.[1];
  if (directory.teams.length === 0 || !directory.teams.every((t) => lineOf(t.id) !== undefined)) return [];
  const teamsByLine = new Map<string, Directory['teams']>();
  for (const t of directory.teams) {
    const line = lineOf(t.id) as string;
    teamsByLine.set(line, [...(teamsByLine.get(line) ?? []), t]);
  }
  const agentsByTeam = new Map<string, Directory['agents']>();
  for (const a of directory.agents) agentsByTeam.set(a.teamId, [...(agentsByTeam.get(a.teamId) ?? []), a]);
  return [...teamsByLine].map(([line, teams]) => {
    const siteId = teams[0]?.siteId;
    return {
      line,
      directory: {
        ...directory,
        sites: directory.sites.filter((s) => s.id === siteId),
        teams,
        queues: directory.queues.filter((q) => q.id.startsWith(`${line}-`)),
        agents: teams.flatMap((t) => agentsByTeam.get(t.id) ?? []),
      },
    };
  });
}

/**
 * A lasting improvement for a team or queue from `startMs` (a process change: better CSAT and FCR, shorter handling),
 * for an improvement initiative's before/after test. Nominal rates are for an average agent.
 */
export function improvementScenario(kind: 'team-improvement' | 'queue-improvement', targetId: string, startMs: number, endMs: number, csat: [number, number] = [0.85, 0.93], fcr: [number, number] = [0.75, 0.83], ahtFactor = 0.85): ScenarioSpec {
  return { id: `${kind}-${targetId}`, kind, targetId, startMs, endMs, rampMs: 0, ...magnitudes(csat, fcr, ahtFactor, 3) };
}

/** Agents a scenario touches: the agent, the team's agents, or every agent skilled on the queue. */
export function affectedAgents(s: ScenarioSpec, directory: Directory, skills: ReadonlyMap<string, readonly string[]>): string[] {
  const type = targetTypeOf(s.kind);
  if (type === 'agent') return [s.targetId];
  if (type === 'team') return directory.agents.filter((a) => a.teamId === s.targetId).map((a) => a.id);
  return directory.agents.filter((a) => skills.get(a.id)?.includes(s.targetId)).map((a) => a.id);
}

export function validateScenarios(specs: readonly ScenarioSpec[], directory: Directory): void {
  for (const s of specs) {
    const type = targetTypeOf(s.kind);
    const known =
      type === 'agent' ? directory.agents.some((a) => a.id === s.targetId)
      : type === 'team' ? directory.teams.some((t) => t.id === s.targetId)
      : directory.queues.some((q) => q.id === s.targetId);
    if (!known) throw new Error(`scenario ${s.id}: unknown ${type} '${s.targetId}'`);
    if (!(s.endMs > s.startMs) || s.rampMs < 0) throw new Error(`scenario ${s.id}: end must be after start and ramp >= 0`);
    if (!(s.magnitudes.ahtFactor > 0) || !(s.magnitudes.arrivalFactor > 0)) throw new Error(`scenario ${s.id}: factors must be > 0`);
  }
}
