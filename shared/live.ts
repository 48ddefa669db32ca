/** The first live view ("pulse"): today's activity in the centre's time zone. Shared by server and client. */
import type { AgentState, Channel } from './events.js';

export interface QueuePulse {
  queueId: string;
  /** Directory name, or "unassigned" for a queue the directory does not know. */
  name: string;
  channel: Channel | null;
  offered: number;
  answered: number;
  abandoned: number;
  waitingNow: number;
}

export interface PulseSnapshot {
  /** Increases by one with every snapshot the server sends; a client that sees a gap asks for a fresh one. */
  seq: number;
  /** Server time of the snapshot (ISO); the simulator can run the clock faster than wall time. */
  asOf: string;
  /** Start of "today" in the centre's time zone (ISO). */
  dayStart: string;
  timeZone: string;
  totals: {
    offered: number;
    answered: number;
    abandoned: number;
    handled: number;
    resolvedAtEnd: number;
    surveys: number;
    /** Surveys received today scoring 4 or 5 on CSAT, and all surveys with a CSAT score. */
    csatTopTwo: number;
    csatResponses: number;
    qaEvaluations: number;
    complaints: number;
  };
  queues: QueuePulse[];
  agentsByState: Record<AgentState, number>;
  /** Events stored in the last 60 seconds of server time. */
  eventsLastMinute: number;
  lastEventAt: string | null;
}

/** Socket.IO event maps: the one contract for both ends. */
export interface ServerToClientEvents {
  'pulse:snapshot': (snapshot: PulseSnapshot) => void;
}

export interface ClientToServerEvents {
  'pulse:subscribe': (ack: (snapshot: PulseSnapshot) => void) => void;
}

export const PULSE_ROOM = 'pulse:centre';
