/**
 * Runtime state shared by the engine's parts: queues, agents, contacts, the timed-event queue and the output
 * buffer. Output events get their id and timestamp when simulated time reaches them, so ids rise with time.
 */
import type { Queue, Site } from '../../shared/directory.js';
import type { AgentState, Channel, FrontlineEvent } from '../../shared/events.js';
import type { AgentProfile } from './agents.js';
import { TimedQueue } from './heap.js';
import type { ChannelParams, SimulatorTuning } from './model.js';
import type { Rng } from './random.js';
import type { ScenarioSpec } from './scenarios.js';
import type { LocalDate, OpeningWindow } from './zoned-time.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before it has an id and a time. */
export type EventBody = DistributiveOmit<FrontlineEvent, 'id' | 'occurredAt' | 'source'>;

export const SOURCE = 'frontline-simulator';

export interface DayShock {
  csat: number;
  fcr: number;
  ahtLog: number;
  volume: number;
}

export interface QueueRt {
  queue: Queue;
  channel: Channel;
  params: ChannelParams;
  site: Site | undefined;
  /** Fresh contacts per hour at arrival-shape 1 on a reference weekday. */
  baseRatePerHour: number;
  reasons: readonly (readonly [string, number])[];
  effect: { csat: number; fcr: number };
  shock: DayShock;
  /** FIFO with lazy deletion: abandoned contacts stay in the array and are skipped. */
  waiting: ContactRt[];
  head: number;
  /** Transferred-in contacts go first. */
  priority: ContactRt[];
  agents: AgentRt[];
}

export interface Leg {
  agent: AgentRt;
  startMs: number;
  talkS: number;
  holdS: number;
  wrapS: number;
  /** A transfer leg ends in contact.transferred instead of contact.ended. */
  transferTo: QueueRt | undefined;
}

export interface ContactRt {
  id: string;
  queue: QueueRt;
  customerId: string;
  reason: string;
  offeredMs: number;
  status: 'waiting' | 'handling' | 'abandoned' | 'done';
  /** Wait before the first answer, in seconds. */
  waitS: number;
  transferred: boolean;
  leg: Leg | undefined;
}

export interface AgentRt {
  profile: AgentProfile;
  queues: QueueRt[];
  state: AgentState;
  onShift: boolean;
  idleSince: number;
  /** A break that fell due while busy: taken when the contact is wrapped. */
  breakDueMs: number;
  /** Guards against a stale breakEnd after the agent went offline and came back. */
  breakSeq: number;
  contact: ContactRt | undefined;
}

export type SimEvent =
  | { kind: 'day'; site: Site; date: LocalDate }
  | { kind: 'arrival'; queue: QueueRt; window: OpeningWindow; rateMaxPerHour: number; dayFactor: number }
  | { kind: 'return'; queue: QueueRt; customerId: string; reason: string }
  | { kind: 'abandon'; contact: ContactRt }
  | { kind: 'release'; contact: ContactRt }
  | { kind: 'shiftStart'; agent: AgentRt }
  | { kind: 'shiftEnd'; agent: AgentRt }
  | { kind: 'breakStart'; agent: AgentRt; durationMs: number }
  | { kind: 'breakEnd'; agent: AgentRt; seq: number }
  | { kind: 'talkEnd'; agent: AgentRt; contact: ContactRt }
  | { kind: 'wrapEnd'; agent: AgentRt; contact: ContactRt }
  | { kind: 'emit'; body: EventBody };

export class SimContext {
  readonly timeline = new TimedQueue<SimEvent>();
  out: FrontlineEvent[] = [];
  /** QA evaluators with their own leniency (a systemic source of variation, flagging-methods.md 6.1). */
  evaluators: { id: string; effect: number }[] = [];
  private eventSeq = 0;
  private contactSeq = 0;
  private lastIsoMs = NaN;
  private lastIso = '';

  constructor(
    readonly prefix: string,
    readonly startMs: number,
    readonly rng: Rng,
    readonly tuning: SimulatorTuning,
    readonly scenarios: readonly ScenarioSpec[],
    readonly queues: QueueRt[],
    readonly agents: AgentRt[],
  ) {}

  at(ms: number, event: SimEvent): void {
    this.timeline.push(ms, event);
  }

  /** Emits an event dated `ms` (the current simulated time). */
  emit(ms: number, body: EventBody): void {
    if (ms !== this.lastIsoMs) {
      this.lastIsoMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    this.out.push({ id: `${this.prefix}-${(++this.eventSeq).toString(36)}`, occurredAt: this.lastIso, source: SOURCE, ...body });
  }

  newContactId(): string {
    return `${this.prefix}-c${(++this.contactSeq).toString(36)}`;
  }

  /** Pseudonymous customer id: random, so ids from runs with other start times do not meet. */
  newCustomerId(): string {
    const part = () => Math.floor(this.rng.uniform() * 36 ** 5).toString(36).padStart(5, '0');
    return `cust-${part()}${part()}`;
  }

  setState(agent: AgentRt, state: AgentState, ms: number): void {
    if (agent.state === state) return;
    agent.state = state;
    this.emit(ms, { type: 'agent.state', agentId: agent.profile.id, state });
  }
}
