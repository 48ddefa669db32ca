/** Table types for Kysely. Column names are snake_case in SQL and here. */
import type { Generated } from 'kysely';

export interface EventsTable {
  /** Ingest order; the replay cursor for the KPI engine. */
  seq: Generated<number>;
  id: string;
  type: string;
  occurred_at: string;
  /** occurred_at as epoch milliseconds, for range queries and ordering across offsets. */
  occurred_ms: number;
  received_ms: number;
  source: string | null;
  contact_id: string | null;
  agent_id: string | null;
  /** Canonical JSON of the validated event. */
  payload: string;
  /** sha256 of payload: same id + same hash is a harmless re-send, same id + other hash is a conflict. */
  content_hash: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_ms: number;
  last_used_ms: number | null;
  revoked_ms: number | null;
}

export interface SitesTable {
  id: string;
  name: string;
  time_zone: string;
  opening_hours: string;
}
export interface TeamsTable {
  id: string;
  name: string;
  site_id: string;
}
export interface QueuesTable {
  id: string;
  name: string;
  channel: string;
  site_id: string | null;
  service_level_seconds: number;
}
export interface AgentsTable {
  id: string;
  name: string;
  team_id: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  events: EventsTable;
  api_keys: ApiKeysTable;
  sites: SitesTable;
  teams: TeamsTable;
  queues: QueuesTable;
  agents: AgentsTable;
  meta: MetaTable;
}
