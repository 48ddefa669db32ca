/**
 * The connectors' core (issue 16): every record a platform sends, pushed or pulled, goes through here.
 *
 * 1. The mapper turns each record into contract v2 events (pure; the memory keys it names are loaded first).
 * 2. The events go through ingest as contract v2: validated, masked, stored exactly once, counted live, held as
 *    orphans when their contact has not arrived. Event ids are deterministic, so a re-delivered record is a duplicate
 *    and a re-delivered revision replaces the earlier one.
 * 3. In the same transaction as the events: the records that could not be mapped or whose events were invalid (dead
 *    letters, kept whole for a replay after a mapping fix), the mapper's memory changes of the records that were
 *    stored, and, for a pull source, the cursor after the page. A crash before the commit loses nothing the platform
 *    was told was taken (the cursor did not move); a crash after it doubles nothing (the cursor moved with the events).
 * 4. After the commit: the source's counters (accepted / duplicate / rejected by reason, last record, lag) and the
 *    platform values it named (for the mapping editor).
 *
 * A record counts once: rejected when dead-lettered, duplicate when every one of its events was already stored,
 * accepted otherwise.
 */
import type { ReplayReply, SourceRejectReason } from '../../shared/sources.js';
import type { Clock } from '../clock.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import type { NewDeadLetter, SourceRow, SourceStore } from './sources.store.js';
import type { DeliveryOutcome, KnownIds, MapOutcome, PlatformMapper, RawRecord, SeenValue, SourceSink } from './types.js';

export interface RecordResult {
  status: 'accepted' | 'duplicate' | 'rejected';
  reason?: SourceRejectReason;
  reasons?: string[];
}

export interface DetailedDelivery extends DeliveryOutcome {
  records: RecordResult[];
}

interface DeliverOptions {
  cursor?: string;
  /** Replaying dead letters: the dead-letter id of each record, by position. */
  replayIds?: readonly number[];
}

interface Mapped {
  /** Index of the first of this record's events in the batch, and how many. */
  first: number;
  count: number;
  failure?: { reason: SourceRejectReason; reasons: string[] };
}

export class SourcePipeline {
  private readonly lanes = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: { sources: SourceStore; ingest: IngestService; clock: Clock; logger: Logger; pseudonymizer: (sourceId: string) => (value: string) => string; known?: () => Promise<KnownIds> },
  ) {}

  /** The sink a transport delivers to for one source (its mapping is read again on each delivery). */
  sink(sourceId: string, mapper: PlatformMapper): SourceSink {
    return {
      deliver: async (records, opts) => {
        const source = await this.deps.sources.get(sourceId);
        if (!source) throw new Error(`source ${sourceId} no longer exists`);
        return this.deliver(source, mapper, records, opts?.cursor !== undefined ? { cursor: opts.cursor } : {});
      },
    };
  }

  /**
   * One delivery at a time per source on this node: a mapper's memory (a contact chain, a task's facts) is read before
   * and written with the delivery, so two at once (Firehose sends requests in parallel) would each miss the other's.
   */
  deliver(source: SourceRow, mapper: PlatformMapper, records: readonly RawRecord[], opts: DeliverOptions = {}): Promise<DetailedDelivery> {
    const before = this.lanes.get(source.id) ?? Promise.resolve();
    const run = before.then(() => this.deliverNow(source, mapper, records, opts));
    const lane = run.then(
      () => undefined,
      () => undefined,
    );
    this.lanes.set(source.id, lane);
    void lane.then(() => {
      if (this.lanes.get(source.id) === lane) this.lanes.delete(source.id);
    });
    return run;
  }

  private async deliverNow(source: SourceRow, mapper: PlatformMapper, records: readonly RawRecord[], opts: DeliverOptions): Promise<DetailedDelivery> {
    const nowMs = this.deps.clock.now();
    const keys = mapper.memoryKeys ? records.flatMap((r) => safeKeys(mapper, r)) : [];
    const memory = keys.length > 0 ? await this.deps.sources.loadMemory(source.id, keys) : new Map<string, unknown>();

    const pseudonym = this.deps.pseudonymizer(source.id);
    const known = await this.deps.known?.();
    const events: Record<string, unknown>[] = [];
    const mapped: Mapped[] = [];
    const seen: SeenValue[] = [];
    // What the records of this delivery taught the mapper, in order: a later record sees what an earlier one set.
    const dirty = new Set<string>();
    for (const record of records) {
      const changes = new Map<string, unknown>();
      const ctx = {
        sourceId: source.id,
        mapping: source.mapping,
        pseudonym,
        ...(known ? { known } : {}),
        memory: {
          get: (k: string) => (changes.has(k) ? changes.get(k) : memory.get(k)),
          set: (k: string, v: unknown) => void changes.set(k, v),
        },
      };
      let out: MapOutcome;
      try {
        out = mapper.map(record, ctx);
      } catch (err) {
        out = { ok: false, reason: 'malformed', reasons: [`the ${mapper.platform} mapper could not read this ${record.kind} record: ${err instanceof Error ? err.message : String(err)}`] };
      }
      if (out.seen) seen.push(...out.seen);
      if (!out.ok) {
        // A record that cannot be mapped teaches nothing: its replay starts from what was known before it.
        mapped.push({ first: events.length, count: 0, failure: { reason: out.reason, reasons: out.reasons }, });
        continue;
      }
      for (const [k, v] of changes) {
        if (v === undefined) memory.delete(k);
        else memory.set(k, v);
        dirty.add(k);
      }
      const first = events.length;
      for (const e of out.events) events.push(e.source === undefined ? { ...e, source: source.id } : e);
      mapped.push({ first, count: out.events.length });
    }

    // Which record each event came from.
    const recordOf = new Int32Array(events.length);
    mapped.forEach((m, i) => recordOf.fill(i, m.first, m.first + m.count));

    const letters = new Map<number, NewDeadLetter>();
    const replayed: number[] = [];
    const stillRejected: { id: number; reason: SourceRejectReason; reasons: string[] }[] = [];
    const outcome = await this.deps.ingest.ingest(events, 2, `source:${source.name}`, {
      side: (rejected) => {
        for (const r of rejected) {
          const i = recordOf[r.index] as number;
          const m = mapped[i] as Mapped;
          const reasons = r.issues.map((x) => (x.path ? `${x.path}: ${x.reason}` : x.reason));
          const prior = m.failure?.reasons ?? [];
          m.failure = { reason: 'invalid', reasons: [...prior, ...reasons.map((t) => `${String((events[r.index] as { type?: unknown }).type)} ${t}`)] };
        }
        // The memory as the delivery left it, for every key a mapped record changed.
        const memoryChanges = new Map<string, unknown>([...dirty].map((k) => [k, memory.get(k)]));
        mapped.forEach((m, i) => {
          const replayId = opts.replayIds?.[i];
          if (m.failure) {
            const record = records[i] as RawRecord;
            if (replayId !== undefined) stillRejected.push({ id: replayId, reason: m.failure.reason, reasons: m.failure.reasons });
            else letters.set(i, { kind: record.kind, recordKey: safeKey(mapper, record), reason: m.failure.reason, reasons: m.failure.reasons, record });
          } else if (replayId !== undefined) replayed.push(replayId);
        });
        return this.deps.sources.side({
          sourceId: source.id,
          nowMs,
          ...(opts.cursor !== undefined ? { cursor: opts.cursor } : {}),
          deadLetters: [...letters.values()],
          memory: memoryChanges,
          replayed,
          stillRejected,
        });
      },
    });

    // An id conflict is only known at the commit: those records are dead-lettered now.
    const late: NewDeadLetter[] = [];
    const results: RecordResult[] = mapped.map((m, i) => {
      if (m.failure) return { status: 'rejected', reason: m.failure.reason, reasons: m.failure.reasons };
      let allDuplicate = m.count > 0;
      const conflicts: string[] = [];
      for (let k = m.first; k < m.first + m.count; k++) {
        const r = outcome.results[k];
        if (r?.status === 'rejected') conflicts.push(...r.errors.map((x) => x.reason));
        if (r?.status !== 'duplicate') allDuplicate = false;
      }
      if (conflicts.length > 0) {
        const record = records[i] as RawRecord;
        if (opts.replayIds?.[i] === undefined) late.push({ kind: record.kind, recordKey: safeKey(mapper, record), reason: 'id_conflict', reasons: conflicts, record });
        return { status: 'rejected', reason: 'id_conflict', reasons: conflicts };
      }
      return { status: allDuplicate ? 'duplicate' : 'accepted' };
    });
    await this.deps.sources.addDeadLetters(source.id, late, nowMs);

    let newestMs: number | null = null;
    for (const r of outcome.stored) {
      const t = Date.parse(r.event.occurredAt);
      if (newestMs === null || t > newestMs) newestMs = t;
    }
    const rejectedBy: Partial<Record<SourceRejectReason, number>> = {};
    let accepted = 0;
    let duplicate = 0;
    for (const r of results) {
      if (r.status === 'accepted') accepted++;
      else if (r.status === 'duplicate') duplicate++;
      else if (r.reason) rejectedBy[r.reason] = (rejectedBy[r.reason] ?? 0) + 1;
    }
    try {
      // Replays were counted as rejected when they first came; only their new outcome is added.
      await this.deps.sources.count(source.id, { accepted, duplicate, rejectedBy: opts.replayIds ? {} : rejectedBy, nowMs, newestMs });
      await this.deps.sources.noteSeen(source.id, seen, nowMs);
    } catch (err) {
      this.deps.logger.warn({ err, sourceId: source.id }, 'a source\'s counters could not be updated (its records are stored)');
    }
    return { accepted, duplicate, rejected: results.length - accepted - duplicate, newestMs, records: results };
  }

  /** Maps the held dead letters again with the source's current mapping; those that now store are marked replayed. */
  async replay(source: SourceRow, mapper: PlatformMapper, ids: readonly number[] | undefined): Promise<ReplayReply> {
    const out: ReplayReply = { replayed: 0, stillRejected: 0, results: [] };
    // In pages, oldest first: a replay of thousands of dead letters never holds them all in one transaction.
    let afterId = 0;
    for (;;) {
      const todo = (await this.deps.sources.deadLetters(source.id, { status: 'held', ...(ids ? { ids } : {}), afterId, limit: 500 })).rows;
      if (todo.length === 0) break;
      afterId = (todo[todo.length - 1] as { id: number }).id;
      const records = todo.map((r) => r.record as RawRecord);
      const d = await this.deliver(source, mapper, records, { replayIds: todo.map((r) => r.id) });
      d.records.forEach((r, i) => {
        const id = (todo[i] as { id: number }).id;
        if (r.status === 'rejected') {
          out.stillRejected++;
          out.results.push({ id, status: 'rejected', reasons: r.reasons ?? [] });
        } else {
          out.replayed++;
          out.results.push({ id, status: 'replayed' });
        }
      });
      if (todo.length < 500) break;
    }
    return out;
  }
}

function safeKey(mapper: PlatformMapper, record: RawRecord): string {
  try {
    return mapper.recordKey(record) || '(no key)';
  } catch {
    return '(unreadable)';
  }
}

function safeKeys(mapper: PlatformMapper, record: RawRecord): string[] {
  try {
    return mapper.memoryKeys?.(record) ?? [];
  } catch {
    return [];
  }
}
