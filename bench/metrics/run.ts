/**
 * bench/metrics: what the metrics cost. (1) The store's query hook: the same primary-key select run with and without
 * a listener (the Kysely `log` hook is always on; the listener turns each query into a histogram observation).
 * (2) A scrape of a server that has served traffic: exposition size, series count and time per scrape.
 *
 *   npx tsx bench/metrics/run.ts          (QUERIES=20000, SCRAPES=200)
 */
import { performance } from 'node:perf_hooks';
import { FrontlineMetrics } from '../../server/metrics/frontline-metrics.js';
import { parseExposition } from '../../test/support/prometheus.js';
import { call, seedPeople, sessionFor } from '../../test/support/people.js';
import { startTestServer } from '../../test/support/server.js';
import { openTestStore } from '../../test/support/stores.js';
import { offered, survey } from '../../test/support/events.js';

const QUERIES = Number(process.env.QUERIES ?? 20_000);
const SCRAPES = Number(process.env.SCRAPES ?? 200);

async function queryHook(): Promise<void> {
  const store = await openTestStore('sqlite');
  await store.db.insertInto('meta').values({ key: 'bench', value: '1' }).execute();
  const run = async () => {
    const t0 = performance.now();
    for (let i = 0; i < QUERIES; i++) await store.db.selectFrom('meta').select('value').where('key', '=', 'bench').executeTakeFirst();
    return ((performance.now() - t0) * 1000) / QUERIES;
  };
  await run(); // warm-up
  const without = await run();
  const metrics = new FrontlineMetrics();
  const off = store.onQuery((q) => metrics.storeQueried(q));
  const withListener = await run();
  off();
  const again = await run();
  process.stdout.write(`store query hook: ${QUERIES} selects; µs per query without listener ${without.toFixed(1)} / ${again.toFixed(1)}, with ${withListener.toFixed(1)}\n`);
  await store.cleanup();
}

async function scrapes(): Promise<void> {
  const t = await startTestServer();
  const people = await seedPeople(t);
  const admin = await sessionFor(t, people.admin);
  const ingest = await t.key(['ingest']);
  const key = (await t.server.apiKeys.create('prometheus', ['metrics'])).key;
  for (let i = 0; i < 50; i++) await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: ingest }, [offered(), survey(), { id: `bad-${i}` }]);
  for (const path of ['/api/v1/kpis', '/api/v1/cases', '/api/v1/directory', '/api/v1/agents/a-ann', '/api/v1/nothing']) await call(t.baseUrl, 'GET', path, admin);
  let bytes = 0;
  let series = 0;
  const t0 = performance.now();
  for (let i = 0; i < SCRAPES; i++) {
    const body = await (await call(t.baseUrl, 'GET', '/metrics', { bearer: key })).text();
    bytes = body.length;
    series = parseExposition(body).samples.length;
  }
  const ms = (performance.now() - t0) / SCRAPES;
  process.stdout.write(`scrape over HTTP (with key check): ${ms.toFixed(2)} ms each over ${SCRAPES}; ${(bytes / 1024).toFixed(1)} KiB, ${series} samples\n`);
  const t1 = performance.now();
  for (let i = 0; i < SCRAPES; i++) await t.server.metrics.scrape();
  process.stdout.write(`exposition alone: ${((performance.now() - t1) / SCRAPES).toFixed(2)} ms each\n`);
  await t.close();
}

await queryHook();
await scrapes();
