/** The live KPI protocol: snapshot with a sequence number, coalesced deltas of only what changed, at most 4 a second. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import type { KpiDelta } from '../../../shared/live.js';
import { scaledClock } from '../../../server/clock.js';
import { call, openSocket, ORG, seedPeople, sessionFor, type People } from '../../support/people.js';
import { startTestServer, type TestServer } from '../../support/server.js';

let t: TestServer;
let people: People;
let key: string;
let n = 0;

function contact(agentId: string, csat: number): FrontlineEvent[] {
  const id = `live-${++n}`;
  const now = new Date(t.clock.now() - 60_000).toISOString();
  return [
    { id: `${id}-o`, type: 'contact.offered', occurredAt: now, contactId: id, channel: 'voice', queueId: 'voice-billing' },
    { id: `${id}-a`, type: 'contact.answered', occurredAt: now, contactId: id, agentId },
    { id: `${id}-s`, type: 'survey.responded', occurredAt: now, contactId: id, csat },
  ];
}

beforeAll(async () => {
  t = await startTestServer({ clock: scaledClock(1, Date.parse('2026-11-18T11:00:00Z')) });
  people = await seedPeople(t);
  await t.server.kpis.rebuild();
  key = (await t.server.apiKeys.create('in', ['ingest'])).key;
});
afterAll(async () => {
  await t.close();
});

describe('live KPIs over the socket', () => {
  it('snapshot, then a delta carrying only what changed, with the next sequence number', async () => {
    const s = await openSocket(t.baseUrl, await sessionFor(t, people.teamLeader));
    const reply = await s.emitWithAck('kpis:subscribe', { scope: 'team:t-billing', window: 'today' });
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.snapshot.kpis.csat).toMatchObject({ value: null, n: 0 });
    const next = new Promise<KpiDelta>((resolve) => s.once('kpis:delta', resolve));
    await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, contact('a-ann', 5));
    const d = await next;
    expect(d.seq).toBe(reply.snapshot.seq + 1);
    expect(d.changed.csat).toMatchObject({ value: 1, n: 1 });
    expect(d.changed.qa).toBeUndefined(); // unchanged KPIs are not resent
    s.close();
  });

  it('a burst of events becomes at most 4 deltas a second per subscription, and the last one is right', async () => {
    const s = await openSocket(t.baseUrl, await sessionFor(t, people.manager));
    const reply = await s.emitWithAck('kpis:subscribe', { scope: 'centre', window: 'today' });
    if (!reply.ok) throw new Error(reply.error.message);
    const deltas: KpiDelta[] = [];
    s.on('kpis:delta', (d) => deltas.push(d));
    const t0 = Date.now();
    for (let i = 0; i < 40; i++) await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, [...contact('a-ann', 4), ...contact('a-bob', 2)]);
    await new Promise((r) => setTimeout(r, 600));
    const seconds = (Date.now() - t0) / 1000;
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 1);
    deltas.forEach((d, i) => expect(d.seq).toBe(reply.snapshot.seq + i + 1));
    const api = (await (await call(t.baseUrl, 'GET', '/api/v1/kpis?scope=centre', await sessionFor(t, people.manager))).json()) as { kpis: { csat: unknown } };
    const lastCsat = [...deltas].reverse().find((d) => d.changed.csat)?.changed.csat;
    expect(lastCsat).toEqual(api.kpis.csat);
    console.log(`live: ${deltas.length} deltas for 240 events over ${seconds.toFixed(2)} s`);
    s.close();
  });

  it('refuses scopes the caller cannot see, and bad subscriptions plainly', async () => {
    const s = await openSocket(t.baseUrl, await sessionFor(t, people.agent));
    const other = await s.emitWithAck('kpis:subscribe', { scope: 'agent:a-bob', window: 'today' });
    expect(other).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const own = await s.emitWithAck('kpis:subscribe', { scope: 'agent:a-ann', window: 'rolling60' });
    expect(own.ok).toBe(true);
    const bad = await s.emitWithAck('kpis:subscribe', { scope: 'agent:a-ann', window: 'fortnight' } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    s.close();
  });

  it('drops a live subscription once the caller may no longer see its scope, and says so', async () => {
    const s = await openSocket(t.baseUrl, await sessionFor(t, people.teamLeader));
    const reply = await s.emitWithAck('kpis:subscribe', { scope: 'agent:a-bob', window: 'today' });
    expect(reply.ok).toBe(true);
    const ended = new Promise<{ key: string; reason: string }>((resolve) => s.once('kpis:ended', resolve));
    // Bob moves from Billing (the team leader's team) to Tech.
    await t.server.directory.replace({ ...ORG, agents: ORG.agents.map((a) => (a.id === 'a-bob' ? { ...a, teamId: 't-tech' } : a)) });
    const e = await ended;
    expect(e.key).toBe('agent:a-bob|today');
    expect(e.reason).toMatch(/no longer have access/);
    // No further deltas for it: an event for Bob reaches nobody on this socket.
    const deltas: unknown[] = [];
    s.on('kpis:delta', (d) => deltas.push(d));
    await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, contact('a-bob', 1));
    await new Promise((r) => setTimeout(r, 800));
    expect(deltas).toEqual([]);
    await t.server.directory.replace(ORG);
    s.close();
  }, 15_000);
});
