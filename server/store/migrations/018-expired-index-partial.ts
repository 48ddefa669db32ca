import { sql, type Kysely, type Migration } from 'kysely';

/**
 * `events_expired_ms` indexed every event, nearly all with `expired_ms` null, so SQLite's planner picked it for every
 * query that leaves expired orphans out (`expired_ms is null`) over the far more selective `events_contact_id`:
 * reading a few contacts' events (the KPI engine resolving a late survey, the contacts drill-down, the flagger
 * re-reading changed days) scanned the whole table. Only expired events need the index (the admins' orphan list, the
 * expiry feed), so it now holds only them; `expired_ms is null` can no longer use it.
 */
export function expiredIndexPartial(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('events_expired_ms').execute();
      await db.schema
        .createIndex('events_expired_ms')
        .on('events')
        .column('expired_ms')
        .where(sql.ref('expired_ms'), 'is not', null)
        .execute();
    },
  };
}
