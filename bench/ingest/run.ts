/**
 * bench/ingest: events/s through the HTTP ingest API into SQLite at batch sizes 1, 100 and 1,000, next to a minimal
 * baseline measured in the same run: JSON.parse the same payloads and insert them with one prepared statement in
 * one transaction (better-sqlite3, same schema, same WAL + synchronous=FULL pragmas).
 *
 * Each batch size runs through contract v1 (POST /api/v1/events) and contract v2 (POST /api/v2/events) with the same
 * events, and at batch 1,000 also with the events in a platform's shape (epoch-millisecond times, a revision on every
 * lifecycle event, two fields the contract does not know, kept in ext): v2 must stay at or above v1.
 *
 *   npm run bench:ingest            (EVENTS=100000 to change the volume, ROUNDS=3 the rounds per variant)
 *
 * Targets (2-core machine): >= 20,000 events/s at batch 1,000, and >= 0.5 x the baseline's rate.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { ApiKeyService } from '../../server/apikeys/apikey.service.js';
import { systemClock } from '../../server/clock.js';
import { sha256Hex } from '../../server/ingest/canonical.js';
import { openStore } from '../../server/store/db.js';
import { agentIdOf, contactIdOf, customerIdOf, type FrontlineEvent } from '../../shared/events.js';
import { CentreSimulator } from '../../server/simulator/index.js';
import { startChildServer } from '../../test/support/child-server.js';

const TOTAL = Number(process.env.EVENTS ?? 100_000);
/** How many times each variant runs, in turns (the median is reported). */
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-bench-'));

function realisticEvents(n: number, seed: number): FrontlineEvent[] {
  const start = Date.UTC(2026, 9, 5, 0, 0, 0);
  const sim = new CentreSimulator({ seed, startMs: start });
  const out: FrontlineEvent[] = [];
  for (let day = 1; out.length < n; day++) out.push(...sim.advanceTo(start + day * 86_400_000));
  return out.slice(0, n);
}

async function baseline(events: FrontlineEvent[]): Promise<number> {
  const file = path.join(work, 'baseline.sqlite');
  const store = await openStore({ kind: 'sqlite', file });
  await store.close();
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const body = JSON.stringify(events);
  const insert = db.prepare(
    // The same columns the server stores (customer_id is indexed, for erasure), so both sides do the same database work.
    'insert into events (id, type, occurred_at, occurred_ms, received_ms, source, contact_id, agent_id, payload, content_hash, customer_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const t0 = performance.now();
  const parsed = JSON.parse(body) as FrontlineEvent[];
  const now = Date.now();
  db.transaction(() => {
    for (const e of parsed) {
      const payload = JSON.stringify(e);
      insert.run(e.id, e.type, e.occurredAt, Date.parse(e.occurredAt), now, e.source ?? null, contactIdOf(e) ?? null, agentIdOf(e) ?? null, payload, sha256Hex(payload), customerIdOf(e) ?? null);
    }
  })();
  const s = (performance.now() - t0) / 1000;
  db.close();
  return parsed.length / s;
}

/** The same events as a platform sends them to contract v2: epoch-ms times, revisions, fields the contract does not know. */
function platformShaped(events: FrontlineEvent[]): unknown[] {
  return events.map((e) => {
    const out: Record<string, unknown> = { ...e, occurredAt: Date.parse(e.occurredAt), platformRegion: 'eu-west-2', platformRecordId: `rec-${e.id}` };
    if (e.type.startsWith('contact.')) out.revision = 1;
    return out;
  });
}

async function throughHttp(events: readonly unknown[], batchSize: number, concurrency: number, label: string, contract: 1 | 2): Promise<{ rate: number; p50: number; p99: number }> {
  const file = path.join(work, `http-${label}.sqlite`);
  const setup = await openStore({ kind: 'sqlite', file });
  const { key } = await new ApiKeyService(setup, systemClock).create('bench', ['ingest']);
  await setup.close();
  const server = await startChildServer({ SIMULATOR: 'off', DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'error', INGEST_MAX_CLOCK_SKEW_SECONDS: '999999999' });
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += batchSize) bodies.push(JSON.stringify(events.slice(i, i + batchSize)));
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const s = performance.now();
        const res = await fetch(`${server.baseUrl}/api/v${contract}/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
        const out = (await res.json()) as { accepted: number };
        if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status}`);
        latencies.push(performance.now() - s);
        accepted += out.accepted;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  await server.kill('SIGTERM');
  if (accepted !== events.length) throw new Error(`${label}: accepted ${accepted} of ${events.length}`);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rate: events.length / secs, p50: q(0.5), p99: q(0.99) };
}

const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const fmt = (rate: number): string => Math.round(rate).toLocaleString('en-GB');

async function main(): Promise<void> {
  console.log(`bench/ingest on ${os.cpus().length} cores, node ${process.version}; simulated centre events; load ${load()}`);
  const events = realisticEvents(TOTAL, 11);
  const base = await baseline(events);
  console.log(`baseline (parse + one prepared statement, one transaction): ${Math.round(base).toLocaleString('en-GB')} events/s over ${events.length.toLocaleString('en-GB')} events`);
  const runs = [
    { batch: 1, concurrency: 16, n: Math.min(TOTAL, 5_000) },
    { batch: 100, concurrency: 8, n: Math.min(TOTAL, 50_000) },
    { batch: 1000, concurrency: 4, n: TOTAL },
  ];
  // The variants of a batch size take turns, ROUNDS times, each on a fresh server and store (v1, v2, v2-platform,
  // then v2, v2-platform, v1, ...): on a shared machine a single run of each drifts with the load, so each line is the
  // median of its rounds, with the lowest and highest beside it, and the ratio to v1 compares medians.
  console.log(`each line: the median of ${ROUNDS} rounds, taken in turns`);
  console.log('contract       batch  concurrency  events     events/s (min–max)        ratio-to-baseline  ratio-to-v1  p50-ms  p99-ms  load(1/5/15)');
  for (const r of runs) {
    const slice = events.slice(0, r.n);
    const variants: { name: string; contract: 1 | 2; items: readonly unknown[] }[] = [
      { name: 'v1', contract: 1, items: slice },
      { name: 'v2', contract: 2, items: slice },
    ];
    if (r.batch === 1000) variants.push({ name: 'v2-platform', contract: 2, items: platformShaped(slice) });
    const results = new Map<string, { rate: number; p50: number; p99: number }[]>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + round) % variants.length] as (typeof variants)[number];
        results.get(v.name)?.push(await throughHttp(v.items, r.batch, r.concurrency, `${v.name}-b${r.batch}-r${round}`, v.contract));
      }
    }
    const median = (xs: number[]): number => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
    };
    const v1Rate = median((results.get('v1') ?? []).map((x) => x.rate));
    for (const v of variants) {
      const rs = results.get(v.name) ?? [];
      const rate = median(rs.map((x) => x.rate));
      const spread = `${fmt(Math.min(...rs.map((x) => x.rate)))}–${fmt(Math.max(...rs.map((x) => x.rate)))}`;
      console.log(
        `${v.name.padEnd(12)}  ${String(r.batch).padStart(5)}  ${String(r.concurrency).padStart(11)}  ${String(r.n).padStart(7)}  ${fmt(rate).padStart(9)} (${spread})`.padEnd(78) +
          `${(rate / base).toFixed(2).padStart(6)}  ${(rate / v1Rate).toFixed(2).padStart(11)}  ${median(rs.map((x) => x.p50)).toFixed(1).padStart(6)}  ${median(rs.map((x) => x.p99)).toFixed(1).padStart(6)}  ${load()}`,
      );
      if (r.batch === 1000 && v.name === 'v1') {
        console.log(`target: >= 20,000 events/s at batch 1,000: ${rate >= 20_000 ? 'MET' : 'NOT MET'}; >= 0.5 x baseline: ${rate / base >= 0.5 ? 'MET' : 'NOT MET'}`);
      }
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
