import type { Kysely, Migration } from 'kysely';

/** SMART targets (DOMAIN.md section 4). */
export function targets(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('targets')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('kpi', 'varchar(32)', (c) => c.notNull())
        .addColumn('scope', 'varchar(200)', (c) => c.notNull())
        .addColumn('threshold', 'double precision', (c) => c.notNull())
        .addColumn('direction', 'varchar(8)', (c) => c.notNull())
        .addColumn('tolerance', 'double precision', (c) => c.notNull())
        .addColumn('effective_from', 'varchar(10)', (c) => c.notNull())
        .addColumn('effective_to', 'varchar(10)')
        .addColumn('review_date', 'varchar(10)', (c) => c.notNull())
        .addColumn('owner', 'varchar(200)', (c) => c.notNull())
        .addColumn('objective', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('targets_kpi_scope').on('targets').columns(['kpi', 'scope']).execute();
    },
  };
}
