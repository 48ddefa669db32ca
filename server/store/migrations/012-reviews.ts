import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/** Saved service quality reviews (the document as built) and stakeholders' comments on them. */
export function reviews(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('service_reviews')
        .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
        .addColumn('title', 'varchar(200)', (c) => c.notNull())
        .addColumn('scope', 'varchar(200)', (c) => c.notNull())
        .addColumn('from_day', 'varchar(10)', (c) => c.notNull())
        .addColumn('to_day', 'varchar(10)', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('review_comments')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('review_id', 'varchar(40)', (c) => c.notNull().references('service_reviews.id'))
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('author', 'varchar(200)', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('review_comments_review').on('review_comments').columns(['review_id', 'id']).execute();
    },
  };
}
