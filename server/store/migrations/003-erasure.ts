import type { Kysely, Migration } from 'kysely';

/**
 * Erasure that holds for events arriving later: hashes of erased customer ids with their pseudonym, and the contacts
 * that belonged to them. A separate marker for "free text removed", so retention and erasure do not hide each other.
 */
export function erasure(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('events').addColumn('text_removed_ms', 'bigint').execute();
      await db.schema
        .createTable('erased_customers')
        .addColumn('customer_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('pseudonym', 'varchar(64)', (c) => c.notNull())
        .addColumn('erased_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('erased_contacts')
        .addColumn('contact_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('erased_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
