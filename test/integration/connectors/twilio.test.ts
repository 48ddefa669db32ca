/**
 * Twilio Flex end to end, KPIs worked out by hand from the platform's own fields. The documented records of
 * test/support/connectors/twilio.ts (TaskRouter Event Callbacks; Flex Insights task attributes) are POSTed one by one,
 * form-encoded and signed (X-Twilio-Signature) as Twilio sends them, to a Twilio Flex source's taskrouter endpoint on a
 * real server; the figures read back from /api/v1/kpis are the ones below, each from the callbacks' TimestampMs,
 * TaskAge and task attributes:
 *
 * C1 (voice, billing; Ann): created 09:00:00, reservation.accepted 09:00:12, task.wrapup 09:05:12, task.completed
 *    09:05:52, conversations.hold_time 20: wait 12; talk + hold = 312 − 12 = 300, hold 20, talk 280; wrap 352 − 312 =
 *    40; handle 340. Completed "Resolved", then updated after completion to "Callback needed" (a later revision):
 *    unresolved. The reservation.accepted callback delivered twice: duplicates.
 * C2 (voice, billing → tech): Bob accepts at 630 s (wait 630 − 600 = 30), hands over at 870 s (new task in tech,
 *    conversation_id C2), his task completes at 900 s: talk 240, wrap 30, handle 270, "Transferred". Cat accepts the
 *    new task at 910 s, wrap-up 1210 s, completed 1270 s, hold_time 10: talk 290, hold 10, wrap 60, handle 360,
 *    "Resolved". Contact handle 270 + 360 = 630. Survey: csat 5 on Twilio's default 1–5 scale (satisfied), credited
 *    to Cat, the last agent.
 * C3 (chat, tech; Ann): its survey (csat 2: not satisfied) arrives before any of its callbacks and waits for the
 *    contact (orphan). Created 1800 s, accepted 1845 s (wait 45), wrap-up 2325 s (talk 480), completed 2445 s (wrap
 *    120): handle 600, "Resolved".
 * C4 (voice, billing): created 2700 s, task.canceled 2740 s with TaskAge 40: abandoned after 40 s (not short).
 * A task.completed whose TaskAttributes is not JSON: malformed, not delivered.
 *
 * Centre: handled 3; AHT (340 + 630 + 600) / 3 = 523⅓; ASA (12 + 30 + 45) / 3 = 29; abandon rate 1 / (4 offered − 0
 * short) = 0.25; service level (billing voice 20 s, tech 60 s): C1 12 ≤ 20 yes, C2 30 > 20 no, C3 45 ≤ 60 yes, C4
 * abandoned: 2 / 4 = 0.5; CSAT 1 satisfied of 2 = 0.5; repeat-contact FCR (each caller once): C1 unresolved, C2 and C3
 * resolved: 2 / 3.
 * Agents: Ann (340 + 600) / 2 = 470; Bob 270; Cat 360. Queues: billing (C1 340, Bob's leg 270) / 2 = 305; tech (Cat's
 * leg 360, C3 600) / 2 = 480. CSAT: Cat 1 / 1, Ann 0 / 1, Bob none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisReply } from '../../../shared/api.js';
import type { Directory } from '../../../shared/directory.js';
import { sourceMapping, type SourceSummary } from '../../../shared/sources.js';
import { twilioSignature } from '../../../server/connectors/twilio/signature.js';
import type { RawRecord } from '../../../server/connectors/types.js';
import { ManualClock, startTestServer, type TestServer } from '../../support/server.js';
import { ACCOUNT_SID, AUTH_TOKEN, EXAMPLE_MAPPING, T, exampleRecords } from '../../support/connectors/twilio.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 2, 16);
const iso = (ms: number) => new Date(ms).toISOString();

let t: TestServer;
let key: string;
let source: SourceSummary;
const mapping = sourceMapping.parse(EXAMPLE_MAPPING);

/**
 * The delivery, in one place: each record POSTed to the source's taskrouter endpoint as Twilio sends a callback
 * (form-encoded, signed with the auth token over the endpoint URL and the parameters); the answers' statuses, in order.
 */
async function deliver(records: RawRecord[]): Promise<number[]> {
  const url = source.endpoints.find((e) => e.endpoint === 'taskrouter')?.url as string;
  const statuses: number[] = [];
  for (const record of records) {
    const params = record.body as Record<string, string>;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(AUTH_TOKEN, url, params) },
      body: new URLSearchParams(params).toString(),
    });
    statuses.push(res.status);
  }
  return statuses;
}

async function kpis(scope: string): Promise<KpisReply['kpis']> {
  const q = new URLSearchParams({ scope, from: iso(T - HOUR), to: iso(T + 4 * HOUR) });
  const res = await fetch(`${t.baseUrl}/api/v1/kpis?${q.toString()}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as KpisReply).kpis;
}

const dir: Directory = {
  sites: [{ id: 'leeds', name: 'Leeds', timeZone: 'Europe/London', openingHours: {} }],
  teams: [{ id: 'support', name: 'Support', siteId: 'leeds' }],
  queues: [
    { id: 'billing', name: 'Billing', channel: 'voice', siteId: 'leeds', serviceLevelSeconds: 20 },
    { id: 'tech', name: 'Tech support', channel: 'chat', siteId: 'leeds', serviceLevelSeconds: 60 },
  ],
  agents: [
    { id: 'ann', name: 'Ann', teamId: 'support' },
    { id: 'bob', name: 'Bob', teamId: 'support' },
    { id: 'cat', name: 'Cat', teamId: 'support' },
  ],
};

describe('Twilio Flex: documented TaskRouter callbacks give the KPIs worked out by hand', () => {
  let delivered: Awaited<ReturnType<typeof deliver>>;
  const example = exampleRecords();

  beforeAll(async () => {
    t = await startTestServer({ clock: new ManualClock(NOW) });
    await t.server.directory.replace(dir);
    await t.server.kpis.rebuild();
    key = await t.key(['ingest', 'read']);
    source = await t.server.sources.create({ platform: 'twilio', name: 'Flex', credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }, mapping }, 'test', t.baseUrl);
    delivered = await deliver(example.records);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('takes every signed callback (204), keeps the malformed one as a dead letter saying which field is wrong, and counts the re-delivered one as a duplicate', async () => {
    expect(new Set(delivered)).toEqual(new Set([204]));
    const held = await t.server.sources.deadLetters(source.id, 'held');
    expect(held.rows).toHaveLength(1);
    expect(held.rows[0]).toMatchObject({ reason: 'malformed', kind: 'taskrouter', reasons: [expect.stringContaining('TaskAttributes')] });
    const health = (await t.server.sources.get(source.id, t.baseUrl)).health;
    // Every other callback is stored; one that adds no new fact to its contact (a reservation created, the re-delivered
    // callback) re-emits the contact as it stood, so all its events are duplicates.
    expect(health).toMatchObject({ rejected: 1, rejectedBy: { malformed: 1 }, deadLetters: 1 });
    expect(health.accepted + health.duplicate).toBe(example.records.length - 1);
    // Twilio re-delivers a callback it did not see answered: a duplicate, nothing new.
    expect(await deliver([example.redelivered])).toEqual([204]);
    const after = (await t.server.sources.get(source.id, t.baseUrl)).health;
    expect({ accepted: after.accepted, duplicate: after.duplicate }).toEqual({ accepted: health.accepted, duplicate: health.duplicate + 1 });
    // A callback whose signature does not verify is refused and stores nothing.
    const url = source.endpoints.find((e) => e.endpoint === 'taskrouter')?.url as string;
    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature('not the token', url, { a: '1' }) }, body: 'a=1' });
    expect(forged.status).toBe(403);
  });

  it('gives the centre figures', async () => {
    const k = await kpis('centre');
    expect(k.aht.n).toBe(3);
    expect(k.aht.value).toBeCloseTo(1570 / 3, 9);
    expect(k.asa).toMatchObject({ value: 29, n: 3 });
    expect(k.abandonRate).toMatchObject({ value: 0.25, n: 4 });
    expect(k.serviceLevel).toMatchObject({ value: 0.5, n: 4 });
    expect(k.csat).toMatchObject({ value: 0.5, n: 2 });
    expect(k.fcrRepeat.n).toBe(3);
    expect(k.fcrRepeat.value).toBeCloseTo(2 / 3, 9);
  });

  it("splits the transferred call's handle time across its legs' agents and queues", async () => {
    expect((await kpis('agent:ann')).aht).toMatchObject({ value: 470, n: 2 });
    expect((await kpis('agent:bob')).aht).toMatchObject({ value: 270, n: 1 });
    expect((await kpis('agent:cat')).aht).toMatchObject({ value: 360, n: 1 });
    expect((await kpis('queue:billing')).aht).toMatchObject({ value: 305, n: 2 });
    expect((await kpis('queue:tech')).aht).toMatchObject({ value: 480, n: 2 });
  });

  it('credits each survey to the last agent, the early one included once its contact arrived', async () => {
    expect((await kpis('agent:cat')).csat).toMatchObject({ value: 1, n: 1 });
    expect((await kpis('agent:ann')).csat).toMatchObject({ value: 0, n: 1 });
    expect((await kpis('agent:bob')).csat.n).toBe(0);
  });
});
