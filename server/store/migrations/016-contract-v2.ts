import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Event contract v2 (shared/contract-v2.ts):
 * - ids of up to 512 characters (a platform's ARN), and stored event ids derived from them: on PostgreSQL every
 *   bounded text column of 128 characters or more becomes unbounded `text` (SQLite does not enforce lengths);
 * - `expired_ms` on events: when an orphan (a survey, evaluation or complaint whose contact never arrived) expired
 *   after the orphan TTL. Expired events stay stored, are left out of every KPI fold and are listed for admins.
 */
export function contractV2(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') {
        const cols = await sql<{ table_name: string; column_name: string }>`
          select table_name, column_name from information_schema.columns
          where table_schema = current_schema() and data_type = 'character varying' and character_maximum_length >= 128`.execute(db);
        for (const c of cols.rows) {
          await sql`ALTER TABLE ${sql.id(c.table_name)} ALTER COLUMN ${sql.id(c.column_name)} TYPE text`.execute(db);
        }
      }
      await db.schema.alterTable('events').addColumn('expired_ms', 'bigint').execute();
      await db.schema.createIndex('events_expired_ms').on('events').column('expired_ms').execute();
    },
  };
}
