/** Contract v2 normalisation (shared/contract-v2.ts) and the credit rule in the formulas, as pure functions. */
import { describe, expect, it } from 'vitest';
import { normaliseV2, parseStateMap, withRevisionId } from '../../shared/contract-v2.js';
import { MAX_EXT_BYTES, validateEvent, type FrontlineEvent } from '../../shared/events.js';
import { formulaOf, KPI_NAMES } from '../../shared/kpis.js';

const ended = { id: 'e1', type: 'contact.ended', occurredAt: '2026-11-03T09:10:00Z', contactId: 'c1', agentId: 'a1', talkSeconds: 200, holdSeconds: 30, wrapSeconds: 20, resolved: true };

describe('contract v2 normalisation', () => {
  it('takes epoch milliseconds and turns them into ISO; refuses seconds with a hint', () => {
    const ms = Date.UTC(2026, 10, 3, 9, 10);
    const ok = normaliseV2({ ...ended, occurredAt: ms });
    expect(ok.ok && ok.event.occurredAt).toBe('2026-11-03T09:10:00.000Z');
    const bad = normaliseV2({ ...ended, occurredAt: Math.floor(ms / 1000) });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]?.reason).toMatch(/looks like seconds/);
  });

  it('keeps unknown fields in ext with a warning, and refuses ext over the size limit', () => {
    const out = normaliseV2({ ...ended, queueName: 'Billing', ext: { region: 'eu' } });
    expect(out.ok).toBe(true);
    if (out.ok) {
      expect(out.event.ext).toEqual({ region: 'eu', queueName: 'Billing' });
      expect(out.warnings.join(' ')).toMatch(/'queueName'.*kept in ext/);
      expect(validateEvent(out.event).ok).toBe(true);
    }
    const big = normaliseV2({ ...ended, blob: 'x'.repeat(MAX_EXT_BYTES) });
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.issues[0]?.path).toBe('ext');
  });

  it('maps custom agent states, keeping the original name, and refuses one it cannot map', () => {
    const lunch = normaliseV2({ id: 's1', type: 'agent.state', occurredAt: '2026-11-03T12:00:00Z', agentId: 'a1', state: 'Lunch' });
    expect(lunch.ok && { state: (lunch.event as { state: string }).state, name: (lunch.event as { stateName?: string }).stateName }).toEqual({ state: 'break', name: 'Lunch' });
    const custom = normaliseV2({ id: 's2', type: 'agent.state', occurredAt: '2026-11-03T12:00:00Z', agentId: 'a1', state: 'Team huddle' }, { stateMap: parseStateMap('{"team huddle":"break"}') });
    expect(custom.ok && (custom.event as { state: string }).state).toBe('break');
    const unknown = normaliseV2({ id: 's3', type: 'agent.state', occurredAt: '2026-11-03T12:00:00Z', agentId: 'a1', state: 'Gardening' });
    expect(unknown.ok).toBe(false);
    expect(() => parseStateMap('{"x":"asleep"}')).toThrow(/expected one of/);
  });

  it('stores a revised event under id@r<revision>, whatever id it came with, and accepts an ISO update time as revision', () => {
    const r2 = normaliseV2({ ...ended, revision: 2 });
    expect(r2.ok && r2.event.id).toBe('e1@r2');
    const iso = normaliseV2({ ...ended, revision: '2026-11-03T09:11:00Z' });
    expect(iso.ok && iso.event.id).toBe(`e1@r${Date.UTC(2026, 10, 3, 9, 11)}`);
    // Idempotent: normalising a stored event again does not add a second suffix.
    if (r2.ok) expect(withRevisionId(r2.event).id).toBe('e1@r2');
    // Unrevised events and events never revised keep their id.
    const plain = normaliseV2(ended);
    expect(plain.ok && plain.event.id).toBe('e1');
  });

  it('refuses a survey answer off its scale, naming the scale', () => {
    const base = { id: 'r1', type: 'survey.responded', occurredAt: '2026-11-03T10:00:00Z', contactId: 'c1' };
    const bad = normaliseV2({ ...base, answers: [{ measure: 'nps', scale: '0-10', value: 11 }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.issues[0]?.path).toBe('answers.0.value');
      expect(bad.issues[0]?.reason).toMatch(/0-10 scale must be a whole number from 0 to 10/);
    }
    const wrongScale = normaliseV2({ ...base, answers: [{ measure: 'nps', scale: 'good-bad', value: 'good' }] });
    expect(wrongScale.ok).toBe(false);
    const good = normaliseV2({ ...base, answers: [{ measure: 'csat', scale: 'good-bad', value: 'good' }] });
    expect(good.ok).toBe(true);
  });

  it('says what type was expected and what came', () => {
    const out = normaliseV2({ ...ended, talkSeconds: '200' });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.issues).toContainEqual({ path: 'talkSeconds', reason: 'expected number, got string "200"' });
  });

  it('reports every problem of an event at once, each field once', () => {
    const out = normaliseV2({ ...ended, occurredAt: 1_733_500_000, talkSeconds: '200' });
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.issues.map((i) => i.path).sort()).toEqual(['occurredAt', 'talkSeconds']);
      expect(out.issues.find((i) => i.path === 'occurredAt')?.reason).toMatch(/looks like seconds/);
    }
  });

  it('accepts ids of 512 characters and refuses 513', () => {
    expect(normaliseV2({ ...ended, agentId: 'a'.repeat(512) }).ok).toBe(true);
    expect(normaliseV2({ ...ended, agentId: 'a'.repeat(513) }).ok).toBe(false);
    // Contract v1 still holds them to 128.
    expect(validateEvent({ ...ended, agentId: 'a'.repeat(129) }, { contract: 1 }).ok).toBe(false);
  });

  it('normalises every v1 event to itself', () => {
    const v1: FrontlineEvent[] = [
      { id: 'o1', type: 'contact.offered', occurredAt: '2026-11-03T09:00:00Z', contactId: 'c1', channel: 'voice', queueId: 'q1', customerId: 'k1' },
      { id: 'a1', type: 'contact.answered', occurredAt: '2026-11-03T09:00:20Z', contactId: 'c1', agentId: 'a1' },
      ended as FrontlineEvent,
      { id: 's1', type: 'survey.responded', occurredAt: '2026-11-03T10:00:00Z', contactId: 'c1', csat: 4, nps: 9, resolved: true, comment: 'fine' },
    ];
    for (const e of v1) {
      expect(validateEvent(e, { contract: 1 }).ok).toBe(true);
      const out = normaliseV2(e);
      expect(out.ok && out.event).toEqual(e);
      expect(out.ok && out.warnings).toEqual([]);
    }
  });
});

describe('formulas state the centre credit rule', () => {
  it('says last by default and first when the centre credits the first agent', () => {
    expect(formulaOf('csat')).toMatch(/credited to the last agent who handled the contact/);
    expect(formulaOf('csat', 'first')).toMatch(/credited to the first agent who answered the contact/);
    expect(formulaOf('complaintsPer1000', 'first')).toMatch(/first agent who answered its contact/);
    for (const k of KPI_NAMES) expect(formulaOf(k, 'first')).not.toMatch(/last agent/);
  });
});
