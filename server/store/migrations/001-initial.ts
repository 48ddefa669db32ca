import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/** Written with the query builder so it runs on SQLite and PostgreSQL alike; the one dialect switch is `seq`. */
export function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('events')
        .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('id', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('type', 'varchar(32)', (c) => c.notNull())
        .addColumn('occurred_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('occurred_ms', 'bigint', (c) => c.notNull())
        .addColumn('received_ms', 'bigint', (c) => c.notNull())
        .addColumn('source', 'varchar(128)')
        .addColumn('contact_id', 'varchar(128)')
        .addColumn('agent_id', 'varchar(128)')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_occurred_ms').on('events').column('occurred_ms').execute();
      await db.schema.createIndex('events_contact_id').on('events').column('contact_id').execute();
      await db.schema.createIndex('events_agent_id').on('events').columns(['agent_id', 'occurred_ms']).execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('scopes', 'varchar(200)', (c) => c.notNull())
        .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_used_ms', 'bigint')
        .addColumn('revoked_ms', 'bigint')
        .execute();

      await db.schema
        .createTable('sites')
        .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('time_zone', 'varchar(64)', (c) => c.notNull())
        .addColumn('opening_hours', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('teams')
        .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('site_id', 'varchar(128)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('queues')
        .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('channel', 'varchar(16)', (c) => c.notNull())
        .addColumn('site_id', 'varchar(128)')
        .addColumn('service_level_seconds', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('agents')
        .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('team_id', 'varchar(128)', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('meta')
        .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await sql`select 1`.execute(db);
    },
  };
}
