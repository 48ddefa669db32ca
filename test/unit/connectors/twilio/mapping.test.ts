/**
 * The Twilio Flex mapper, from records built from Twilio's documentation (test/support/connectors/twilio.ts):
 * a handled call rebuilt from its callbacks (talk, hold, wrap from event times and conversations.hold_time), a
 * re-delivered callback (duplicates), a task updated after completion (a higher revision replaces the contact),
 * callbacks out of order, a transfer (a new task of the same Flex Insights conversation), a survey on the source's
 * scale arriving before its contact, an abandon, Event Streams CloudEvents, worker activities (a custom one unmapped
 * until mapped) and malformed records.
 */
import { describe, expect, it } from 'vitest';
import { normaliseV2 } from '../../../../shared/contract-v2.js';
import { sourceMapping, type SourceMapping } from '../../../../shared/sources.js';
import { twilioMapper } from '../../../../server/connectors/twilio/mapping.js';
import type { MapOutcome, MapperMemory, RawRecord } from '../../../../server/connectors/types.js';
import {
  activity,
  asCloudEvent,
  at,
  C1,
  C2,
  C2B,
  C3,
  C4,
  EXAMPLE_MAPPING,
  exampleRecords,
  handledTask,
  QUEUES,
  reservation,
  surveyTask,
  taskEvent,
  tr,
  callback,
  WORKERS,
} from '../../../support/connectors/twilio.js';

type Ev = Record<string, unknown>;

class MemoryMap implements MapperMemory {
  readonly map = new Map<string, unknown>();
  get(key: string): unknown {
    return this.map.get(key);
  }
  set(key: string, value: unknown): void {
    if (value === undefined) this.map.delete(key);
    else this.map.set(key, value);
  }
}

function mapper(mappingInput: Partial<SourceMapping> = EXAMPLE_MAPPING) {
  const memory = new MemoryMap();
  const mapping = sourceMapping.parse(mappingInput);
  const outcomes: MapOutcome[] = [];
  const map = (record: RawRecord): MapOutcome => {
    // The core loads the keys memoryKeys names before mapping: the mapper must name every key it reads.
    const keys = new Set(twilioMapper.memoryKeys?.(record) ?? []);
    const view: MapperMemory = {
      get: (k) => {
        expect(keys.has(k), `memory key ${k} read but not named by memoryKeys`).toBe(true);
        return memory.get(k);
      },
      set: (k, v) => memory.set(k, v),
    };
    const out = twilioMapper.map(record, { sourceId: 'src-twilio', mapping, memory: view });
    outcomes.push(out);
    return out;
  };
  return { memory, map, outcomes };
}

function eventsOf(out: MapOutcome): Ev[] {
  expect(out.ok, JSON.stringify(out)).toBe(true);
  return out.ok ? out.events : [];
}

/** What a contact amounts to once every event is in: its highest revision's lifecycle, its surveys' latest revisions. */
function settle(outcomes: MapOutcome[]): { lifecycle: Map<string, Ev[]>; surveys: Map<string, Ev>; states: Ev[] } {
  const lifecycle = new Map<string, { rev: number; events: Map<string, Ev> }>();
  const surveys = new Map<string, Ev>();
  const states: Ev[] = [];
  for (const out of outcomes) {
    if (!out.ok) continue;
    for (const e of out.events) {
      if (e.type === 'agent.state') {
        states.push(e);
      } else if (e.type === 'survey.responded') {
        const key = `${String(e.contactId)}:${String(e.responseId)}`;
        const held = surveys.get(key);
        if (!held || (held.revision as number) <= (e.revision as number)) surveys.set(key, e);
      } else {
        const c = String(e.contactId);
        const rev = e.revision as number;
        const held = lifecycle.get(c);
        if (!held || held.rev < rev) lifecycle.set(c, { rev, events: new Map([[String(e.id), e]]) });
        else if (held.rev === rev) held.events.set(String(e.id), e);
      }
    }
  }
  return { lifecycle: new Map([...lifecycle].map(([c, x]) => [c, [...x.events.values()]])), surveys, states };
}

const iso = (ms: number) => new Date(ms).toISOString();
const byType = (events: Ev[], type: string) => events.filter((e) => e.type === type);

describe('a handled call rebuilt from its TaskRouter callbacks', () => {
  it('gives offered, answered and the leg with talk, hold and wrap from the event times', () => {
    const { map, outcomes } = mapper();
    const records = handledTask(C1, 'ann', { accepted: 12, wrapup: 312, completed: 352 }, { outcome: 'Resolved', hold_time: 20 });
    records.forEach(map);
    const last = eventsOf(outcomes.at(-1) as MapOutcome);
    // Every event is valid contract v2.
    for (const e of last) expect(normaliseV2(e).ok, JSON.stringify(normaliseV2(e))).toBe(true);
    const offered = byType(last, 'contact.offered')[0];
    expect(offered).toMatchObject({ id: `twilio:${C1.sid}:offered`, contactId: C1.sid, channel: 'voice', queueId: 'billing', occurredAt: iso(at(0)), source: 'src-twilio' });
    expect(String(offered?.customerId)).toMatch(/^twilio-cust:[0-9a-f]{32}$/);
    // The caller's number is never in an event.
    expect(JSON.stringify(last)).not.toContain('+441134960001');
    expect(byType(last, 'contact.answered')[0]).toMatchObject({ agentId: 'ann', occurredAt: iso(at(12)) });
    // Talk + hold = wrapup − accepted = 312 − 12 = 300 s, of which hold_time 20; wrap = 352 − 312 = 40 s.
    expect(byType(last, 'contact.ended')[0]).toMatchObject({ agentId: 'ann', talkSeconds: 280, holdSeconds: 20, wrapSeconds: 40, resolved: true, occurredAt: iso(at(352)) });
    // One revision for the whole set: the completion's TimestampMs.
    expect(new Set(last.map((e) => e.revision))).toEqual(new Set([at(352)]));
    // Seen values for the Sources page: the worker and the queue by SID with their names, the channel, the outcome.
    const seen = (outcomes.at(-1) as Extract<MapOutcome, { ok: true }>).seen ?? [];
    expect(seen).toEqual(expect.arrayContaining([
      { kind: 'agent', value: WORKERS.ann, label: 'ann' },
      { kind: 'queue', value: QUEUES.billing, label: 'billing' },
      { kind: 'channel', value: 'voice' },
      { kind: 'wrapCode', value: 'Resolved' },
    ]));
  });

  it('answers a re-delivered callback with the same events under the same revision (duplicates)', () => {
    const { map, memory } = mapper();
    const records = handledTask(C1, 'ann', { accepted: 12, wrapup: 312, completed: 352 }, { outcome: 'Resolved', hold_time: 20 });
    const first = records.map(map).at(-1) as MapOutcome;
    const snapshot = JSON.stringify([...memory.map]);
    const again = map(records[3] as RawRecord);
    expect(eventsOf(again)).toEqual(eventsOf(first));
    expect(JSON.stringify([...memory.map])).toBe(snapshot);
  });

  it('replaces the contact by a later revision when the task is updated after it completed, and a late callback changes nothing', () => {
    const { map, outcomes } = mapper();
    const records = handledTask(C1, 'ann', { accepted: 12, wrapup: 312, completed: 352 }, { outcome: 'Resolved', hold_time: 20 });
    records.forEach(map);
    const updated = map(taskEvent('task.updated', C1, at(400), { attributes: { ...C1.attributes, conversations: { outcome: 'Callback needed', hold_time: 20 } } }));
    const ended = byType(eventsOf(updated), 'contact.ended')[0];
    // Same ids, a higher revision (the update's time), unresolved ('Callback needed' is mapped to false).
    expect(String(ended?.id)).toMatch(new RegExp(`^twilio:${C1.sid}:ended:WR[0-9a-f]{32}$`));
    expect(ended).toMatchObject({ resolved: false, revision: at(400) });
    // The completion callback re-delivered late: it says nothing new, so the contact stays at the later revision.
    const late = map(records[5] as RawRecord);
    expect(byType(eventsOf(late), 'contact.ended')[0]).toMatchObject({ resolved: false, revision: at(400) });
    const settled = settle(outcomes).lifecycle.get(C1.sid) ?? [];
    expect(byType(settled, 'contact.ended')).toHaveLength(1);
    expect(byType(settled, 'contact.ended')[0]).toMatchObject({ resolved: false, talkSeconds: 280 });
  });

  it('rebuilds the same contact whatever order the callbacks arrive in', () => {
    const records = handledTask(C1, 'ann', { accepted: 12, wrapup: 312, completed: 352 }, { outcome: 'Resolved', hold_time: 20 });
    const inOrder = mapper();
    records.forEach(inOrder.map);
    const shuffled = mapper();
    [records[5], records[3], records[0], records[4], records[2], records[1]].forEach((r) => shuffled.map(r as RawRecord));
    const strip = (events: Ev[]) => events.map(({ revision: _r, ...rest }) => rest).sort((a, b) => String(a.id).localeCompare(String(b.id)));
    expect(strip(settle(shuffled.outcomes).lifecycle.get(C1.sid) ?? [])).toEqual(strip(settle(inOrder.outcomes).lifecycle.get(C1.sid) ?? []));
    // Out of order, the revisions still only go up.
    const revs = shuffled.outcomes.map((o) => (o.ok ? (o.events[0]?.revision as number | undefined) : undefined)).filter((r) => r !== undefined);
    expect([...revs].sort((a, b) => a - b)).toEqual(revs);
  });

  it('takes the creation time from TaskAge when task.created was never received', () => {
    const { map } = mapper();
    const records = handledTask(C1, 'ann', { accepted: 12, wrapup: 312, completed: 352 }, { outcome: 'Resolved' });
    // The reservation.accepted callback alone: TaskAge 12 at 12 s → created at 0 s.
    const out = eventsOf(map(records[3] as RawRecord));
    expect(byType(out, 'contact.offered')[0]).toMatchObject({ occurredAt: iso(at(0)), queueId: 'billing' });
  });
});

describe('a transfer: a new task of the same Flex Insights conversation', () => {
  it('is a transfer from the first agent to the new queue, with a leg per worker', () => {
    const { map, outcomes } = mapper();
    const c2 = handledTask(C2, 'bob', { accepted: 630, wrapup: 870, completed: 900 }, { outcome: 'Transferred', hold_time: 0 });
    const c2b = handledTask(C2B, 'cat', { accepted: 910, wrapup: 1210, completed: 1270 }, { outcome: 'Resolved', hold_time: 10 });
    [...c2.slice(0, 4), ...c2b.slice(0, 2), ...c2.slice(4), ...c2b.slice(2)].forEach(map);
    // Both tasks' records name the same memory key: C2's conversation.
    expect(twilioMapper.memoryKeys?.(c2b[0] as RawRecord)).toEqual([`contact:${C2.sid}`]);
    const events = settle(outcomes).lifecycle.get(C2.sid) ?? [];
    expect(byType(events, 'contact.offered')).toEqual([expect.objectContaining({ queueId: 'billing', occurredAt: iso(at(600)) })]);
    expect(byType(events, 'contact.answered')).toEqual([expect.objectContaining({ agentId: 'bob', occurredAt: iso(at(630)) })]);
    expect(byType(events, 'contact.transferred')).toEqual([expect.objectContaining({ fromAgentId: 'bob', toQueueId: 'tech', kind: 'transfer', occurredAt: iso(at(870)) })]);
    const legs = byType(events, 'contact.ended');
    // Bob: talk 870 − 630 = 240, wrap 900 − 870 = 30, not resolved (Transferred). Cat: 1210 − 910 = 300 less hold 10,
    // wrap 60, resolved, for the tech queue.
    expect(legs).toEqual(expect.arrayContaining([
      expect.objectContaining({ agentId: 'bob', talkSeconds: 240, holdSeconds: 0, wrapSeconds: 30, resolved: false }),
      expect.objectContaining({ agentId: 'cat', talkSeconds: 290, holdSeconds: 10, wrapSeconds: 60, resolved: true, queueId: 'tech' }),
    ]));
    expect(legs).toHaveLength(2);
    for (const e of events) expect(normaliseV2(e).ok).toBe(true);
  });

  it('is a transfer to the agent when a second worker accepts the same task, each leg ending at the handover', () => {
    const { map, outcomes } = mapper();
    const [created, queued, , annAccepts, wrapup, completed] = handledTask(C1, 'ann', { accepted: 12, wrapup: 400, completed: 430 }, { outcome: 'Resolved' });
    const bobAccepts = reservation('reservation.accepted', C1, at(200), 'bob', 'WR00000000000000000000000000000b0b');
    [created, queued, annAccepts, bobAccepts, wrapup, completed].forEach((r) => map(r as RawRecord));
    const events = settle(outcomes).lifecycle.get(C1.sid) ?? [];
    expect(byType(events, 'contact.transferred')).toEqual([expect.objectContaining({ fromAgentId: 'ann', toAgentId: 'bob', occurredAt: iso(at(200)) })]);
    // Ann: 12 → 200 talking, no wrap of her own; Bob: 200 → 400 talking, 400 → 430 wrap-up.
    expect(byType(events, 'contact.ended')).toEqual(expect.arrayContaining([
      expect.objectContaining({ agentId: 'ann', talkSeconds: 188, wrapSeconds: 0, occurredAt: iso(at(200)) }),
      expect.objectContaining({ agentId: 'bob', talkSeconds: 200, wrapSeconds: 30, occurredAt: iso(at(430)) }),
    ]));
  });

  it('is a transfer out of the centre when Flex Insights says followed_by External Transfer', () => {
    const { map } = mapper();
    const records = handledTask(C1, 'ann', { accepted: 12, wrapup: 200, completed: 230 }, { outcome: 'Transferred', followed_by: 'External Transfer', destination: '+441134960999' });
    const last = eventsOf(records.map(map).at(-1) as MapOutcome);
    expect(byType(last, 'contact.transferred')).toEqual([expect.objectContaining({ fromAgentId: 'ann', toExternal: '+441134960999', occurredAt: iso(at(200)) })]);
  });
});

describe('surveys', () => {
  it("reads the survey task's answer on the source's scale, and sends it before its contact has arrived", () => {
    const { map } = mapper({ ...EXAMPLE_MAPPING, surveyScale: '0-10' });
    const [created, cancel] = surveyTask(C3.sid, at(3000), { csat: 9, nps: 9, resolved: 'yes', comment: 'Quick and kind.', response_id: 'SR-9' });
    const out = eventsOf(map(created as RawRecord));
    // Only the survey: the survey task is virtual, not a contact; C3's own callbacks have not arrived.
    expect(out).toEqual([
      {
        id: `twilio:${C3.sid}:survey:SR-9`, type: 'survey.responded', occurredAt: iso(at(3000)), source: 'src-twilio', contactId: C3.sid,
        responseId: 'SR-9', revision: at(3000), comment: 'Quick and kind.',
        answers: [{ measure: 'csat', scale: '0-10', value: 9 }, { measure: 'nps', scale: '0-10', value: 9 }, { measure: 'resolved', scale: 'yes-no', value: 'yes' }],
      },
    ]);
    expect(normaliseV2(out[0]).ok).toBe(true);
    // The same answer on the task's cancel callback: the same event (a duplicate).
    expect(eventsOf(map(cancel as RawRecord))).toEqual(out);
    // The contact's callbacks then arrive: its lifecycle, and the survey stays attached to it.
    const c3 = handledTask(C3, 'ann', { accepted: 1845, wrapup: 2325, completed: 2445 }, { outcome: 'Resolved' });
    const last = eventsOf(c3.map(map).at(-1) as MapOutcome);
    expect(byType(last, 'contact.offered')).toEqual([expect.objectContaining({ contactId: C3.sid, channel: 'chat', queueId: 'tech' })]);
  });

  it("uses Twilio's default 1–5 scale when the source says none, and a later answer replaces the earlier one", () => {
    const { map, outcomes } = mapper();
    const [first] = surveyTask(C2.sid, at(1500), { csat: 5, response_id: 'SR-c2' });
    const [changed] = surveyTask(C2.sid, at(1800), { csat: 3, response_id: 'SR-c2' });
    map(first as RawRecord);
    map(changed as RawRecord);
    const surveys = [...settle(outcomes).surveys.values()];
    expect(surveys).toEqual([expect.objectContaining({ responseId: 'SR-c2', revision: at(1800), answers: [{ measure: 'csat', scale: '1-5', value: 3 }] })]);
  });
});

describe('abandons, agent states and records that cannot be mapped', () => {
  it('is an abandon in the queue when the task is canceled before any reservation was accepted', () => {
    const { map, outcomes } = mapper();
    const { records } = exampleRecords();
    records.filter((r) => (r.body as Record<string, string>).TaskSid === C4.sid).forEach(map);
    const events = settle(outcomes).lifecycle.get(C4.sid) ?? [];
    expect(byType(events, 'contact.abandoned')).toEqual([expect.objectContaining({ waitSeconds: 40, abandonedIn: 'queue', occurredAt: iso(at(2740)) })]);
    expect(byType(events, 'contact.answered')).toEqual([]);
  });

  it("maps Flex's default activities, and holds a custom one as unmapped until the source maps it", () => {
    const plain = mapper();
    expect(eventsOf(plain.map(activity('ann', at(-600), 'Available')))).toEqual([
      expect.objectContaining({ type: 'agent.state', agentId: 'ann', state: 'available', stateName: 'Available', occurredAt: iso(at(-600)) }),
    ]);
    expect(eventsOf(plain.map(activity('bob', at(-500), 'Unavailable')))[0]).toMatchObject({ state: 'break' });
    expect(eventsOf(plain.map(activity('bob', at(-400), 'Offline')))[0]).toMatchObject({ state: 'offline' });
    const huddle = activity('cat', at(-300), 'Team huddle');
    const unmapped = plain.map(huddle);
    expect(unmapped).toMatchObject({ ok: false, reason: 'unmapped' });
    expect(unmapped.ok ? [] : unmapped.reasons).toEqual([expect.stringContaining('"Team huddle"')]);
    expect(unmapped.seen).toEqual(expect.arrayContaining([{ kind: 'state', value: 'Team huddle' }]));
    const fixed = mapper({ states: { 'Team huddle': 'break' } });
    expect(eventsOf(fixed.map(huddle))[0]).toMatchObject({ agentId: 'cat', state: 'break', stateName: 'Team huddle' });
  });

  it('maps a worker by the source agent table (by SID), else by WorkerName', () => {
    const { map } = mapper({ agents: { [WORKERS.ann]: 'ann-smith' } });
    expect(eventsOf(map(activity('ann', at(0), 'Available')))[0]).toMatchObject({ agentId: 'ann-smith' });
    expect(eventsOf(map(activity('bob', at(0), 'Available')))[0]).toMatchObject({ agentId: 'bob' });
  });

  it('holds a task on an unmapped TaskChannel (video) as unmapped, fixable by the channel table', () => {
    const video = { ...C1, channel: 'video' };
    const queued = mapper().map(taskEvent('task-queue.entered', video, at(0)));
    expect(queued).toMatchObject({ ok: false, reason: 'unmapped', reasons: [expect.stringContaining('channel "video" is not mapped')] });
    expect(mapper({ channels: { video: 'chat' } }).map(taskEvent('task-queue.entered', video, at(0)))).toMatchObject({ ok: true });
  });

  it('says which field is wrong in a malformed record', () => {
    const { malformedRecord } = exampleRecords();
    const out = mapper().map(malformedRecord);
    expect(out).toMatchObject({ ok: false, reason: 'malformed' });
    expect(out.ok ? [] : out.reasons).toEqual([expect.stringContaining('TaskAttributes: expected a JSON object')]);
    const noTask = tr(callback('reservation.accepted', at(0), ['Reservation', 'WRx'], { ReservationSid: 'WRx', WorkerSid: WORKERS.ann }));
    expect(mapper().map(noTask)).toMatchObject({ ok: false, reason: 'malformed', reasons: [expect.stringContaining('TaskSid: expected the Task SID')] });
    const noTime = { ...(taskEvent('task.created', C1, at(0)).body as Record<string, string>) };
    delete noTime.Timestamp;
    delete noTime.TimestampMs;
    expect(mapper().map(tr(noTime))).toMatchObject({ ok: false, reason: 'malformed', reasons: [expect.stringContaining('TimestampMs / Timestamp')] });
    expect(twilioMapper.recordKey(malformedRecord)).toMatch(/^WT/);
  });

  it('ignores events that say nothing Frontline counts (workflow, other products on an Event Streams sink)', () => {
    expect(mapper().map(tr(callback('workflow.entered', at(0), ['Task', C1.sid], { TaskSid: C1.sid })))).toMatchObject({ ok: true });
    expect(mapper().map({ kind: 'eventstream', body: { specversion: '1.0', type: 'com.twilio.eventstreams.test-event', source: 'Sink', id: 'AC1', data: { test_id: 'x' } } })).toEqual({ ok: true, events: [] });
  });
});

describe('Event Streams', () => {
  it('maps the CloudEvents of a call to the same contact as its Event Callbacks', () => {
    const records = handledTask(C1, 'ann', { accepted: 12, wrapup: 312, completed: 352 }, { outcome: 'Resolved', hold_time: 20 });
    const viaCallbacks = mapper();
    records.forEach(viaCallbacks.map);
    const viaStreams = mapper();
    records.map((r) => asCloudEvent(r.body as Record<string, string>)).forEach(viaStreams.map);
    expect(settle(viaStreams.outcomes).lifecycle.get(C1.sid)).toEqual(settle(viaCallbacks.outcomes).lifecycle.get(C1.sid));
    const ce = asCloudEvent(records[3]?.body as Record<string, string>);
    expect(twilioMapper.recordKey(ce)).toBe(C1.sid);
    expect(twilioMapper.memoryKeys?.(ce)).toEqual([`contact:${C1.sid}`]);
  });

  it('says what is missing from a CloudEvent without a payload', () => {
    const out = mapper().map({ kind: 'eventstream', body: { specversion: '1.0', type: 'com.twilio.taskrouter.task.created', id: 'NO1', data: {} } });
    expect(out).toMatchObject({ ok: false, reason: 'malformed', reasons: [expect.stringContaining('data.payload')] });
  });
});

describe('the worked example', () => {
  it('maps every record but the malformed one, and settles to the contacts worked out in the integration test', () => {
    const { map, outcomes } = mapper();
    const { records, malformedRecord } = exampleRecords();
    for (const r of records) {
      const out = map(r);
      if (r === malformedRecord) expect(out.ok).toBe(false);
      else expect(out.ok, JSON.stringify(out)).toBe(true);
    }
    const { lifecycle, surveys } = settle(outcomes);
    expect([...lifecycle.keys()].sort()).toEqual([C1.sid, C2.sid, C3.sid, C4.sid].sort());
    expect(surveys.size).toBe(2);
    const ended = [...lifecycle.values()].flat().filter((e) => e.type === 'contact.ended');
    const handle = ended.reduce((s, e) => s + (e.talkSeconds as number) + (e.holdSeconds as number) + (e.wrapSeconds as number), 0);
    // 340 (C1) + 270 + 360 (C2's legs) + 600 (C3) = 1570.
    expect(handle).toBe(1570);
  });
});
