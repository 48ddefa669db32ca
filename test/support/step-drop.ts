/**
 * The flagging tests' centre: the default simulated directory over six weeks from a Monday, with one agent whose
 * CSAT, FCR and handle time step down for the last two weeks (flagging.test.ts, flagging-late.test.ts).
 */
import { CentreSimulator, defaultCentreDirectory, type ScenarioSpec } from '../../server/simulator/index.js';
import { logit } from '../../server/simulator/random.js';
import type { FrontlineEvent } from '../../shared/events.js';

export const DAY = 86_400_000;
/** A Monday. */
export const START = Date.UTC(2026, 8, 7);
export const directory = defaultCentreDirectory();
export const droppingAgent = directory.agents[20]?.id as string;

export const stepDrop: ScenarioSpec = {
  id: 'drop',
  kind: 'agent-step-drop',
  targetId: droppingAgent,
  startMs: START + 26 * DAY,
  endMs: START + 40 * DAY,
  rampMs: 0,
  magnitudes: { csatLogit: logit(0.6) - logit(0.85), fcrLogit: logit(0.6) - logit(0.75), ahtFactor: 1.35, qaPoints: -8, arrivalFactor: 1 },
  nominal: { csatFrom: 0.85, csatTo: 0.6, fcrFrom: 0.75, fcrTo: 0.6 },
};

/** The 41 days of events (agent states left out), seed 8. */
export function stepDropEvents(): FrontlineEvent[] {
  return new CentreSimulator({ seed: 8, startMs: START, directory, scenarios: [stepDrop] }).advanceTo(START + 41 * DAY).filter((e) => e.type !== 'agent.state');
}
