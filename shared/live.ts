/** The first live view ("pulse"): today's activity in the centre's time zone. Shared by server and client. */
import type { ApiError } from './api.js';
import type { CaseChangedNotice } from './coaching.js';
import type { AgentState, Channel } from './events.js';
import type { KpiSet } from './kpis.js';

export interface QueuePulse {
  queueId: string;
  /** Directory name, or "unassigned" for a queue the directory does not know. */
  name: string;
  channel: Channel | null;
  /** The queue's site, or null for a centre-wide queue or one the directory does not know. */
  siteId: string | null;
  offered: number;
  answered: number;
  abandoned: number;
  waitingNow: number;
  /** How long the contact waiting longest has waited, at the snapshot's time; null when nobody waits. */
  longestWaitSeconds: number | null;
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

export type SubscribeReply = { ok: true; snapshot: PulseSnapshot } | ApiError;

/** Live KPI windows: today in the centre's time zone, the current quarter-hour, the last hour (four quarter-hours). */
export const LIVE_WINDOWS = ['today', 'interval', 'rolling60'] as const;
export type LiveWindow = (typeof LIVE_WINDOWS)[number];

export interface KpiSubscription {
  scope: string;
  window: LiveWindow;
}

/** Full figures for one subscription, with the sequence number deltas continue from. */
export interface KpiSnapshot {
  key: string;
  seq: number;
  asOf: string;
  from: string;
  to: string;
  kpis: KpiSet;
}

/** Only the KPIs that changed since seq − 1. A client that sees a gap asks for a new snapshot. */
export interface KpiDelta {
  key: string;
  seq: number;
  asOf: string;
  from: string;
  to: string;
  changed: Partial<KpiSet>;
}

export type KpiSubscribeReply = { ok: true; snapshot: KpiSnapshot } | ApiError;

/** Deltas for one subscription are sent at most this often (4 a second). */
export const KPI_DELTA_INTERVAL_MS = 250;

/** How often the server confirms live subscriptions are current (see 'live:heartbeat'). */
export const LIVE_HEARTBEAT_MS = 5_000;

export function subscriptionKey(s: KpiSubscription): string {
  return `${s.scope}|${s.window}`;
}

/** Socket.IO event maps: the one contract for both ends. */
export interface ServerToClientEvents {
  'pulse:snapshot': (snapshot: PulseSnapshot) => void;
  /** The session or display credential behind this socket has ended; the server disconnects right after. */
  'auth:revoked': (info: { reason: string }) => void;
  'kpis:delta': (delta: KpiDelta) => void;
  /** The caller may no longer see this subscription's scope (team or case changed): the server has dropped it. */
  'kpis:ended': (info: { key: string; reason: string }) => void;
  /** A screen's layout changed (its board, rotation or what it shows): it reloads its layout and reconnects. */
  'wall:changed': () => void;
  /**
   * Every few seconds after the live KPI tick has run: everything this socket subscribed to is current as of `asOf`
   * (deltas are only sent on change, so a quiet scope is still live). A screen that stops hearing it shows stale.
   */
  'live:heartbeat': (info: { asOf: string }) => void;
  /** A coaching case this person may see changed or was filed (shared/coaching.ts). */
  'case:changed': (notice: CaseChangedNotice) => void;
  /**
   * Something between the nodes was interrupted (Redis or the database link came back): messages may have been
   * missed, so fetch fresh snapshots and re-read lists.
   */
  'live:resync': (info: { reason: string }) => void;
}

export interface ClientToServerEvents {
  'pulse:subscribe': (ack: (reply: SubscribeReply) => void) => void;
  'kpis:subscribe': (sub: KpiSubscription, ack: (reply: KpiSubscribeReply) => void) => void;
  'kpis:unsubscribe': (sub: KpiSubscription, ack: (reply: { ok: true } | ApiError) => void) => void;
}

/** Every event a client may send, at run time: the access layer must declare a policy for each. */
export const CLIENT_EVENT_NAMES = ['pulse:subscribe', 'kpis:subscribe', 'kpis:unsubscribe'] as const satisfies readonly (keyof ClientToServerEvents)[];

/** Why a socket connection was refused (the Error message a client sees in connect_error). */
export const SOCKET_REFUSALS = { unauthenticated: 'unauthenticated', origin: 'origin not allowed' } as const;

export const PULSE_ROOM = 'pulse:centre';
