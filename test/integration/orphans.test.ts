/**
 * Orphans (contract v2, server/ingest/orphans.ts) over real HTTP: an evaluation, survey or complaint that names a
 * contact whose offer has not arrived is stored and held, shown to admins per source, counted the moment its contact
 * comes, and expires visibly after the TTL, after which no figure counts it even if the contact turns up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisReply, OrphanReport } from '../../shared/api.js';
import type { Directory } from '../../shared/directory.js';
import { ManualClock, startTestServer, type TestServer } from '../support/server.js';
import { call, sessionFor } from '../support/people.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 2, 16);
const T = Date.UTC(2026, 10, 2, 9);
const iso = (ms: number) => new Date(ms).toISOString();
/** 0.01 day: 14.4 minutes. */
const TTL_DAYS = 0.01;

const dir: Directory = {
  sites: [{ id: 'leeds', name: 'Leeds', timeZone: 'Europe/London', openingHours: {} }],
  teams: [{ id: 'billing', name: 'Billing', siteId: 'leeds' }],
  queues: [{ id: 'q-billing', name: 'Billing voice', channel: 'voice', siteId: 'leeds', serviceLevelSeconds: 20 }],
  agents: [{ id: 'ann', name: 'Ann', teamId: 'billing' }],
};

let t: TestServer;
let clock: ManualClock;
let key: string;
let admin: Awaited<ReturnType<typeof sessionFor>>;

async function post(events: unknown[]): Promise<Response> {
  return fetch(`${t.baseUrl}/api/v2/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(events) });
}
async function centre(): Promise<KpisReply['kpis']> {
  const q = new URLSearchParams({ scope: 'centre', from: iso(T - HOUR), to: iso(T + 6 * HOUR) });
  const res = await fetch(`${t.baseUrl}/api/v1/kpis?${q.toString()}`, { headers: { authorization: `Bearer ${key}` } });
  return ((await res.json()) as KpisReply).kpis;
}
async function report(): Promise<OrphanReport> {
  const res = await call(t.baseUrl, 'GET', '/api/v1/ingest/orphans', admin);
  expect(res.status).toBe(200);
  return (await res.json()) as OrphanReport;
}
const lifecycle = (c: string, ms: number) => [
  { id: `${c}-o`, type: 'contact.offered', occurredAt: ms, contactId: c, channel: 'voice', queueId: 'q-billing', source: 'connect-eu' },
  { id: `${c}-a`, type: 'contact.answered', occurredAt: ms + 10_000, contactId: c, agentId: 'ann', source: 'connect-eu' },
  { id: `${c}-e`, type: 'contact.ended', occurredAt: ms + 300_000, contactId: c, agentId: 'ann', talkSeconds: 250, holdSeconds: 0, wrapSeconds: 30, resolved: true, source: 'connect-eu' },
];

beforeAll(async () => {
  clock = new ManualClock(NOW);
  t = await startTestServer({ clock, env: { ORPHAN_TTL_DAYS: String(TTL_DAYS) } });
  await t.server.directory.replace(dir);
  await t.server.kpis.rebuild();
  key = await t.key(['ingest', 'read']);
  const user = await t.server.accounts.create({ username: 'ada.admin', displayName: 'Ada', role: 'admin', password: 'copper kettles sing at dusk' }, { actor: 'test', ip: null });
  admin = await sessionFor(t, { id: user.id, username: 'ada.admin', role: 'admin', agentId: null });
});
afterAll(async () => {
  await t?.close();
});

describe('orphans', () => {
  it('holds an evaluation posted before its contact, shows it to admins per source, and counts it once the contact arrives', async () => {
    const qa = { id: 'qa-1', type: 'qa.evaluated', occurredAt: T + 2 * HOUR, contactId: 'or-1', agentId: 'ann', evaluatorId: 'qa-lead', score: 72, criticalFail: false, source: 'connect-qa' };
    const survey = { id: 'sv-1', type: 'survey.responded', occurredAt: T + HOUR, contactId: 'or-1', csat: 2, source: 'survey-tool' };
    expect((await post([qa, survey])).status).toBe(200);
    // Stored and held: counted nowhere yet, and visible per source.
    expect((await centre()).qa.n).toBe(0);
    expect((await centre()).csat.n).toBe(0);
    const held = await report();
    expect(held).toMatchObject({ ttlDays: TTL_DAYS, held: 2, expired: 0 });
    expect(held.sources.map((s) => [s.source, s.held]).sort()).toEqual([
      ['connect-qa', 1],
      ['survey-tool', 1],
    ]);
    const qaSource = held.sources.find((s) => s.source === 'connect-qa');
    expect(qaSource?.expiresAt).toBe(iso(NOW + TTL_DAYS * 86_400_000));
    // The contact arrives: the evaluation and the survey count at once, for the agent who handled it.
    expect((await post(lifecycle('or-1', T))).status).toBe(200);
    const k = await centre();
    expect(k.qa).toMatchObject({ value: 72, n: 1 });
    expect(k.csat).toMatchObject({ value: 0, n: 1 });
    expect((await report()).held).toBe(0);
  });

  it('expires an orphan whose contact never came after the TTL: listed as expired, never counted, even if the contact comes later', async () => {
    const qa = { id: 'qa-2', type: 'qa.evaluated', occurredAt: T + 3 * HOUR, contactId: 'or-2', agentId: 'ann', evaluatorId: 'qa-lead', score: 10, criticalFail: false, source: 'connect-qa' };
    expect((await post([qa])).status).toBe(200);
    expect((await report()).held).toBe(1);
    // Not yet: just inside the TTL.
    clock.advance(TTL_DAYS * 86_400_000 - 60_000);
    await t.server.orphans.tick();
    expect(await report()).toMatchObject({ held: 1, expired: 0 });
    // Past it: expired, with when.
    clock.advance(120_000);
    await t.server.orphans.tick();
    const after = await report();
    expect(after).toMatchObject({ held: 0, expired: 1 });
    expect(after.sources.find((s) => s.source === 'connect-qa')).toMatchObject({ expired: 1, lastExpiredAt: iso(clock.now()) });
    // Still stored (nothing is lost), marked.
    const row = await t.store.db.selectFrom('events').select(['id', 'expired_ms']).where('id', '=', 'qa-2').executeTakeFirstOrThrow();
    expect(row.expired_ms).toBe(clock.now());
    // The contact comes after all: it counts, the expired evaluation does not (QA stays 72 over 1).
    expect((await post(lifecycle('or-2', T + 3 * HOUR - 600_000))).status).toBe(200);
    const k = await centre();
    expect(k.aht.n).toBe(2);
    expect(k.qa).toMatchObject({ value: 72, n: 1 });
    // A full rebuild from the store agrees with the live engine.
    await t.server.kpis.rebuild();
    expect((await centre()).qa).toMatchObject({ value: 72, n: 1 });
    expect((await centre()).aht.n).toBe(2);
  });
});
