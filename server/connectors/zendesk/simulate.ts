/**
 * The simulated centre in Zendesk's own shapes (issue 16), and a local stand-in for the Zendesk API that serves them:
 * `npm run simulate -- --as zendesk` starts the stand-in and points a Zendesk source at it; the connector's tests
 * use the same stand-in.
 *
 * - `ZendeskSimulatedCentre.feed(events)` (or `zendeskRecords(events)` for one batch) turns the simulator's stored
 *   events into what a Zendesk account would hold: a ticket per chat, email and messaging contact (each form it had,
 *   in order), the ticket metric events Zendesk would have recorded (reply time, agent work time, requester wait
 *   time), the satisfaction ratings, the agents as users (their Frontline id as `external_id`), the queues as groups
 *   (the group name is the Frontline queue id) and the Time Tracking app's fields (the handle time is its "Total time
 *   spent (sec)"). Voice contacts are left out: Zendesk Talk's call records come from another API (Talk's
 *   incremental calls export), which this connector does not read.
 * - `startZendeskStandIn(...)` answers the documented endpoints the poller reads (poll.ts): cursor pages with
 *   `after_cursor` and `end_of_stream`, time-based pages with `end_time`, `next_page`, `count`, cursor pagination of
 *   ratings (`meta.has_more`), Basic authentication (401 otherwise), and faults on demand (429 with Retry-After, 5xx).
 *
 * Shapes follow https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/,
 * .../tickets/ticket_metric_events/, .../ticket-management/satisfaction_ratings/, .../tickets/ticket_fields/ and
 * https://developer.zendesk.com/api-reference/introduction/pagination/.
 * What the stand-in cannot know from the documentation: whether the ratings' start_time/end_time filter compares
 * created_at or updated_at (it uses updated_at), and the cursor's internal format (it is opaque to the connector).
 */
import http from 'node:http';
import type { Channel } from '../../../shared/channels.js';
import type { Directory } from '../../../shared/directory.js';
import type { FrontlineEvent } from '../../../shared/events.js';
import type { RawRecord } from '../types.js';
import {
  ZENDESK_TIME_SPENT_FIELD_TITLE,
  type ZendeskGroup,
  type ZendeskMetricEvent,
  type ZendeskSatisfactionRating,
  type ZendeskTicket,
  type ZendeskTicketRecord,
  type ZendeskUser,
} from './mapping.js';

export interface ZendeskTicketField {
  id: number;
  title: string;
  type: string;
  active?: boolean;
  [key: string]: unknown;
}

export interface ZendeskData {
  /** Every form each ticket had, in time order (the stand-in serves the latest form of each). */
  tickets: ZendeskTicket[];
  users: ZendeskUser[];
  groups: ZendeskGroup[];
  metricEvents: ZendeskMetricEvent[];
  ratings: ZendeskSatisfactionRating[];
  ticketFields: ZendeskTicketField[];
}

/** The Time Tracking app's fields in the simulated account. */
export const SIM_TIME_SPENT_FIELD_ID = 27_700;
export const SIM_TIME_SPENT_LAST_UPDATE_FIELD_ID = 27_701;
/** The tag the simulated agents put on a ticket they solved without resolving the customer's issue. */
export const SIM_UNRESOLVED_TAG = 'frontline_unresolved';
/** The source mapping a Zendesk source fed by the simulator needs: the unresolved tag counts as not resolved. */
export const ZENDESK_SIMULATOR_MAPPING = { wrapCodes: { [SIM_UNRESOLVED_TAG]: false } } as const;

const SIM_TICKET_FIELDS: ZendeskTicketField[] = [
  { id: SIM_TIME_SPENT_FIELD_ID, title: ZENDESK_TIME_SPENT_FIELD_TITLE, type: 'integer', active: true },
  { id: SIM_TIME_SPENT_LAST_UPDATE_FIELD_ID, title: 'Time spent last update (sec)', type: 'integer', active: true },
];

const VIA: Partial<Record<Channel, string>> = { chat: 'chat', email: 'email', messaging: 'native_messaging' };

/** FNV-1a, 32 bits: stable numeric ids from the simulator's string ids. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Zendesk times are whole seconds. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

interface SimTicket {
  ticket: ZendeskTicket;
  createdMs: number;
  spent: number;
  answered: boolean;
  /** Index in this batch's tickets of the form last written (a later form in the same second replaces it). */
  lastIndex: number;
  batch: number;
}

/**
 * Feeds the simulator's events, batch after batch (a contact may start in one batch and end in the next), and gives
 * what a Zendesk account would hold for them. Ids are stable: a ticket's id comes from the simulated contact's
 * sequence number, a user's and a group's from the Frontline id.
 */
export class ZendeskSimulatedCentre {
  private readonly tickets = new Map<string, SimTicket>();
  private readonly users = new Map<string, ZendeskUser>();
  private readonly groups = new Map<string, ZendeskGroup>();
  private readonly customers = new Map<string, number>();
  private batch = 0;

  constructor(private readonly directory?: Directory) {
    for (const q of directory?.queues ?? []) this.groupOf(q.id);
  }

  ticketIdOf(contactId: string): number | undefined {
    return this.tickets.get(contactId)?.ticket.id;
  }

  private groupOf(queueId: string): ZendeskGroup {
    let g = this.groups.get(queueId);
    if (!g) {
      g = { id: 360_000_000 + (fnv1a(`group:${queueId}`) % 100_000_000), name: queueId };
      this.groups.set(queueId, g);
    }
    return g;
  }

  private userOf(agentId: string): ZendeskUser {
    let u = this.users.get(agentId);
    if (!u) {
      const name = this.directory?.agents.find((a) => a.id === agentId)?.name ?? agentId;
      u = { id: 9_000_000_000 + (fnv1a(`user:${agentId}`) % 1_000_000_000), name, email: `${agentId}@agents.example.com`, external_id: agentId, role: 'agent' };
      this.users.set(agentId, u);
    }
    return u;
  }

  private requesterOf(customerId: string | undefined): number | null {
    if (customerId === undefined) return null;
    let id = this.customers.get(customerId);
    if (id === undefined) {
      id = 20_000_000_000 + (fnv1a(`customer:${customerId}`) % 1_000_000_000);
      this.customers.set(customerId, id);
    }
    return id;
  }

  private static ticketIdFor(contactId: string): number {
    const m = /-c([0-9a-z]+)$/.exec(contactId);
    const seq = m?.[1] !== undefined ? parseInt(m[1], 36) : Number.NaN;
    return Number.isSafeInteger(seq) && seq < 900_000_000 ? 100_000 + seq : 1_000_000_000 + fnv1a(`ticket:${contactId}`);
  }

  feed(events: readonly FrontlineEvent[]): ZendeskData {
    this.batch += 1;
    const out: ZendeskData = { tickets: [], users: [], groups: [], metricEvents: [], ratings: [], ticketFields: SIM_TICKET_FIELDS.map((f) => ({ ...f })) };
    const metric = (st: SimTicket, k: number, metricName: string, type: string, ms: number, extra: Partial<ZendeskMetricEvent> = {}): void => {
      out.metricEvents.push({ id: st.ticket.id * 100 + k, ticket_id: st.ticket.id, metric: metricName, instance_id: 1, type, time: isoSeconds(ms), ...extra });
    };
    const write = (st: SimTicket, ms: number, change: Partial<ZendeskTicket>): void => {
      const updated = isoSeconds(ms);
      const t: ZendeskTicket = { ...st.ticket, ...change, updated_at: updated, generated_timestamp: Math.floor(ms / 1000) };
      t.custom_fields = [{ id: SIM_TIME_SPENT_FIELD_ID, value: st.spent }];
      st.ticket = t;
      const snapshot = structuredClone(t);
      const prev = st.batch === this.batch ? out.tickets[st.lastIndex] : undefined;
      if (prev && prev.updated_at === updated) out.tickets[st.lastIndex] = snapshot;
      else {
        st.lastIndex = out.tickets.push(snapshot) - 1;
        st.batch = this.batch;
      }
    };
    const minutes = (fromMs: number, toMs: number) => {
      const m = Math.max(0, Math.round((toMs - fromMs) / 60_000));
      // The simulated account has no business-hours schedule: business minutes equal calendar minutes.
      return { calendar: m, business: m };
    };

    for (const e of events) {
      const ms = Date.parse(e.occurredAt);
      switch (e.type) {
        case 'contact.offered': {
          const via = VIA[e.channel];
          if (via === undefined) break;
          const group = this.groupOf(e.queueId);
          const st: SimTicket = {
            ticket: {
              id: ZendeskSimulatedCentre.ticketIdFor(e.contactId), external_id: e.contactId, created_at: isoSeconds(ms), updated_at: isoSeconds(ms),
              generated_timestamp: Math.floor(ms / 1000), status: 'new', via: { channel: via }, group_id: group.id, assignee_id: null,
              requester_id: this.requesterOf(e.customerId), subject: e.reason ? `Simulated: ${e.reason}` : 'Simulated contact', type: 'question', tags: e.reason ? [e.reason] : [],
            },
            createdMs: ms, spent: 0, answered: false, lastIndex: -1, batch: 0,
          };
          this.tickets.set(e.contactId, st);
          write(st, ms, {});
          metric(st, 1, 'reply_time', 'activate', ms);
          metric(st, 4, 'agent_work_time', 'activate', ms);
          metric(st, 5, 'requester_wait_time', 'activate', ms);
          break;
        }
        case 'contact.answered': {
          const st = this.tickets.get(e.contactId);
          if (!st) break;
          const user = this.userOf(e.agentId);
          if (!st.answered) {
            st.answered = true;
            metric(st, 2, 'reply_time', 'fulfill', ms);
            metric(st, 3, 'reply_time', 'update_status', ms, { status: minutes(st.createdMs, ms) });
          }
          write(st, ms, { status: 'open', assignee_id: user.id });
          break;
        }
        case 'contact.transferred': {
          const st = this.tickets.get(e.contactId);
          if (!st) break;
          if (e.toQueueId !== undefined) write(st, ms, { group_id: this.groupOf(e.toQueueId).id, assignee_id: null });
          else if (e.toAgentId !== undefined) write(st, ms, { assignee_id: this.userOf(e.toAgentId).id });
          break;
        }
        case 'contact.ended': {
          const st = this.tickets.get(e.contactId);
          if (!st) break;
          st.spent += e.talkSeconds + e.holdSeconds + e.wrapSeconds;
          const tags = (st.ticket.tags ?? []).filter((x) => x !== SIM_UNRESOLVED_TAG);
          if (!e.resolved) tags.push(SIM_UNRESOLVED_TAG);
          write(st, ms, { status: 'solved', assignee_id: this.userOf(e.agentId).id, tags });
          metric(st, 6, 'agent_work_time', 'fulfill', ms);
          metric(st, 7, 'agent_work_time', 'update_status', ms, { status: minutes(st.createdMs, ms) });
          metric(st, 8, 'requester_wait_time', 'fulfill', ms);
          metric(st, 9, 'requester_wait_time', 'update_status', ms, { status: minutes(st.createdMs, ms) });
          break;
        }
        case 'contact.abandoned': {
          const st = this.tickets.get(e.contactId);
          if (!st) break;
          write(st, ms, { status: 'closed', assignee_id: null });
          break;
        }
        case 'survey.responded': {
          const st = this.tickets.get(e.contactId);
          if (!st || e.csat === undefined) break;
          const rating: ZendeskSatisfactionRating = {
            id: 35_000_000_000 + st.ticket.id, ticket_id: st.ticket.id, score: e.csat >= 4 ? 'good' : 'bad',
            created_at: isoSeconds(ms), updated_at: isoSeconds(ms), assignee_id: st.ticket.assignee_id ?? null, group_id: st.ticket.group_id ?? null,
            requester_id: st.ticket.requester_id ?? null, url: `https://example.zendesk.com/api/v2/satisfaction_ratings/${35_000_000_000 + st.ticket.id}`,
          };
          if (e.comment !== undefined) rating.comment = e.comment;
          out.ratings.push(rating);
          break;
        }
        case 'survey.offered':
        case 'qa.evaluated':
        case 'complaint.logged':
        case 'agent.state':
          // Zendesk Support has no QA evaluations, complaints or agent states in these exports.
          break;
        default:
          break;
      }
    }
    out.users = [...this.users.values()].map((u) => ({ ...u }));
    out.groups = [...this.groups.values()].map((g) => ({ ...g }));
    return out;
  }
}

/** One batch of simulated events in Zendesk's shapes (a fresh centre: contacts must start in this batch). */
export function zendeskRecords(events: readonly FrontlineEvent[], directory?: Directory): ZendeskData {
  return new ZendeskSimulatedCentre(directory).feed(events);
}

/** A ticket form as the poller hands it to the mapper: with the user and group the export side-loads for it. */
export function zendeskTicketRecord(ticket: ZendeskTicket, data: Pick<ZendeskData, 'users' | 'groups' | 'ticketFields'>): RawRecord {
  const body: ZendeskTicketRecord = { ticket };
  const user = data.users.find((u) => u.id === ticket.assignee_id);
  const group = data.groups.find((g) => g.id === ticket.group_id);
  if (user) body.assignee = user;
  if (group) body.group = group;
  const field = data.ticketFields.find((f) => f.title === ZENDESK_TIME_SPENT_FIELD_TITLE && f.active !== false);
  if (field) body.timeSpentFieldId = field.id;
  return { kind: 'ticket', body };
}

/**
 * Every record of `data` as the poller would deliver it if it polled after every change: in time order, metric
 * events before the ticket form of the same second (the poller reads metric events first), ratings last.
 */
export function zendeskRawRecords(data: ZendeskData): RawRecord[] {
  const all: { ms: number; order: number; seq: number; record: RawRecord }[] = [];
  let seq = 0;
  for (const e of data.metricEvents) all.push({ ms: Date.parse(e.time), order: 0, seq: seq++, record: { kind: 'metric-event', body: e } });
  for (const t of data.tickets) all.push({ ms: Date.parse(t.updated_at), order: 1, seq: seq++, record: zendeskTicketRecord(t, data) });
  for (const r of data.ratings) all.push({ ms: Date.parse(r.updated_at ?? r.created_at ?? ''), order: 2, seq: seq++, record: { kind: 'rating', body: r } });
  all.sort((a, b) => a.ms - b.ms || a.order - b.order || a.seq - b.seq);
  return all.map((x) => x.record);
}

// ---------------------------------------------------------------------------------------------------------------
// The stand-in
// ---------------------------------------------------------------------------------------------------------------

export type ZendeskStandInEndpoint = 'metrics' | 'tickets' | 'ratings' | 'fields';

/** A fault the stand-in answers with, instead of the data, to the next `times` requests to `endpoint`. */
export interface ZendeskStandInFault {
  endpoint: ZendeskStandInEndpoint | 'any';
  status: number;
  /** Retry-After in seconds (429). */
  retryAfter?: number;
  times?: number;
}

export interface ZendeskStandInOptions {
  tickets?: ZendeskTicket[];
  metricEvents?: ZendeskMetricEvent[];
  ratings?: ZendeskSatisfactionRating[];
  users?: ZendeskUser[];
  groups?: ZendeskGroup[];
  ticketFields?: ZendeskTicketField[];
  email: string;
  apiToken: string;
  port?: number;
  /** Items per page of every export (default: the documented 1,000; ratings 100). */
  pageSize?: number;
  faults?: ZendeskStandInFault[];
}

export interface ZendeskStandInRequest {
  endpoint: ZendeskStandInEndpoint | 'unknown';
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface ZendeskStandIn {
  /** http://127.0.0.1:PORT: give it as the source's subdomain. */
  baseUrl: string;
  requests: ZendeskStandInRequest[];
  /** More data (a later form of a ticket, new metric events, a changed rating). */
  add(data: Partial<Omit<ZendeskData, 'ticketFields'>> & { ticketFields?: ZendeskTicketField[] }): void;
  /** More faults, answered before the data. */
  fail(...faults: ZendeskStandInFault[]): void;
  close(): Promise<void>;
}

function encodeCursor(ts: number, id: number): string {
  return Buffer.from(`${ts}.0||${id}|`, 'utf8').toString('base64');
}

function decodeCursor(c: string): { ts: number; id: number } | undefined {
  const m = /^(\d+)\.0\|\|(\d+)\|$/.exec(Buffer.from(c, 'base64').toString('utf8'));
  return m ? { ts: Number(m[1]), id: Number(m[2]) } : undefined;
}

function secondsOf(iso: string | undefined): number {
  return Math.floor(Date.parse(iso ?? '') / 1000);
}

export async function startZendeskStandIn(opts: ZendeskStandInOptions): Promise<ZendeskStandIn> {
  const data: ZendeskData = {
    tickets: [...(opts.tickets ?? [])],
    metricEvents: [...(opts.metricEvents ?? [])],
    ratings: [...(opts.ratings ?? [])],
    users: [...(opts.users ?? [])],
    groups: [...(opts.groups ?? [])],
    ticketFields: [...(opts.ticketFields ?? [])],
  };
  const faults: ZendeskStandInFault[] = [...(opts.faults ?? [])];
  const requests: ZendeskStandInRequest[] = [];
  const exportPage = opts.pageSize ?? 1_000;
  const ratingPage = (size: number) => Math.max(1, Math.min(100, size, opts.pageSize ?? 100));
  const expected = `Basic ${Buffer.from(`${opts.email}/token:${opts.apiToken}`, 'utf8').toString('base64')}`;

  const endpointOf = (path: string): ZendeskStandInEndpoint | 'unknown' => {
    const p = path.replace(/\.json$/, '');
    if (p === '/api/v2/incremental/ticket_metric_events') return 'metrics';
    if (p === '/api/v2/incremental/tickets/cursor') return 'tickets';
    if (p === '/api/v2/satisfaction_ratings') return 'ratings';
    if (p === '/api/v2/ticket_fields') return 'fields';
    return 'unknown';
  };

  /** The latest form of each ticket, by generated_timestamp then id (the export's order). */
  const latestTickets = (): ZendeskTicket[] => {
    const latest = new Map<number, ZendeskTicket>();
    for (const t of data.tickets) {
      const held = latest.get(t.id);
      if (!held || (t.generated_timestamp ?? secondsOf(t.updated_at)) >= (held.generated_timestamp ?? secondsOf(held.updated_at))) latest.set(t.id, t);
    }
    const ts = (t: ZendeskTicket) => t.generated_timestamp ?? secondsOf(t.updated_at);
    return [...latest.values()].sort((a, b) => ts(a) - ts(b) || a.id - b.id);
  };

  const ticketsPage = (q: URLSearchParams, origin: string): unknown => {
    const all = latestTickets();
    const ts = (t: ZendeskTicket) => t.generated_timestamp ?? secondsOf(t.updated_at);
    const cursor = q.get('cursor');
    let after: { ts: number; id: number };
    if (cursor !== null) {
      const c = decodeCursor(cursor);
      if (!c) return { status: 400, body: { error: 'InvalidPaginationParameter', description: 'cursor is not valid' } };
      after = c;
    } else {
      const start = Number(q.get('start_time'));
      if (!Number.isFinite(start)) return { status: 400, body: { error: 'InvalidPaginationParameter', description: 'start_time or cursor is required' } };
      after = { ts: start, id: 0 };
    }
    const rest = all.filter((t) => ts(t) > after.ts || (ts(t) === after.ts && t.id > after.id));
    const page = rest.slice(0, exportPage);
    const last = page[page.length - 1];
    const afterCursor = last ? encodeCursor(ts(last), last.id) : encodeCursor(after.ts, after.id);
    const include = (q.get('include') ?? '').split(',');
    const body: Record<string, unknown> = {
      tickets: page,
      after_cursor: afterCursor,
      after_url: `${origin}/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(afterCursor)}`,
      before_cursor: null,
      before_url: null,
      end_of_stream: rest.length <= page.length,
    };
    if (include.includes('users')) {
      const ids = new Set(page.flatMap((t) => [t.assignee_id, t.requester_id]).filter((x): x is number => typeof x === 'number'));
      body.users = data.users.filter((u) => ids.has(u.id));
    }
    if (include.includes('groups')) {
      const ids = new Set(page.map((t) => t.group_id).filter((x): x is number => typeof x === 'number'));
      body.groups = data.groups.filter((g) => ids.has(g.id));
    }
    return { status: 200, body };
  };

  const metricsPage = (q: URLSearchParams, origin: string): unknown => {
    const start = Number(q.get('start_time'));
    if (!Number.isFinite(start)) return { status: 400, body: { error: 'InvalidValue', description: 'start_time is required' } };
    const all = data.metricEvents
      .filter((e) => secondsOf(e.time) >= start)
      .sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.id - b.id);
    let n = Math.min(exportPage, all.length);
    // Items sharing the last item's second all come on this page (the documented overflow of time-based exports).
    const lastSecond = n > 0 ? secondsOf((all[n - 1] as ZendeskMetricEvent).time) : start;
    while (n < all.length && secondsOf((all[n] as ZendeskMetricEvent).time) === lastSecond) n++;
    const page = all.slice(0, n);
    const endTime = n > 0 ? lastSecond : start;
    return {
      status: 200,
      body: {
        ticket_metric_events: page,
        count: page.length,
        end_time: endTime,
        next_page: `${origin}/api/v2/incremental/ticket_metric_events.json?start_time=${endTime}`,
        end_of_stream: n >= all.length,
      },
    };
  };

  const ratingsPage = (q: URLSearchParams, origin: string): unknown => {
    const start = q.has('start_time') ? Number(q.get('start_time')) : -Infinity;
    const end = q.has('end_time') ? Number(q.get('end_time')) : Infinity;
    const size = ratingPage(Number(q.get('page[size]') ?? 100) || 100);
    const at = (r: ZendeskSatisfactionRating) => secondsOf(r.updated_at ?? r.created_at);
    const all = data.ratings.filter((r) => at(r) >= start && at(r) <= end).sort((a, b) => at(a) - at(b) || a.id - b.id);
    let from = 0;
    const after = q.get('page[after]');
    if (after !== null) {
      const c = decodeCursor(after);
      if (!c) return { status: 400, body: { error: 'InvalidPaginationParameter', description: 'page[after] is not valid' } };
      from = all.findIndex((r) => at(r) > c.ts || (at(r) === c.ts && r.id > c.id));
      if (from < 0) from = all.length;
    }
    const page = all.slice(from, from + size);
    const last = page[page.length - 1];
    const hasMore = from + page.length < all.length;
    const afterCursor = last ? encodeCursor(at(last), last.id) : null;
    const base = `${origin}/api/v2/satisfaction_ratings.json?page%5Bsize%5D=${size}`;
    return {
      status: 200,
      body: {
        satisfaction_ratings: page,
        meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: null },
        links: { next: hasMore && afterCursor ? `${base}&page%5Bafter%5D=${encodeURIComponent(afterCursor)}` : null, prev: null },
      },
    };
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    const endpoint = endpointOf(url.pathname);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ endpoint, path: url.pathname, query: Object.fromEntries(url.searchParams), status });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return answer(405, { error: 'MethodNotAllowed' });
    if (req.headers.authorization !== expected) return answer(401, { error: "Couldn't authenticate you" });
    const fault = faults.findIndex((f) => f.endpoint === 'any' || f.endpoint === endpoint);
    if (fault >= 0) {
      const f = faults[fault] as ZendeskStandInFault;
      if ((f.times ?? 1) <= 1) faults.splice(fault, 1);
      else f.times = (f.times ?? 1) - 1;
      return answer(f.status, f.status === 429 ? { error: 'TooManyRequests' } : { error: 'ServerError' }, f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
    }
    let out: unknown;
    switch (endpoint) {
      case 'metrics':
        out = metricsPage(url.searchParams, origin);
        break;
      case 'tickets':
        out = ticketsPage(url.searchParams, origin);
        break;
      case 'ratings':
        out = ratingsPage(url.searchParams, origin);
        break;
      case 'fields':
        out = { status: 200, body: { ticket_fields: data.ticketFields, next_page: null, previous_page: null, count: data.ticketFields.length } };
        break;
      case 'unknown':
        out = { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } };
        break;
    }
    const { status, body } = out as { status: number; body: unknown };
    answer(status, body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    add(more) {
      data.tickets.push(...(more.tickets ?? []));
      data.metricEvents.push(...(more.metricEvents ?? []));
      data.ratings.push(...(more.ratings ?? []));
      for (const u of more.users ?? []) if (!data.users.some((x) => x.id === u.id)) data.users.push(u);
      for (const g of more.groups ?? []) if (!data.groups.some((x) => x.id === g.id)) data.groups.push(g);
      for (const f of more.ticketFields ?? []) if (!data.ticketFields.some((x) => x.id === f.id)) data.ticketFields.push(f);
    },
    fail(...more) {
      faults.push(...more);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
