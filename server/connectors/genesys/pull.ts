/**
 * The Genesys Cloud poller (issue 16): reads conversation details from the Analytics API and hands them, page by
 * page, to the source's sink with the cursor that follows each page.
 *
 * API, as the official SDKs describe it (MyPureCloud/platform-client-sdk-python):
 * - OAuth client credentials grant: POST https://login.<region domain>/oauth/token with
 *   `Authorization: Basic base64(clientId:clientSecret)`, form body `grant_type=client_credentials`; the login host is
 *   the API host with `api.` replaced by `login.` (build/PureCloudPlatformClientV2/api_client.py,
 *   get_client_credentials_token and get_conf_url). The answer carries `access_token` and `expires_in` (seconds).
 * - POST /api/v2/analytics/conversations/details/query with `interval` ("start/end", ISO-8601), `order`, `orderBy`
 *   (conversationStart), `paging: {pageSize, pageNumber}` and optional `conversationFilters`, `surveyFilters`,
 *   `evaluationFilters` (build/docs/ConversationQuery.md, PagingSpec.md); the answer is `{conversations, totalHits}`
 *   (AnalyticsConversationQueryResponse.md; `conversations` is absent when nothing matched). The SDK documents the
 *   interval as selecting conversations "that started on a day touched by the interval", so a page may hold
 *   conversations that started before the interval: the poller skips those it has already read.
 * - GET /api/v2/quality/conversations/{conversationId}/evaluations/{evaluationId}?expand=agent (build/docs/QualityApi.md)
 *   for each evaluation a conversation lists.
 *
 * What one poll does:
 * 1. reads every conversation that started since the cursor, a day of conversations per query at most, in pages,
 *    re-reading the last OVERLAP_MS (analytics data trails real time; a re-read is a duplicate, never a double);
 * 2. re-reads the conversations the cursor holds as still in progress (no `conversationEnd`) by conversationId, so
 *    each later reading (a higher revision) replaces the partial one, until they end (or are older than OPEN_MAX_MS);
 * 3. once an hour, re-reads the last LATE_WINDOW_MS of conversations that have a completed survey or an evaluation,
 *    for surveys answered and evaluations made after the conversation ended;
 * 4. fetches the evaluations listed on ended conversations (and, in the late sweep, those changed since the last one).
 * Every page is delivered with the cursor that follows it, so a crash resumes at the next page.
 *
 * Errors: 401 on a data call → a new token once, then the call again; 429 → wait `Retry-After` seconds and retry (up
 * to MAX_RATE_LIMITED times, then end the poll early, asking the scheduler to wait); 5xx or a network error → retry
 * with backoff (1 s, 2 s, 4 s), then fail the poll: the cursor stays where the last committed page left it.
 */
import type { PollResult, PullConnector, PullContext, RawRecord } from '../types.js';
import { genesysMapper, type GenesysConversation } from './mapping.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
export const PAGE_SIZE = 100;
/** One query covers at most a day of conversation starts. */
export const CHUNK_MS = DAY_MS;
/** The last two minutes are read again on the next poll. */
export const OVERLAP_MS = 120_000;
/** In-progress conversations re-read per query (conversationId predicates), and how many the cursor keeps. */
export const OPEN_BATCH = 50;
export const OPEN_MAX = 2_000;
/** A conversation still open after two weeks (a long-lived email) is no longer followed. */
export const OPEN_MAX_MS = 14 * DAY_MS;
export const LATE_EVERY_MS = HOUR_MS;
export const LATE_WINDOW_MS = 14 * DAY_MS;
const MAX_RATE_LIMITED = 5;
const BACKOFF_MS = [1_000, 2_000, 4_000];
/** A token is renewed a minute before it expires. */
const TOKEN_MARGIN_MS = 60_000;

export interface GenesysCursor {
  v: 1;
  /** Every conversation that started before this instant has been read. */
  to: string;
  /** A query interval read part-way: the pages before `page` of [to − overlap, until] are delivered. */
  at?: { until: string; page: number };
  /** Conversations read while in progress: [conversationId, conversationStart]. */
  open: [string, string][];
  /** When the last late sweep (surveys and evaluations) finished. */
  late: string;
}

export function parseGenesysCursor(text: string | null): GenesysCursor | null {
  if (text === null || text === '') return null;
  const c = JSON.parse(text) as Partial<GenesysCursor>;
  if (c.v !== 1 || typeof c.to !== 'string' || Number.isNaN(Date.parse(c.to)) || !Array.isArray(c.open) || typeof c.late !== 'string') {
    throw new Error(`the Genesys Cloud cursor is not one this poller wrote: ${text.slice(0, 120)}`);
  }
  return c as GenesysCursor;
}

/** The API base and the login base from the `region` credential: an API host (api.mypurecloud.ie) or a full URL. */
export function genesysHosts(region: string): { api: string; login: string } {
  const r = region.trim().replace(/\/+$/, '');
  if (r === '') throw new Error('the Genesys Cloud region (API host, e.g. api.mypurecloud.ie) is not set');
  if (/^https?:\/\//i.test(r)) {
    const url = new URL(r);
    const api = `${url.protocol}//${url.host}`;
    const login = url.hostname.startsWith('api.') ? `${url.protocol}//login.${url.hostname.slice(4)}${url.port ? `:${url.port}` : ''}` : api;
    return { api, login };
  }
  const host = r.startsWith('api.') ? r : r.startsWith('login.') ? `api.${r.slice(6)}` : `api.${r}`;
  return { api: `https://${host}`, login: `https://login.${host.slice(4)}` };
}

export class GenesysHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

interface Token {
  value: string;
  expiresMs: number;
}

type Ctx = Omit<PullContext, 'sink' | 'cursor'>;

/** An authenticated client for one poll: token cache shared across polls of the same credentials. */
class GenesysClient {
  readonly api: string;
  private readonly login: string;
  private readonly key: string;

  constructor(
    private readonly ctx: Ctx,
    private readonly tokens: Map<string, Token>,
  ) {
    const { region = '', clientId = '', clientSecret = '' } = ctx.credentials;
    if (clientId === '' || clientSecret === '') throw new Error('the Genesys Cloud OAuth client id and secret are not set');
    ({ api: this.api, login: this.login } = genesysHosts(region));
    this.key = `${this.login}|${clientId}|${clientSecret}`;
  }

  private async token(renew = false): Promise<string> {
    const held = this.tokens.get(this.key);
    if (!renew && held && held.expiresMs - TOKEN_MARGIN_MS > this.ctx.now()) return held.value;
    const { clientId = '', clientSecret = '' } = this.ctx.credentials;
    const res = await this.send(`${this.login}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new GenesysHttpError(res.status, `Genesys Cloud refused the OAuth client credentials (HTTP ${res.status} from ${this.login}/oauth/token): check the client id and secret, and that the client uses the Client Credentials grant`);
    }
    if (!res.ok) throw new GenesysHttpError(res.status, `the Genesys Cloud login answered HTTP ${res.status}`);
    const body = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') throw new Error('the Genesys Cloud login answered without an access_token');
    const ttl = typeof body.expires_in === 'number' ? body.expires_in : 3_600;
    this.tokens.set(this.key, { value: body.access_token, expiresMs: this.ctx.now() + ttl * 1000 });
    return body.access_token;
  }

  /** One HTTP exchange with 429 and 5xx handling (retried here); other statuses are the caller's. */
  private async send(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
    let limited = 0;
    let failures = 0;
    for (;;) {
      this.ctx.signal.throwIfAborted();
      let res: Response | undefined;
      let networkError: unknown;
      try {
        res = await this.ctx.fetch(url, { ...init, signal: this.ctx.signal });
      } catch (err) {
        if (this.ctx.signal.aborted) throw err;
        networkError = err;
      }
      if (res && res.status === 429) {
        const header = Number(res.headers.get('retry-after'));
        const seconds = Number.isFinite(header) && header >= 0 ? header : 5;
        await res.body?.cancel();
        if (++limited > MAX_RATE_LIMITED) throw new GenesysHttpError(429, `Genesys Cloud kept answering 429 (rate limited) for ${url}`, seconds);
        await this.ctx.sleep(seconds * 1000, this.ctx.signal);
        continue;
      }
      if (res === undefined || res.status >= 500) {
        if (res) await res.body?.cancel();
        const wait = BACKOFF_MS[failures++];
        if (wait === undefined) {
          const why = res ? `HTTP ${res.status}` : `a network error (${networkError instanceof Error ? networkError.message : String(networkError)})`;
          throw new GenesysHttpError(res?.status ?? 0, `Genesys Cloud answered ${why} for ${url} ${BACKOFF_MS.length + 1} times`);
        }
        await this.ctx.sleep(wait, this.ctx.signal);
        continue;
      }
      return res;
    }
  }

  /** A data call with the bearer token; a 401 (expired or revoked token) gets a new token once. */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T | undefined }> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token(attempt > 0);
      const res = await this.send(`${this.api}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        this.tokens.delete(this.key);
        continue;
      }
      if (!res.ok) {
        const text = await res.text().catch(() => '');
        return { status: res.status, body: (text ? safeJson(text) : undefined) as T | undefined };
      }
      return { status: res.status, body: (await res.json()) as T };
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 300);
  }
}

interface QueryAnswer {
  conversations?: GenesysConversation[];
  totalHits?: number;
}

const iso = (t: number): string => new Date(t).toISOString();

async function query(client: GenesysClient, body: Record<string, unknown>): Promise<QueryAnswer> {
  const res = await client.call<QueryAnswer>('POST', '/api/v2/analytics/conversations/details/query', body);
  if (res.status !== 200) {
    const detail = typeof res.body === 'object' && res.body !== null && 'message' in res.body ? String((res.body as { message: unknown }).message) : JSON.stringify(res.body ?? '');
    throw new GenesysHttpError(res.status, `the conversation details query answered HTTP ${res.status}: ${detail.slice(0, 300)}`);
  }
  return res.body ?? {};
}

const lastPageOf = (a: QueryAnswer, page: number, got: number): boolean => got < PAGE_SIZE || (typeof a.totalHits === 'number' && page * PAGE_SIZE >= a.totalHits);

/** The evaluations a conversation lists, fetched from the Quality API (403/404: skipped, the poll goes on). */
async function evaluationsOf(client: GenesysClient, c: GenesysConversation, since: number | undefined): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for (const e of c.evaluations ?? []) {
    if (e.deleted || typeof e.evaluationId !== 'string') continue;
    if (since !== undefined && (e.eventTime === undefined || Date.parse(e.eventTime) < since)) continue;
    const res = await client.call<unknown>('GET', `/api/v2/quality/conversations/${encodeURIComponent(c.conversationId)}/evaluations/${encodeURIComponent(e.evaluationId)}?expand=agent`);
    if (res.status === 200 && res.body !== undefined) out.push({ kind: 'evaluation', body: res.body });
    else if (res.status !== 403 && res.status !== 404) throw new GenesysHttpError(res.status, `the evaluation ${e.evaluationId} answered HTTP ${res.status}`);
  }
  return out;
}

function createPoller(): PullConnector {
  const tokens = new Map<string, Token>();

  async function poll(ctx: PullContext): Promise<PollResult> {
    const now = ctx.now();
    const client = new GenesysClient(ctx, tokens);
    const cur: GenesysCursor = parseGenesysCursor(ctx.cursor) ?? { v: 1, to: iso(now - ctx.backfillDays * DAY_MS), open: [], late: iso(now) };
    const open = new Map<string, string>(cur.open);
    const seen = new Set<string>();
    let records = 0;
    let committed: string | null = ctx.cursor;

    const cursorText = (c: Omit<GenesysCursor, 'v' | 'open'>): string => {
      // The oldest in-progress conversations are let go first when there are too many to follow.
      const list = [...open.entries()].filter(([, start]) => now - Date.parse(start) <= OPEN_MAX_MS).sort((a, b) => (a[1] < b[1] ? -1 : 1));
      return JSON.stringify({ v: 1, ...c, open: list.slice(Math.max(0, list.length - OPEN_MAX)) } satisfies GenesysCursor);
    };
    const deliver = async (recs: RawRecord[], next: string): Promise<void> => {
      await ctx.sink.deliver(recs, { cursor: next });
      records += recs.length;
      committed = next;
    };
    /** A page's conversations as records (and the evaluations of those that ended), following the open set. */
    const recordsOf = async (convs: GenesysConversation[], keep: (c: GenesysConversation) => boolean): Promise<RawRecord[]> => {
      const out: RawRecord[] = [];
      for (const c of convs) {
        if (typeof c?.conversationId !== 'string') {
          out.push({ kind: 'conversation', body: c });
          continue;
        }
        if (!keep(c)) continue;
        seen.add(c.conversationId);
        out.push({ kind: 'conversation', body: c });
        if (c.conversationEnd === undefined) open.set(c.conversationId, c.conversationStart);
        else {
          open.delete(c.conversationId);
          out.push(...(await evaluationsOf(client, c, undefined)));
        }
      }
      return out;
    };

    try {
      // 1. Conversations that started since the cursor, a day per query, page by page.
      let to = Date.parse(cur.to);
      let resume = cur.at;
      while (to < now) {
        const until = resume ? Date.parse(resume.until) : Math.min(to + CHUNK_MS, now);
        const from = to - OVERLAP_MS;
        for (let page = resume?.page ?? 1; ; page++) {
          const answer = await query(client, { interval: `${iso(from)}/${iso(until)}`, order: 'asc', orderBy: 'conversationStart', paging: { pageSize: PAGE_SIZE, pageNumber: page } });
          const convs = answer.conversations ?? [];
          const recs = await recordsOf(convs, (c) => Date.parse(c.conversationStart) >= from || open.has(c.conversationId));
          const last = lastPageOf(answer, page, convs.length);
          await deliver(recs, cursorText(last ? { to: iso(until), late: cur.late } : { to: iso(to), at: { until: iso(until), page: page + 1 }, late: cur.late }));
          if (last) break;
        }
        resume = undefined;
        to = until;
      }
      const reached = iso(to);

      // 2. Conversations still in progress at their last reading, by id.
      const waiting = [...open.entries()].filter(([id]) => !seen.has(id));
      for (let i = 0; i < waiting.length; i += OPEN_BATCH) {
        const batch = waiting.slice(i, i + OPEN_BATCH);
        const earliest = Math.min(...batch.map(([, start]) => Date.parse(start)));
        const filters = [{ type: 'or', predicates: batch.map(([id]) => ({ type: 'dimension', dimension: 'conversationId', operator: 'matches', value: id })) }];
        for (let page = 1; ; page++) {
          const answer = await query(client, { interval: `${iso(earliest)}/${iso(now)}`, order: 'asc', orderBy: 'conversationStart', paging: { pageSize: PAGE_SIZE, pageNumber: page }, conversationFilters: filters });
          const convs = answer.conversations ?? [];
          const recs = await recordsOf(convs, (c) => open.has(c.conversationId) && !seen.has(c.conversationId));
          const last = lastPageOf(answer, page, convs.length);
          await deliver(recs, cursorText({ to: reached, late: cur.late }));
          if (last) break;
        }
      }

      // 3. Once an hour: surveys completed and evaluations made since the last sweep, on recent conversations.
      const lateSince = Date.parse(cur.late);
      if (now - lateSince >= LATE_EVERY_MS) {
        const since = lateSince - OVERLAP_MS;
        const sweeps: Record<string, unknown>[] = [
          { surveyFilters: [{ type: 'and', predicates: [{ type: 'dimension', dimension: 'surveyCompletedDate', operator: 'exists' }] }] },
          { evaluationFilters: [{ type: 'and', predicates: [{ type: 'dimension', dimension: 'evaluationId', operator: 'exists' }] }] },
        ];
        for (const filter of sweeps) {
          for (let start = now - LATE_WINDOW_MS; start < now; start += CHUNK_MS) {
            const end = Math.min(start + CHUNK_MS, now);
            for (let page = 1; ; page++) {
              const answer = await query(client, { interval: `${iso(start)}/${iso(end)}`, order: 'asc', orderBy: 'conversationStart', paging: { pageSize: PAGE_SIZE, pageNumber: page }, ...filter });
              const convs = answer.conversations ?? [];
              const recs: RawRecord[] = [];
              for (const c of convs) {
                if (typeof c?.conversationId !== 'string' || seen.has(c.conversationId) || c.conversationEnd === undefined) continue;
                const newSurvey = (c.surveys ?? []).some((s) => s.surveyCompletedDate !== undefined && Date.parse(s.surveyCompletedDate) >= since);
                const evaluations = await evaluationsOf(client, c, since);
                if (!newSurvey && evaluations.length === 0) continue;
                seen.add(c.conversationId);
                recs.push({ kind: 'conversation', body: c }, ...evaluations);
              }
              const last = lastPageOf(answer, page, convs.length);
              if (recs.length > 0) await deliver(recs, cursorText({ to: reached, late: cur.late }));
              if (last) break;
            }
          }
        }
        await deliver([], cursorText({ to: reached, late: iso(now) }));
      } else if (committed !== cursorText({ to: reached, late: cur.late })) {
        await deliver([], cursorText({ to: reached, late: cur.late }));
      }
      return { records, cursor: committed };
    } catch (err) {
      if (err instanceof GenesysHttpError && err.status === 429) {
        // The platform keeps asking us to slow down: stop here (everything delivered so far is committed).
        return { records, cursor: committed, retryAfterSeconds: err.retryAfterSeconds ?? 60 };
      }
      throw err;
    }
  }

  async function test(ctx: Ctx): Promise<{ ok: boolean; message: string; sample?: number }> {
    try {
      const client = new GenesysClient(ctx, tokens);
      const now = ctx.now();
      const answer = await query(client, { interval: `${iso(now - DAY_MS)}/${iso(now)}`, order: 'asc', orderBy: 'conversationStart', paging: { pageSize: 25, pageNumber: 1 } });
      const sample = answer.conversations?.length ?? 0;
      const total = answer.totalHits ?? sample;
      return { ok: true, message: `Connected to ${client.api} with the OAuth client: ${total} conversation${total === 1 ? '' : 's'} started in the last 24 hours.`, sample };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  return { platform: 'genesys', mapper: genesysMapper, poll, test };
}

export const genesysPoller: PullConnector = createPoller();
export { createPoller as createGenesysPoller };
