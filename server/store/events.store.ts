/** Durable event log: insert with de-duplication by id and content hash, and read back in ingest order. */
import type { Kysely, Transaction } from 'kysely';
import type { Database, EventsTable } from './schema.js';

export type NewEventRow = Omit<EventsTable, 'seq'>;

/** Rows per INSERT: 11 columns × 500 stays far below SQLite's and PostgreSQL's bound-parameter limits. */
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
