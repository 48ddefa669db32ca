/**
 * A Zendesk source end to end (issue 16): records built from Zendesk's documented shapes, delivered to a Zendesk
 * source on a real server through the connectors' pipeline (the poller's own door: mapper, mapper memory, ingest, dead
 * letters), and the KPIs worked out by hand below from Zendesk's own
 * fields: the Time Tracking app's "Total time spent (sec)" (custom field), the reply_time metric events, the ticket
 * status and tags, the satisfaction rating scores.
 *
 * The account: Ann (user 9001, external_id "ann") and Bob (user 9002, external_id "bob"); groups "email-billing"
 * (360001) and "chat-general" (360002), named as Frontline's queues. All on Monday 2 November 2026 (UTC = London).
 * - Ticket 101, email, customer 7001: created 09:00, first reply 09:20 (reply_time fulfil), solved by Ann at 09:30
 *   with 600 s spent, delivered twice; reopened at 11:00 and solved again at 11:20 with 900 s spent in all. Its
 *   rating is "bad" at 11:40, changed to "good" at 13:00.
 * - Ticket 102, chat, customer 7002: created 10:00, Bob replies at 10:00:30 and hands it to Ann at 10:05 (240 s
 *   spent, his), Ann solves it at 10:15 (540 s in all). Its rating ("good", 10:30) arrives before the ticket.
 * - Ticket 104, email, customer 7001 again: created 12:00, first reply 12:10, solved by Bob at 12:30 with 120 s spent
 *   and the tag "not_fixed" (mapped to not resolved). Its survey was offered, never answered.
 * - Ticket 103 is malformed (created_at "yesterday"): refused by the mapper and kept as a dead letter; nothing stored.
 * There are no QA evaluations: Zendesk Support's APIs read here have none (the rating is what arrives early).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisReply } from '../../../shared/api.js';
import type { Directory } from '../../../shared/directory.js';
import { sourceMapping } from '../../../shared/sources.js';
import type { RawRecord } from '../../../server/connectors/types.js';
import { group, metricEvent, rating, ticket, ticketRecord, TIME_SPENT_FIELD_ID, timeSpent, user } from '../../support/connectors/zendesk.js';
import { ManualClock, startTestServer, type TestServer } from '../../support/server.js';

const T = (hhmmss: string) => `2026-11-02T${hhmmss}Z`;
const NOW = Date.parse(T('16:00:00'));
const FROM = Date.parse(T('08:00:00'));
const TO = NOW;

let t: TestServer;
let key: string;
let sourceId: string;
/** The source's mapping: the tag "not_fixed" is a wrap-up code meaning not resolved. */
const MAPPING = { wrapCodes: { not_fixed: false } };

/** One delivery, as the poller makes one with a page: counted per record (accepted, duplicate, rejected). */
async function deliver(records: RawRecord[]): Promise<{ accepted: number; duplicate: number; rejected: number }> {
  const out = await t.server.sources.deliver(sourceId, records);
  return { accepted: out.accepted, duplicate: out.duplicate, rejected: out.rejected };
}

async function kpis(scope: string): Promise<KpisReply['kpis']> {
  const q = new URLSearchParams({ scope, from: new Date(FROM).toISOString(), to: new Date(TO).toISOString() });
  const res = await fetch(`${t.baseUrl}/api/v1/kpis?${q.toString()}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as KpisReply).kpis;
}

const dir: Directory = {
  sites: [{ id: 'leeds', name: 'Leeds', timeZone: 'Europe/London', openingHours: {} }],
  teams: [
    { id: 'billing', name: 'Billing', siteId: 'leeds' },
    { id: 'tech', name: 'Tech', siteId: 'leeds' },
  ],
  queues: [
    { id: 'email-billing', name: 'Billing email', channel: 'email', siteId: 'leeds', serviceLevelSeconds: 86_400 },
    { id: 'chat-general', name: 'Web chat', channel: 'chat', siteId: 'leeds', serviceLevelSeconds: 60 },
  ],
  agents: [
    { id: 'ann', name: 'Ann', teamId: 'billing' },
    { id: 'bob', name: 'Bob', teamId: 'tech' },
  ],
};

const ann = user(9001, 'ann', 'Ann Smith');
const bob = user(9002, 'bob', 'Bob Jones');
const emailGroup = group(360001, 'email-billing');
const chatGroup = group(360002, 'chat-general');
const side = { users: [ann, bob], groups: [emailGroup, chatGroup], timeSpentFieldId: TIME_SPENT_FIELD_ID };
const t101 = { id: 101, created_at: T('09:00:00'), via: { channel: 'email' }, group_id: emailGroup.id, requester_id: 7001, tags: ['billing'] };
const t102 = { id: 102, created_at: T('10:00:00'), via: { channel: 'chat' }, group_id: chatGroup.id, requester_id: 7002, tags: [] };
const t104 = { id: 104, created_at: T('12:00:00'), via: { channel: 'email' }, group_id: emailGroup.id, requester_id: 7001 };

describe('a Zendesk source: documented records to KPIs worked out by hand', () => {
  beforeAll(async () => {
    t = await startTestServer({ clock: new ManualClock(NOW) });
    await t.server.directory.replace(dir);
    await t.server.kpis.rebuild();
    key = await t.key(['ingest', 'read']);
    const source = await t.server.sources.create({ platform: 'zendesk', name: 'Zendesk', credentials: { subdomain: 'frontline-test', email: 'admin@example.com', apiToken: 'not used here' }, mapping: sourceMapping.parse(MAPPING) }, 'test', t.baseUrl);
    sourceId = source.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores what the records say, duplicates and revisions as such, and refuses the malformed ticket', async () => {
    // The rating of ticket 102 comes first: its contact has not arrived, ingest holds it (an orphan).
    const early = await deliver([rating({ id: 555, ticket_id: 102, score: 'good', updated_at: T('10:30:00'), comment: 'Quick and friendly' })]);
    expect(early).toMatchObject({ accepted: 1, rejected: 0 });
    expect((await t.server.sources.get(sourceId, t.baseUrl)).health.orphansHeld).toBeGreaterThan(0);

    // Metric events first (the poller's order): the first replies. They emit nothing; the tickets carry them.
    const metrics = await deliver([
      metricEvent({ id: 1, ticket_id: 101, metric: 'reply_time', type: 'fulfill', time: T('09:20:00') }),
      metricEvent({ id: 2, ticket_id: 101, metric: 'reply_time', type: 'update_status', time: T('09:20:00'), status: { calendar: 20, business: 20 } }),
      metricEvent({ id: 3, ticket_id: 102, metric: 'reply_time', type: 'fulfill', time: T('10:00:30') }),
      metricEvent({ id: 4, ticket_id: 104, metric: 'reply_time', type: 'fulfill', time: T('12:10:00') }),
    ]);
    // Taken (remembered for their tickets), no event of their own.
    expect(metrics).toEqual({ accepted: 4, duplicate: 0, rejected: 0 });
    expect((await t.store.db.selectFrom('source_memory').select('key').where('source_id', '=', sourceId).execute()).map((r) => r.key).sort()).toEqual(['ticket:101', 'ticket:102', 'ticket:104']);

    const f = (o: Parameters<typeof ticket>[0]) => ticketRecord(ticket(o), side);
    const first = await deliver([
      f({ ...t101, updated_at: T('09:10:00'), status: 'open', assignee_id: ann.id, custom_fields: timeSpent(0) }),
      f({ ...t102, updated_at: T('10:00:30'), status: 'open', assignee_id: bob.id, custom_fields: timeSpent(0) }),
      f({ ...t102, updated_at: T('10:05:00'), status: 'open', assignee_id: ann.id, custom_fields: timeSpent(240) }),
      f({ ...t101, updated_at: T('09:30:00'), status: 'solved', assignee_id: ann.id, custom_fields: timeSpent(600) }),
    ]);
    expect(first).toEqual({ accepted: 4, duplicate: 0, rejected: 0 });
    // Ticket 101 solved at 09:30, delivered again (a page read twice after a restart): duplicates, nothing new.
    const again = await deliver([f({ ...t101, updated_at: T('09:30:00'), status: 'solved', assignee_id: ann.id, custom_fields: timeSpent(600) })]);
    expect(again).toEqual({ accepted: 0, duplicate: 1, rejected: 0 });

    const rest = await deliver([
      f({ ...t102, updated_at: T('10:15:00'), status: 'solved', assignee_id: ann.id, custom_fields: timeSpent(540) }),
      // Reopened by the customer's reply, then solved again: later revisions replace the 09:30 form.
      f({ ...t101, updated_at: T('11:00:00'), status: 'open', assignee_id: ann.id, custom_fields: timeSpent(600) }),
      f({ ...t101, updated_at: T('11:20:00'), status: 'solved', assignee_id: ann.id, custom_fields: timeSpent(900) }),
      f({ ...t104, updated_at: T('12:30:00'), status: 'solved', assignee_id: bob.id, tags: ['not_fixed'], custom_fields: timeSpent(120) }),
      rating({ id: 557, ticket_id: 101, score: 'bad', updated_at: T('11:40:00') }),
      rating({ id: 556, ticket_id: 104, score: 'offered', updated_at: T('12:40:00') }),
      // The customer changes their mind: the same rating, updated later.
      rating({ id: 557, ticket_id: 101, score: 'good', created_at: T('11:40:00'), updated_at: T('13:00:00'), comment: 'Sorted in the end' }),
    ]);
    expect(rest.rejected).toBe(0);
    const transfer = await t.store.db.selectFrom('events').select(['payload']).where('type', '=', 'contact.transferred').execute();
    // Ticket 102's reassignment, in each revision of it stored (10:05 and 10:15): Bob to Ann.
    const transfers = transfer.map((r) => JSON.parse(String(r.payload)) as Record<string, unknown>);
    expect(transfers.map((x) => `${x.contactId as string} ${x.fromAgentId as string}→${x.toAgentId as string} ${x.occurredAt as string}`)).toEqual([
      'zendesk:102 bob→ann 2026-11-02T10:05:00.000Z',
      'zendesk:102 bob→ann 2026-11-02T10:05:00.000Z',
    ]);

    const malformed = await deliver([{ kind: 'ticket', body: { ticket: ticket({ ...t104, id: 103, created_at: 'yesterday', updated_at: T('12:45:00'), status: 'open' }) } }]);
    expect(malformed).toEqual({ accepted: 0, duplicate: 0, rejected: 1 });
    const held = await t.server.sources.deadLetters(sourceId, 'held');
    expect(held.rows.map((d) => ({ reason: d.reason, reasons: d.reasons }))).toEqual([{ reason: 'malformed', reasons: ['ticket.created_at: expected an ISO-8601 date-time such as 2011-05-05T10:38:52Z, got string "yesterday"'] }]);
    expect(held.rows[0]?.recordKey).toContain('103');
    expect((await t.store.db.selectFrom('events').select('id').where('contact_id', '=', 'zendesk:103').execute()).length).toBe(0);
  });

  it('gives the AHT from the Time Tracking totals, split by leg', async () => {
    // Handled contacts: 101 (Ann, 900 s: its latest form), 102 (Bob 240 s + Ann 540 − 240 = 300 s), 104 (Bob, 120 s).
    // Centre: (900 + 540 + 120) / 3 = 520.
    expect((await kpis('centre')).aht).toMatchObject({ value: 520, n: 3 });
    // Ann: 101 (900) and her leg of 102 (300): (900 + 300) / 2 = 600. Bob: his leg of 102 (240) and 104 (120): 180.
    expect((await kpis('agent:ann')).aht).toMatchObject({ value: 600, n: 2 });
    expect((await kpis('agent:bob')).aht).toMatchObject({ value: 180, n: 2 });
    expect((await kpis('team:tech')).aht).toMatchObject({ value: 180, n: 2 });
    // Queues: email-billing has 101 and 104, (900 + 120) / 2 = 510; chat-general has 102 once, both legs: 540.
    expect((await kpis('queue:email-billing')).aht).toMatchObject({ value: 510, n: 2 });
    expect((await kpis('queue:chat-general')).aht).toMatchObject({ value: 540, n: 1 });
  });

  it('gives the waits from the reply_time metric events', async () => {
    // Chat 102: created 10:00:00, first reply 10:00:30 → ASA 30 s, credited to Bob who answered; within 60 s.
    expect((await kpis('centre')).asa).toMatchObject({ value: 30, n: 1 });
    expect((await kpis('agent:bob')).asa).toMatchObject({ value: 30, n: 1 });
    // Email first responses: 101 09:00 → 09:20 = 1,200 s; 104 12:00 → 12:10 = 600 s; mean (1,200 + 600) / 2 = 900.
    const email = (await kpis('channel:email')).firstResponse;
    expect(email.n).toBe(2);
    expect(email.extra?.mean).toBe(900);
    // Service level: all three answered within their queue's threshold (86,400 s email, 60 s chat): 3 / 3.
    expect((await kpis('centre')).serviceLevel).toMatchObject({ value: 1, n: 3 });
  });

  it('gives CSAT from the good/bad ratings, response rate from the offers, FCR from status, tags and repeats', async () => {
    const centre = await kpis('centre');
    // Ratings: 101 "good" (its latest form, 13:00, replaced "bad"), 102 "good" (the early one): 2 / 2 satisfied.
    expect(centre.csat).toMatchObject({ value: 1, n: 2 });
    // Both credited to the last agent who handled the contact: Ann (101, and the last leg of 102).
    expect((await kpis('agent:ann')).csat).toMatchObject({ value: 1, n: 2 });
    expect((await kpis('agent:bob')).csat.n).toBe(0);
    // Offered on 101, 102 and 104; answered on 101 and 102: 2 / 3.
    expect(centre.responseRate.n).toBe(3);
    expect(centre.responseRate.value).toBeCloseTo(2 / 3, 9);
    // Repeat-contact FCR: 101 was solved but customer 7001 came back with 104 the same day; 104 carries "not_fixed"
    // (not resolved); 102 solved, customer 7002 did not come back: 1 of 3 (provisional: the 7 days are not over).
    expect(centre.fcrRepeat.n).toBe(3);
    expect(centre.fcrRepeat.value).toBeCloseTo(1 / 3, 9);
  });
});
