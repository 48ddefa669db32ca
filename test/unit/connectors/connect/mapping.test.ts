/**
 * The Amazon Connect mapper on records built from Connect's documentation (test/support/connectors/connect.ts names
 * the page of each): contact records and their chains (a transfer's legs in either order, a re-delivered revision, a
 * late older copy), surveys on the source's scale, abandons, callbacks and outbound contacts, live EventBridge contact
 * events under the records, agent event streams (heartbeats skipped), Contact Lens results merged into their leg,
 * malformed records (the field named) and unmapped values (fixable by a mapping, nothing remembered meanwhile).
 * "Figures" are the KPI engine's own fold of the stored events (server/kpi/contact-state.ts).
 */
import { describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../../shared/events.js';
import { applyToContact, legsInOrder, newContact, type ContactState } from '../../../../server/kpi/contact-state.js';
import { connectMapper, connectRecordKind } from '../../../../server/connectors/connect/mapping.js';
import {
  agentEvent, agentArn, contactEvent, contactLensCall, ctr, ctrTime, evaluation, mappingOf, mapRecords, MemoryMap, queueArn, rec, SOURCE_ID, type Mapped,
} from '../../../support/connectors/connect.js';

const T = Date.UTC(2026, 10, 2, 9, 0, 0); // Monday 2 November 2026, 09:00 UTC
const sec = (s: number) => T + s * 1000;

/** The store keeps one event per id; the KPI engine folds what is stored, contact by contact. */
function fold(batches: Mapped[][]): Map<string, ContactState> {
  const seen = new Set<string>();
  const contacts = new Map<string, ContactState>();
  for (const batch of batches) {
    for (const m of batch) {
      for (const e of m.events) {
        if (seen.has(e.id)) continue;
        seen.add(e.id);
        const id = 'contactId' in e ? e.contactId : undefined;
        if (id === undefined) continue;
        let c = contacts.get(id);
        if (!c) contacts.set(id, (c = newContact(id)));
        applyToContact(c, e);
      }
    }
  }
  return contacts;
}

/** A contact's figures as the KPI engine holds them, without the revision number (which depends on arrival order). */
function figures(c: ContactState | undefined) {
  if (!c) return undefined;
  return {
    offeredMs: c.offeredMs, queueId: c.queueId, channel: c.channel, customerId: c.customerId, answeredMs: c.answeredMs, agentId: c.agentId,
    wait: c.platformWaitSeconds, abandonedMs: c.abandonedMs, legs: legsInOrder(c).map((l) => ({ ...l })),
    surveys: [...c.surveys.values()].map((s) => s.scores), qa: [...c.qa.values()].map((q) => ({ agentId: q.agentId, score: q.score })),
  };
}

const ok = (m: Mapped | undefined) => {
  expect(m?.outcome.ok, JSON.stringify(m?.outcome)).toBe(true);
  return m?.events ?? [];
};
const byType = (events: FrontlineEvent[], type: FrontlineEvent['type']) => events.filter((e) => e.type === type);

describe('a contact record', () => {
  it('gives the offer, the answer with the platform wait, and the leg handled, under the record revision', () => {
    // Ann answers after 12 s in the Billing queue: talks 300 s, holds 20 s (once), wraps 40 s.
    const record = ctr({ contactId: 'c-1', at: sec(0), ivrS: 8, queue: 'Billing', waitS: 12, agent: 'ann', talkS: 300, holdS: 20, holds: 1, acwS: 40, attributes: { disposition: 'Resolved' } });
    const [m] = mapRecords([rec('ctr', record)], { mapping: mappingOf({ queues: { Billing: 'q-billing' } }) });
    const events = ok(m);
    const revision = Date.parse(record.LastUpdateTimestamp as string);
    expect(events.map((e) => e.id)).toEqual([`connect:c-1:offered@r${revision}`, `connect:c-1:answered@r${revision}`, `connect:c-1:ended@r${revision}`]);
    expect(events[0]).toMatchObject({ type: 'contact.offered', contactId: 'c-1', channel: 'voice', queueId: 'q-billing', occurredAt: new Date(sec(8)).toISOString(), source: SOURCE_ID, revision });
    expect(events[1]).toMatchObject({ type: 'contact.answered', agentId: 'ann', waitSeconds: 12, occurredAt: new Date(sec(20)).toISOString() });
    expect(events[2]).toMatchObject({ type: 'contact.ended', agentId: 'ann', talkSeconds: 300, holdSeconds: 20, wrapSeconds: 40, holdCount: 1, resolved: true, ext: { connectContactId: 'c-1' } });
    // The caller's number is not stored: a pseudonym of it links repeat contacts.
    const customer = (events[0] as { customerId?: string }).customerId;
    expect(customer).toMatch(/^tel-[0-9a-f]{20}$/);
    expect(JSON.stringify(events)).not.toContain('7700900123');
    // The seen values list the ARN with its readable name, for the Sources page.
    expect(m?.outcome.ok && m.outcome.seen).toEqual(expect.arrayContaining([
      { kind: 'queue', value: queueArn('Billing'), label: 'Billing' },
      { kind: 'agent', value: agentArn('ann'), label: 'ann' },
      { kind: 'channel', value: 'VOICE' },
      { kind: 'wrapCode', value: 'Resolved' },
    ]));
  });

  it('replaces the contact when re-delivered with a later LastUpdateTimestamp, and a late older copy changes nothing', () => {
    const memory = new MemoryMap();
    const mapping = mappingOf({ wrapCodes: { 'Call back': false, Resolved: true } });
    const v1 = ctr({ contactId: 'c-2', at: sec(0), queue: 'Billing', waitS: 5, agent: 'ann', talkS: 200, acwS: 30, attributes: { disposition: 'Call back' } });
    // The agent's team lead corrects the disposition with UpdateContactAttributes: Connect delivers the record again.
    const v2 = { ...v1, Attributes: { disposition: 'Resolved' }, LastUpdateTimestamp: ctrTime(sec(900)) };
    const [a, again, b, late] = mapRecords([rec('ctr', v1), rec('ctr', v1), rec('ctr', v2), rec('ctr', v1)], { mapping, memory });
    expect(byType(ok(a), 'contact.ended')[0]).toMatchObject({ resolved: false });
    // The same copy again: the same ids, so the store answers duplicate.
    expect(ok(again).map((e) => e.id)).toEqual(ok(a).map((e) => e.id));
    const r2 = sec(900);
    expect(ok(b).map((e) => e.id)).toEqual(['connect:c-2:offered', 'connect:c-2:answered', 'connect:c-2:ended'].map((id) => `${id}@r${r2}`));
    expect(byType(ok(b), 'contact.ended')[0]).toMatchObject({ resolved: true, revision: r2 });
    // v1 arriving late is older than what is held: the chain is unchanged and emitted as it stands (duplicates).
    expect(ok(late).map((e) => e.id)).toEqual(ok(b).map((e) => e.id));
    const c = fold([[a, again, b, late] as Mapped[]]).get('c-2');
    expect(c?.revision).toBe(r2);
    expect(legsInOrder(c as ContactState).map((l) => l.resolved)).toEqual([true]);
  });

  it('counts an unanswered contact in the queue as abandoned with the queue wait, and an IVR hang-up as abandoned in the IVR', () => {
    const [q, ivr, selfService] = mapRecords([
      rec('ctr', ctr({ contactId: 'c-ab', at: sec(0), ivrS: 10, queue: 'Tech', waitS: 45 })),
      rec('ctr', ctr({ contactId: 'c-ivr', at: sec(100), ivrS: 30 })),
      rec('ctr', ctr({ contactId: 'c-self', at: sec(200), ivrS: 60, disconnectReason: 'CONTACT_FLOW_DISCONNECT' })),
    ]);
    expect(ok(q).map((e) => e.type)).toEqual(['contact.offered', 'contact.abandoned']);
    expect(byType(ok(q), 'contact.abandoned')[0]).toMatchObject({ abandonedIn: 'queue', waitSeconds: 45, occurredAt: new Date(sec(55)).toISOString() });
    expect(ok(ivr).map((e) => e.type)).toEqual(['contact.offered', 'contact.abandoned']);
    expect(ok(ivr)[0]).toMatchObject({ queueId: 'no-queue' });
    expect(ok(ivr)[1]).toMatchObject({ abandonedIn: 'ivr' });
    // A flow that ended the contact itself (self-service): not an offered contact.
    expect(ok(selfService)).toEqual([]);
    expect(selfService?.outcome.ok && selfService.outcome.warnings?.[0]).toContain('self-service');
  });

  it('flags callbacks and leaves outbound contacts out', () => {
    const [cb, out] = mapRecords([
      rec('ctr', ctr({ contactId: 'c-cb', at: sec(0), method: 'CALLBACK', queue: 'Billing', waitS: 600, agent: 'bob', talkS: 100 })),
      rec('ctr', ctr({ contactId: 'c-out', at: sec(0), method: 'OUTBOUND', queue: 'Billing', agent: 'bob', talkS: 100 })),
    ]);
    expect(byType(ok(cb), 'contact.offered')[0]).toMatchObject({ callback: true });
    expect(ok(out)).toEqual([]);
    expect(out?.outcome.ok && out.outcome.warnings?.[0]).toContain('OUTBOUND');
  });

  it('transfers to an external number from the leg that left Connect', () => {
    const [m] = mapRecords([rec('ctr', ctr({ contactId: 'c-ext', at: sec(0), queue: 'Tech', waitS: 7, agent: 'cat', talkS: 110, holdS: 10, acwS: 20, transferredTo: '+441134960999' }))]);
    const events = ok(m);
    expect(byType(events, 'contact.transferred')[0]).toMatchObject({ fromAgentId: 'cat', toExternal: '+441134960999', kind: 'transfer' });
    expect(byType(events, 'contact.ended')[0]).toMatchObject({ resolved: false, talkSeconds: 110 });
  });

  it('answers malformed, naming the field, expected and got, for a record that is not what the documentation says', () => {
    const bad = ctr({ contactId: 'c-bad', at: sec(0), queue: 'Billing', agent: 'ann', talkS: 60 });
    (bad.Agent as Record<string, unknown>).AgentInteractionDuration = '60';
    delete bad.LastUpdateTimestamp;
    const [m, notObject, noId] = mapRecords([rec('ctr', bad), rec('ctr', 'CTR'), rec('ctr', { ...bad, ContactId: '' })]);
    expect(m?.outcome).toMatchObject({ ok: false, reason: 'malformed' });
    const reasons = m?.outcome.ok === false ? m.outcome.reasons : [];
    expect(reasons).toContain('contact record LastUpdateTimestamp: expected an ISO-8601 date-time (yyyy-mm-ddThh:mm:ssZ), got nothing');
    expect(reasons).toContain('contact record Agent.AgentInteractionDuration: expected a number of 0 or more, got string "60"');
    expect(notObject?.outcome).toMatchObject({ ok: false, reason: 'malformed', reasons: ['contact record: expected a JSON object'] });
    expect(noId?.outcome.ok === false && noId.outcome.reasons[0]).toContain('ContactId: expected a non-empty string, got string ""');
    // Never thrown, whatever comes.
    expect(connectMapper.map({ kind: 'ctr', body: null }, { sourceId: SOURCE_ID, mapping: mappingOf(), memory: new MemoryMap() })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(connectMapper.map({ kind: 'unknown', body: { hello: 1 } }, { sourceId: SOURCE_ID, mapping: mappingOf(), memory: new MemoryMap() })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('answers unmapped for a value the mapping does not cover, and remembers nothing of the record until it maps', () => {
    const memory = new MemoryMap();
    const task = ctr({ contactId: 'c-task', at: sec(0), channel: 'TASK', queue: 'Billing', agent: 'ann', talkS: 900 });
    const [unmapped] = mapRecords([rec('ctr', task)], { memory });
    expect(unmapped?.outcome).toMatchObject({ ok: false, reason: 'unmapped' });
    expect(unmapped?.outcome.ok === false && unmapped.outcome.reasons[0]).toContain('channel "TASK" is not mapped');
    expect(memory.data.size).toBe(0);
    // The admin maps TASK to email and replays the dead letter.
    const [replayed] = mapRecords([rec('ctr', task)], { memory, mapping: mappingOf({ channels: { TASK: 'email' } }) });
    expect(byType(ok(replayed), 'contact.offered')[0]).toMatchObject({ channel: 'email' });
    // Strict queues: a queue not in the table is a dead letter, by ARN and name.
    const [strict] = mapRecords([rec('ctr', ctr({ contactId: 'c-s', at: sec(0), queue: 'Tech', agent: 'ann', talkS: 5 }))], { mapping: mappingOf({ strictQueues: true, queues: { Billing: 'q-billing' } }) });
    expect(strict?.outcome.ok === false && strict.outcome.reasons[0]).toContain(`queue "${queueArn('Tech')}" (Tech) is not mapped`);
  });
});

describe('a transferred contact (a chain of contact records)', () => {
  // Ann answers on Billing after 10 s, talks 120 s, wraps 10 s and transfers to the Tech queue (a quick connect);
  // Bob takes the new contact id there after 25 s, talks 200 s with 30 s hold (twice), wraps 20 s, resolves it.
  const leg1 = ctr({ contactId: 'c-b1', at: sec(0), queue: 'Billing', waitS: 10, agent: 'ann', talkS: 120, acwS: 10, nextContactId: 'c-b2', updatedAfterS: 5 });
  const leg2 = ctr({ contactId: 'c-b2', at: sec(130), method: 'TRANSFER', initialContactId: 'c-b1', previousContactId: 'c-b1', queue: 'Tech', waitS: 25, agent: 'bob', talkS: 200, holdS: 30, holds: 2, acwS: 20, attributes: { disposition: 'Fixed' } });

  it('is one contact with a leg per agent and the transfer between them, in either order', () => {
    const forward = mapRecords([rec('ctr', leg1), rec('ctr', leg2)]);
    const backward = mapRecords([rec('ctr', leg2), rec('ctr', leg1)]);
    const f = fold([forward]).get('c-b1');
    const b = fold([backward]).get('c-b1');
    expect(figures(b)).toEqual(figures(f));
    expect(f).toMatchObject({ queueId: 'Billing', agentId: 'ann', platformWaitSeconds: 10, offeredMs: sec(0) });
    expect(legsInOrder(f as ContactState).map((l) => [l.agentId, l.queueId, l.handleSeconds, l.holds, l.resolved])).toEqual([
      ['ann', undefined, 130, 0, false],
      ['bob', 'Tech', 250, 2, true],
    ]);
    // The second record emits the whole chain, with the transfer, under one revision above both records'.
    const last = ok(forward[1]);
    expect(byType(last, 'contact.transferred')).toMatchObject([{ contactId: 'c-b1', fromAgentId: 'ann', toQueueId: 'Tech', kind: 'transfer', occurredAt: new Date(sec(130)).toISOString() }]);
    expect(new Set(last.map((e) => (e as { revision?: number }).revision)).size).toBe(1);
    // Only the first leg's queue time is the contact's wait; the later answer leaves it to Frontline.
    expect(byType(last, 'contact.answered').map((e) => (e as { waitSeconds?: number }).waitSeconds)).toEqual([10, undefined]);
  });

  it('keeps both legs when each is re-delivered, interleaved, and when a Contact Lens result comes for the second', () => {
    const memory = new MemoryMap();
    const leg1Later = { ...leg1, LastUpdateTimestamp: ctrTime(sec(2_000)) };
    const batches = mapRecords([rec('ctr', leg2), rec('ctr', leg1), rec('ctr', leg2), rec('contact-lens', contactLensCall('c-b2', { categories: ['Cancellation'] })), rec('ctr', leg1Later), rec('ctr', leg1)], { memory });
    const revisions = batches.map((m) => (ok(m).find((e) => e.type === 'contact.ended') as { revision?: number } | undefined)?.revision);
    // Every change raises the revision (the lens included); a repeat or a late older copy does not.
    expect(revisions[1]).toBeGreaterThan(revisions[0] as number);
    expect(revisions[2]).toBe(revisions[1]);
    expect(revisions[3]).toBe((revisions[2] as number) + 1);
    expect(revisions[4]).toBe(sec(2_000));
    expect(revisions[5]).toBe(sec(2_000));
    const c = fold([batches]).get('c-b1');
    expect(figures(c)).toEqual(figures(fold([mapRecords([rec('ctr', leg1), rec('ctr', leg2)])]).get('c-b1')));
    const ended = byType(ok(batches[5]), 'contact.ended').find((e) => (e as { agentId?: string }).agentId === 'bob');
    expect(ended).toMatchObject({ ext: { connectContactId: 'c-b2', contactLens: { customerSentiment: 3.1, agentSentiment: 0, categories: ['Cancellation'], talkTimeMs: 28698 } } });
    // Copies of the chain under both legs' ids, so a file or an evaluation naming the second leg finds the contact.
    expect(memory.get('chain:c-b2')).toEqual(memory.get('chain:c-b1'));
  });
});

describe('a survey answered in the flow (contact attributes)', () => {
  it("reads the answer on the source's scale as a response of the contact, replaced by a later copy", () => {
    const base = ctr({ contactId: 'c-sv', at: sec(0), queue: 'Billing', waitS: 3, agent: 'ann', talkS: 90 });
    const answered = { ...base, Attributes: { surveyId: 'post-call', survey_result_1: '4', surveyComment: 'Quick and kind, reach me on jo@example.com' }, LastUpdateTimestamp: ctrTime(sec(400)) };
    const changed = { ...answered, Attributes: { ...answered.Attributes, survey_result_1: '2' }, LastUpdateTimestamp: ctrTime(sec(500)) };
    const batches = mapRecords([rec('ctr', base), rec('ctr', answered), rec('ctr', changed)]);
    expect(byType(ok(batches[0]), 'survey.responded')).toEqual([]);
    const survey = byType(ok(batches[1]), 'survey.responded')[0];
    expect(survey).toMatchObject({ contactId: 'c-sv', programmeId: 'post-call', responseId: 'c-sv:post-call', answers: [{ measure: 'csat', scale: '1-5', value: 4 }], revision: sec(400) });
    const c = fold([batches]).get('c-sv');
    // One response, the later answer: 2 of 1–5 is not satisfied.
    expect([...(c?.surveys.values() ?? [])].map((s) => s.scores.csat)).toEqual([{ satisfied: false, score5: 2 }]);
  });

  it('takes the 0–10 scale when the source says so, NPS and resolved answers, and leaves out an answer off the scale', () => {
    const mapping = mappingOf({ surveyScale: '0-10' });
    const [m, off] = mapRecords([
      rec('ctr', ctr({ contactId: 'c-10', at: sec(0), queue: 'Billing', agent: 'ann', talkS: 90, attributes: { csat: '9', nps: '10', surveyResolved: 'yes' } })),
      rec('ctr', ctr({ contactId: 'c-11', at: sec(0), queue: 'Billing', agent: 'ann', talkS: 90, attributes: { csat: '11' } })),
    ], { mapping });
    expect(byType(ok(m), 'survey.responded')[0]).toMatchObject({ answers: [{ measure: 'csat', scale: '0-10', value: 9 }, { measure: 'nps', scale: '0-10', value: 10 }, { measure: 'resolved', scale: 'yes-no', value: 'yes' }] });
    expect(byType(ok(off), 'survey.responded')).toEqual([]);
    expect(off?.outcome.ok && off.outcome.warnings?.[0]).toContain('whole number from 0 to 10');
  });
});

describe('EventBridge contact events', () => {
  it('make the contact live before its record, which then replaces them', () => {
    const memory = new MemoryMap();
    // Ann's username is known from her agent events.
    mapRecords([rec('agent-event', agentEvent({ user: 'ann', at: sec(-600), status: 'Available', eventId: 'e-0' }))], { memory });
    const live = mapRecords([
      rec('contact-event', contactEvent({ eventType: 'INITIATED', contactId: 'c-live', at: sec(0) })),
      rec('contact-event', contactEvent({ eventType: 'QUEUED', contactId: 'c-live', at: sec(0), queue: 'Billing', enqueuedAt: sec(6) })),
      rec('contact-event', contactEvent({ eventType: 'CONNECTED_TO_AGENT', contactId: 'c-live', at: sec(0), queue: 'Billing', enqueuedAt: sec(6), agent: 'ann', connectedAt: sec(20) })),
    ], { memory });
    expect(ok(live[0])).toEqual([]);
    expect(ok(live[1])[0]).toMatchObject({ type: 'contact.offered', queueId: queueArn('Billing'), revision: 0 });
    expect(ok(live[2])[0]).toMatchObject({ type: 'contact.answered', agentId: 'ann', waitSeconds: 14, revision: 0 });
    let c = fold([live]).get('c-live');
    expect(c).toMatchObject({ revision: 0, agentId: 'ann', platformWaitSeconds: 14 });
    // The record arrives (queue names now known) and replaces the live picture.
    const record = mapRecords([rec('ctr', ctr({ contactId: 'c-live', at: sec(0), ivrS: 6, queue: 'Billing', waitS: 14, agent: 'ann', talkS: 100, acwS: 10 }))], { memory });
    c = fold([live, record]).get('c-live');
    expect(c).toMatchObject({ queueId: 'Billing', agentId: 'ann' });
    expect(c?.revision).toBeGreaterThan(0);
    expect(legsInOrder(c as ContactState).map((l) => l.handleSeconds)).toEqual([110]);
    // A live event after the record counts for nothing (revision 0 is below the record's); the queue's name is known now.
    const lateLive = mapRecords([rec('contact-event', contactEvent({ eventType: 'CONNECTED_TO_AGENT', contactId: 'c-live', at: sec(0), queue: 'Billing', enqueuedAt: sec(6), agent: 'ann', connectedAt: sec(10) }))], { memory });
    expect(ok(lateLive[0])).toMatchObject([{ type: 'contact.answered', agentId: 'ann', occurredAt: new Date(sec(10)).toISOString(), revision: 0 }]);
    expect(fold([live, record, lateLive]).get('c-live')).toMatchObject({ agentId: 'ann', revision: c?.revision });
    const otherLive = mapRecords([rec('contact-event', contactEvent({ eventType: 'QUEUED', contactId: 'c-live-2', at: sec(0), queue: 'Billing' }))], { memory });
    expect(ok(otherLive[0])[0]).toMatchObject({ queueId: 'Billing' });
    // An agent never named yet (no record, no agent event): the live answer waits for the record rather than credit an ARN.
    const unknown = mapRecords([rec('contact-event', contactEvent({ eventType: 'CONNECTED_TO_AGENT', contactId: 'c-live-2', at: sec(0), queue: 'Billing', agent: 'cat' }))], { memory });
    expect(ok(unknown[0])).toEqual([]);
    expect(unknown[0]?.outcome.ok && unknown[0].outcome.warnings?.[0]).toContain('not known by name yet');
  });

  it('counts an unanswered disconnect as a live abandon, and reads the envelope or its detail alone', () => {
    const env = contactEvent({ eventType: 'DISCONNECTED', contactId: 'c-gone', at: sec(0), queue: 'Tech', enqueuedAt: sec(5), disconnectedAt: sec(65) });
    const [a, b] = mapRecords([rec('contact-event', env), rec('contact-event', env.detail)]);
    expect(ok(a)).toMatchObject([{ type: 'contact.abandoned', abandonedIn: 'queue', waitSeconds: 60 }]);
    expect(ok(b).map((e) => e.id)).toEqual(ok(a).map((e) => e.id));
    const [bad] = mapRecords([rec('contact-event', { ...env, detail: { ...(env.detail as object), contactId: 7 } })]);
    expect(bad?.outcome.ok === false && bad.outcome.reasons[0]).toContain('detail.contactId: expected a non-empty string, got number 7');
  });
});

describe('the agent event stream', () => {
  it('maps status changes and contact activity to the five states, skipping heartbeats that repeat the state', () => {
    const memory = new MemoryMap();
    const out = mapRecords([
      rec('agent-event', agentEvent({ user: 'bob', at: sec(0), status: 'Available', type: 'LOGIN', eventId: 'e1' })),
      rec('agent-event', agentEvent({ user: 'bob', at: sec(120), status: 'Available', type: 'HEART_BEAT', eventId: 'e2' })),
      rec('agent-event', agentEvent({ user: 'bob', at: sec(130), status: 'Available', eventId: 'e3', contacts: [{ contactId: 'c-x', state: 'CONNECTED' }] })),
      rec('agent-event', agentEvent({ user: 'bob', at: sec(400), status: 'Available', eventId: 'e4', contacts: [{ contactId: 'c-x', state: 'ENDED' }] })),
      rec('agent-event', agentEvent({ user: 'bob', at: sec(430), status: 'Lunch', eventId: 'e5' })),
      rec('agent-event', agentEvent({ user: 'bob', at: sec(5000), status: 'Offline', type: 'LOGOUT', eventId: 'e6' })),
      // An older event delivered late: stored for the timeline, the held state unchanged.
      rec('agent-event', agentEvent({ user: 'bob', at: sec(60), status: 'Available', type: 'HEART_BEAT', eventId: 'e7', contacts: [{ contactId: 'c-y', state: 'CONNECTED_ONHOLD' }] })),
    ], { memory });
    expect(out.map((m) => ok(m).map((e) => [e.id, (e as { state?: string }).state, (e as { stateName?: string }).stateName]))).toEqual([
      [['connect:agent:e1', 'available', 'Available']],
      [],
      [['connect:agent:e3', 'busy', 'On contact']],
      [['connect:agent:e4', 'wrap', 'After contact work']],
      [['connect:agent:e5', 'break', 'Lunch']],
      [['connect:agent:e6', 'offline', 'Offline']],
      [['connect:agent:e7', 'busy', 'On contact']],
    ]);
    expect(memory.get(`agent:${agentArn('bob')}`)).toEqual({ n: 'Offline', t: sec(5000) });
    expect(ok(out[0])[0]).toMatchObject({ agentId: 'bob', source: SOURCE_ID });
  });

  it('answers unmapped for a custom status nobody mapped, and malformed for an event without its snapshot', () => {
    const [m] = mapRecords([rec('agent-event', agentEvent({ user: 'cat', at: sec(0), status: 'Team huddle', eventId: 'h1' }))]);
    expect(m?.outcome.ok === false && m.outcome.reasons[0]).toContain('agent state "Team huddle" is not mapped');
    const [fixed] = mapRecords([rec('agent-event', agentEvent({ user: 'cat', at: sec(0), status: 'Team huddle', eventId: 'h1' }))], { mapping: mappingOf({ states: { 'Team huddle': 'break' } }) });
    expect(ok(fixed)[0]).toMatchObject({ state: 'break', stateName: 'Team huddle' });
    const [noSnapshot] = mapRecords([rec('agent-event', { EventType: 'STATE_CHANGE', AgentARN: agentArn('cat'), EventId: 'x', EventTimestamp: new Date(sec(0)).toISOString() })]);
    expect(noSnapshot?.outcome.ok === false && noSnapshot.outcome.reasons[0]).toBe('agent event CurrentAgentSnapshot: expected the agent snapshot (AgentStatus, Configuration, Contacts), got nothing');
  });
});

describe('Contact Lens post-contact analysis', () => {
  it("is held until its contact's record, then kept on the leg: masked transcript as notes, sentiment and categories in ext", () => {
    const memory = new MemoryMap();
    const lens = contactLensCall('c-cl', { categories: ['Cancellation'] });
    const [held] = mapRecords([rec('contact-lens', lens)], { memory });
    expect(ok(held)).toEqual([]);
    const [record] = mapRecords([rec('ctr', ctr({ contactId: 'c-cl', at: sec(0), queue: 'Billing', agent: 'ann', talkS: 30, acwS: 5 }))], { memory });
    const ended = byType(ok(record), 'contact.ended')[0] as { notes?: string; ext?: Record<string, unknown> };
    expect(ended.ext).toMatchObject({ contactLens: { customerSentiment: 3.1, categories: ['Cancellation'], nonTalkTimeMs: 0, interruptions: 0 } });
    expect(ended.notes).toContain('Customer: I need to cancel.');
    expect(ended.notes).toContain('Agent: That sounds very bad.');
    expect(ended.notes).not.toContain('900123');
    // The redacted file replaces the raw one (a change: the revision rises); the raw one again changes nothing.
    const [redacted, rawAgain] = mapRecords([rec('contact-lens', contactLensCall('c-cl', { redacted: true })), rec('contact-lens', lens)], { memory });
    const r = (m: Mapped | undefined) => (ok(m)[0] as { revision?: number }).revision as number;
    expect(r(redacted)).toBe(r(record) + 1);
    expect(r(rawAgain)).toBe(r(redacted));
    expect((byType(ok(redacted), 'contact.ended')[0] as { notes?: string }).notes).toContain('[PII]');
    const [noId] = mapRecords([rec('contact-lens', { ...lens, CustomerMetadata: {} })]);
    expect(noId?.outcome.ok === false && noId.outcome.reasons[0]).toContain('CustomerMetadata.ContactId (or ContactId): expected the contact id the analysis is for');
  });
});

describe('record kinds', () => {
  it('are told apart by their documented fields', () => {
    expect(connectRecordKind(ctr({ contactId: 'k', at: sec(0) }))).toBe('ctr');
    expect(connectRecordKind(agentEvent({ user: 'ann', at: sec(0), status: 'Available', eventId: 'k' }))).toBe('agent-event');
    const ev = contactEvent({ eventType: 'QUEUED', contactId: 'k', at: sec(0) });
    expect(connectRecordKind(ev)).toBe('contact-event');
    expect(connectRecordKind(ev.detail)).toBe('contact-event');
    expect(connectRecordKind(contactLensCall('k'))).toBe('contact-lens');
    expect(connectRecordKind(evaluation({ evaluationId: 'k', contactId: 'k', modifiedS: 1, answers: {} }))).toBe('evaluation');
    expect(connectRecordKind({ ...ev, 'detail-type': 'Contact Lens Post Call Rules Matched' })).toBeUndefined();
    expect(connectRecordKind({ hello: 'world' })).toBeUndefined();
    expect(connectRecordKind([1, 2])).toBeUndefined();
  });
});
