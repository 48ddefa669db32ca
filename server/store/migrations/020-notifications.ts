import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Notifications (issue 20): each person's preferences, the team and centre endpoints (webhooks, team email
 * addresses), an outbox written where the triggering change is known, the log of every delivery attempt, and the
 * watchers' remembered states (a KPI in breach, a silent source) so a restart neither repeats nor forgets a notice.
 */
export function notifications(dialect: Dialect): Migration {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('notification_prefs')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        /** JSON: NotificationPrefs as validated by shared/notifications.ts. */
        .addColumn('prefs', 'text', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('notification_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        /** webhook | email */
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        /** centre or team:ID */
        .addColumn('scope', 'text', (c) => c.notNull())
        /** The webhook URL or the team's email address. */
        .addColumn('address', 'text', (c) => c.notNull())
        /** Webhooks: the HMAC secret (kept, since every delivery is signed with it; shown to people once). */
        .addColumn('secret', 'text')
        /** JSON array of event kinds. */
        .addColumn('kinds', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('disabled_ms', 'bigint')
        .execute();
      await db.schema
        .createTable('notification_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        /** The event's id: the same for every recipient of one event. */
        .addColumn('event_id', 'text', (c) => c.notNull())
        /** The event and the recipient: a second filing of the same event for the same recipient is ignored. */
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        /** user:ID or endpoint:ID */
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        /** JSON: the event as webhooks receive it ({ type, id, time, data }) and the words for email. */
        .addColumn('payload', 'text', (c) => c.notNull())
        /** null: sent alone; hourly | daily | quiet: held for one digest to the recipient. */
        .addColumn('digest', 'text')
        .addColumn('due_ms', 'bigint', (c) => c.notNull())
        /** pending | sent | failed */
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        /** A sender's lease: nobody else sends the row before this time. */
        .addColumn('claimed_until_ms', 'bigint')
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('sent_ms', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema.createIndex('notification_outbox_due').on('notification_outbox').columns(['status', 'due_ms']).execute();
      await db.schema.createIndex('notification_outbox_created').on('notification_outbox').column('created_ms').execute();
      await db.schema
        .createTable('notification_attempts')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('outbox_id', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        /** delivered | error */
        .addColumn('status', 'text', (c) => c.notNull())
        /** The HTTP status or the SMTP server's reply. */
        .addColumn('reply', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('notification_attempts_outbox').on('notification_attempts').column('outbox_id').execute();
      await db.schema
        .createTable('notification_state')
        .addColumn('key', 'text', (c) => c.primaryKey())
        /** JSON: what the watcher last told people, and a change it is waiting to see sustained. */
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_ms', 'bigint', (c) => c.notNull())
        .execute();
      // The leader re-reads recent case trail entries, so a notice lost between a case change and its filing is filed.
      await db.schema.createIndex('case_events_at').on('case_events').column('at_ms').execute();
    },
  };
}
