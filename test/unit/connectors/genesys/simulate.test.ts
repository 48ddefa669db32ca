/**
 * The simulated centre as Genesys Cloud records, mapped back (the round trip that makes `simulate --as genesys`, the
 * bench and the end-to-end test meaningful): over one simulated weekday, the mapper applied to genesysConversations()
 * and genesysEvaluations() gives back the simulated contacts — same contacts, channels, queues, customers, agents,
 * answer and transfer times, talk/hold/wrap within a second, resolved, survey satisfaction, evaluation scores.
 *
 * What differs, by the platform's shape (simulate.ts says why): a leg that transferred the customer on is a leg in
 * Genesys (talk = answer → transfer, no after-call work), where the simulator emits only the transfer; every survey is
 * also a survey.offered; CSAT 1–5 travels as the 0–10 survey score (satisfaction unchanged).
 */
import { describe, expect, it } from 'vitest';
import { normaliseV2 } from '../../../../shared/contract-v2.js';
import type { EventOf, FrontlineEvent } from '../../../../shared/events.js';
import { genesysMapper, type GenesysConversation } from '../../../../server/connectors/genesys/mapping.js';
import {
  CSAT_AS_0_10, conversationAsOf, genesysConversationId, genesysConversations, genesysEvaluations, genesysSimMapping, simUuid,
} from '../../../../server/connectors/genesys/simulate.js';
import type { MapContext } from '../../../../server/connectors/types.js';
import { CentreSimulator, defaultCentreDirectory } from '../../../../server/simulator/index.js';

const HOUR = 3_600_000;
/** Tuesday 3 November 2026, midnight UTC: a full weekday, simulated up to 22:00 (the centre closes at 20:00). */
const START = Date.UTC(2026, 10, 3);
const END = START + 22 * HOUR;

describe('the simulated centre through Genesys Cloud records and back', () => {
  const directory = defaultCentreDirectory();
  const sim = new CentreSimulator({ seed: 16, startMs: START, directory });
  // A QA evaluation comes a day or two after its contact: simulate on, keeping only those of this day's contacts.
  const day = sim.advanceTo(END);
  const later = sim.advanceTo(END + 4 * 24 * HOUR);
  const dayContacts = new Set(day.filter((e) => e.type === 'contact.offered').map((e) => (e).contactId));
  const events: FrontlineEvent[] = [...day, ...later.filter((e) => (e.type === 'qa.evaluated' || e.type === 'survey.responded') && dayContacts.has(e.contactId))];
  const ctx: MapContext = { sourceId: 'sim-genesys', mapping: genesysSimMapping(directory), memory: new Map() };

  const conversations = genesysConversations(events);
  const evaluations = genesysEvaluations(events);
  const mapped: Record<string, unknown>[] = [];
  for (const body of conversations) {
    const r = genesysMapper.map({ kind: 'conversation', body }, ctx);
    if (!r.ok) throw new Error(`${body.conversationId}: ${r.reasons.join('; ')}`);
    mapped.push(...r.events);
  }
  for (const body of evaluations) {
    const r = genesysMapper.map({ kind: 'evaluation', body }, ctx);
    if (!r.ok) throw new Error(`${body.id}: ${r.reasons.join('; ')}`);
    mapped.push(...r.events);
  }
  const ofType = <T extends FrontlineEvent['type']>(list: readonly FrontlineEvent[], type: T) => list.filter((e): e is EventOf<T> => e.type === type);
  const mappedOf = (type: string, contactId: string) => mapped.filter((e) => e.type === type && e.contactId === contactId);

  it('gives valid contract v2 events, with platform-looking ids', () => {
    expect(conversations.length).toBeGreaterThan(1_000);
    for (const e of mapped) expect(normaliseV2(e).ok, JSON.stringify(e)).toBe(true);
    const c = conversations[0] as GenesysConversation;
    expect(c.conversationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const agent = c.participants.find((p) => p.purpose === 'agent');
    if (agent) {
      expect(agent.userId).toMatch(/^[0-9a-f-]{36}$/);
      expect(directory.agents.map((a) => a.id)).toContain(agent.participantName);
    }
  });

  it('gives back every contact: channel, queue, customer, answers, transfers, abandons', () => {
    let checked = 0;
    for (const o of ofType(events, 'contact.offered')) {
      const cid = genesysConversationId(o.contactId);
      const [offered] = mappedOf('contact.offered', cid);
      expect(offered, o.contactId).toMatchObject({ channel: o.channel, queueId: o.queueId, occurredAt: o.occurredAt, customerId: simUuid(`customer:${o.customerId ?? ''}`) });
      const simAnswers = ofType(events, 'contact.answered').filter((e) => e.contactId === o.contactId);
      expect(mappedOf('contact.answered', cid).map((e) => [e.agentId, e.occurredAt]), o.contactId).toEqual(simAnswers.map((e) => [e.agentId, e.occurredAt]));
      const simTransfers = ofType(events, 'contact.transferred').filter((e) => e.contactId === o.contactId);
      expect(mappedOf('contact.transferred', cid).map((e) => [e.fromAgentId, e.toQueueId, e.occurredAt]), o.contactId).toEqual(simTransfers.map((e) => [e.fromAgentId, e.toQueueId, e.occurredAt]));
      const simAbandon = ofType(events, 'contact.abandoned').find((e) => e.contactId === o.contactId);
      const abandon = mappedOf('contact.abandoned', cid);
      if (simAbandon) {
        expect(abandon, o.contactId).toHaveLength(1);
        expect(abandon[0]).toMatchObject({ occurredAt: simAbandon.occurredAt, abandonedIn: 'queue' });
        expect(abandon[0]?.waitSeconds).toBeCloseTo((Date.parse(simAbandon.occurredAt) - Date.parse(o.occurredAt)) / 1000, 3);
      } else expect(abandon).toHaveLength(0);
      checked++;
    }
    expect(checked).toBe(conversations.length);
    expect(ofType(events, 'contact.transferred').length).toBeGreaterThan(5);
    expect(ofType(events, 'contact.abandoned').length).toBeGreaterThan(5);
  });

  it("gives back each handled leg's talk, hold and wrap within a second, and whether it was resolved", () => {
    const simEnded = ofType(events, 'contact.ended');
    expect(simEnded.length).toBeGreaterThan(1_000);
    for (const e of simEnded) {
      const cid = genesysConversationId(e.contactId);
      const legs = mappedOf('contact.ended', cid);
      const transfer = ofType(events, 'contact.transferred').find((x) => x.contactId === e.contactId);
      expect(legs, e.contactId).toHaveLength(transfer ? 2 : 1);
      const leg = legs.at(-1) as Record<string, number | string | boolean>;
      expect(leg.agentId).toBe(e.agentId);
      expect(Math.abs(Number(leg.talkSeconds) - e.talkSeconds)).toBeLessThanOrEqual(1);
      expect(Math.abs(Number(leg.holdSeconds) - e.holdSeconds)).toBeLessThanOrEqual(1);
      expect(Math.abs(Number(leg.wrapSeconds) - e.wrapSeconds)).toBeLessThanOrEqual(1);
      expect(leg.resolved).toBe(e.resolved);
      expect(leg.occurredAt).toBe(e.occurredAt);
      if (transfer) {
        // The leg before the transfer, which the simulator does not emit: answer → transfer, no hold, no wrap.
        const answered = ofType(events, 'contact.answered').find((x) => x.contactId === e.contactId && x.agentId === transfer.fromAgentId);
        expect(legs[0]).toMatchObject({ agentId: transfer.fromAgentId, holdSeconds: 0, wrapSeconds: 0, resolved: true });
        expect(legs[0]?.talkSeconds).toBeCloseTo((Date.parse(transfer.occurredAt) - Date.parse(answered?.occurredAt ?? '')) / 1000, 3);
      }
    }
  });

  it('gives back every survey (satisfaction unchanged on 0–10) and every evaluation', () => {
    const surveys = ofType(events, 'survey.responded');
    expect(surveys.length).toBeGreaterThan(20);
    for (const s of surveys) {
      const got = mappedOf('survey.responded', genesysConversationId(s.contactId));
      expect(got, s.contactId).toHaveLength(1);
      const value = CSAT_AS_0_10[s.csat ?? 0];
      expect(got[0]).toMatchObject({ occurredAt: s.occurredAt, answers: [{ measure: 'csat', scale: '0-10', value }, { measure: 'nps', scale: '0-10', value }] });
      // Satisfied is 4–5 of 5 and 8–10 of 10.
      expect(Number(value) >= 8).toBe((s.csat ?? 0) >= 4);
      expect(mappedOf('survey.offered', genesysConversationId(s.contactId))).toHaveLength(1);
    }
    const qa = ofType(events, 'qa.evaluated');
    expect(qa.length).toBeGreaterThan(5);
    for (const q of qa) {
      const got = mappedOf('qa.evaluated', genesysConversationId(q.contactId));
      expect(got, q.contactId).toContainEqual(expect.objectContaining({ agentId: q.agentId, evaluatorId: simUuid(`user:${q.evaluatorId}`), score: q.score, criticalFail: q.criticalFail, occurredAt: q.occurredAt }));
    }
  });

  it('shows a conversation as it stood at an instant: in progress, then ended (the final reading revises the partial one)', () => {
    const transferred = ofType(events, 'contact.transferred')[0] as EventOf<'contact.transferred'>;
    const full = conversations.find((c) => c.conversationId === genesysConversationId(transferred.contactId)) as GenesysConversation;
    const mid = conversationAsOf(full, Date.parse(transferred.occurredAt) - 1_000) as GenesysConversation;
    expect(mid.conversationEnd).toBeUndefined();
    const partial = genesysMapper.map({ kind: 'conversation', body: mid }, ctx);
    const final = genesysMapper.map({ kind: 'conversation', body: full }, ctx);
    if (!partial.ok || !final.ok) throw new Error('expected both readings to map');
    // Mid-call: offered and answered, no leg ended yet; the final reading has a higher revision on the same ids.
    expect(partial.events.map((e) => e.type)).toEqual(['contact.offered', 'contact.answered']);
    expect(Number(final.events[0]?.revision)).toBeGreaterThan(Number(partial.events[0]?.revision));
    expect(final.events.slice(0, 2).map((e) => e.id)).toEqual(partial.events.map((e) => e.id));
    expect(conversationAsOf(full, Date.parse(full.conversationStart) - 1)).toBeUndefined();
  });
});
