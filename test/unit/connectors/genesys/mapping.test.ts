/**
 * The Genesys Cloud mapper, on records built from the documentation (test/support/connectors/genesys.ts says which
 * pages): every event it gives is a valid contract v2 event, and
 * - a transferred call gives one leg per agent session with talk/hold/wrap from its segments and the transfer to the
 *   queue that took the caller next;
 * - the same call read while in progress, then ended, gives the same event ids with a higher revision (the final
 *   reading replaces the partial one); reading it again is the same revision (a duplicate);
 * - an abandon in the queue, a survey on the 0–10 scale, an evaluation (with a failed critical question), a malformed
 *   record and an unmapped media type.
 */
import { describe, expect, it } from 'vitest';
import { normaliseV2 } from '../../../../shared/contract-v2.js';
import { EMPTY_MAPPING, type SourceMapping } from '../../../../shared/sources.js';
import { genesysMapper } from '../../../../server/connectors/genesys/mapping.js';
import type { MapContext, MapOutcome, RawRecord } from '../../../../server/connectors/types.js';
import {
  CONV_CHAT, CONV_TRANSFER, EVAL_BOB, EVAL_CAT, Q_BILLING, Q_TECH, SURVEY_1, SURVEY_FORM, T0, TEST_MAPPING, U_ANN, U_BOB, WRAP_RESOLVED, WRAP_TRANSFERRED,
  abandonedCall, at, bobEvaluation, catEvaluation, chatConversation, malformedConversations, transferredCall, transferredCallInProgress, videoCall,
} from '../../../support/connectors/genesys.js';

const ctx = (mapping: SourceMapping = TEST_MAPPING): MapContext => ({ sourceId: 'src-genesys', mapping, memory: new Map() });
const map = (record: RawRecord, mapping?: SourceMapping): MapOutcome => genesysMapper.map(record, ctx(mapping));
const conv = (body: unknown): RawRecord => ({ kind: 'conversation', body });

function events(outcome: MapOutcome): Record<string, unknown>[] {
  if (!outcome.ok) throw new Error(`expected events, got ${outcome.reason}: ${outcome.reasons.join('; ')}`);
  // Every event is a valid contract v2 event.
  for (const e of outcome.events) {
    const v = normaliseV2(e);
    expect(v.ok, JSON.stringify(v)).toBe(true);
  }
  return outcome.events;
}

describe('Genesys Cloud conversation details → contract v2', () => {
  it('maps a call transferred between queues to one leg per agent, with the transfer to the next queue', () => {
    const out = events(map(conv(transferredCall())));
    const revision = T0 + 660_000; // conversationEnd, the latest time in the record
    const base = `genesys:${CONV_TRANSFER}`;
    expect(out.map((e) => e.type)).toEqual(['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.answered', 'contact.ended', 'survey.offered', 'survey.responded']);
    // Offered when the call entered the Billing queue (the acd participant's first segment, 20 s after the IVR).
    expect(out[0]).toEqual({
      id: `${base}:offered`, type: 'contact.offered', source: 'src-genesys', occurredAt: at(20), contactId: CONV_TRANSFER, channel: 'voice',
      queueId: 'q-billing', customerId: 'd281ff23-af8a-48da-8ce3-7a7296405d4d', revision,
    });
    // Ann (mapped by her participantName) answers at 32 s; the platform's wait is tAnswered 12 000 ms.
    expect(out[1]).toMatchObject({ type: 'contact.answered', occurredAt: at(32), agentId: 'ann', waitSeconds: 12, revision });
    // Her last interact segment ends with disconnectType "transfer"; the Technical Support acd session starts then.
    expect(out[2]).toMatchObject({ type: 'contact.transferred', occurredAt: at(272), fromAgentId: 'ann', toQueueId: 'q-tech', kind: 'transfer', revision });
    // Ann's leg: talk 120 + 90 = 210 s, hold 30 s (one hold segment), wrap 20 s; "transferred" is mapped unresolved.
    expect(out[3]).toMatchObject({
      type: 'contact.ended', occurredAt: at(292), agentId: 'ann', talkSeconds: 210, holdSeconds: 30, holdCount: 1, wrapSeconds: 20,
      resolved: false, notes: 'Broadband fault, passed to tech', revision,
    });
    expect(out[3]).not.toHaveProperty('queueId');
    // Bob (by name) answers after 28 s in Technical Support; talk 300 s, wrap 60 s, "resolved"; his leg's queue is Tech.
    expect(out[4]).toMatchObject({ type: 'contact.answered', occurredAt: at(300), agentId: 'bob', waitSeconds: 28 });
    expect(out[5]).toMatchObject({ type: 'contact.ended', occurredAt: at(660), agentId: 'bob', talkSeconds: 300, holdSeconds: 0, holdCount: 0, wrapSeconds: 60, resolved: true, queueId: 'q-tech' });
    // The web survey: offered at the end of the call, answered 9 on 0–10 (the default Genesys scale): CSAT and NPS.
    expect(out[6]).toEqual({ id: `${base}:survey-offered:${SURVEY_1}`, type: 'survey.offered', source: 'src-genesys', occurredAt: at(660), contactId: CONV_TRANSFER, programmeId: SURVEY_FORM });
    expect(out[7]).toEqual({
      id: `${base}:survey:${SURVEY_1}`, type: 'survey.responded', source: 'src-genesys', occurredAt: at(1_800), contactId: CONV_TRANSFER, programmeId: SURVEY_FORM,
      responseId: SURVEY_1, answers: [{ measure: 'csat', scale: '0-10', value: 9 }, { measure: 'nps', scale: '0-10', value: 9 }], revision: T0 + 1_800_000,
    });
    // Ids are deterministic: mapping the record again gives the same events.
    expect(events(map(conv(transferredCall())))).toEqual(out);
  });

  it('reports what the record named for the Sources page, and passes unmapped ids through unchanged', () => {
    const outcome = map(conv(transferredCall()), EMPTY_MAPPING);
    const out = events(outcome);
    expect(out[0]).toMatchObject({ queueId: Q_BILLING });
    expect(out[1]).toMatchObject({ agentId: U_ANN });
    expect(out[2]).toMatchObject({ toQueueId: Q_TECH });
    expect(outcome.seen).toEqual(expect.arrayContaining([
      { kind: 'channel', value: 'voice' },
      { kind: 'queue', value: Q_BILLING, label: 'Billing' },
      { kind: 'queue', value: Q_TECH, label: 'Technical Support' },
      { kind: 'agent', value: U_BOB, label: 'Bob Jones' },
      { kind: 'wrapCode', value: WRAP_TRANSFERRED },
      { kind: 'wrapCode', value: WRAP_RESOLVED },
    ]));
    // With no wrap-up table, both legs count as resolved (resolvedByDefault).
    expect(out.filter((e) => e.type === 'contact.ended').map((e) => e.resolved)).toEqual([true, true]);
  });

  it('replaces a reading in progress by the final one: same ids, a higher revision; a re-read is the same revision', () => {
    const partial = events(map(conv(transferredCallInProgress())));
    // At 09:03 Ann has the caller on hold: offered and answered only, revision = the hold's start (152 s).
    expect(partial.map((e) => e.type)).toEqual(['contact.offered', 'contact.answered']);
    expect(partial.every((e) => e.revision === T0 + 152_000)).toBe(true);
    const final = events(map(conv(transferredCall())));
    expect(final.slice(0, 2).map((e) => e.id)).toEqual(partial.map((e) => e.id));
    expect(final[0]?.revision).toBe(T0 + 660_000);
    expect(Number(final[0]?.revision)).toBeGreaterThan(Number(partial[0]?.revision));
    // Stored ids carry the revision: the final set is stored beside the partial one and replaces it in the figures.
    const stored = (e: Record<string, unknown>) => (normaliseV2(e) as { ok: true; event: { id: string } }).event.id;
    expect(stored(partial[0] as Record<string, unknown>)).toBe(`genesys:${CONV_TRANSFER}:offered@r${T0 + 152_000}`);
    expect(stored(final[0] as Record<string, unknown>)).toBe(`genesys:${CONV_TRANSFER}:offered@r${T0 + 660_000}`);
    // Re-delivered unchanged: identical events, so identical stored ids (duplicates).
    expect(events(map(conv(transferredCallInProgress())))).toEqual(partial);
  });

  it('maps an abandon in the queue with the platform wait (tAbandon)', () => {
    const out = events(map(conv(abandonedCall())));
    expect(out.map((e) => e.type)).toEqual(['contact.offered', 'contact.abandoned']);
    expect(out[0]).toMatchObject({ occurredAt: at(3_610), queueId: 'q-billing', channel: 'voice' });
    expect(out[1]).toMatchObject({ occurredAt: at(3_670), waitSeconds: 60, abandonedIn: 'queue', revision: T0 + 3_670_000 });
  });

  it('maps a chat whose agent has only a user id, with an unresolving wrap-up code', () => {
    const out = events(map(conv(chatConversation())));
    expect(out.map((e) => e.type)).toEqual(['contact.offered', 'contact.answered', 'contact.ended']);
    expect(out[0]).toMatchObject({ channel: 'chat', queueId: 'q-chat' });
    expect(out[1]).toMatchObject({ agentId: 'cat', waitSeconds: 5 });
    expect(out[2]).toMatchObject({ agentId: 'cat', talkSeconds: 480, holdSeconds: 0, wrapSeconds: 60, resolved: false });
  });

  it('maps a survey on the scale the source says, and refuses a score off that scale', () => {
    const five = events(map(conv(transferredCall()), { ...TEST_MAPPING, surveyScale: '1-10' }));
    expect(five.find((e) => e.type === 'survey.responded')).toMatchObject({ answers: [{ measure: 'csat', scale: '1-10', value: 9 }] });
    const c = transferredCall();
    (c.surveys?.[0] as { surveyPromoterScore: number }).surveyPromoterScore = 11;
    const bad = map(conv(c));
    expect(bad).toMatchObject({ ok: false, reason: 'malformed' });
    expect(JSON.stringify(bad)).toContain('surveyPromoterScore');
    expect(JSON.stringify(bad)).toContain('from 0 to 10; got 11');
  });

  it('maps a finished evaluation to qa.evaluated, a failed critical question included, and skips one not finished', () => {
    const bob = events(map({ kind: 'evaluation', body: bobEvaluation() }));
    expect(bob).toEqual([{
      id: `genesys:${CONV_TRANSFER}:evaluation:${EVAL_BOB}`, type: 'qa.evaluated', source: 'src-genesys', occurredAt: at(86_400), contactId: CONV_TRANSFER,
      agentId: 'bob', evaluatorId: 'f001e992-b736-49dd-bf9a-1324e1f9759e', score: 85, criticalFail: false, notes: 'Good diagnosis, clear close.',
      evaluationId: EVAL_BOB, revision: T0 + 86_400_000,
    }]);
    // Cat's names only a user id (mapped by id); anyFailedKillQuestions → criticalFail.
    expect(events(map({ kind: 'evaluation', body: catEvaluation() }))[0]).toMatchObject({ contactId: CONV_CHAT, agentId: 'cat', score: 92, criticalFail: true, evaluationId: EVAL_CAT });
    const pending = map({ kind: 'evaluation', body: { ...bobEvaluation(), status: 'INPROGRESS', answers: {} } });
    expect(pending).toMatchObject({ ok: true, events: [] });
    expect(genesysMapper.recordKey({ kind: 'evaluation', body: bobEvaluation() })).toBe(`${CONV_TRANSFER}/${EVAL_BOB}`);
  });

  it('calls a record that is not the documented shape malformed, naming the field, expected and got', () => {
    const [noStart, noParticipants] = malformedConversations();
    const a = map(conv(noStart));
    expect(a).toMatchObject({ ok: false, reason: 'malformed' });
    expect((a as { reasons: string[] }).reasons).toEqual(['participants[2].sessions[0].segments[0].segmentStart: required ISO-8601 date-time (yyyy-MM-ddTHH:mm:ss[.mmm]Z) is missing']);
    const b = map(conv(noParticipants));
    expect((b as { reasons: string[] }).reasons).toEqual(['participants: expected an array of participants, got string "none"']);
    expect(map(conv(null))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(map({ kind: 'user', body: {} })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(map({ kind: 'evaluation', body: { id: 'e', conversation: { id: 'c' }, agent: { id: 'u' }, status: 'FINISHED', answers: { totalScore: 'high' } } })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(genesysMapper.recordKey(conv(noStart))).toBe(CONV_CHAT);
  });

  it('calls a media type the source has no channel for unmapped, and strict agents name the agent', () => {
    const v = map(conv(videoCall()));
    expect(v).toMatchObject({ ok: false, reason: 'unmapped' });
    expect((v as { reasons: string[] }).reasons[0]).toContain('channel "video" is not mapped');
    // A mapping fixes it (then a replay maps it).
    expect(events(map(conv(videoCall()), { ...TEST_MAPPING, channels: { video: 'voice' } }))[0]).toMatchObject({ channel: 'voice' });
    const strict = map(conv(chatConversation()), { ...TEST_MAPPING, agents: {}, strictAgents: true });
    expect(strict).toMatchObject({ ok: false, reason: 'unmapped' });
    expect(JSON.stringify(strict)).toContain('a845c325-d129-40b2-bf7e-12e4584892c2');
  });

  it('gives no events for conversations that never reached a queue (outbound, IVR only)', () => {
    const outbound = { ...chatConversation(), originatingDirection: 'outbound' };
    expect(map(conv(outbound))).toMatchObject({ ok: true, events: [] });
    const ivrOnly = abandonedCall();
    ivrOnly.participants = ivrOnly.participants.filter((p) => p.purpose !== 'acd');
    const r = map(conv(ivrOnly));
    expect(r).toMatchObject({ ok: true, events: [] });
    expect((r as { warnings?: string[] }).warnings?.[0]).toContain('never entered a queue');
  });
});
