/**
 * The store contract: the same behaviour on SQLite and on PostgreSQL (both real). Ingest de-duplication, conflicts,
 * ordering, API keys and the directory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeyService } from '../../server/apikeys/apikey.service.js';
import { ManualClock } from '../../server/clock.js';
import { DirectoryService } from '../../server/directory/directory.service.js';
import { IngestService } from '../../server/ingest/ingest.service.js';
import { silentLogger } from '../../server/logger.js';
import { countEvents, readEventsAfter } from '../../server/store/events.store.js';
import type { Directory } from '../../shared/directory.js';
import { offered, oneOfEach, survey, uid } from '../support/events.js';
import { openTestStore, type TestStore } from '../support/stores.js';

const NOW = Date.UTC(2026, 10, 3, 12, 0, 0);

describe.each(['sqlite', 'postgres'] as const)('store contract on %s', (dialect) => {
  let store: TestStore;
  let clock: ManualClock;
  let ingest: IngestService;

  beforeEach(async () => {
    store = await openTestStore(dialect);
    clock = new ManualClock(NOW);
    ingest = new IngestService({ store, clock, logger: silentLogger, maxClockSkewMs: 300_000 });
  });
  afterEach(async () => {
    await store.cleanup();
  });

  it('accepts one valid event of every type and stores each once, in ingest order', async () => {
    const events = oneOfEach();
    const out = await ingest.ingest(events);
    expect(out.results.map((r) => r.status)).toEqual(events.map(() => 'accepted'));
    const stored = await readEventsAfter(store.db, 0, 100);
    expect(stored.map((s) => s.id)).toEqual(events.map((e) => e.id));
    expect(stored.map((s) => JSON.parse(s.payload) as unknown)).toEqual(events);
  });

  it('re-sending the same batch stores nothing twice and answers duplicate for each event', async () => {
    const events = oneOfEach();
    await ingest.ingest(events);
    const again = await ingest.ingest(events);
    expect(again.accepted).toBe(0);
    expect(again.duplicate).toBe(events.length);
    expect(await countEvents(store.db)).toBe(events.length);
  });

  it('treats the same id with the same content in another key order as a duplicate', async () => {
    const e = survey();
    await ingest.ingest([e]);
    const reordered = Object.fromEntries(Object.entries(e).reverse());
    const out = await ingest.ingest([reordered]);
    expect(out.results[0]?.status).toBe('duplicate');
  });

  it('rejects the same id with different content and keeps the stored original', async () => {
    const e = survey({ csat: 5 });
    await ingest.ingest([e]);
    const out = await ingest.ingest([{ ...e, csat: 1 }]);
    expect(out.results[0]).toMatchObject({ status: 'rejected', errors: [{ path: 'id' }] });
    const [row] = await readEventsAfter(store.db, 0, 10);
    expect(JSON.parse(row?.payload ?? '{}')).toMatchObject({ csat: 5 });
  });

  it('classifies repeats inside one batch: same content duplicate, other content rejected', async () => {
    const e = offered();
    const out = await ingest.ingest([e, { ...e }, { ...e, queueId: 'other' }]);
    expect(out.results.map((r) => r.status)).toEqual(['accepted', 'duplicate', 'rejected']);
    expect(await countEvents(store.db)).toBe(1);
  });

  it('stores the valid events of a mixed batch and says exactly which were rejected', async () => {
    const good1 = offered();
    const good2 = survey();
    const out = await ingest.ingest([good1, { type: 'contact.offered', id: uid() }, good2, 'not an event']);
    expect(out.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted', 'rejected']);
    expect(out.results[1]).toMatchObject({ index: 1, status: 'rejected' });
    expect(await countEvents(store.db)).toBe(2);
  });

  it('keeps events that name an unknown agent or queue', async () => {
    const e = offered({ queueId: 'queue-nobody-configured' });
    const out = await ingest.ingest([e]);
    expect(out.accepted).toBe(1);
  });

  it('merges concurrent requests into group commits without losing or doubling any event', async () => {
    const batches = Array.from({ length: 40 }, () => [offered(), survey()]);
    const dup = batches[0]?.[0];
    if (dup) batches.push([dup]);
    const outs = await Promise.all(batches.map((b) => ingest.ingest(b)));
    expect(outs.reduce((s, o) => s + o.accepted, 0)).toBe(80);
    expect(outs.at(-1)?.results[0]?.status).toBe('duplicate');
    expect(await countEvents(store.db)).toBe(80);
  });

  it('rejects events dated beyond the allowed clock skew', async () => {
    const out = await ingest.ingest([offered({ occurredAt: new Date(NOW + 3600_000).toISOString() })]);
    expect(out.results[0]).toMatchObject({ status: 'rejected', errors: [{ path: 'occurredAt' }] });
  });

  it('creates, verifies, lists and revokes API keys; only the hash is stored', async () => {
    const keys = new ApiKeyService(store, clock);
    const { key, info } = await keys.create('CRM bridge', ['ingest', 'read']);
    expect(await keys.verify(key)).toMatchObject({ ok: true, key: { id: info.id, scopes: ['ingest', 'read'] } });
    const rows = await store.db.selectFrom('api_keys').selectAll().execute();
    // fl_<12-char id>_<secret>; the secret itself may contain '_', so cut by position, not by splitting.
    const secret = key.slice('fl_'.length + 12 + 1);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(await keys.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toEqual({ ok: false, reason: 'unknown' });
    expect(await keys.revoke(info.id)).toBe(true);
    expect(await keys.verify(key)).toEqual({ ok: false, reason: 'revoked' });
    expect((await keys.list())[0]?.revokedAt).not.toBeNull();
    expect(await keys.revoke('nosuchkey000')).toBe(false);
  });

  it('replaces the directory as a whole', async () => {
    const dirs = new DirectoryService(store);
    const d: Directory = {
      sites: [{ id: 's1', name: 'Leeds', timeZone: 'Europe/London', openingHours: { mon: { open: '08:00', close: '20:00' } } }],
      teams: [{ id: 't1', name: 'Billing', siteId: 's1' }],
      queues: [{ id: 'q1', name: 'Billing voice', channel: 'voice', siteId: 's1', serviceLevelSeconds: 20 }],
      agents: [{ id: 'a1', name: 'Amira Khan', teamId: 't1' }],
    };
    await dirs.replace(d);
    expect(await dirs.get()).toEqual(d);
    await dirs.replace({ ...d, agents: [] });
    expect((await new DirectoryService(store).get()).agents).toEqual([]);
  });

  it('keeps the centre-wide settings (zone, credit rule) across a restart, and drops them when a replacement has none', async () => {
    const d: Directory = {
      timeZone: 'Asia/Manila',
      creditAgent: 'first',
      sites: [{ id: 's1', name: 'Leeds', timeZone: 'Europe/London', openingHours: {} }],
      teams: [],
      queues: [],
      agents: [],
    };
    await new DirectoryService(store).replace(d);
    expect(await new DirectoryService(store).get()).toEqual(d);
    const { timeZone: _z, creditAgent: _c, ...plain } = d;
    await new DirectoryService(store).replace(plain);
    expect(await new DirectoryService(store).get()).toEqual(plain);
  });
});
