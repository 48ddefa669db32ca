import type { Kysely, Migration } from 'kysely';

/** The flagger's own key for each case it opened, so re-running it over the same days never opens a case twice. */
export function flagKeys(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('coaching_cases').addColumn('flag_key', 'varchar(200)').execute();
      await db.schema.createIndex('coaching_cases_flag_key').on('coaching_cases').column('flag_key').unique().execute();
    },
  };
}
