/**
 * The sources' tables (migration 023): connections, counters, dead letters, mapper memory and seen values. The
 * writes that must commit with a delivery's events (cursor, dead letters, memory, replayed marks) are built here as a
 * SideWrite for the ingest transaction; everything else is plain Kysely.
 */
import type SQLite from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import type { DeadLetter, Platform, SourceMapping, SourceRejectReason } from '../../shared/sources.js';
import { sourceMapping } from '../../shared/sources.js';
import type { Store } from '../store/db.js';
import type { SideWrite } from '../store/events.store.js';
import type { Selectable } from 'kysely';
import type { Database, SourcesTable } from '../store/schema.js';
import type { RawRecord, SeenValue } from './types.js';

export interface SourceRow {
  id: string;
  platform: Platform;
  name: string;
  enabled: boolean;
  mapping: SourceMapping;
  settings: Record<string, string>;
  sealedSecrets: string | null;
  pollSeconds: number | null;
  backfillDays: number;
  cursor: string | null;
  lastPollMs: number | null;
  lastError: string | null;
  accepted: number;
  duplicate: number;
  rejected: number;
  rejectedBy: Partial<Record<SourceRejectReason, number>>;
  lastRecordMs: number | null;
  newestRecordMs: number | null;
  lagMs: number | null;
  createdMs: number;
  createdBy: string;
  updatedMs: number;
}

export interface NewDeadLetter {
  kind: string;
  recordKey: string;
  reason: SourceRejectReason;
  reasons: string[];
  record: RawRecord;
}

/** What a delivery writes with its events, in the same transaction. */
export interface DeliverySideRows {
  sourceId: string;
  nowMs: number;
  /** Pull sources: the cursor after the page. */
  cursor?: string;
  deadLetters: NewDeadLetter[];
  /** Mapper memory changes: undefined forgets the key. */
  memory: Map<string, unknown>;
  /** Replayed dead letters that are now stored, and ones still rejected (their reasons updated). */
  replayed: number[];
  stillRejected: { id: number; reason: SourceRejectReason; reasons: string[] }[];
}

const MAX_TEXT = 20_000;

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toRow(r: Selectable<SourcesTable>): SourceRow {
  return {
    id: r.id,
    platform: r.platform as Platform,
    name: r.name,
    enabled: r.enabled === 1,
    // Parsed again on read: a mapping saved by an older version gains the defaults of new fields.
    mapping: sourceMapping.parse(parseJson(r.mapping, {})),
    settings: parseJson(r.settings, {}),
    sealedSecrets: r.secrets,
    pollSeconds: r.poll_seconds,
    backfillDays: r.backfill_days,
    cursor: r.cursor,
    lastPollMs: r.last_poll_ms,
    lastError: r.last_error,
    accepted: Number(r.accepted),
    duplicate: Number(r.duplicate),
    rejected: Number(r.rejected),
    rejectedBy: parseJson(r.rejected_by, {}),
    lastRecordMs: r.last_record_ms,
    newestRecordMs: r.newest_record_ms,
    lagMs: r.lag_ms,
    createdMs: r.created_ms,
    createdBy: r.created_by,
    updatedMs: r.updated_ms,
  };
}

export class SourceStore {
  constructor(private readonly store: Store) {}

  async create(s: { id: string; platform: Platform; name: string; mapping: SourceMapping; settings: Record<string, string>; sealedSecrets: string | null; pollSeconds: number | null; backfillDays: number; nowMs: number; createdBy: string }): Promise<void> {
    await this.store.db
      .insertInto('sources')
      .values({
        id: s.id,
        platform: s.platform,
        name: s.name,
        enabled: 1,
        mapping: JSON.stringify(s.mapping),
        settings: JSON.stringify(s.settings),
        secrets: s.sealedSecrets,
        poll_seconds: s.pollSeconds,
        backfill_days: s.backfillDays,
        cursor: null,
        last_poll_ms: null,
        last_error: null,
        last_record_ms: null,
        newest_record_ms: null,
        lag_ms: null,
        created_ms: s.nowMs,
        created_by: s.createdBy,
        updated_ms: s.nowMs,
        deleted_ms: null,
      })
      .execute();
  }

  async get(id: string): Promise<SourceRow | undefined> {
    const r = await this.store.db.selectFrom('sources').selectAll().where('id', '=', id).where('deleted_ms', 'is', null).executeTakeFirst();
    return r ? toRow(r) : undefined;
  }

  async list(): Promise<SourceRow[]> {
    const rows = await this.store.db.selectFrom('sources').selectAll().where('deleted_ms', 'is', null).orderBy('created_ms').orderBy('id').execute();
    return rows.map(toRow);
  }

  async nameTaken(name: string, exceptId?: string): Promise<boolean> {
    let q = this.store.db.selectFrom('sources').select('id').where('deleted_ms', 'is', null).where(sql<string>`lower(name)`, '=', name.toLowerCase());
    if (exceptId) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async update(id: string, patch: { name?: string; mapping?: SourceMapping; settings?: Record<string, string>; sealedSecrets?: string | null; pollSeconds?: number | null; enabled?: boolean; nowMs: number }): Promise<void> {
    await this.store.db
      .updateTable('sources')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.mapping !== undefined ? { mapping: JSON.stringify(patch.mapping) } : {}),
        ...(patch.settings !== undefined ? { settings: JSON.stringify(patch.settings) } : {}),
        ...(patch.sealedSecrets !== undefined ? { secrets: patch.sealedSecrets } : {}),
        ...(patch.pollSeconds !== undefined ? { poll_seconds: patch.pollSeconds } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        updated_ms: patch.nowMs,
      })
      .where('id', '=', id)
      .execute();
  }

  /** A deleted source stops answering and polling; its stored events and dead letters stay (figures do not change). */
  async remove(id: string, nowMs: number): Promise<void> {
    await this.store.db.updateTable('sources').set({ deleted_ms: nowMs, enabled: 0, secrets: null, updated_ms: nowMs }).where('id', '=', id).execute();
  }

  async pollDone(id: string, o: { nowMs: number; error: string | null }): Promise<void> {
    await this.store.db.updateTable('sources').set({ last_poll_ms: o.nowMs, last_error: o.error === null ? null : o.error.slice(0, 2_000) }).where('id', '=', id).execute();
  }

  /** Counters after a delivery (outside its transaction: counts are health, not data). */
  async count(id: string, o: { accepted: number; duplicate: number; rejectedBy: Partial<Record<SourceRejectReason, number>>; nowMs: number; newestMs: number | null }): Promise<void> {
    const rejected = Object.values(o.rejectedBy).reduce((a, b) => a + (b ?? 0), 0);
    if (o.accepted + o.duplicate + rejected === 0) return;
    await this.store.db.transaction().execute(async (trx) => {
      const cur = await trx.selectFrom('sources').select(['rejected_by', 'newest_record_ms']).where('id', '=', id).executeTakeFirst();
      if (!cur) return;
      const by = parseJson<Partial<Record<SourceRejectReason, number>>>(cur.rejected_by, {});
      for (const [k, v] of Object.entries(o.rejectedBy) as [SourceRejectReason, number][]) by[k] = (by[k] ?? 0) + v;
      const newest = o.newestMs === null ? cur.newest_record_ms : Math.max(o.newestMs, cur.newest_record_ms ?? 0);
      await trx
        .updateTable('sources')
        .set({
          accepted: sql<number>`accepted + ${o.accepted}`,
          duplicate: sql<number>`duplicate + ${o.duplicate}`,
          rejected: sql<number>`rejected + ${rejected}`,
          rejected_by: JSON.stringify(by),
          last_record_ms: o.nowMs,
          newest_record_ms: newest,
          // How far behind the freshest data is: a delivery of old records (a late survey, a backfill page) does not
          // make a source that is otherwise current look behind.
          ...(newest !== null ? { lag_ms: Math.max(0, o.nowMs - newest) } : {}),
        })
        .where('id', '=', id)
        .execute();
    });
  }

  async loadMemory(sourceId: string, keys: readonly string[]): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.store.db.selectFrom('source_memory').select(['key', 'value']).where('source_id', '=', sourceId).where('key', 'in', unique.slice(i, i + 500)).execute();
      for (const r of rows) out.set(r.key, parseJson<unknown>(r.value, undefined));
    }
    return out;
  }

  /** Forgets what mappers remembered about contacts untouched since `beforeMs` (a finished conversation's facts). */
  async forgetMemoryBefore(beforeMs: number): Promise<number> {
    const r = await this.store.db.deleteFrom('source_memory').where('updated_ms', '<', beforeMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async noteSeen(sourceId: string, seen: readonly SeenValue[], nowMs: number): Promise<void> {
    if (seen.length === 0) return;
    const agg = new Map<string, { kind: string; value: string; label: string | null; count: number }>();
    for (const s of seen) {
      const k = `${s.kind}\u0000${s.value}`;
      const cur = agg.get(k);
      if (cur) {
        cur.count++;
        if (s.label) cur.label = s.label.slice(0, 300);
      } else agg.set(k, { kind: s.kind, value: s.value.slice(0, 600), label: s.label?.slice(0, 300) ?? null, count: 1 });
    }
    const rows = [...agg.values()].map((a) => ({ source_id: sourceId, kind: a.kind, value: a.value, label: a.label, count: a.count, last_ms: nowMs }));
    for (let i = 0; i < rows.length; i += 200) {
      await this.store.db
        .insertInto('source_seen')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) =>
          oc.columns(['source_id', 'kind', 'value']).doUpdateSet((eb) => ({
            count: sql<number>`source_seen.count + ${eb.ref('excluded.count')}`,
            last_ms: eb.ref('excluded.last_ms'),
            label: sql<string | null>`coalesce(${eb.ref('excluded.label')}, source_seen.label)`,
          })),
        )
        .execute();
    }
  }

  async seen(sourceId: string): Promise<{ kind: string; value: string; label: string | null; count: number; lastMs: number }[]> {
    const rows = await this.store.db.selectFrom('source_seen').selectAll().where('source_id', '=', sourceId).orderBy('kind').orderBy('count', 'desc').limit(2_000).execute();
    return rows.map((r) => ({ kind: r.kind, value: r.value, label: r.label, count: Number(r.count), lastMs: r.last_ms }));
  }

  async deadLetters(sourceId: string, o: { status?: DeadLetter['status']; ids?: readonly number[]; afterId?: number; limit?: number }): Promise<{ rows: DeadLetter[]; total: number }> {
    let q = this.store.db.selectFrom('source_dead_letters').where('source_id', '=', sourceId);
    if (o.status) q = q.where('status', '=', o.status);
    if (o.ids) q = q.where('id', 'in', o.ids.length > 0 ? [...o.ids] : [-1]);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    if (o.afterId !== undefined) q = q.where('id', '>', o.afterId);
    const rows = await q.selectAll().orderBy('id', o.status === 'held' || o.afterId !== undefined ? 'asc' : 'desc').limit(o.limit ?? 500).execute();
    return {
      total,
      rows: rows.map((r) => ({
        id: Number(r.id),
        receivedMs: r.received_ms,
        kind: r.kind,
        recordKey: r.record_key,
        reason: r.reason as SourceRejectReason,
        reasons: parseJson<string[]>(r.reasons, []),
        record: parseJson<unknown>(r.record, null),
        status: r.status as DeadLetter['status'],
        replayedMs: r.replayed_ms,
      })),
    };
  }

  async heldCount(sourceId: string): Promise<number> {
    const r = await this.store.db.selectFrom('source_dead_letters').select((eb) => eb.fn.countAll<number>().as('n')).where('source_id', '=', sourceId).where('status', '=', 'held').executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async discard(sourceId: string, ids: readonly number[], nowMs: number): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.store.db.updateTable('source_dead_letters').set({ status: 'discarded', replayed_ms: nowMs }).where('source_id', '=', sourceId).where('status', '=', 'held').where('id', 'in', [...ids]).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Dead letters written after a commit (an id conflict is only known then). */
  async addDeadLetters(sourceId: string, letters: readonly NewDeadLetter[], nowMs: number): Promise<void> {
    if (letters.length === 0) return;
    await this.store.db.insertInto('source_dead_letters').values(letters.map((d) => deadLetterRow(sourceId, d, nowMs))).execute();
  }

  /** The rows a delivery writes with its events (see DeliverySideRows). */
  side(rows: DeliverySideRows): SideWrite | undefined {
    if (rows.cursor === undefined && rows.deadLetters.length === 0 && rows.memory.size === 0 && rows.replayed.length === 0 && rows.stillRejected.length === 0) return undefined;
    const letters = rows.deadLetters.map((d) => deadLetterRow(rows.sourceId, d, rows.nowMs));
    const memory = [...rows.memory].map(([key, value]) => ({ key, value: value === undefined ? undefined : JSON.stringify(value) }));
    return {
      sqlite: (db: SQLite.Database) => {
        const st = sqliteSide(db);
        if (rows.cursor !== undefined) st.cursor.run(rows.cursor, rows.sourceId);
        for (const l of letters) st.letter.run(l.source_id, l.received_ms, l.kind, l.record_key, l.reason, l.reasons, l.record, l.status);
        for (const m of memory) {
          if (m.value === undefined) st.forget.run(rows.sourceId, m.key);
          else st.remember.run(rows.sourceId, m.key, m.value, rows.nowMs);
        }
        for (const id of rows.replayed) st.replayed.run(rows.nowMs, id, rows.sourceId);
        for (const s of rows.stillRejected) st.still.run(s.reason, JSON.stringify(s.reasons), s.id, rows.sourceId);
      },
      pg: async (trx: Transaction<Database>) => {
        if (rows.cursor !== undefined) await trx.updateTable('sources').set({ cursor: rows.cursor }).where('id', '=', rows.sourceId).execute();
        for (let i = 0; i < letters.length; i += 200) await trx.insertInto('source_dead_letters').values(letters.slice(i, i + 200)).execute();
        for (const m of memory) {
          if (m.value === undefined) await trx.deleteFrom('source_memory').where('source_id', '=', rows.sourceId).where('key', '=', m.key).execute();
          else
            await trx
              .insertInto('source_memory')
              .values({ source_id: rows.sourceId, key: m.key, value: m.value, updated_ms: rows.nowMs })
              .onConflict((oc) => oc.columns(['source_id', 'key']).doUpdateSet({ value: m.value, updated_ms: rows.nowMs }))
              .execute();
        }
        if (rows.replayed.length > 0) await trx.updateTable('source_dead_letters').set({ status: 'replayed', replayed_ms: rows.nowMs }).where('source_id', '=', rows.sourceId).where('id', 'in', rows.replayed).execute();
        for (const s of rows.stillRejected) await trx.updateTable('source_dead_letters').set({ reason: s.reason, reasons: JSON.stringify(s.reasons) }).where('id', '=', s.id).where('source_id', '=', rows.sourceId).execute();
      },
    };
  }
}

function deadLetterRow(sourceId: string, d: NewDeadLetter, nowMs: number) {
  let record = JSON.stringify(d.record);
  if (record.length > 1_000_000) record = JSON.stringify({ kind: d.record.kind, body: '(record larger than 1 MB: not kept)' });
  return {
    source_id: sourceId,
    received_ms: nowMs,
    kind: d.kind.slice(0, 40),
    record_key: d.recordKey.slice(0, 600),
    reason: d.reason,
    reasons: JSON.stringify(d.reasons.map((r) => r.slice(0, 1_000)).slice(0, 20)).slice(0, MAX_TEXT),
    record,
    status: 'held',
  };
}

interface SideStatements {
  cursor: SQLite.Statement<[string, string]>;
  letter: SQLite.Statement<[string, number, string, string, string, string, string, string]>;
  remember: SQLite.Statement<[string, string, string, number]>;
  forget: SQLite.Statement<[string, string]>;
  replayed: SQLite.Statement<[number, number, string]>;
  still: SQLite.Statement<[string, string, number, string]>;
}

const sideStatements = new WeakMap<SQLite.Database, SideStatements>();

function sqliteSide(db: SQLite.Database): SideStatements {
  let st = sideStatements.get(db);
  if (!st) {
    st = {
      cursor: db.prepare('UPDATE sources SET cursor = ? WHERE id = ?'),
      letter: db.prepare('INSERT INTO source_dead_letters (source_id, received_ms, kind, record_key, reason, reasons, record, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      remember: db.prepare('INSERT INTO source_memory (source_id, key, value, updated_ms) VALUES (?, ?, ?, ?) ON CONFLICT (source_id, key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms'),
      forget: db.prepare('DELETE FROM source_memory WHERE source_id = ? AND key = ?'),
      replayed: db.prepare("UPDATE source_dead_letters SET status = 'replayed', replayed_ms = ? WHERE id = ? AND source_id = ?"),
      still: db.prepare('UPDATE source_dead_letters SET reason = ?, reasons = ? WHERE id = ? AND source_id = ?'),
    };
    sideStatements.set(db, st);
  }
  return st;
}
