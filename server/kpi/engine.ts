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
import type { Directory } from '../../shared/directory.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { FCR_WINDOW_DAYS, INTERVAL_MS, type CreditRule, type KpiSet } from '../../shared/kpis.js';
import { applyToContact, newContact, type ContactState } from './contact-state.js';
import { CELL_PREFIX, cellScope, Contributions, type Cell, type Part } from './contributions.js';
import { addInto, isEmpty, zero, zeroStored, type Counters } from './counters.js';
import { kpisOf } from './formulas.js';

export { CELL_PREFIX, cellScope, type Cell };

const FCR_WINDOW_MS = FCR_WINDOW_DAYS * 86_400_000;

/** The same reason where both are known; unknown on either side counts as the same. */
function sameReason(a: ContactState, b: ContactState): boolean {
  return a.reason === undefined || b.reason === undefined || a.reason === b.reason;
}

/** The engine's key for the contact an event belongs to; a complaint naming no contact is its own. */
export function contactKeyOf(event: FrontlineEvent): string | undefined {
  if (event.type === 'agent.state') return undefined;
  if (event.type === 'complaint.logged' && event.contactId === undefined) return `complaint:${event.id}`;
  return event.contactId;
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
  /** While batching (beginBatch): each changed contact with the contribution the buckets still hold for it. */
  private batch: Map<ContactState, { interval: number; parts: Part[] } | null> | undefined;
  private contributions: Contributions;

  constructor(directory: Directory, options: { credit?: CreditRule } = {}) {
    this.contributions = this.contributionsFor(directory, options.credit ?? creditRuleOf(directory));
  }

  /** Scope names are the API's: centre, site:ID, team:ID, queue:ID, channel:NAME, agent:ID. */
  private contributionsFor(d: Directory, credit: CreditRule): Contributions {
    return new Contributions({
      queueSite: new Map(d.queues.map((q) => [q.id, q.siteId ?? null])),
      queueSl: new Map(d.queues.map((q) => [q.id, q.serviceLevelSeconds])),
      agentTeam: new Map(d.agents.map((a) => [a.id, a.teamId])),
      teamSite: new Map(d.teams.map((t) => [t.id, t.siteId])),
      defaultSite: d.sites.length === 1 ? (d.sites[0]?.id ?? null) : null,
      credit,
    });
  }

  apply(event: FrontlineEvent): void {
    if (event.type === 'agent.state') return;
    const key = contactKeyOf(event) as string;
    const c = this.contact(key);
    const linked = c.customerId !== undefined && c.offeredMs !== undefined ? { customerId: c.customerId, offeredMs: c.offeredMs } : undefined;
    const before = this.snapshot(c);
    const change = applyToContact(c, event);
    if (change === 'ignored') return;
    if (change === 'reset') {
      // A new offer, or a higher revision that may have moved it: the customer's repeat-contact links follow.
      if (linked) this.unlinkCustomer(c, linked.customerId, linked.offeredMs);
      c.repeated = false;
    }
    this.replace(c, before);
    if (change === 'reset' && c.customerId !== undefined && c.offeredMs !== undefined) this.linkCustomer(c);
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

  /**
   * Forgets a contact that has no time yet (an orphan: its survey, evaluation or complaint came, its offer never did)
   * once it expired. A contact that was offered meanwhile is kept. True when it was dropped.
   */
  dropOrphan(key: string): boolean {
    const c = this.contacts.get(key);
    if (!c || c.offeredMs !== undefined || c.standaloneMs !== undefined) return false;
    return this.contacts.delete(key);
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
      c = newContact(id);
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
        const before = this.snapshot(o);
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
        const before = this.snapshot(c);
        c.repeated = true;
        this.replace(c, before);
        return;
      }
    }
    rec.open.push(c);
  }

  /**
   * Takes a contact out of its customer's links before a revision moves or removes its offer: the earlier contacts it
   * made repeated are checked again against the customer's other contacts.
   */
  private unlinkCustomer(c: ContactState, customer: string, offeredMs: number): void {
    const rec = this.byCustomer.get(customer);
    if (!rec) return;
    rec.sorted = rec.sorted.filter((x) => x !== c);
    rec.open = rec.open.filter((x) => x !== c);
    for (const o of rec.sorted) {
      const t = o.offeredMs as number;
      if (!o.repeated || t >= offeredMs || offeredMs - t > FCR_WINDOW_MS) continue;
      const still = rec.sorted.some((d) => {
        const dt = (d.offeredMs as number) - t;
        return dt > 0 && dt <= FCR_WINDOW_MS && sameReason(o, d);
      });
      if (!still) {
        const before = this.snapshot(o);
        o.repeated = false;
        this.replace(o, before);
        rec.open.push(o);
      }
    }
    if (rec.sorted.length === 0) this.byCustomer.delete(customer);
  }

  /**
   * Starts a batch: until endBatch, events change contacts but not the buckets; endBatch then moves each changed
   * contact's contribution once, from what the buckets held for it to what it is now. The buckets come out the same
   * as applying the events one by one, at one contribution per contact instead of two per event (a day's replay
   * re-folds each contact's five to ten events: bench/history, and the start-up stalls it caused on a loaded server).
   * Nothing may read the buckets between the two calls.
   */
  beginBatch(): void {
    this.batch ??= new Map();
  }

  endBatch(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    for (const [c, before] of batch) this.replace(c, before);
  }

  /**
   * endBatch for an engine nobody reads yet (a replay's scratch engine): yields to the event loop every `slice`
   * contacts, so a replay of many days never holds a server's main thread for long.
   */
  async endBatchYielding(slice = 2_000): Promise<void> {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    let n = 0;
    for (const [c, before] of batch) {
      this.replace(c, before);
      if (++n % slice === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** The contribution the buckets hold for `c` now; null when a batch already holds it (it is not needed again). */
  private snapshot(c: ContactState): { interval: number; parts: Part[] } | null {
    return this.batch?.has(c) ? null : this.parts(c);
  }

  private replace(c: ContactState, before: { interval: number; parts: Part[] } | null): void {
    if (this.batch) {
      if (!this.batch.has(c)) this.batch.set(c, before);
      return;
    }
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
        b = zeroStored();
        byInterval.set(interval, b);
      }
      addInto(b, part.counters, sign);
      if (isEmpty(b)) byInterval.delete(interval);
    }
  }

  /** The contact's contribution, or null while it has no time to be bucketed by. */
  private parts(c: ContactState): { interval: number; parts: Part[] } | null {
    const of = this.contributions.of(c);
    return of ? { interval: Math.floor(of.atMs / INTERVAL_MS), parts: of.parts } : null;
  }
}

/** The directory's rule for crediting a contact's outcome (the last handling agent unless it says otherwise). */
export function creditRuleOf(d: Directory): CreditRule {
  return d.creditAgent ?? 'last';
}
