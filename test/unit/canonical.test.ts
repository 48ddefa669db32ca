import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventPayload } from '../../server/ingest/canonical.js';
import { validateEvent, type FrontlineEvent } from '../../shared/events.js';

const T = '2026-11-02T09:00:00Z';
/** One event of every type with every field set, and the exact stored form. Changing these breaks stored hashes. */
const PINNED: [FrontlineEvent, string][] = [
  [
    { type: 'contact.offered', id: 'e1', occurredAt: T, source: 's', contactId: 'c', channel: 'voice', queueId: 'q', customerId: 'u', reason: 'r' },
    '{"id":"e1","occurredAt":"2026-11-02T09:00:00Z","source":"s","type":"contact.offered","contactId":"c","channel":"voice","queueId":"q","customerId":"u","reason":"r"}',
  ],
  [{ type: 'contact.answered', id: 'e2', occurredAt: T, contactId: 'c', agentId: 'a' }, '{"id":"e2","occurredAt":"2026-11-02T09:00:00Z","type":"contact.answered","contactId":"c","agentId":"a"}'],
  [
    { type: 'contact.transferred', id: 'e3', occurredAt: T, contactId: 'c', fromAgentId: 'a', toAgentId: 'b' },
    '{"id":"e3","occurredAt":"2026-11-02T09:00:00Z","type":"contact.transferred","contactId":"c","fromAgentId":"a","toAgentId":"b"}',
  ],
  [
    { type: 'contact.ended', id: 'e4', occurredAt: T, contactId: 'c', agentId: 'a', talkSeconds: 1, holdSeconds: 2, wrapSeconds: 3, resolved: true },
    '{"id":"e4","occurredAt":"2026-11-02T09:00:00Z","type":"contact.ended","contactId":"c","agentId":"a","talkSeconds":1,"holdSeconds":2,"wrapSeconds":3,"resolved":true}',
  ],
  [{ type: 'contact.abandoned', id: 'e5', occurredAt: T, contactId: 'c' }, '{"id":"e5","occurredAt":"2026-11-02T09:00:00Z","type":"contact.abandoned","contactId":"c"}'],
  [
    { type: 'survey.responded', id: 'e6', occurredAt: T, contactId: 'c', csat: 4, nps: 9, resolved: false, comment: 'x' },
    '{"id":"e6","occurredAt":"2026-11-02T09:00:00Z","type":"survey.responded","contactId":"c","csat":4,"nps":9,"resolved":false,"comment":"x"}',
  ],
  [
    { type: 'qa.evaluated', id: 'e7', occurredAt: T, contactId: 'c', agentId: 'a', evaluatorId: 'v', score: 80, criticalFail: false, notes: 'n' },
    '{"id":"e7","occurredAt":"2026-11-02T09:00:00Z","type":"qa.evaluated","contactId":"c","agentId":"a","evaluatorId":"v","score":80,"criticalFail":false,"notes":"n"}',
  ],
  [
    { type: 'complaint.logged', id: 'e8', occurredAt: T, category: 'k', contactId: 'c', customerId: 'u', agentId: 'a', summary: 's' },
    '{"id":"e8","occurredAt":"2026-11-02T09:00:00Z","type":"complaint.logged","category":"k","contactId":"c","customerId":"u","agentId":"a","summary":"s"}',
  ],
  [{ type: 'agent.state', id: 'e9', occurredAt: T, agentId: 'a', state: 'busy' }, '{"id":"e9","occurredAt":"2026-11-02T09:00:00Z","type":"agent.state","agentId":"a","state":"busy"}'],
];

function stored(input: unknown): string {
  const v = validateEvent(input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return eventPayload(v.event);
}

describe('stored event payload', () => {
  it.each(PINNED)('is pinned for %o', (event, expected) => {
    expect(stored(event)).toBe(expected);
  });

  it('does not depend on the order the sender wrote the fields in', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PINNED), fc.infiniteStream(fc.double()), ([event, expected], noise) => {
        const entries = Object.entries(event);
        const shuffled = Object.fromEntries(entries.map((e) => [noise.next().value as number, e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e));
        expect(stored(shuffled)).toBe(expected);
      }),
    );
  });
});
