/**
 * Test stores: a temporary SQLite file, or a fresh schema in the real PostgreSQL server. PostgreSQL is required:
 * if it is not reachable the test fails (it is never skipped).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Dialect, type Store } from '../../server/store/db.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore extends Store {
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'frontline-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function openTestStore(dialect: Dialect): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const dir = tempDir();
    const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'test.sqlite') });
    return {
      ...store,
      cleanup: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is required for this test and is not reachable at ${TEST_DATABASE_URL}: ${(err as Error).message}`, { cause: err });
  }
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const store = await openStore({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
  return {
    ...store,
    cleanup: async () => {
      await store.close();
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

/** Two nodes' worth of pools on one fresh PostgreSQL schema: for tests of work that must happen once across nodes. */
export interface TwoNodeStores {
  base: TestStore;
  other: Store;
  close(): Promise<void>;
}

export async function twoNodeStores(): Promise<TwoNodeStores> {
  const base = await openTestStore('postgres');
  const other = await openStore({ kind: 'postgres', url: TEST_DATABASE_URL, schema: base.pg?.schema as string });
  return {
    base,
    other,
    close: async () => {
      await other.close();
      await base.cleanup();
    },
  };
}
