/**
 * The Zendesk poller (issue 16) against the stand-in API (server/connectors/zendesk/simulate.ts), with a fake clock:
 * several pages of each stream, end_of_stream, each page delivered with the cursor that follows it, a poll resumed
 * from any delivered cursor loses nothing, a 429 waited out (or the poll stopped, saying when to come back), a 5xx
 * retried with backoff then the poll failed with the cursor left at the last delivered page, the incremental
 * exports paced to 10 requests a minute, bad credentials reported by test().
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PullContext, RawRecord } from '../../../../server/connectors/types.js';
import { zendeskConnector } from '../../../../server/connectors/zendesk/index.js';
import type { ZendeskMetricEvent, ZendeskSatisfactionRating, ZendeskTicket, ZendeskTicketRecord } from '../../../../server/connectors/zendesk/mapping.js';
import { INCREMENTAL_MIN_INTERVAL_MS, parseZendeskCursor, zendeskAuthorization, zendeskBaseUrl } from '../../../../server/connectors/zendesk/poll.js';
import { startZendeskStandIn, type ZendeskStandIn, type ZendeskStandInOptions } from '../../../../server/connectors/zendesk/simulate.js';
import { group, metricEvent, rating, ticket, TIME_SPENT_FIELD_ID, timeSpent, user } from '../../../support/connectors/zendesk.js';

const EMAIL = 'admin@company.com';
const TOKEN = '6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv';
/** The fake clock starts here: every record below is from the day before. */
const NOW = Date.UTC(2026, 2, 4, 12);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const HOUR = 3_600_000;

const ann = user(9001, 'ann', 'Ann Smith');
const bob = user(9002, 'bob', 'Bob Jones');
const billing = group(98738, 'q-billing');

/** Five tickets solved an hour apart, each with metric events and (for three) a rating. */
function dataset(): Required<Pick<ZendeskStandInOptions, 'tickets' | 'metricEvents' | 'ratings' | 'users' | 'groups' | 'ticketFields'>> {
  const tickets: ZendeskTicket[] = [];
  const metricEvents: ZendeskMetricEvent[] = [];
  const ratings: ZendeskSatisfactionRating[] = [];
  for (let i = 0; i < 5; i++) {
    const id = 1001 + i;
    const created = NOW - (10 - i) * HOUR;
    const solved = created + 30 * 60_000;
    tickets.push(ticket({ id, created_at: iso(created), updated_at: iso(solved), status: 'solved', via: { channel: 'email' }, group_id: billing.id, assignee_id: i % 2 === 0 ? ann.id : bob.id, custom_fields: timeSpent(300 + i) }));
    metricEvents.push(metricEvent({ id: 500 + i * 2, ticket_id: id, metric: 'reply_time', type: 'fulfill', time: iso(created + 10 * 60_000) }).body as ZendeskMetricEvent);
    metricEvents.push(metricEvent({ id: 501 + i * 2, ticket_id: id, metric: 'reply_time', type: 'update_status', time: iso(created + 10 * 60_000 + 1000), status: { calendar: 10, business: 10 } }).body as ZendeskMetricEvent);
    if (i < 3) ratings.push(rating({ id: 7000 + i, ticket_id: id, score: i === 1 ? 'bad' : 'good', updated_at: iso(solved + HOUR) }).body as ZendeskSatisfactionRating);
  }
  return { tickets, metricEvents, ratings, users: [ann, bob], groups: [billing], ticketFields: [{ id: TIME_SPENT_FIELD_ID, title: 'Total time spent (sec)', type: 'integer', active: true }] };
}

interface Delivery {
  records: RawRecord[];
  cursor: string | undefined;
}

function harness(standIn: ZendeskStandIn, over: { cursor?: string | null; credentials?: Record<string, string>; nowMs?: number } = {}) {
  const clock = { now: over.nowMs ?? NOW };
  const sleeps: number[] = [];
  const deliveries: Delivery[] = [];
  const calls: { url: string; at: number }[] = [];
  const ctx: PullContext = {
    credentials: over.credentials ?? { subdomain: standIn.baseUrl, email: EMAIL, apiToken: TOKEN },
    cursor: over.cursor ?? null,
    backfillDays: 1,
    sink: {
      deliver: (records, opts) => {
        deliveries.push({ records: [...records], cursor: opts?.cursor });
        return Promise.resolve({ accepted: records.length, duplicate: 0, rejected: 0, newestMs: null });
      },
    },
    fetch: (input, init) => {
      calls.push({ url: input instanceof Request ? input.url : String(input), at: clock.now });
      return fetch(input, init);
    },
    now: () => clock.now,
    sleep: (ms) => {
      sleeps.push(ms);
      clock.now += ms;
      return Promise.resolve();
    },
    signal: new AbortController().signal,
  };
  return { ctx, clock, sleeps, deliveries, calls };
}

/** The platform keys of what was delivered, by kind (duplicates from time-based boundaries counted once). */
function keysOf(deliveries: readonly Delivery[]): { tickets: string[]; metrics: number[]; ratings: number[] } {
  const all = deliveries.flatMap((d) => d.records);
  const uniq = <T>(xs: T[]) => [...new Set(xs)].sort();
  return {
    tickets: uniq(all.filter((r) => r.kind === 'ticket').map((r) => `${(r.body as ZendeskTicketRecord).ticket.id}@${(r.body as ZendeskTicketRecord).ticket.updated_at}`)),
    metrics: uniq(all.filter((r) => r.kind === 'metric-event').map((r) => (r.body as ZendeskMetricEvent).id)),
    ratings: uniq(all.filter((r) => r.kind === 'rating').map((r) => (r.body as ZendeskSatisfactionRating).id)),
  };
}

let standIn: ZendeskStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function start(opts: Partial<ZendeskStandInOptions> = {}): Promise<ZendeskStandIn> {
  standIn = await startZendeskStandIn({ ...dataset(), email: EMAIL, apiToken: TOKEN, pageSize: 2, ...opts });
  return standIn;
}

describe('a poll reads the three streams page by page', () => {
  it('delivers every page with the cursor that follows it, until end_of_stream, with the side-loaded user and group', async () => {
    const s = await start();
    const h = harness(s);
    const result = await zendeskConnector.poll(h.ctx);
    // 10 metric events, 2 a page, each page starting at the previous end_time (its boundary item comes again):
    // 9 pages; 5 tickets, 2 a page: 3 pages, the last with end_of_stream; 3 ratings, 2 a page: 2 pages.
    const byKind = (kind: string) => h.deliveries.filter((d) => d.records.some((r) => r.kind === kind));
    expect(byKind('metric-event')).toHaveLength(9);
    expect(byKind('ticket').map((d) => d.records.length)).toEqual([2, 2, 1]);
    expect(byKind('rating').map((d) => d.records.length)).toEqual([2, 1]);
    expect(keysOf(h.deliveries)).toEqual({
      tickets: dataset().tickets.map((t) => `${t.id}@${t.updated_at}`).sort(),
      metrics: dataset().metricEvents.map((e) => e.id).sort(),
      ratings: [7000, 7001, 7002],
    });
    // Every page comes with its cursor; the poll's result is the last one.
    expect(h.deliveries.every((d) => typeof d.cursor === 'string')).toBe(true);
    expect(result).toEqual({ records: h.deliveries.reduce((n, d) => n + d.records.length, 0), cursor: h.deliveries[h.deliveries.length - 1]?.cursor });
    const c = parseZendeskCursor(result.cursor as string);
    expect(c.metrics.start).toBe(Math.floor(Date.parse(dataset().metricEvents[9]?.time as string) / 1000));
    expect(typeof c.tickets.cursor).toBe('string');
    // The rating window closed a minute before the clock when it was read; the next starts a second later.
    const windowEnd = Number(s.requests.find((r) => r.endpoint === 'ratings')?.query.end_time);
    expect(windowEnd).toBe(Math.floor(h.calls.find((x) => x.url.includes('satisfaction_ratings'))!.at / 1000) - 60);
    expect(c.ratings).toEqual({ from: windowEnd + 1 });
    // A ticket record carries what the export side-loaded for it, and the Time Tracking field found on the account.
    const first = byKind('ticket')[0]?.records[0]?.body as ZendeskTicketRecord;
    expect(first).toMatchObject({ ticket: { id: 1001 }, assignee: { id: ann.id, external_id: 'ann' }, group: { id: billing.id, name: 'q-billing' }, timeSpentFieldId: TIME_SPENT_FIELD_ID });
    const ticketCalls = s.requests.filter((r) => r.endpoint === 'tickets');
    expect(ticketCalls[0]?.query).toEqual({ start_time: String(Math.floor((NOW - 86_400_000) / 1000)), include: 'users,groups' });
    expect(Object.keys(ticketCalls[1]?.query ?? {})).toEqual(['cursor', 'include']);
    expect(ticketCalls[1]?.query.cursor).toBe(parseZendeskCursor(byKind('ticket')[0]?.cursor as string).tickets.cursor);
    expect(s.requests.filter((r) => r.endpoint === 'ratings')[0]?.query).toEqual({ start_time: String(Math.floor((NOW - 86_400_000) / 1000)), end_time: String(windowEnd), 'page[size]': '100' });
  });

  it('paces the incremental exports to 10 requests a minute (6 s apart), not the ratings', async () => {
    const s = await start();
    const h = harness(s);
    await zendeskConnector.poll(h.ctx);
    const incremental = h.calls.filter((c) => c.url.includes('/incremental/'));
    expect(incremental.length).toBe(12);
    for (let i = 1; i < incremental.length; i++) expect((incremental[i]?.at as number) - (incremental[i - 1]?.at as number)).toBeGreaterThanOrEqual(INCREMENTAL_MIN_INTERVAL_MS);
    const ratings = h.calls.filter((c) => c.url.includes('/satisfaction_ratings'));
    expect(ratings[1]?.at).toBe(ratings[0]?.at);
  });

  it('resumes from any delivered cursor: nothing is lost whichever page the poll died after', async () => {
    const s = await start();
    const full = harness(s);
    await zendeskConnector.poll(full.ctx);
    const everything = keysOf(full.deliveries);
    for (let k = 0; k < full.deliveries.length; k++) {
      const again = harness(s, { cursor: full.deliveries[k]?.cursor ?? null });
      await zendeskConnector.poll(again.ctx);
      // What was committed up to page k, plus what a poll from its cursor reads, is everything.
      const committed = keysOf([...full.deliveries.slice(0, k + 1), ...again.deliveries]);
      expect(committed, `after page ${k + 1}`).toEqual(everything);
    }
  });

  it('reads a long backfill over several polls, tickets only once the metric events before them are all read', async () => {
    const d = dataset();
    // 120 more metric events a minute apart: with 2 a page, more than the 50 pages a poll reads of one stream.
    const many = Array.from({ length: 120 }, (_, i) => metricEvent({ id: 10_000 + i, ticket_id: 1001, metric: 'agent_work_time', type: 'measure', time: iso(NOW - 20 * HOUR + i * 60_000) }).body as ZendeskMetricEvent);
    const s = await start({ metricEvents: [...d.metricEvents, ...many] });
    const polls: ReturnType<typeof harness>[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 3; i++) {
      const h = harness(s, { cursor });
      cursor = (await zendeskConnector.poll(h.ctx)).cursor;
      polls.push(h);
    }
    const kinds = polls.map((h) => keysOf(h.deliveries));
    expect(kinds.map((k) => [k.metrics.length > 0, k.tickets.length])).toEqual([[true, 0], [true, 0], [true, 5]]);
    expect(new Set(kinds.flatMap((k) => k.metrics)).size).toBe(130);
  });

  it('reads only what changed on the next poll: a reopened and re-solved ticket, a changed rating', async () => {
    const s = await start();
    const first = harness(s);
    const done = await zendeskConnector.poll(first.ctx);
    const later = NOW + 20 * 60_000;
    const { generated_timestamp: _old, ...t } = dataset().tickets[0] as ZendeskTicket;
    s.add({
      // A later form: its update time and generated timestamp move on (ticket() sets both).
      tickets: [ticket({ ...t, updated_at: iso(later - 5 * 60_000), status: 'solved', custom_fields: timeSpent(900) })],
      ratings: [{ ...(dataset().ratings[1] as ZendeskSatisfactionRating), score: 'good', updated_at: iso(later - 3 * 60_000) }],
    });
    const next = harness(s, { cursor: done.cursor, nowMs: later });
    await zendeskConnector.poll(next.ctx);
    const got = keysOf(next.deliveries);
    expect(got.tickets).toEqual([`1001@${iso(later - 5 * 60_000)}`]);
    expect(got.ratings).toEqual([7001]);
    // Time-based: the events of the last second come again (duplicates the mapper takes once), nothing older.
    expect(got.metrics).toEqual([509]);
  });
});

describe('the end of a time-based export without end_of_stream (the List Ticket Metric Events example has none)', () => {
  /** A fetch that answers the metric events export from a script, and empty pages elsewhere. */
  function scripted(pages: Record<string, unknown>[]) {
    const asked: string[] = [];
    const fetchFn: typeof fetch = (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      asked.push(url.pathname + url.search);
      const body = url.pathname.includes('ticket_metric_events') ? (pages.shift() ?? { ticket_metric_events: [], count: 0 }) : url.pathname.includes('tickets/cursor') ? { tickets: [], after_cursor: 'MTU3NjYxMzUzOS4wfHw0Njd8', end_of_stream: true } : url.pathname.includes('ticket_fields') ? { ticket_fields: [] } : { satisfaction_ratings: [], meta: { has_more: false } };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }));
    };
    return { fetchFn, asked };
  }
  const ev = (id: number, time: string) => ({ id, ticket_id: 155, metric: 'agent_work_time', instance_id: 1, type: 'measure', time });

  it('ends on a page of fewer than 1,000 items, using end_time as the next start_time', async () => {
    const { fetchFn, asked } = scripted([{ ticket_metric_events: [ev(1, '2026-03-04T08:00:00Z'), ev(2, '2026-03-04T08:00:05Z')], count: 2, end_time: 1772611205, next_page: 'https://company.zendesk.com/api/v2/incremental/ticket_metric_events?start_time=1772611205' }]);
    const s = await start();
    const h = harness(s);
    const result = await zendeskConnector.poll({ ...h.ctx, fetch: fetchFn });
    expect(asked.filter((a) => a.includes('ticket_metric_events'))).toHaveLength(1);
    expect(parseZendeskCursor(result.cursor as string).metrics.start).toBe(1772611205);
  });

  it('goes on after a full page, and stops when end_time does not move', async () => {
    const full = Array.from({ length: 1000 }, (_, i) => ev(i + 1, '2026-03-04T08:00:00Z'));
    const { fetchFn, asked } = scripted([
      { ticket_metric_events: full, count: 1000, end_time: 1772611200 },
      { ticket_metric_events: full, count: 1000, end_time: 1772611200 },
    ]);
    const s = await start();
    const h = harness(s);
    await zendeskConnector.poll({ ...h.ctx, fetch: fetchFn });
    // The first page moved the start to 08:00:00; the second did not move it: no third request.
    expect(asked.filter((a) => a.includes('ticket_metric_events'))).toHaveLength(2);
  });
});

describe('rate limits and failures', () => {
  it('waits out a 429 for its Retry-After, then goes on', async () => {
    const s = await start({ faults: [{ endpoint: 'tickets', status: 429, retryAfter: 7 }] });
    const h = harness(s);
    const result = await zendeskConnector.poll(h.ctx);
    expect(h.sleeps).toContain(7_000);
    expect(s.requests.filter((r) => r.endpoint === 'tickets').map((r) => r.status)).toEqual([429, 200, 200, 200]);
    expect(keysOf(h.deliveries).tickets).toHaveLength(5);
    expect(result.retryAfterSeconds).toBeUndefined();
  });

  it('ends the poll on a long Retry-After and says when to come back, the cursor at the last delivered page', async () => {
    const s = await start({ faults: [{ endpoint: 'tickets', status: 429, retryAfter: 600 }] });
    const h = harness(s);
    const result = await zendeskConnector.poll(h.ctx);
    expect(result.retryAfterSeconds).toBe(600);
    expect(keysOf(h.deliveries).tickets).toEqual([]);
    expect(result.cursor).toBe(h.deliveries[h.deliveries.length - 1]?.cursor);
    expect(parseZendeskCursor(result.cursor as string).tickets.cursor).toBeUndefined();
    // The next poll (the fault is spent) picks up the tickets from there.
    const next = harness(s, { cursor: result.cursor });
    await zendeskConnector.poll(next.ctx);
    expect(keysOf(next.deliveries).tickets).toHaveLength(5);
  });

  it('retries a 5xx with backoff (1 s, 2 s) and goes on', async () => {
    const s = await start({ faults: [{ endpoint: 'ratings', status: 503, times: 2 }] });
    const h = harness(s);
    await zendeskConnector.poll(h.ctx);
    expect(h.sleeps.slice(-2)).toEqual([1_000, 2_000]);
    expect(keysOf(h.deliveries).ratings).toEqual([7000, 7001, 7002]);
  });

  it('fails the poll after the last try, the cursor where the last delivered page left it', async () => {
    const s = await start({ faults: [{ endpoint: 'tickets', status: 500, times: 4 }] });
    const h = harness(s);
    await expect(zendeskConnector.poll(h.ctx)).rejects.toThrow(/Zendesk failed 4 times in a row: GET \/api\/v2\/incremental\/tickets\/cursor.json answered 500/);
    // The metric event pages were delivered (and committed with their cursors); no ticket page was.
    expect(keysOf(h.deliveries).metrics).toHaveLength(10);
    expect(keysOf(h.deliveries).tickets).toEqual([]);
    const last = h.deliveries[h.deliveries.length - 1]?.cursor as string;
    expect(parseZendeskCursor(last).tickets).toEqual({ start: Math.floor((NOW - 86_400_000) / 1000) });
    const retry = harness(s, { cursor: last });
    await zendeskConnector.poll(retry.ctx);
    expect(keysOf(retry.deliveries).tickets).toHaveLength(5);
  });

  it('reports bad credentials from the first request, and a network failure after its retries', async () => {
    const s = await start();
    const wrong = harness(s, { credentials: { subdomain: s.baseUrl, email: EMAIL, apiToken: 'not-the-token' } });
    await expect(zendeskConnector.poll(wrong.ctx)).rejects.toThrow(/401 Unauthorized/);
    expect(wrong.deliveries).toEqual([]);
    const closed = await startZendeskStandIn({ email: EMAIL, apiToken: TOKEN });
    const url = closed.baseUrl;
    await closed.close();
    const down = harness(s, { credentials: { subdomain: url, email: EMAIL, apiToken: TOKEN } });
    await expect(zendeskConnector.poll(down.ctx)).rejects.toThrow(/failed 4 times in a row: could not reach/);
    // Four tries, with the backoff (1 s, 2 s, 4 s) between them; the 6 s pacing of the incremental exports waits
    // out the rest of each interval.
    expect(down.calls).toHaveLength(4);
    expect(down.sleeps).toEqual(expect.arrayContaining([1_000, 2_000, 4_000]));
    for (let i = 1; i < 4; i++) expect((down.calls[i]?.at as number) - (down.calls[i - 1]?.at as number)).toBeGreaterThanOrEqual(INCREMENTAL_MIN_INTERVAL_MS);
  });
});

describe('test connection', () => {
  it('reads one page of tickets without delivering: ok with the sample, or the credentials refused', async () => {
    const s = await start({ pageSize: 1_000 });
    const good = harness(s);
    const ok = await zendeskConnector.test({ ...good.ctx });
    // Tickets changed in the last hour: none (the last, 1005, was solved at NOW − 5 h 30 min).
    expect(ok).toMatchObject({ ok: true, sample: 0 });
    expect(ok.message).toContain(`as ${EMAIL}`);
    // An hour before NOW − 5 h: 1005 is the one ticket changed since.
    const recent = harness(s, { nowMs: NOW - 5 * HOUR });
    expect(await zendeskConnector.test(recent.ctx)).toMatchObject({ ok: true, sample: 1 });
    expect(good.deliveries).toEqual([]);
    const bad = harness(s, { credentials: { subdomain: s.baseUrl, email: EMAIL, apiToken: 'wrong' } });
    const refused = await zendeskConnector.test(bad.ctx);
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain('401 Unauthorized');
    expect(await zendeskConnector.test(harness(s, { credentials: { subdomain: s.baseUrl, email: EMAIL } }).ctx)).toEqual({ ok: false, message: 'the source has no apiToken: set them on the Sources page' });
    const limited = await start({ faults: [{ endpoint: 'tickets', status: 429, retryAfter: 30 }] });
    expect((await zendeskConnector.test(harness(limited).ctx)).message).toContain('wait 30 s');
  });
});

describe('the account and the credentials', () => {
  it('builds the base URL from a subdomain, or takes a full URL (stand-ins, proxies)', () => {
    expect(zendeskBaseUrl('mycompany')).toBe('https://mycompany.zendesk.com');
    expect(zendeskBaseUrl('MyCompany.zendesk.com')).toBe('https://mycompany.zendesk.com');
    expect(zendeskBaseUrl('http://127.0.0.1:4010/')).toBe('http://127.0.0.1:4010');
    expect(() => zendeskBaseUrl('my company')).toThrow(/not a Zendesk subdomain/);
  });

  it('authenticates as {email}/token:{api_token}', () => {
    expect(zendeskAuthorization('jdoe@example.com', 'abc')).toBe(`Basic ${Buffer.from('jdoe@example.com/token:abc').toString('base64')}`);
  });
});
