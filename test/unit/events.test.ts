import { describe, expect, it } from 'vitest';
import { validateEvent, V1_EVENT_TYPES } from '../../shared/events.js';
import { directory } from '../../shared/directory.js';
import { oneOfEach } from '../support/events.js';

describe('event contract v1', () => {
  it('accepts one example of every type', () => {
    const events = oneOfEach();
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(V1_EVENT_TYPES));
    for (const e of events) expect(validateEvent(e, { contract: 1 })).toEqual({ ok: true, event: e });
  });

  it('requires an offset on occurredAt', () => {
    const [e] = oneOfEach();
    expect(validateEvent({ ...e, occurredAt: '2026-11-02T09:00:00' }).ok).toBe(false);
    expect(validateEvent({ ...e, occurredAt: '2026-11-02T09:00:00+01:00' }).ok).toBe(true);
  });

  it('limits ids to 128 characters', () => {
    const [e] = oneOfEach();
    expect(validateEvent({ ...e, id: 'x'.repeat(128) }, { contract: 1 }).ok).toBe(true);
    expect(validateEvent({ ...e, id: 'x'.repeat(129) }, { contract: 1 })).toMatchObject({ ok: false, issues: [{ path: 'id' }] });
  });

  it('refuses contract v2 fields and types, pointing at v2', () => {
    const [e] = oneOfEach();
    expect(validateEvent({ ...e, revision: 2 }, { contract: 1 })).toMatchObject({ ok: false, issues: [{ path: 'revision', reason: expect.stringMatching(/contract v2/) as unknown }] });
    expect(validateEvent({ id: 's', type: 'survey.offered', occurredAt: '2026-11-02T09:00:00Z', contactId: 'c' }, { contract: 1 })).toMatchObject({
      ok: false,
      issues: [{ path: 'type', reason: expect.stringMatching(/needs contract v2/) as unknown }],
    });
  });

  it('says what type was expected and what came, not "missing"', () => {
    const base = { id: 'e', type: 'contact.ended', occurredAt: '2026-11-02T09:00:00Z', contactId: 'c', agentId: 'a', holdSeconds: 0, wrapSeconds: 0, resolved: true };
    expect(validateEvent({ ...base, talkSeconds: '12' })).toMatchObject({ ok: false, issues: [{ path: 'talkSeconds', reason: 'expected number, got string "12"' }] });
    expect(validateEvent(base)).toMatchObject({ ok: false, issues: [{ path: 'talkSeconds', reason: 'required field missing (expected number)' }] });
    expect(validateEvent({ ...base, talkSeconds: 1, resolved: 'yes' })).toMatchObject({ ok: false, issues: [{ path: 'resolved', reason: 'expected boolean, got string "yes"' }] });
  });

  it('names unknown fields', () => {
    const [e] = oneOfEach();
    expect(validateEvent({ ...e, csta: 5 })).toMatchObject({ ok: false, issues: [{ path: 'csta', reason: expect.stringMatching(/unknown field/) as unknown }] });
  });

  it('needs at least one score on a survey', () => {
    expect(validateEvent({ id: 's', type: 'survey.responded', occurredAt: '2026-11-02T09:00:00Z', contactId: 'c', comment: 'hi' })).toMatchObject({
      ok: false,
      issues: [{ reason: expect.stringMatching(/at least one score/) as unknown }],
    });
  });

  it('bounds csat, nps and QA scores', () => {
    const base = { id: 's', type: 'survey.responded', occurredAt: '2026-11-02T09:00:00Z', contactId: 'c' };
    expect(validateEvent({ ...base, csat: 0 }).ok).toBe(false);
    expect(validateEvent({ ...base, csat: 6 }).ok).toBe(false);
    expect(validateEvent({ ...base, csat: 4.5 }).ok).toBe(false);
    expect(validateEvent({ ...base, nps: 11 }).ok).toBe(false);
    expect(validateEvent({ ...base, nps: 0 }).ok).toBe(true);
  });

  it('needs exactly one transfer target', () => {
    const base = { id: 't', type: 'contact.transferred', occurredAt: '2026-11-02T09:00:00Z', contactId: 'c', fromAgentId: 'a' };
    expect(validateEvent(base).ok).toBe(false);
    expect(validateEvent({ ...base, toAgentId: 'b', toQueueId: 'q' }).ok).toBe(false);
    expect(validateEvent({ ...base, toAgentId: 'b' }).ok).toBe(true);
  });

  it('rejects negative or absurd durations', () => {
    const e = oneOfEach().find((x) => x.type === 'contact.ended');
    expect(validateEvent({ ...e, talkSeconds: -1 }).ok).toBe(false);
    expect(validateEvent({ ...e, holdSeconds: 1e9 }).ok).toBe(false);
  });

  it('rejects non-objects with a plain reason', () => {
    expect(validateEvent([1])).toEqual({ ok: false, issues: [{ path: '', reason: 'an event must be a JSON object' }] });
    expect(validateEvent({ id: 'x' })).toMatchObject({ ok: false, issues: [{ path: 'type' }] });
  });
});

describe('directory schema', () => {
  const base = {
    sites: [{ id: 's1', name: 'Leeds', timeZone: 'Europe/London', openingHours: { mon: { open: '08:00', close: '20:00' } } }],
    teams: [{ id: 't1', name: 'Billing', siteId: 's1' }],
    queues: [{ id: 'q1', name: 'Billing voice', channel: 'voice', serviceLevelSeconds: 20 }],
    agents: [{ id: 'a1', name: 'Amira Khan', teamId: 't1' }],
  };
  it('accepts a consistent directory', () => expect(directory.safeParse(base).success).toBe(true));
  it('rejects an unknown time zone, bad hours and dangling references', () => {
    expect(directory.safeParse({ ...base, sites: [{ ...base.sites[0], timeZone: 'Mars/Olympus' }] }).success).toBe(false);
    expect(directory.safeParse({ ...base, sites: [{ ...base.sites[0], openingHours: { mon: { open: '20:00', close: '08:00' } } }] }).success).toBe(false);
    expect(directory.safeParse({ ...base, agents: [{ id: 'a1', name: 'X', teamId: 'zz' }] }).success).toBe(false);
    expect(directory.safeParse({ ...base, agents: [...base.agents, ...base.agents] }).success).toBe(false);
  });
});
