import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Accounts, sessions, login throttling, paired displays, the audit log, and the event columns erasure needs
 * (customer_id to find a customer's events without scanning payloads; redacted_ms to mark what was redacted).
 */
export function access(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('display_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('agent_id', 'varchar(128)')
        .addColumn('site_id', 'varchar(128)')
        .addColumn('team_ids', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .addColumn('disabled_ms', 'bigint')
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(32)', (c) => c.notNull())
        .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_ms', 'bigint', (c) => c.notNull())
        .addColumn('expires_ms', 'bigint', (c) => c.notNull())
        .addColumn('ip', 'varchar(64)')
        .addColumn('user_agent', 'varchar(300)')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('login_throttle')
        .addColumn('key', 'varchar(400)', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_start_ms', 'bigint', (c) => c.notNull())
        .addColumn('locked_until_ms', 'bigint')
        .execute();

      await db.schema
        .createTable('displays')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('code_hash', 'varchar(64)')
        .addColumn('pairing_secret_hash', 'varchar(64)')
        .addColumn('pairing_expires_ms', 'bigint')
        .addColumn('token_hash', 'varchar(64)')
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('created_ip', 'varchar(64)')
        .addColumn('approved_by', 'varchar(32)')
        .addColumn('approved_ms', 'bigint')
        .addColumn('revoked_by', 'varchar(32)')
        .addColumn('revoked_ms', 'bigint')
        .addColumn('last_seen_ms', 'bigint')
        .execute();
      await db.schema.createIndex('displays_code').on('displays').column('code_hash').execute();
      await db.schema.createIndex('displays_token').on('displays').column('token_hash').execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'varchar(200)', (c) => c.notNull())
        .addColumn('action', 'varchar(64)', (c) => c.notNull())
        .addColumn('target', 'varchar(300)')
        .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
        .addColumn('ip', 'varchar(64)')
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at_ms').execute();

      await db.schema.alterTable('events').addColumn('customer_id', 'varchar(128)').execute();
      await db.schema.alterTable('events').addColumn('redacted_ms', 'bigint').execute();
      if (dialect === 'postgres') {
        await sql`update events set customer_id = (payload::jsonb)->>'customerId' where payload like '%"customerId"%'`.execute(db);
      } else {
        await sql`update events set customer_id = json_extract(payload, '$.customerId') where payload like '%"customerId"%'`.execute(db);
      }
      await db.schema.createIndex('events_customer_id').on('events').column('customer_id').execute();
    },
  };
}
