/**
 * The Zendesk mapper (issue 16), from records built on Zendesk's documented examples (test/support/connectors/
 * zendesk.ts names each page): a ticket becomes a contact, a reopen is a revision that replaces the earlier form,
 * a reassignment is a transfer with its handle time split by the Time Tracking total, metric events feed the wait
 * and the business-hours minutes, ratings are good/bad survey responses, and bad records say which field is wrong.
 */
import { describe, expect, it } from 'vitest';
import { ZENDESK_CSAT_PROGRAMME, zendeskMapper } from '../../../../server/connectors/zendesk/mapping.js';
import type { MapOutcome, RawRecord } from '../../../../server/connectors/types.js';
import { normaliseV2 } from '../../../../shared/contract-v2.js';
import { contactsOf, handleOf, mapAll, mapperContext } from '../../../support/connectors/zendesk-harness.js';
import { DOC_METRIC_EVENT, DOC_RATING, DOC_TICKET, DOC_USER, group, metricEvent, rating, ticket, ticketRecord, TIME_SPENT_FIELD_ID, timeSpent, user } from '../../../support/connectors/zendesk.js';

const ms = (iso: string) => Date.parse(iso);
const ann = user(9001, 'ann', 'Ann Smith');
const bob = user(9002, 'bob', 'Bob Jones');
const billing = group(98738, 'q-billing');
const tech = group(98739, 'q-tech');
const side = { users: [ann, bob], groups: [billing, tech], timeSpentFieldId: TIME_SPENT_FIELD_ID };

function ok(outcome: MapOutcome): Record<string, unknown>[] {
  if (!outcome.ok) throw new Error(`expected events, got ${outcome.reason}: ${outcome.reasons.join('; ')}`);
  for (const e of outcome.events) {
    const n = normaliseV2(e);
    if (!n.ok) throw new Error(`invalid event ${JSON.stringify(e)}: ${JSON.stringify(n.issues)}`);
  }
  return outcome.events;
}

function one(records: RawRecord[], mapping = {}) {
  const run = mapAll(records, mapping);
  return { ...run, last: run.outcomes[run.outcomes.length - 1]?.outcome as MapOutcome };
}

describe('a ticket becomes a contact', () => {
  it('maps the documented ticket: web → email, the group and the side-loaded assignee by their readable fields', () => {
    const { last } = one([ticketRecord(DOC_TICKET, { users: [{ ...DOC_USER, id: 235323 }], groups: [group(98738, 'Printers')] })]);
    const events = ok(last);
    // Open (not solved): offered and answered, no end yet. The revision is the update time in ms.
    expect(events.map((e) => e.type)).toEqual(['contact.offered', 'contact.answered']);
    const revision = ms('2011-05-05T10:38:52Z');
    expect(events[0]).toEqual({
      id: 'zendesk:35436:offered', type: 'contact.offered', occurredAt: '2009-07-20T22:55:29.000Z', source: 'zd-test', contactId: 'zendesk:35436',
      channel: 'email', queueId: 'Printers', customerId: 'zendesk:user:20978392', revision,
    });
    // No reply time known: answered when first seen assigned; the agent is the user's external id.
    expect(events[1]).toEqual({ id: 'zendesk:35436:answered', type: 'contact.answered', occurredAt: '2011-05-05T10:38:52.000Z', source: 'zd-test', contactId: 'zendesk:35436', agentId: 'sai989sur98w9', revision });
    // What the record named, for the Sources page: the via type, the group by id with its name, the user with their email.
    expect(last.seen).toEqual(expect.arrayContaining([
      { kind: 'channel', value: 'web' },
      { kind: 'queue', value: '98738', label: 'Printers' },
      { kind: 'agent', value: '235323', label: 'johnny@example.com' },
    ]));
  });

  it('falls back to the ids without side-loads, and follows the source tables (by id, or by email)', () => {
    expect(ok(one([ticketRecord(DOC_TICKET)]).last).map((e) => [e.queueId, e.agentId])).toEqual([['98738', undefined], [undefined, '235323']]);
    const mapped = ok(one([ticketRecord(DOC_TICKET, { users: [{ ...DOC_USER, id: 235323 }], groups: [group(98738, 'Printers')] })], { queues: { '98738': 'q-print' }, agents: { 'johnny@example.com': 'johnny' } }).last);
    expect(mapped.map((e) => [e.queueId, e.agentId])).toEqual([['q-print', undefined], [undefined, 'johnny']]);
  });

  it('ends a solved ticket with its Time Tracking total as talk, resolved unless a tag is mapped to not resolved', () => {
    const solved = ticket({ id: 700, created_at: '2026-03-03T09:00:00Z', updated_at: '2026-03-03T09:30:00Z', status: 'solved', via: { channel: 'email' }, group_id: billing.id, assignee_id: ann.id, tags: ['refund'], custom_fields: timeSpent(600) });
    const ended = ok(one([ticketRecord(solved, side)]).last).find((e) => e.type === 'contact.ended');
    expect(ended).toMatchObject({ id: 'zendesk:700:ended:0', agentId: 'ann', talkSeconds: 600, holdSeconds: 0, wrapSeconds: 0, resolved: true, occurredAt: '2026-03-03T09:30:00.000Z', ext: { status: 'solved' } });
    expect(ended).not.toHaveProperty('queueId');
    const unresolved = ok(one([ticketRecord(solved, side)], { wrapCodes: { refund: false } }).last).find((e) => e.type === 'contact.ended');
    expect(unresolved).toMatchObject({ resolved: false });
    // Without the Time Tracking field the account records no handle time: 0, and a warning says why.
    const bare = one([ticketRecord(solved, { users: [ann], groups: [billing] })]).last;
    expect(ok(bare).find((e) => e.type === 'contact.ended')).toMatchObject({ talkSeconds: 0 });
    expect(bare.ok && bare.warnings?.[0]).toContain('Total time spent (sec)');
  });

  it('counts a ticket closed without ever having an assignee as abandoned in the queue, with its wait', () => {
    const missed = ticket({ id: 710, created_at: '2026-03-03T10:00:00Z', updated_at: '2026-03-03T10:04:10Z', status: 'closed', via: { channel: 'chat' }, group_id: tech.id, assignee_id: null });
    const events = ok(one([ticketRecord(missed, side)]).last);
    expect(events.map((e) => e.type)).toEqual(['contact.offered', 'contact.abandoned']);
    expect(events[0]).toMatchObject({ channel: 'chat', queueId: 'q-tech' });
    expect(events[1]).toMatchObject({ waitSeconds: 250, abandonedIn: 'queue', occurredAt: '2026-03-03T10:04:10.000Z' });
  });
});

describe('revisions: a re-delivered ticket is a duplicate, a reopened one replaces its earlier form', () => {
  const base = { id: 800, created_at: '2026-03-03T09:00:00Z', via: { channel: 'email' }, group_id: billing.id, assignee_id: ann.id };
  const solved1 = ticket({ ...base, updated_at: '2026-03-03T09:30:00Z', status: 'solved', custom_fields: timeSpent(600) });
  const reopened = ticket({ ...base, updated_at: '2026-03-03T11:00:00Z', status: 'open', custom_fields: timeSpent(600) });
  const solved2 = ticket({ ...base, updated_at: '2026-03-03T11:20:00Z', status: 'solved', custom_fields: timeSpent(900) });

  it('gives the same events (ids and revision) when the same form comes again', () => {
    const run = mapAll([ticketRecord(solved1, side), ticketRecord(solved1, side)]);
    const [a, b] = run.outcomes.map((o) => ok(o.outcome));
    expect(b).toEqual(a);
    expect(a?.every((e) => e.revision === ms('2026-03-03T09:30:00Z'))).toBe(true);
  });

  it('solved → open → solved: each form a higher revision; the latest (900 s, solved at 11:20) is the contact', () => {
    const run = mapAll([ticketRecord(solved1, side), ticketRecord(reopened, side), ticketRecord(solved2, side)]);
    const [r1, r2, r3] = run.outcomes.map((o) => ok(o.outcome));
    expect(r1?.map((e) => e.type)).toEqual(['contact.offered', 'contact.answered', 'contact.ended']);
    // Reopened: no end in this revision, so the contact is no longer handled until solved again.
    expect(r2?.map((e) => e.type)).toEqual(['contact.offered', 'contact.answered']);
    expect(r2?.[0]?.revision).toBe(ms('2026-03-03T11:00:00Z'));
    expect(r3?.find((e) => e.type === 'contact.ended')).toMatchObject({ talkSeconds: 900, occurredAt: '2026-03-03T11:20:00.000Z', revision: ms('2026-03-03T11:20:00Z') });
    const contact = contactsOf(run.events).get('zendesk:800');
    expect(contact?.legs.map(handleOf)).toEqual([900]);
  });

  it('changes nothing for an older form that comes after a newer one', () => {
    const run = mapAll([ticketRecord(solved2, side), ticketRecord(solved1, side)]);
    const late = run.outcomes[1]?.outcome as MapOutcome;
    expect(ok(late)).toEqual([]);
    expect(late.ok && late.warnings?.[0]).toContain('older than the form already mapped');
  });

  it('keeps a deleted ticket out of the figures it already has no say in (no events, a warning)', () => {
    const run = mapAll([ticketRecord({ ...solved2, status: 'deleted', updated_at: '2026-03-03T12:00:00Z' }, side)]);
    const out = run.outcomes[0]?.outcome as MapOutcome;
    expect(ok(out)).toEqual([]);
    expect(out.ok && out.warnings?.[0]).toContain('deleted');
  });
});

describe('transfers: a change of assignee or group between forms', () => {
  it('splits the handle time between the legs by the Time Tracking total at the handover (Bob 240 s, Ann 300 s)', () => {
    const base = { id: 501, created_at: '2026-03-03T10:00:00Z', via: { channel: 'chat' }, group_id: billing.id };
    const run = mapAll([
      ticketRecord(ticket({ ...base, updated_at: '2026-03-03T10:00:00Z', status: 'new', assignee_id: null, custom_fields: timeSpent(0) }), side),
      ticketRecord(ticket({ ...base, updated_at: '2026-03-03T10:00:30Z', status: 'open', assignee_id: bob.id, custom_fields: timeSpent(0) }), side),
      ticketRecord(ticket({ ...base, updated_at: '2026-03-03T10:05:00Z', status: 'open', assignee_id: ann.id, custom_fields: timeSpent(240) }), side),
      ticketRecord(ticket({ ...base, updated_at: '2026-03-03T10:15:00Z', status: 'solved', assignee_id: ann.id, custom_fields: timeSpent(540) }), side),
    ]);
    const last = ok(run.outcomes[3]?.outcome as MapOutcome);
    expect(last.map((e) => e.type)).toEqual(['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.ended']);
    expect(last[1]).toMatchObject({ agentId: 'bob', occurredAt: '2026-03-03T10:00:30.000Z' });
    expect(last[2]).toEqual({ id: 'zendesk:501:transfer:1', type: 'contact.transferred', occurredAt: '2026-03-03T10:05:00.000Z', source: 'zd-test', contactId: 'zendesk:501', fromAgentId: 'bob', toAgentId: 'ann', kind: 'transfer', revision: ms('2026-03-03T10:15:00Z') });
    // Bob's leg: 240 − 0 = 240 s, not resolved (he handed it on); Ann's: 540 − 240 = 300 s, resolved.
    expect(last[3]).toMatchObject({ id: 'zendesk:501:ended:0', agentId: 'bob', talkSeconds: 240, resolved: false, occurredAt: '2026-03-03T10:05:00.000Z' });
    expect(last[4]).toMatchObject({ id: 'zendesk:501:ended:1', agentId: 'ann', talkSeconds: 300, resolved: true, occurredAt: '2026-03-03T10:15:00.000Z' });
  });

  it('makes a move to another group a transfer to that queue, dated when the ticket left the first group', () => {
    const base = { id: 502, created_at: '2026-03-03T10:00:00Z', via: { channel: 'email' } };
    const run = mapAll([
      ticketRecord(ticket({ ...base, updated_at: '2026-03-03T10:01:00Z', status: 'open', group_id: billing.id, assignee_id: bob.id, custom_fields: timeSpent(60) }), side),
      ticketRecord(ticket({ ...base, updated_at: '2026-03-03T10:03:00Z', status: 'open', group_id: tech.id, assignee_id: null, custom_fields: timeSpent(100) }), side),
      ticketRecord(ticket({ ...base, updated_at: '2026-03-03T10:04:00Z', status: 'open', group_id: tech.id, assignee_id: ann.id, custom_fields: timeSpent(100) }), side),
      ticketRecord(ticket({ ...base, updated_at: '2026-03-03T10:10:00Z', status: 'solved', group_id: tech.id, assignee_id: ann.id, custom_fields: timeSpent(400) }), side),
    ]);
    const last = ok(run.outcomes[3]?.outcome as MapOutcome);
    expect(last.find((e) => e.type === 'contact.transferred')).toMatchObject({ fromAgentId: 'bob', toQueueId: 'q-tech', occurredAt: '2026-03-03T10:03:00.000Z' });
    expect(last.find((e) => e.type === 'contact.transferred')).not.toHaveProperty('toAgentId');
    const legs = last.filter((e) => e.type === 'contact.ended');
    // Bob: 100 s (the total when the ticket left his group); Ann: 400 − 100 = 300 s, on the tech queue.
    expect(legs.map((l) => [l.agentId, l.talkSeconds, l.queueId])).toEqual([['bob', 100, undefined], ['ann', 300, 'q-tech']]);
  });
});

describe('metric events feed the ticket: first reply, business-hours minutes, SLAs', () => {
  const t = 601;
  const metrics = [
    metricEvent({ id: 1, ticket_id: t, metric: 'reply_time', type: 'activate', time: '2026-03-03T08:00:00Z' }),
    metricEvent({ id: 2, ticket_id: t, metric: 'reply_time', type: 'apply_sla', time: '2026-03-03T08:00:00Z', sla: { target: 60, business_hours: true, policy: { id: 25, title: 'Gold', description: 'Gold customers' } } }),
    metricEvent({ id: 3, ticket_id: t, metric: 'reply_time', type: 'fulfill', time: '2026-03-03T08:20:00Z' }),
    metricEvent({ id: 4, ticket_id: t, metric: 'reply_time', type: 'update_status', time: '2026-03-03T08:20:00Z', status: { calendar: 20, business: 12 } }),
    metricEvent({ id: 5, ticket_id: t, metric: 'agent_work_time', type: 'pause', time: '2026-03-03T08:20:00Z' }),
    metricEvent({ id: 6, ticket_id: t, metric: 'requester_wait_time', type: 'breach', time: '2026-03-03T09:00:00Z' }),
    metricEvent({ id: 7, ticket_id: t, metric: 'agent_work_time', type: 'update_status', time: '2026-03-03T09:30:00Z', status: { calendar: 90, business: 45 } }),
    metricEvent({ id: 8, ticket_id: t, metric: 'requester_wait_time', type: 'update_status', time: '2026-03-03T09:30:00Z', status: { calendar: 90, business: 45 } }),
    // Deleted events are to be ignored; a "measure" is the clock's own bookkeeping.
    metricEvent({ id: 9, ticket_id: t, metric: 'reply_time', type: 'fulfill', time: '2026-03-03T08:01:00Z', deleted: true }),
    DOC_METRIC_EVENT,
  ];
  const solved = ticket({ id: t, created_at: '2026-03-03T08:00:00Z', updated_at: '2026-03-03T09:30:00Z', status: 'solved', via: { channel: 'email' }, group_id: billing.id, assignee_id: ann.id, custom_fields: timeSpent(420) });

  it('emits nothing for a metric event, and the ticket after them carries the wait, the minutes and the SLA', () => {
    const run = mapAll([...metrics, ticketRecord(solved, side)]);
    for (const o of run.outcomes.slice(0, metrics.length)) expect(ok(o.outcome)).toEqual([]);
    const events = ok(run.outcomes[metrics.length]?.outcome as MapOutcome);
    // Six facts learnt (SLA, first reply, reply minutes, breach, work and wait minutes): revision = update time + 6.
    const revision = ms('2026-03-03T09:30:00Z') + 6;
    expect(events.every((e) => e.revision === revision)).toBe(true);
    expect(events[0]).toMatchObject({ type: 'contact.offered', ext: { sla: { reply_time: { target: 60, businessHours: true, policy: 'Gold' } } } });
    // The first reply at 08:20 on a ticket created at 08:00: answered then, a 1,200 s wait (calendar hours); the
    // business-hours minutes (12) stay in ext beside the calendar ones (20).
    expect(events[1]).toMatchObject({ type: 'contact.answered', occurredAt: '2026-03-03T08:20:00.000Z', waitSeconds: 1200, ext: { replyMinutes: { calendar: 20, business: 12 } } });
    expect(events[2]).toMatchObject({
      type: 'contact.ended', talkSeconds: 420,
      ext: { agentWorkMinutes: { calendar: 90, business: 45 }, requesterWaitMinutes: { calendar: 90, business: 45 }, slaBreached: ['requester_wait_time'], status: 'solved' },
    });
  });

  it('takes a metric event delivered twice once, and a fact learnt after the ticket raises its next revision', () => {
    const run = mapAll([...metrics, ...metrics, ticketRecord(solved, side)]);
    const events = ok(run.outcomes[run.outcomes.length - 1]?.outcome as MapOutcome);
    expect(events[0]?.revision).toBe(ms('2026-03-03T09:30:00Z') + 6);
    // A breach of another metric learnt after the ticket: the same ticket form delivered again (a system update
    // exports it again) is a higher revision carrying the breach, never a conflicting copy of the same revision.
    const later = mapAll([metricEvent({ id: 10, ticket_id: t, metric: 'reply_time', type: 'breach', time: '2026-03-03T09:31:00Z' }), ticketRecord(solved, side)], {}, run.memory);
    const again = ok(later.outcomes[1]?.outcome as MapOutcome);
    expect(again[0]?.revision).toBe(ms('2026-03-03T09:30:00Z') + 7);
    expect(again.find((e) => e.type === 'contact.ended')).toMatchObject({ ext: { slaBreached: ['requester_wait_time', 'reply_time'] } });
  });

  it('ends a ticket first seen closed (days after) when Zendesk measured the solve: the requester_wait_time fulfil', () => {
    const closed = ticket({ id: 602, created_at: '2026-03-03T08:00:00Z', updated_at: '2026-03-07T09:00:00Z', status: 'closed', via: { channel: 'email' }, group_id: billing.id, assignee_id: ann.id, custom_fields: timeSpent(300) });
    const solve = metricEvent({ id: 20, ticket_id: 602, metric: 'requester_wait_time', type: 'fulfill', time: '2026-03-03T09:15:00Z' });
    expect(ok(mapAll([solve, ticketRecord(closed, side)]).outcomes[1]?.outcome as MapOutcome).find((e) => e.type === 'contact.ended')).toMatchObject({ occurredAt: '2026-03-03T09:15:00.000Z', ext: { status: 'closed' } });
    // Without it, the end is when the ticket was first seen solved or closed.
    expect(ok(one([ticketRecord(closed, side)]).last).find((e) => e.type === 'contact.ended')).toMatchObject({ occurredAt: '2026-03-07T09:00:00.000Z' });
    // A fulfil from before a reopen is not the end of the later solved spell.
    const run = mapAll([
      solve,
      ticketRecord({ ...closed, status: 'open', updated_at: '2026-03-03T10:00:00Z', generated_timestamp: undefined }, side),
      ticketRecord({ ...closed, status: 'solved', updated_at: '2026-03-03T11:00:00Z', generated_timestamp: undefined }, side),
    ]);
    expect(ok(run.outcomes[2]?.outcome as MapOutcome).find((e) => e.type === 'contact.ended')).toMatchObject({ occurredAt: '2026-03-03T11:00:00.000Z' });
  });

  it('uses the update_status minutes as the wait when the fulfil event is not known', () => {
    const run = mapAll([metrics[3] as RawRecord, ticketRecord(solved, side)]);
    expect(ok(run.outcomes[1]?.outcome as MapOutcome)[1]).toMatchObject({ waitSeconds: 1200, occurredAt: '2026-03-03T09:30:00.000Z' });
  });
});

describe('satisfaction ratings: good/bad survey responses', () => {
  it('maps the documented rating to an offer and a good answer on the good-bad scale, its id the response id', () => {
    const events = ok(one([DOC_RATING]).last);
    expect(events).toEqual([
      { id: 'zendesk:208:rating:35436:offered', type: 'survey.offered', occurredAt: '2011-07-20T22:55:29.000Z', source: 'zd-test', contactId: 'zendesk:208', programmeId: ZENDESK_CSAT_PROGRAMME },
      {
        id: 'zendesk:208:rating:35436', type: 'survey.responded', occurredAt: '2011-07-20T22:55:29.000Z', source: 'zd-test', contactId: 'zendesk:208', programmeId: ZENDESK_CSAT_PROGRAMME,
        responseId: '35436', revision: ms('2011-07-20T22:55:29Z'), answers: [{ measure: 'csat', scale: 'good-bad', value: 'good' }],
      },
    ]);
  });

  it('replaces a changed rating (same response, later update), keeps its comment and reason', () => {
    const first = ok(one([rating({ id: 120447, ticket_id: 209, score: 'bad', updated_at: '2026-03-03T10:00:00Z', comment: 'Slow answer', reason: 'The issue took too long to resolve' })]).last)[1];
    const changed = ok(one([rating({ id: 120447, ticket_id: 209, score: 'good', created_at: '2026-03-03T10:00:00Z', updated_at: '2026-03-04T08:00:00Z', comment: 'Awesome support!' })]).last)[1];
    expect(first).toMatchObject({ id: 'zendesk:209:rating:120447', responseId: '120447', answers: [{ value: 'bad' }], comment: 'Slow answer', ext: { reason: 'The issue took too long to resolve' } });
    expect(changed).toMatchObject({ id: 'zendesk:209:rating:120447', responseId: '120447', answers: [{ value: 'good' }], comment: 'Awesome support!' });
    expect(changed?.revision as number).toBeGreaterThan(first?.revision as number);
  });

  it('offers without an answer for "offered", and nothing for "unoffered"', () => {
    expect(ok(one([rating({ id: 1, ticket_id: 5, score: 'offered', updated_at: '2026-03-03T10:00:00Z' })]).last).map((e) => e.type)).toEqual(['survey.offered']);
    expect(ok(one([rating({ id: 2, ticket_id: 5, score: 'unoffered', updated_at: '2026-03-03T10:00:00Z' })]).last)).toEqual([]);
  });

  it('maps a rating before its ticket (no memory needed): ingest holds it for the contact the ticket becomes', () => {
    const run = mapAll([rating({ id: 3, ticket_id: 502, score: 'good', updated_at: '2026-03-03T10:20:00Z' }), ticketRecord(ticket({ id: 502, updated_at: '2026-03-03T10:10:00Z', status: 'solved', assignee_id: ann.id }), side)]);
    const [r, t] = run.outcomes.map((o) => ok(o.outcome));
    expect(r?.[1]?.contactId).toBe(t?.[0]?.contactId);
  });

  it('is unmapped when the source says the survey scale is not good-bad', () => {
    const out = one([DOC_RATING], { surveyScale: '1-5' }).last;
    expect(out).toMatchObject({ ok: false, reason: 'unmapped' });
    expect(!out.ok && out.reasons[0]).toContain('set it to good-bad');
  });
});

describe('records that do not fit: malformed (not what the documentation says) or unmapped (a mapping fixes it)', () => {
  it('says which field of a ticket is wrong, expected against got, every problem at once', () => {
    const bad = { ...DOC_TICKET, created_at: 'yesterday', status: 'escalated', via: {}, group_id: '98738' };
    const out = one([{ kind: 'ticket', body: { ticket: bad } }]).last;
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.reason).toBe('malformed');
    expect(out.reasons).toEqual([
      'ticket.created_at: expected an ISO-8601 date-time such as 2011-05-05T10:38:52Z, got string "yesterday"',
      'ticket.status: expected one of new, open, pending, hold, solved, closed, deleted, got string "escalated"',
      'ticket.via.channel: expected a via type (such as "email") or a via id number, got nothing',
      'ticket.group_id: expected a positive whole number (a Zendesk id), got string "98738"',
    ]);
    expect(one([{ kind: 'ticket', body: DOC_TICKET }]).last).toMatchObject({ ok: false, reason: 'malformed', reasons: [expect.stringContaining('ticket: expected a ticket object')] });
  });

  it('says which field of a metric event or a rating is wrong, and refuses an unknown record kind', () => {
    expect(one([metricEvent({ id: 1, ticket_id: 2, metric: 'reply_time', type: 'fulfill', time: '26/10/2020' })]).last).toMatchObject({ ok: false, reason: 'malformed', reasons: ['time: expected an ISO-8601 date-time such as 2011-05-05T10:38:52Z, got string "26/10/2020"'] });
    expect(one([rating({ id: 1, ticket_id: 2, score: 'great', updated_at: '2026-03-03T10:00:00Z' })]).last).toMatchObject({ ok: false, reason: 'malformed', reasons: ['score: expected one of offered, unoffered, good, bad, got string "great"'] });
    expect(one([{ kind: 'call', body: {} }]).last).toMatchObject({ ok: false, reason: 'malformed', reasons: ['kind: expected one of ticket, metric-event, rating, got "call"'] });
  });

  it('is unmapped for a via type with no default (twitter) until the source maps it', () => {
    const tweet = ticket({ ...DOC_TICKET, updated_at: DOC_TICKET.updated_at, via: { channel: 'twitter' } });
    const out = one([ticketRecord(tweet)]).last;
    expect(out).toMatchObject({ ok: false, reason: 'unmapped', reasons: [expect.stringContaining('channel "twitter" is not mapped')] });
    expect(ok(one([ticketRecord(tweet)], { channels: { twitter: 'messaging' } }).last)[0]).toMatchObject({ channel: 'messaging' });
    // A via id (a number) is mapped by the admin too: 4 is "mail" in the Via types reference.
    expect(ok(one([ticketRecord({ ...tweet, via: { channel: 4 } })], { channels: { '4': 'email' } }).last)[0]).toMatchObject({ channel: 'email' });
  });

  it('is unmapped when strict agents is on and the assignee is in no table', () => {
    const out = one([ticketRecord(DOC_TICKET, { users: [{ ...DOC_USER, id: 235323 }] })], { strictAgents: true }).last;
    expect(out).toMatchObject({ ok: false, reason: 'unmapped', reasons: [expect.stringContaining('agent "235323" (johnny@example.com) is not mapped')] });
  });
});

describe('record keys and memory keys', () => {
  it('names each record by its ticket, and loads the ticket memory for tickets and metric events', () => {
    expect(zendeskMapper.recordKey(ticketRecord(DOC_TICKET))).toBe('ticket:35436');
    expect(zendeskMapper.recordKey(DOC_METRIC_EVENT)).toBe('ticket:155/metric-event:926256957613');
    expect(zendeskMapper.recordKey(DOC_RATING)).toBe('ticket:208/rating:35436');
    expect(zendeskMapper.memoryKeys?.(ticketRecord(DOC_TICKET))).toEqual(['ticket:35436']);
    expect(zendeskMapper.memoryKeys?.(DOC_METRIC_EVENT)).toEqual(['ticket:155']);
    expect(zendeskMapper.memoryKeys?.(DOC_RATING)).toEqual([]);
  });

  it('never throws, whatever the body', () => {
    const ctx = mapperContext();
    for (const body of [null, 42, 'x', [], {}, { ticket: null }, { ticket: { id: 1 } }]) {
      for (const kind of ['ticket', 'metric-event', 'rating']) expect(() => zendeskMapper.map({ kind, body }, ctx)).not.toThrow();
    }
  });
});
