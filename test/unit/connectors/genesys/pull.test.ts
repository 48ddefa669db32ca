/**
 * The Genesys Cloud poller against the stand-in API (server/connectors/genesys/simulate.ts), which speaks the
 * documented token and details-query API: paging over three pages with the cursor delivered with each page, a 429
 * with Retry-After honoured, a 5xx retried (and a persistent one failing the poll without moving the cursor), an
 * expired token renewed, an in-progress conversation re-read until it ends (the final revision wins), a crash
 * mid-poll resumed at the next page, evaluations fetched, late surveys swept, and the connection test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGenesysPoller, genesysHosts, parseGenesysCursor, PAGE_SIZE } from '../../../../server/connectors/genesys/pull.js';
import { genesysMapper } from '../../../../server/connectors/genesys/mapping.js';
import { startGenesysStandIn, type GenesysStandIn } from '../../../../server/connectors/genesys/simulate.js';
import type { DeliveryOutcome, PullContext, RawRecord, SourceSink } from '../../../../server/connectors/types.js';
import {
  CONV_TRANSFER, EVAL_BOB, T0, TEST_MAPPING, bobEvaluation, chatConversation, nthId, shifted, transferredCall,
} from '../../../support/connectors/genesys.js';

const HOUR = 3_600_000;
const CLIENT = { clientId: 'frontline-poller', clientSecret: 's3cret' };

class Clock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
}

class RecordingSink implements SourceSink {
  deliveries: { records: readonly RawRecord[]; cursor: string | undefined }[] = [];
  failOn?: number;
  deliver(records: readonly RawRecord[], opts?: { cursor?: string }): Promise<DeliveryOutcome> {
    if (this.failOn !== undefined && this.deliveries.length + 1 === this.failOn) {
      this.failOn = undefined;
      return Promise.reject(new Error('the process died before this page committed'));
    }
    this.deliveries.push({ records, cursor: opts?.cursor });
    return Promise.resolve({ accepted: records.length, duplicate: 0, rejected: 0, newestMs: null });
  }
  get records(): RawRecord[] {
    return this.deliveries.flatMap((d) => d.records);
  }
  get lastCursor(): string | null {
    return this.deliveries.at(-1)?.cursor ?? null;
  }
}

let standIn: GenesysStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

function context(clock: Clock, sink: SourceSink, cursor: string | null, sleeps: number[] = []): PullContext {
  return {
    credentials: { region: standIn?.baseUrl ?? '', ...CLIENT },
    cursor,
    backfillDays: 1,
    sink,
    fetch: globalThis.fetch,
    now: clock.now,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    signal: new AbortController().signal,
  };
}

const queries = (s: GenesysStandIn) => s.requests.filter((r) => r.path === '/api/v2/analytics/conversations/details/query');
const pageOf = (r: { body: unknown }) => (r.body as { paging: { pageNumber: number } }).paging.pageNumber;

/** 250 documented chat conversations, a minute apart from 09:00. */
const many = (n = 250) => Array.from({ length: n }, (_, i) => shifted(chatConversation(), nthId(i), i * 60_000 - 7_200_000));

describe('Genesys Cloud poller', () => {
  it('reads three pages, delivering each with the cursor that follows it', async () => {
    standIn = await startGenesysStandIn({ conversations: many(), ...CLIENT });
    const clock = new Clock(T0 + 12 * HOUR);
    const sink = new RecordingSink();
    const poller = createGenesysPoller();
    const result = await poller.poll(context(clock, sink, null));
    expect(result.records).toBe(250);
    expect(sink.records.map((r) => (r.body as { conversationId: string }).conversationId)).toEqual(many().map((c) => c.conversationId));
    // The token once, then pages 1, 2, 3 (100 + 100 + 50) of one day's interval, oldest first.
    expect(standIn.requests[0]).toMatchObject({ method: 'POST', path: '/oauth/token', status: 200, body: 'grant_type=client_credentials' });
    const q = queries(standIn);
    expect(q.map(pageOf)).toEqual([1, 2, 3]);
    expect(q[0]?.body).toMatchObject({ order: 'asc', orderBy: 'conversationStart', paging: { pageSize: PAGE_SIZE }, interval: `${new Date(clock.ms - 24 * HOUR - 120_000).toISOString()}/${new Date(clock.ms).toISOString()}` });
    // Each page came with the cursor after it: pages 2 and 3 still to read, then the interval's end reached.
    const cursors = sink.deliveries.map((d) => parseGenesysCursor(d.cursor ?? null));
    expect(cursors.map((c) => c?.at?.page)).toEqual([2, 3, undefined]);
    expect(cursors[2]).toMatchObject({ to: new Date(clock.ms).toISOString(), open: [] });
    expect(result.cursor).toBe(sink.lastCursor);
    // The next poll reads only the last two minutes again (nothing new: one empty page).
    clock.ms += 60_000;
    const again = await poller.poll(context(clock, sink, result.cursor));
    expect(again.records).toBe(0);
    expect(queries(standIn).at(-1)?.body).toMatchObject({ interval: `${new Date(clock.ms - 60_000 - 120_000).toISOString()}/${new Date(clock.ms).toISOString()}` });
  });

  it('resumes at the next page after a crash mid-poll: none lost, none doubled', async () => {
    standIn = await startGenesysStandIn({ conversations: many(), ...CLIENT });
    const clock = new Clock(T0 + 12 * HOUR);
    const sink = new RecordingSink();
    sink.failOn = 2;
    const poller = createGenesysPoller();
    await expect(poller.poll(context(clock, sink, null))).rejects.toThrow('died');
    expect(sink.deliveries).toHaveLength(1);
    // The stored cursor is the one committed with page 1: the next poll asks for page 2 of the same interval.
    const resumed = await poller.poll(context(clock, sink, sink.lastCursor));
    expect(resumed.records).toBe(150);
    expect(queries(standIn).map(pageOf)).toEqual([1, 2, 2, 3]);
    const ids = sink.records.map((r) => (r.body as { conversationId: string }).conversationId);
    expect(new Set(ids).size).toBe(250);
    expect(ids).toHaveLength(250);
  });

  it('waits as long as a 429 Retry-After says, retries a 5xx with backoff, and renews an expired token', async () => {
    standIn = await startGenesysStandIn({ conversations: many(30), ...CLIENT, faults: [{ on: 'query', status: 429, retryAfterSeconds: 7 }, { on: 'query', status: 503, times: 2 }] });
    const clock = new Clock(T0 + 12 * HOUR);
    const sink = new RecordingSink();
    const sleeps: number[] = [];
    const poller = createGenesysPoller();
    const first = await poller.poll(context(clock, sink, null, sleeps));
    expect(first.records).toBe(30);
    // 429 → 7 s as asked; 503, 503 → 1 s, 2 s; then the page.
    expect(sleeps).toEqual([7_000, 1_000, 2_000]);
    expect(queries(standIn).map((r) => r.status)).toEqual([429, 503, 503, 200]);
    // The token is revoked (expired): the next data call is answered 401, a new token is fetched once, the call repeated.
    standIn.expireTokens();
    clock.ms += 60_000;
    standIn.add([shifted(chatConversation(), nthId(999), clock.ms - 30_000 - (T0 + 7_200_000))]);
    const second = await poller.poll(context(clock, sink, first.cursor, sleeps));
    expect(second.records).toBe(1);
    expect(standIn.requests.slice(-3).map((r) => [r.path, r.status])).toEqual([
      ['/api/v2/analytics/conversations/details/query', 401],
      ['/oauth/token', 200],
      ['/api/v2/analytics/conversations/details/query', 200],
    ]);
  });

  it('fails the poll on a persistent 5xx without moving the cursor, and stops early on a persistent 429', async () => {
    standIn = await startGenesysStandIn({ conversations: many(30), ...CLIENT, faults: [{ on: 'query', status: 500, times: 4 }] });
    const clock = new Clock(T0 + 12 * HOUR);
    const sink = new RecordingSink();
    const sleeps: number[] = [];
    const poller = createGenesysPoller();
    await expect(poller.poll(context(clock, sink, null, sleeps))).rejects.toThrow(/HTTP 500 .* 4 times/);
    expect(sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(sink.deliveries).toHaveLength(0);
    standIn.fault({ on: 'query', status: 429, times: 6, retryAfterSeconds: 30 });
    const limited = await poller.poll(context(clock, sink, null, sleeps));
    expect(limited).toEqual({ records: 0, cursor: null, retryAfterSeconds: 30 });
  });

  it('re-reads a conversation in progress until it ends: each reading a higher revision, the final one last', async () => {
    const clock = new Clock(T0 + 180_000);
    standIn = await startGenesysStandIn({ conversations: [transferredCall()], evaluations: [bobEvaluation()], ...CLIENT, now: clock.now });
    const sink = new RecordingSink();
    const poller = createGenesysPoller();
    const revisions: number[] = [];
    const types: string[][] = [];
    const pollAt = async (ms: number, cursor: string | null) => {
      clock.ms = ms;
      const before = sink.deliveries.length;
      const r = await poller.poll(context(clock, sink, cursor));
      for (const d of sink.deliveries.slice(before)) for (const rec of d.records) {
        const out = genesysMapper.map(rec, { sourceId: 's', mapping: TEST_MAPPING, memory: new Map() });
        if (!out.ok) throw new Error(out.reasons.join('; '));
        if (rec.kind === 'conversation') {
          revisions.push(Number(out.events[0]?.revision));
          types.push(out.events.map((e) => String(e.type)));
        }
      }
      return r;
    };
    // 09:03: Ann has the caller on hold. The cursor follows the conversation.
    const p1 = await pollAt(T0 + 180_000, null);
    expect(parseGenesysCursor(p1.cursor)?.open).toEqual([[CONV_TRANSFER, new Date(T0).toISOString()]]);
    // 09:07: it started before the new interval, so it is re-read by id (a conversationId filter).
    const p2 = await pollAt(T0 + 420_000, p1.cursor);
    expect(queries(standIn).at(-1)?.body).toMatchObject({ conversationFilters: [{ type: 'or', predicates: [{ type: 'dimension', dimension: 'conversationId', operator: 'matches', value: CONV_TRANSFER }] }] });
    // 09:12: ended. It leaves the cursor.
    const p3 = await pollAt(T0 + 720_000, p2.cursor);
    expect(parseGenesysCursor(p3.cursor)?.open).toEqual([]);
    expect(types).toEqual([
      ['contact.offered', 'contact.answered'],
      ['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.answered'],
      // Ended at 09:11, with the web survey sent then (not answered yet: offered only).
      ['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.answered', 'contact.ended', 'survey.offered'],
    ]);
    // Revisions: the hold's start (152 s), Bob's answer (300 s), the conversation's end (660 s).
    expect(revisions).toEqual([T0 + 152_000, T0 + 300_000, T0 + 660_000]);
    // 09:13: nothing left to follow; no query by id.
    const n = queries(standIn).length;
    await pollAt(T0 + 780_000, p3.cursor);
    expect(queries(standIn).length).toBe(n + 1);
    // The next day, after the evaluation (an hour's sweep): the conversation again, and the evaluation fetched.
    const before = sink.records.length;
    const p5 = await pollAt(T0 + 26 * HOUR, p3.cursor);
    const swept = sink.records.slice(before);
    expect(swept.map((r) => r.kind)).toEqual(['conversation', 'evaluation']);
    // The lifecycle is the same revision as before (a duplicate); the survey answered at 09:30 is new.
    expect(revisions.at(-1)).toBe(T0 + 660_000);
    expect(types.at(-1)).toContain('survey.responded');
    expect(swept[1]?.body).toMatchObject({ id: EVAL_BOB, status: 'FINISHED' });
    expect(standIn.requests.some((r) => r.path === `/api/v2/quality/conversations/${CONV_TRANSFER}/evaluations/${EVAL_BOB}?expand=agent`)).toBe(true);
    expect(parseGenesysCursor(p5.cursor)?.late).toBe(new Date(T0 + 26 * HOUR).toISOString());
  });

  it('tests the connection: a sample page, or what was refused', async () => {
    standIn = await startGenesysStandIn({ conversations: many(30), ...CLIENT });
    const clock = new Clock(T0 + 12 * HOUR);
    const poller = createGenesysPoller();
    const ok = await poller.test(context(clock, new RecordingSink(), null));
    expect(ok).toMatchObject({ ok: true, sample: 25 });
    expect(ok.message).toContain('30 conversations');
    const bad = await poller.test({ ...context(clock, new RecordingSink(), null), credentials: { region: standIn.baseUrl, clientId: 'frontline-poller', clientSecret: 'wrong' } });
    expect(bad.ok).toBe(false);
    expect(bad.message).toContain('refused the OAuth client credentials');
  });

  it('derives the login host from the region', () => {
    expect(genesysHosts('api.mypurecloud.ie')).toEqual({ api: 'https://api.mypurecloud.ie', login: 'https://login.mypurecloud.ie' });
    expect(genesysHosts('mypurecloud.de')).toEqual({ api: 'https://api.mypurecloud.de', login: 'https://login.mypurecloud.de' });
    expect(genesysHosts('https://api.euw2.pure.cloud/')).toEqual({ api: 'https://api.euw2.pure.cloud', login: 'https://login.euw2.pure.cloud' });
    expect(genesysHosts('http://127.0.0.1:4010')).toEqual({ api: 'http://127.0.0.1:4010', login: 'http://127.0.0.1:4010' });
  });
});
