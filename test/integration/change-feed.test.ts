/**
 * The change feed under concurrent writers: three pools on one PostgreSQL schema (three nodes' worth) insert batches
 * as fast as they can while a fourth tails the log. Every stored event must reach the tail exactly once, in `seq`
 * order: the property the live figures of every node rest on. Without the ingest lock, a transaction that takes a
 * sequence number and commits after a later one would be skipped by a reader already past it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChangeFeed } from '../../server/cluster/change-feed.js';
import { createLogger } from '../../server/logger.js';
import { openStore, type Store } from '../../server/store/db.js';
import { writeEvents } from '../../server/store/events.store.js';
import { toRow } from '../../server/ingest/ingest.service.js';
import { offered } from '../support/events.js';
import { openTestStore, TEST_DATABASE_URL, type TestStore } from '../support/stores.js';

let base: TestStore;
const writers: Store[] = [];

beforeAll(async () => {
  base = await openTestStore('postgres');
  const schema = base.pg?.schema as string;
  for (let i = 0; i < 4; i++) writers.push(await openStore({ kind: 'postgres', url: TEST_DATABASE_URL, schema }));
});

afterAll(async () => {
  for (const w of writers) await w.close();
  await base.cleanup();
});


it('delivers every event committed by concurrent writers exactly once, in seq order', async () => {
  const reader = writers[3] as Store;
  const seen: { id: string; seq: number }[] = [];
  const feed = new ChangeFeed(reader, (events) => seen.push(...events.map((e) => ({ id: e.event.id, seq: e.seq ?? -1 }))), createLogger('silent'), 5);
  await feed.start();
  const written = new Set<string>();
  let stop = false;
  // The reader wakes constantly, as NOTIFY would, so it often reads between two writers' commits.
  const tail = (async () => {
    while (!stop) {
      feed.wake();
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  await Promise.all(
    writers.slice(0, 3).map(async (w, k) => {
      for (let b = 0; b < 60; b++) {
        const events = Array.from({ length: 1 + ((b * 7 + k * 13) % 40) }, () => offered());
        const rows = events.map((e) => toRow(e, Date.now()));
        const { inserted } = await writeEvents(w, rows);
        for (const id of inserted) written.add(id);
      }
    }),
  );
  stop = true;
  await tail;
  await feed.caughtUp();
  await feed.stop();

  expect(seen.length).toBe(written.size);
  expect(new Set(seen.map((s) => s.id))).toEqual(written);
  for (let i = 1; i < seen.length; i++) expect((seen[i] as { seq: number }).seq).toBeGreaterThan((seen[i - 1] as { seq: number }).seq);
});
