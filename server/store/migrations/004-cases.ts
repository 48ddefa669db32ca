import type { Kysely, Migration } from 'kysely';

/** Coaching cases as the flagger opens them (individual, systemic, recognition); the workflow adds its tables later. */
export function cases(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('coaching_cases')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('scope', 'varchar(200)', (c) => c.notNull())
        .addColumn('agent_id', 'varchar(128)')
        .addColumn('team_id', 'varchar(128)')
        .addColumn('kpi', 'varchar(32)', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('figures', 'text', (c) => c.notNull())
        .addColumn('evidence_contact_ids', 'text', (c) => c.notNull())
        .addColumn('assigned_coach_id', 'varchar(32)')
        .addColumn('opened_ms', 'bigint', (c) => c.notNull())
        .addColumn('closed_ms', 'bigint')
        .execute();
      await db.schema.createIndex('coaching_cases_agent').on('coaching_cases').columns(['agent_id', 'status']).execute();
      await db.schema.createIndex('coaching_cases_coach').on('coaching_cases').columns(['assigned_coach_id', 'status']).execute();
    },
  };
}
