/**
 * Zendesk's pull transport (issue 16): reads three streams from the cursor to now and delivers each page with the
 * cursor that follows it (the core writes it in the same transaction as the page's events).
 *
 * Streams, in this order each poll (metric events first, so a ticket's reply and work times are known when the
 * ticket itself is mapped; tickets wait for a later poll while the metric events are not read to their end):
 * 1. `GET /api/v2/incremental/ticket_metric_events.json?start_time=S` — time-based export: each page has `end_time`
 *    ("Use as the start_time to fetch the next page"), `next_page`, `count`. The page ends the stream when
 *    `end_of_stream` is true (the common attribute of every incremental export); a response without it ends the
 *    stream when it holds fewer than 1,000 items (the time-based page size), or when `end_time` does not move.
 *    Items at the boundary second come again on the next page: duplicates, harmless (the mapper is idempotent).
 * 2. `GET /api/v2/incremental/tickets/cursor.json?start_time=S&include=users,groups`, then `?cursor=after_cursor`
 *    — cursor-based export, `end_of_stream` ends it; the last `after_cursor` is where the next poll starts. Before
 *    it, `GET /api/v2/ticket_fields.json` finds the Time Tracking app's "Total time spent (sec)" field, if any.
 * 3. `GET /api/v2/satisfaction_ratings.json?start_time=A&end_time=B&page[size]=100` then `page[after]=...` —
 *    cursor pagination (`meta.has_more`, `meta.after_cursor`) over a window that ends a minute ago; the next poll's
 *    window starts one second after it.
 *
 * The cursor is one JSON string covering the three streams (ZendeskCursor). Authentication is HTTP Basic with
 * `{email}/token:{api_token}`. Rate limits: the incremental exports allow 10 requests a minute, so requests to
 * them are paced 6 s apart; a 429 is waited out (its Retry-After, in seconds) when short, else the poll stops and
 * says when to come back; a 5xx or a network failure is retried three times with backoff, then the poll fails with
 * the cursor where the last delivered page left it.
 *
 * Documentation:
 * - https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/ (rate limit,
 *   end_of_stream, cursor and time-based JSON formats, start_time at least a minute in the past, include, per_page)
 * - https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metric_events/
 * - https://developer.zendesk.com/api-reference/ticketing/ticket-management/satisfaction_ratings/ (filters)
 * - https://developer.zendesk.com/api-reference/introduction/pagination/ (meta.has_more, meta.after_cursor)
 * - https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/ (List Ticket Fields)
 */
import type { PollResult, PullConnector, PullContext, RawRecord } from '../types.js';
import { ZENDESK_TIME_SPENT_FIELD_TITLE, type ZendeskGroup, type ZendeskTicketRecord, type ZendeskUser } from './mapping.js';

/** 10 requests a minute to the incremental exports. */
export const INCREMENTAL_MIN_INTERVAL_MS = 6_000;
/** A Retry-After up to this is waited out inside the poll; a longer one ends the poll (PollResult.retryAfterSeconds). */
export const MAX_INLINE_RETRY_AFTER_SECONDS = 60;
const MAX_RATE_LIMIT_WAITS = 3;
/** A 5xx or a network failure: the first try and three more, 1 s, 2 s and 4 s apart. */
export const SERVER_ERROR_BACKOFF_MS = [1_000, 2_000, 4_000] as const;
/** Items per page of a time-based export (the documented maximum and default). */
const TIME_BASED_PAGE_SIZE = 1_000;
/** Pages read per stream in one poll; the rest waits for the next poll (the cursor says where). */
export const MAX_PAGES_PER_STREAM = 50;
/** The ticket and ticket event exports leave out the most recent minute; the rating window does the same. */
const SETTLE_SECONDS = 60;

export interface ZendeskCursor {
  v: 1;
  /** Time-based: the next start_time (epoch seconds). */
  metrics: { start: number };
  /** Cursor-based: the after_cursor of the last page, or the initial start_time before the first page. */
  tickets: { cursor?: string; start?: number };
  /** A window [from, to] of epoch seconds being read page by page (`after`), or the start of the next one. */
  ratings: { from: number; to?: number; after?: string };
}

export class ZendeskApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ZendeskApiError';
  }
}

export class ZendeskRateLimited extends Error {
  constructor(readonly seconds: number) {
    super(`Zendesk is rate limiting these requests (429 Too Many Requests): it asks to wait ${seconds} s`);
    this.name = 'ZendeskRateLimited';
  }
}

/** `mycompany` → https://mycompany.zendesk.com; a full base URL (a stand-in, a proxy) is taken as it is. */
export function zendeskBaseUrl(subdomain: string): string {
  const s = subdomain.trim();
  if (/^https?:\/\//i.test(s)) {
    const u = new URL(s);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  }
  if (/^[a-z0-9][a-z0-9-]{0,62}$/i.test(s)) return `https://${s.toLowerCase()}.zendesk.com`;
  if (/^[a-z0-9][a-z0-9-]{0,62}\.zendesk\.com$/i.test(s)) return `https://${s.toLowerCase()}`;
  throw new ZendeskApiError(`the subdomain ${JSON.stringify(s.slice(0, 80))} is not a Zendesk subdomain: give the part before .zendesk.com (mycompany for https://mycompany.zendesk.com)`);
}

/** HTTP Basic with `{email}/token:{api_token}`. */
export function zendeskAuthorization(email: string, apiToken: string): string {
  return `Basic ${Buffer.from(`${email}/token:${apiToken}`, 'utf8').toString('base64')}`;
}

interface Credentials {
  base: string;
  email: string;
  authorization: string;
}

function credentialsOf(c: Readonly<Record<string, string>>): Credentials {
  const missing = ['subdomain', 'email', 'apiToken'].filter((k) => !c[k] || c[k].trim() === '');
  if (missing.length > 0) throw new ZendeskApiError(`the source has no ${missing.join(', ')}: set them on the Sources page`);
  const email = (c.email as string).trim();
  return { base: zendeskBaseUrl(c.subdomain as string), email, authorization: zendeskAuthorization(email, (c.apiToken as string).trim()) };
}

/** Seconds from a Retry-After header (seconds or an HTTP date); 60 when it is missing or unreadable. */
function retryAfterSeconds(header: string | null, nowMs: number): number {
  if (header === null) return 60;
  const n = Number(header);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 60 : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

type ClientContext = Pick<PullContext, 'fetch' | 'now' | 'sleep' | 'signal'>;

/** GETs from one Zendesk account with pacing, 429 and 5xx handling. One per poll. */
class ZendeskClient {
  private lastIncrementalMs: number | undefined;

  constructor(
    private readonly ctx: ClientContext,
    private readonly creds: Credentials,
    private readonly waitOnRateLimit: boolean,
  ) {}

  private async pace(): Promise<void> {
    if (this.lastIncrementalMs !== undefined) {
      const wait = this.lastIncrementalMs + INCREMENTAL_MIN_INTERVAL_MS - this.ctx.now();
      if (wait > 0) await this.ctx.sleep(wait, this.ctx.signal);
    }
    this.lastIncrementalMs = this.ctx.now();
  }

  async get(path: string, incremental: boolean): Promise<Record<string, unknown>> {
    const url = this.creds.base + path;
    let failures = 0;
    let waits = 0;
    for (;;) {
      if (incremental) await this.pace();
      let res: Response;
      try {
        res = await this.ctx.fetch(url, { headers: { authorization: this.creds.authorization, accept: 'application/json' }, signal: this.ctx.signal });
      } catch (err) {
        if (this.ctx.signal.aborted) throw err;
        const why = err instanceof Error ? err.message : String(err);
        await this.serverFailure(++failures, `could not reach ${this.creds.base} (${why})`);
        continue;
      }
      if (res.ok) {
        const text = await res.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new ZendeskApiError(`GET ${path.split('?')[0]} answered ${res.status} with a body that is not JSON: ${text.slice(0, 120)}`, res.status);
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ZendeskApiError(`GET ${path.split('?')[0]} answered with JSON that is not an object`, res.status);
        return body as Record<string, unknown>;
      }
      const text = await res.text().catch(() => '');
      if (res.status === 429) {
        const seconds = retryAfterSeconds(res.headers.get('retry-after'), this.ctx.now());
        waits += 1;
        if (!this.waitOnRateLimit || seconds > MAX_INLINE_RETRY_AFTER_SECONDS || waits > MAX_RATE_LIMIT_WAITS) throw new ZendeskRateLimited(seconds);
        await this.ctx.sleep(seconds * 1000, this.ctx.signal);
        continue;
      }
      if (res.status >= 500) {
        await this.serverFailure(++failures, `GET ${path.split('?')[0]} answered ${res.status}${text ? `: ${text.slice(0, 120)}` : ''}`);
        continue;
      }
      throw clientError(res.status, path, this.creds, text);
    }
  }

  /** Waits before the next try, or gives up after the last one. */
  private async serverFailure(failures: number, what: string): Promise<void> {
    const wait = SERVER_ERROR_BACKOFF_MS[failures - 1];
    if (wait === undefined) throw new ZendeskApiError(`Zendesk failed ${failures} times in a row: ${what}`);
    await this.ctx.sleep(wait, this.ctx.signal);
  }
}

function clientError(status: number, path: string, creds: Credentials, text: string): ZendeskApiError {
  const endpoint = path.split('?')[0];
  switch (status) {
    case 401:
      return new ZendeskApiError(`Zendesk refused the credentials (401 Unauthorized) for ${creds.email}: check the email and the API token (Admin Center > Apps and integrations > APIs > Zendesk API, with token access enabled)`, 401);
    case 403:
      return new ZendeskApiError(`Zendesk answered 403 Forbidden to GET ${endpoint}: the incremental exports and satisfaction ratings are for admins; use an admin's email and API token`, 403);
    case 404:
      return new ZendeskApiError(`Zendesk answered 404 Not Found to GET ${creds.base}${endpoint}: check the subdomain`, 404);
    default:
      return new ZendeskApiError(`Zendesk answered ${status} to GET ${endpoint}${text ? `: ${text.slice(0, 200)}` : ''}`, status);
  }
}

function arrayOf(body: Record<string, unknown>, key: string, path: string): unknown[] {
  const x = body[key];
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x)) throw new ZendeskApiError(`GET ${path.split('?')[0]}: expected "${key}" to be an array, got ${typeof x}`);
  return x;
}

function byId<T extends { id: number }>(items: unknown[]): Map<number, T> {
  const out = new Map<number, T>();
  for (const x of items) if (typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'number') out.set((x as T).id, x as T);
  return out;
}

function query(params: Record<string, string | number>): string {
  return new URLSearchParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]))).toString();
}

/** The cursor of a first poll: every stream starts `backfillDays` back (and at least a minute ago). */
export function initialZendeskCursor(nowMs: number, backfillDays: number): ZendeskCursor {
  const nowS = Math.floor(nowMs / 1000);
  const start = Math.max(0, Math.min(nowS - SETTLE_SECONDS - 1, nowS - Math.round(backfillDays * 86_400)));
  return { v: 1, metrics: { start }, tickets: { start }, ratings: { from: start } };
}

export function parseZendeskCursor(text: string): ZendeskCursor {
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch {
    throw new ZendeskApiError('the stored cursor is not JSON: it was not written by the Zendesk connector');
  }
  const x = c as Partial<ZendeskCursor> | null;
  const ok =
    typeof x === 'object' && x !== null && x.v === 1 &&
    typeof x.metrics?.start === 'number' &&
    typeof x.tickets === 'object' && x.tickets !== null && (typeof x.tickets.cursor === 'string' || typeof x.tickets.start === 'number') &&
    typeof x.ratings?.from === 'number';
  if (!ok) throw new ZendeskApiError('the stored cursor is not a Zendesk cursor ({v: 1, metrics, tickets, ratings})');
  return x as ZendeskCursor;
}

/** Finds the Time Tracking app's total time field; null when the account has none (or the list cannot be read). */
async function timeSpentFieldId(client: ZendeskClient): Promise<number | null> {
  let body: Record<string, unknown>;
  try {
    body = await client.get('/api/v2/ticket_fields.json', false);
  } catch (err) {
    if (err instanceof ZendeskApiError && (err.status === 401 || err.status === undefined)) throw err;
    if (err instanceof ZendeskRateLimited) throw err;
    return null;
  }
  const want = ZENDESK_TIME_SPENT_FIELD_TITLE.toLowerCase();
  for (const f of arrayOf(body, 'ticket_fields', '/api/v2/ticket_fields.json')) {
    const field = f as { id?: unknown; title?: unknown; active?: unknown };
    if (typeof field.id === 'number' && typeof field.title === 'string' && field.title.trim().toLowerCase() === want && field.active !== false) return field.id;
  }
  return null;
}

export async function pollZendesk(ctx: PullContext): Promise<PollResult> {
  const creds = credentialsOf(ctx.credentials);
  const client = new ZendeskClient(ctx, creds, true);
  let cursor = ctx.cursor === null ? initialZendeskCursor(ctx.now(), ctx.backfillDays) : parseZendeskCursor(ctx.cursor);
  let records = 0;
  const deliver = async (page: RawRecord[], next: ZendeskCursor): Promise<void> => {
    await ctx.sink.deliver(page, { cursor: JSON.stringify(next) });
    cursor = next;
    records += page.length;
  };
  const result = (retryAfterSeconds?: number): PollResult => ({ records, cursor: JSON.stringify(cursor), ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });

  try {
    // 1. Ticket metric events (time-based).
    let metricsRead = false;
    for (let page = 0; page < MAX_PAGES_PER_STREAM && !ctx.signal.aborted; page++) {
      const start = cursor.metrics.start;
      const path = `/api/v2/incremental/ticket_metric_events.json?${query({ start_time: start })}`;
      const body = await client.get(path, true);
      const events = arrayOf(body, 'ticket_metric_events', path);
      const endTime = typeof body.end_time === 'number' && Number.isFinite(body.end_time) ? Math.floor(body.end_time) : start;
      const next = Math.max(start, endTime);
      if (events.length > 0 || next !== start) await deliver(events.map((e) => ({ kind: 'metric-event', body: e })), { ...cursor, metrics: { start: next } });
      const count = typeof body.count === 'number' ? body.count : events.length;
      const ended = body.end_of_stream === true || (body.end_of_stream === undefined && count < TIME_BASED_PAGE_SIZE);
      if (ended || events.length === 0 || next <= start) {
        metricsRead = true;
        break;
      }
    }

    // 2. Tickets (cursor-based), with the users and groups they name: only once the metric events are read to the
    //    end, so a ticket is never mapped before the reply times that came before it (a long backfill takes polls).
    if (metricsRead && !ctx.signal.aborted) {
      const fieldId = await timeSpentFieldId(client);
      for (let page = 0; page < MAX_PAGES_PER_STREAM && !ctx.signal.aborted; page++) {
        const at: Record<string, string | number> =
          cursor.tickets.cursor !== undefined ? { cursor: cursor.tickets.cursor } : { start_time: cursor.tickets.start ?? initialZendeskCursor(ctx.now(), ctx.backfillDays).tickets.start ?? 0 };
        const path = `/api/v2/incremental/tickets/cursor.json?${query({ ...at, include: 'users,groups' })}`;
        const body = await client.get(path, true);
        const tickets = arrayOf(body, 'tickets', path);
        const users = byId<ZendeskUser>(arrayOf(body, 'users', path));
        const groups = byId<ZendeskGroup>(arrayOf(body, 'groups', path));
        const recs: RawRecord[] = tickets.map((t) => {
          const ticket = t as ZendeskTicketRecord['ticket'];
          const rec: ZendeskTicketRecord = { ticket };
          const assignee = typeof ticket?.assignee_id === 'number' ? users.get(ticket.assignee_id) : undefined;
          const group = typeof ticket?.group_id === 'number' ? groups.get(ticket.group_id) : undefined;
          if (assignee) rec.assignee = assignee;
          if (group) rec.group = group;
          if (fieldId !== null) rec.timeSpentFieldId = fieldId;
          return { kind: 'ticket', body: rec };
        });
        const after = typeof body.after_cursor === 'string' && body.after_cursor !== '' ? body.after_cursor : undefined;
        const next = after !== undefined ? { cursor: after } : cursor.tickets;
        if (recs.length > 0 || after !== cursor.tickets.cursor) await deliver(recs, { ...cursor, tickets: next });
        if (body.end_of_stream === true || after === undefined) break;
      }
    }

    // 3. Satisfaction ratings (a window up to a minute ago, cursor pagination inside it).
    const to = cursor.ratings.to ?? Math.floor(ctx.now() / 1000) - SETTLE_SECONDS;
    if (!ctx.signal.aborted && cursor.ratings.from <= to) {
      for (let page = 0; page < MAX_PAGES_PER_STREAM && !ctx.signal.aborted; page++) {
        const w = cursor.ratings;
        const params: Record<string, string | number> = { start_time: w.from, end_time: to, 'page[size]': 100 };
        if (w.after !== undefined) params['page[after]'] = w.after;
        const path = `/api/v2/satisfaction_ratings.json?${query(params)}`;
        const body = await client.get(path, false);
        const ratings = arrayOf(body, 'satisfaction_ratings', path);
        const meta = (typeof body.meta === 'object' && body.meta !== null ? body.meta : {}) as { has_more?: unknown; after_cursor?: unknown };
        const after = meta.has_more === true && typeof meta.after_cursor === 'string' && meta.after_cursor !== '' ? meta.after_cursor : undefined;
        const next: ZendeskCursor['ratings'] = after !== undefined ? { from: w.from, to, after } : { from: to + 1 };
        await deliver(ratings.map((r) => ({ kind: 'rating', body: r })), { ...cursor, ratings: next });
        if (after === undefined) break;
      }
    }
  } catch (err) {
    if (err instanceof ZendeskRateLimited) return result(err.seconds);
    throw err;
  }
  return result();
}

export async function testZendesk(ctx: Omit<PullContext, 'sink' | 'cursor'>): Promise<{ ok: boolean; message: string; sample?: number }> {
  let creds: Credentials;
  try {
    creds = credentialsOf(ctx.credentials);
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  const client = new ZendeskClient(ctx, creds, false);
  const start = Math.floor(ctx.now() / 1000) - 3_600;
  try {
    const path = `/api/v2/incremental/tickets/cursor.json?${query({ start_time: start })}`;
    const body = await client.get(path, true);
    const n = arrayOf(body, 'tickets', path).length;
    return { ok: true, message: `Connected to ${creds.base} as ${creds.email}: the incremental ticket export answered with ${n} ticket${n === 1 ? '' : 's'} changed in the last hour`, sample: n };
  } catch (err) {
    if (err instanceof ZendeskRateLimited) return { ok: false, message: `${err.message}; test again after that` };
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

export const zendeskPoller: Pick<PullConnector, 'poll' | 'test'> = { poll: pollZendesk, test: testZendesk };
