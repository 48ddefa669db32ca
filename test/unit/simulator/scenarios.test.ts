/** Injected scenarios: placement, recorded ground truth, and that each one really changes the data. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import {
  CentreSimulator, defaultCentreDirectory, defaultScenarios, Rng, DEFAULT_SCENARIO_KINDS, type ScenarioSpec,
} from '../../../server/simulator/index.js';
import { effectAt, scenarioWeight } from '../../../server/simulator/scenarios.js';
import { aht, byContact, DAY_MS, mean, MONDAY, simulate, type ContactRecord } from './support.js';

const HOUR = 3_600_000;
const day = (n: number) => MONDAY + n * DAY_MS;
const dir = defaultCentreDirectory();
const agentTeam = new Map(dir.agents.map((a) => [a.id, a.teamId]));

function spec(kind: ScenarioSpec['kind'], targetId: string, startMs: number, endMs: number, rampMs = 0): ScenarioSpec {
  // Magnitudes as the default scenarios use them (one of each, taken by kind).
  const template = defaultScenarios(MONDAY, 40, new Rng(1)).find((s) => s.kind === kind);
  if (!template) throw new Error(kind);
  return { ...template, id: `${kind}-test`, targetId, startMs, endMs, rampMs };
}

describe('default scenarios and ground truth', () => {
  it('places one scenario of each kind inside the window, deterministically', () => {
    const a = defaultScenarios(MONDAY, 40, new Rng(9, 3, MONDAY));
    const b = defaultScenarios(MONDAY, 40, new Rng(9, 3, MONDAY));
    expect(b).toEqual(a);
    expect(a.map((s) => s.kind).sort()).toEqual([...DEFAULT_SCENARIO_KINDS].sort());
    for (const s of a) {
      expect(s.startMs).toBeGreaterThanOrEqual(MONDAY);
      expect(s.endMs).toBeLessThanOrEqual(day(40));
      expect(s.endMs).toBeGreaterThan(s.startMs);
    }
    const drift = a.find((s) => s.kind === 'agent-drift');
    expect(drift?.rampMs).toBe(20 * DAY_MS);
    const dipTeam = a.find((s) => s.kind === 'team-dip')?.targetId;
    const individuals = a.filter((s) => s.kind.startsWith('agent-')).map((s) => s.targetId);
    expect(new Set(individuals).size).toBe(3);
    for (const id of individuals) expect(agentTeam.get(id)).not.toBe(dipTeam);
    expect(defaultScenarios(MONDAY, 40, new Rng(10, 3, MONDAY))).not.toEqual(a);
  });

  it('records a JSON-serialisable ground truth with seed, period, exact targets and timings', () => {
    const sim = new CentreSimulator({ seed: 4, startMs: MONDAY, scenarioWindowDays: 30 });
    sim.advanceTo(day(2));
    const truth = sim.groundTruth();
    expect(JSON.parse(JSON.stringify(truth))).toEqual(truth);
    expect(truth.seed).toBe(4);
    expect(truth.startMs).toBe(MONDAY);
    expect(truth.simulatedUntilMs).toBe(day(2));
    expect(truth.scenarios).toHaveLength(5);
    const outage = truth.scenarios.find((s) => s.kind === 'queue-outage');
    // A queue-wide problem crosses teams.
    expect(new Set(outage?.affectedAgentIds.map((id) => agentTeam.get(id))).size).toBeGreaterThan(1);
    const team = truth.scenarios.find((s) => s.kind === 'team-dip');
    expect(team?.affectedAgentIds).toHaveLength(15);
    expect(truth.agents).toHaveLength(45);
    expect(new CentreSimulator({ seed: 4, startMs: MONDAY, scenarioWindowDays: 30 }).groundTruth().scenarios).toEqual(truth.scenarios);
  });

  it('rejects a scenario aimed at an unknown target', () => {
    expect(() => new CentreSimulator({ seed: 1, startMs: MONDAY, scenarios: [spec('agent-step-drop', 'nobody', day(1), day(2))] })).toThrow(/unknown agent/);
  });

  it('ramps drifts linearly and steps drops, only inside their window', () => {
    const drift = spec('agent-drift', 'a-001', day(0), day(30), 20 * DAY_MS);
    expect(scenarioWeight(drift, day(0) - 1)).toBe(0);
    expect(scenarioWeight(drift, day(10))).toBeCloseTo(0.5);
    expect(scenarioWeight(drift, day(25))).toBe(1);
    expect(scenarioWeight(drift, day(30))).toBe(0);
    const team = spec('team-dip', 'billing', day(1), day(2));
    expect(effectAt([team], day(1) + HOUR, 'a-001', 'billing', 'chat-general').csatLogit).toBeLessThan(-0.5);
    expect(effectAt([team], day(1) + HOUR, 'a-016', 'tech', 'chat-general').csatLogit).toBe(0);
    const outage = spec('queue-outage', 'voice-billing', day(1), day(2));
    expect(effectAt([outage], day(1) + HOUR, 'a-040', 'digital', 'voice-billing').ahtLog).toBeCloseTo(Math.log(1.4));
    expect(effectAt([outage], day(1) + HOUR, 'a-040', 'digital', 'email-support').ahtLog).toBe(0);
  });
});

describe('scenarios take effect in the simulated data', () => {
  let contacts: ContactRecord[];
  let events: FrontlineEvent[];
  // Days 0-14 are clean for everyone; individual and team scenarios run over days 14-28; the drift ramps from
  // day 14 to 34 and holds to 42; the queue outage comes last so it does not colour anyone's baseline.
  const scenarios = [
    spec('agent-step-drop', 'a-005', day(14), day(28)),
    spec('agent-improvement', 'a-020', day(14), day(28)),
    spec('team-dip', 'digital', day(14), day(28)),
    spec('agent-drift', 'a-025', day(14), day(42), 20 * DAY_MS),
    spec('queue-outage', 'voice-billing', day(36) + 9 * HOUR, day(37) + 15 * HOUR),
  ];

  beforeAll(() => {
    // Surveying every contact gives enough responses per agent for a clear before/during comparison.
    events = simulate(42, { seed: 21, scenarios, tuning: { surveyRate: 1 } }).events;
    contacts = [...byContact(events).values()].filter((c) => c.ended !== undefined);
  });

  const handledBy = (agentId: string | ((a: string) => boolean), from: number, to: number) =>
    contacts.filter((c) => (typeof agentId === 'string' ? c.ended?.agentId === agentId : agentId(c.ended?.agentId ?? '')) && (c.endedMs ?? 0) >= from && (c.endedMs ?? 0) < to);
  const csat = (cs: ContactRecord[]) => {
    const s = cs.flatMap((c) => c.surveys);
    return { rate: s.filter((x) => (x.csat ?? 0) >= 4).length / s.length, n: s.length };
  };
  const fcr = (cs: ContactRecord[]) => cs.filter((c) => c.ended?.resolved).length / cs.length;
  const logAht = (cs: ContactRecord[]) => mean(cs.map((c) => Math.log(aht(c.ended as NonNullable<ContactRecord['ended']>))));

  it('step drop: the agent CSAT and FCR fall clearly below their own level before the window', () => {
    const before = handledBy('a-005', day(0), day(14));
    const during = handledBy('a-005', day(14), day(28));
    const b = csat(before);
    const d = csat(during);
    expect(b.n).toBeGreaterThan(100);
    expect(d.n).toBeGreaterThan(100);
    const pooled = (b.rate * b.n + d.rate * d.n) / (b.n + d.n);
    const z = (b.rate - d.rate) / Math.sqrt(pooled * (1 - pooled) * (1 / b.n + 1 / d.n));
    // Nominal: CSAT 85 -> 70%, FCR 75 -> 65%, AHT +20% (log 0.18) for an average agent.
    expect(b.rate - d.rate).toBeGreaterThan(0.06);
    expect(z).toBeGreaterThan(3);
    expect(fcr(before) - fcr(during)).toBeGreaterThan(0.04);
    expect(logAht(during) - logAht(before)).toBeGreaterThan(0.08);
  });

  it('improvement: the agent CSAT rises and handle time falls', () => {
    const before = handledBy('a-020', day(0), day(14));
    const during = handledBy('a-020', day(14), day(28));
    // Nominal: CSAT 85 -> 92%, AHT -15% (log -0.16).
    expect(csat(during).rate).toBeGreaterThan(csat(before).rate + 0.02);
    expect(logAht(before) - logAht(during)).toBeGreaterThan(0.07);
  });

  it('gradual drift: the effect grows over the ramp', () => {
    const before = logAht(handledBy('a-025', day(0), day(14)));
    const early = logAht(handledBy('a-025', day(14), day(20)));
    const late = logAht(handledBy('a-025', day(34), day(42)));
    // Full magnitude +20% AHT (log 0.18) from day 34; a seventh of it on average over days 14-20.
    expect(late - before).toBeGreaterThan(0.09);
    expect(late - early).toBeGreaterThan(0.07);
  });

  it('team dip: the whole team falls, another team does not', () => {
    const inTeam = (team: string) => (a: string) => agentTeam.get(a) === team && a !== 'a-020' && a !== 'a-025' && a !== 'a-005';
    const digitalDrop = fcr(handledBy(inTeam('digital'), day(0), day(14))) - fcr(handledBy(inTeam('digital'), day(14), day(28)));
    const techDrop = fcr(handledBy(inTeam('tech'), day(0), day(14))) - fcr(handledBy(inTeam('tech'), day(14), day(28)));
    // Nominal FCR 75 -> 68%.
    expect(digitalDrop).toBeGreaterThan(0.04);
    expect(Math.abs(techDrop)).toBeLessThan(0.03);
  });

  it('queue outage: handle times rise on that queue for every team, not on other queues', () => {
    const [from, to] = [day(36) + 9 * HOUR, day(37) + 15 * HOUR];
    const on = (queueId: string, inWindow: boolean) =>
      contacts.filter((c) => c.offered.queueId === queueId && (c.answeredMs ?? 0) >= day(28) && ((c.answeredMs ?? 0) >= from && (c.answeredMs ?? 0) < to) === inWindow);
    const rise = logAht(on('voice-billing', true)) - logAht(on('voice-billing', false));
    expect(rise).toBeGreaterThan(Math.log(1.25));
    // Other queues move only by their ordinary day-to-day variation.
    expect(Math.abs(logAht(on('voice-tech', true)) - logAht(on('voice-tech', false)))).toBeLessThan(rise / 2);
    const teams = new Set(on('voice-billing', true).map((c) => agentTeam.get(c.ended?.agentId ?? '')));
    expect(teams.size).toBeGreaterThan(1);
  });
});
