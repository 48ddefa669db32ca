/** The ingest API over real HTTP: one test per class of bad input, and what a good batch stores. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_MAX_BYTES, INGEST_MAX_EVENTS, type IngestReply } from '../../shared/api.js';
import { countEvents } from '../../server/store/events.store.js';
import { offered, oneOfEach, survey, uid } from '../support/events.js';
import { postEvents, startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
let key: string;

beforeAll(async () => {
  t = await startTestServer();
  key = await t.key(['ingest']);
});
afterAll(async () => {
  await t.close();
});

async function stored(): Promise<number> {
  return countEvents(t.store.db);
}

describe('POST /api/v1/events', () => {
  it('accepts a JSON array and answers per event only after commit', async () => {
    const events = oneOfEach();
    const before = await stored();
    const res = await postEvents(t.baseUrl, key, JSON.stringify(events));
    expect(res.status).toBe(200);
    const body = (await res.json()) as IngestReply;
    expect(body).toMatchObject({ ok: true, accepted: events.length, duplicate: 0, rejected: 0 });
    expect(await stored()).toBe(before + events.length);
  });

  it('accepts NDJSON', async () => {
    const events = [offered(), survey()];
    const res = await postEvents(t.baseUrl, key, events.map((e) => JSON.stringify(e)).join('\n') + '\n', 'application/x-ndjson');
    expect(res.status).toBe(200);
    expect(((await res.json()) as IngestReply).accepted).toBe(2);
  });

  it('re-sending the same batch stores nothing twice', async () => {
    const events = [offered(), survey()];
    await postEvents(t.baseUrl, key, JSON.stringify(events));
    const before = await stored();
    const body = (await (await postEvents(t.baseUrl, key, JSON.stringify(events))).json()) as IngestReply;
    expect(body.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(await stored()).toBe(before);
  });

  it('oversize body: 413, nothing stored', async () => {
    const before = await stored();
    const big = JSON.stringify([survey({ comment: 'x'.repeat(4000) })]).padEnd(INGEST_MAX_BYTES + 10, ' ');
    const res = await postEvents(t.baseUrl, key, big);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
    expect(await stored()).toBe(before);
  });

  it('more than 5,000 events: 413, nothing stored', async () => {
    const before = await stored();
    const many = Array.from({ length: INGEST_MAX_EVENTS + 1 }, () => ({ id: uid(), type: 'contact.abandoned', occurredAt: '2026-11-02T09:00:00Z', contactId: 'c' }));
    const res = await postEvents(t.baseUrl, key, JSON.stringify(many));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'too_many_events' } });
    expect(await stored()).toBe(before);
  });

  it('malformed JSON: 400 with the line and column where it broke', async () => {
    const before = await stored();
    const res = await postEvents(t.baseUrl, key, '[\n  {"id": "a", "type": "contact.abandoned",}\n]');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { line: number; column: number } } };
    expect(body.error.code).toBe('malformed_json');
    expect(body.error.details).toMatchObject({ line: 2, column: 43 });
    expect(body.error.message).toMatch(/line 2, column 43/);
    expect(await stored()).toBe(before);
  });

  it('malformed NDJSON line: 400 naming the line', async () => {
    const res = await postEvents(t.baseUrl, key, `${JSON.stringify(offered())}\n{"id": oops}\n`, 'application/x-ndjson');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { line: number } } }).error.details.line).toBe(2);
  });

  it('a body that is not an array: 400', async () => {
    const res = await postEvents(t.baseUrl, key, JSON.stringify(offered()));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('unknown type, wrong field types and missing fields are rejected with index, path and reason while valid ones are stored', async () => {
    const good = offered();
    const batch = [
      { id: uid(), type: 'contact.teleported', occurredAt: '2026-11-02T09:00:00Z', contactId: 'c1' },
      { ...survey(), csat: '5' },
      { id: uid(), type: 'contact.ended', occurredAt: '2026-11-02T09:00:00Z', contactId: 'c1', agentId: 'a1', talkSeconds: 10, holdSeconds: 0, resolved: true },
      { ...offered(), occurredAt: '2026-11-02 09:00' },
      good,
    ];
    const before = await stored();
    const body = (await (await postEvents(t.baseUrl, key, JSON.stringify(batch))).json()) as IngestReply;
    expect(body.results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'accepted']);
    const errs = body.results.map((r) => (r.status === 'rejected' ? r.errors : []));
    expect(errs[0]?.[0]).toMatchObject({ path: 'type' });
    expect(errs[0]?.[0]?.reason).toMatch(/unknown event type 'contact.teleported'/);
    expect(errs[1]?.[0]).toMatchObject({ path: 'csat' });
    expect(errs[2]?.[0]).toMatchObject({ path: 'wrapSeconds' });
    expect(errs[2]?.[0]?.reason).toMatch(/required/);
    expect(errs[3]?.[0]).toMatchObject({ path: 'occurredAt' });
    expect(body.results[1]).toMatchObject({ index: 1 });
    expect(await stored()).toBe(before + 1);
  });

  it('a conflicting duplicate (same id, other content) is rejected and the original kept', async () => {
    const e = survey({ csat: 5 });
    await postEvents(t.baseUrl, key, JSON.stringify([e]));
    const body = (await (await postEvents(t.baseUrl, key, JSON.stringify([{ ...e, csat: 2 }]))).json()) as IngestReply;
    expect(body.results[0]).toMatchObject({ status: 'rejected', errors: [{ path: 'id' }] });
    const row = await t.store.db.selectFrom('events').select('payload').where('id', '=', e.id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.payload)).toMatchObject({ csat: 5 });
  });

  it('missing key: 401', async () => {
    const res = await postEvents(t.baseUrl, undefined, JSON.stringify([offered()]));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'unauthenticated', message: expect.stringMatching(/API key is required/) as unknown } });
  });

  it('malformed and unknown keys: 401', async () => {
    expect((await postEvents(t.baseUrl, 'nonsense', '[]')).status).toBe(401);
    expect((await postEvents(t.baseUrl, key.slice(0, -2) + 'zz', '[]')).status).toBe(401);
  });

  it('revoked key: 401 on the very next request, nothing stored', async () => {
    const k = await t.server.apiKeys.create('to revoke', ['ingest']);
    expect((await postEvents(t.baseUrl, k.key, JSON.stringify([offered()]))).status).toBe(200);
    await t.server.apiKeys.revoke(k.info.id);
    const before = await stored();
    const res = await postEvents(t.baseUrl, k.key, JSON.stringify([offered()]));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/revoked/);
    expect(await stored()).toBe(before);
  });

  it('a read-only key cannot ingest: 403', async () => {
    const readKey = await t.key(['read']);
    expect((await postEvents(t.baseUrl, readKey, JSON.stringify([offered()]))).status).toBe(403);
  });

  it('a gzip-compressed body is accepted', async () => {
    const { gzipSync } = await import('node:zlib');
    const res = await fetch(`${t.baseUrl}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${key}` },
      body: new Uint8Array(gzipSync(JSON.stringify([offered()]))),
    });
    expect(res.status).toBe(200);
  });
});

describe('directory, health and errors', () => {
  it('PUT /api/v1/directory validates, needs the admin scope, and GET returns it', async () => {
    const admin = await t.key(['admin', 'read']);
    const dir = {
      sites: [{ id: 's1', name: 'Leeds', timeZone: 'Europe/London', openingHours: { mon: { open: '08:00', close: '20:00' } } }],
      teams: [{ id: 't1', name: 'Billing', siteId: 's1' }],
      queues: [{ id: 'q1', name: 'Billing voice', channel: 'voice', siteId: 's1', serviceLevelSeconds: 20 }],
      agents: [{ id: 'a1', name: 'Amira Khan', teamId: 't1' }],
    };
    const put = (k: string, body: unknown) =>
      fetch(`${t.baseUrl}/api/v1/directory`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` }, body: JSON.stringify(body) });
    expect((await put(key, dir)).status).toBe(403);
    const bad = await put(admin, { ...dir, agents: [{ id: 'a2', name: 'X', teamId: 'nope' }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_directory', details: [{ path: 'agents.0.teamId' }] } });
    expect((await put(admin, dir)).status).toBe(200);
    const got = (await (await fetch(`${t.baseUrl}/api/v1/directory`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { directory: unknown };
    expect(got.directory).toEqual(dir);
  });

  it('healthz and readyz answer', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${t.baseUrl}/readyz`)).json()).toMatchObject({ ok: true, store: 'sqlite' });
  });

  it('unknown API routes answer 404 in the error shape', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
