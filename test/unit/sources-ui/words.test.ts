/** The Sources page's words (client/src/sources/words.ts): times, lag, changes said in words, values that held records back. */
import { describe, expect, it } from 'vitest';
import { EMPTY_MAPPING, type DeadLetter, type SourceMapping } from '../../../shared/sources.js';
import { ago, duration, entryOf, mappingChanges, rejectedBy, rejectionsByValue, seenKey, shorten, suggestMatches, withEntry } from '../../../client/src/sources/words.js';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);

describe('times in words', () => {
  it('says how long ago, in the largest unit that fits', () => {
    expect(ago(null, NOW)).toBe('never');
    expect(ago(NOW - 2_000, NOW)).toBe('just now');
    expect(ago(NOW - 45_000, NOW)).toBe('45 s ago');
    expect(ago(NOW - 2 * 60_000 - 10_000, NOW)).toBe('2 min ago');
    expect(ago(NOW - 3 * 3_600_000, NOW)).toBe('3 h ago');
    expect(ago(NOW - 3 * 86_400_000, NOW)).toBe('3 days ago');
    // A clock a little ahead of the server's never says "in the future".
    expect(ago(NOW + 5_000, NOW)).toBe('just now');
  });

  it('says a lag in two units at most', () => {
    expect(duration(null)).toBe('–');
    expect(duration(8.4)).toBe('8 s');
    expect(duration(125)).toBe('2 min 5 s');
    expect(duration(120)).toBe('2 min');
    expect(duration(4_800)).toBe('1 h 20 min');
    expect(duration(86_400 + 7_200)).toBe('1 day 2 h');
  });

  it('splits the rejected count by reason', () => {
    expect(rejectedBy({ rejectedBy: { unmapped: 3, malformed: 1, auth: 0 } })).toBe('3 not mapped, 1 malformed');
    expect(rejectedBy({ rejectedBy: {} })).toBe('');
  });
});

describe('mapping changes', () => {
  it('says every change a save makes, one line each', () => {
    let after: SourceMapping = withEntry(EMPTY_MAPPING, 'queue', 'arn:aws:connect:eu-west-2:1:instance/i/queue/q1', 'billing');
    after = withEntry(after, 'state', 'Team huddle', 'break');
    after = withEntry(after, 'wrapCode', 'Callback needed', false);
    after = { ...after, strictAgents: true, surveyScale: '0-10' };
    expect(mappingChanges(EMPTY_MAPPING, after)).toEqual([
      'queue "arn:aws:connect:eu-west-2:1:instance/i/queue/q1" → billing',
      'agent state "Team huddle" → break',
      'wrap-up code "Callback needed" → not resolved',
      'survey scale → 0-10',
      'strict agents on',
    ]);
    expect(mappingChanges(after, withEntry(after, 'state', 'Team huddle', undefined))).toEqual(['agent state "Team huddle": mapping removed (was break)']);
    expect(mappingChanges(after, after)).toEqual([]);
  });

  it('reads a value by its label and a Frontline id by its name when it knows them, an ARN cut in the middle', () => {
    const q = 'arn:aws:connect:eu-west-2:123456789012:instance/4b5f1a2e-9c1d-4e2f-8a3b-1c2d3e4f5a6b/queue/00000002-7d1e-4c2b-9a0f-1e2d3c4b5a6f';
    expect(shorten(q)).toBe('arn:aws:conn…/queue/00000002-7d1e-4c2b-9a0f-1e2d3c4b5a6f');
    expect(shorten(q, 40)).toBe('arn:aws:…002-7d1e-4c2b-9a0f-1e2d3c4b5a6f');
    expect(shorten('x'.repeat(80), 20)).toBe(`${'x'.repeat(8)}…${'x'.repeat(11)}`);
    expect(shorten('billing')).toBe('billing');
    const names = { label: (_k: string, v: string) => (v === q ? 'voice-billing' : null), target: (k: string, id: string) => (k === 'queue' && id === 'voice-billing' ? 'Billing (voice)' : null) };
    expect(mappingChanges(EMPTY_MAPPING, withEntry(EMPTY_MAPPING, 'queue', q, 'voice-billing'), names)).toEqual([`queue "voice-billing" (${shorten(q)}) → Billing (voice) (voice-billing)`]);
  });

  it('finds a queue or agent entry by its id, then by its readable name', () => {
    const m = withEntry(withEntry(EMPTY_MAPPING, 'agent', 'ada', 'a-1'), 'agent', 'arn:agent/2', 'a-2');
    expect(entryOf(m, 'agent', 'arn:agent/2', 'bob')).toEqual({ value: 'a-2', byLabel: false });
    expect(entryOf(m, 'agent', 'arn:agent/1', 'ada')).toEqual({ value: 'a-1', byLabel: true });
    expect(entryOf(m, 'state', 'ada', 'ada')).toBeNull();
  });
});

describe('values that kept records out', () => {
  const letter = (reasons: string[], reason: DeadLetter['reason'] = 'unmapped', status: DeadLetter['status'] = 'held') => ({ reason, reasons, status });
  it('counts held unmapped records naming a value after the word for its kind (as server/connectors/common.ts words them)', () => {
    const rows = [
      { kind: 'state' as const, value: 'Team huddle' },
      { kind: 'agent' as const, value: 'Team huddle' },
      { kind: 'queue' as const, value: 'arn:q/9' },
      { kind: 'channel' as const, value: 'FAX' },
    ];
    const letters = [
      letter(['agent state "Team huddle" is not mapped: map it to one of available, busy, wrap, break, offline on the source\'s mapping']),
      letter(['agent state "Team huddle" is not mapped: …']),
      letter(['queue "arn:q/9" (Overflow) is not mapped to a Frontline queue (strict queues is on): add it to the source\'s queue mapping', 'channel "FAX" is not mapped: …']),
      letter(['channel "FAX" is not mapped'], 'unmapped', 'replayed'),
      letter(['field "Channel" is "FAX", expected VOICE or CHAT'], 'malformed'),
    ];
    const got = rejectionsByValue(rows, letters);
    expect(got.get(seenKey('state', 'Team huddle'))).toBe(2);
    // "agent state "Team huddle"" names a state, not an agent.
    expect(got.has(seenKey('agent', 'Team huddle'))).toBe(false);
    expect(got.get(seenKey('queue', 'arn:q/9'))).toBe(1);
    // Replayed and malformed records are not the mapping's to fix.
    expect(got.get(seenKey('channel', 'FAX'))).toBe(1);
  });
});

describe('matching queues and agents by name', () => {
  const dir = {
    queues: [
      { id: 'billing', name: 'Billing' },
      { id: 'tech', name: 'Technical support' },
    ],
    agents: [
      { id: 'a-17', name: 'Asha Patel' },
      { id: 'a-18', name: 'Sam Lee' },
      { id: 'a-19', name: 'Sam Lee' },
    ],
  };
  it("maps a platform value whose id or label is a Frontline id or name, never guessing between two namesakes", () => {
    const rows = [
      { kind: 'queue' as const, value: 'arn:aws:connect:eu-west-2:1:instance/i/queue/q1', label: 'billing' },
      { kind: 'queue' as const, value: 'arn:aws:connect:eu-west-2:1:instance/i/queue/q2', label: 'Technical  Support' },
      { kind: 'queue' as const, value: 'tech', label: null },
      { kind: 'agent' as const, value: 'arn:aws:connect:eu-west-2:1:instance/i/agent/u1', label: 'a-17' },
      { kind: 'agent' as const, value: 'arn:aws:connect:eu-west-2:1:instance/i/agent/u2', label: 'Sam Lee' },
      { kind: 'agent' as const, value: 'arn:aws:connect:eu-west-2:1:instance/i/agent/u3', label: 'asha patel' },
      { kind: 'state' as const, value: 'Available', label: null },
    ];
    const already = withEntry(EMPTY_MAPPING, 'agent', 'arn:aws:connect:eu-west-2:1:instance/i/agent/u3', 'a-99');
    expect(suggestMatches(rows, already, dir)).toEqual([
      { kind: 'queue', value: 'arn:aws:connect:eu-west-2:1:instance/i/queue/q1', id: 'billing' },
      { kind: 'queue', value: 'arn:aws:connect:eu-west-2:1:instance/i/queue/q2', id: 'tech' },
      { kind: 'agent', value: 'arn:aws:connect:eu-west-2:1:instance/i/agent/u1', id: 'a-17' },
    ]);
  });
});
