/**
 * Genesys Cloud records through the mapper into a real server, with the KPIs worked out by hand from the platform's
 * own fields (the records are those of test/support/connectors/genesys.ts, built from the SDK's model documentation):
 * a call transferred between queues (read once in progress, then ended: the final revision replaces the partial one,
 * a late partial and a re-delivered final change nothing), an abandon, a chat, a web survey on 0–10, two quality
 * evaluations (one with a failed critical question, arriving before its chat: held as an orphan), and malformed
 * records (never posted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisReply } from '../../../shared/api.js';
import type { Directory } from '../../../shared/directory.js';
import type { RawRecord } from '../../../server/connectors/types.js';
import { ManualClock, startTestServer, type TestServer } from '../../support/server.js';
import {
  T0, TEST_MAPPING, abandonedCall, bobEvaluation, catEvaluation, chatConversation, malformedConversations, transferredCall, transferredCallInProgress,
} from '../../support/connectors/genesys.js';

const HOUR = 3_600_000;
const NOW = T0 + 48 * HOUR;
const FROM = T0 - HOUR;
const TO = T0 + 6 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

let t: TestServer;
let key: string;
let sourceId: string;

/**
 * The one place records reach Frontline: delivered to a Genesys Cloud source through the connectors' pipeline (the
 * poller's own door: mapping, ingest, dead letters), counted per record.
 */
async function deliver(records: RawRecord[]): Promise<{ rejected: { reason: string; reasons: string[] }[]; reply: { accepted: number; duplicate: number; rejected: number } }> {
  const out = await t.server.sources.deliver(sourceId, records);
  const rejected = out.records.filter((r) => r.status === 'rejected').map((r) => ({ reason: r.reason ?? '', reasons: r.reasons ?? [] }));
  return { rejected, reply: { accepted: out.accepted, duplicate: out.duplicate, rejected: out.rejected } };
}

async function kpis(scope: string): Promise<KpisReply['kpis']> {
  const q = new URLSearchParams({ scope, from: iso(FROM), to: iso(TO) });
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
    { id: 'q-billing', name: 'Billing voice', channel: 'voice', siteId: 'leeds', serviceLevelSeconds: 20 },
    { id: 'q-tech', name: 'Tech voice', channel: 'voice', siteId: 'leeds', serviceLevelSeconds: 20 },
    { id: 'q-chat', name: 'Web chat', channel: 'chat', siteId: 'leeds', serviceLevelSeconds: 60 },
  ],
  agents: [
    { id: 'ann', name: 'Ann Smith', teamId: 'billing' },
    { id: 'bob', name: 'Bob Jones', teamId: 'tech' },
    { id: 'cat', name: 'Cat Lee', teamId: 'tech' },
  ],
};

const conversation = (body: unknown): RawRecord => ({ kind: 'conversation', body });
const evaluation = (body: unknown): RawRecord => ({ kind: 'evaluation', body });

beforeAll(async () => {
  t = await startTestServer({ clock: new ManualClock(NOW) });
  await t.server.directory.replace(dir);
  await t.server.kpis.rebuild();
  key = await t.key(['ingest', 'read']);
  const source = await t.server.sources.create({ platform: 'genesys', name: 'Genesys test', credentials: { region: 'api.mypurecloud.ie', clientId: 'frontline', clientSecret: 'not used here' }, mapping: TEST_MAPPING }, 'test', t.baseUrl);
  sourceId = source.id;
});
afterAll(async () => {
  await t?.close();
});

describe('Genesys Cloud records → KPIs worked out by hand', () => {
  it('holds an evaluation that comes before its conversation, and counts a call read in progress as it stood', async () => {
    // Cat's evaluation (totalScore 92, anyFailedKillQuestions true) names the chat, which has not come yet: held.
    // The transferred call read at 09:03: offered to Billing at 09:00:20, Ann answered at 09:00:32 (tAnswered 12 000 ms).
    const first = await deliver([evaluation(catEvaluation()), conversation(transferredCallInProgress())]);
    expect(first.rejected).toEqual([]);
    // Counted per record: the evaluation and the in-progress reading (3 events between them) are both new.
    expect(first.reply).toMatchObject({ accepted: 2, duplicate: 0, rejected: 0 });
    const k = await kpis('centre');
    expect(k.qa.n).toBe(0);
    expect(k.asa).toMatchObject({ value: 12, n: 1 });
    expect(k.aht.n).toBe(0);
  });

  it('replaces the partial reading by the final one, and gives the figures of the Genesys fields', async () => {
    const malformed = malformedConversations().map(conversation);
    const second = await deliver([
      conversation(transferredCall()),
      // A late lower revision (the 09:03 reading again) and the final one again: nothing changes.
      conversation(transferredCallInProgress()),
      conversation(transferredCall()),
      conversation(abandonedCall()),
      ...malformed,
      conversation(chatConversation()),
      evaluation(bobEvaluation()),
    ]);
    // The two malformed records are rejected by the mapper, naming the field; nothing of theirs is stored.
    expect(second.rejected.map((r) => r.reason)).toEqual(['malformed', 'malformed']);
    expect(second.rejected[0]?.reasons[0]).toContain('segmentStart');
    // Per record: the final call (8 events: offered, answered, transferred, ended, answered, ended, survey offered,
    // survey responded), the abandon, the chat and Bob's evaluation are new; the 09:03 reading again and the final
    // again are duplicates (every event already stored); the two malformed records are dead-lettered.
    expect(second.reply).toMatchObject({ accepted: 4, duplicate: 2, rejected: 2 });
    const held = await t.server.sources.deadLetters(sourceId, 'held');
    expect(held.rows.map((d) => [d.reason, d.kind])).toEqual([
      ['malformed', 'conversation'],
      ['malformed', 'conversation'],
    ]);

    const centre = await kpis('centre');
    // AHT per contact, whole (all legs): the call = Ann (interact 120 + 90 = 210, hold 30, wrapup 20 = 260) + Bob
    // (interact 300, wrapup 60 = 360) = 620; the chat = Cat (interact 480, wrapup 60) = 540. (620 + 540) / 2 = 580.
    expect(centre.aht).toMatchObject({ value: 580, n: 2 });
    // ASA from the agents' tAnswered: call 12 000 ms, chat 5 000 ms → (12 + 5) / 2 = 8.5 (the abandon is not answered).
    expect(centre.asa).toMatchObject({ value: 8.5, n: 2 });
    // Offered 3 (call, abandon, chat), no short abandon (tAbandon 60 000 ms ≥ 5 s): abandon rate 1 / 3; service level:
    // call 12 s ≤ 20 s, chat 5 s ≤ 60 s → 2 / 3.
    expect(centre.abandonRate.n).toBe(3);
    expect(centre.abandonRate.value).toBeCloseTo(1 / 3, 9);
    expect(centre.serviceLevel.value).toBeCloseTo(2 / 3, 9);
    // The web survey: surveyPromoterScore 9 on 0–10: satisfied (8–10) and a promoter (9–10); sent and answered: 1 / 1.
    expect(centre.csat).toMatchObject({ value: 1, n: 1 });
    expect(centre.nps).toMatchObject({ value: 100, n: 1 });
    expect(centre.responseRate).toMatchObject({ value: 1, n: 1 });
    // QA: Bob 85; Cat 92 with a failed kill question → 0 (the held orphan now counts): (85 + 0) / 2 = 42.5.
    expect(centre.qa).toMatchObject({ value: 42.5, n: 2 });
    // Repeat-contact FCR: the call's last leg (Bob) has wrap-up code "resolved", the chat's "not resolved": 1 / 2.
    expect(centre.fcrRepeat).toMatchObject({ value: 0.5, n: 2 });

    // Per agent: each leg's handle time; the wait is the first answerer's; the survey is the last agent's (Bob).
    const [ann, bob, cat] = await Promise.all([kpis('agent:ann'), kpis('agent:bob'), kpis('agent:cat')]);
    expect(ann.aht).toMatchObject({ value: 260, n: 1 });
    expect(bob.aht).toMatchObject({ value: 360, n: 1 });
    expect(cat.aht).toMatchObject({ value: 540, n: 1 });
    expect(ann.asa).toMatchObject({ value: 12, n: 1 });
    expect(bob.asa.n).toBe(0);
    expect(bob.csat).toMatchObject({ value: 1, n: 1 });
    expect(ann.csat.n).toBe(0);
    expect(bob.qa).toMatchObject({ value: 85, n: 1 });
    expect(cat.qa).toMatchObject({ value: 0, n: 1 });
    // Queues follow the legs: Ann's leg is Billing's (the queue offered), Bob's Tech's (his segments' queueId) = 360.
    expect((await kpis('queue:q-billing')).aht).toMatchObject({ value: 260, n: 1 });
    expect((await kpis('queue:q-tech')).aht).toMatchObject({ value: 360, n: 1 });
    // Teams: billing has Ann's leg (260); tech has Bob's and Cat's, (360 + 540) / 2 = 450.
    expect((await kpis('team:billing')).aht).toMatchObject({ value: 260, n: 1 });
    expect((await kpis('team:tech')).aht).toMatchObject({ value: 450, n: 2 });
  });
});
