import type { Kysely, Migration } from 'kysely';

/**
 * KPI history: summed counters per scope for every 15-minute interval and every local day before the engine's hot
 * window, and a checkpoint saying how far they are complete (see server/kpi/history.ts).
 */
export function kpiRollups(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('kpi_rollups')
        .addColumn('scope', 'varchar(200)', (c) => c.notNull())
        .addColumn('grain', 'varchar(8)', (c) => c.notNull())
        .addColumn('start_ms', 'bigint', (c) => c.notNull())
        .addColumn('counters', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('kpi_rollups_pk', ['scope', 'grain', 'start_ms'])
        .execute();
      await db.schema.createIndex('kpi_rollups_start').on('kpi_rollups').columns(['grain', 'start_ms']).execute();
      await db.schema
        .createTable('kpi_checkpoint')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('basis', 'varchar(64)', (c) => c.notNull())
        .addColumn('cutoff_ms', 'bigint', (c) => c.notNull())
        .addColumn('through_seq', 'bigint', (c) => c.notNull())
        .addColumn('written_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
