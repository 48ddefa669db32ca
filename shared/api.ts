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

export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

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
