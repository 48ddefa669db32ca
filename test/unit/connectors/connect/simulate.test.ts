/**
 * The simulated centre in Connect's shapes, mapped back by the Connect mapper, is the simulated centre: over a
 * simulated Monday and Tuesday (with the QA evaluations of Monday's contacts that land on Tuesday), every finished
 * contact comes back with its channel, queue, customer, reason, offer/answer/abandon times within 1 s, the answering
 * agent and the wait, each handled leg's agent with talk, hold and wrap, its resolution, its survey answers, its QA
 * evaluations; and every agent's state timeline comes back (heartbeats skipped).
 *
 * Where Connect knows more than the simulator's events, the difference is asserted, not hidden: a transferred
 * contact has a record for the transferring agent's leg too (talk = answer → transfer, wrap = their after-contact
 * work), which the simulator's events leave out, and the second leg is handled for the queue it was transferred to.
 * Complaints have no Connect record.
 */
import { describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../../shared/events.js';
import { applyToContact, legsInOrder, newContact, type ContactState } from '../../../../server/kpi/contact-state.js';
import { CentreSimulator } from '../../../../server/simulator/index.js';
import { connectFirehoseRequests, connectSimRecords, CONNECT_SIM_MAPPING, simUuid } from '../../../../server/connectors/connect/simulate.js';
import { connectRecordKind } from '../../../../server/connectors/connect/mapping.js';
import { mappingOf, mapRecords, MemoryMap } from '../../../support/connectors/connect.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 2); // Monday 2 November 2026

function fold(events: FrontlineEvent[]): Map<string, ContactState> {
  const out = new Map<string, ContactState>();
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id) || !('contactId' in e) || e.contactId === undefined) continue;
    seen.add(e.id);
    let c = out.get(e.contactId);
    if (!c) out.set(e.contactId, (c = newContact(e.contactId)));
    applyToContact(c, e);
  }
  return out;
}

/** Agent state timelines, consecutive repeats collapsed. */
function timelines(events: FrontlineEvent[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt))) {
    if (e.type !== 'agent.state') continue;
    let list = out.get(e.agentId);
    if (!list) out.set(e.agentId, (list = []));
    const item = `${Math.floor(Date.parse(e.occurredAt) / 1000)} ${e.state}`;
    if (list.at(-1)?.split(' ')[1] !== e.state) list.push(item);
  }
  return out;
}

const near = (a: number | undefined, b: number | undefined, tolMs: number) => a !== undefined && b !== undefined && Math.abs(a - b) <= tolMs;

describe('the simulated centre through Amazon Connect and back', () => {
  const sim = new CentreSimulator({ seed: 21, startMs: START, scenarios: [] });
  const simulated = sim.advanceTo(START + 2 * DAY);
  const records = connectSimRecords(simulated);
  const memory = new MemoryMap();
  const mapped = mapRecords(records.map((r) => ({ kind: r.kind, body: r.doc })), { mapping: mappingOf(CONNECT_SIM_MAPPING), memory });
  const events = mapped.flatMap((m) => m.events);

  it('maps every record, each told apart by its fields', () => {
    expect(records.length).toBeGreaterThan(10_000);
    for (const r of records) expect(connectRecordKind(r.doc)).toBe(r.kind);
    const failed = mapped.filter((m) => !m.outcome.ok);
    expect(failed.map((m) => m.outcome).slice(0, 3)).toEqual([]);
    expect(records.filter((r) => r.kind === 'evaluation').length).toBeGreaterThan(0);
  });

  it('gives back every finished contact, its legs, surveys and evaluations', () => {
    const simContacts = fold(simulated);
    const connectContacts = fold(events);
    const simEvents = new Map<string, FrontlineEvent[]>();
    for (const e of simulated) if ('contactId' in e && e.contactId !== undefined) simEvents.set(e.contactId, [...(simEvents.get(e.contactId) ?? []), e]);
    let compared = 0;
    let transferred = 0;
    let surveyed = 0;
    let evaluated = 0;
    for (const [simId, s] of simContacts) {
      const finished = s.legs.size > 0 || (s.abandonedMs !== undefined && s.answeredMs === undefined);
      const c = connectContacts.get(simUuid('contact', simId, 1));
      if (!finished || s.offeredMs === undefined) {
        expect(c?.offeredMs, `${simId} is not finished: Connect has written no record yet`).toBeUndefined();
        continue;
      }
      expect(c, simId).toBeDefined();
      if (!c) continue;
      compared++;
      const at = `contact ${simId}`;
      expect([c.channel, c.queueId, c.customerId, c.reason], at).toEqual([s.channel, s.queueId, s.customerId, s.reason]);
      expect(near(c.offeredMs, s.offeredMs, 1000), at).toBe(true);
      if (s.answeredMs !== undefined) {
        expect(c.agentId, at).toBe(s.agentId);
        expect(near(c.answeredMs, s.answeredMs, 1000), at).toBe(true);
        expect(Math.abs((c.platformWaitSeconds ?? -99) - (s.answeredMs - s.offeredMs) / 1000), at).toBeLessThanOrEqual(1);
      } else {
        expect(c.answeredMs, at).toBeUndefined();
        expect(near(c.abandonedMs, s.abandonedMs, 1000), at).toBe(true);
      }
      const simLegs = legsInOrder(s);
      const legs = legsInOrder(c);
      const transfer = simEvents.get(simId)?.find((e) => e.type === 'contact.transferred');
      if (transfer?.type === 'contact.transferred') {
        transferred++;
        // Connect's record of the transferring agent's leg: not in the simulator's events.
        expect(legs, at).toHaveLength(simLegs.length + 1);
        const first = legs[0];
        expect([first?.agentId, first?.resolved, first?.queueId], at).toEqual([transfer.fromAgentId, false, undefined]);
        expect(legs.at(-1)?.queueId, at).toBe(transfer.toQueueId);
        const t = events.find((e) => e.type === 'contact.transferred' && e.contactId === simUuid('contact', simId, 1));
        expect(t, at).toMatchObject({ fromAgentId: transfer.fromAgentId, toQueueId: transfer.toQueueId });
      } else expect(legs.length, at).toBe(simLegs.length);
      const last = legs.at(-1);
      const simLast = simLegs.at(-1);
      if (simLast) {
        expect([last?.agentId, last?.handleSeconds, last?.holdSeconds, last?.holds, last?.resolved], at).toEqual([simLast.agentId, simLast.handleSeconds, simLast.holdSeconds, simLast.holds, simLast.resolved]);
      }
      const simSurveys = [...s.surveys.values()].map((x) => x.scores);
      if (simSurveys.length > 0) surveyed++;
      expect([...c.surveys.values()].map((x) => x.scores), at).toEqual(simSurveys);
      const simQa = [...s.qa.values()].map((q) => [q.agentId, q.score]);
      if (simQa.length > 0) evaluated++;
      expect([...c.qa.values()].map((q) => [q.agentId, q.score]), at).toEqual(simQa);
    }
    expect(compared).toBeGreaterThan(3_000);
    expect(transferred).toBeGreaterThan(20);
    expect(surveyed).toBeGreaterThan(300);
    expect(evaluated).toBeGreaterThan(10);
  });

  it("keeps the survey comments and the evaluations' notes", () => {
    const simComments = simulated.filter((e) => e.type === 'survey.responded' && e.comment !== undefined).map((e) => (e as { comment: string }).comment).sort();
    const comments = events.filter((e) => e.type === 'survey.responded' && e.comment !== undefined).map((e) => (e as { comment: string }).comment);
    // The same response is delivered once per update of its record: compare distinct comments.
    expect([...new Set(comments)].sort()).toEqual([...new Set(simComments)].sort());
    const simNotes = simulated.filter((e) => e.type === 'qa.evaluated' && e.notes !== undefined).map((e) => (e as { notes: string }).notes);
    const notes = events.filter((e) => e.type === 'qa.evaluated' && e.notes !== undefined).map((e) => (e as { notes: string }).notes);
    expect(notes.sort()).toEqual(simNotes.sort());
  });

  it("gives back every agent's state timeline, skipping heartbeats", () => {
    expect(timelines(events)).toEqual(timelines(simulated));
    const heartbeats = records.filter((r) => r.kind === 'agent-event' && (r.doc as { EventType?: string }).EventType === 'HEART_BEAT').length;
    expect(heartbeats).toBeGreaterThan(1_000);
    const stateEvents = events.filter((e) => e.type === 'agent.state').length;
    expect(stateEvents).toBe(simulated.filter((e) => e.type === 'agent.state').length);
  });

  it('packs the records into Firehose delivery requests as Firehose POSTs them', () => {
    const day = simulated.filter((e) => Date.parse(e.occurredAt) < START + DAY);
    const requests = connectFirehoseRequests(day, { accessKey: 'k-1', recordsPerRequest: 400 });
    const all = connectSimRecords(day);
    expect(requests).toHaveLength(Math.ceil(all.length / 400));
    const first = requests[0];
    expect(first?.endpoint).toBe('firehose');
    expect(first?.headers).toMatchObject({ 'content-type': 'application/json', 'x-amz-firehose-access-key': 'k-1', 'x-amz-firehose-protocol-version': '1.0' });
    const body = JSON.parse(first?.body ?? '{}') as { requestId: string; timestamp: number; records: { data: string }[] };
    expect(body.requestId).toBe(first?.headers['x-amz-firehose-request-id']);
    expect(Number.isInteger(body.timestamp)).toBe(true);
    expect(body.records).toHaveLength(400);
    expect(JSON.parse(Buffer.from(body.records[0]?.data ?? '', 'base64').toString('utf8'))).toEqual(all[0]?.doc);
    const decoded = requests.flatMap((r) => (JSON.parse(r.body) as { records: { data: string }[] }).records).length;
    expect(decoded).toBe(all.length);
  });
});
