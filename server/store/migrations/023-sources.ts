import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Sources (issue 16): platform connections, their counters, the records they could not store (dead letters), what
 * their mappers remember between records, and the platform values they have sent (for the mapping editor).
 */
export function sources(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sources')
        .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
        .addColumn('platform', 'varchar(20)', (c) => c.notNull())
        .addColumn('name', 'varchar(80)', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        /** JSON: the mapping tables (shared/sources.ts sourceMapping). */
        .addColumn('mapping', 'text', (c) => c.notNull())
        /** JSON: the credential fields that are not secret (a region, a subdomain). */
        .addColumn('settings', 'text', (c) => c.notNull())
        /** The secret credential fields as one AES-256-GCM sealed JSON object (server/connectors/secrets.ts), or null. */
        .addColumn('secrets', 'text')
        .addColumn('poll_seconds', 'integer')
        .addColumn('backfill_days', 'integer', (c) => c.notNull())
        /** Pull sources: where the last committed page left off; written in the same transaction as its records. */
        .addColumn('cursor', 'text')
        .addColumn('last_poll_ms', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('accepted', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('duplicate', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('rejected', 'bigint', (c) => c.notNull().defaultTo(0))
        /** JSON: rejected records by reason. */
        .addColumn('rejected_by', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('last_record_ms', 'bigint')
        /** The platform time of the newest record delivered, and the lag of the last delivery. */
        .addColumn('newest_record_ms', 'bigint')
        .addColumn('lag_ms', 'bigint')
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .addColumn('deleted_ms', 'bigint')
        .execute();
      await db.schema
        .createTable('source_dead_letters')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('source_id', 'varchar(40)', (c) => c.notNull().references('sources.id'))
        .addColumn('received_ms', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'varchar(40)', (c) => c.notNull())
        .addColumn('record_key', 'varchar(600)', (c) => c.notNull())
        .addColumn('reason', 'varchar(20)', (c) => c.notNull())
        /** JSON array of reasons in words. */
        .addColumn('reasons', 'text', (c) => c.notNull())
        /** The record as received (JSON of { kind, body }). */
        .addColumn('record', 'text', (c) => c.notNull())
        /** held | replayed | discarded */
        .addColumn('status', 'varchar(12)', (c) => c.notNull())
        .addColumn('replayed_ms', 'bigint')
        .execute();
      await db.schema.createIndex('source_dead_letters_held').on('source_dead_letters').columns(['source_id', 'status', 'id']).execute();
      await db.schema
        .createTable('source_memory')
        .addColumn('source_id', 'varchar(40)', (c) => c.notNull())
        .addColumn('key', 'varchar(600)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('source_memory_pk', ['source_id', 'key'])
        .execute();
      await db.schema
        .createTable('source_seen')
        .addColumn('source_id', 'varchar(40)', (c) => c.notNull())
        .addColumn('kind', 'varchar(12)', (c) => c.notNull())
        .addColumn('value', 'varchar(600)', (c) => c.notNull())
        .addColumn('label', 'varchar(300)')
        .addColumn('count', 'bigint', (c) => c.notNull())
        .addColumn('last_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('source_seen_pk', ['source_id', 'kind', 'value'])
        .execute();
    },
  };
}
