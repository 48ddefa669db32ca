import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Segment cells (server/kpi/engine.ts cellScope) are rolled up like every other scope; a cell's name carries four ids
 * of up to 128 characters each, so the rollup scope column becomes unbounded text. SQLite does not enforce lengths.
 */
export function segmentCells(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') await sql`ALTER TABLE kpi_rollups ALTER COLUMN scope TYPE text`.execute(db);
    },
  };
}
