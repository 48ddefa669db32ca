/**
 * GET /metrics on a real server: who may scrape it, and that what it says matches what happened: events by outcome,
 * reason and source, live sockets opening and closing, live delta latency, store latency, HTTP requests by the
 * declared route, the flagger's first run, and the process metrics beside them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReply } from '../../shared/api.js';
import type { FrontlineEvent } from '../../shared/events.js';
import type { KpiDelta } from '../../shared/live.js';
import { ManualClock, scaledClock } from '../../server/clock.js';
import { call, openSocket, seedPeople, sessionFor, type Credentials, type People } from '../support/people.js';
import { parseExposition, samplesOf, valueOf, type Exposition } from '../support/prometheus.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { openTestStore } from '../support/stores.js';
import type { StoreQuery } from '../../server/store/db.js';

let t: TestServer;
let people: People;
let ingestKey: string;
let metricsKey: string;

beforeAll(async () => {
  t = await startTestServer({ clock: scaledClock(1, Date.parse('2026-11-18T11:00:00Z')) });
  people = await seedPeople(t);
  await t.server.kpis.rebuild();
  ingestKey = (await t.server.apiKeys.create('crm-bridge', ['ingest'])).key;
  metricsKey = (await t.server.apiKeys.create('prometheus', ['metrics'])).key;
});
afterAll(async () => {
  await t.close();
});

async function scrape(who: Credentials = { bearer: metricsKey }): Promise<Exposition> {
  const res = await call(t.baseUrl, 'GET', '/metrics', who);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
  return parseExposition(await res.text());
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const minuteAgo = () => new Date(t.clock.now() - 60_000).toISOString();

function contact(id: string): FrontlineEvent[] {
  const at = minuteAgo();
  return [
    { id: `${id}-o`, type: 'contact.offered', occurredAt: at, contactId: id, channel: 'voice', queueId: 'voice-billing' },
    { id: `${id}-a`, type: 'contact.answered', occurredAt: at, contactId: id, agentId: 'a-ann' },
    { id: `${id}-s`, type: 'survey.responded', occurredAt: at, contactId: id, csat: 4 },
  ];
}

describe('GET /metrics', () => {
  it('answers a metrics key and a signed-in admin; no key is 401, any other key or person 403', async () => {
    const none = await call(t.baseUrl, 'GET', '/metrics', null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await call(t.baseUrl, 'GET', '/metrics', { bearer: ingestKey })).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/metrics', await sessionFor(t, people.manager))).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/metrics', { bearer: 'fl_notakey' })).status).toBe(401);
    await scrape({ bearer: metricsKey });
    await scrape(await sessionFor(t, people.admin));
    // The metrics key reads metrics and nothing else.
    expect((await call(t.baseUrl, 'GET', '/api/v1/kpis', { bearer: metricsKey })).status).toBe(403);
    expect((await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: metricsKey }, contact('never'))).status).toBe(403);
  });

  it('counts events by outcome, reason and source, and the live layer sends their delta with its latency observed', async () => {
    const socket = await openSocket(t.baseUrl, await sessionFor(t, people.manager));
    const opened = await scrape();
    expect(valueOf(opened, 'frontline_live_sockets', { kind: 'person' })).toBe(1);
    expect(valueOf(opened, 'frontline_live_sockets', { kind: 'display' })).toBe(0);
    expect(valueOf(opened, 'frontline_live_sockets', { kind: 'key' })).toBe(0);
    const deltasBefore = valueOf(opened, 'frontline_live_delta_latency_seconds_count');

    const reply = await socket.emitWithAck('kpis:subscribe', { scope: 'centre', window: 'today' });
    if (!reply.ok) throw new Error(reply.error.message);
    const delta = new Promise<KpiDelta>((resolve) => socket.once('kpis:delta', resolve));
    const good = contact('m-1');
    const first = await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: ingestKey }, good);
    expect(first.status).toBe(200);
    expect((await delta).changed.csat).toMatchObject({ n: 1 });

    const inAnHour = new Date(t.clock.now() + 3600_000).toISOString();
    const mixed: unknown[] = [
      good[0], // the same event again: a duplicate
      { id: 'm-bad-1', type: 'contact.offered', occurredAt: minuteAgo(), channel: 'voice', queueId: 'voice-billing' }, // no contactId
      { id: 'm-bad-2', type: 'no.such.type', occurredAt: minuteAgo() },
      { id: 'm-future', type: 'contact.offered', occurredAt: inAnHour, contactId: 'm-2', channel: 'voice', queueId: 'voice-billing' },
      { ...good[2], csat: 1 }, // an id already stored with other content
    ];
    const second = await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: ingestKey }, mixed);
    expect(second.status).toBe(207);
    expect((await second.json()) as IngestReply).toMatchObject({ accepted: 0, duplicate: 1, rejected: 4 });

    const m = await scrape();
    const source = 'key:crm-bridge';
    expect(valueOf(m, 'frontline_ingest_events_total', { source, outcome: 'accepted' })).toBe(3);
    expect(valueOf(m, 'frontline_ingest_events_total', { source, outcome: 'duplicate' })).toBe(1);
    expect(valueOf(m, 'frontline_ingest_events_total', { source, outcome: 'rejected' })).toBe(4);
    expect(valueOf(m, 'frontline_ingest_events_rejected_total', { source, reason: 'invalid' })).toBe(2);
    expect(valueOf(m, 'frontline_ingest_events_rejected_total', { source, reason: 'clock_skew' })).toBe(1);
    expect(valueOf(m, 'frontline_ingest_events_rejected_total', { source, reason: 'id_conflict' })).toBe(1);
    expect(samplesOf(m, 'frontline_ingest_events_rejected_total').map((s) => s.labels.source)).toEqual([source, source, source]);
    expect(valueOf(m, 'frontline_ingest_batch_duration_seconds_count', { source })).toBe(2);
    // One transaction per request here (the second stored nothing new but still looked its ids up).
    expect(valueOf(m, 'frontline_ingest_commit_duration_seconds_count')).toBe(2);
    expect(valueOf(m, 'frontline_live_delta_latency_seconds_count')).toBeGreaterThan(deltasBefore);
    // Every request ends within the histogram's top bucket: +Inf and the highest finite bucket agree.
    const latency = samplesOf(m, 'frontline_live_delta_latency_seconds_bucket');
    expect(latency.find((s) => s.labels.le === '+Inf')?.value).toBe(valueOf(m, 'frontline_live_delta_latency_seconds_count'));
    expect(valueOf(m, 'frontline_live_delta_latency_seconds_sum')).toBeGreaterThan(0);

    socket.close();
    await until('person sockets after close', async () => valueOf(await scrape(), 'frontline_live_sockets', { kind: 'person' }), (n) => n === 0);
  });

  it('times store queries by operation and HTTP requests by declared route and status class', async () => {
    const admin = await sessionFor(t, people.admin);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-ann', admin)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-nobody', admin)).status).toBe(404);
    expect((await call(t.baseUrl, 'GET', '/api/v1/no-such-route', admin)).status).toBe(404);
    const m = await scrape();
    expect(valueOf(m, 'frontline_store_query_duration_seconds_count', { operation: 'select' })).toBeGreaterThan(0);
    expect(valueOf(m, 'frontline_store_query_duration_seconds_count', { operation: 'insert' })).toBeGreaterThan(0);
    const route = '/api/v1/agents/:agentId';
    expect(valueOf(m, 'frontline_http_request_duration_seconds_count', { method: 'GET', route, status_class: '2xx' })).toBe(1);
    expect(valueOf(m, 'frontline_http_request_duration_seconds_count', { method: 'GET', route, status_class: '4xx' })).toBe(1);
    expect(valueOf(m, 'frontline_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_class: '4xx' })).toBe(1);
    expect(valueOf(m, 'frontline_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/events', status_class: '2xx' })).toBe(2);
    // The raw URL never becomes a label.
    expect(m.samples.some((s) => Object.values(s.labels).some((v) => v.includes('a-ann') || v.includes('a-nobody')))).toBe(false);
  });

  it('counts coaching follow-ups as they come due', async () => {
    const before = valueOf(await scrape(), 'frontline_follow_ups_due_total');
    const now = t.clock.now();
    const c = await t.server.cases.insert({ kind: 'individual', scope: 'agent:a-bob', agentId: 'a-bob', teamId: 't-billing', kpi: 'csat', rule: 'test', figures: {}, evidenceContactIds: [], assignedCoachId: people.coach.id, openedMs: now - 30 * 86_400_000 });
    await t.server.cases.change(c.id, c.version, { actor: `user:${people.coach.id}`, action: 'session', atMs: now - 10 * 86_400_000, details: {}, patch: { stage: 'held', held_ms: now - 10 * 86_400_000, follow_up_ms: now - 86_400_000, review_days: 7 } });
    expect(await t.server.followUps.run()).toEqual([c.id]);
    expect(valueOf(await scrape(), 'frontline_follow_ups_due_total')).toBe(before + 1);
  });

  it('reports the flagger’s first run (a full read) and the process metrics', async () => {
    const m = await until('flagger runs', () => scrape(), (e) => samplesOf(e, 'frontline_flagger_runs_total', { outcome: 'ok' }).some((s) => s.value >= 1));
    expect(valueOf(m, 'frontline_flagger_last_run_read', { read: 'full' })).toBe(1);
    expect(valueOf(m, 'frontline_flagger_last_run_read', { read: 'changed' })).toBe(0);
    expect(valueOf(m, 'frontline_flagger_run_duration_seconds_count', { read: 'full' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(m, 'frontline_flagger_last_run_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(m.types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect(valueOf(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(valueOf(m, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(m.types.get('nodejs_gc_duration_seconds')).toBe('histogram');
  });
});

describe('GET /metrics, orphans', () => {
  it('counts orphan events as they expire', async () => {
    const start = Date.parse('2026-11-18T11:00:00Z');
    const clock = new ManualClock(start);
    const o = await startTestServer({ clock, env: { ORPHAN_TTL_DAYS: '1' } });
    try {
      const key = (await o.server.apiKeys.create('prometheus', ['metrics'])).key;
      const at = new Date(start - 60_000).toISOString();
      const out = await o.server.ingest.ingest([{ id: 'orphan-1', type: 'survey.responded', occurredAt: at, contactId: 'never-offered', csat: 2 }]);
      expect(out.accepted).toBe(1);
      const read = async () => parseExposition(await (await call(o.baseUrl, 'GET', '/metrics', { bearer: key })).text());
      expect(valueOf(await read(), 'frontline_orphans_expired_total')).toBe(0);
      expect(valueOf(await read(), 'frontline_ingest_events_total', { source: 'internal', outcome: 'accepted' })).toBe(1);
      clock.advance(2 * 86_400_000);
      await o.server.orphans.tick();
      expect(valueOf(await read(), 'frontline_orphans_expired_total')).toBe(1);
    } finally {
      await o.close();
    }
  });
});

describe('store latency on PostgreSQL', () => {
  it('times queries through the same hook, failed ones included, and stops when the listener is removed', async () => {
    const store = await openTestStore('postgres');
    try {
      const seen: StoreQuery[] = [];
      const off = store.onQuery((q) => seen.push(q));
      await store.db.selectFrom('meta').selectAll().execute();
      await store.db.insertInto('meta').values({ key: 'metrics-test', value: '1' }).execute();
      await expect(store.db.insertInto('meta').values({ key: 'metrics-test', value: '2' }).execute()).rejects.toThrow();
      off();
      await store.db.deleteFrom('meta').where('key', '=', 'metrics-test').execute();
      expect(seen.map((q) => [q.operation, q.failed])).toEqual([
        ['select', false],
        ['insert', false],
        ['insert', true],
      ]);
      for (const q of seen) expect(q.ms).toBeGreaterThan(0);
    } finally {
      await store.cleanup();
    }
  });
});
