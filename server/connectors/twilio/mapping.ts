/**
 * Twilio Flex (TaskRouter) → contract v2 events (issue 16). Pure: no I/O, no clock, no randomness; what it needs to
 * remember between records (when a task was created, which reservations were accepted and when, when it went to
 * wrap-up) lives in the source's mapper memory, loaded before and written after each record by the core.
 *
 * Record kinds:
 * - `taskrouter`: one Workspace Event Callback, its form parameters as sent (EventType, Timestamp / TimestampMs, Sid,
 *   TaskSid, TaskAttributes, TaskAge, TaskChannelUniqueName, TaskQueueSid, TaskQueueName, WorkerSid, WorkerName,
 *   WorkerActivityName, ReservationSid, TaskCanceledReason, ...): https://www.twilio.com/docs/taskrouter/api/event/reference
 * - `eventstream`: one CloudEvent from an Event Streams webhook sink (`type` com.twilio.taskrouter.<event type>, `data`
 *   with the TaskRouter `payload` in snake_case: task_sid, task_attributes, task_age, task_date_created, ...):
 *   https://www.twilio.com/docs/events/event-types/taskrouter/task (and .../reservation, .../worker).
 *
 * How a contact is rebuilt. A Flex contact (Frontline's contact) is a Flex Insights conversation: the task's
 * `conversations.conversation_id` attribute when set (Flex Insights links the tasks of one conversation, e.g. a
 * transfer's new task, with it: https://www.twilio.com/docs/flex/developer/insights/enhance-integration), else the Task
 * SID. Every record of one of its tasks adds facts to the contact's memory (idempotently: a fact is keyed by what it
 * is, the earliest time wins), and the record's events are the whole contact as known so far, under one `revision`:
 * the highest revision replaces the earlier set, so callbacks arriving out of order, or a task updated after it
 * completed, can only make the contact more complete. A re-delivered callback changes no fact: same events, same
 * revision, duplicates.
 * - offered: the first task's creation (task.created; else Timestamp − TaskAge), its channel (TaskChannelUniqueName)
 *   and the first queue it entered (task-queue.entered / a reservation's TaskQueueSid, named by TaskQueueName); the
 *   customer is a hash of their address (Flex Insights' customers.email / customers.phone, Flex's customerAddress or
 *   from), keyed by the source: repeat-contact FCR needs a customer id, and the address itself is never kept;
 * - answered: the first accepted reservation (reservation.accepted); the wait is accepted − created;
 * - a leg per accepted reservation: talk from acceptance to wrap-up (task.wrapup or reservation.wrapup), wrap from
 *   wrap-up to completion (task.completed or reservation.completed), less hold: TaskRouter has no hold events (hold is
 *   a Voice conference participant state), so hold is the task's `conversations.hold_time` (a Flex Insights measure,
 *   in seconds) when a plugin sets it, else 0; resolved from `conversations.outcome` through the wrap-code table;
 * - a later leg (a new task of the same conversation, or a second accepted reservation) is a transfer from the
 *   previous leg's agent: to the new task's queue, or to the agent; `conversations.followed_by` "External Transfer"
 *   (Flex Insights) is a transfer out, to `conversations.destination`;
 * - no reservation ever accepted and the task canceled (task.canceled: the caller hung up) → abandoned in the queue,
 *   waiting TaskAge seconds.
 * - worker.activity.update → agent.state from WorkerActivityName (Available, Unavailable, Offline, Break: Flex's
 *   default activities; a custom one needs the source's state mapping).
 * - Surveys: Flex has no survey of its own (a post-contact survey is a Studio flow of the centre's). Frontline reads a
 *   `frontline_survey` task attribute ({ csat, nps, resolved, comment, response_id, programme }) that the survey flow
 *   writes, on the contact's own task or on a survey task linked by `conversations.conversation_id` and flagged
 *   `conversations.virtual` "Yes" (a Flex Insights attribute: not a conversation of its own). This is Frontline's
 *   convention, not a Twilio field (README).
 */
import { createHash } from 'node:crypto';
import type { Channel } from '../../../shared/channels.js';
import type { AgentState } from '../../../shared/events.js';
import { PLATFORM_INFO } from '../../../shared/sources.js';
import { MappingRun, malformed } from '../common.js';
import type { MapContext, MapOutcome, PlatformMapper, RawRecord } from '../types.js';

/** Flex's TaskChannels (voice, chat, sms, email; video and default have no Frontline channel) and messaging apps. */
export const TWILIO_DEFAULT_CHANNELS: Readonly<Record<string, Channel>> = {
  voice: 'voice',
  chat: 'chat',
  sms: 'messaging',
  whatsapp: 'messaging',
  messenger: 'messaging',
  email: 'email',
};

/** Flex's default TaskRouter activities. */
export const TWILIO_DEFAULT_STATES: Readonly<Record<string, AgentState>> = {
  Available: 'available',
  Unavailable: 'break',
  Offline: 'offline',
  Break: 'break',
};

/** The task attribute a centre's survey flow writes (Frontline's convention; see the README). */
export const SURVEY_ATTRIBUTE = 'frontline_survey';

const EVENT_STREAMS_PREFIX = 'com.twilio.taskrouter.';

/** Event Streams payload fields (snake_case) → the Event Callback parameter of the same meaning. */
const PAYLOAD_FIELDS: Readonly<Record<string, string>> = {
  sid: 'Sid',
  eventtype: 'EventType',
  account_sid: 'AccountSid',
  workspace_sid: 'WorkspaceSid',
  timestamp: 'Timestamp',
  timestamp_ms: 'TimestampMs',
  task_sid: 'TaskSid',
  task_attributes: 'TaskAttributes',
  task_age: 'TaskAge',
  task_date_created: 'TaskDateCreated',
  task_canceled_reason: 'TaskCanceledReason',
  task_channel_unique_name: 'TaskChannelUniqueName',
  task_queue_sid: 'TaskQueueSid',
  task_queue_name: 'TaskQueueName',
  worker_sid: 'WorkerSid',
  worker_name: 'WorkerName',
  worker_activity_name: 'WorkerActivityName',
  reservation_sid: 'ReservationSid',
};

/** A survey answer as the survey flow wrote it. */
interface SurveyAttr {
  csat?: number | string;
  nps?: number;
  resolved?: boolean;
  comment?: string;
  responseId?: string;
  programme?: string;
}

/** What the task attributes say that Frontline uses. */
interface Attrs {
  conversationId?: string;
  outcome?: string;
  holdSeconds?: number;
  virtual: boolean;
  followedBy?: string;
  destination?: string;
  survey?: SurveyAttr;
  /** The customer's address (customers.email, customers.phone, customerAddress or from): only ever kept hashed. */
  customer?: string;
}

/** One TaskRouter event, from either record kind. */
interface TrEvent {
  type: string;
  sid?: string;
  atMs: number;
  taskSid?: string;
  attrs?: Attrs;
  taskAge?: number;
  taskCreatedMs?: number;
  queueSid?: string;
  queueName?: string;
  channel?: string;
  workerSid?: string;
  workerName?: string;
  activityName?: string;
  reservationSid?: string;
}

type Parsed = { ok: true; ev: TrEvent } | { ok: false; reasons: string[] };

// ---- memory ------------------------------------------------------------------------------------------------------

/** A fact with the platform time it was seen at (an earlier one wins; a later one wins for attributes). */
interface Timed<T> {
  v: T;
  t: number;
}

interface ReservationMem {
  /** WorkerSid, WorkerName, accepted at, the TaskQueueSid it was reserved from. */
  w: string;
  wn?: string;
  a: number;
  q?: string;
  /** reservation.wrapup / reservation.completed. */
  wu?: number;
  done?: number;
}

interface TaskMem {
  /** Created at, and whether that is exact (task.created, TaskDateCreated) or Timestamp − TaskAge. */
  c?: number;
  cExact?: boolean;
  ch?: string;
  q?: Timed<string>;
  /** The customer's pseudonymous id (a hash of their address: the address itself is never kept). */
  cu?: string;
  res: Record<string, ReservationMem>;
  wu?: number;
  done?: number;
  cx?: number;
  age?: number;
  /** Attributes: outcome, hold seconds, virtual, followed_by, destination, survey (latest wins). */
  out?: Timed<string>;
  hold?: Timed<number>;
  virt?: Timed<boolean>;
  fb?: Timed<string>;
  dest?: Timed<string>;
  sv?: Timed<SurveyAttr>;
}

interface ContactMem {
  v: 1;
  /** The revision the contact's events were last given. */
  rev: number;
  /** TaskQueueSid → TaskQueueName, as seen. */
  qn: Record<string, string>;
  tasks: Record<string, TaskMem>;
}

function isContactMem(x: unknown): x is ContactMem {
  return typeof x === 'object' && x !== null && (x as { v?: unknown }).v === 1 && typeof (x as { tasks?: unknown }).tasks === 'object';
}

// ---- reading records ---------------------------------------------------------------------------------------------

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function strOf(p: Record<string, unknown>, key: string): string | undefined {
  const v = p[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function numOf(p: Record<string, unknown>, key: string): number | undefined {
  const v = p[key];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const DIGITS = /^\d+(\.\d+)?$/;

/** A platform time: epoch ms, epoch seconds (TaskRouter's Timestamp) or ISO-8601. */
function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? (v < 1e11 ? Math.round(v * 1000) : Math.round(v)) : undefined;
  if (typeof v !== 'string' || v === '') return undefined;
  if (DIGITS.test(v)) {
    const n = Number(v);
    return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseSurvey(raw: unknown, reasons: string[]): SurveyAttr | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    reasons.push(`TaskAttributes.${SURVEY_ATTRIBUTE}: expected an object { csat, nps, resolved, comment, response_id }, got ${typeName(raw)}`);
    return undefined;
  }
  const s = raw as Record<string, unknown>;
  const out: SurveyAttr = {};
  const csat = s.csat;
  if (typeof csat === 'number') out.csat = csat;
  else if (typeof csat === 'string' && csat !== '') out.csat = DIGITS.test(csat) ? Number(csat) : csat.toLowerCase();
  else if (csat !== undefined && csat !== null) reasons.push(`TaskAttributes.${SURVEY_ATTRIBUTE}.csat: expected a number on the survey's scale (or good/bad), got ${typeName(csat)} ${shown(csat)}`);
  const nps = typeof s.nps === 'string' && DIGITS.test(s.nps) ? Number(s.nps) : s.nps;
  if (typeof nps === 'number') out.nps = nps;
  else if (nps !== undefined && nps !== null) reasons.push(`TaskAttributes.${SURVEY_ATTRIBUTE}.nps: expected a whole number from 0 to 10, got ${typeName(nps)} ${shown(nps)}`);
  const resolved = s.resolved;
  if (typeof resolved === 'boolean') out.resolved = resolved;
  else if (resolved === 'yes' || resolved === 'no' || resolved === 'Yes' || resolved === 'No') out.resolved = resolved.toLowerCase() === 'yes';
  else if (resolved !== undefined && resolved !== null) reasons.push(`TaskAttributes.${SURVEY_ATTRIBUTE}.resolved: expected true/false or "yes"/"no", got ${typeName(resolved)} ${shown(resolved)}`);
  if (typeof s.comment === 'string' && s.comment !== '') out.comment = s.comment;
  if (typeof s.response_id === 'string' && s.response_id !== '') out.responseId = s.response_id;
  if (typeof s.programme === 'string' && s.programme !== '') out.programme = s.programme;
  if (out.csat === undefined && out.nps === undefined && out.resolved === undefined) {
    reasons.push(`TaskAttributes.${SURVEY_ATTRIBUTE}: expected at least one of csat, nps, resolved`);
    return undefined;
  }
  return out;
}

function parseAttrs(raw: unknown, reasons: string[]): Attrs | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let obj: unknown = raw;
  if (typeof raw === 'string') {
    try {
      obj = JSON.parse(raw);
    } catch {
      reasons.push(`TaskAttributes: expected a JSON object (as a string), got text that is not JSON: ${shown(raw)}`);
      return undefined;
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    reasons.push(`TaskAttributes: expected a JSON object, got ${typeName(obj)}`);
    return undefined;
  }
  const a = obj as Record<string, unknown>;
  const out: Attrs = { virtual: false };
  const conv = a.conversations;
  if (conv !== undefined && conv !== null) {
    if (typeof conv !== 'object' || Array.isArray(conv)) {
      reasons.push(`TaskAttributes.conversations: expected an object (Flex Insights), got ${typeName(conv)}`);
    } else {
      const c = conv as Record<string, unknown>;
      const id = strOf(c, 'conversation_id');
      if (id !== undefined) out.conversationId = id;
      const outcome = strOf(c, 'outcome');
      if (outcome !== undefined) out.outcome = outcome;
      const hold = numOf(c, 'hold_time');
      if (hold !== undefined && hold >= 0) out.holdSeconds = hold;
      const v = c.virtual;
      out.virtual = v === 'Yes' || v === 'yes' || v === true;
      const fb = strOf(c, 'followed_by');
      if (fb !== undefined) out.followedBy = fb;
      const dest = strOf(c, 'destination');
      if (dest !== undefined) out.destination = dest;
    }
  }
  const survey = parseSurvey(a[SURVEY_ATTRIBUTE], reasons);
  if (survey) out.survey = survey;
  const customers = a.customers;
  const cust = typeof customers === 'object' && customers !== null ? (customers as Record<string, unknown>) : undefined;
  const address = (cust && (strOf(cust, 'email') ?? strOf(cust, 'phone'))) ?? strOf(a, 'customerAddress') ?? strOf(a, 'from');
  if (address !== undefined) out.customer = address;
  return out;
}

function isTaskEvent(type: string): boolean {
  return type.startsWith('task.') || type.startsWith('task-queue.') || type.startsWith('reservation.');
}

/** One record (either kind) read into a TaskRouter event, or what is wrong with it. */
function parse(record: RawRecord): Parsed {
  let p: Record<string, unknown>;
  let cloudType: string | undefined;
  if (record.kind === 'taskrouter') {
    if (typeof record.body !== 'object' || record.body === null || Array.isArray(record.body)) {
      return { ok: false, reasons: [`taskrouter: expected the callback's form parameters as an object, got ${typeName(record.body)}`] };
    }
    p = record.body as Record<string, unknown>;
  } else if (record.kind === 'eventstream') {
    const ce = record.body as Record<string, unknown> | null;
    if (typeof ce !== 'object' || ce === null || Array.isArray(ce)) return { ok: false, reasons: [`eventstream: expected a CloudEvent object, got ${typeName(ce)}`] };
    if (typeof ce.type !== 'string') return { ok: false, reasons: [`type: expected the CloudEvent type (com.twilio.taskrouter.…), got ${typeName(ce.type)}`] };
    if (!ce.type.startsWith(EVENT_STREAMS_PREFIX)) return { ok: true, ev: { type: ce.type, atMs: 0 } };
    cloudType = ce.type.slice(EVENT_STREAMS_PREFIX.length);
    const data = ce.data as Record<string, unknown> | null | undefined;
    const payload = typeof data === 'object' && data !== null ? (data.payload as Record<string, unknown> | null | undefined) : undefined;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return { ok: false, reasons: [`data.payload: expected the TaskRouter event object, got ${typeName(payload)}`] };
    }
    p = {};
    for (const [k, v] of Object.entries(payload)) {
      const name = PAYLOAD_FIELDS[k];
      if (name !== undefined) p[name] = v;
    }
    if (p.Sid === undefined && typeof ce.id === 'string') p.Sid = ce.id;
    if (p.Timestamp === undefined && p.TimestampMs === undefined && typeof ce.time === 'string') p.Timestamp = ce.time;
  } else {
    return { ok: false, reasons: [`kind: expected taskrouter or eventstream, got ${JSON.stringify(record.kind)}`] };
  }

  const reasons: string[] = [];
  const type = cloudType ?? strOf(p, 'EventType');
  if (type === undefined) return { ok: false, reasons: [`EventType: expected a TaskRouter event type (task.created, reservation.accepted, …), got ${typeName(p.EventType)}`] };
  const atMs = timeOf(p.TimestampMs) ?? timeOf(p.Timestamp);
  if (atMs === undefined) reasons.push(`TimestampMs / Timestamp: expected the event time (epoch milliseconds, epoch seconds or ISO-8601), got ${shown(p.TimestampMs ?? p.Timestamp)}`);
  const ev: TrEvent = { type, atMs: atMs ?? 0 };
  const sid = strOf(p, 'Sid');
  if (sid !== undefined) ev.sid = sid;

  if (isTaskEvent(type)) {
    const taskSid = strOf(p, 'TaskSid');
    if (taskSid === undefined) reasons.push(`TaskSid: expected the Task SID (WT…) on a ${type} event, got ${typeName(p.TaskSid)}`);
    else ev.taskSid = taskSid;
    const attrs = parseAttrs(p.TaskAttributes, reasons);
    if (attrs) ev.attrs = attrs;
    const age = numOf(p, 'TaskAge');
    if (age !== undefined && age >= 0) ev.taskAge = age;
    const created = timeOf(p.TaskDateCreated);
    if (created !== undefined) ev.taskCreatedMs = created;
    const q = strOf(p, 'TaskQueueSid');
    if (q !== undefined) ev.queueSid = q;
    const qn = strOf(p, 'TaskQueueName');
    if (qn !== undefined) ev.queueName = qn;
    const ch = strOf(p, 'TaskChannelUniqueName');
    if (ch !== undefined) ev.channel = ch;
    if (type.startsWith('reservation.')) {
      const res = strOf(p, 'ReservationSid');
      if (res === undefined) reasons.push(`ReservationSid: expected the Reservation SID (WR…) on a ${type} event, got ${typeName(p.ReservationSid)}`);
      else ev.reservationSid = res;
      const w = strOf(p, 'WorkerSid');
      if (w === undefined && type === 'reservation.accepted') reasons.push(`WorkerSid: expected the Worker SID (WK…) on a reservation.accepted event, got ${typeName(p.WorkerSid)}`);
      else if (w !== undefined) ev.workerSid = w;
      const wn = strOf(p, 'WorkerName');
      if (wn !== undefined) ev.workerName = wn;
    }
  } else if (type === 'worker.activity.update') {
    const w = strOf(p, 'WorkerSid');
    if (w === undefined) reasons.push(`WorkerSid: expected the Worker SID (WK…) on a worker.activity.update event, got ${typeName(p.WorkerSid)}`);
    else ev.workerSid = w;
    const wn = strOf(p, 'WorkerName');
    if (wn !== undefined) ev.workerName = wn;
    const act = strOf(p, 'WorkerActivityName');
    if (act === undefined) reasons.push(`WorkerActivityName: expected the worker's new activity (Available, Offline, …), got ${typeName(p.WorkerActivityName)}`);
    else ev.activityName = act;
  }
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, ev };
}

/** memoryKeys and map read the same record: parse it once. */
const parsedCache = new WeakMap<object, Parsed>();

function parsed(record: RawRecord): Parsed {
  const body = record.body;
  if (typeof body !== 'object' || body === null) return parse(record);
  const hit = parsedCache.get(body);
  if (hit) return hit;
  const p = parse(record);
  parsedCache.set(body, p);
  return p;
}

function contactIdOf(ev: TrEvent): string | undefined {
  return ev.attrs?.conversationId ?? ev.taskSid;
}

/**
 * A customer's pseudonymous id: repeat-contact FCR needs one, and a Flex task names the customer only by address. A
 * hash keyed by the source, so the same caller is the same customer on one source and the address is not stored.
 */
function customerIdOf(sourceId: string, address: string, pseudonym: MapContext['pseudonym']): string {
  if (pseudonym) return `twilio-cust:${pseudonym(address.trim().toLowerCase())}`;
  return `twilio-cust:${createHash('sha256').update(`${sourceId}\n${address.trim().toLowerCase()}`).digest('hex').slice(0, 32)}`;
}

// ---- facts -------------------------------------------------------------------------------------------------------

function earliest<T>(held: Timed<T> | undefined, v: T, t: number): Timed<T> {
  return held === undefined || t < held.t ? { v, t } : held;
}

function latest<T>(held: Timed<T> | undefined, v: T, t: number): Timed<T> {
  return held === undefined || t > held.t ? { v, t } : held;
}

function minOf(held: number | undefined, t: number): number {
  return held === undefined ? t : Math.min(held, t);
}

/** Adds what one task event says to the contact. Idempotent and order-free: applying it twice changes nothing. */
function apply(mem: ContactMem, ev: TrEvent, sourceId: string, pseudonym: MapContext['pseudonym']): void {
  const sid = ev.taskSid as string;
  const task = (mem.tasks[sid] ??= { res: {} });
  const t = ev.atMs;
  if (ev.taskCreatedMs !== undefined) {
    task.c = ev.taskCreatedMs;
    task.cExact = true;
  } else if (ev.type === 'task.created') {
    if (!task.cExact || task.c === undefined || t < task.c) task.c = t;
    task.cExact = true;
  } else if (!task.cExact && ev.taskAge !== undefined) {
    task.c = minOf(task.c, t - Math.round(ev.taskAge * 1000));
  }
  if (ev.channel !== undefined) task.ch ??= ev.channel;
  if (ev.attrs?.customer !== undefined) task.cu ??= customerIdOf(sourceId, ev.attrs.customer, pseudonym);
  if (ev.queueSid !== undefined) {
    task.q = earliest(task.q, ev.queueSid, t);
    if (ev.queueName !== undefined) mem.qn[ev.queueSid] = ev.queueName;
  }
  const a = ev.attrs;
  if (a) {
    if (a.outcome !== undefined) task.out = latest(task.out, a.outcome, t);
    if (a.holdSeconds !== undefined) task.hold = latest(task.hold, a.holdSeconds, t);
    task.virt = latest(task.virt, a.virtual, t);
    if (a.followedBy !== undefined) task.fb = latest(task.fb, a.followedBy, t);
    if (a.destination !== undefined) task.dest = latest(task.dest, a.destination, t);
    if (a.survey !== undefined) task.sv = latest(task.sv, a.survey, t);
  }
  switch (ev.type) {
    case 'reservation.accepted': {
      const rsid = ev.reservationSid as string;
      const held = task.res[rsid];
      if (held === undefined || t < held.a) {
        const r: ReservationMem = { ...held, w: ev.workerSid as string, a: t };
        if (ev.workerName !== undefined) r.wn = ev.workerName;
        if (ev.queueSid !== undefined) r.q = ev.queueSid;
        task.res[rsid] = r;
      }
      break;
    }
    case 'reservation.wrapup':
    case 'reservation.completed': {
      const held = task.res[ev.reservationSid as string];
      if (held) {
        if (ev.type === 'reservation.wrapup') held.wu = minOf(held.wu, t);
        else held.done = minOf(held.done, t);
      }
      break;
    }
    case 'task.wrapup':
      task.wu = minOf(task.wu, t);
      break;
    case 'task.completed':
      task.done = minOf(task.done, t);
      break;
    case 'task.canceled':
      if (task.cx === undefined || t < task.cx) {
        task.cx = t;
        if (ev.taskAge !== undefined) task.age = ev.taskAge;
      }
      break;
    default:
      break;
  }
}

// ---- events ------------------------------------------------------------------------------------------------------

const iso = (ms: number): string => new Date(ms).toISOString();
const secs = (ms: number): number => Math.max(0, ms / 1000);

/** A worker: the source's agent table by SID, then by name; unmapped, the WorkerName (Frontline's agent id by convention). */
function agentOf(run: MappingRun, workerSid: string, workerName: string | undefined): string {
  const id = run.agent(workerSid, workerName);
  return id === workerSid && workerName !== undefined ? workerName : id;
}

/** A TaskQueue: the queue table by SID, then by name; unmapped, the TaskQueueName. */
function queueOf(run: MappingRun, queueSid: string, names: Record<string, string>): string {
  const name = names[queueSid];
  const id = run.queue(queueSid, name);
  return id === queueSid && name !== undefined ? name : id;
}

interface Leg {
  taskSid: string;
  resSid: string;
  r: ReservationMem;
}

/** The contact's lifecycle as its tasks' facts tell it, every event under the contact's revision. */
function lifecycle(mem: ContactMem, contactId: string, run: MappingRun, source: string): Record<string, unknown>[] {
  const tasks = Object.entries(mem.tasks)
    .filter(([, t]) => t.virt?.v !== true)
    .sort(([sa, a], [sb, b]) => (a.c ?? Number.MAX_SAFE_INTEGER) - (b.c ?? Number.MAX_SAFE_INTEGER) || (sa < sb ? -1 : sa > sb ? 1 : 0));
  const first = tasks[0];
  if (first === undefined) return [];
  const revision = mem.rev;
  const base = (part: string, type: string, atMs: number) => ({ id: `twilio:${contactId}:${part}`, type, occurredAt: iso(atMs), source, contactId });
  const out: Record<string, unknown>[] = [];
  const [, ft] = first;
  let offeredQueue: string | undefined;
  if (ft.q !== undefined) offeredQueue = queueOf(run, ft.q.v, mem.qn);
  if (ft.c !== undefined && ft.ch !== undefined && offeredQueue !== undefined) {
    const channel = run.channel(ft.ch, TWILIO_DEFAULT_CHANNELS);
    if (channel !== undefined) out.push({ ...base('offered', 'contact.offered', ft.c), channel, queueId: offeredQueue, ...(ft.cu !== undefined ? { customerId: ft.cu } : {}), revision });
  }

  const legs: Leg[] = [];
  for (const [taskSid, t] of tasks) for (const [resSid, r] of Object.entries(t.res)) legs.push({ taskSid, resSid, r });
  legs.sort((x, y) => x.r.a - y.r.a || (x.resSid < y.resSid ? -1 : x.resSid > y.resSid ? 1 : 0));
  let prevAgent: string | undefined;
  let prevTask: string | undefined;
  legs.forEach((leg, i) => {
    const task = mem.tasks[leg.taskSid] as TaskMem;
    const agentId = agentOf(run, leg.r.w, leg.r.wn);
    const legQueueSid = leg.r.q ?? task.q?.v;
    const legQueue = legQueueSid !== undefined ? queueOf(run, legQueueSid, mem.qn) : undefined;
    if (i === 0) {
      out.push({ ...base('answered', 'contact.answered', leg.r.a), agentId, revision });
    } else if (prevAgent !== undefined) {
      const newTask = leg.taskSid !== prevTask;
      const at = newTask ? Math.min(task.c ?? leg.r.a, leg.r.a) : leg.r.a;
      const to = newTask && legQueue !== undefined ? { toQueueId: legQueue } : { toAgentId: agentId };
      out.push({ ...base(`transferred:${leg.resSid}`, 'contact.transferred', at), fromAgentId: prevAgent, ...to, kind: 'transfer', revision });
    }
    prevAgent = agentId;
    prevTask = leg.taskSid;

    // A worker who handed the task itself to another (a second accepted reservation) ends at their reservation's
    // completion, else at the handover; the task's own wrap-up and completion are the last worker's.
    const nextOnTask = legs.find((l, j) => j > i && l.taskSid === leg.taskSid);
    const lastOnTask = nextOnTask === undefined;
    const end = leg.r.done ?? (lastOnTask ? (task.done ?? task.cx) : nextOnTask.r.a);
    if (end === undefined) return;
    const wrapFrom = Math.min(leg.r.wu ?? (lastOnTask ? task.wu : undefined) ?? end, end);
    const talkAndHold = secs(wrapFrom - leg.r.a);
    const hold = lastOnTask ? Math.min(task.hold?.v ?? 0, talkAndHold) : 0;
    const ended: Record<string, unknown> = {
      ...base(`ended:${leg.resSid}`, 'contact.ended', end),
      agentId,
      talkSeconds: talkAndHold - hold,
      holdSeconds: hold,
      wrapSeconds: secs(end - wrapFrom),
      resolved: run.resolved(task.out ? [task.out.v] : []),
      revision,
    };
    if (legQueue !== undefined && legQueue !== offeredQueue) ended.queueId = legQueue;
    if (i === legs.length - 1 && lastOnTask && task.fb?.v === 'External Transfer') {
      out.push({ ...base(`transferred:${leg.resSid}:external`, 'contact.transferred', wrapFrom), fromAgentId: agentId, toExternal: (task.dest?.v ?? 'external').slice(0, 200), kind: 'transfer', revision });
    }
    out.push(ended);
  });

  if (legs.length === 0 && tasks.every(([, t]) => t.cx !== undefined)) {
    let last = ft;
    for (const [, t] of tasks) if ((t.cx as number) > (last.cx as number)) last = t;
    const cx = last.cx as number;
    const wait = ft.c !== undefined ? secs(cx - ft.c) : last.age;
    out.push({ ...base('abandoned', 'contact.abandoned', cx), ...(wait !== undefined ? { waitSeconds: wait } : {}), abandonedIn: offeredQueue !== undefined ? 'queue' : 'ivr', revision });
  }
  return out;
}

function surveyEvent(contactId: string, taskSid: string, sv: Timed<SurveyAttr>, ctx: MapContext): Record<string, unknown> {
  const s = sv.v;
  const scale = ctx.mapping.surveyScale ?? PLATFORM_INFO.twilio.defaultSurveyScale;
  const answers: Record<string, unknown>[] = [];
  if (s.csat !== undefined) answers.push({ measure: 'csat', scale, value: s.csat });
  if (s.nps !== undefined) answers.push({ measure: 'nps', scale: '0-10', value: s.nps });
  if (s.resolved !== undefined) answers.push({ measure: 'resolved', scale: 'yes-no', value: s.resolved ? 'yes' : 'no' });
  const responseId = s.responseId ?? taskSid;
  return {
    id: `twilio:${contactId}:survey:${responseId}`,
    type: 'survey.responded',
    occurredAt: iso(sv.t),
    source: ctx.sourceId,
    contactId,
    responseId,
    answers,
    revision: sv.t,
    ...(s.programme !== undefined ? { programmeId: s.programme } : {}),
    ...(s.comment !== undefined ? { comment: s.comment } : {}),
  };
}

function mapTask(ev: TrEvent, ctx: MapContext): MapOutcome {
  const contactId = contactIdOf(ev) as string;
  const key = `contact:${contactId}`;
  const held = ctx.memory.get(key);
  const before = isContactMem(held) ? JSON.stringify(held) : undefined;
  const mem: ContactMem = before !== undefined ? (JSON.parse(before) as ContactMem) : { v: 1, rev: 0, qn: {}, tasks: {} };
  apply(mem, ev, ctx.sourceId, ctx.pseudonym);
  if (before === undefined || JSON.stringify(mem) !== before) {
    // New facts: a new revision, later than any given before (a callback delivered late may carry an earlier time).
    mem.rev = Math.max(ev.atMs, mem.rev + 1);
    ctx.memory.set(key, mem);
  }
  const run = new MappingRun(ctx.mapping, ctx.known);
  const task = mem.tasks[ev.taskSid as string] as TaskMem;
  const events = task.virt?.v === true ? [] : lifecycle(mem, contactId, run, ctx.sourceId);
  if (task.sv !== undefined) events.push(surveyEvent(contactId, ev.taskSid as string, task.sv, ctx));
  return run.finish(events);
}

function mapWorker(ev: TrEvent, ctx: MapContext): MapOutcome {
  const run = new MappingRun(ctx.mapping, ctx.known);
  const workerSid = ev.workerSid as string;
  const name = ev.activityName as string;
  const agentId = agentOf(run, workerSid, ev.workerName);
  const state = run.state(name, TWILIO_DEFAULT_STATES);
  if (state === undefined) return run.finish([]);
  return run.finish([
    {
      id: `twilio:${workerSid}:state:${ev.sid ?? ev.atMs}`,
      type: 'agent.state',
      occurredAt: iso(ev.atMs),
      source: ctx.sourceId,
      agentId,
      state,
      stateName: name.slice(0, 100),
    },
  ]);
}

export const twilioMapper: PlatformMapper = {
  platform: 'twilio',

  recordKey(record: RawRecord): string {
    const p = parsed(record);
    if (p.ok) return p.ev.taskSid ?? p.ev.workerSid ?? p.ev.sid ?? p.ev.type;
    const body = record.body as Record<string, unknown> | null;
    if (typeof body === 'object' && body !== null) {
      const payload = (body.data as { payload?: Record<string, unknown> } | undefined)?.payload;
      const src = payload ?? body;
      return strOf(src, 'TaskSid') ?? strOf(src, 'task_sid') ?? strOf(src, 'WorkerSid') ?? strOf(src, 'worker_sid') ?? strOf(body, 'id') ?? 'unknown';
    }
    return 'unknown';
  },

  memoryKeys(record: RawRecord): string[] {
    const p = parsed(record);
    if (!p.ok || !isTaskEvent(p.ev.type)) return [];
    const id = contactIdOf(p.ev);
    return id === undefined ? [] : [`contact:${id}`];
  },

  map(record: RawRecord, ctx: MapContext): MapOutcome {
    const p = parsed(record);
    if (!p.ok) return malformed(...p.reasons);
    const ev = p.ev;
    if (isTaskEvent(ev.type)) return mapTask(ev, ctx);
    if (ev.type === 'worker.activity.update') return mapWorker(ev, ctx);
    // Workflow, workspace, activity, task-queue and worker-channel events, and other products' CloudEvents on the
    // same sink, say nothing Frontline counts.
    return { ok: true, events: [] };
  },
};
