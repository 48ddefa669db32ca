/** REST reply shapes shared by server and client. */
import type { EventIssue } from './events.js';
import type { CreditRule, KpiName, KpiSet, Target, TargetStatus } from './kpis.js';

/** One reply shape for every error on REST and socket acks. */
export interface ApiError {
  ok: false;
  error: { code: string; message: string; details?: unknown };
}

export const INGEST_MAX_EVENTS = 5_000;
export const INGEST_MAX_BYTES = 5 * 1024 * 1024;

/**
 * One event's answer. `id` is the stored id (contract v2 appends `@r<revision>` to a revised event's id); `warnings`
 * (contract v2) say what was kept in `ext` or rewritten on the way in.
 */
export type IngestEventResult =
  | { index: number; id: string; status: 'accepted'; warnings?: string[] }
  | { index: number; id: string; status: 'duplicate'; warnings?: string[] }
  | { index: number; id: string | null; status: 'rejected'; errors: EventIssue[] };

/** 200 when every event is stored (accepted or already there), 207 when some are rejected, 422 when none is stored. */
export interface IngestReply {
  /** True when at least one event of the batch is stored (now or before). */
  ok: boolean;
  contract: 1 | 2;
  accepted: number;
  duplicate: number;
  rejected: number;
  results: IngestEventResult[];
}

/** GET /api/v1/ingest/orphans (admins): events whose contact has not arrived, per source (server/ingest/orphans.ts). */
export interface OrphanReport {
  /** After how many days (from receipt) an orphan expires. */
  ttlDays: number;
  held: number;
  expired: number;
  sources: {
    /** The events' `source`, or "(none)". */
    source: string;
    held: number;
    oldestHeldAt: string | null;
    /** When the oldest held one expires unless its contact arrives. */
    expiresAt: string | null;
    expired: number;
    lastExpiredAt: string | null;
  }[];
}

export const API_KEY_SCOPES = ['ingest', 'read', 'admin', 'directory', 'metrics'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What each scope lets a key do, for the key CLI and the admin keys page (README "Roles"). */
export const API_KEY_SCOPE_HELP: Record<ApiKeyScope, string> = {
  ingest: 'send events',
  read: 'read every figure, case list and the directory',
  admin: 'read and change the directory',
  directory: 'read and change the directory, nothing else (an HR or workforce-management feed)',
  metrics: 'scrape /metrics for Prometheus, nothing else',
};

/** An API key as listed (never the secret). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** One entry of the security and audit log. */
export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  details: Record<string, unknown>;
}

/** One node's view of the cluster (GET /api/v1/cluster), for the admin's System page. */
export interface ClusterStatus {
  node: string;
  /** The node holding the leader lock now (null for a moment after a leader dies). */
  leader: string | null;
  thisNodeLeads: boolean;
  leaderSince: string | null;
  /** Nodes with a live link to the database. */
  members: string[];
  /** The once-only duties this node runs (the leader runs them all). */
  duties: string[];
  feed: { position: number; delivered: number };
  redis: 'up' | 'down';
  database: 'up' | 'down';
}

/** GET /api/v1/cluster: one process on its own store, or one node of several. `where` names the store (no password). */
export type SystemReply = { mode: 'single'; store: 'sqlite' | 'postgres'; where: string } | ({ mode: 'cluster'; store: 'postgres'; where: string } & ClusterStatus);

/** What each duty is, in words. */
export const DUTY_WORDS: Record<string, string> = {
  simulator: 'the built-in simulator',
  'kpi-rollups': 'KPI rollups and checkpoint',
  flagger: 'the flagger (XmR, CUSUM, funnel)',
  'follow-ups': 'scheduled follow-up reviews',
  housekeeping: 'housekeeping (retention, expired sessions)',
};

/** One point of a KPI trend (`GET /api/v1/trends`). */
export interface TrendPoint {
  start: string;
  end: string;
  value: number | null;
  n: number;
  provisional?: boolean;
}

/**
 * `GET /api/v1/kpis`. `timeZone` is the zone of the scope asked about (shared/zones.ts: a site's own, a team's or
 * agent's site's; the centre's for centre-wide scopes), which its days, weeks and "today" follow. `pending` is true
 * while the period overlaps a day whose late or back-dated events are still being folded into history (within about
 * 5 s, longer during a full rebuild): the figures may still change.
 */
export interface KpisReply {
  ok: true;
  scope: string;
  from: string;
  to: string;
  timeZone: string;
  pending: boolean;
  /** The centre's credit rule (README "Legs and credit"): whom surveys, FCR and complaints count for. */
  creditAgent: CreditRule;
  kpis: KpiSet;
  targets: Partial<Record<KpiName, Target | null>>;
  status: Partial<Record<KpiName, TargetStatus>>;
  previous: KpiSet;
  previousLabel: string;
}

/** `GET /api/v1/kpis/agents?team=ID`: each agent of a team with the figures its table shows, and where they stand against target. */
export interface TeamAgentsReply {
  ok: true;
  team: string;
  from: string;
  to: string;
  timeZone: string;
  agents: {
    agentId: string;
    kpis: Pick<KpiSet, 'serviceLevel' | 'csat' | 'fcrRepeat' | 'aht' | 'qa'>;
    status: Record<'serviceLevel' | 'csat' | 'fcrRepeat' | 'aht' | 'qa', TargetStatus>;
  }[];
}

/** `GET /api/v1/trends`: `timeZone` and `pending` as in KpisReply. */
export interface TrendReply {
  ok: true;
  kpi: KpiName;
  scope: string;
  granularity: string;
  requestedGranularity: string;
  timeZone: string;
  pending: boolean;
  points: TrendPoint[];
}
