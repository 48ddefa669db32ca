import type { Kysely, Migration } from 'kysely';

/**
 * When a held case's follow-up date passed and its people were told the review is due: set once, by whichever
 * node's scheduler claims it first (server/coaching/follow-ups.ts), so the notice is filed exactly once.
 */
export function followUpDue(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('coaching_cases').addColumn('follow_up_due_ms', 'bigint').execute();
    },
  };
}
