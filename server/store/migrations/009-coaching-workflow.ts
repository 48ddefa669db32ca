import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * The coaching workflow (DOMAIN.md section 6): a case's stage and its content (plan, session, the agent's response,
 * follow-up, outcome), the agreed actions, and the case's own trail of every change. `version` guards against two
 * people saving over each other.
 */
export function coachingWorkflow(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      const columns: [string, 'varchar(16)' | 'varchar(32)' | 'text' | 'bigint' | 'integer'][] = [
        ['plan', 'text'],
        ['session_at_ms', 'bigint'],
        ['held_ms', 'bigint'],
        ['notes', 'text'],
        ['reflection', 'text'],
        ['response', 'varchar(16)'],
        ['response_comment', 'text'],
        ['response_ms', 'bigint'],
        ['follow_up_ms', 'bigint'],
        ['review_days', 'integer'],
        ['outcome', 'varchar(16)'],
        ['outcome_reason', 'text'],
        ['review', 'text'],
        ['updated_ms', 'bigint'],
      ];
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable('coaching_cases').addColumn('stage', 'varchar(16)', (c) => c.notNull().defaultTo('new')).execute();
      await db.schema.alterTable('coaching_cases').addColumn('version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      for (const [name, type] of columns) await db.schema.alterTable('coaching_cases').addColumn(name, type).execute();
      await db.schema.createIndex('coaching_cases_follow_up').on('coaching_cases').columns(['status', 'follow_up_ms']).execute();

      await db.schema
        .createTable('case_actions')
        .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
        .addColumn('case_id', 'varchar(64)', (c) => c.notNull().references('coaching_cases.id'))
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('measure', 'text', (c) => c.notNull())
        .addColumn('owner', 'varchar(200)', (c) => c.notNull())
        .addColumn('due_ms', 'bigint', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
        .addColumn('done_ms', 'bigint')
        .execute();
      await db.schema.createIndex('case_actions_case').on('case_actions').column('case_id').execute();

      await db.schema
        .createTable('case_events')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('case_id', 'varchar(64)', (c) => c.notNull().references('coaching_cases.id'))
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'varchar(200)', (c) => c.notNull())
        .addColumn('action', 'varchar(40)', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('case_events_case').on('case_events').columns(['case_id', 'id']).execute();
    },
  };
}
