/**
 * Twilio Flex records built from Twilio's public documentation, for the connector's unit and integration tests.
 *
 * TaskRouter Event Callbacks (`taskrouter` records): https://www.twilio.com/docs/taskrouter/api/event/reference
 * - every callback: EventType, AccountSid, WorkspaceSid, WorkspaceName, EventDescription, ResourceType, ResourceSid,
 *   Timestamp; TimestampMs "added to all events sent via callbacks" (https://www.twilio.com/docs/taskrouter/changelog,
 *   18 Jan 2018);
 * - task events carry the Task fields (TaskSid, TaskAttributes, TaskAge, TaskPriority, TaskAssignmentStatus, the
 *   TaskChannel's TaskChannelUniqueName; TaskCanceledReason on task.canceled); reservation events "Task Worker
 *   TaskQueueSid ReservationSid WorkflowSid"; worker.activity.update the Worker fields (WorkerSid, WorkerName,
 *   WorkerActivitySid, WorkerActivityName, WorkerTimeInPreviousActivity). The reference names the groups; the
 *   individual Task/Worker field names are as Twilio's callbacks send them (PascalCase, e.g. TaskChannelUniqueName,
 *   TaskQueueName). The page could only be read in part here: that `Sid` (the event's EV… SID) and `TaskQueueName`
 *   are on every relevant callback is taken from handlers written against real callbacks, not from the reference.
 * Task attributes (the `conversations` object) are Flex Insights': https://www.twilio.com/docs/flex/developer/insights/enhance-integration
 * (conversation_id links a transfer's tasks, outcome, hold_time, followed_by, destination, virtual).
 * Event Streams CloudEvents (`eventstream` records): https://www.twilio.com/docs/events/event-types/taskrouter/reservation
 * (specversion, type com.twilio.taskrouter.reservation.accepted, source, id, dataschema, data: { sid, name, …,
 * payload: { sid, eventtype, account_sid, timestamp, workspace_sid, task_sid, task_attributes, task_age,
 * task_date_created, task_priority, task_assignment_status, task_canceled_reason, … } }). The documented example stops
 * at `task_chan…` in what could be read here; the remaining payload names (task_channel_unique_name, task_queue_sid,
 * task_queue_name, worker_sid, worker_name, worker_activity_name, reservation_sid) follow the same snake_case of the
 * callback names and of TaskRouter's Event resource `event_data`.
 */
import type { RawRecord } from '../../../server/connectors/types.js';
import { simulatedSid } from '../../../server/connectors/twilio/simulate.js';

export const ACCOUNT_SID = 'AC6d3f2e1c0b9a8f7e6d5c4b3a2f1e0d9c';
export const WORKSPACE_SID = 'WS954611f5aebc7672d71de836c0179113';
export const AUTH_TOKEN = '12345678901234567890123456789012';

/** Monday 2 November 2026, 09:00 in London (UTC in November). */
export const T = Date.UTC(2026, 10, 2, 9);
export const at = (seconds: number): number => T + seconds * 1000;

export const WORKERS = {
  ann: simulatedSid('WK', 'ann'),
  bob: simulatedSid('WK', 'bob'),
  cat: simulatedSid('WK', 'cat'),
} as const;
export type AgentName = keyof typeof WORKERS;

export const QUEUES = {
  billing: simulatedSid('WQ', 'billing'),
  tech: simulatedSid('WQ', 'tech'),
} as const;
export type QueueName = keyof typeof QUEUES;

export const sid = (prefix: string, key: string): string => simulatedSid(prefix, `fixture:${key}`);

/** A task as the fixtures describe it. */
export interface FixtureTask {
  sid: string;
  createdMs: number;
  channel: string;
  queue?: QueueName;
  attributes: Record<string, unknown>;
}

let eventSeq = 0;

/** One Event Callback's parameters (all strings, as form-encoded). */
export function callback(eventType: string, atMs: number, resource: [string, string], fields: Record<string, string>): Record<string, string> {
  return {
    EventType: eventType,
    EventDescription: `${resource[0]} ${resource[1]} ${eventType}`,
    AccountSid: ACCOUNT_SID,
    WorkspaceSid: WORKSPACE_SID,
    WorkspaceName: 'Flex Task Assignment',
    ResourceType: resource[0],
    ResourceSid: resource[1],
    Sid: sid('EV', `${eventType}:${resource[1]}:${atMs}:${eventSeq++}`),
    Timestamp: String(Math.floor(atMs / 1000)),
    TimestampMs: String(atMs),
    ...fields,
  };
}

function taskFields(task: FixtureTask, atMs: number, status: string, attributes = task.attributes): Record<string, string> {
  return {
    TaskSid: task.sid,
    TaskAttributes: JSON.stringify(attributes),
    TaskAge: String(Math.floor((atMs - task.createdMs) / 1000)),
    TaskPriority: '0',
    TaskAssignmentStatus: status,
    TaskChannelUniqueName: task.channel,
    ...(task.queue ? { TaskQueueSid: QUEUES[task.queue], TaskQueueName: task.queue } : {}),
  };
}

const worker = (agent: AgentName) => ({ WorkerSid: WORKERS[agent], WorkerName: agent });

/** A taskrouter record. */
export const tr = (body: Record<string, string>): RawRecord => ({ kind: 'taskrouter', body });

export function taskEvent(eventType: 'task.created' | 'task.updated' | 'task.wrapup' | 'task.completed' | 'task-queue.entered', task: FixtureTask, atMs: number, opts: { attributes?: Record<string, unknown>; agent?: AgentName } = {}): RawRecord {
  const status = { 'task.created': 'pending', 'task-queue.entered': 'pending', 'task.updated': 'completed', 'task.wrapup': 'wrapping', 'task.completed': 'completed' }[eventType];
  return tr(callback(eventType, atMs, ['Task', task.sid], { ...taskFields(task, atMs, status, opts.attributes), ...(opts.agent ? worker(opts.agent) : {}) }));
}

export function canceled(task: FixtureTask, atMs: number, reason: string): RawRecord {
  return tr(callback('task.canceled', atMs, ['Task', task.sid], { ...taskFields(task, atMs, 'canceled'), TaskCanceledReason: reason }));
}

export function reservation(eventType: 'reservation.created' | 'reservation.accepted', task: FixtureTask, atMs: number, agent: AgentName, reservationSid: string): RawRecord {
  return tr(callback(eventType, atMs, ['Reservation', reservationSid], { ...taskFields(task, atMs, eventType === 'reservation.accepted' ? 'assigned' : 'reserved'), ...worker(agent), ReservationSid: reservationSid, WorkflowSid: sid('WW', 'assign-to-anyone') }));
}

export function activity(agent: AgentName, atMs: number, activityName: string): RawRecord {
  return tr(callback('worker.activity.update', atMs, ['Worker', WORKERS[agent]], { ...worker(agent), WorkerActivitySid: sid('WA', activityName), WorkerActivityName: activityName, WorkerTimeInPreviousActivity: '60', WorkerTimeInPreviousActivityMs: '60000' }));
}

/**
 * One handled task, as TaskRouter reports it: created and queued, reserved and accepted, wrap-up, completed with the
 * attributes a Flex plugin leaves for Flex Insights (outcome, hold_time). Times in seconds after T.
 */
export function handledTask(task: FixtureTask, agent: AgentName, times: { accepted: number; wrapup: number; completed: number }, final: Record<string, unknown>): RawRecord[] {
  const res = sid('WR', `${task.sid}:${agent}`);
  const done = { ...task.attributes, conversations: { ...(task.attributes.conversations as object | undefined), ...final } };
  return [
    taskEvent('task.created', task, task.createdMs),
    taskEvent('task-queue.entered', task, task.createdMs),
    reservation('reservation.created', task, at(times.accepted) - 3000, agent, res),
    reservation('reservation.accepted', task, at(times.accepted), agent, res),
    taskEvent('task.wrapup', task, at(times.wrapup), { agent }),
    taskEvent('task.completed', task, at(times.completed), { attributes: done, agent }),
  ];
}

/** A survey task linked to the contact's conversation (Frontline's convention for a Studio survey's result). */
export function surveyTask(conversationId: string, atMs: number, survey: Record<string, unknown>): RawRecord[] {
  const task: FixtureTask = { sid: sid('WT', `survey:${conversationId}:${atMs}`), createdMs: atMs, channel: 'default', attributes: { type: 'survey', conversations: { conversation_id: conversationId, virtual: 'Yes' }, frontline_survey: survey } };
  return [taskEvent('task.created', task, atMs), canceled(task, atMs, 'survey recorded')];
}

/** One TaskRouter event as an Event Streams CloudEvent (the documented envelope), from a callback's parameters. */
export function asCloudEvent(params: Record<string, string>): RawRecord {
  const payload: Record<string, unknown> = {
    sid: params.Sid,
    eventtype: params.EventType,
    account_sid: params.AccountSid,
    timestamp: new Date(Number(params.TimestampMs)).toISOString(),
    workspace_sid: params.WorkspaceSid,
    workspace_name: params.WorkspaceName,
  };
  const names: Record<string, string> = {
    TaskSid: 'task_sid',
    TaskAttributes: 'task_attributes',
    TaskPriority: 'task_priority',
    TaskAssignmentStatus: 'task_assignment_status',
    TaskCanceledReason: 'task_canceled_reason',
    TaskChannelUniqueName: 'task_channel_unique_name',
    TaskQueueSid: 'task_queue_sid',
    TaskQueueName: 'task_queue_name',
    WorkerSid: 'worker_sid',
    WorkerName: 'worker_name',
    WorkerActivityName: 'worker_activity_name',
    ReservationSid: 'reservation_sid',
  };
  for (const [k, v] of Object.entries(params)) {
    const name = names[k];
    if (name !== undefined) payload[name] = v;
  }
  if (params.TaskAge !== undefined) payload.task_age = Number(params.TaskAge);
  return {
    kind: 'eventstream',
    body: {
      specversion: '1.0',
      type: `com.twilio.taskrouter.${params.EventType}`,
      source: 'AB00000000000000000000000001',
      id: params.Sid,
      dataschema: 'https://events-schemas.twilio.com/TaskRouter.WDSEvent/4',
      datacontenttype: 'application/json',
      data: {
        sid: params.Sid,
        account_sid: params.AccountSid,
        timestamp: payload.timestamp,
        level: 'INFO',
        product_name: 'TaskRouter',
        publisher: 'Flex Task Assignment',
        publisher_metadata: '{}',
        payload_type: 'application/json',
        payload,
      },
    },
  };
}

// ---- the worked example the integration test and the unit tests share ------------------------------------------

export const C1: FixtureTask = { sid: sid('WT', 'c1'), createdMs: at(0), channel: 'voice', queue: 'billing', attributes: { type: 'inbound', direction: 'inbound', from: '+441134960001' } };
export const C2: FixtureTask = { sid: sid('WT', 'c2'), createdMs: at(600), channel: 'voice', queue: 'billing', attributes: { type: 'inbound', direction: 'inbound', from: '+441134960002' } };
/** The transfer's new task in the tech queue, linked to C2's conversation. */
export const C2B: FixtureTask = { sid: sid('WT', 'c2b'), createdMs: at(870), channel: 'voice', queue: 'tech', attributes: { type: 'inbound', direction: 'inbound', from: '+441134960002', conversations: { conversation_id: C2.sid } } };
export const C3: FixtureTask = { sid: sid('WT', 'c3'), createdMs: at(1800), channel: 'chat', queue: 'tech', attributes: { channelType: 'web', customerAddress: 'visitor-3@example.com' } };
export const C4: FixtureTask = { sid: sid('WT', 'c4'), createdMs: at(2700), channel: 'voice', queue: 'billing', attributes: { type: 'inbound', direction: 'inbound', from: '+441134960004' } };

/** The source's mapping for the example: Flex Insights outcomes as wrap-up codes. */
export const EXAMPLE_MAPPING = { wrapCodes: { Resolved: true, Transferred: false, 'Callback needed': false } };

/**
 * The example, in delivery order:
 * - C1, voice, billing: created 0 s, Ann accepts at 12 s, wrap-up at 312 s, completed at 352 s with outcome Resolved and
 *   hold_time 20; TaskRouter re-delivers the reservation.accepted callback; at 400 s the task is updated after it
 *   completed (outcome Callback needed): a later revision of the contact, unresolved;
 * - C2, voice, billing: created 600 s, Bob accepts at 630 s, transfers to tech at 870 s (new task C2B, its
 *   conversation_id C2), his task completes at 900 s (Transferred); Cat accepts C2B at 910 s, wrap-up 1210 s,
 *   completed 1270 s (Resolved, hold_time 10); the customer's survey (csat 5 of 1–5) at 1500 s;
 * - C3, chat, tech: its survey (csat 2) arrives first, at 3000 s, before any of its callbacks; created 1800 s, Ann
 *   accepts at 1845 s, wrap-up 2325 s, completed 2445 s (Resolved);
 * - C4, voice, billing: created 2700 s, canceled at 2740 s (hangup, TaskAge 40): abandoned;
 * - a task.completed whose TaskAttributes is not JSON (malformed).
 */
export function exampleRecords(): { records: RawRecord[]; malformedRecord: RawRecord; redelivered: RawRecord; revision: RawRecord } {
  const c1 = handledTask(C1, 'ann', { accepted: 12, wrapup: 312, completed: 352 }, { outcome: 'Resolved', hold_time: 20 });
  const redelivered = c1[3] as RawRecord;
  const revision = taskEvent('task.updated', C1, at(400), { attributes: { ...C1.attributes, conversations: { outcome: 'Callback needed', hold_time: 20 } } });
  const c2 = handledTask(C2, 'bob', { accepted: 630, wrapup: 870, completed: 900 }, { outcome: 'Transferred', hold_time: 0 });
  const c2b = handledTask(C2B, 'cat', { accepted: 910, wrapup: 1210, completed: 1270 }, { outcome: 'Resolved', hold_time: 10 });
  const c3 = handledTask(C3, 'ann', { accepted: 1845, wrapup: 2325, completed: 2445 }, { outcome: 'Resolved' });
  const malformedRecord = tr(callback('task.completed', at(3100), ['Task', sid('WT', 'c5')], { TaskSid: sid('WT', 'c5'), TaskAttributes: '{"conversations": {"outcome": "Resolved"', TaskAge: '300', TaskChannelUniqueName: 'voice' }));
  const records = [
    ...c1,
    redelivered,
    revision,
    // Bob's task goes to wrap-up as the transfer's new task is created, in the callbacks' order.
    ...c2.slice(0, 4),
    ...c2b.slice(0, 2),
    ...c2.slice(4),
    ...c2b.slice(2),
    ...surveyTask(C2.sid, at(1500), { csat: 5, response_id: 'SR-c2' }),
    ...surveyTask(C3.sid, at(3000), { csat: 2, comment: 'Took a while to get an answer.' }),
    ...c3,
    taskEvent('task.created', C4, C4.createdMs),
    taskEvent('task-queue.entered', C4, C4.createdMs),
    canceled(C4, at(2740), 'hangup'),
    malformedRecord,
  ];
  return { records, malformedRecord, redelivered, revision };
}
