/**
 * Ingest: validate each event at the boundary, then store the valid ones durably, exactly once.
 *
 * Per event the answer is `accepted` (new and committed), `duplicate` (same id, same content: stored once already)
 * or `rejected` (invalid, or same id with different content). Valid events are stored even when others in the same
 * batch are rejected. Plain domain code: no Express in here.
 */
import type { IngestEventResult } from '../../shared/api.js';
import { normaliseV2 } from '../../shared/contract-v2.js';
import { agentIdOf, contactIdOf, customerIdOf, MAX_ID_LENGTH_V2, validateEvent, type AgentState, type EventIssue, type FrontlineEvent } from '../../shared/events.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import { writeEvents, type NewEventRow, type SideWrite } from '../store/events.store.js';
import { eventPayload, sha256Hex } from './canonical.js';
import { maskIncoming } from '../privacy/mask-incoming.js';
import { GroupCommitQueue } from './group-commit.js';

export interface AcceptedEvent {
  event: FrontlineEvent;
  receivedMs: number;
  /** Its place in the event log, when read back from the store (the cluster's change feed). */
  seq?: number;
}

export interface IngestOutcome {
  results: IngestEventResult[];
  accepted: number;
  duplicate: number;
  rejected: number;
  /** The newly stored events, in batch order; for the live layer. */
  stored: AcceptedEvent[];
}

interface Candidate {
  index: number;
  event: FrontlineEvent;
  row: NewEventRow;
}

/** One caller's batch in a group commit, with what it writes in the same transaction. */
interface Submission {
  candidates: Candidate[];
  side: SideWrite | undefined;
}

export interface IngestCallOptions {
  /**
   * Written in the same transaction as the batch's events, after them (a connector's cursor, dead letters, mapper
   * memory); it is written even when no event of the batch is valid. `prepare` sees which items were rejected before
   * the commit, so the side write can hold them (dead letters).
   */
  side?: (rejected: readonly { index: number; issues: EventIssue[] }[]) => SideWrite | undefined;
}

/** Why an event was rejected, as the ingest metrics count it (a bounded set; the per-event reply says more). */
export const INGEST_REJECT_REASONS = ['invalid', 'clock_skew', 'id_conflict'] as const;
export type IngestRejectReason = (typeof INGEST_REJECT_REASONS)[number];

/** What one ingest call did, for the metrics (server/metrics): told after every call, never throws into ingest. */
export interface IngestObserver {
  /** A batch answered: its counts by outcome, why each rejected event was, and how long the call took. */
  batch(o: { source: string; accepted: number; duplicate: number; rejected: Partial<Record<IngestRejectReason, number>>; seconds: number }): void;
  /** A batch whose commit failed: nothing from it was stored. */
  failed(o: { source: string; events: number; seconds: number }): void;
  /** One group-commit transaction (one or more batches merged): how long writing took. */
  commit(o: { events: number; seconds: number }): void;
}

/** Events merged into one transaction at most. */
const MAX_GROUP_EVENTS = 10_000;

export interface IngestServiceOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  maxClockSkewMs: number;
  /** Returns redacted copies (by position) of events that name an erased customer or contact. */
  redactIncoming?: (events: FrontlineEvent[]) => Promise<Map<number, FrontlineEvent>>;
  /** Called after every commit with the events it stored (never throws into ingest). */
  onStored?: (events: AcceptedEvent[]) => void;
  /** Contract v2: the centre's own agent state names mapped to the five standard ones. */
  stateMap?: Readonly<Record<string, AgentState>>;
  observer?: IngestObserver;
}

/**
 * Which contract a batch is held to: 1 (POST /api/v1/events: exactly contract v1), 2 (POST /api/v2/events:
 * normalised by shared/contract-v2.ts) or 'stored' (trusted internal callers sending stored-form events: the
 * simulator, tests, benchmarks).
 */
export type IngestContract = 1 | 2 | 'stored';

type Checked = { ok: true; event: FrontlineEvent; warnings: string[] } | { ok: false; issues: EventIssue[]; reason: IngestRejectReason };

export class IngestService {
  private readonly queue: GroupCommitQueue<Submission, Map<number, IngestEventResult>>;

  constructor(private readonly opts: IngestServiceOptions) {
    this.queue = new GroupCommitQueue((groups) => this.commitGroups(groups), MAX_GROUP_EVENTS);
  }

  /**
   * `source` names who sent the batch for the metrics only: `key:<name>` for an API key, `simulator` for the built-in
   * simulator, `internal` otherwise. Never a contact or event id (it is a label: its values must stay few).
   */
  async ingest(items: readonly unknown[], contract: IngestContract = 'stored', source = 'internal', call: IngestCallOptions = {}): Promise<IngestOutcome> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      return await this.ingestBatch(items, contract, source, seconds, call);
    } catch (err) {
      this.observe((o) => o.failed({ source, events: items.length, seconds: seconds() }));
      throw err;
    }
  }

  private async ingestBatch(items: readonly unknown[], contract: IngestContract, source: string, seconds: () => number, call: IngestCallOptions): Promise<IngestOutcome> {
    const receivedMs = this.opts.clock.now();
    const reasons: Partial<Record<IngestRejectReason, number>> = {};
    const reject = (reason: IngestRejectReason) => (reasons[reason] = (reasons[reason] ?? 0) + 1);
    const results: (IngestEventResult | undefined)[] = new Array<IngestEventResult | undefined>(items.length);
    const valid: { index: number; event: FrontlineEvent }[] = [];
    const warnings = new Map<number, string[]>();
    items.forEach((item, index) => {
      const checked = this.check(item, receivedMs, contract);
      if (checked.ok) {
        valid.push({ index, event: checked.event });
        if (checked.warnings.length > 0) warnings.set(index, checked.warnings);
      } else {
        results[index] = { index, id: idOf(item), status: 'rejected', errors: checked.issues };
        reject(checked.reason);
      }
    });
    // Events about an already-erased customer are stored with that customer's pseudonym and without free text.
    const redacted = this.opts.redactIncoming && valid.length > 0 ? await this.opts.redactIncoming(valid.map((v) => v.event)) : undefined;
    // Every other event with free text is stored with its personal data masked (the unmasked text is never written).
    const candidates: Candidate[] = valid.map((v, i) => {
      const erased = redacted?.get(i);
      const stored = erased ?? maskIncoming(v.event);
      return { index: v.index, event: stored ?? v.event, row: toRow(v.event, receivedMs, stored, erased !== undefined) };
    });

    const side = call.side?.(
      results.flatMap((r, index) => (r?.status === 'rejected' ? [{ index, issues: r.errors ?? [] }] : [])),
    );
    const committed = candidates.length > 0 || side ? await this.queue.submit({ candidates, side }, Math.max(1, candidates.length)) : new Map<number, IngestEventResult>();
    const stored: AcceptedEvent[] = [];
    for (const c of candidates) {
      const r = committed.get(c.index);
      const w = warnings.get(c.index);
      results[c.index] = r && w && r.status !== 'rejected' ? { ...r, warnings: w } : r;
      if (r?.status === 'accepted') stored.push({ event: c.event, receivedMs });
      if (r?.status === 'rejected') reject('id_conflict');
    }
    const final = results as IngestEventResult[];
    let accepted = 0;
    let duplicate = 0;
    let rejected = 0;
    for (const r of final) {
      if (r.status === 'accepted') accepted++;
      else if (r.status === 'duplicate') duplicate++;
      else rejected++;
    }
    if (stored.length > 0) this.notify(stored);
    this.observe((o) => o.batch({ source, accepted, duplicate, rejected: reasons, seconds: seconds() }));
    return { results: final, accepted, duplicate, rejected, stored };
  }

  private observe(fn: (o: IngestObserver) => void): void {
    if (!this.opts.observer) return;
    try {
      fn(this.opts.observer);
    } catch (err) {
      this.opts.logger.error({ err }, 'the ingest metrics failed');
    }
  }

  /** Waits for in-flight commits (graceful shutdown). */
  drain(): Promise<void> {
    return this.queue.idle();
  }

  private check(item: unknown, receivedMs: number, contract: IngestContract): Checked {
    let v: Checked;
    if (contract === 2) {
      const n = normaliseV2(item, this.opts.stateMap ? { stateMap: this.opts.stateMap } : {});
      v = n.ok ? n : { ...n, reason: 'invalid' };
    }
    else {
      const plain = validateEvent(item, contract === 1 ? { contract: 1 } : {});
      v = plain.ok ? { ...plain, warnings: [] } : { ...plain, reason: 'invalid' };
    }
    if (!v.ok) return v;
    const skew = Date.parse(v.event.occurredAt) - receivedMs;
    if (skew > this.opts.maxClockSkewMs) {
      return {
        ok: false,
        reason: 'clock_skew',
        issues: [{ path: 'occurredAt', reason: `is ${Math.round(skew / 1000)} s in the future; at most ${this.opts.maxClockSkewMs / 1000} s of clock skew is allowed` }],
      };
    }
    return v;
  }

  private async commitGroups(submissions: Submission[]): Promise<Map<number, IngestEventResult>[]> {
    const groups = submissions.map((s) => s.candidates);
    const sides = submissions.flatMap((s) => (s.side ? [s.side] : []));
    // The first candidate of each id (in arrival order) claims it; later ones in the same group compare against it.
    const firstClaim = new Map<string, Candidate>();
    const toInsert: NewEventRow[] = [];
    for (const group of groups) {
      for (const c of group) {
        if (!firstClaim.has(c.row.id)) {
          firstClaim.set(c.row.id, c);
          toInsert.push(c.row);
        }
      }
    }
    const started = performance.now();
    const { inserted, existing } = await writeEvents(this.opts.store, toInsert, sides);
    this.observe((o) => o.commit({ events: toInsert.length, seconds: (performance.now() - started) / 1000 }));

    return groups.map((group) => {
      const out = new Map<number, IngestEventResult>();
      for (const c of group) {
        const id = c.row.id;
        const first = firstClaim.get(id);
        const storedHash = inserted.has(id) ? first?.row.content_hash : existing.get(id);
        if (first === c && inserted.has(id)) out.set(c.index, { index: c.index, id, status: 'accepted' });
        else if (storedHash === c.row.content_hash) out.set(c.index, { index: c.index, id, status: 'duplicate' });
        else
          out.set(c.index, {
            index: c.index,
            id,
            status: 'rejected',
            errors: [{ path: 'id', reason: `an event with id '${id}' is already stored with different content; ids must be unique` }],
          });
      }
      return out;
    });
  }

  private notify(stored: AcceptedEvent[]): void {
    try {
      this.opts.onStored?.(stored);
    } catch (err) {
      this.opts.logger.error({ err }, 'a listener of stored events failed');
    }
  }
}

/**
 * The stored row. `stored` is a copy when the event lost personal data on the way in: masked free text, or (an erased
 * customer, `erased`) pseudonymised with its free text removed. The content hash is always of the event as sent, so a
 * re-send is still recognised as a duplicate.
 */
export function toRow(original: FrontlineEvent, receivedMs: number, stored?: FrontlineEvent, erased = false): NewEventRow {
  const event = stored ?? original;
  const payload = eventPayload(event);
  return {
    id: event.id,
    type: event.type,
    occurred_at: event.occurredAt,
    occurred_ms: Date.parse(event.occurredAt),
    received_ms: receivedMs,
    source: event.source ?? null,
    contact_id: contactIdOf(event) ?? null,
    agent_id: agentIdOf(event) ?? null,
    payload,
    content_hash: stored ? sha256Hex(eventPayload(original)) : sha256Hex(payload),
    customer_id: customerIdOf(event) ?? null,
    redacted_ms: erased ? receivedMs : null,
    text_removed_ms: erased ? receivedMs : null,
  };
}

function idOf(item: unknown): string | null {
  if (typeof item === 'object' && item !== null && 'id' in item && typeof item.id === 'string') return item.id.slice(0, MAX_ID_LENGTH_V2);
  return null;
}
