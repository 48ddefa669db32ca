/**
 * What a platform connector is (issue 16). Each platform lives in `server/connectors/<platform>/` with:
 * - `mapping.ts`: a PURE mapper (a record as the platform's public documentation describes it → contract v2 event
 *   inputs; no I/O, no clock, no randomness), unit-tested from records built from the documentation;
 * - a transport: a PushConnector (the platform POSTs to us) or a PullConnector (we poll the platform's API);
 * - `simulate.ts`: the simulated centre's events in the platform's own shapes (`npm run simulate -- --as <platform>`).
 *
 * The core (server/connectors/pipeline.ts) runs every record through the mapper, validates the events with contract
 * v2, stores them through ingest (masking, orphans, live figures), dead-letters records that cannot be mapped or whose
 * events are invalid, counts every outcome for the source's health, and, for pull sources, writes the cursor and the
 * mapper's memory in the same transaction as the records' events.
 */
import type { Platform, SourceMapping } from '../../shared/sources.js';

/** One record as the platform sent it: `kind` says which of the platform's record types it is. */
export interface RawRecord {
  /** e.g. connect: ctr | contact-event | agent-event | contact-lens | evaluation; zendesk: ticket | metric-event | rating. */
  kind: string;
  body: unknown;
}

/**
 * What a mapper may remember between records of one source (e.g. Twilio: when a reservation was accepted, to rebuild
 * talk time when the task completes). Values are JSON. The pipeline loads the keys `memoryKeys` names before mapping
 * and writes the changes in the same transaction as the events; a unit test passes a plain Map.
 */
export interface MapperMemory {
  get(key: string): unknown;
  /** `undefined` forgets the key. */
  set(key: string, value: unknown): void;
}

export interface MapContext {
  sourceId: string;
  mapping: SourceMapping;
  memory: MapperMemory;
  /**
   * A customer's pseudonym from an address the platform names them by (a phone number, an email): keyed HMAC with a
   * per-source key derived from the server's secret key, so the address is never stored and cannot be recovered by
   * hashing guesses. Always given by the pipeline; a unit test may leave it out (mappers then fall back to a plain hash).
   */
  pseudonym?: (address: string) => string;
  /**
   * The directory's agent and queue ids (given by the pipeline): an agent or queue not in the mapping whose platform id
   * is not one of Frontline's but whose readable label (a login, a queue name) is, maps to that label.
   */
  known?: KnownIds;
}

export interface KnownIds {
  agents: ReadonlySet<string>;
  queues: ReadonlySet<string>;
}

/**
 * A platform value the record named (a queue, an agent, a state, a wrap-up code, a channel), mapped or not: the
 * Sources page lists what a source has sent so the admin maps real values from a list instead of typing them.
 */
export interface SeenValue {
  kind: 'queue' | 'agent' | 'state' | 'wrapCode' | 'channel';
  /** The value as the mapping table keys it (the platform's id or name). */
  value: string;
  /** A readable name when the record carries one (a queue's name beside its ARN, an agent's username). */
  label?: string;
}

export type MapOutcome =
  /** Contract v2 event inputs (plain objects, as they would be POSTed to /api/v2/events), in order. */
  | { ok: true; events: Record<string, unknown>[]; warnings?: string[]; seen?: SeenValue[] }
  /**
   * `unmapped`: the record is valid but names something the mapping does not cover (an unknown agent state, a strict
   * queue): fixable by a mapping change, then a replay. `malformed`: the record is not what the documentation says.
   */
  | { ok: false; reason: 'unmapped' | 'malformed'; reasons: string[]; seen?: SeenValue[] };

export interface PlatformMapper {
  platform: Platform;
  /** The record's identity for the dead-letter list: its platform key (contact id, ticket id, task SID, ...). */
  recordKey(record: RawRecord): string;
  /** Memory keys this record needs loaded before `map` (empty for stateless mappers). */
  memoryKeys?(record: RawRecord): string[];
  map(record: RawRecord, ctx: MapContext): MapOutcome;
}

/** What a delivery did, record by record. */
export interface DeliveryOutcome {
  accepted: number;
  duplicate: number;
  rejected: number;
  /** Newest platform time among the delivered records' events (epoch ms), if any. */
  newestMs: number | null;
}

/** The core's door for a transport: map, validate, store. Resolves only after the commit. */
export interface SourceSink {
  /**
   * With `cursor`, the cursor is written in the same transaction as the records' events, dead letters and mapper
   * memory: after a crash the next poll resumes exactly after the last committed page (none lost, none doubled).
   */
  deliver(records: readonly RawRecord[], opts?: { cursor?: string }): Promise<DeliveryOutcome>;
}

/** A request as the platform sent it, for push transports (raw body: signatures are over the exact bytes). */
export interface PushRequest {
  /** The full URL the platform called, as it saw it (PUBLIC_URL + path + query): Twilio signs it. */
  url: string;
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
}

export interface PushReply {
  status: number;
  headers?: Record<string, string>;
  /** JSON body (object) or text (string). */
  body: unknown;
}

export interface PushConnector {
  platform: Platform;
  mapper: PlatformMapper;
  /**
   * Handles one POST to `/api/v1/sources/:id/push/:endpoint`: verifies it with the source's credentials (answering the
   * platform's own error format on failure, never delivering), parses the records, delivers them, and answers in the
   * platform's format (Firehose: {requestId, timestamp}). Answer 2xx only after `sink.deliver` resolved.
   */
  handle(endpoint: string, req: PushRequest, credentials: Readonly<Record<string, string>>, sink: SourceSink): Promise<PushReply>;
}

export interface PullContext {
  credentials: Readonly<Record<string, string>>;
  /** Where the last committed poll left off (null on the first poll: start `backfillDays` back from now). */
  cursor: string | null;
  backfillDays: number;
  sink: SourceSink;
  /** Injected so tests can point at a stand-in server and a fake clock. */
  fetch: typeof fetch;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  signal: AbortSignal;
}

export interface PollResult {
  /** Records delivered in this poll. */
  records: number;
  /** The cursor after the poll (also committed with the last page). */
  cursor: string | null;
  /** Seconds to wait before the next poll when the platform asked for it (429 Retry-After), else undefined. */
  retryAfterSeconds?: number;
}

export interface PullConnector {
  platform: Platform;
  mapper: PlatformMapper;
  /** Reads from the cursor to now, page by page, delivering each page with the cursor that follows it. */
  poll(ctx: PullContext): Promise<PollResult>;
  /** Checks the credentials and reads one page without delivering: what the Sources page's "Test connection" shows. */
  test(ctx: Omit<PullContext, 'sink' | 'cursor'>): Promise<{ ok: boolean; message: string; sample?: number }>;
}

export type Connector = PushConnector | PullConnector;

export function isPull(c: Connector): c is PullConnector {
  return 'poll' in c;
}
