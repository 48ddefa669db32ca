/**
 * Round trip over one simulated day: the simulator's events → TaskRouter callbacks (simulate.ts, signed as Twilio
 * signs them) → the Twilio mapper → events equivalent to the simulated ones: the same contacts, channels, queues,
 * customers (one pseudonym per simulated customer), answering agents and waits, transfers, abandons and waits, each
 * handled leg's agent, talk, hold and wrap within 1 s and resolution, survey answers, and agent states (Flex keeps a
 * worker Available while on a task, so the simulator's busy and wrap read as available).
 *
 * What differs, by Twilio's nature: the agent who handed a contact over has a leg of their own (their task completes:
 * the simulator counts only the last leg); on email and messaging, "answered" is when the agent accepted the task
 * (TaskRouter has no first-reply event), where the simulator answers at the first reply; QA evaluations and complaints
 * have no TaskRouter event.
 */
import { describe, expect, it } from 'vitest';
import { ASYNC_CHANNELS, type FrontlineEvent } from '../../../../shared/events.js';
import { sourceMapping } from '../../../../shared/sources.js';
import { CentreSimulator, defaultCentreDirectory } from '../../../../server/simulator/index.js';
import { twilioMapper } from '../../../../server/connectors/twilio/mapping.js';
import { formParams, validTwilioSignature } from '../../../../server/connectors/twilio/signature.js';
import { simulatedTaskSid, twilioTaskRouterRequests } from '../../../../server/connectors/twilio/simulate.js';
import type { MapOutcome, RawRecord } from '../../../../server/connectors/types.js';

const DAY = 86_400_000;
const URL = 'https://frontline.example.com/api/v1/sources/src-sim/push/taskrouter';
const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
type Ev = Record<string, unknown>;
type Of<T extends FrontlineEvent['type']> = Extract<FrontlineEvent, { type: T }>;

describe('the simulated centre as Twilio Flex reports it', () => {
  const start = Date.UTC(2026, 10, 2);
  const sim = new CentreSimulator({ seed: 16, startMs: start, directory: defaultCentreDirectory() });
  const events = sim.advanceTo(start + DAY);
  const requests = twilioTaskRouterRequests(events, { authToken: TOKEN, url: URL, accountSid: 'AC0123456789abcdef0123456789abcdef' });

  it('signs every callback for the source URL, in time order', () => {
    expect(requests.length).toBeGreaterThan(10_000);
    let last = 0;
    for (const r of requests) {
      const p = formParams(r.body) as Record<string, string>;
      expect(validTwilioSignature(TOKEN, r.headers['x-twilio-signature'], URL, p)).toBe(true);
      expect(p.WorkerSid === undefined || /^WK[0-9a-f]{32}$/.test(p.WorkerSid)).toBe(true);
      const ms = Number(p.TimestampMs);
      expect(ms).toBeGreaterThanOrEqual(last);
      last = ms;
    }
  });

  it('maps back to the simulated contacts, legs, surveys and states', () => {
    const memory = new Map<string, unknown>();
    const mapping = sourceMapping.parse({ wrapCodes: { Resolved: true, 'Not resolved': false, Transferred: false } });
    const records: RawRecord[] = requests.map((r) => ({ kind: 'taskrouter', body: formParams(r.body) }));
    const t0 = performance.now();
    const outcomes: MapOutcome[] = records.map((record) => twilioMapper.map(record, { sourceId: 'src-sim', mapping, memory: { get: (k) => memory.get(k), set: (k, v) => void memory.set(k, v) } }));
    const perSecond = Math.round(records.length / ((performance.now() - t0) / 1000));
    console.log(`twilio mapper: ${records.length} TaskRouter callbacks mapped at ${perSecond} records/s`);
    for (const o of outcomes) expect(o.ok, JSON.stringify(o)).toBe(true);

    // Settle: each contact's highest revision; each survey's latest; every state change.
    const contacts = new Map<string, { rev: number; events: Map<string, Ev> }>();
    const surveys = new Map<string, Ev>();
    const states: Ev[] = [];
    for (const o of outcomes) {
      if (!o.ok) continue;
      for (const e of o.events) {
        if (e.type === 'agent.state') states.push(e);
        else if (e.type === 'survey.responded') surveys.set(String(e.id), e);
        else {
          const held = contacts.get(String(e.contactId));
          const rev = e.revision as number;
          if (!held || held.rev < rev) contacts.set(String(e.contactId), { rev, events: new Map([[String(e.id), e]]) });
          else if (held.rev === rev) held.events.set(String(e.id), e);
        }
      }
    }
    const mapped = (contactId: string) => [...(contacts.get(simulatedTaskSid(contactId))?.events.values() ?? [])];
    const one = (list: Ev[], type: string) => list.filter((e) => e.type === type);

    const byContact = new Map<string, FrontlineEvent[]>();
    for (const e of events) {
      if (!('contactId' in e) || e.contactId === undefined) continue;
      let list = byContact.get(e.contactId);
      if (!list) byContact.set(e.contactId, (list = []));
      list.push(e);
    }
    const customers = new Map<string, string>();
    let compared = { contacts: 0, legs: 0, transfers: 0, abandons: 0, surveys: 0 };
    for (const [contactId, simEvents] of byContact) {
      const offered = simEvents.find((e): e is Of<'contact.offered'> => e.type === 'contact.offered');
      if (!offered) continue;
      compared.contacts++;
      const got = mapped(contactId);
      const gotOffered = one(got, 'contact.offered');
      expect(gotOffered, contactId).toEqual([expect.objectContaining({ occurredAt: offered.occurredAt, channel: offered.channel, queueId: offered.queueId })]);
      // One pseudonym per simulated customer, and the other way round.
      const pseudo = String(gotOffered[0]?.customerId);
      expect(customers.get(offered.customerId ?? '') ?? pseudo).toBe(pseudo);
      customers.set(offered.customerId ?? '', pseudo);

      const answered = simEvents.filter((e): e is Of<'contact.answered'> => e.type === 'contact.answered');
      const transferred = simEvents.filter((e): e is Of<'contact.transferred'> => e.type === 'contact.transferred');
      const gotAnswered = one(got, 'contact.answered');
      if (!ASYNC_CHANNELS.includes(offered.channel) && answered[0]) {
        expect(gotAnswered, contactId).toEqual([expect.objectContaining({ agentId: answered[0].agentId, occurredAt: answered[0].occurredAt })]);
      }
      const gotTransfers = one(got, 'contact.transferred');
      expect(gotTransfers.map((e) => [e.fromAgentId, e.toQueueId])).toEqual(transferred.map((e) => [e.fromAgentId, e.toQueueId]));
      compared.transfers += transferred.length;

      const abandoned = simEvents.find((e) => e.type === 'contact.abandoned');
      if (abandoned) {
        compared.abandons++;
        const wait = (Date.parse(abandoned.occurredAt) - Date.parse(offered.occurredAt)) / 1000;
        expect(one(got, 'contact.abandoned'), contactId).toEqual([expect.objectContaining({ occurredAt: abandoned.occurredAt, abandonedIn: 'queue' })]);
        expect(Math.abs((one(got, 'contact.abandoned')[0]?.waitSeconds as number) - wait)).toBeLessThanOrEqual(1);
      } else {
        expect(one(got, 'contact.abandoned')).toEqual([]);
      }

      const ended = simEvents.find((e): e is Of<'contact.ended'> => e.type === 'contact.ended');
      const gotLegs = one(got, 'contact.ended');
      if (ended) {
        compared.legs++;
        const leg = gotLegs.find((e) => e.agentId === ended.agentId && e.occurredAt === ended.occurredAt);
        expect(leg, `${contactId} leg of ${ended.agentId}`).toBeDefined();
        expect(Math.abs((leg?.talkSeconds as number) - ended.talkSeconds)).toBeLessThanOrEqual(1);
        expect(Math.abs((leg?.holdSeconds as number) - ended.holdSeconds)).toBeLessThanOrEqual(1);
        expect(Math.abs((leg?.wrapSeconds as number) - ended.wrapSeconds)).toBeLessThanOrEqual(1);
        expect(leg?.resolved).toBe(ended.resolved);
      }
      // Any other leg is the handing-over agent's, one per transfer.
      const extra = gotLegs.filter((e) => !(ended && e.agentId === ended.agentId && e.occurredAt === ended.occurredAt));
      expect(extra.map((e) => e.agentId).sort()).toEqual(transferred.filter((t) => gotLegs.some((l) => l.agentId === t.fromAgentId)).map((t) => t.fromAgentId).sort());
      if (!ended) expect(gotLegs.filter((e) => !transferred.some((t) => t.fromAgentId === e.agentId))).toEqual([]);

      for (const s of simEvents.filter((e): e is Of<'survey.responded'> => e.type === 'survey.responded')) {
        compared.surveys++;
        const got = [...surveys.values()].find((x) => x.contactId === simulatedTaskSid(contactId) && x.occurredAt === s.occurredAt);
        const expected: Ev[] = [];
        if (s.csat !== undefined) expected.push({ measure: 'csat', scale: '1-5', value: s.csat });
        if (s.nps !== undefined) expected.push({ measure: 'nps', scale: '0-10', value: s.nps });
        if (s.resolved !== undefined) expected.push({ measure: 'resolved', scale: 'yes-no', value: s.resolved ? 'yes' : 'no' });
        expect(got?.answers, contactId).toEqual(expected);
        expect(got?.comment).toBe(s.comment);
      }
    }
    // The same number of contacts, none made up.
    expect(contacts.size).toBe(compared.contacts);
    expect(new Set(customers.values()).size).toBe(customers.size);
    compared = { ...compared };
    expect(compared.contacts).toBeGreaterThan(1000);
    expect(compared.legs).toBeGreaterThan(500);
    expect(compared.transfers).toBeGreaterThan(5);
    expect(compared.abandons).toBeGreaterThan(5);
    expect(compared.surveys).toBeGreaterThan(50);

    // Agent states: the simulator's, busy and wrap read as available, repeats folded.
    const fold = (list: [string, string][]) => list.filter((x, i) => i === 0 || x[1] !== list[i - 1]?.[1]);
    const simStates = new Map<string, [string, string][]>();
    for (const e of events) if (e.type === 'agent.state') {
      const list = simStates.get(e.agentId) ?? [];
      list.push([e.occurredAt, e.state === 'busy' || e.state === 'wrap' ? 'available' : e.state]);
      simStates.set(e.agentId, list);
    }
    for (const [agentId, list] of simStates) {
      const got = states.filter((e) => e.agentId === agentId).map((e): [string, string] => [String(e.occurredAt), String(e.state)]);
      expect(got, agentId).toEqual(fold(list));
    }
  });
});
