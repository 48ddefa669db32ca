/** Durable event log: insert with de-duplication by id and content hash, and read back in ingest order. */
import type SQLite from 'better-sqlite3';
import { sql, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { FrontlineEvent } from '../../shared/events.js';
import type { Store } from './db.js';
import type { Database, EventsTable } from './schema.js';

export type NewEventRow = Omit<EventsTable, 'seq' | 'expired_ms'>;

/** Rows per INSERT: 13 columns × 500 stays far below SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_CHUNK = 500;
const SELECT_CHUNK = 900;

export async function findHashes(trx: Kysely<Database> | Transaction<Database>, ids: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < ids.length; i += SELECT_CHUNK) {
    const chunk = ids.slice(i, i + SELECT_CHUNK);
    const rows = await trx.selectFrom('events').select(['id', 'content_hash']).where('id', 'in', chunk).execute();
    for (const r of rows) found.set(r.id, r.content_hash);
  }
  return found;
}

/**
 * Inserts rows whose ids are new; a row whose id appeared meanwhile (another node, PostgreSQL) is skipped and
 * reported back so the caller can classify it as duplicate or conflict. Returns the ids actually inserted.
 */
export async function insertNewEvents(trx: Transaction<Database>, rows: NewEventRow[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    const back = await trx
      .insertInto('events')
      .values(chunk)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    for (const r of back) inserted.add(r.id);
  }
  return inserted;
}

export interface WriteOutcome {
  /** Ids this call stored. */
  inserted: Set<string>;
  /** For every id that was already stored: the content hash it was stored with. */
  existing: Map<string, string>;
}

/**
 * Stores rows (ids unique within `rows`) in one transaction; an id already stored is left untouched and its stored
 * hash returned, so the caller can tell a harmless re-send from a conflict. Resolves only after the commit.
 *
 * SQLite takes a fast path of cached prepared statements in one synchronous transaction (Kysely would compile and
 * prepare a fresh 5,500-parameter statement per chunk, which dominated ingest time); PostgreSQL uses multi-row
 * inserts through Kysely. Both are covered by the same store contract suite.
 */
export async function writeEvents(store: Store, rows: NewEventRow[], sides: readonly SideWrite[] = []): Promise<WriteOutcome> {
  if (rows.length === 0 && sides.length === 0) return { inserted: new Set(), existing: new Map() };
  const raw = store.sqlite;
  if (raw) return store.db.connection().execute(() => Promise.resolve(writeSqlite(raw, rows, sides)));
  const keys = store.pg;
  return store.db.transaction().execute(async (trx) => {
    // Held to commit: a later sequence number can then never become visible before an earlier one, so a reader
    // tailing `seq > cursor` (the change feed of every node) cannot skip a row that commits late.
    if (keys) await sql`select pg_advisory_xact_lock(${keys.lockClass}::int, ${keys.ingestLock}::int)`.execute(trx);
    const inserted = await insertNewEvents(trx, rows);
    for (const side of sides) await side.pg(trx);
    // Delivered at commit, to every node listening: their change feeds read the new rows at once.
    if (keys && inserted.size > 0) await sql`select pg_notify(${keys.eventsChannel}, '')`.execute(trx);
    const missing = rows.filter((r) => !inserted.has(r.id)).map((r) => r.id);
    const existing = missing.length > 0 ? await findHashes(trx, missing) : new Map<string, string>();
    return { inserted, existing };
  });
}

interface SqliteStatements {
  insert: SQLite.Statement<unknown[]>;
  hash: SQLite.Statement<[string], { content_hash: string }>;
  write: SQLite.Transaction<(rows: NewEventRow[], out: WriteOutcome, sides: readonly SideWrite[]) => void>;
}

/**
 * Rows written in the same transaction as a batch of events, so they commit or roll back together: a pull connector's
 * cursor, its dead letters and its mapper's memory (server/connectors/pipeline.ts). One form per dialect: SQLite's is
 * synchronous, inside better-sqlite3's transaction.
 */
export interface SideWrite {
  sqlite(db: SQLite.Database): void;
  pg(trx: Transaction<Database>): Promise<void>;
}

const sqliteStatements = new WeakMap<SQLite.Database, SqliteStatements>();

function writeSqlite(raw: SQLite.Database, rows: NewEventRow[], sides: readonly SideWrite[]): WriteOutcome {
  let st = sqliteStatements.get(raw);
  if (!st) {
    const insert = raw.prepare<unknown[]>(
      `INSERT INTO events (id, type, occurred_at, occurred_ms, received_ms, source, contact_id, agent_id, payload, content_hash, customer_id,
                           redacted_ms, text_removed_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    const hash = raw.prepare<[string], { content_hash: string }>('SELECT content_hash FROM events WHERE id = ?');
    const write = raw.transaction((batch: NewEventRow[], out: WriteOutcome, sides: readonly SideWrite[]) => {
      for (const r of batch) {
        const info = insert.run(
          r.id, r.type, r.occurred_at, r.occurred_ms, r.received_ms, r.source, r.contact_id, r.agent_id, r.payload, r.content_hash, r.customer_id, r.redacted_ms, r.text_removed_ms);
        if (info.changes === 1) out.inserted.add(r.id);
        else {
          const row = hash.get(r.id);
          if (row) out.existing.set(r.id, row.content_hash);
        }
      }
      for (const side of sides) side.sqlite(raw);
    });
    st = { insert, hash, write };
    sqliteStatements.set(raw, st);
  }
  const out: WriteOutcome = { inserted: new Set(), existing: new Map() };
  // IMMEDIATE takes the write lock up front, so a second process (the simulate CLI) waits on busy_timeout
  // instead of failing mid-transaction.
  st.write.immediate(rows, out, sides);
  return out;
}

export interface StoredEvent {
  seq: number;
  id: string;
  type: string;
  occurredMs: number;
  payload: string;
}

export async function readEventsAfter(db: Kysely<Database>, afterSeq: number, limit: number): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select(['seq', 'id', 'type', 'occurred_ms', 'payload'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), id: r.id, type: r.type, occurredMs: Number(r.occurred_ms), payload: r.payload }));
}

export async function countEvents(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function latestOccurredMs(db: Kysely<Database>): Promise<number | null> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('occurred_ms').as('max')).executeTakeFirst();
  return row?.max == null ? null : Number(row.max);
}

export type EventScan = SelectQueryBuilder<Database, 'events', { seq: number; payload: string }>;

/**
 * Every stored event matching `narrow`, in ingest order, read a page at a time (so a long history never sits in
 * memory at once) and handed to `each`. Returns how many were read.
 *
 * Orphans that expired (contract v2: their contact never arrived within the TTL) are left out: no KPI fold counts them.
 *
 * Between pages it lets the event loop run: SQLite answers synchronously, so a scan of a long history (a KPI rebuild
 * after a directory or privacy change) otherwise held the whole server, sockets and ingest included, for seconds.
 */
export async function scanEvents(db: Kysely<Database>, narrow: (q: EventScan) => EventScan, each: (e: FrontlineEvent) => void, page = 20_000): Promise<number> {
  let read = 0;
  for (let after = 0; ; ) {
    const rows = await narrow(db.selectFrom('events').select(['seq', 'payload']))
      .where('expired_ms', 'is', null)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(page)
      .execute();
    for (const r of rows) each(JSON.parse(r.payload) as FrontlineEvent);
    read += rows.length;
    if (rows.length < page) return read;
    after = Number(rows[rows.length - 1]?.seq);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
