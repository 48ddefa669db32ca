/**
 * Crash safety: stream batches into a real server process, SIGKILL it at random points (at least 20 times), restart
 * it, and find every acknowledged event stored exactly once with the content that was sent.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { ApiKeyService } from '../../server/apikeys/apikey.service.js';
import { systemClock } from '../../server/clock.js';
import { eventPayload } from '../../server/ingest/canonical.js';
import { validateEvent } from '../../shared/events.js';
import { openStore } from '../../server/store/db.js';
import type { IngestReply } from '../../shared/api.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { offered, survey, ended } from '../support/events.js';
import { tempDir } from '../support/stores.js';

const KILLS = 22;
const dir = tempDir('frontline-crash-');
const dbFile = path.join(dir, 'crash.sqlite');
const env = { SIMULATOR: 'off', DATABASE_URL: `sqlite:${dbFile}` };
afterAll(() => undefined);

it(`every acknowledged event survives ${KILLS} SIGKILLs, stored exactly once`, async () => {
  const setup = await openStore({ kind: 'sqlite', file: dbFile });
  const { key } = await new ApiKeyService(setup, systemClock).create('crash test', ['ingest']);
  await setup.close();

  const rng = fc.sample(fc.integer({ min: 0, max: 1_000_000 }), { numRuns: 2000, seed: 20261123 });
  let r = 0;
  const rand = (n: number) => (rng[r++ % rng.length] ?? 0) % n;

  const sent = new Map<string, FrontlineEvent>();
  const acked = new Set<string>();
  /** Batches whose answer never came: the client resends them after the restart. */
  let unanswered: FrontlineEvent[][] = [];
  let killsDuringRequests = 0;

  for (let round = 0; round <= KILLS; round++) {
    const server: ChildServer = await startChildServer(env);
    const post = async (batch: FrontlineEvent[]): Promise<boolean> => {
      try {
        const res = await fetch(`${server.baseUrl}/api/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(batch),
        });
        if (res.status !== 200) return false;
        const body = (await res.json()) as IngestReply;
        for (const x of body.results) if (x.status === 'accepted' || x.status === 'duplicate') acked.add(x.id);
        return true;
      } catch {
        return false;
      }
    };
    // Resend what was in flight at the last kill (a real client retries); the answer may be accepted or duplicate.
    const retry = unanswered;
    unanswered = [];
    for (const b of retry) if (!(await post(b))) unanswered.push(b);

    if (round === KILLS) {
      await server.kill('SIGTERM');
      break;
    }
    let stop = false;
    const streams = Array.from({ length: 3 }, async () => {
      while (!stop) {
        const batch = Array.from({ length: 1 + rand(300) }, (_, i) => (i % 3 === 0 ? offered() : i % 3 === 1 ? ended() : survey()));
        for (const e of batch) sent.set(e.id, e);
        if (!(await post(batch))) {
          unanswered.push(batch);
          killsDuringRequests++;
          return;
        }
      }
    });
    await new Promise((res) => setTimeout(res, 30 + rand(400)));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(streams);
  }

  const db = new SQLite(dbFile, { readonly: true });
  const rows = db.prepare('select id, payload, count(*) over (partition by id) as n from events').all() as { id: string; payload: string; n: number }[];
  db.close();
  const byId = new Map(rows.map((row) => [row.id, row]));
  expect(acked.size).toBeGreaterThan(1000);
  expect(killsDuringRequests).toBeGreaterThan(0);
  for (const id of acked) {
    const row = byId.get(id);
    expect(row, `acknowledged event ${id} is missing`).toBeDefined();
    expect(row?.n).toBe(1);
    const v = validateEvent(sent.get(id));
    expect(v.ok && row?.payload === eventPayload(v.event)).toBe(true);
  }
  // Nothing stored that was never sent.
  for (const id of byId.keys()) expect(sent.has(id)).toBe(true);
  console.log(`crash-safety: ${KILLS} kills, ${acked.size} acknowledged events, ${rows.length} stored, ${killsDuringRequests} requests cut by a kill`);
}, 300_000);
