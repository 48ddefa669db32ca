/**
 * The simulated centre as Twilio Flex would report it (issue 16, `npm run simulate -- --as twilio`): the simulator's
 * events turned into TaskRouter Workspace Event Callbacks (https://www.twilio.com/docs/taskrouter/api/event/reference),
 * in time order, form-encoded and signed with X-Twilio-Signature for the source's taskrouter URL, as Twilio sends them.
 *
 * - A contact is a task (WT…) in the queue whose TaskQueueName is the Frontline queue id, on the TaskChannel of its
 *   channel (voice, chat, email; messaging as sms), its `from` attribute the customer: task.created and
 *   task-queue.entered when offered.
 * - Each handling leg is a reservation (WR…) of a worker (WK…, WorkerName = the Frontline agent id):
 *   reservation.created and reservation.accepted when the leg starts, task.wrapup when talk ends, task.completed when
 *   wrap-up ends, the completed task's attributes carrying `conversations.outcome` (Resolved / Not resolved /
 *   Transferred) and `conversations.hold_time` (seconds), as a Flex plugin would set them for Flex Insights.
 * - A transfer to another queue is a new task in that queue, linked by `conversations.conversation_id` (the first
 *   task's SID), as Flex Insights documents; the first agent's task goes to wrap-up when they hand over.
 * - An abandoned contact is task.canceled (TaskCanceledReason "hangup") with TaskAge its wait.
 * - A survey response is a survey task linked to the contact (`conversations.virtual` "Yes") carrying the answers in
 *   `frontline_survey`, created and canceled when the customer answers (Frontline's convention, see the README).
 * - Agent states are worker.activity.update with Flex's default activities: Available, Break, Offline. A Flex worker
 *   stays Available while handling tasks, so the simulator's busy and wrap states have no activity of their own.
 * - QA evaluations and complaints have no TaskRouter event and are left out.
 */
import { createHash } from 'node:crypto';
import type { FrontlineEvent } from '../../../shared/events.js';
import { SURVEY_ATTRIBUTE } from './mapping.js';
import { twilioSignature } from './signature.js';

export interface TwilioSimulateOptions {
  authToken: string;
  /** The source's taskrouter endpoint URL (Twilio signs the URL it calls). */
  url: string;
  accountSid: string;
  workspaceSid?: string;
}

export interface TwilioPushRequest {
  endpoint: 'taskrouter';
  headers: Record<string, string>;
  body: string;
}

/** A deterministic SID: the prefix and 32 hex digits from the key (the simulated centre's ids stay stable). */
export function simulatedSid(prefix: string, key: string): string {
  return prefix + createHash('sha1').update(`${prefix}:${key}`).digest('hex').slice(0, 32);
}

/** The Task SID the simulated contact's first task gets: its Flex conversation, so the contact id Frontline sees. */
export function simulatedTaskSid(contactId: string): string {
  return simulatedSid('WT', `${contactId}:1`);
}

const TASK_CHANNEL: Record<string, string> = { voice: 'voice', chat: 'chat', email: 'email', messaging: 'sms' };

type Ev<T extends FrontlineEvent['type']> = Extract<FrontlineEvent, { type: T }>;

interface ContactLog {
  offered?: Ev<'contact.offered'>;
  answered: Ev<'contact.answered'>[];
  transferred: Ev<'contact.transferred'>[];
  ended?: Ev<'contact.ended'>;
  abandoned?: Ev<'contact.abandoned'>;
  surveys: Ev<'survey.responded'>[];
}

interface Callback {
  atMs: number;
  seq: number;
  params: Record<string, string>;
}

interface SimTask {
  sid: string;
  createdMs: number;
  queueId: string;
  channel: string;
  attributes: Record<string, unknown>;
}

/** The agent's state changes, for when a leg started (busy) and when its wrap-up ended (the next change). */
class StateLog {
  private readonly byAgent = new Map<string, { ms: number; state: string }[]>();

  add(agentId: string, ms: number, state: string): void {
    let list = this.byAgent.get(agentId);
    if (!list) this.byAgent.set(agentId, (list = []));
    list.push({ ms, state });
  }

  /** The last change to busy at or before `ms`. */
  lastBusy(agentId: string, ms: number): number | undefined {
    const list = this.byAgent.get(agentId) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as { ms: number }).ms <= ms) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--) if (list[i]?.state === 'busy') return list[i]?.ms;
    return undefined;
  }

  /** The first change after `ms`. */
  nextChange(agentId: string, ms: number): number | undefined {
    for (const s of this.byAgent.get(agentId) ?? []) if (s.ms > ms) return s.ms;
    return undefined;
  }
}

/** The simulated centre's events as the TaskRouter Event Callbacks Twilio would POST, in time order, signed for `url`. */
export function twilioTaskRouterRequests(events: FrontlineEvent[], opts: TwilioSimulateOptions): TwilioPushRequest[] {
  const workspaceSid = opts.workspaceSid ?? simulatedSid('WS', opts.accountSid);
  const contacts = new Map<string, ContactLog>();
  const states = new StateLog();
  const stateEvents: Ev<'agent.state'>[] = [];
  const log = (id: string): ContactLog => {
    let c = contacts.get(id);
    if (!c) contacts.set(id, (c = { answered: [], transferred: [], surveys: [] }));
    return c;
  };
  for (const e of events) {
    switch (e.type) {
      case 'contact.offered':
        log(e.contactId).offered = e;
        break;
      case 'contact.answered':
        log(e.contactId).answered.push(e);
        break;
      case 'contact.transferred':
        log(e.contactId).transferred.push(e);
        break;
      case 'contact.ended':
        log(e.contactId).ended = e;
        break;
      case 'contact.abandoned':
        log(e.contactId).abandoned = e;
        break;
      case 'survey.responded':
        log(e.contactId).surveys.push(e);
        break;
      case 'agent.state':
        states.add(e.agentId, Date.parse(e.occurredAt), e.state);
        stateEvents.push(e);
        break;
      case 'survey.offered':
      case 'qa.evaluated':
      case 'complaint.logged':
        break;
      default: {
        const never: never = e;
        throw new Error(`unexpected event ${JSON.stringify(never)}`);
      }
    }
  }

  const out: Callback[] = [];
  let seq = 0;
  const push = (atMs: number, eventType: string, description: string, resource: [string, string], fields: Record<string, string>) => {
    const params: Record<string, string> = {
      EventType: eventType,
      EventDescription: description,
      AccountSid: opts.accountSid,
      WorkspaceSid: workspaceSid,
      WorkspaceName: 'Flex Task Assignment',
      ResourceType: resource[0],
      ResourceSid: resource[1],
      Sid: simulatedSid('EV', `${resource[1]}:${eventType}:${atMs}:${seq}`),
      Timestamp: String(Math.floor(atMs / 1000)),
      TimestampMs: String(atMs),
      ...fields,
    };
    out.push({ atMs, seq: seq++, params });
  };
  const taskFields = (task: SimTask, atMs: number, status: string, attributes: Record<string, unknown> = task.attributes): Record<string, string> => ({
    TaskSid: task.sid,
    TaskAttributes: JSON.stringify(attributes),
    TaskAge: String(Math.max(0, Math.floor((atMs - task.createdMs) / 1000))),
    TaskPriority: '0',
    TaskAssignmentStatus: status,
    TaskChannelUniqueName: task.channel,
    TaskQueueSid: simulatedSid('WQ', task.queueId),
    TaskQueueName: task.queueId,
  });
  const worker = (agentId: string) => ({ WorkerSid: simulatedSid('WK', agentId), WorkerName: agentId });

  for (const [contactId, c] of contacts) {
    const offered = c.offered;
    if (offered === undefined) continue;
    const t0 = Date.parse(offered.occurredAt);
    const channel = TASK_CHANNEL[offered.channel] ?? offered.channel;
    const firstSid = simulatedTaskSid(contactId);
    const caller = offered.customerId !== undefined ? { from: offered.customerId } : {};
    const tasks: SimTask[] = [{ sid: firstSid, createdMs: t0, queueId: offered.queueId, channel, attributes: { type: 'inbound', channelType: channel, ...caller } }];
    const created = (task: SimTask) => {
      push(task.createdMs, 'task.created', `Task ${task.sid} created`, ['Task', task.sid], taskFields(task, task.createdMs, 'pending'));
      push(task.createdMs, 'task-queue.entered', `Task ${task.sid} entered TaskQueue ${task.queueId}`, ['Task', task.sid], taskFields(task, task.createdMs, 'pending'));
    };
    created(tasks[0] as SimTask);

    if (c.abandoned !== undefined) {
      const ta = Date.parse(c.abandoned.occurredAt);
      const task = tasks[0] as SimTask;
      push(ta, 'task.canceled', `Task ${task.sid} canceled: hangup`, ['Task', task.sid], { ...taskFields(task, ta, 'canceled'), TaskCanceledReason: 'hangup' });
    }

    // The legs: one per transfer (the agent who handed over), then the last (from contact.ended, or in progress).
    interface SimLeg {
      agentId: string;
      task: SimTask;
      startMs?: number;
      wrapMs?: number;
      endMs?: number;
      holdS: number;
      outcome: string;
    }
    const legs: SimLeg[] = [];
    let task = tasks[0] as SimTask;
    c.transferred.forEach((tr, i) => {
      const t1 = Date.parse(tr.occurredAt);
      const answered = c.answered.find((a) => a.agentId === tr.fromAgentId && Date.parse(a.occurredAt) <= t1);
      const startMs = states.lastBusy(tr.fromAgentId, t1) ?? (answered ? Date.parse(answered.occurredAt) : undefined);
      legs.push({ agentId: tr.fromAgentId, task, ...(startMs !== undefined ? { startMs } : {}), wrapMs: t1, endMs: states.nextChange(tr.fromAgentId, t1) ?? t1, holdS: 0, outcome: 'Transferred' });
      const next: SimTask = {
        sid: simulatedSid('WT', `${contactId}:${i + 2}`),
        createdMs: t1,
        queueId: tr.toQueueId ?? task.queueId,
        channel,
        attributes: { type: 'inbound', channelType: channel, ...caller, conversations: { conversation_id: firstSid } },
      };
      tasks.push(next);
      created(next);
      task = next;
    });
    if (c.ended !== undefined) {
      const e = c.ended;
      const end = Date.parse(e.occurredAt);
      const wrapMs = end - Math.round(e.wrapSeconds * 1000);
      const startMs = wrapMs - Math.round((e.talkSeconds + e.holdSeconds) * 1000);
      legs.push({ agentId: e.agentId, task, startMs, wrapMs, endMs: end, holdS: e.holdSeconds, outcome: e.resolved ? 'Resolved' : 'Not resolved' });
    } else {
      const lastTransfer = c.transferred[c.transferred.length - 1];
      const after = lastTransfer ? Date.parse(lastTransfer.occurredAt) : -Infinity;
      const answered = c.answered.find((a) => Date.parse(a.occurredAt) >= after && a.agentId !== lastTransfer?.fromAgentId);
      if (answered) {
        const at = Date.parse(answered.occurredAt);
        legs.push({ agentId: answered.agentId, task, startMs: states.lastBusy(answered.agentId, at) ?? at, holdS: 0, outcome: '' });
      }
    }

    legs.forEach((leg, i) => {
      if (leg.startMs === undefined) return;
      const res = simulatedSid('WR', `${contactId}:${i}`);
      const w = worker(leg.agentId);
      const t = leg.task;
      const resFields = { ...w, ReservationSid: res };
      push(leg.startMs, 'reservation.created', `Reservation ${res} created for Worker ${leg.agentId}`, ['Reservation', res], { ...taskFields(t, leg.startMs, 'reserved'), ...resFields });
      push(leg.startMs, 'reservation.accepted', `Reservation ${res} accepted by Worker ${leg.agentId}`, ['Reservation', res], { ...taskFields(t, leg.startMs, 'assigned'), ...resFields });
      if (leg.wrapMs === undefined || leg.endMs === undefined) return;
      const finalAttributes = { ...t.attributes, conversations: { ...(t.attributes.conversations as object | undefined), outcome: leg.outcome, hold_time: leg.holdS } };
      push(leg.wrapMs, 'task.wrapup', `Task ${t.sid} wrapping up`, ['Task', t.sid], { ...taskFields(t, leg.wrapMs, 'wrapping'), ...w });
      push(leg.endMs, 'task.completed', `Task ${t.sid} completed`, ['Task', t.sid], { ...taskFields(t, leg.endMs, 'completed', finalAttributes), ...w, TaskCompletedReason: 'Task completed' });
    });

    c.surveys.forEach((s, i) => {
      const ts = Date.parse(s.occurredAt);
      const survey: Record<string, unknown> = {};
      if (s.csat !== undefined) survey.csat = s.csat;
      if (s.nps !== undefined) survey.nps = s.nps;
      if (s.resolved !== undefined) survey.resolved = s.resolved;
      if (s.comment !== undefined) survey.comment = s.comment;
      const st: SimTask = {
        sid: simulatedSid('WT', `${contactId}:survey:${i}`),
        createdMs: ts,
        queueId: 'survey',
        channel: 'default',
        attributes: { type: 'survey', conversations: { conversation_id: firstSid, virtual: 'Yes' }, [SURVEY_ATTRIBUTE]: survey },
      };
      const fields = (at: number, status: string) => {
        const f = taskFields(st, at, status);
        delete (f as Partial<Record<string, string>>).TaskQueueSid;
        delete (f as Partial<Record<string, string>>).TaskQueueName;
        return f;
      };
      push(ts, 'task.created', `Task ${st.sid} created`, ['Task', st.sid], fields(ts, 'pending'));
      push(ts, 'task.canceled', `Task ${st.sid} canceled: survey recorded`, ['Task', st.sid], { ...fields(ts, 'canceled'), TaskCanceledReason: 'survey recorded' });
    });
  }

  // Worker activities: Flex's defaults; busy and wrap keep the worker Available.
  const activity = new Map<string, string>();
  for (const e of stateEvents) {
    const name = e.state === 'break' ? 'Break' : e.state === 'offline' ? 'Offline' : 'Available';
    if (activity.get(e.agentId) === name) continue;
    activity.set(e.agentId, name);
    const w = worker(e.agentId);
    const at = Date.parse(e.occurredAt);
    push(at, 'worker.activity.update', `Worker ${e.agentId} updated to ${name} Activity`, ['Worker', w.WorkerSid], { ...w, WorkerActivitySid: simulatedSid('WA', name), WorkerActivityName: name });
  }

  out.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  return out.map(({ params }) => ({
    endpoint: 'taskrouter' as const,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(opts.authToken, opts.url, params) },
    body: new URLSearchParams(params).toString(),
  }));
}
