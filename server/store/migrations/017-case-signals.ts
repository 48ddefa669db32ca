import type { Kysely, Migration } from 'kysely';

/**
 * One open case per scope and KPI (issue 18): a flagger signal for a scope and KPI that already has an open case of
 * the same kind is added to that case's trail instead of opening another. `case_signals` remembers each such signal
 * by its flag key, so a later run over the same days adds it once.
 */
export function caseSignals(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('case_signals')
        .addColumn('flag_key', 'text', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('case_signals_case').on('case_signals').column('case_id').execute();
      await db.schema.createIndex('coaching_cases_open_scope').on('coaching_cases').columns(['status', 'scope', 'kpi']).execute();
    },
  };
}
