/**
 * SIGKILL during a pull (issue 16 acceptance), ten times: a real server process polls a Genesys Cloud source (the
 * stand-in API of server/connectors/genesys/simulate.ts, serving twelve simulated days, 100 conversations a page) and is
 * killed at a random moment while it reads. After each kill the store is opened as it was left: every event stored is
 * one the platform's records give, and everything before the committed cursor's place is stored. After the tenth
 * restart the poll is let finish: every conversation's events are stored exactly once (the set of stored ids is
 * exactly the set the records give, nothing missing, nothing extra), and the restarts resumed from the cursor instead
 * of reading everything again.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import fc from 'fast-check';
import { expect, it, onTestFinished } from 'vitest';
import { withRevisionId } from '../../../shared/contract-v2.js';
import { normaliseV2 } from '../../../shared/contract-v2.js';
import type { SourceSummary } from '../../../shared/sources.js';
import { ApiKeyService } from '../../../server/apikeys/apikey.service.js';
import { systemClock } from '../../../server/clock.js';
import { genesysMapper } from '../../../server/connectors/genesys/mapping.js';
import { genesysConversations, genesysSimMapping, startGenesysStandIn } from '../../../server/connectors/genesys/simulate.js';
import { CentreSimulator } from '../../../server/simulator/index.js';
import { openStore } from '../../../server/store/db.js';
import { startChildServer, type ChildServer } from '../../support/child-server.js';
import { tempDir } from '../../support/stores.js';

const KILLS = 10;
const DAY = 86_400_000;

it(`a pull killed ${KILLS} times mid-read loses nothing, doubles nothing and skips nothing`, async () => {
  const dir = tempDir('frontline-kill-pull-');
  const dbFile = path.join(dir, 'frontline.sqlite');
  const env = { SIMULATOR: 'off', DATA_DIR: dir, DATABASE_URL: `sqlite:${dbFile}`, SOURCES_TICK_MS: '200', LOG_LEVEL: 'warn' };

  // Twelve simulated days ending an hour ago, as Genesys conversation records: enough pages that every kill lands
  // while there is still history to read.
  const end = Date.now() - 3_600_000;
  const sim = new CentreSimulator({ seed: 16, startMs: end - 12 * DAY });
  const events = sim.advanceTo(end);
  const conversations = genesysConversations(events).filter((c) => c.conversationEnd !== undefined);
  const standIn = await startGenesysStandIn({ conversations, clientId: 'frontline', clientSecret: 'kill-test-secret', maxPageSize: 100 });
  const mapping = genesysSimMapping(sim.directory);

  // The ids the records give: what must be stored, exactly.
  const expected = new Set<string>();
  for (const c of conversations) {
    const out = genesysMapper.map({ kind: 'conversation', body: c }, { sourceId: 'x', mapping, memory: new Map() });
    if (!out.ok) throw new Error(`a simulated conversation does not map: ${out.reasons.join('; ')}`);
    for (const e of out.events) {
      const n = normaliseV2(e);
      if (!n.ok) throw new Error(JSON.stringify(n.issues));
      expected.add(withRevisionId(n.event).id);
    }
  }

  const setup = await openStore({ kind: 'sqlite', file: dbFile });
  const { key } = await new ApiKeyService(setup, systemClock).create('kill test', ['admin']);
  await setup.close();

  let server: ChildServer = await startChildServer(env);
  // Whatever fails below, no server process is left running after the test.
  onTestFinished(() => server.kill('SIGKILL'));
  const created = await fetch(`${server.baseUrl}/api/v1/sources`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ platform: 'genesys', name: 'Genesys (stand-in)', credentials: { region: standIn.baseUrl, clientId: 'frontline', clientSecret: 'kill-test-secret' }, mapping, pollSeconds: 10, backfillDays: 13 }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const sourceId = ((await created.json()) as { source: SourceSummary }).source.id;

  const storedIds = (): Set<string> => {
    const db = new SQLite(dbFile, { readonly: true });
    try {
      return new Set((db.prepare('SELECT id FROM events').all() as { id: string }[]).map((r) => r.id));
    } finally {
      db.close();
    }
  };
  const queries = () => standIn.requests.filter((r) => r.path.includes('/details/query')).length;

  const logs: string[] = [];
  const waits = fc.sample(fc.integer({ min: 1, max: 5 }), { numRuns: KILLS, seed: 20261207 });
  const progress: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    // Kill after a random number of pages served since this start: always mid-read.
    const from = queries();
    const target = from + (waits[k] ?? 1);
    const deadline = Date.now() + 60_000;
    while (queries() < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(queries(), `the server read pages after start ${k + 1}`).toBeGreaterThanOrEqual(target);
    await server.kill('SIGKILL');
    logs.push(server.output());
    const ids = storedIds();
    const extra = [...ids].filter((id) => !expected.has(id));
    expect(extra, 'stored events the records do not give').toEqual([]);
    progress.push(ids.size);
    server = await startChildServer(env);
  }
  // Progress never went back (a kill never undid a committed page) and the kills landed while there was still
  // something to read.
  for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1] as number);
  expect(progress.at(-1)).toBeLessThan(expected.size);

  // Let the last start finish reading.
  const deadline = Date.now() + 120_000;
  let ids = storedIds();
  while (ids.size < expected.size && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    ids = storedIds();
  }
  const health = (await (await fetch(`${server.baseUrl}/api/v1/sources/${sourceId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { source: SourceSummary };
  await server.kill('SIGTERM');
  logs.push(server.output());
  await standIn.close();
  // The client secret was pasted once: never in a log line, on any of the eleven runs.
  expect(logs.join('\n')).not.toContain('kill-test-secret');

  expect([...expected].filter((id) => !ids.has(id)), 'records never stored').toEqual([]);
  expect([...ids].filter((id) => !expected.has(id)), 'events stored that the records do not give').toEqual([]);
  // Each start resumed where the last committed page left off: far fewer pages than ten full re-reads.
  const pagesOnce = Math.ceil(conversations.length / 100) + 4;
  expect(queries()).toBeLessThan(pagesOnce + KILLS * 8);
  expect(health.source.health.lastError).toBeNull();
  console.log(`kill-during-pull: ${KILLS} kills, ${conversations.length} conversations, ${expected.size} events, ${queries()} query pages read (${pagesOnce} for one clean read), stored after each kill: ${progress.join(', ')}`);
}, 600_000);
