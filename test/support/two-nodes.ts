/** For a test file about work done once across nodes: two nodes' pools on one fresh PostgreSQL schema, for the suite. */
import { afterAll, beforeAll } from 'vitest';
import type { Store } from '../../server/store/db.js';
import { twoNodeStores, type TwoNodeStores } from './stores.js';

/** Opened before the file's tests and closed after them; read `base` and `other` inside tests. */
export function twoNodesForSuite(): { readonly base: Store; readonly other: Store } {
  let stores: TwoNodeStores | undefined;
  beforeAll(async () => {
    stores = await twoNodeStores();
  });
  afterAll(() => stores?.close());
  const open = (): TwoNodeStores => {
    if (!stores) throw new Error('the two nodes’ stores are open only inside tests');
    return stores;
  };
  return {
    get base() {
      return open().base;
    },
    get other() {
      return open().other;
    },
  };
}
