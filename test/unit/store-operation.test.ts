/** The store latency metric's `operation` label: a handful of values whatever the query, never its text. */
import SQLite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { operationOf, STORE_OPERATIONS } from '../../server/store/db.js';
import type { Database } from '../../server/store/schema.js';

const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
const op = (q: { compile(): { query: { kind: string }; sql: string } }) => {
  const c = q.compile();
  return operationOf(c.query.kind, c.sql);
};
const raw = (text: TemplateStringsArray) => {
  const c = sql(text).compile(db);
  return operationOf(c.query.kind, c.sql);
};

describe('operationOf', () => {
  it('names built queries by their root node', () => {
    expect(op(db.selectFrom('meta').selectAll())).toBe('select');
    expect(op(db.insertInto('meta').values({ key: 'k', value: 'v' }))).toBe('insert');
    expect(op(db.updateTable('meta').set({ value: 'w' }).where('key', '=', 'k'))).toBe('update');
    expect(op(db.deleteFrom('meta').where('key', '=', 'k'))).toBe('delete');
    // A CTE is still the select it ends in.
    expect(op(db.with('m', (q) => q.selectFrom('meta').selectAll()).selectFrom('m').selectAll())).toBe('select');
  });

  it('names raw SQL by its first keyword, and anything else "other"', () => {
    expect(raw`select 1`).toBe('select');
    expect(raw`  DELETE from meta`).toBe('delete');
    expect(raw`select pg_advisory_xact_lock(1, 2)`).toBe('select');
    expect(raw`with x as (select 1) select * from x`).toBe('other');
    expect(raw`pragma journal_mode`).toBe('other');
    expect(operationOf('CreateTableNode', 'create table t (id int)')).toBe('other');
  });

  it('only ever answers one of the declared operations', () => {
    for (const text of ['', '   ', 'SeLeCt', 'insert', 'vacuum', '-- comment\nselect 1', "'select'"]) expect(STORE_OPERATIONS).toContain(operationOf('RawNode', text));
  });
});
