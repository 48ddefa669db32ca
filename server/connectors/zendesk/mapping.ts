/**
 * Zendesk Support → contract v2 (issue 16): a PURE mapper of the three record kinds the poller reads (poll.ts).
 *
 * - `ticket`: one ticket as the Incremental Ticket Export (cursor based) returns it, with the side-loaded user
 *   (`include=users`) and group (`include=groups`) it names, and the id of the Time Tracking app's "Total time spent
 *   (sec)" ticket field when the account has one. A ticket is a contact (`zendesk:<id>`): created → offered, the
 *   first agent reply → answered, a change of assignee or group → transferred, solved/closed → ended (one leg per
 *   assignee). Its revision is its update time in ms, so a reopened and re-solved ticket replaces its earlier form.
 * - `metric-event`: one event of the Incremental Ticket Metric Event Export (reply_time, agent_work_time,
 *   requester_wait_time... activate/fulfill/update_status/breach/apply_sla). Metric events emit nothing themselves:
 *   they are remembered (mapper memory, per ticket) and feed the ticket's events — the first reply time and wait,
 *   the business- and calendar-hours minutes, SLA policies and breaches (kept in `ext`).
 * - `rating`: one satisfaction rating (List Satisfaction Ratings): offered → survey.offered; good/bad →
 *   survey.responded on the good-bad scale, its id the response id, its update time the revision (a changed rating
 *   replaces the earlier one). A rating may come before its ticket: ingest holds it as an orphan.
 *
 * Documentation (record shapes, field meanings):
 * - Tickets in exports: https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/
 *   (`generated_timestamp`, `updated_at`, `status`, `via.channel`, `group_id`, `assignee_id`, `tags`, `custom_fields`)
 * - Via types: https://developer.zendesk.com/documentation/ticketing/reference-guides/via-types (a channel is a via
 *   type string or a via id number; ticket payloads in the reference show "web", "email", "api"...)
 * - Metric events: https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metric_events/ and
 *   https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-metric-event-types-reference
 *   (`status` = minutes in business and calendar hours, on update_status events; `deleted` events are ignored)
 * - Ratings: https://developer.zendesk.com/api-reference/ticketing/ticket-management/satisfaction_ratings/
 *   (`score` is "offered", "unoffered", "good" or "bad")
 * - Time Tracking app: https://support.zendesk.com/hc/en-us/articles/4408822487450 ("Total time spent (sec)").
 *
 * Handle time: Zendesk Support records no talk, hold or wrap time for a ticket. Where the account runs Zendesk's Time
 * Tracking app, its "Total time spent (sec)" field is the agents' handle time: counted as talk (hold and wrap 0),
 * split between legs by the total on the form that handed the ticket over (the time submitted with a reassigning
 * update counts for the agent who sent it, the previous assignee). Without it a ticket's handle time is 0.
 * Agent work time (a metric event) is how long the ticket waited for an agent, not effort: it is kept in `ext`.
 */
import type { Channel } from '../../../shared/channels.js';
import { PLATFORM_INFO, type SourceMapping } from '../../../shared/sources.js';
import { MappingRun, malformed } from '../common.js';
import type { MapContext, MapOutcome, MapperMemory, PlatformMapper, RawRecord } from '../types.js';

// ---------------------------------------------------------------------------------------------------------------
// Zendesk's record shapes (the fields this mapper reads; the API sends more)
// ---------------------------------------------------------------------------------------------------------------

export interface ZendeskVia {
  /** A via type ("email", "web", "chat", "voice", "native_messaging"...) or a via id (4, 29...). */
  channel: string | number;
  source?: unknown;
}

export interface ZendeskTicket {
  id: number;
  created_at: string;
  updated_at: string;
  /** Epoch seconds of the last change of any kind (system updates too); the export pages by it. */
  generated_timestamp?: number;
  /** new, open, pending, hold, solved, closed; "deleted" in exports that include deleted tickets. */
  status: string;
  via?: ZendeskVia;
  group_id?: number | null;
  assignee_id?: number | null;
  requester_id?: number | null;
  tags?: string[];
  custom_fields?: { id: number; value: unknown }[];
  external_id?: string | null;
  subject?: string | null;
  [key: string]: unknown;
}

export interface ZendeskUser {
  id: number;
  name?: string;
  email?: string | null;
  /** "A unique identifier from another system": the Frontline agent id when the admin sets it. */
  external_id?: string | null;
  role?: string;
  [key: string]: unknown;
}

export interface ZendeskGroup {
  id: number;
  name?: string;
  [key: string]: unknown;
}

/** The body of a `ticket` record: the exported ticket and what the export side-loaded for it. */
export interface ZendeskTicketRecord {
  ticket: ZendeskTicket;
  /** The side-loaded user the ticket's assignee_id names, when the page carried it. */
  assignee?: ZendeskUser | null;
  /** The side-loaded group the ticket's group_id names, when the page carried it. */
  group?: ZendeskGroup | null;
  /** The Time Tracking app's "Total time spent (sec)" ticket field id, when the account has the app. */
  timeSpentFieldId?: number | null;
}

export interface ZendeskMinutes {
  calendar?: number;
  business?: number;
}

export interface ZendeskMetricEvent {
  id: number;
  ticket_id: number;
  /** agent_work_time, pausable_update_time, periodic_update_time, reply_time, requester_wait_time, resolution_time, group_ownership_time */
  metric: string;
  instance_id?: number;
  /** activate, pause, fulfill, apply_sla, apply_group_sla, breach, update_status, measure */
  type: string;
  time: string;
  status?: ZendeskMinutes;
  sla?: { target?: number; business_hours?: boolean; policy?: { id?: number; title?: string; description?: string } };
  deleted?: boolean;
  [key: string]: unknown;
}

export interface ZendeskSatisfactionRating {
  id: number;
  ticket_id: number;
  /** offered, unoffered, good, bad */
  score: string;
  comment?: string | null;
  reason?: string | null;
  created_at?: string;
  updated_at?: string;
  assignee_id?: number | null;
  group_id?: number | null;
  requester_id?: number | null;
  [key: string]: unknown;
}

export const ZENDESK_RECORD_KINDS = ['ticket', 'metric-event', 'rating'] as const;
export type ZendeskRecordKind = (typeof ZENDESK_RECORD_KINDS)[number];

// ---------------------------------------------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------------------------------------------

/**
 * Via types → Frontline channels when the source's mapping says nothing. Both spellings the documentation uses are
 * here: the Via types reference's (mail, web_form, web_service, chat...) and the ticket payloads' (email, web, api).
 * Web forms and API tickets are asynchronous written contacts, counted as email. Social channels (twitter, facebook,
 * instagram_dm...) are left for the admin to map (messaging or not), as are via ids given as numbers.
 */
export const ZENDESK_DEFAULT_CHANNELS: Readonly<Record<string, Channel>> = {
  email: 'email',
  mail: 'email',
  web: 'email',
  web_form: 'email',
  api: 'email',
  web_service: 'email',
  chat: 'chat',
  chat_transcript: 'chat',
  native_messaging: 'messaging',
  messaging: 'messaging',
  mobile_sdk: 'messaging',
  sms: 'messaging',
  whatsapp: 'messaging',
  voice: 'voice',
  voicemail: 'voice',
  voice_inbound: 'voice',
  voice_outbound: 'voice',
};

/** The survey programme of Zendesk's satisfaction ratings (one offer per ticket). */
export const ZENDESK_CSAT_PROGRAMME = 'zendesk-csat';
/** The queue value of a ticket that has no group. */
export const ZENDESK_NO_GROUP = 'no-group';
/** The title the Time Tracking app gives its total time field. */
export const ZENDESK_TIME_SPENT_FIELD_TITLE = 'Total time spent (sec)';

const STATUSES = new Set(['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted']);
const ENDED_STATUSES = new Set(['solved', 'closed']);
const SCORES = new Set(['offered', 'unoffered', 'good', 'bad']);
/** Revisions: a ticket's update time in ms (whole seconds in Zendesk) plus how many metric facts it carries. */
const MAX_FACT_VERSION = 999;

// ---------------------------------------------------------------------------------------------------------------
// The mapper's memory of a ticket (JSON), keyed `ticket:<id>`
// ---------------------------------------------------------------------------------------------------------------

interface Minutes {
  c: number;
  b: number;
  /** When Zendesk measured them (epoch ms): a later update_status replaces an earlier one. */
  at: number;
}

interface Leg {
  /** The assignee's Zendesk user id, and the readable fields side-loaded with it. */
  a: number;
  ext?: string;
  label?: string;
  /** The group the ticket was in while this assignee had it. */
  g: number | null;
  gName?: string;
  /** When the ticket left the previous leg (a change of group or assignee), epoch ms. */
  at: number;
  /** The Time Tracking total (seconds) last seen while this leg was current. */
  spent?: number;
}

interface TicketMemory {
  /** The highest ticket update time (ms) applied to the legs. */
  base?: number;
  /** Bumped whenever a metric fact that changes the ticket's events is learnt. */
  v: number;
  g0?: number | null;
  g0Name?: string;
  legs: Leg[];
  /** A move to another group with nobody assigned yet: the next leg's transfer starts here. */
  moved?: { g: number | null; gName?: string; at: number };
  /** When the ticket was first seen solved or closed in its current spell (reset by a reopen). */
  solvedAt?: number;
  /** The update time of the latest form seen neither solved nor closed. */
  openAt?: number;
  /** The latest solve Zendesk measured: "a solved status change also fulfills the requester_wait_time metric". */
  solvedFulfil?: number;
  /** First reply (reply_time fulfil, instance 1), epoch ms. */
  reply?: number;
  replyMin?: Minutes;
  workMin?: Minutes;
  waitMin?: Minutes;
  breached?: string[];
  sla?: Record<string, { target?: number; businessHours?: boolean; policy?: string }>;
}

export function ticketMemoryKey(ticketId: number): string {
  return `ticket:${ticketId}`;
}

function readMemory(memory: MapperMemory, key: string): TicketMemory {
  const held = memory.get(key);
  if (typeof held === 'object' && held !== null && Array.isArray((held as TicketMemory).legs)) {
    return structuredClone(held as TicketMemory);
  }
  return { v: 0, legs: [] };
}

// ---------------------------------------------------------------------------------------------------------------
// Small validators: a couple of typeof checks per field, no schema per record
// ---------------------------------------------------------------------------------------------------------------

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function shown(x: unknown): string {
  if (x === undefined) return 'nothing';
  const text = JSON.stringify(x) ?? typeof x;
  return `${x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

function idProblem(path: string, x: unknown): string | null {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0 ? null : `${path}: expected a positive whole number (a Zendesk id), got ${shown(x)}`;
}

function optionalIdProblem(path: string, x: unknown): string | null {
  return x === undefined || x === null ? null : idProblem(path, x);
}

/** Epoch ms of an ISO-8601 time, or NaN. */
function msOf(x: unknown): number {
  return typeof x === 'string' ? Date.parse(x) : Number.NaN;
}

function timeProblem(path: string, x: unknown): string | null {
  return Number.isNaN(msOf(x)) ? `${path}: expected an ISO-8601 date-time such as 2011-05-05T10:38:52Z, got ${shown(x)}` : null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function minutesOf(x: unknown, at: number): Minutes | undefined {
  if (!isObject(x)) return undefined;
  const c = x.calendar;
  const b = x.business;
  if (typeof c !== 'number' || !Number.isFinite(c) || c < 0) return undefined;
  return { c, b: typeof b === 'number' && Number.isFinite(b) && b >= 0 ? b : c, at };
}

function minutesExt(m: Minutes | undefined): { calendar: number; business: number } | undefined {
  return m === undefined ? undefined : { calendar: m.c, business: m.b };
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping values through the source's tables
// ---------------------------------------------------------------------------------------------------------------

/** A group → a queue: the table by id, then by name; by default the group's name (else its id). */
function queueOf(run: MappingRun, mapping: SourceMapping, groupId: number | null | undefined, name: string | undefined): string {
  const pid = groupId === null || groupId === undefined ? ZENDESK_NO_GROUP : String(groupId);
  const q = run.queue(pid, name);
  if (q === pid && name && mapping.queues[pid] === undefined && mapping.queues[name] === undefined) return name;
  return q;
}

/** A user → an agent: the table by user id, then by email (or name); by default the user's external id (else the user id). */
function agentOf(run: MappingRun, mapping: SourceMapping, leg: Leg): string {
  const pid = String(leg.a);
  const a = run.agent(pid, leg.label);
  if (a === pid && leg.ext && mapping.agents[pid] === undefined && (leg.label === undefined || mapping.agents[leg.label] === undefined)) return leg.ext;
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// Tickets
// ---------------------------------------------------------------------------------------------------------------

function ticketProblems(body: unknown): string[] {
  if (!isObject(body)) return [`record: expected an object {ticket, assignee?, group?, timeSpentFieldId?}, got ${shown(body)}`];
  const t = body.ticket;
  if (!isObject(t)) return [`ticket: expected a ticket object as the incremental ticket export returns it, got ${shown(t)}`];
  const problems: string[] = [];
  const push = (p: string | null) => {
    if (p !== null) problems.push(p);
  };
  push(idProblem('ticket.id', t.id));
  push(timeProblem('ticket.created_at', t.created_at));
  push(timeProblem('ticket.updated_at', t.updated_at));
  if (t.generated_timestamp !== undefined && t.generated_timestamp !== null && (typeof t.generated_timestamp !== 'number' || !Number.isFinite(t.generated_timestamp))) {
    problems.push(`ticket.generated_timestamp: expected epoch seconds, got ${shown(t.generated_timestamp)}`);
  }
  if (typeof t.status !== 'string' || !STATUSES.has(t.status)) problems.push(`ticket.status: expected one of ${[...STATUSES].join(', ')}, got ${shown(t.status)}`);
  const via = t.via;
  if (!isObject(via) || (typeof via.channel !== 'string' && typeof via.channel !== 'number') || via.channel === '') {
    problems.push(`ticket.via.channel: expected a via type (such as "email") or a via id number, got ${shown(isObject(via) ? via.channel : via)}`);
  }
  push(optionalIdProblem('ticket.group_id', t.group_id));
  push(optionalIdProblem('ticket.assignee_id', t.assignee_id));
  push(optionalIdProblem('ticket.requester_id', t.requester_id));
  if (t.tags !== undefined && t.tags !== null && (!Array.isArray(t.tags) || t.tags.some((x) => typeof x !== 'string'))) problems.push(`ticket.tags: expected an array of strings, got ${shown(t.tags)}`);
  if (t.custom_fields !== undefined && t.custom_fields !== null && !Array.isArray(t.custom_fields)) problems.push(`ticket.custom_fields: expected an array of {id, value}, got ${shown(t.custom_fields)}`);
  const a = body.assignee;
  if (a !== undefined && a !== null && (!isObject(a) || idProblem('assignee.id', a.id) !== null)) problems.push(`assignee: expected the side-loaded user {id, name, email, external_id}, got ${shown(a)}`);
  const g = body.group;
  if (g !== undefined && g !== null && (!isObject(g) || idProblem('group.id', g.id) !== null)) problems.push(`group: expected the side-loaded group {id, name}, got ${shown(g)}`);
  return problems;
}

/** Epoch ms of the ticket's latest change: its update time, or its generated timestamp when a system update is later. */
function ticketBaseMs(t: ZendeskTicket): number {
  const updated = Math.floor(Date.parse(t.updated_at) / 1000) * 1000;
  const generated = typeof t.generated_timestamp === 'number' ? Math.floor(t.generated_timestamp) * 1000 : 0;
  return Math.max(updated, generated);
}

function timeSpentOf(t: ZendeskTicket, fieldId: number | null | undefined): number | undefined {
  if (fieldId === null || fieldId === undefined || !Array.isArray(t.custom_fields)) return undefined;
  for (const f of t.custom_fields) {
    if (!isObject(f) || f.id !== fieldId) continue;
    const v = typeof f.value === 'string' && f.value.trim() !== '' ? Number(f.value) : f.value;
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
  }
  return undefined;
}

/** Applies a ticket's current form to what the mapper remembers of it (assignees, groups, solved spell). */
function applyTicket(mem: TicketMemory, rec: ZendeskTicketRecord, baseMs: number): void {
  const t = rec.ticket;
  const group = t.group_id ?? null;
  const groupName = rec.group && rec.group.id === group && typeof rec.group.name === 'string' ? rec.group.name : undefined;
  if (mem.g0 === undefined) {
    mem.g0 = group;
    if (groupName) mem.g0Name = groupName;
  }
  const spent = timeSpentOf(t, rec.timeSpentFieldId);
  const assignee = t.assignee_id ?? null;
  const last = mem.legs[mem.legs.length - 1];
  if (assignee !== null) {
    if (last === undefined || last.a !== assignee) {
      const user = rec.assignee && rec.assignee.id === assignee ? rec.assignee : undefined;
      const leg: Leg = { a: assignee, g: group, at: mem.moved?.at ?? baseMs };
      if (groupName) leg.gName = groupName;
      if (user && typeof user.external_id === 'string' && user.external_id.trim() !== '') leg.ext = user.external_id.trim();
      const label = user ? (typeof user.email === 'string' && user.email !== '' ? user.email : typeof user.name === 'string' && user.name !== '' ? user.name : undefined) : undefined;
      if (label) leg.label = label;
      if (spent !== undefined) {
        // The update that hands the ticket over carries the time its sender (the previous assignee) submitted.
        if (last !== undefined && mem.moved === undefined) last.spent = spent;
        leg.spent = spent;
      }
      mem.legs.push(leg);
    } else {
      if (last.g !== group) {
        last.g = group;
        if (groupName) last.gName = groupName;
        else delete last.gName;
      }
      if (spent !== undefined) last.spent = spent;
    }
    delete mem.moved;
  } else if (last !== undefined && last.g !== group && mem.moved === undefined) {
    // Sent to another group with nobody assigned: the transfer happened now; its agent is the next assignee.
    mem.moved = { g: group, at: baseMs, ...(groupName ? { gName: groupName } : {}) };
    if (spent !== undefined) last.spent = spent;
  } else if (last !== undefined && spent !== undefined) {
    last.spent = spent;
  }
  if (ENDED_STATUSES.has(t.status)) mem.solvedAt ??= baseMs;
  else {
    delete mem.solvedAt;
    mem.openAt = baseMs;
  }
}

/**
 * When the ticket was solved: the requester_wait_time fulfil of this solved spell when Zendesk sent one (exact even
 * when the ticket is first seen days later, closed), else when the ticket was first seen solved or closed.
 */
function solvedMsOf(mem: TicketMemory, createdMs: number, baseMs: number): number {
  const f = mem.solvedFulfil;
  if (f !== undefined && f >= createdMs && f <= baseMs && (mem.openAt === undefined || f > mem.openAt)) return f;
  return Math.max(mem.solvedAt ?? baseMs, createdMs);
}

function mapTicket(record: RawRecord, ctx: MapContext): MapOutcome {
  const problems = ticketProblems(record.body);
  if (problems.length > 0) return malformed(...problems);
  const rec = record.body as ZendeskTicketRecord;
  const t = rec.ticket;
  const key = ticketMemoryKey(t.id);
  const mem = readMemory(ctx.memory, key);
  const baseMs = ticketBaseMs(t);
  if (mem.base !== undefined && baseMs < mem.base) {
    return { ok: true, events: [], warnings: [`ticket ${t.id} updated ${t.updated_at} is older than the form already mapped (${iso(mem.base)}): nothing changes`] };
  }
  if (t.status === 'deleted') {
    return { ok: true, events: [], warnings: [`ticket ${t.id} was deleted in Zendesk: its events already stored stay as they were`] };
  }
  applyTicket(mem, rec, baseMs);
  mem.base = baseMs;
  ctx.memory.set(key, mem);

  const run = new MappingRun(ctx.mapping, ctx.known);
  const mapping = ctx.mapping;
  const channel = run.channel(String(t.via?.channel ?? ''), ZENDESK_DEFAULT_CHANNELS);
  const contactId = `zendesk:${t.id}`;
  const prefix = contactId;
  const revision = baseMs + Math.min(MAX_FACT_VERSION, mem.v);
  const createdMs = Date.parse(t.created_at);
  const source = { source: ctx.sourceId };
  const offeredQueue = queueOf(run, mapping, mem.g0 ?? null, mem.g0Name);
  const events: Record<string, unknown>[] = [];

  const offered: Record<string, unknown> = { id: `${prefix}:offered`, type: 'contact.offered', occurredAt: iso(createdMs), ...source, contactId, channel: channel ?? 'email', queueId: offeredQueue, revision };
  if (typeof t.requester_id === 'number') offered.customerId = `zendesk:user:${t.requester_id}`;
  if (mem.sla && Object.keys(mem.sla).length > 0) offered.ext = { sla: mem.sla };
  events.push(offered);

  const legs = mem.legs;
  const first = legs[0];
  const warnings: string[] = [];
  if (first !== undefined) {
    const answeredMs = mem.reply !== undefined && mem.reply >= createdMs ? mem.reply : Math.max(first.at, createdMs);
    const answered: Record<string, unknown> = { id: `${prefix}:answered`, type: 'contact.answered', occurredAt: iso(answeredMs), ...source, contactId, agentId: agentOf(run, mapping, first), revision };
    // The first reply time in calendar hours is the contact's wait: to the second from the fulfil event's time,
    // else the update_status minutes. Business-hours minutes stay in ext.
    if (mem.reply !== undefined && mem.reply >= createdMs) answered.waitSeconds = (mem.reply - createdMs) / 1000;
    else if (mem.replyMin !== undefined) answered.waitSeconds = mem.replyMin.c * 60;
    const replyMinutes = minutesExt(mem.replyMin);
    if (replyMinutes) answered.ext = { replyMinutes };
    events.push(answered);
  }
  for (let i = 1; i < legs.length; i++) {
    const from = legs[i - 1] as Leg;
    const to = legs[i] as Leg;
    const transfer: Record<string, unknown> = { id: `${prefix}:transfer:${i}`, type: 'contact.transferred', occurredAt: iso(to.at), ...source, contactId, fromAgentId: agentOf(run, mapping, from), kind: 'transfer', revision };
    if (to.g !== from.g) transfer.toQueueId = queueOf(run, mapping, to.g, to.gName);
    else transfer.toAgentId = agentOf(run, mapping, to);
    events.push(transfer);
  }

  if (ENDED_STATUSES.has(t.status)) {
    const endMs = solvedMsOf(mem, createdMs, baseMs);
    if (legs.length === 0) {
      // Solved or closed without ever having an assignee: nobody handled it (a missed chat, a customer who gave up).
      events.push({ id: `${prefix}:abandoned`, type: 'contact.abandoned', occurredAt: iso(endMs), ...source, contactId, waitSeconds: (endMs - createdMs) / 1000, abandonedIn: 'queue', revision });
    } else {
      const tags = Array.isArray(t.tags) ? t.tags : [];
      const resolved = run.resolved(tags);
      let before = 0;
      legs.forEach((leg, i) => {
        const last = i === legs.length - 1;
        const handle = leg.spent === undefined ? 0 : Math.max(0, leg.spent - before);
        if (leg.spent !== undefined) before = Math.max(before, leg.spent);
        const legEndMs = last ? endMs : Math.max((legs[i + 1] as Leg).at, createdMs);
        const ended: Record<string, unknown> = {
          id: `${prefix}:ended:${i}`, type: 'contact.ended', occurredAt: iso(legEndMs), ...source, contactId, agentId: agentOf(run, mapping, leg),
          talkSeconds: handle, holdSeconds: 0, wrapSeconds: 0, resolved: last ? resolved : false, revision,
        };
        const q = queueOf(run, mapping, leg.g, leg.gName);
        if (q !== offeredQueue) ended.queueId = q;
        if (last) {
          const ext: Record<string, unknown> = {};
          const work = minutesExt(mem.workMin);
          const wait = minutesExt(mem.waitMin);
          if (work) ext.agentWorkMinutes = work;
          if (wait) ext.requesterWaitMinutes = wait;
          if (mem.breached && mem.breached.length > 0) ext.slaBreached = mem.breached;
          ext.status = t.status;
          ended.ext = ext;
        }
        events.push(ended);
      });
      if (rec.timeSpentFieldId === undefined || rec.timeSpentFieldId === null) {
        warnings.push(`ticket ${t.id}: no Time Tracking "${ZENDESK_TIME_SPENT_FIELD_TITLE}" field on this account, so its handle time is 0`);
      }
    }
  }
  return run.finish(events, warnings);
}

// ---------------------------------------------------------------------------------------------------------------
// Metric events
// ---------------------------------------------------------------------------------------------------------------

function metricEventProblems(e: unknown): string[] {
  if (!isObject(e)) return [`record: expected a ticket metric event object, got ${shown(e)}`];
  const problems: string[] = [];
  const push = (p: string | null) => {
    if (p !== null) problems.push(p);
  };
  push(idProblem('id', e.id));
  push(idProblem('ticket_id', e.ticket_id));
  if (typeof e.metric !== 'string' || e.metric === '') problems.push(`metric: expected a metric name such as "reply_time", got ${shown(e.metric)}`);
  if (typeof e.type !== 'string' || e.type === '') problems.push(`type: expected an event type such as "fulfill", got ${shown(e.type)}`);
  push(timeProblem('time', e.time));
  if (e.instance_id !== undefined && e.instance_id !== null && (typeof e.instance_id !== 'number' || !Number.isInteger(e.instance_id))) problems.push(`instance_id: expected a whole number, got ${shown(e.instance_id)}`);
  if (e.type === 'update_status' && e.status !== undefined && e.status !== null && minutesOf(e.status, 0) === undefined) {
    problems.push(`status: expected {calendar, business} minutes on an update_status event, got ${shown(e.status)}`);
  }
  return problems;
}

function sameMinutes(a: Minutes | undefined, b: Minutes | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.c === b.c && a.b === b.b && a.at === b.at);
}

/** Learns what one metric event says of its ticket; true when the ticket's events change. */
function applyMetricEvent(mem: TicketMemory, e: ZendeskMetricEvent): boolean {
  const at = Date.parse(e.time);
  const first = (e.instance_id ?? 1) === 1;
  switch (e.type) {
    case 'fulfill':
      if (e.metric === 'reply_time' && first && (mem.reply === undefined || at < mem.reply)) {
        mem.reply = at;
        return true;
      }
      if (e.metric === 'requester_wait_time' && (mem.solvedFulfil === undefined || at > mem.solvedFulfil)) {
        mem.solvedFulfil = at;
        return true;
      }
      return false;
    case 'update_status': {
      const m = minutesOf(e.status, at);
      if (m === undefined) return false;
      const slot = e.metric === 'reply_time' ? (first ? 'replyMin' : undefined) : e.metric === 'agent_work_time' ? 'workMin' : e.metric === 'requester_wait_time' ? 'waitMin' : undefined;
      if (slot === undefined) return false;
      const held = mem[slot];
      if (held !== undefined && (held.at > at || sameMinutes(held, m))) return false;
      mem[slot] = m;
      return true;
    }
    case 'breach':
      if (mem.breached?.includes(e.metric)) return false;
      mem.breached = [...(mem.breached ?? []), e.metric];
      return true;
    case 'apply_sla': {
      const sla = e.sla;
      if (!isObject(sla)) return false;
      const next: { target?: number; businessHours?: boolean; policy?: string } = {};
      if (typeof sla.target === 'number') next.target = sla.target;
      if (typeof sla.business_hours === 'boolean') next.businessHours = sla.business_hours;
      if (isObject(sla.policy) && typeof sla.policy.title === 'string') next.policy = sla.policy.title;
      const held = mem.sla?.[e.metric];
      if (held && held.target === next.target && held.businessHours === next.businessHours && held.policy === next.policy) return false;
      mem.sla = { ...mem.sla, [e.metric]: next };
      return true;
    }
    default:
      // activate, pause, apply_group_sla, measure: the clocks' own bookkeeping; nothing a contact's figures use.
      return false;
  }
}

function mapMetricEvent(record: RawRecord, ctx: MapContext): MapOutcome {
  const problems = metricEventProblems(record.body);
  if (problems.length > 0) return malformed(...problems);
  const e = record.body as ZendeskMetricEvent;
  // "In general, you can ignore any event where deleted is true."
  if (e.deleted === true) return { ok: true, events: [] };
  const key = ticketMemoryKey(e.ticket_id);
  const mem = readMemory(ctx.memory, key);
  if (applyMetricEvent(mem, e)) {
    mem.v += 1;
    ctx.memory.set(key, mem);
  }
  // Nothing to emit: the ticket's next form (or its replay) carries what this event taught.
  return { ok: true, events: [] };
}

// ---------------------------------------------------------------------------------------------------------------
// Satisfaction ratings
// ---------------------------------------------------------------------------------------------------------------

function ratingProblems(r: unknown): string[] {
  if (!isObject(r)) return [`record: expected a satisfaction rating object, got ${shown(r)}`];
  const problems: string[] = [];
  const push = (p: string | null) => {
    if (p !== null) problems.push(p);
  };
  push(idProblem('id', r.id));
  push(idProblem('ticket_id', r.ticket_id));
  if (typeof r.score !== 'string' || !SCORES.has(r.score)) problems.push(`score: expected one of ${[...SCORES].join(', ')}, got ${shown(r.score)}`);
  if (r.updated_at === undefined && r.created_at === undefined) problems.push('updated_at: expected the time the rating was last updated (ISO-8601), got nothing');
  if (r.updated_at !== undefined) push(timeProblem('updated_at', r.updated_at));
  if (r.created_at !== undefined) push(timeProblem('created_at', r.created_at));
  if (r.comment !== undefined && r.comment !== null && typeof r.comment !== 'string') problems.push(`comment: expected a string, got ${shown(r.comment)}`);
  return problems;
}

function mapRating(record: RawRecord, ctx: MapContext): MapOutcome {
  const problems = ratingProblems(record.body);
  if (problems.length > 0) return malformed(...problems);
  const r = record.body as ZendeskSatisfactionRating;
  if (r.score === 'unoffered') return { ok: true, events: [] };
  const run = new MappingRun(ctx.mapping, ctx.known);
  const contactId = `zendesk:${r.ticket_id}`;
  const prefix = `${contactId}:rating:${r.id}`;
  const updatedMs = msOf(r.updated_at ?? r.created_at);
  const offeredMs = r.created_at !== undefined ? msOf(r.created_at) : updatedMs;
  const events: Record<string, unknown>[] = [
    { id: `${prefix}:offered`, type: 'survey.offered', occurredAt: iso(offeredMs), source: ctx.sourceId, contactId, programmeId: ZENDESK_CSAT_PROGRAMME },
  ];
  if (r.score === 'good' || r.score === 'bad') {
    const scale = ctx.mapping.surveyScale ?? PLATFORM_INFO.zendesk.defaultSurveyScale;
    if (scale !== 'good-bad') {
      run.problems.push(`Zendesk satisfaction ratings are good or bad, but the source's survey scale is ${scale}: set it to good-bad (or leave it empty)`);
    }
    const responded: Record<string, unknown> = {
      id: prefix, type: 'survey.responded', occurredAt: iso(updatedMs), source: ctx.sourceId, contactId, programmeId: ZENDESK_CSAT_PROGRAMME,
      responseId: String(r.id), revision: updatedMs, answers: [{ measure: 'csat', scale: 'good-bad', value: r.score }],
    };
    if (typeof r.comment === 'string' && r.comment.trim() !== '') responded.comment = r.comment;
    if (typeof r.reason === 'string' && r.reason.trim() !== '') responded.ext = { reason: r.reason };
    events.push(responded);
  }
  return run.finish(events);
}

// ---------------------------------------------------------------------------------------------------------------
// The mapper
// ---------------------------------------------------------------------------------------------------------------

function numberAt(body: unknown, ...path: string[]): string {
  let x: unknown = body;
  for (const p of path) x = isObject(x) ? x[p] : undefined;
  return typeof x === 'number' || typeof x === 'string' ? String(x) : '?';
}

export const zendeskMapper: PlatformMapper = {
  platform: 'zendesk',
  recordKey(record: RawRecord): string {
    switch (record.kind) {
      case 'ticket':
        return `ticket:${numberAt(record.body, 'ticket', 'id')}`;
      case 'metric-event':
        return `ticket:${numberAt(record.body, 'ticket_id')}/metric-event:${numberAt(record.body, 'id')}`;
      case 'rating':
        return `ticket:${numberAt(record.body, 'ticket_id')}/rating:${numberAt(record.body, 'id')}`;
      default:
        return `${record.kind}:?`;
    }
  },
  memoryKeys(record: RawRecord): string[] {
    if (record.kind === 'ticket') {
      const id = isObject(record.body) && isObject(record.body.ticket) ? record.body.ticket.id : undefined;
      return typeof id === 'number' ? [ticketMemoryKey(id)] : [];
    }
    if (record.kind === 'metric-event') {
      const id = isObject(record.body) ? record.body.ticket_id : undefined;
      return typeof id === 'number' ? [ticketMemoryKey(id)] : [];
    }
    return [];
  },
  map(record: RawRecord, ctx: MapContext): MapOutcome {
    switch (record.kind) {
      case 'ticket':
        return mapTicket(record, ctx);
      case 'metric-event':
        return mapMetricEvent(record, ctx);
      case 'rating':
        return mapRating(record, ctx);
      default:
        return malformed(`kind: expected one of ${ZENDESK_RECORD_KINDS.join(', ')}, got ${JSON.stringify(record.kind)}`);
    }
  },
};
