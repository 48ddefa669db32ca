/**
 * Sources (issue 16): add a platform connection, keep its credentials sealed, map it, test it, take its pushes, poll
 * it, and report its health. Plain domain code: the routes (server/http/sources.routes.ts) only translate HTTP.
 *
 * Credentials: secret fields are sealed (server/connectors/secrets.ts) and never leave the server again: not in a
 * reply, a log line, an audit entry or an error message. Pull sources are polled by the cluster's leader only, one
 * poll per source at a time; the cursor moves only with the records it covers (server/connectors/pipeline.ts).
 */
import { randomBytes } from 'node:crypto';
import type { OrphanReport } from '../../shared/api.js';
import {
  EMPTY_MAPPING,
  PLATFORM_INFO,
  type CreateSourceBody,
  type DeadLetter,
  type Platform,
  type ReplayReply,
  type SeenValueRow,
  type SourceHealth,
  type SourceMapping,
  type SourceSummary,
  type TestConnectionReply,
  type UpdateSourceBody,
} from '../../shared/sources.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { HttpError } from '../http/errors.js';
import type { DetailedDelivery, SourcePipeline } from './pipeline.js';
import type { SecretBox } from './secrets.js';
import type { SourceRow, SourceStore } from './sources.store.js';
import { isPull, type Connector, type PushReply, type PushRequest, type RawRecord } from './types.js';

/** Mapper memory (a conversation's facts so far) untouched this long is forgotten: the contact ended long ago. */
export const MEMORY_TTL_MS = 30 * 86_400_000;
const MEMORY_SWEEP_MS = 3_600_000;
/** A source whose newest record arrived this long after it happened is lagging. */
export const LAGGING_MS = 10 * 60_000;
const DEFAULT_POLL_SECONDS = 60;
const DEFAULT_BACKFILL_DAYS = 1;

export interface SourceServiceDeps {
  sources: SourceStore;
  pipeline: SourcePipeline;
  secrets: SecretBox;
  connectors: Readonly<Partial<Record<Platform, Connector>>>;
  clock: Clock;
  logger: Logger;
  audit: AuditService;
  orphans: { report(): Promise<OrphanReport> };
  /** True on the node that polls (the cluster's leader; always on one node). */
  leads: () => boolean;
  /** Injected by tests (stand-in platforms); the platform's real API otherwise. */
  fetch?: typeof fetch;
  /** How often the leader looks for pull sources that are due (SOURCES_TICK_MS). */
  tickMs: number;
}

export class SourceService {
  private timer: NodeJS.Timeout | undefined;
  private lastSweepMs = 0;
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: SourceServiceDeps) {}

  // ---- Admin: add, change, remove --------------------------------------------------------------------------------

  async list(baseUrl: string): Promise<SourceSummary[]> {
    const [rows, orphans] = await Promise.all([this.deps.sources.list(), this.orphansBySource()]);
    return Promise.all(rows.map((r) => this.summary(r, baseUrl, orphans)));
  }

  async get(id: string, baseUrl: string): Promise<SourceSummary> {
    return this.summary(await this.mustGet(id), baseUrl, await this.orphansBySource());
  }

  async create(body: CreateSourceBody, actor: string, baseUrl: string): Promise<SourceSummary> {
    const info = PLATFORM_INFO[body.platform];
    if (!this.deps.connectors[body.platform]) throw new HttpError(400, 'bad_request', `${info.label} is not available on this server`);
    if (await this.deps.sources.nameTaken(body.name)) throw new HttpError(409, 'conflict', `a source named "${body.name}" already exists`);
    const { settings, secrets } = splitCredentials(body.platform, body.credentials, {}, {}, true);
    const id = `src_${randomBytes(9).toString('base64url')}`;
    const nowMs = this.deps.clock.now();
    await this.deps.sources.create({
      id,
      platform: body.platform,
      name: body.name,
      mapping: body.mapping ?? EMPTY_MAPPING,
      settings,
      sealedSecrets: Object.keys(secrets).length > 0 ? this.deps.secrets.seal(id, secrets) : null,
      pollSeconds: info.transport === 'pull' ? (body.pollSeconds ?? DEFAULT_POLL_SECONDS) : null,
      backfillDays: body.backfillDays ?? DEFAULT_BACKFILL_DAYS,
      nowMs,
      createdBy: actor,
    });
    await this.deps.audit.record({ actor, action: 'source.create', target: id, details: { platform: body.platform, name: body.name, credentials: Object.keys(body.credentials).sort() } });
    return this.get(id, baseUrl);
  }

  async update(id: string, body: UpdateSourceBody, actor: string, baseUrl: string): Promise<SourceSummary> {
    const row = await this.mustGet(id);
    if (body.name !== undefined && (await this.deps.sources.nameTaken(body.name, id))) throw new HttpError(409, 'conflict', `a source named "${body.name}" already exists`);
    let settings: Record<string, string> | undefined;
    let sealed: string | null | undefined;
    if (body.credentials !== undefined) {
      const current = row.sealedSecrets ? this.deps.secrets.open(id, row.sealedSecrets) : {};
      const split = splitCredentials(row.platform, body.credentials, row.settings, current, false);
      settings = split.settings;
      sealed = Object.keys(split.secrets).length > 0 ? this.deps.secrets.seal(id, split.secrets) : null;
    }
    if (body.pollSeconds !== undefined && PLATFORM_INFO[row.platform].transport !== 'pull') throw new HttpError(400, 'bad_request', 'only pull sources (Genesys Cloud, Zendesk) have a poll interval');
    await this.deps.sources.update(id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.mapping !== undefined ? { mapping: body.mapping } : {}),
      ...(settings !== undefined ? { settings } : {}),
      ...(sealed !== undefined ? { sealedSecrets: sealed } : {}),
      ...(body.pollSeconds !== undefined ? { pollSeconds: body.pollSeconds } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      nowMs: this.deps.clock.now(),
    });
    await this.deps.audit.record({
      actor,
      action: 'source.update',
      target: id,
      // What changed, never a credential's value.
      details: {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.credentials !== undefined ? { credentials: Object.keys(body.credentials).sort() } : {}),
        ...(body.mapping !== undefined ? { mapping: mappingDiff(row.mapping, body.mapping) } : {}),
        ...(body.pollSeconds !== undefined ? { pollSeconds: body.pollSeconds } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      },
    });
    return this.get(id, baseUrl);
  }

  async remove(id: string, actor: string): Promise<void> {
    await this.mustGet(id);
    await this.deps.sources.remove(id, this.deps.clock.now());
    await this.deps.audit.record({ actor, action: 'source.delete', target: id });
  }

  async seen(id: string): Promise<SeenValueRow[]> {
    const row = await this.mustGet(id);
    const rows = await this.deps.sources.seen(id);
    return rows.map((r) => ({ kind: r.kind as SeenValueRow['kind'], value: r.value, label: r.label, count: r.count, lastMs: r.lastMs, mappedTo: mappedTo(row.mapping, r.kind, r.value, r.label) }));
  }

  async deadLetters(id: string, status: DeadLetter['status'] | undefined): Promise<{ rows: DeadLetter[]; total: number }> {
    await this.mustGet(id);
    return this.deps.sources.deadLetters(id, { ...(status ? { status } : {}), limit: 200 });
  }

  async replay(id: string, ids: readonly number[] | undefined, actor: string): Promise<ReplayReply> {
    const row = await this.mustGet(id);
    const reply = await this.deps.pipeline.replay(row, this.connectorOf(row).mapper, ids);
    await this.deps.audit.record({ actor, action: 'source.replay', target: id, details: { replayed: reply.replayed, stillRejected: reply.stillRejected } });
    return reply;
  }

  async discard(id: string, ids: readonly number[], actor: string): Promise<number> {
    await this.mustGet(id);
    const n = await this.deps.sources.discard(id, ids, this.deps.clock.now());
    await this.deps.audit.record({ actor, action: 'source.discard', target: id, details: { discarded: n } });
    return n;
  }

  /** "Test connection": a pull source signs in and reads one page; a push source says what it has received. */
  async test(id: string, baseUrl: string): Promise<TestConnectionReply> {
    const row = await this.mustGet(id);
    const connector = this.connectorOf(row);
    const credentials = this.credentialsOf(row);
    const missing = PLATFORM_INFO[row.platform].credentials.filter((f) => !f.optional && !credentials[f.key]).map((f) => f.label);
    if (missing.length > 0) return { ok: false, message: `missing: ${missing.join(', ')}` };
    if (isPull(connector)) {
      try {
        return await connector.test({ credentials, backfillDays: row.backfillDays, fetch: this.deps.fetch ?? fetch, now: () => this.deps.clock.now(), sleep, signal: AbortSignal.timeout(30_000) });
      } catch (err) {
        return { ok: false, message: errorText(err) };
      }
    }
    const urls = (PLATFORM_INFO[row.platform].endpoints ?? []).map((e) => `${e.label}: ${endpointUrl(baseUrl, row.id, e.endpoint)}`).join('; ');
    if (row.lastRecordMs === null) return { ok: true, message: `Credentials are set. Waiting for the first record from ${PLATFORM_INFO[row.platform].label} at ${urls}.` };
    return { ok: true, message: `Receiving: the last record arrived ${new Date(row.lastRecordMs).toISOString()} (${row.accepted} accepted, ${row.duplicate} duplicate, ${row.rejected} rejected so far).` };
  }

  // ---- Push: the platform calls us --------------------------------------------------------------------------------

  async push(id: string, endpoint: string, req: PushRequest): Promise<PushReply> {
    const row = await this.deps.sources.get(id);
    if (!row) return { status: 404, body: { ok: false, error: { code: 'not_found', message: 'no such source' } } };
    const connector = this.deps.connectors[row.platform];
    if (!connector || isPull(connector)) return { status: 404, body: { ok: false, error: { code: 'not_found', message: `${PLATFORM_INFO[row.platform].label} sources are polled, not pushed to` } } };
    if (!(PLATFORM_INFO[row.platform].endpoints ?? []).some((e) => e.endpoint === endpoint)) return { status: 404, body: { ok: false, error: { code: 'not_found', message: `this source answers on ${(PLATFORM_INFO[row.platform].endpoints ?? []).map((e) => e.endpoint).join(', ')}` } } };
    // Paused: the platform keeps the records and retries (Firehose, Twilio), nothing is lost.
    if (!row.enabled) return { status: 503, headers: { 'Retry-After': '60' }, body: { ok: false, error: { code: 'source_disabled', message: 'this source is paused in Frontline; the platform keeps the records and retries' } } };
    const reply = await connector.handle(endpoint, req, this.credentialsOf(row), this.deps.pipeline.sink(row.id, connector.mapper));
    if (reply.status === 401 || reply.status === 403) {
      await this.deps.sources.count(row.id, { accepted: 0, duplicate: 0, rejectedBy: { auth: 1 }, nowMs: this.deps.clock.now(), newestMs: null }).catch(() => undefined);
    }
    return reply;
  }

  /** Delivers records to a source as its transport would (tests, the benchmark, an in-process simulation). */
  async deliver(id: string, records: readonly RawRecord[], opts: { cursor?: string } = {}): Promise<DetailedDelivery> {
    const row = await this.mustGet(id);
    return this.deps.pipeline.deliver(row, this.connectorOf(row).mapper, records, opts.cursor !== undefined ? { cursor: opts.cursor } : {});
  }

  // ---- Pull: we poll the platform --------------------------------------------------------------------------------

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.deps.logger.error({ err }, 'the source poller could not look for due sources')), this.deps.tickMs);
    this.timer.unref();
    // At once too: a source due when the server starts (after a restart, say) is read without waiting a tick.
    setImmediate(() => void this.tick().catch((err: unknown) => this.deps.logger.error({ err }, 'the source poller could not look for due sources')));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Polls every enabled pull source that is due (leader only). */
  async tick(): Promise<void> {
    if (!this.deps.leads()) return;
    const now = this.deps.clock.now();
    if (now - this.lastSweepMs >= MEMORY_SWEEP_MS) {
      this.lastSweepMs = now;
      const n = await this.deps.sources.forgetMemoryBefore(now - MEMORY_TTL_MS);
      if (n > 0) this.deps.logger.info({ forgotten: n }, 'forgot mapper memory of contacts untouched for 30 days');
    }
    for (const row of await this.deps.sources.list()) {
      if (!row.enabled || PLATFORM_INFO[row.platform].transport !== 'pull' || this.running.has(row.id)) continue;
      if (row.lastPollMs !== null && now - row.lastPollMs < (row.pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000) continue;
      void this.pollNow(row.id);
    }
  }

  /** One poll of one source now (the scheduler's unit; tests call it directly). Never two at once for a source. */
  pollNow(id: string): Promise<void> {
    const running = this.running.get(id);
    if (running) return running;
    const p = this.poll(id).finally(() => this.running.delete(id));
    this.running.set(id, p);
    return p;
  }

  private async poll(id: string): Promise<void> {
    const row = await this.deps.sources.get(id);
    if (!row || !row.enabled) return;
    const connector = this.deps.connectors[row.platform];
    if (!connector || !isPull(connector)) return;
    let error: string | null = null;
    try {
      const r = await (connector).poll({
        credentials: this.credentialsOf(row),
        cursor: row.cursor,
        backfillDays: row.backfillDays,
        sink: this.deps.pipeline.sink(row.id, connector.mapper),
        fetch: this.deps.fetch ?? fetch,
        now: () => this.deps.clock.now(),
        sleep,
        signal: this.abort.signal,
      });
      if (r.retryAfterSeconds !== undefined) this.deps.logger.info({ sourceId: id, retryAfterSeconds: r.retryAfterSeconds }, 'the platform asked the poller to wait');
    } catch (err) {
      error = errorText(err);
      this.deps.logger.warn({ sourceId: id, platform: row.platform, error }, 'a source poll failed; the cursor stays where the last committed page left it');
    }
    await this.deps.sources.pollDone(id, { nowMs: this.deps.clock.now(), error });
  }

  // ---- Helpers ---------------------------------------------------------------------------------------------------

  private async mustGet(id: string): Promise<SourceRow> {
    const row = await this.deps.sources.get(id);
    if (!row) throw new HttpError(404, 'not_found', 'no such source');
    return row;
  }

  private connectorOf(row: SourceRow): Connector {
    const c = this.deps.connectors[row.platform];
    if (!c) throw new HttpError(409, 'conflict', `${PLATFORM_INFO[row.platform].label} is not available on this server`);
    return c;
  }

  /** Settings and opened secrets together, as the connector reads them. */
  private credentialsOf(row: SourceRow): Record<string, string> {
    return { ...row.settings, ...(row.sealedSecrets ? this.deps.secrets.open(row.id, row.sealedSecrets) : {}) };
  }

  private async orphansBySource(): Promise<Map<string, number>> {
    const r = await this.deps.orphans.report();
    return new Map(r.sources.map((s) => [s.source, s.held]));
  }

  private async summary(row: SourceRow, baseUrl: string, orphans: Map<string, number>): Promise<SourceSummary> {
    const info = PLATFORM_INFO[row.platform];
    const secretsSet = row.sealedSecrets ? Object.keys(this.safeOpen(row)).filter((k) => info.credentials.some((f) => f.key === k && f.secret)) : [];
    const health: SourceHealth = {
      lastRecordMs: row.lastRecordMs,
      lastRecordAt: row.newestRecordMs === null ? null : new Date(row.newestRecordMs).toISOString(),
      lagSeconds: row.lagMs === null ? null : Math.round(row.lagMs / 1000),
      accepted: row.accepted,
      duplicate: row.duplicate,
      rejected: row.rejected,
      rejectedBy: row.rejectedBy,
      orphansHeld: orphans.get(row.id) ?? 0,
      deadLetters: await this.deps.sources.heldCount(row.id),
      lastPollMs: row.lastPollMs,
      lastError: row.lastError,
      status: !row.enabled ? 'disabled' : row.lastError !== null ? 'failing' : row.lastRecordMs === null ? 'waiting' : (row.lagMs ?? 0) > LAGGING_MS ? 'lagging' : 'healthy',
    };
    return {
      id: row.id,
      platform: row.platform,
      name: row.name,
      enabled: row.enabled,
      mapping: row.mapping,
      credentials: Object.fromEntries(info.credentials.filter((f) => !f.secret && row.settings[f.key] !== undefined).map((f) => [f.key, row.settings[f.key] as string])),
      secretsSet,
      pollSeconds: row.pollSeconds,
      endpoints: (info.endpoints ?? []).map((e) => ({ endpoint: e.endpoint, label: e.label, url: endpointUrl(baseUrl, row.id, e.endpoint) })),
      createdMs: row.createdMs,
      updatedMs: row.updatedMs,
      health,
    };
  }

  /** Which secrets are set, even when they no longer open (then the summary says none are, and the page asks again). */
  private safeOpen(row: SourceRow): Record<string, string> {
    try {
      return row.sealedSecrets ? this.deps.secrets.open(row.id, row.sealedSecrets) : {};
    } catch {
      return {};
    }
  }
}

export function endpointUrl(baseUrl: string, sourceId: string, endpoint: string): string {
  return `${baseUrl.replace(/\/$/, '')}/api/v1/sources/${encodeURIComponent(sourceId)}/push/${endpoint}`;
}

/**
 * Splits pasted credentials into settings (shown again) and secrets (sealed). On create every required field is
 * needed; on update only the fields given change (an empty string clears an optional one). Unknown fields are refused.
 */
function splitCredentials(platform: Platform, given: Readonly<Record<string, string>>, settings: Record<string, string>, secrets: Record<string, string>, creating: boolean): { settings: Record<string, string>; secrets: Record<string, string> } {
  const fields = PLATFORM_INFO[platform].credentials;
  const unknown = Object.keys(given).filter((k) => !fields.some((f) => f.key === k));
  if (unknown.length > 0) throw new HttpError(400, 'bad_request', `unknown credential field(s) ${unknown.join(', ')} for ${PLATFORM_INFO[platform].label}; expected ${fields.map((f) => f.key).join(', ')}`);
  const outSettings = { ...settings };
  const outSecrets = { ...secrets };
  for (const f of fields) {
    const v = given[f.key]?.trim();
    if (v === undefined) continue;
    const target = f.secret ? outSecrets : outSettings;
    if (v === '') delete target[f.key];
    else target[f.key] = v;
  }
  if (creating) {
    const missing = fields.filter((f) => !f.optional && !(f.secret ? outSecrets : outSettings)[f.key]).map((f) => f.label);
    if (missing.length > 0) throw new HttpError(400, 'bad_request', `${PLATFORM_INFO[platform].label} needs: ${missing.join(', ')}`);
  }
  return { settings: outSettings, secrets: outSecrets };
}

function mappedTo(m: SourceMapping, kind: string, value: string, label: string | null): string | boolean | null {
  const pick = <T>(table: Readonly<Record<string, T>>): T | null => table[value] ?? (label !== null ? table[label] : undefined) ?? null;
  switch (kind) {
    case 'queue':
      return pick(m.queues);
    case 'agent':
      return pick(m.agents);
    case 'state':
      return pick(m.states);
    case 'wrapCode':
      return pick(m.wrapCodes);
    case 'channel':
      return pick(m.channels);
    default:
      return null;
  }
}

/** What a mapping change did, table by table (keys added, changed, removed), for the audit trail. */
function mappingDiff(a: SourceMapping, b: SourceMapping): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const table of ['channels', 'queues', 'agents', 'states', 'wrapCodes'] as const) {
    const before = a[table] as Record<string, unknown>;
    const after = b[table] as Record<string, unknown>;
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]);
    if (changed.length > 0) out[table] = changed.slice(0, 50);
  }
  for (const flag of ['resolvedByDefault', 'surveyScale', 'strictQueues', 'strictAgents'] as const) if (a[flag] !== b[flag]) out[flag] = b[flag];
  return out;
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

