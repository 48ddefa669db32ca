/**
 * The one place the SQL dialect is chosen: SQLite (better-sqlite3) by default, PostgreSQL (pg) for scale-out.
 *
 * SQLite durability: WAL journal with `synchronous = FULL`. In WAL mode FULL fsyncs the log on every commit, so a
 * transaction acknowledged to a client survives a process crash *and* a power loss; NORMAL would survive a crash but
 * could lose the last commits on power loss, which would break the ingest promise "answered only after durably
 * committed". Group commit in the ingest writer keeps the fsync cost to one per batch of requests.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type LogEvent, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { pgKeys, type PgKeys } from './pg-keys.js';
import { initial } from './migrations/001-initial.js';
import { access } from './migrations/002-access.js';
import { erasure } from './migrations/003-erasure.js';
import { cases } from './migrations/004-cases.js';
import { targets } from './migrations/005-targets.js';
import { kpiRollups } from './migrations/006-kpi-rollups.js';
import { boards } from './migrations/007-boards.js';
import { flagKeys } from './migrations/008-flag-keys.js';
import { coachingWorkflow } from './migrations/009-coaching-workflow.js';
import { maskStoredText } from './migrations/010-mask-stored-text.js';
import { voc } from './migrations/011-voc.js';
import { reviews } from './migrations/012-reviews.js';
import { segmentCells } from './migrations/013-segment-cells.js';
import { eventsAgentType } from './migrations/014-events-agent-type.js';
import { followUpDue } from './migrations/015-follow-up-due.js';
import { contractV2 } from './migrations/016-contract-v2.js';
import { caseSignals } from './migrations/017-case-signals.js';
import { expiredIndexPartial } from './migrations/018-expired-index-partial.js';
import { accountIdentities } from './migrations/019-account-identities.js';
import { notifications } from './migrations/020-notifications.js';
import { qa } from './migrations/021-qa.js';
import { initiatives } from './migrations/022-initiatives.js';
import { sources } from './migrations/023-sources.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, for logs (never includes a password). */
  description: string;
  /**
   * The raw better-sqlite3 handle when the dialect is SQLite, for the one hot path that needs cached prepared
   * statements (event ingest). Use it only while holding Kysely's connection (`db.connection().execute`), so it can
   * never interleave with a Kysely transaction.
   */
  sqlite: SQLite.Database | null;
  /** PostgreSQL only: the lock keys and channel names of the schema written to (pg-keys.ts). */
  pg: PgKeys | null;
  /**
   * Told after every query run through Kysely, with its duration (Kysely's log hook): the store latency metrics.
   * The raw SQLite ingest path (events.store.ts) does not pass here; the ingest commit is timed on its own.
   */
  onQuery(fn: QueryListener): () => void;
  close(): Promise<void>;
}

/** One query as the store latency metrics see it: its root operation, how long it took, and whether it failed. */
export interface StoreQuery {
  operation: StoreOperation;
  ms: number;
  failed: boolean;
}
export type QueryListener = (q: StoreQuery) => void;

export const STORE_OPERATIONS = ['select', 'insert', 'update', 'delete', 'other'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

const NODE_OPERATIONS: Record<string, StoreOperation> = { SelectQueryNode: 'select', InsertQueryNode: 'insert', UpdateQueryNode: 'update', DeleteQueryNode: 'delete' };

/** A bounded label for a query: the builder's root node, or the first keyword of raw SQL (`sql\`...\``). */
export function operationOf(kind: string, text: string): StoreOperation {
  const byNode = NODE_OPERATIONS[kind];
  if (byNode) return byNode;
  const word = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase();
  return word === 'select' || word === 'insert' || word === 'update' || word === 'delete' ? word : 'other';
}

/** Kysely's `log` option, fanning each query out to the store's listeners; cheap when nobody listens. */
function queryLog(): { log: (e: LogEvent) => void; onQuery: Store['onQuery'] } {
  const listeners = new Set<QueryListener>();
  return {
    log: (e) => {
      if (listeners.size === 0) return;
      const q: StoreQuery = { operation: operationOf(e.query.query.kind, e.query.sql), ms: e.queryDurationMillis, failed: e.level === 'error' };
      for (const fn of listeners) fn(q);
    },
    onQuery: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };

// bigint columns come back as strings from pg by default; our values (epoch ms, seq) fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openStore(target: DatabaseTarget): Promise<Store> {
  const store = target.kind === 'sqlite' ? openSqlite(target.file) : openPostgres(target.url, target.schema);
  await migrate(store);
  return store;
}

function openSqlite(file: string): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const { log, onQuery } = queryLog();
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), log });
  return { db, dialect: 'sqlite', description: `sqlite:${file}`, sqlite, pg: null, onQuery, close: () => db.destroy() };
}

function openPostgres(url: string, schema?: string): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor a checked-out one: pg emits `error` on a client whose socket dies, and nobody listens while Kysely holds it
  // (a database outage killed the node). The error still fails the query in flight, and the pool drops the client.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const { log, onQuery } = queryLog();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  const safe = new URL(url);
  safe.password = '';
  return { db, dialect: 'postgres', sqlite: null, pg: null, onQuery, description: `${safe.toString()}${schema ? ` (schema ${schema})` : ''}`, close: () => db.destroy() };
}

async function migrate(store: Store): Promise<void> {
  const migrations: Record<string, Migration> = { '001-initial': initial(store.dialect), '002-access': access(store.dialect), '003-erasure': erasure(), '004-cases': cases(), '005-targets': targets(), '006-kpi-rollups': kpiRollups(), '007-boards': boards(), '008-flag-keys': flagKeys(), '009-coaching-workflow': coachingWorkflow(store.dialect), '010-mask-stored-text': maskStoredText(), '011-voc': voc(), '012-reviews': reviews(store.dialect), '013-segment-cells': segmentCells(store.dialect), '014-events-agent-type': eventsAgentType(), '015-follow-up-due': followUpDue(), '016-contract-v2': contractV2(store.dialect), '017-case-signals': caseSignals(), '018-expired-index-partial': expiredIndexPartial(), '019-account-identities': accountIdentities(), '020-notifications': notifications(store.dialect), '021-qa': qa(store.dialect), '022-initiatives': initiatives(store.dialect), '023-sources': sources(store.dialect) };
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  // On PostgreSQL the migration tables are looked up in the schema we write to: Kysely otherwise finds them in any
  // schema, so a database holding another Frontline schema (tests, a second deployment) made it skip creating its own.
  const schema = store.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s : undefined;
  if (schema) store.pg = pgKeys(schema);
  const { error, results } = await new Migrator({ db: store.db, provider, ...(schema ? { migrationTableSchema: schema } : {}) }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
  }
}
