import type { Kysely, Migration } from 'kysely';

/**
 * Voice of the customer: one row per comment (survey comment or complaint summary) with what the themes and
 * sentiment views filter on, and the theme dictionary as the app edits it. The text itself stays only in the event
 * (masked on the way in), so retention and erasure reach it there.
 */
export function voc(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('comment_facts')
        .addColumn('event_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('contact_id', 'varchar(128)')
        .addColumn('occurred_ms', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('csat', 'integer')
        .addColumn('sentiment', 'real', (c) => c.notNull())
        .addColumn('agent_id', 'varchar(128)')
        .addColumn('queue_id', 'varchar(128)')
        .addColumn('channel', 'varchar(16)')
        .addColumn('themes', 'text', (c) => c.notNull())
        .addColumn('dictionary_version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('comment_facts_time').on('comment_facts').column('occurred_ms').execute();
      await db.schema.createIndex('comment_facts_agent').on('comment_facts').columns(['agent_id', 'occurred_ms']).execute();
      await db.schema
        .createTable('voc_dictionary')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('themes', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'varchar(200)', (c) => c.notNull())
        .execute();
    },
  };
}
