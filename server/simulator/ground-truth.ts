/**
 * The simulator's ground truth, JSON-serialisable: injected scenarios with exact targets and timings (change
 * ground truth), and agents' persistent effects (persistent-level ground truth, flagging-methods.md 6.2).
 */
import type { Directory } from '../../shared/directory.js';
import type { AgentProfile } from './agents.js';
import type { SimulatorTuning } from './model.js';
import { affectedAgents, targetTypeOf, type ScenarioKind, type ScenarioMagnitudes, type ScenarioSpec, type TargetType } from './scenarios.js';

export interface GroundTruthScenario {
  id: string;
  kind: ScenarioKind;
  targetType: TargetType;
  targetId: string;
  /** Agents whose contacts the scenario changes (for a queue: every agent skilled on it). */
  affectedAgentIds: string[];
  start: string;
  end: string;
  startMs: number;
  endMs: number;
  rampDays: number;
  magnitudes: ScenarioMagnitudes;
  nominal: ScenarioSpec['nominal'];
}

export interface GroundTruthAgent {
  id: string;
  name: string;
  teamId: string;
  skills: string[];
  csatLogitEffect: number;
  fcrLogitEffect: number;
  ahtLogEffect: number;
  qaEffect: number;
}

export interface GroundTruth {
  seed: number;
  /** Simulated period: from start to the furthest time advanceTo has reached. */
  start: string;
  simulatedUntil: string;
  startMs: number;
  simulatedUntilMs: number;
  /** Every event and contact id of this run starts with it. */
  idPrefix: string;
  scenarios: GroundTruthScenario[];
  agents: GroundTruthAgent[];
  /** Agents more than two sd below the centre on the logit scale: the target of funnel/EB methods, not CUSUM. */
  persistentlyBelow: { csat: string[]; fcr: string[] };
  evaluators: { id: string; effect: number }[];
  model: Omit<SimulatorTuning, 'skills'>;
}

export interface GroundTruthInput {
  seed: number;
  startMs: number;
  untilMs: number;
  prefix: string;
  directory: Directory;
  skills: ReadonlyMap<string, readonly string[]>;
  scenarios: readonly ScenarioSpec[];
  tuning: SimulatorTuning;
  agents: readonly AgentProfile[];
  evaluators: readonly { id: string; effect: number }[];
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function buildGroundTruth(i: GroundTruthInput): GroundTruth {
  const { skills: _skills, ...model } = i.tuning;
  return {
    seed: i.seed,
    start: iso(i.startMs),
    simulatedUntil: iso(i.untilMs),
    startMs: i.startMs,
    simulatedUntilMs: i.untilMs,
    idPrefix: i.prefix,
    scenarios: i.scenarios.map((s) => ({
      id: s.id,
      kind: s.kind,
      targetType: targetTypeOf(s.kind),
      targetId: s.targetId,
      affectedAgentIds: affectedAgents(s, i.directory, i.skills),
      start: iso(s.startMs),
      end: iso(s.endMs),
      startMs: s.startMs,
      endMs: s.endMs,
      rampDays: round(s.rampMs / 86_400_000),
      magnitudes: { ...s.magnitudes, csatLogit: round(s.magnitudes.csatLogit), fcrLogit: round(s.magnitudes.fcrLogit) },
      nominal: { ...s.nominal },
    })),
    agents: i.agents.map((a) => ({
      id: a.id,
      name: a.name,
      teamId: a.teamId,
      skills: [...a.skills],
      csatLogitEffect: round(a.csatEffect),
      fcrLogitEffect: round(a.fcrEffect),
      ahtLogEffect: round(a.ahtLogEffect),
      qaEffect: round(a.qaEffect),
    })),
    persistentlyBelow: {
      csat: i.agents.filter((a) => a.csatEffect < -2 * i.tuning.agentCsatSd).map((a) => a.id),
      fcr: i.agents.filter((a) => a.fcrEffect < -2 * i.tuning.agentFcrSd).map((a) => a.id),
    },
    evaluators: i.evaluators.map((e) => ({ id: e.id, effect: round(e.effect) })),
    model: { ...model, queueVolumes: { ...model.queueVolumes } },
  };
}
