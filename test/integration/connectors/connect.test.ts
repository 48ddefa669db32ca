/**
 * Amazon Connect end to end, with every figure worked out by hand from Connect's own fields: contact records (one
 * re-delivered with a later LastUpdateTimestamp, a transfer whose two records arrive in reverse order, an abandon), a
 * survey on the source's 1–5 scale in contact attributes, a contact evaluation arriving before its contact, a Contact
 * Lens result, and a malformed record, delivered as Kinesis Data Firehose delivers them (base64 records in its HTTP
 * endpoint request, with the access key header) to an Amazon Connect source on a real server; the KPIs read back from
 * /api/v1/kpis.
 *
 * Records are built from the documentation (test/support/connectors/connect.ts names each page). `deliver` is the one
 * place that hands records to Frontline.
 *
 * The day (Monday 2 November 2026, London = UTC; service level 20 s on both queues). Callers are pseudonymised from
 * CustomerEndpoint.Address, so the same number links repeat contacts:
 *   A  c-a   09:00 Billing, caller …101, Queue.Duration 12, Ann: AgentInteractionDuration 300, CustomerHoldDuration 20
 *            (NumberOfHolds 1), AfterContactWorkDuration 40 — disposition "Call back", re-delivered with "Resolved"
 *            and survey_result_1 = 4, then a Contact Lens result;
 *   B  c-b1  09:10 Billing, caller …102, Queue.Duration 8, Ann: 120 talk, 0 hold, 10 ACW, NextContactId c-b2;
 *      c-b2  TRANSFER to Tech, Queue.Duration 25, Bob: 200 talk, 30 hold (2 holds), 20 ACW, "Resolved",
 *            survey_result_1 = 2 — delivered before c-b1;
 *   C  c-c   09:20 Billing, caller …103, no agent, Queue.Duration 45: abandoned;
 *   D  c-d   09:30 Tech, caller …104, Queue.Duration 10, Cat: 250 talk, 30 ACW, "Resolved"; its evaluation (answers:
 *            greet Partly, verify N/A, resolve Yes, hold 1) arrives before the record;
 *   E  c-e   12:00 Tech, caller …104 again, Queue.Duration 4, Cat: 170 talk, 20 ACW, "Resolved".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisReply } from '../../../shared/api.js';
import type { Directory } from '../../../shared/directory.js';
import type { SourceSummary } from '../../../shared/sources.js';
import type { RawRecord } from '../../../server/connectors/types.js';
import { agentEvent, contactLensCall, ctr, ctrTime, evaluation, mappingOf, rec } from '../../support/connectors/connect.js';
import { ManualClock, startTestServer, type TestServer } from '../../support/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 2, 16);
const T = Date.UTC(2026, 10, 2, 9);
const min = (m: number) => T + m * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** The source's mapping: Connect queue names onto Frontline's queues, the dispositions the centre uses. */
const MAPPING = mappingOf({ queues: { Billing: 'q-billing', Tech: 'q-tech' }, wrapCodes: { Resolved: true, 'Call back': false } });

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

let t: TestServer;
let key: string;
let source: SourceSummary;
const ACCESS_KEY = 'firehose-access-key-for-leeds';
let requestNo = 0;

/**
 * Hands Connect records to Frontline as Firehose does: one HTTP endpoint delivery request with each record's JSON in
 * base64, the access key in X-Amz-Firehose-Access-Key; Firehose expects 200 with its requestId echoed.
 */
async function deliver(records: RawRecord[]): Promise<void> {
  const requestId = `req-${++requestNo}`;
  const url = source.endpoints.find((e) => e.endpoint === 'firehose')?.url as string;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-amz-firehose-access-key': ACCESS_KEY, 'x-amz-firehose-request-id': requestId },
    body: JSON.stringify({ requestId, timestamp: NOW, records: records.map((r) => ({ data: Buffer.from(JSON.stringify(r.body)).toString('base64') })) }),
  });
  const body = (await res.json()) as { requestId: string; errorMessage?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.requestId).toBe(requestId);
}

async function health(): Promise<SourceSummary['health']> {
  return (await t.server.sources.get(source.id, t.baseUrl)).health;
}

async function kpis(scope: string): Promise<KpisReply['kpis']> {
  const q = new URLSearchParams({ scope, from: iso(T - HOUR), to: iso(T + 6 * HOUR) });
  const res = await fetch(`${t.baseUrl}/api/v1/kpis?${q.toString()}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as KpisReply).kpis;
}

const caller = (n: number) => `+447700900${n}`;
const A = ctr({ contactId: 'c-a', at: min(0), ivrS: 10, queue: 'Billing', waitS: 12, agent: 'ann', talkS: 300, holdS: 20, holds: 1, acwS: 40, caller: caller(101), attributes: { disposition: 'Call back' } });
const A2 = { ...A, Attributes: { disposition: 'Resolved', surveyId: 'post-call', survey_result_1: '4' }, LastUpdateTimestamp: ctrTime(min(15)) };
const B1 = ctr({ contactId: 'c-b1', at: min(10), queue: 'Billing', waitS: 8, agent: 'ann', talkS: 120, acwS: 10, nextContactId: 'c-b2', caller: caller(102) });
const B2 = ctr({ contactId: 'c-b2', at: min(10) + 128_000, method: 'TRANSFER', initialContactId: 'c-b1', previousContactId: 'c-b1', queue: 'Tech', waitS: 25, agent: 'bob', talkS: 200, holdS: 30, holds: 2, acwS: 20, caller: caller(102), attributes: { disposition: 'Resolved', surveyId: 'post-call', survey_result_1: '2' } });
const C = ctr({ contactId: 'c-c', at: min(20), queue: 'Billing', waitS: 45, caller: caller(103) });
const D = ctr({ contactId: 'c-d', at: min(30), queue: 'Tech', waitS: 10, agent: 'cat', talkS: 250, acwS: 30, caller: caller(104), attributes: { disposition: 'Resolved' } });
const E = ctr({ contactId: 'c-e', at: min(180), queue: 'Tech', waitS: 4, agent: 'cat', talkS: 170, acwS: 20, caller: caller(104), attributes: { disposition: 'Resolved' } });
const EVAL_D = evaluation({ evaluationId: 'ev-d', contactId: 'c-d', agent: 'cat', modifiedS: min(120) / 1000, answers: { 'q-greet': 'partly', 'q-verify': 'N/A', 'q-resolve': 'yes', 'q-hold': 1 } });

describe('Amazon Connect records to KPIs, worked out by hand', () => {
  beforeAll(async () => {
    t = await startTestServer({ clock: new ManualClock(NOW) });
    await t.server.directory.replace(dir);
    await t.server.kpis.rebuild();
    key = await t.key(['ingest', 'read']);
    source = await t.server.sources.create({ platform: 'connect', name: 'Connect Leeds', credentials: { accessKey: ACCESS_KEY }, mapping: MAPPING }, 'test', t.baseUrl);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts the first delivery: a transfer arriving leg 2 first, an abandon, an evaluation before its contact', async () => {
    // The agents log in: their usernames are learnt from the agent event stream.
    await deliver(['ann', 'bob', 'cat'].map((u, i) => rec('agent-event', agentEvent({ user: u as 'ann', at: T - HOUR, status: 'Available', eventId: `login-${i}` }))));
    await deliver([rec('evaluation', EVAL_D)]);
    // The evaluation names c-d, whose record has not come: stored and held, counted when the contact arrives.
    const evaluations = await t.store.db.selectFrom('events').select('payload').where('type', '=', 'qa.evaluated').execute();
    expect(evaluations.map((r) => JSON.parse(String(r.payload)) as unknown)).toEqual([expect.objectContaining({ type: 'qa.evaluated', contactId: 'c-d', agentId: 'cat', score: 77.5, source: source.id })]);
    expect((await health()).orphansHeld).toBe(1);
    expect((await kpis('centre')).qa.n).toBe(0);
    const bad = { ...D, ContactId: 'c-bad', Agent: { ...(D.Agent as object), AgentInteractionDuration: '250' } };
    await deliver([rec('ctr', A), rec('ctr', B2), rec('ctr', C), rec('ctr', D), rec('ctr', E), rec('ctr', bad)]);
    // The malformed record is a dead letter naming the field; nothing of it is stored; Firehose was still answered 200
    // (the record is kept for a replay, so Firehose need not retry it).
    const held = await t.server.sources.deadLetters(source.id, 'held');
    expect(held.rows.map((d) => ({ reason: d.reason, reasons: d.reasons, key: d.recordKey }))).toEqual([{ reason: 'malformed', reasons: ['contact record Agent.AgentInteractionDuration: expected a number of 0 or more, got string "250"'], key: 'c-bad' }]);
    expect((await t.store.db.selectFrom('events').select('id').where('contact_id', '=', 'c-bad').execute()).length).toBe(0);
    await deliver([rec('ctr', B1)]);

    const centre = await kpis('centre');
    // Handled: A, B (one contact, two legs), D, E = 4. Handle time = AgentInteractionDuration + CustomerHoldDuration +
    // AfterContactWorkDuration per leg: A 300 + 20 + 40 = 360; B (120 + 0 + 10) + (200 + 30 + 20) = 380;
    // D 250 + 0 + 30 = 280; E 170 + 0 + 20 = 190. AHT = 1210 / 4 = 302.5.
    expect(centre.aht).toMatchObject({ value: 302.5, n: 4 });
    // ASA: the first leg's Queue.Duration of each answered contact: (12 + 8 + 10 + 4) / 4 = 8.5.
    expect(centre.asa).toMatchObject({ value: 8.5, n: 4 });
    // Offered: A, B, C, D, E = 5; C abandoned after Queue.Duration 45 s (not a short abandon, < 5 s).
    // Service level: answered within 20 s 4 / (5 − 0) = 0.8; abandonment 1 / 5 = 0.2.
    expect(centre.serviceLevel).toMatchObject({ value: 0.8, n: 5 });
    expect(centre.abandonRate).toMatchObject({ value: 0.2, n: 5 });
    // Repeat-contact FCR (the last leg's disposition, caller pseudonyms): A "Call back" → unresolved; B "Resolved";
    // D "Resolved" but caller …104 called again 2.5 h later (E) → repeated; E "Resolved": 2 / 4 = 0.5.
    expect(centre.fcrRepeat).toMatchObject({ value: 0.5, n: 4 });
    // CSAT: only B's survey so far (survey_result_1 = 2 of 1–5: not satisfied): 0 / 1.
    expect(centre.csat).toMatchObject({ value: 0, n: 1 });
    // QA: D's evaluation, held until D arrived. Questions weighted 20/20/40/20, verify N/A left out:
    // (20 × 50 (Partly 5/10) + 40 × 100 (Yes) + 20 × 60 (1 hold → 6/10)) / (20 + 40 + 20) = 6200 / 80 = 77.5.
    expect(centre.qa).toMatchObject({ value: 77.5, n: 1 });
    expect((await kpis('agent:cat')).qa).toMatchObject({ value: 77.5, n: 1 });

    // Legs count for the agent and queue that handled them: Ann (360 + 130) / 2 = 245; Bob 250; Cat (280 + 190) / 2
    // = 235; q-tech: Bob's leg (transferred to Tech) 250, D 280, E 190 → 720 / 3 = 240; q-billing: A 360, Ann's B leg
    // 130 → 245.
    expect((await kpis('agent:ann')).aht).toMatchObject({ value: 245, n: 2 });
    expect((await kpis('agent:bob')).aht).toMatchObject({ value: 250, n: 1 });
    expect((await kpis('agent:cat')).aht).toMatchObject({ value: 235, n: 2 });
    expect((await kpis('queue:q-tech')).aht).toMatchObject({ value: 240, n: 3 });
    expect((await kpis('queue:q-billing')).aht).toMatchObject({ value: 245, n: 2 });
    // B's survey goes to the last agent, Bob; the wait (8 s) to Ann, who answered.
    expect((await kpis('agent:bob')).csat).toMatchObject({ value: 0, n: 1 });
    expect((await kpis('agent:ann')).asa).toMatchObject({ value: 10, n: 2 });

    // One transfer stored for B: Ann → the Tech queue (mapped to q-tech), at c-b2's InitiationTimestamp.
    const transfers = await t.store.db.selectFrom('events').select('payload').where('type', '=', 'contact.transferred').execute();
    const latest = transfers.map((r) => JSON.parse(String(r.payload)) as { contactId: string; fromAgentId: string; toQueueId?: string; revision: number }).sort((a, b) => b.revision - a.revision);
    expect(latest[0]).toMatchObject({ contactId: 'c-b1', fromAgentId: 'ann', toQueueId: 'q-tech' });
  });

  it('replaces A by its re-delivered revision, ignores the late older copy, and keeps figures through a Contact Lens result', async () => {
    await deliver([rec('ctr', A2)]);
    await deliver([rec('ctr', A)]);
    let centre = await kpis('centre');
    // A is now "Resolved": FCR (A, B resolved; D repeated; E resolved) = 3 / 4 = 0.75; handle time unchanged (302.5).
    expect(centre.fcrRepeat).toMatchObject({ value: 0.75, n: 4 });
    expect(centre.aht).toMatchObject({ value: 302.5, n: 4 });
    // A's survey (4 of 1–5: satisfied) beside B's (2): CSAT 1 / 2 = 0.5; Ann's 1 / 1.
    expect(centre.csat).toMatchObject({ value: 0.5, n: 2 });
    expect((await kpis('agent:ann')).csat).toMatchObject({ value: 1, n: 1 });

    // Contact Lens for A: the chain is emitted again under a higher revision, with the masked transcript as notes.
    const before = await health();
    await deliver([rec('contact-lens', contactLensCall('c-a', { redacted: true, categories: ['Cancellation'] }))]);
    expect(await health()).toMatchObject({ accepted: before.accepted + 1, rejected: before.rejected });
    centre = await kpis('centre');
    expect(centre.aht).toMatchObject({ value: 302.5, n: 4 });
    expect(centre.fcrRepeat).toMatchObject({ value: 0.75, n: 4 });
    expect(centre.csat).toMatchObject({ value: 0.5, n: 2 });
    const rows = await t.store.db.selectFrom('events').select('payload').where('type', '=', 'contact.ended').execute();
    const ended = rows.map((r) => JSON.parse(String(r.payload)) as { contactId: string; revision: number; notes?: string; ext?: Record<string, unknown> }).filter((e) => e.contactId === 'c-a').sort((a, b) => b.revision - a.revision)[0];
    expect(ended?.notes).toContain('Customer: I need to cancel.');
    expect(ended?.notes).not.toContain('900123');
    expect(ended?.ext).toMatchObject({ contactLens: { categories: ['Cancellation'], customerSentiment: 3.1 } });
  });
});
