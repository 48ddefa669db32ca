/**
 * Contract v2 over real HTTP (issue 15 acceptance), each figure worked out by hand in the test from the events sent:
 * - every v1 event means the same through v2: a simulated day posted through /api/v1/events to one server and through
 *   /api/v2/events to another gives the same KPIs for every scope;
 * - a transferred contact's handle time splits across the agents of its legs; its survey is credited to the last;
 * - a good/bad and a 0–10 survey give the CSAT and NPS their mapping states (shared/surveys.ts);
 * - a revision re-sent under the same ids replaces the earlier one, a late lower one changes nothing;
 * - 207 when some events are rejected, 422 when none is stored; a type error says what was expected and what came.
 * Orphans (an evaluation before its contact) are in test/integration/orphans.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestReply, KpisReply } from '../../shared/api.js';
import { validateEvent, type FrontlineEvent } from '../../shared/events.js';
import { KPI_NAMES } from '../../shared/kpis.js';
import type { Directory } from '../../shared/directory.js';
import { CentreSimulator, defaultCentreDirectory } from '../../server/simulator/index.js';
import { ManualClock, startTestServer, type TestServer } from '../support/server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday, 16:00 in London (UTC in November). */
const NOW = Date.UTC(2026, 10, 2, 16);
const iso = (ms: number) => new Date(ms).toISOString();

async function post(t: TestServer, key: string, contract: 1 | 2, events: unknown[]): Promise<{ status: number; body: IngestReply }> {
  const res = await fetch(`${t.baseUrl}/api/v${contract}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(events),
  });
  return { status: res.status, body: (await res.json()) as IngestReply };
}

async function kpis(t: TestServer, key: string, scope: string, fromMs: number, toMs: number): Promise<KpisReply> {
  const q = new URLSearchParams({ scope, from: iso(fromMs), to: iso(toMs) });
  const res = await fetch(`${t.baseUrl}/api/v1/kpis?${q.toString()}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status, `GET /api/v1/kpis?${q.toString()}`).toBe(200);
  return (await res.json()) as KpisReply;
}

describe('every v1 event means the same through contract v2', () => {
  const directory = defaultCentreDirectory();
  const start = NOW - 2 * DAY;
  let v1: TestServer;
  let v2: TestServer;
  let keys: { v1: string; v2: string };
  let events: FrontlineEvent[];

  beforeAll(async () => {
    [v1, v2] = await Promise.all([startTestServer({ clock: new ManualClock(NOW) }), startTestServer({ clock: new ManualClock(NOW) })]);
    for (const t of [v1, v2]) {
      await t.server.directory.replace(directory);
      await t.server.kpis.rebuild();
    }
    keys = { v1: await v1.key(['ingest', 'read']), v2: await v2.key(['ingest', 'read']) };
    const sim = new CentreSimulator({ seed: 21, startMs: start, directory });
    events = sim.advanceTo(NOW - HOUR);
    // Every simulated event is a v1 event (the simulator speaks contract v1).
    for (const e of events) expect(validateEvent(e, { contract: 1 }).ok, e.type).toBe(true);
    for (let i = 0; i < events.length; i += 2000) {
      const batch = events.slice(i, i + 2000);
      const [a, b] = await Promise.all([post(v1, keys.v1, 1, batch), post(v2, keys.v2, 2, batch)]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      // Same ids stored (v2 adds a revision suffix only to events that carry a revision; v1 events carry none).
      expect(b.body.results.map((r) => r.id)).toEqual(a.body.results.map((r) => r.id));
      expect(b.body.accepted).toBe(a.body.accepted);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([v1?.close(), v2?.close()]);
  });

  it('gives identical figures for the centre and every site, team, queue, channel and agent', async () => {
    expect(events.length).toBeGreaterThan(2000);
    const scopes = [
      'centre',
      ...directory.sites.map((s) => `site:${s.id}`),
      ...directory.teams.map((x) => `team:${x.id}`),
      ...directory.queues.map((q) => `queue:${q.id}`),
      'channel:voice',
      'channel:chat',
      'channel:email',
      ...directory.agents.map((a) => `agent:${a.id}`),
    ];
    let compared = 0;
    for (const scope of scopes) {
      const [a, b] = await Promise.all([kpis(v1, keys.v1, scope, start, NOW), kpis(v2, keys.v2, scope, start, NOW)]);
      expect(b.kpis, scope).toEqual(a.kpis);
      for (const k of KPI_NAMES) if (a.kpis[k].n > 0) compared++;
    }
    // Not a comparison of two empty answers: most KPIs of most scopes have data.
    expect(compared).toBeGreaterThan(scopes.length * 5);
    const centre = await kpis(v2, keys.v2, 'centre', start, NOW);
    expect(centre.kpis.aht.n).toBeGreaterThan(500);
    expect(centre.kpis.csat.n).toBeGreaterThan(50);
  });
});

describe('contract v2 figures worked out by hand', () => {
  const dir: Directory = {
    sites: [{ id: 'leeds', name: 'Leeds', timeZone: 'Europe/London', openingHours: {} }],
    teams: [
      { id: 'billing', name: 'Billing', siteId: 'leeds' },
      { id: 'tech', name: 'Tech', siteId: 'leeds' },
    ],
    queues: [
      { id: 'q-billing', name: 'Billing voice', channel: 'voice', siteId: 'leeds', serviceLevelSeconds: 20 },
      { id: 'q-tech', name: 'Tech voice', channel: 'voice', siteId: 'leeds', serviceLevelSeconds: 20 },
    ],
    agents: [
      { id: 'ann', name: 'Ann', teamId: 'billing' },
      { id: 'bob', name: 'Bob', teamId: 'tech' },
      { id: 'cat', name: 'Cat', teamId: 'tech' },
    ],
  };
  const T = Date.UTC(2026, 10, 2, 9); // 09:00 London, the Monday of NOW
  const at = (s: number) => iso(T + s * 1000);
  const FROM = T - HOUR;
  const TO = T + 6 * HOUR;
  let t: TestServer;
  let key: string;

  beforeAll(async () => {
    t = await startTestServer({ clock: new ManualClock(NOW) });
    await t.server.directory.replace(dir);
    await t.server.kpis.rebuild();
    key = await t.key(['ingest', 'read']);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("splits a transferred contact's handle time across its legs' agents and credits its survey to the last", async () => {
    // Ann answers on the billing queue after 12 s, talks 240 s with 30 s hold, transfers to the tech queue;
    // Bob takes it there, talks 300 s, wraps 60 s and resolves it. The customer answers a 0–10 survey with 9.
    const c = 'tr-1';
    const r = await post(t, key, 2, [
      { id: `${c}-o`, type: 'contact.offered', occurredAt: at(0), contactId: c, channel: 'voice', queueId: 'q-billing', customerId: 'cust-tr' },
      { id: `${c}-a`, type: 'contact.answered', occurredAt: at(12), contactId: c, agentId: 'ann' },
      { id: `${c}-t`, type: 'contact.transferred', occurredAt: at(282), contactId: c, fromAgentId: 'ann', toQueueId: 'q-tech', kind: 'transfer' },
      { id: `${c}-e1`, type: 'contact.ended', occurredAt: at(282), contactId: c, agentId: 'ann', talkSeconds: 240, holdSeconds: 30, holdCount: 2, wrapSeconds: 0, resolved: false },
      { id: `${c}-e2`, type: 'contact.ended', occurredAt: at(660), contactId: c, agentId: 'bob', queueId: 'q-tech', talkSeconds: 300, holdSeconds: 0, holdCount: 0, wrapSeconds: 60, resolved: true },
      { id: `${c}-s`, type: 'survey.responded', occurredAt: at(900), contactId: c, programmeId: 'post-call', answers: [{ measure: 'csat', scale: '0-10', value: 9 }, { measure: 'nps', scale: '0-10', value: 9 }] },
      // A second contact: Cat answers and transfers it to an external number (an outsourced partner).
      { id: 'tr-2-o', type: 'contact.offered', occurredAt: at(1800), contactId: 'tr-2', channel: 'voice', queueId: 'q-tech' },
      { id: 'tr-2-a', type: 'contact.answered', occurredAt: at(1805), contactId: 'tr-2', agentId: 'cat', waitSeconds: 7 },
      { id: 'tr-2-t', type: 'contact.transferred', occurredAt: at(1925), contactId: 'tr-2', fromAgentId: 'cat', toExternal: '+44 113 496 0000', kind: 'transfer' },
      { id: 'tr-2-e', type: 'contact.ended', occurredAt: at(1925), contactId: 'tr-2', agentId: 'cat', talkSeconds: 110, holdSeconds: 10, wrapSeconds: 20, resolved: false },
    ]);
    expect(r.status, JSON.stringify(r.body.results.filter((x) => x.status === 'rejected'))).toBe(200);
    expect(r.body.accepted).toBe(10);

    const ann = await kpis(t, key, 'agent:ann', FROM, TO);
    const bob = await kpis(t, key, 'agent:bob', FROM, TO);
    const cat = await kpis(t, key, 'agent:cat', FROM, TO);
    // Handle time per leg: Ann 240 + 30 + 0 = 270; Bob 300 + 0 + 60 = 360; Cat 110 + 10 + 20 = 140.
    expect(ann.kpis.aht).toMatchObject({ value: 270, n: 1 });
    expect(bob.kpis.aht).toMatchObject({ value: 360, n: 1 });
    expect(cat.kpis.aht).toMatchObject({ value: 140, n: 1 });
    // The wait belongs to whoever answered: Ann 12 s (answered − offered), Cat 7 s (the platform's own wait).
    expect(ann.kpis.asa).toMatchObject({ value: 12, n: 1 });
    expect(bob.kpis.asa.n).toBe(0);
    expect(cat.kpis.asa).toMatchObject({ value: 7, n: 1 });
    // The survey goes to the last handling agent, Bob: 9 of 0–10 is satisfied (8–10) and a promoter (9–10).
    expect(bob.kpis.csat).toMatchObject({ value: 1, n: 1 });
    expect(bob.kpis.nps).toMatchObject({ value: 100, n: 1 });
    expect(ann.kpis.csat.n).toBe(0);
    // Teams follow the legs: billing has Ann's leg; tech has Bob's and Cat's legs, (360 + 140) / 2 = 250.
    expect((await kpis(t, key, 'team:billing', FROM, TO)).kpis.aht).toMatchObject({ value: 270, n: 1 });
    expect((await kpis(t, key, 'team:tech', FROM, TO)).kpis.aht).toMatchObject({ value: 250, n: 2 });
    // The centre counts each contact once, whole: (270 + 360 + 140) / 2 = 385.
    const centre = await kpis(t, key, 'centre', FROM, TO);
    expect(centre.kpis.aht).toMatchObject({ value: 385, n: 2 });
    // Queues: the first leg counts for billing, Bob's leg for tech (his queueId), Cat's for tech.
    expect((await kpis(t, key, 'queue:q-billing', FROM, TO)).kpis.aht).toMatchObject({ value: 270, n: 1 });
    expect((await kpis(t, key, 'queue:q-tech', FROM, TO)).kpis.aht).toMatchObject({ value: 250, n: 2 });
  });

  it('maps a good/bad and a 0–10 survey onto CSAT and NPS as the mapping states', async () => {
    const base = T + 2 * HOUR;
    const events: unknown[] = [];
    // Five contacts, each answered and handled by Ann, each surveyed on a programme's own scale.
    const answers = [
      [{ measure: 'csat', scale: 'good-bad', value: 'good' }],
      [{ measure: 'csat', scale: 'good-bad', value: 'bad' }],
      [{ measure: 'csat', scale: '0-10', value: 10 }, { measure: 'nps', scale: '0-10', value: 10 }],
      [{ measure: 'csat', scale: '0-10', value: 8 }, { measure: 'nps', scale: '0-10', value: 8 }],
      [{ measure: 'csat', scale: '0-10', value: 6 }, { measure: 'nps', scale: '0-10', value: 6 }],
    ];
    answers.forEach((a, i) => {
      const c = `sv-${i}`;
      const ms = base + i * 600_000;
      events.push(
        { id: `${c}-o`, type: 'contact.offered', occurredAt: ms, contactId: c, channel: 'voice', queueId: 'q-billing' },
        { id: `${c}-a`, type: 'contact.answered', occurredAt: ms + 5_000, contactId: c, agentId: 'ann' },
        { id: `${c}-e`, type: 'contact.ended', occurredAt: ms + 200_000, contactId: c, agentId: 'ann', talkSeconds: 180, holdSeconds: 0, wrapSeconds: 15, resolved: true },
        { id: `${c}-so`, type: 'survey.offered', occurredAt: ms + 210_000, contactId: c, programmeId: i < 2 ? 'email-csat' : 'post-call' },
        { id: `${c}-s`, type: 'survey.responded', occurredAt: ms + 300_000, contactId: c, programmeId: i < 2 ? 'email-csat' : 'post-call', responseId: `resp-${c}`, answers: a },
      );
    });
    // Two more surveys offered and never answered: the response rate is 5 of 7.
    for (const c of ['sv-5', 'sv-6']) {
      const ms = base + 4 * HOUR;
      events.push(
        { id: `${c}-o`, type: 'contact.offered', occurredAt: ms, contactId: c, channel: 'voice', queueId: 'q-billing' },
        { id: `${c}-a`, type: 'contact.answered', occurredAt: ms + 5_000, contactId: c, agentId: 'ann' },
        { id: `${c}-e`, type: 'contact.ended', occurredAt: ms + 200_000, contactId: c, agentId: 'ann', talkSeconds: 100, holdSeconds: 0, wrapSeconds: 10, resolved: true },
        { id: `${c}-so`, type: 'survey.offered', occurredAt: ms + 210_000, contactId: c, programmeId: 'post-call' },
      );
    }
    const r = await post(t, key, 2, events);
    expect(r.status, JSON.stringify(r.body.results.filter((x) => x.status === 'rejected'))).toBe(200);
    const k = (await kpis(t, key, 'queue:q-billing', base, base + 6 * HOUR)).kpis;
    // Satisfied: good, 10, 8 (8–10 of 0–10); not: bad, 6. CSAT = 3 / 5.
    expect(k.csat).toMatchObject({ value: 0.6, n: 5 });
    // NPS on the 0–10 answers only: promoters {10}, passives {8}, detractors {6}: (1 − 1) / 3 = 0.
    expect(k.nps).toMatchObject({ value: 0, n: 3 });
    // The mean score on 1–5 leaves good/bad out: 1 + 4 × (10, 8, 6)/10 = 5, 4.2, 3.4 → 4.2.
    expect(k.csat.extra?.meanScore).toBeCloseTo(4.2, 9);
    expect(k.responseRate).toMatchObject({ n: 7 });
    expect(k.responseRate.value).toBeCloseTo(5 / 7, 9);

    // The customer changes their rating later (same responseId, no explicit revision: its time ranks it): 'bad'
    // becomes 'good' (CSAT 4 / 5, n still 5). The earlier rating sent again late changes nothing.
    const later = { id: 'sv-1-s', type: 'survey.responded', occurredAt: base + 600_000 + 900_000, contactId: 'sv-1', programmeId: 'email-csat', responseId: 'resp-sv-1', answers: [{ measure: 'csat', scale: 'good-bad', value: 'good' }] };
    const again = await post(t, key, 2, [later, events.find((e) => (e as { id: string }).id === 'sv-1-s')]);
    expect(again.status).toBe(200);
    expect((await kpis(t, key, 'queue:q-billing', base, base + 6 * HOUR)).kpis.csat).toMatchObject({ value: 0.8, n: 5 });
  });

  it('replaces a contact by its later revision, and a late lower revision changes nothing', async () => {
    const c = 'rv-1';
    const ms = T + 5 * HOUR;
    const lifecycle = (revision: number, talk: number) => [
      { id: `${c}-o`, type: 'contact.offered', occurredAt: ms, contactId: c, channel: 'voice', queueId: 'q-tech', revision },
      { id: `${c}-a`, type: 'contact.answered', occurredAt: ms + 4_000, contactId: c, agentId: 'cat', revision },
      { id: `${c}-e`, type: 'contact.ended', occurredAt: ms + 400_000, contactId: c, agentId: 'cat', talkSeconds: talk, holdSeconds: 0, wrapSeconds: 0, resolved: true, revision },
    ];
    const window = [ms - HOUR, ms + HOUR] as const;
    expect((await post(t, key, 2, lifecycle(1, 100))).status).toBe(200);
    expect((await kpis(t, key, 'agent:cat', ...window)).kpis.aht).toMatchObject({ value: 100, n: 1 });
    // The platform re-delivers the record, updated: the same ids, a later revision, a longer talk.
    const r3 = await post(t, key, 2, lifecycle(3, 250));
    expect(r3.status).toBe(200);
    expect(r3.body.results.map((x) => x.id)).toEqual([`${c}-o@r3`, `${c}-a@r3`, `${c}-e@r3`]);
    expect((await kpis(t, key, 'agent:cat', ...window)).kpis.aht).toMatchObject({ value: 250, n: 1 });
    // Revision 2 arrives late: stored, counted nowhere. Revision 3 again: duplicates.
    expect((await post(t, key, 2, lifecycle(2, 999))).body.accepted).toBe(3);
    const dup = await post(t, key, 2, lifecycle(3, 250));
    expect(dup.body).toMatchObject({ accepted: 0, duplicate: 3 });
    expect((await kpis(t, key, 'agent:cat', ...window)).kpis.aht).toMatchObject({ value: 250, n: 1 });
    expect((await kpis(t, key, 'centre', ...window)).kpis.aht).toMatchObject({ value: 250, n: 1 });
  });

  it('counts only the latest revision of an amended QA evaluation, and a plain one beside it', async () => {
    const c = 'qa-rv-1';
    // Before FROM, so the other tests' windows never see this contact; evaluated an hour and two hours later.
    const ms = T - 4 * HOUR;
    const window = [ms - HOUR, ms + HOUR] as const;
    const contact = [
      { id: `${c}-o`, type: 'contact.offered', occurredAt: ms, contactId: c, channel: 'voice', queueId: 'q-tech' },
      { id: `${c}-a`, type: 'contact.answered', occurredAt: ms + 4_000, contactId: c, agentId: 'cat' },
      { id: `${c}-e`, type: 'contact.ended', occurredAt: ms + 300_000, contactId: c, agentId: 'cat', talkSeconds: 250, holdSeconds: 0, wrapSeconds: 46, resolved: true },
    ];
    const evaluation = (revision: number, score: number, criticalFail = false) => ({
      id: `${c}-qa`, type: 'qa.evaluated', occurredAt: ms + HOUR, contactId: c, agentId: 'cat', evaluatorId: 'lee', score, criticalFail, evaluationId: 'ev-77', revision,
    });
    const plain = { id: `${c}-qa-plain`, type: 'qa.evaluated', occurredAt: ms + 2 * HOUR, contactId: c, agentId: 'cat', evaluatorId: 'kim', score: 90, criticalFail: false };
    const first = await post(t, key, 2, [...contact, evaluation(1, 60), plain]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    // Two evaluations: (60 + 90) / 2.
    expect((await kpis(t, key, 'agent:cat', ...window)).kpis.qa).toMatchObject({ value: 75, n: 2 });
    // Amended after a dispute: revision 2 scores 80; still two evaluations, (80 + 90) / 2.
    const r2 = await post(t, key, 2, [evaluation(2, 80)]);
    expect(r2.body.results.map((x) => x.id)).toEqual([`${c}-qa@r2`]);
    expect((await kpis(t, key, 'agent:cat', ...window)).kpis.qa).toMatchObject({ value: 85, n: 2 });
    // Revision 1 re-sent late changes nothing; a revision 3 with a failed critical item scores 0: (0 + 90) / 2.
    await post(t, key, 2, [evaluation(1, 60)]);
    expect((await kpis(t, key, 'agent:cat', ...window)).kpis.qa).toMatchObject({ value: 85, n: 2 });
    await post(t, key, 2, [evaluation(3, 95, true)]);
    expect((await kpis(t, key, 'agent:cat', ...window)).kpis.qa).toMatchObject({ value: 45, n: 2 });
    expect((await kpis(t, key, 'queue:q-tech', ...window)).kpis.qa).toMatchObject({ value: 45, n: 2 });
  });

  it('answers 207 with per-event results when some are rejected, 422 when none is stored', async () => {
    const good = { id: 'ok-1', type: 'contact.offered', occurredAt: at(7000), contactId: 'ok-1', channel: 'chat', queueId: 'q-tech' };
    const wrongType = { id: 'bad-1', type: 'contact.ended', occurredAt: at(7100), contactId: 'ok-1', agentId: 'bob', talkSeconds: '200', holdSeconds: 0, wrapSeconds: 0, resolved: true };
    const some = await post(t, key, 2, [good, wrongType]);
    expect(some.status).toBe(207);
    expect(some.body).toMatchObject({ ok: true, accepted: 1, rejected: 1 });
    const rejected = some.body.results[1];
    expect(rejected?.status).toBe('rejected');
    expect(JSON.stringify(rejected)).toContain('talkSeconds');
    expect(JSON.stringify(rejected)).toContain('expected number, got string \\"200\\"');
    const none = await post(t, key, 2, [wrongType, { ...wrongType, id: 'bad-2', occurredAt: 'yesterday' }]);
    expect(none.status).toBe(422);
    expect(none.body).toMatchObject({ ok: false, accepted: 0, rejected: 2 });
    // v1 keeps its strict shape and points a v2 field at v2.
    const v1 = await post(t, key, 1, [{ ...good, id: 'ok-2', contactId: 'ok-2', revision: 1 }]);
    expect(v1.status).toBe(422);
    expect(JSON.stringify(v1.body.results[0])).toContain('/api/v2/events');
  });

  it("keeps a leg's notes or transcript (v2 only), masked on the way in", async () => {
    const c = 'nt-1';
    const ms = T - 5 * HOUR;
    const notes = 'Customer asked to call back on 07700 900123 or mail jo.bloggs@example.com; refund agreed.';
    const events = [
      { id: `${c}-o`, type: 'contact.offered', occurredAt: iso(ms), contactId: c, channel: 'chat', queueId: 'q-tech' },
      { id: `${c}-a`, type: 'contact.answered', occurredAt: iso(ms + 30_000), contactId: c, agentId: 'bob' },
      { id: `${c}-e`, type: 'contact.ended', occurredAt: iso(ms + 600_000), contactId: c, agentId: 'bob', talkSeconds: 500, holdSeconds: 0, wrapSeconds: 60, resolved: true, notes },
    ];
    // v1 refuses notes on a contact's end (they are v2), yet keeps notes on a QA evaluation.
    const v1 = await post(t, key, 1, events);
    expect(v1.status).toBe(207);
    expect(JSON.stringify(v1.body.results[2])).toContain('/api/v2/events');
    expect((await post(t, key, 2, events)).body.results[2]?.status).toBe('accepted');
    const row = await t.store.db.selectFrom('events').select('payload').where('id', '=', `${c}-e`).executeTakeFirstOrThrow();
    const ended = JSON.parse(String(row.payload)) as { notes?: string };
    expect(ended?.notes).toContain('refund agreed');
    expect(ended?.notes).not.toContain('jo.bloggs@example.com');
    expect(ended?.notes).not.toContain('900123');
  });

  it('takes epoch milliseconds, 512-character ids, custom agent states and unknown fields (kept in ext)', async () => {
    const arn = `arn:aws:connect:eu-west-2:123456789012:instance/${'x'.repeat(400)}/agent/ann`;
    expect(arn.length).toBeGreaterThan(128);
    const r = await post(t, key, 2, [
      { id: 'st-1', type: 'agent.state', occurredAt: NOW - 60_000, agentId: arn, state: 'Lunch', platformStatusArn: 'arn:status/lunch' },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results[0]?.status).toBe('accepted');
    const row = await t.store.db.selectFrom('events').select('payload').where('id', '=', 'st-1').executeTakeFirstOrThrow();
    const stored = JSON.parse(String(row.payload)) as Record<string, unknown>;
    expect(stored).toMatchObject({ agentId: arn, state: 'break', stateName: 'Lunch', occurredAt: iso(NOW - 60_000), ext: { platformStatusArn: 'arn:status/lunch' } });
  });
});
