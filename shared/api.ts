/** REST reply shapes shared by server and client. */
import type { EventIssue } from './events.js';

/** One reply shape for every error on REST and socket acks. */
export interface ApiError {
  ok: false;
  error: { code: string; message: string; details?: unknown };
}

export const INGEST_MAX_EVENTS = 5_000;
export const INGEST_MAX_BYTES = 5 * 1024 * 1024;

export type IngestEventResult =
  | { index: number; id: string; status: 'accepted' }
  | { index: number; id: string; status: 'duplicate' }
  | { index: number; id: string | null; status: 'rejected'; errors: EventIssue[] };

export interface IngestReply {
  ok: true;
  accepted: number;
  duplicate: number;
  rejected: number;
  results: IngestEventResult[];
}

export const API_KEY_SCOPES = ['ingest', 'read', 'admin', 'directory'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What each scope lets a key do, for the key CLI and the admin keys page (README "Roles"). */
export const API_KEY_SCOPE_HELP: Record<ApiKeyScope, string> = {
  ingest: 'send events',
  read: 'read every figure, case list and the directory',
  admin: 'read and change the directory',
  directory: 'read and change the directory, nothing else (an HR or workforce-management feed)',
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
