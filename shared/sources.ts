/**
 * Sources (issue 16): a contact-centre platform connected without code. Shared by the Sources page and the server.
 *
 * A source is one connection to one platform account: its credentials (stored encrypted, never shown again), its
 * mapping (the platform's channels, queues, agent ids, agent states, wrap-up codes and survey scale onto Frontline's),
 * and its health (last record, lag, records accepted / duplicate / rejected with reasons, orphans held, dead letters).
 *
 * Push platforms (Amazon Connect, Twilio Flex) POST to the source's own endpoint; pull platforms (Genesys Cloud,
 * Zendesk) are polled by the server from a cursor stored in the same transaction as the records it covered.
 */
import { z } from 'zod';
import { CHANNELS } from './channels.js';
import { AGENT_STATES, SURVEY_SCALES, idV2 } from './events.js';

export const PLATFORMS = ['connect', 'genesys', 'zendesk', 'twilio'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface CredentialField {
  key: string;
  label: string;
  /** Secret fields are stored encrypted and never shown again; others (a region, a subdomain) are shown. */
  secret: boolean;
  /** Optional fields may be left empty. */
  optional?: boolean;
  placeholder?: string;
  help?: string;
}

export interface PlatformInfo {
  label: string;
  transport: 'push' | 'pull';
  credentials: readonly CredentialField[];
  /** Push platforms: the endpoints a source answers on (POST /api/v1/sources/:id/push/:endpoint). */
  endpoints?: readonly { endpoint: string; label: string; help: string }[];
  /** The platform's survey scale when nothing else is said. */
  defaultSurveyScale: (typeof SURVEY_SCALES)[number];
}

export const PLATFORM_INFO: Record<Platform, PlatformInfo> = {
  connect: {
    label: 'Amazon Connect',
    transport: 'push',
    credentials: [
      { key: 'accessKey', label: 'Firehose access key', secret: true, help: 'The access key set on the Kinesis Data Firehose HTTP endpoint destination (sent as X-Amz-Firehose-Access-Key); EventBridge API destinations send it as the X-Frontline-Source-Key header.' },
      { key: 'instanceArn', label: 'Instance ARN', secret: false, optional: true, placeholder: 'arn:aws:connect:eu-west-2:123456789012:instance/…' },
    ],
    endpoints: [
      { endpoint: 'firehose', label: 'Kinesis Data Firehose HTTP endpoint', help: 'Contact trace records, agent events, Contact Lens analysis and evaluations delivered by Firehose.' },
      { endpoint: 'eventbridge', label: 'EventBridge API destination', help: 'Amazon Connect contact events (and Contact Lens / evaluation events) from an EventBridge rule.' },
    ],
    defaultSurveyScale: '1-5',
  },
  genesys: {
    label: 'Genesys Cloud',
    transport: 'pull',
    credentials: [
      { key: 'region', label: 'Region API host', secret: false, placeholder: 'api.mypurecloud.ie', help: 'The API host of your Genesys Cloud region; the login host is derived from it.' },
      { key: 'clientId', label: 'OAuth client id', secret: false },
      { key: 'clientSecret', label: 'OAuth client secret', secret: true },
    ],
    defaultSurveyScale: '0-10',
  },
  zendesk: {
    label: 'Zendesk',
    transport: 'pull',
    credentials: [
      { key: 'subdomain', label: 'Subdomain', secret: false, placeholder: 'mycompany', help: 'https://mycompany.zendesk.com' },
      { key: 'email', label: 'Agent email', secret: false, help: 'An admin email; the API token authenticates as email/token.' },
      { key: 'apiToken', label: 'API token', secret: true },
    ],
    defaultSurveyScale: 'good-bad',
  },
  twilio: {
    label: 'Twilio Flex',
    transport: 'push',
    credentials: [
      { key: 'accountSid', label: 'Account SID', secret: false, placeholder: 'AC…' },
      { key: 'authToken', label: 'Auth token', secret: true, help: 'Verifies X-Twilio-Signature on every callback.' },
    ],
    endpoints: [
      { endpoint: 'taskrouter', label: 'TaskRouter event callback URL', help: 'Set as the workspace Event Callback URL.' },
      { endpoint: 'eventstreams', label: 'Event Streams webhook sink', help: 'A webhook sink for TaskRouter and Flex events.' },
    ],
    defaultSurveyScale: '1-5',
  },
};

const key = z.string().min(1).max(512);

/**
 * How a source's records become Frontline's events. Every table maps a platform value (an id or a name, as the
 * platform sends it) to Frontline's; a value not in a table passes through unchanged (queues, agents) or falls back to
 * the platform's defaults (channels, states, wrap-up codes), unless the `strict` switches say to reject it.
 */
export const sourceMapping = z.strictObject({
  /** Platform channel names (VOICE, CHAT, TASK, EMAIL, call, chat, sms, ...) → Frontline channels. */
  channels: z.record(key, z.enum(CHANNELS)).default({}),
  /** Platform queue ids or names → Frontline queue ids. */
  queues: z.record(key, idV2).default({}),
  /** Platform agent ids (user ids, ARNs, worker SIDs) → Frontline agent ids. */
  agents: z.record(key, idV2).default({}),
  /** Platform agent states or activity names → the five standard states. */
  states: z.record(z.string().min(1).max(100), z.enum(AGENT_STATES)).default({}),
  /** Wrap-up / disposition codes → whether the contact was resolved (first-contact resolution). */
  wrapCodes: z.record(z.string().min(1).max(200), z.boolean()).default({}),
  /** A contact ended with no wrap-up code, or one not in the table, counts as resolved unless this is false. */
  resolvedByDefault: z.boolean().default(true),
  /** The scale the platform's customer survey answers on. */
  surveyScale: z.enum(SURVEY_SCALES).optional(),
  /** Reject (dead-letter) records naming a queue or an agent that is not in the tables above. */
  strictQueues: z.boolean().default(false),
  strictAgents: z.boolean().default(false),
});
export type SourceMapping = z.infer<typeof sourceMapping>;
export const EMPTY_MAPPING: SourceMapping = sourceMapping.parse({});

export const SOURCE_NAME = z.string().trim().min(1, 'a source needs a name').max(80, 'at most 80 characters');

export const createSourceBody = z.strictObject({
  platform: z.enum(PLATFORMS),
  name: SOURCE_NAME,
  /** Credential fields by key (PLATFORM_INFO[platform].credentials). */
  credentials: z.record(z.string().max(40), z.string().max(4_000)).default({}),
  mapping: sourceMapping.optional(),
  /** Pull sources: seconds between polls. */
  pollSeconds: z.int().min(10).max(3_600).optional(),
  /** Pull sources: how far back the first poll starts, in days (default 1). */
  backfillDays: z.int().min(0).max(90).optional(),
});
export type CreateSourceBody = z.infer<typeof createSourceBody>;

export const updateSourceBody = z.strictObject({
  name: SOURCE_NAME.optional(),
  /** Only the fields given change; an empty string clears an optional field. Secrets are never sent back. */
  credentials: z.record(z.string().max(40), z.string().max(4_000)).optional(),
  mapping: sourceMapping.optional(),
  pollSeconds: z.int().min(10).max(3_600).optional(),
  enabled: z.boolean().optional(),
});
export type UpdateSourceBody = z.infer<typeof updateSourceBody>;

/** Why records were rejected, as counted per source. */
export const SOURCE_REJECT_REASONS = ['unmapped', 'malformed', 'invalid', 'id_conflict', 'auth'] as const;
export type SourceRejectReason = (typeof SOURCE_REJECT_REASONS)[number];

export interface SourceHealth {
  /** When the last record was received (epoch ms), and the platform time of the newest record. */
  lastRecordMs: number | null;
  lastRecordAt: string | null;
  /** Seconds between a record's platform time and its arrival, for the last delivery. */
  lagSeconds: number | null;
  accepted: number;
  duplicate: number;
  rejected: number;
  rejectedBy: Partial<Record<SourceRejectReason, number>>;
  /** Events from this source held for a contact that has not arrived. */
  orphansHeld: number;
  deadLetters: number;
  /** Pull sources: the last poll and its error, if it failed. */
  lastPollMs: number | null;
  lastError: string | null;
  status: 'waiting' | 'healthy' | 'lagging' | 'failing' | 'disabled';
}

export interface SourceSummary {
  id: string;
  platform: Platform;
  name: string;
  enabled: boolean;
  mapping: SourceMapping;
  /** Non-secret credential fields as set; secret ones only say whether they are set. */
  credentials: Record<string, string>;
  secretsSet: string[];
  pollSeconds: number | null;
  /** Push sources: the URLs to give the platform, by endpoint. */
  endpoints: { endpoint: string; label: string; url: string }[];
  createdMs: number;
  updatedMs: number;
  health: SourceHealth;
}

export interface DeadLetter {
  id: number;
  receivedMs: number;
  /** The record's kind (ctr, agent-event, ticket, ...) and its platform key (contact id, ticket id, ...). */
  kind: string;
  recordKey: string;
  reason: SourceRejectReason;
  reasons: string[];
  /** The record as received (JSON), for the admin to read. */
  record: unknown;
  status: 'held' | 'replayed' | 'discarded';
  replayedMs: number | null;
}

export interface TestConnectionReply {
  ok: boolean;
  /** What was tried and what came back, in words. */
  message: string;
  /** Pull sources: records seen on the first page. */
  sample?: number;
}

export interface ReplayReply {
  replayed: number;
  stillRejected: number;
  results: { id: number; status: 'replayed' | 'rejected'; reasons?: string[] }[];
}

/** A platform value a source has sent (GET /api/v1/sources/:id/seen), with what it maps to now. */
export interface SeenValueRow {
  kind: 'queue' | 'agent' | 'state' | 'wrapCode' | 'channel';
  value: string;
  label: string | null;
  count: number;
  lastMs: number;
  /** What the source's mapping makes of it now (null: passes through unchanged / falls back to the defaults). */
  mappedTo: string | boolean | null;
}

/**
 * The Sources API (admins only; push endpoints answer the platform with its own credentials):
 * - GET    /api/v1/sources                               → { ok, sources: SourceSummary[] }
 * - POST   /api/v1/sources                 CreateSourceBody → 201 { ok, source: SourceSummary }
 * - GET    /api/v1/sources/:id                           → { ok, source: SourceSummary }
 * - PATCH  /api/v1/sources/:id             UpdateSourceBody → { ok, source: SourceSummary }
 * - DELETE /api/v1/sources/:id                           → { ok } (its stored events stay)
 * - POST   /api/v1/sources/:id/test                      → TestConnectionReply (ok: whether the connection works)
 * - GET    /api/v1/sources/:id/seen                      → { ok, values: SeenValueRow[] }
 * - GET    /api/v1/sources/:id/dead-letters?status=held  → { ok, deadLetters: DeadLetter[], total }
 * - POST   /api/v1/sources/:id/dead-letters/replay  { ids?: number[] } → { ok, ...ReplayReply } (no ids: every held one)
 * - POST   /api/v1/sources/:id/dead-letters/discard { ids: number[] } → { ok, discarded }
 * - POST   /api/v1/sources/:id/push/:endpoint  (public: verified by the platform's own credentials)
 */
export const SOURCES_API = '/api/v1/sources';
