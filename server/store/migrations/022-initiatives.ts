import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Improvement initiatives (issue 19): one row per initiative, its plan, criteria, stakeholders and sign-offs as JSON
 * (always read and written whole, under the row's version), stakeholders' comments, and the trail of every change.
 * Before/after results are computed on read and never stored.
 */
export function initiatives(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('initiatives')
        .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
        .addColumn('title', 'varchar(200)', (c) => c.notNull())
        .addColumn('scope', 'varchar(200)', (c) => c.notNull())
        /** draft | planned | signed_off | implemented | closed */
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('outcome', 'varchar(20)')
        .addColumn('outcome_reason', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        /** JSON: where it came from (a review's recommendation, a systemic case, or by hand). */
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('problem', 'text', (c) => c.notNull())
        .addColumn('root_cause', 'text', (c) => c.notNull())
        /** JSON: KPI figures and comment themes frozen at opening. */
        .addColumn('evidence', 'text', (c) => c.notNull())
        /** JSON arrays: plan actions, success criteria, stakeholders' user ids, sign-offs ({ userId, atMs }). */
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('criteria', 'text', (c) => c.notNull())
        .addColumn('stakeholders', 'text', (c) => c.notNull())
        .addColumn('signoffs', 'text', (c) => c.notNull())
        .addColumn('window_days', 'integer', (c) => c.notNull())
        /** The change's local day (YYYY-MM-DD in the scope's zone) and what was changed. */
        .addColumn('change_day', 'varchar(10)')
        .addColumn('change_text', 'text')
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .addColumn('closed_ms', 'bigint')
        .execute();
      await db.schema.createIndex('initiatives_scope').on('initiatives').columns(['scope', 'created_ms']).execute();
      await db.schema
        .createTable('initiative_comments')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('initiative_id', 'varchar(40)', (c) => c.notNull().references('initiatives.id'))
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('author', 'varchar(200)', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('initiative_comments_initiative').on('initiative_comments').columns(['initiative_id', 'id']).execute();
      await db.schema
        .createTable('initiative_events')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('initiative_id', 'varchar(40)', (c) => c.notNull().references('initiatives.id'))
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'varchar(200)', (c) => c.notNull())
        .addColumn('action', 'varchar(40)', (c) => c.notNull())
        /** JSON: what changed. */
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('initiative_events_initiative').on('initiative_events').columns(['initiative_id', 'id']).execute();
    },
  };
}
