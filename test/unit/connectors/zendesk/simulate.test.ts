/**
 * The simulated centre in Zendesk's shapes, mapped back (issue 16): over one simulated day, every chat and email
 * contact comes back as the same contact with the same channel, queue, answering agent, handling agent, handle time
 * (within 1 s), resolution, abandonment and survey verdict. What makes the bench and the end-to-end run meaningful.
 *
 * Zendesk keeps one handle time per ticket (the Time Tracking app's "Total time spent (sec)"), so the simulated
 * talk + hold + wrap comes back as talk with hold and wrap 0: the handle times are compared, not their parts.
 * Zendesk ratings are good/bad: a simulated 4 or 5 of 1–5 is "good", the rest "bad" (both mean the same CSAT).
 */
import { describe, expect, it } from 'vitest';
import { ZendeskSimulatedCentre, ZENDESK_SIMULATOR_MAPPING, zendeskRawRecords } from '../../../../server/connectors/zendesk/simulate.js';
import { normaliseV2 } from '../../../../shared/contract-v2.js';
import type { FrontlineEvent } from '../../../../shared/events.js';
import { CentreSimulator, defaultCentreDirectory } from '../../../../server/simulator/index.js';
import { contactsOf, handleOf, mapAll } from '../../../support/connectors/zendesk-harness.js';

const DAY = 86_400_000;
/** A Tuesday in March 2026, midnight UTC. */
const START = Date.UTC(2026, 2, 3);

interface SimContact {
  channel: string;
  queueId: string;
  answeredBy?: string;
  legs: { agentId: string; handle: number; resolved: boolean }[];
  abandoned: boolean;
  satisfied?: boolean;
}

function simulatedContacts(events: readonly FrontlineEvent[]): Map<string, SimContact> {
  const out = new Map<string, SimContact>();
  for (const e of events) {
    if (e.type === 'contact.offered') {
      if (e.channel === 'voice') continue;
      out.set(e.contactId, { channel: e.channel, queueId: e.queueId, legs: [], abandoned: false });
      continue;
    }
    const c = 'contactId' in e && e.contactId !== undefined ? out.get(e.contactId) : undefined;
    if (!c) continue;
    if (e.type === 'contact.answered') c.answeredBy ??= e.agentId;
    if (e.type === 'contact.ended') c.legs.push({ agentId: e.agentId, handle: e.talkSeconds + e.holdSeconds + e.wrapSeconds, resolved: e.resolved });
    if (e.type === 'contact.abandoned') c.abandoned = true;
    if (e.type === 'survey.responded' && e.csat !== undefined) c.satisfied = e.csat >= 4;
  }
  return out;
}

describe('the simulated centre in Zendesk shapes maps back to the same contacts', () => {
  const directory = defaultCentreDirectory();
  const sim = new CentreSimulator({ seed: 5, startMs: START, directory });
  const events = sim.advanceTo(START + DAY);
  const centre = new ZendeskSimulatedCentre(directory);
  const data = centre.feed(events);
  const records = zendeskRawRecords(data);
  const run = mapAll(records, ZENDESK_SIMULATOR_MAPPING);
  const mapped = contactsOf(run.events);
  const expected = simulatedContacts(events);

  it('maps every record, into valid contract v2 events', () => {
    expect(data.tickets.length).toBeGreaterThan(100);
    expect(data.metricEvents.length).toBeGreaterThan(data.tickets.length);
    expect(data.ratings.length).toBeGreaterThan(10);
    const failed = run.outcomes.filter((o) => !o.outcome.ok);
    expect(failed.map((f) => f.outcome)).toEqual([]);
    for (const e of run.events) {
      const n = normaliseV2(e);
      expect(n.ok, JSON.stringify(n)).toBe(true);
    }
    // Ids are what Zendesk ids look like: numbers; agents are users, queues are groups.
    expect(data.tickets.every((t) => Number.isSafeInteger(t.id) && typeof t.group_id === 'number')).toBe(true);
    expect(data.users.every((u) => Number.isSafeInteger(u.id) && typeof u.external_id === 'string')).toBe(true);
  });

  it('gives back each contact: channel, queue, agents, handle time within 1 s, resolution, abandonment, survey', () => {
    expect(expected.size).toBeGreaterThan(100);
    let compared = 0;
    let handled = 0;
    let surveyed = 0;
    for (const [simId, want] of expected) {
      const ticketId = centre.ticketIdOf(simId);
      expect(ticketId, simId).toBeDefined();
      const got = mapped.get(`zendesk:${ticketId}`);
      expect(got, simId).toBeDefined();
      if (!got) continue;
      compared++;
      expect(got.offered?.channel, simId).toBe(want.channel);
      expect(got.offered?.queueId, simId).toBe(want.queueId);
      expect(got.answered?.agentId, simId).toBe(want.answeredBy);
      expect(got.abandoned !== undefined, simId).toBe(want.abandoned);
      if (want.legs.length > 0) {
        handled++;
        const last = want.legs[want.legs.length - 1];
        const gotLast = got.legs[got.legs.length - 1];
        expect(gotLast?.agentId, simId).toBe(last?.agentId);
        expect(gotLast?.resolved, simId).toBe(last?.resolved);
        const wantHandle = want.legs.reduce((s, l) => s + l.handle, 0);
        const gotHandle = got.legs.reduce((s, l) => s + handleOf(l), 0);
        expect(Math.abs(gotHandle - wantHandle), simId).toBeLessThanOrEqual(1);
      } else {
        expect(got.legs, simId).toEqual([]);
      }
      if (want.satisfied !== undefined) {
        surveyed++;
        expect(got.surveys.map((s) => (s.answers as { value: string }[])[0]?.value), simId).toEqual([want.satisfied ? 'good' : 'bad']);
      } else {
        expect(got.surveys, simId).toEqual([]);
      }
    }
    expect(compared).toBe(expected.size);
    expect(handled).toBeGreaterThan(100);
    expect(surveyed).toBeGreaterThan(10);
    // Chat abandons come back as abandons.
    expect([...expected.values()].some((c) => c.abandoned)).toBe(true);
  });

  it('carries a transfer to another queue: a group change, then the next assignee (the default centre has none on chat and email)', () => {
    const at = (s: number) => new Date(START + 9 * 3_600_000 + s * 1000).toISOString();
    const c = 'sim5-test-c7';
    const simulated: FrontlineEvent[] = [
      { id: 'e1', type: 'contact.offered', occurredAt: at(0), contactId: c, channel: 'chat', queueId: 'chat-general', customerId: 'cust-1' },
      { id: 'e2', type: 'contact.answered', occurredAt: at(20), contactId: c, agentId: 'a-001' },
      { id: 'e3', type: 'contact.transferred', occurredAt: at(200), contactId: c, fromAgentId: 'a-001', toQueueId: 'email-support' },
      { id: 'e4', type: 'contact.answered', occurredAt: at(260), contactId: c, agentId: 'a-002' },
      { id: 'e5', type: 'contact.ended', occurredAt: at(700), contactId: c, agentId: 'a-002', talkSeconds: 380, holdSeconds: 15, wrapSeconds: 45, resolved: true },
    ];
    const zd = new ZendeskSimulatedCentre(directory);
    const got = contactsOf(mapAll(zendeskRawRecords(zd.feed(simulated)), ZENDESK_SIMULATOR_MAPPING).events).get(`zendesk:${zd.ticketIdOf(c)}`);
    expect(got?.answered).toMatchObject({ agentId: 'a-001', waitSeconds: 20 });
    expect(got?.transfers).toEqual([expect.objectContaining({ fromAgentId: 'a-001', toQueueId: 'email-support', occurredAt: at(200) })]);
    // The first agent's time is not in the simulated events (only the last leg reports it): 0 and 380 + 15 + 45.
    expect(got?.legs.map((l) => [l.agentId, handleOf(l), l.resolved, l.queueId])).toEqual([['a-001', 0, false, undefined], ['a-002', 440, true, 'email-support']]);
  });

  it('keeps stable ids across batches: a contact started in one batch and ended in the next is one ticket', () => {
    const split = events.findIndex((e) => Date.parse(e.occurredAt) >= START + DAY / 2);
    const twice = new ZendeskSimulatedCentre(directory);
    const a = twice.feed(events.slice(0, split));
    const b = twice.feed(events.slice(split));
    const once = mapAll(zendeskRawRecords(data), ZENDESK_SIMULATOR_MAPPING);
    const batched = mapAll([...zendeskRawRecords(a), ...zendeskRawRecords(b)], ZENDESK_SIMULATOR_MAPPING);
    const final = (evs: Record<string, unknown>[]) => [...contactsOf(evs).values()].map((c) => [c.contactId, c.legs.map(handleOf), c.answered?.agentId, c.surveys.length]).sort();
    expect(final(batched.events)).toEqual(final(once.events));
  });
});
