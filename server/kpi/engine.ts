/**
 * The live KPI engine: plain domain code, fed with stored events in any order.
 *
 * Each contact keeps a small state (offered, first answer, abandon, handled segments, surveys, QA evaluations,
 * complaints). Its contribution to the counters is a pure function of that state, split into parts with the scopes
 * they count for (centre, site, team, queue, channel, agent). An event changes one contact, so the engine takes the
 * contact's parts before and after and applies the difference to the buckets (scope × 15-minute interval of the
 * contact's offer time). That is O(1) per event; a survey or QA arriving hours late lands in the interval the contact
 * was offered in; an event seen twice (same id) changes nothing; repeat-contact FCR re-marks the customer's earlier
 * contacts within the window when a new contact of theirs arrives, in any order.
 */
import { UNASSIGNED, type Directory } from '../../shared/directory.js';
import type { Channel, FrontlineEvent } from '../../shared/events.js';
import { ASYNC_CHANNELS } from '../../shared/events.js';
import { DEFAULT_SL_SECONDS, FCR_WINDOW_DAYS, INTERVAL_MS, SHORT_ABANDON_SECONDS, type KpiSet } from '../../shared/kpis.js';
import { addInto, binOf, isEmpty, zero, type Counters } from './counters.js';
import { kpisOf } from './formulas.js';

const FCR_WINDOW_MS = FCR_WINDOW_DAYS * 86_400_000;

interface Segment {
  handleSeconds: number;
  resolved: boolean;
  atMs: number;
}

interface ContactState {
  id: string;
  offeredMs?: number;
  queueId?: string;
  channel?: Channel;
  customerId?: string;
  reason?: string;
  answeredMs?: number;
  agentId?: string;
  abandonedMs?: number;
  segments: Map<string, Segment>;
  surveys: Map<string, { csat?: number; nps?: number; resolved?: boolean }>;
  qa: Map<string, { agentId: string; score: number }>;
  complaints: Map<string, string | undefined>;
  /** For a complaint that names no contact: its own time stands in for the offer time. */
  standaloneMs?: number;
  repeated: boolean;
}

/** The same reason where both are known; unknown on either side counts as the same. */
function sameReason(a: ContactState, b: ContactState): boolean {
  return a.reason === undefined || b.reason === undefined || a.reason === b.reason;
}

interface Part {
  scopes: string[];
  counters: Counters;
}

/** The engine's key for the contact an event belongs to; a complaint naming no contact is its own. */
export function contactKeyOf(event: FrontlineEvent): string | undefined {
  if (event.type === 'agent.state') return undefined;
  if (event.type === 'complaint.logged' && event.contactId === undefined) return `complaint:${event.id}`;
  return event.contactId;
}

/**
 * A segment cell: the contacts sharing a team, queue, channel and contact reason (null where unknown, e.g. the team of
 * a contact nobody answered). Every contribution also counts for its cell, so any mix of multi-select filters is a sum
 * of cells, kept and rolled up like every other scope. Not a scope anyone subscribes to or is shown.
 */
export interface Cell {
  team: string | null;
  queue: string | null;
  channel: string | null;
  reason: string | null;
}

export const CELL_PREFIX = 'cell:';

export function cellScope(c: Cell): string {
  return CELL_PREFIX + JSON.stringify([c.team, c.queue, c.channel, c.reason]);
}

export function parseCell(scope: string): Cell | undefined {
  if (!scope.startsWith(CELL_PREFIX)) return undefined;
  const [team, queue, channel, reason] = JSON.parse(scope.slice(CELL_PREFIX.length)) as (string | null)[];
  return { team: team ?? null, queue: queue ?? null, channel: channel ?? null, reason: reason ?? null };
}

/** The whole quarter-hours a query over [fromMs, toMs) covers. */
export function alignOutward(fromMs: number, toMs: number): { fromMs: number; toMs: number } {
  return { fromMs: Math.floor(fromMs / INTERVAL_MS) * INTERVAL_MS, toMs: Math.ceil(toMs / INTERVAL_MS) * INTERVAL_MS };
}

export class KpiEngine {
  private readonly contacts = new Map<string, ContactState>();
  private readonly byCustomer = new Map<string, { sorted: ContactState[]; open: ContactState[] }>();
  private readonly buckets = new Map<string, Map<number, Counters>>();
  /** Scopes whose buckets changed since the last takeTouched(): what the live layer needs to recompute. */
  private touched = new Set<string>();
  private queueSite = new Map<string, string | null>();
  private queueSl = new Map<string, number>();
  private agentTeam = new Map<string, string>();
  private teamSite = new Map<string, string>();
  private defaultSite: string | null = null;

  constructor(directory: Directory) {
    this.setDirectory(directory);
  }

  /** Scope names are the API's: centre, site:ID, team:ID, queue:ID, channel:NAME, agent:ID. */
  setDirectory(d: Directory): void {
    this.queueSite = new Map(d.queues.map((q) => [q.id, q.siteId ?? null]));
    this.queueSl = new Map(d.queues.map((q) => [q.id, q.serviceLevelSeconds]));
    this.agentTeam = new Map(d.agents.map((a) => [a.id, a.teamId]));
    this.teamSite = new Map(d.teams.map((t) => [t.id, t.siteId]));
    this.defaultSite = d.sites.length === 1 ? (d.sites[0]?.id ?? null) : null;
  }

  apply(event: FrontlineEvent): void {
    if (event.type === 'agent.state') return;
    const key = contactKeyOf(event) as string;
    const c = this.contact(key);
    const before = this.parts(c);
    const at = Date.parse(event.occurredAt);
    let offerChanged = false;
    switch (event.type) {
      case 'contact.offered':
        if (c.offeredMs === undefined) {
          c.offeredMs = at;
          c.queueId = event.queueId;
          c.channel = event.channel;
          if (event.customerId !== undefined) c.customerId = event.customerId;
          if (event.reason !== undefined) c.reason = event.reason;
          offerChanged = true;
        }
        break;
      case 'contact.answered':
        if (c.answeredMs === undefined || at < c.answeredMs) {
          c.answeredMs = at;
          c.agentId = event.agentId;
        }
        break;
      case 'contact.abandoned':
        if (c.abandonedMs === undefined || at < c.abandonedMs) c.abandonedMs = at;
        break;
      case 'contact.ended':
        c.segments.set(event.id, { handleSeconds: event.talkSeconds + event.holdSeconds + event.wrapSeconds, resolved: event.resolved, atMs: at });
        break;
      case 'contact.transferred':
        break;
      case 'survey.responded':
        c.surveys.set(event.id, {
          ...(event.csat === undefined ? {} : { csat: event.csat }),
          ...(event.nps === undefined ? {} : { nps: event.nps }),
          ...(event.resolved === undefined ? {} : { resolved: event.resolved }),
        });
        break;
      case 'qa.evaluated':
        c.qa.set(event.id, { agentId: event.agentId, score: event.criticalFail ? 0 : event.score });
        break;
      case 'complaint.logged':
        c.complaints.set(event.id, event.agentId);
        if (event.contactId === undefined) c.standaloneMs = at;
        break;
    }
    this.replace(c, before);
    if (offerChanged && c.customerId !== undefined) this.linkCustomer(c);
  }

  /**
   * KPIs for a scope over [fromMs, toMs): the contacts offered in that window, which is rounded outward to whole
   * quarter-hours (use alignOutward to report the range actually covered).
   */
  query(scope: string, fromMs: number, toMs: number, nowMs: number): KpiSet {
    const sum = zero();
    const byInterval = this.buckets.get(scope);
    if (byInterval) {
      const first = Math.floor(fromMs / INTERVAL_MS);
      const last = Math.ceil(toMs / INTERVAL_MS) - 1;
      if (last - first + 1 < byInterval.size) {
        for (let i = first; i <= last; i++) {
          const b = byInterval.get(i);
          if (b) addInto(sum, b, 1);
        }
      } else {
        for (const [i, b] of byInterval) if (i >= first && i <= last) addInto(sum, b, 1);
      }
    }
    return kpisOf(sum, toMs > nowMs - FCR_WINDOW_MS);
  }

  /** The summed counters (tests and rollups). */
  counters(scope: string, fromMs: number, toMs: number): Counters {
    const sum = zero();
    const first = Math.floor(fromMs / INTERVAL_MS);
    const last = Math.ceil(toMs / INTERVAL_MS) - 1;
    for (const [i, b] of this.buckets.get(scope) ?? []) if (i >= first && i <= last) addInto(sum, b, 1);
    return sum;
  }

  /** A scope's buckets with their interval starts, for intervals in [fromMs, toMs). */
  *intervalsOf(scope: string, fromMs: number, toMs: number): Generator<[startMs: number, counters: Counters]> {
    const first = Math.floor(fromMs / INTERVAL_MS);
    const end = Math.ceil(toMs / INTERVAL_MS);
    for (const [i, b] of this.buckets.get(scope) ?? []) if (i >= first && i < end) yield [i * INTERVAL_MS, b];
  }

  /** Whether the engine holds state for this contact key (a contact id, or `complaint:ID` for a standalone complaint). */
  has(key: string): boolean {
    return this.contacts.has(key);
  }

  /** The time a contact is bucketed by (its offer, or a standalone complaint's own time), if known yet. */
  timeOf(key: string): number | undefined {
    const c = this.contacts.get(key);
    return c?.offeredMs ?? c?.standaloneMs;
  }

  /** Every bucket with its scope and interval number, for intervals in [fromMs, toMs). */
  *bucketsIn(fromMs: number, toMs: number): Generator<[scope: string, interval: number, counters: Counters]> {
    const first = Math.floor(fromMs / INTERVAL_MS);
    const end = Math.ceil(toMs / INTERVAL_MS);
    for (const [scope, byInterval] of this.buckets) for (const [i, b] of byInterval) if (i >= first && i < end) yield [scope, i, b];
  }

  /**
   * Forgets what lies before `cutoffMs` (history kept in the persisted rollups): contacts bucketed before it and
   * their customers' links, and buckets of earlier intervals. Contacts with no time yet stay.
   */
  evictBefore(cutoffMs: number): { contacts: number; buckets: number } {
    let contacts = 0;
    let buckets = 0;
    for (const [key, c] of this.contacts) {
      const t = c.offeredMs ?? c.standaloneMs;
      if (t !== undefined && t < cutoffMs) {
        this.contacts.delete(key);
        contacts++;
      }
    }
    for (const [customer, rec] of this.byCustomer) {
      rec.sorted = rec.sorted.filter((c) => (c.offeredMs as number) >= cutoffMs);
      rec.open = rec.open.filter((c) => (c.offeredMs as number) >= cutoffMs);
      if (rec.sorted.length === 0) this.byCustomer.delete(customer);
    }
    const first = Math.floor(cutoffMs / INTERVAL_MS);
    for (const [scope, byInterval] of this.buckets) {
      for (const i of byInterval.keys()) {
        if (i < first) {
          byInterval.delete(i);
          buckets++;
        }
      }
      if (byInterval.size === 0) this.buckets.delete(scope);
    }
    return { contacts, buckets };
  }

  /** Contacts held in memory (bench and tests). */
  get size(): number {
    return this.contacts.size;
  }

  takeTouched(): Set<string> {
    const t = this.touched;
    this.touched = new Set();
    return t;
  }

  scopes(): string[] {
    return [...this.buckets.keys()];
  }

  private contact(id: string): ContactState {
    let c = this.contacts.get(id);
    if (!c) {
      c = { id, segments: new Map(), surveys: new Map(), qa: new Map(), complaints: new Map(), repeated: false };
      this.contacts.set(id, c);
    }
    return c;
  }

  /**
   * Repeat-contact FCR for a newly offered contact `c`. Once a contact has a later contact of the same customer within
   * the window (same reason where known) it stays repeated, so each customer keeps the contacts not yet repeated in a
   * short `open` list; a new offer marks the open ones in the 7 days before it, and is itself repeated if a later
   * contact is already known (out-of-order arrival, found by binary search in the time-sorted list). Cost per offer:
   * O(log k) plus the open list, however many contacts a customer id has (a shared placeholder id included).
   */
  private linkCustomer(c: ContactState): void {
    const customer = c.customerId as string;
    let rec = this.byCustomer.get(customer);
    if (!rec) {
      rec = { sorted: [], open: [] };
      this.byCustomer.set(customer, rec);
    }
    const t = c.offeredMs as number;
    // Insert into the time-sorted list.
    let lo = 0;
    let hi = rec.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((rec.sorted[mid]?.offeredMs as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    rec.sorted.splice(lo, 0, c);
    // Earlier open contacts this offer repeats.
    const stillOpen: ContactState[] = [];
    for (const o of rec.open) {
      const dt = t - (o.offeredMs as number);
      if (dt > 0 && dt <= FCR_WINDOW_MS && sameReason(o, c)) {
        const before = this.parts(o);
        o.repeated = true;
        this.replace(o, before);
      } else stillOpen.push(o);
    }
    rec.open = stillOpen;
    // Is this one already repeated by a later contact that arrived first?
    for (let i = lo + 1; i < rec.sorted.length; i++) {
      const d = rec.sorted[i] as ContactState;
      const dt = (d.offeredMs as number) - t;
      if (dt > FCR_WINDOW_MS) break;
      if (dt > 0 && sameReason(c, d)) {
        const before = this.parts(c);
        c.repeated = true;
        this.replace(c, before);
        return;
      }
    }
    rec.open.push(c);
  }

  private replace(c: ContactState, before: { interval: number; parts: Part[] } | null): void {
    if (before) for (const p of before.parts) this.addPart(before.interval, p, -1);
    const after = this.parts(c);
    if (after) for (const p of after.parts) this.addPart(after.interval, p, 1);
  }

  private addPart(interval: number, part: Part, sign: 1 | -1): void {
    for (const scope of part.scopes) {
      this.touched.add(scope);
      let byInterval = this.buckets.get(scope);
      if (!byInterval) {
        byInterval = new Map();
        this.buckets.set(scope, byInterval);
      }
      let b = byInterval.get(interval);
      if (!b) {
        b = zero();
        byInterval.set(interval, b);
      }
      addInto(b, part.counters, sign);
      if (isEmpty(b)) byInterval.delete(interval);
    }
  }

  private scopesFor(c: ContactState, agentId: string | undefined): string[] {
    const scopes = ['centre'];
    const site = (c.queueId !== undefined ? this.queueSite.get(c.queueId) : undefined) ?? (agentId !== undefined ? this.teamSite.get(this.agentTeam.get(agentId) ?? '') : undefined) ?? this.defaultSite;
    if (site) scopes.push(`site:${site}`);
    if (c.queueId !== undefined) scopes.push(`queue:${c.queueId}`);
    if (c.channel !== undefined) scopes.push(`channel:${c.channel}`);
    const team = agentId === undefined ? null : (this.agentTeam.get(agentId) ?? UNASSIGNED);
    if (agentId !== undefined) {
      scopes.push(`agent:${agentId}`);
      scopes.push(`team:${team}`);
    }
    scopes.push(cellScope({ team, queue: c.queueId ?? null, channel: c.channel ?? null, reason: c.reason ?? null }));
    return scopes;
  }

  /** The contact's contribution, or null while it has no time to be bucketed by. */
  private parts(c: ContactState): { interval: number; parts: Part[] } | null {
    const atMs = c.offeredMs ?? c.standaloneMs;
    if (atMs === undefined) return null;
    const parts: Part[] = [];
    const main = zero();
    if (c.offeredMs !== undefined) {
      const channel = c.channel as Channel;
      const async = ASYNC_CHANNELS.includes(channel);
      if (c.answeredMs !== undefined) {
        const wait = Math.max(0, (c.answeredMs - c.offeredMs) / 1000);
        main.offered = 1;
        main.answered = 1;
        const sl = (c.queueId !== undefined ? this.queueSl.get(c.queueId) : undefined) ?? DEFAULT_SL_SECONDS[channel];
        if (wait <= sl) main.answeredInSl = 1;
        if (async) {
          main.asyncAnswered = 1;
          main.asyncFirstResponseSum = wait;
          main.asyncHist.set(binOf(wait), 1);
        } else {
          main.syncAnswered = 1;
          main.syncWaitSum = wait;
        }
      } else if (c.abandonedMs !== undefined) {
        const wait = (c.abandonedMs - c.offeredMs) / 1000;
        main.offered = 1;
        if (wait < SHORT_ABANDON_SECONDS) main.shortAbandoned = 1;
        else main.abandoned = 1;
      }
    }
    if (c.segments.size > 0) {
      let handle = 0;
      let last: Segment | undefined;
      for (const s of c.segments.values()) {
        handle += s.handleSeconds;
        if (!last || s.atMs >= last.atMs) last = s;
      }
      main.handled = 1;
      main.handleSum = handle;
      main.handleHist.set(binOf(handle), 1);
      if (c.customerId !== undefined && c.offeredMs !== undefined) {
        main.fcrEligible = 1;
        if (last?.resolved && !c.repeated) main.fcrFirstTime = 1;
      }
    }
    for (const s of c.surveys.values()) {
      if (s.csat !== undefined) {
        main.csatN++;
        main.csatSum += s.csat;
        if (s.csat >= 4) main.csatTop2++;
      }
      if (s.nps !== undefined) {
        main.npsN++;
        if (s.nps >= 9) main.promoters++;
        else if (s.nps <= 6) main.detractors++;
      }
      if (s.resolved !== undefined) {
        main.fcrSurveyN++;
        if (s.resolved) main.fcrSurveyYes++;
      }
    }
    if (!isEmpty(main)) parts.push({ scopes: this.scopesFor(c, c.agentId), counters: main });
    for (const q of c.qa.values()) {
      const p = zero();
      p.qaN = 1;
      p.qaSum = q.score;
      parts.push({ scopes: this.scopesFor(c, q.agentId), counters: p });
    }
    for (const agentId of c.complaints.values()) {
      const p = zero();
      p.complaints = 1;
      parts.push({ scopes: this.scopesFor(c, agentId ?? c.agentId), counters: p });
    }
    return { interval: Math.floor(atMs / INTERVAL_MS), parts };
  }
}
