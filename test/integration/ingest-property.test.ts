/**
 * Property: whatever mix of valid and invalid events arrives, every valid one is stored exactly once and no invalid
 * one is stored. Runs through the real HTTP API into a real SQLite store.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateEvent, type FrontlineEvent } from '../../shared/events.js';
import type { IngestReply } from '../../shared/api.js';
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

const idArb = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme-ascii' });
const when = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 10, 1) }).map((ms) => new Date(ms).toISOString());
const secs = fc.double({ min: 0, max: 5000, noNaN: true });

const validEvent: fc.Arbitrary<FrontlineEvent> = fc.oneof(
  fc.record({ type: fc.constant('contact.offered' as const), contactId: idArb, channel: fc.constantFrom('voice', 'chat', 'email', 'messaging' as const), queueId: idArb }, { requiredKeys: ['type', 'contactId', 'channel', 'queueId'] }),
  fc.record({ type: fc.constant('contact.answered' as const), contactId: idArb, agentId: idArb }),
  fc.record({ type: fc.constant('contact.ended' as const), contactId: idArb, agentId: idArb, talkSeconds: secs, holdSeconds: secs, wrapSeconds: secs, resolved: fc.boolean() }),
  fc.record({ type: fc.constant('contact.abandoned' as const), contactId: idArb }),
  fc.record(
    { type: fc.constant('survey.responded' as const), contactId: idArb, csat: fc.integer({ min: 1, max: 5 }), nps: fc.integer({ min: 0, max: 10 }), comment: fc.string({ maxLength: 200 }) },
    { requiredKeys: ['type', 'contactId', 'csat'] },
  ),
  fc.record({ type: fc.constant('qa.evaluated' as const), contactId: idArb, agentId: idArb, evaluatorId: idArb, score: fc.integer({ min: 0, max: 100 }), criticalFail: fc.boolean() }),
  fc.record({ type: fc.constant('agent.state' as const), agentId: idArb, state: fc.constantFrom('available', 'busy', 'wrap', 'break', 'offline' as const) }),
).chain((body) => fc.record({ occurredAt: when }).map((env) => ({ ...env, ...body }) as Omit<FrontlineEvent, 'id'> as FrontlineEvent));

/** Ways to break a valid event: each yields something the contract must reject. */
const breakIt = fc.constantFrom(
  (e: Record<string, unknown>) => ({ ...e, type: 'contact.vanished' }),
  (e: Record<string, unknown>) => ({ ...e, occurredAt: 'yesterday' }),
  (e: Record<string, unknown>) => ({ ...e, unexpectedField: 1 }),
  (e: Record<string, unknown>) => {
    const { contactId: _c, agentId: _a, ...rest } = e;
    return rest;
  },
  (e: Record<string, unknown>) => ({ ...e, id: 'x'.repeat(129) }),
  (e: Record<string, unknown>) => ({ ...e, contactId: 42, agentId: 42 }),
  () => null,
  () => 'just a string',
);

let seq = 0;
const item = fc.oneof(
  validEvent.map((e) => ({ valid: true as const, value: { ...e, id: `p-${++seq}` } })),
  fc.tuple(validEvent, breakIt).map(([e, f]) => ({ valid: false as const, value: f({ ...e, id: `bad-${++seq}` }) })),
);

it('random mixes never store an invalid event nor lose a valid one', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 60 }), async (items) => {
      const res = await postEvents(t.baseUrl, key, JSON.stringify(items.map((i) => i.value)));
      const valid = items.filter((i) => i.valid).length;
      expect(res.status).toBe(valid === items.length ? 200 : valid > 0 ? 207 : 422);
      const body = (await res.json()) as IngestReply;
      items.forEach((it, i) => expect(body.results[i]?.status).toBe(it.valid ? 'accepted' : 'rejected'));
      const validIds = items.filter((i) => i.valid).map((i) => (i.value as { id: string }).id);
      const badIds = items.filter((i) => !i.valid).map((i) => (i.value as { id?: unknown } | null)?.id).filter((x): x is string => typeof x === 'string');
      if (validIds.length > 0) {
        const rows = await t.store.db.selectFrom('events').select(['id', 'payload']).where('id', 'in', validIds).execute();
        expect(rows.map((r) => r.id).sort()).toEqual([...validIds].sort());
        for (const r of rows) expect(validateEvent(JSON.parse(r.payload)).ok).toBe(true);
      }
      if (badIds.length > 0) {
        const leaked = await t.store.db.selectFrom('events').select('id').where('id', 'in', badIds).execute();
        expect(leaked).toEqual([]);
      }
    }),
    { numRuns: 150 },
  );
});
