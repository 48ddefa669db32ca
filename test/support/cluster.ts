/**
 * Several real server processes on one PostgreSQL schema and a real Redis: what the scale-out tests and bench/scale
 * run. Redis is a private redis-server process on a free port, so a test can stop and restart it without touching
 * the machine's shared one. Nothing here skips: a missing PostgreSQL or redis-server fails the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { ApiKeyService } from '../../server/apikeys/apikey.service.js';
import { systemClock } from '../../server/clock.js';
import { DirectoryService } from '../../server/directory/directory.service.js';
import { defaultCentreDirectory } from '../../server/simulator/index.js';
import { openStore } from '../../server/store/db.js';
import type { Directory } from '../../shared/directory.js';
import type { FrontlineEvent } from '../../shared/events.js';
import type { KpiSet } from '../../shared/kpis.js';
import type { ClientToServerEvents, KpiDelta, KpiSnapshot, ServerToClientEvents } from '../../shared/live.js';
import { freePort, startChildServer, type ChildServer } from './child-server.js';
import { TEST_DATABASE_URL } from './stores.js';

export interface ClusterSchema {
  schema: string;
  /** DATABASE_URL for the nodes: the test database with this schema as the search path. */
  url: string;
  directory: Directory;
  /** A key with the ingest and read scopes. */
  key: string;
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh schema holding the default centre's directory and an API key. */
export async function createClusterSchema(): Promise<ClusterSchema> {
  const schema = `c_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is required and is not reachable at ${TEST_DATABASE_URL}: ${(err as Error).message}`, { cause: err });
  }
  await admin.query(`create schema ${schema}`);
  const store = await openStore({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
  const directory = defaultCentreDirectory();
  await new DirectoryService(store).replace(directory);
  const { key } = await new ApiKeyService(store, systemClock).create('cluster test', ['ingest', 'read']);
  await store.close();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    directory,
    key,
    query: async <T extends pg.QueryResultRow>(text: string, values?: unknown[]) => (await admin.query<T>(text.replaceAll('$schema', schema), values)).rows,
    drop: async () => {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

export interface RedisProcess {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGKILL: Redis vanishes mid-stream, as in a crash. */
  kill(): Promise<void>;
}

/** A private redis-server (no persistence) on a free port; start() can be called again after kill(). */
export async function privateRedis(): Promise<RedisProcess> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const r: RedisProcess = {
    url: `redis://127.0.0.1:${port}`,
    port,
    start: async () => {
      proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const failed = new Promise<never>((_, reject) => proc?.once('error', (err) => reject(new Error(`redis-server is required for this test: ${err.message}`))));
      await Promise.race([failed, waitForPort(port, 10_000)]);
    },
    kill: () =>
      new Promise<void>((resolve) => {
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
  await r.start();
  return r;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const { createConnection } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

export interface Node extends ChildServer {
  id: string;
}

export async function startNode(db: ClusterSchema, redisUrl: string, id: string, env: Record<string, string> = {}): Promise<Node> {
  const server = await startChildServer({ SIMULATOR: 'off', DATABASE_URL: db.url, REDIS_URL: redisUrl, NODE_ID: id, LOG_LEVEL: 'info', ...env }, 90_000);
  return Object.assign(server, { id });
}

export async function readyz(node: ChildServer): Promise<{ ok: boolean; node?: string; leader?: boolean; redis?: string } | null> {
  try {
    const r = await fetch(`${node.baseUrl}/readyz`, { signal: AbortSignal.timeout(3_000) });
    return (await r.json()) as { ok: boolean; node?: string; leader?: boolean; redis?: string };
  } catch {
    return null;
  }
}

/** Contacts now-ish in the default centre: offered, answered and ended; `n` contacts, 3 events each. */
export function contacts(directory: Directory, n: number, nowMs = Date.now()): FrontlineEvent[] {
  const out: FrontlineEvent[] = [];
  const queue = directory.queues[0] as Directory['queues'][number];
  for (let i = 0; i < n; i++) {
    const contactId = `c-${randomUUID()}`;
    const agent = directory.agents[i % directory.agents.length] as Directory['agents'][number];
    const t = nowMs - 120_000 + (i % 60) * 1000;
    const iso = (ms: number) => new Date(ms).toISOString();
    out.push(
      { id: randomUUID(), type: 'contact.offered', occurredAt: iso(t), contactId, channel: queue.channel, queueId: queue.id },
      { id: randomUUID(), type: 'contact.answered', occurredAt: iso(t + 10_000), contactId, agentId: agent.id },
      { id: randomUUID(), type: 'contact.ended', occurredAt: iso(t + 60_000), contactId, agentId: agent.id, talkSeconds: 40, holdSeconds: 5, wrapSeconds: 10, resolved: i % 4 !== 0 },
    );
  }
  return out;
}

export interface IngestResult {
  status: number;
  acked: string[];
}

export async function post(node: ChildServer, key: string, events: FrontlineEvent[]): Promise<IngestResult> {
  const res = await fetch(`${node.baseUrl}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(events),
  });
  if (res.status !== 200) return { status: res.status, acked: [] };
  const body = (await res.json()) as { results: { id: string; status: string }[] };
  return { status: 200, acked: body.results.filter((r) => r.status === 'accepted' || r.status === 'duplicate').map((r) => r.id) };
}

export async function kpisFrom(node: ChildServer, key: string, scope: string, fromIso: string, toIso: string): Promise<KpiSet> {
  const res = await fetch(`${node.baseUrl}/api/v1/kpis?scope=${scope}&from=${encodeURIComponent(fromIso)}&to=${encodeURIComponent(toIso)}`, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`GET /api/v1/kpis from ${node.baseUrl}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { kpis: KpiSet }).kpis;
}

/**
 * A live KPI client, as the dashboard keeps one: a snapshot, then deltas in order; a gap, a reconnect or a
 * `live:resync` fetches a fresh snapshot.
 */
export class LiveClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  kpis: KpiSet | null = null;
  seq = 0;
  resyncs = 0;
  resyncNotices = 0;
  /** Arrival time of each delta or snapshot, with its figures (bench). */
  readonly onUpdate: ((kpis: KpiSet, atMs: number) => void)[] = [];

  constructor(
    baseUrl: string,
    key: string,
    readonly scope = 'centre',
    readonly window: 'today' | 'interval' | 'rolling60' = 'today',
  ) {
    this.socket = io(baseUrl, { transports: ['websocket'], forceNew: true, auth: { apiKey: key }, reconnectionDelay: 200, reconnectionDelayMax: 1_000 });
    this.socket.on('connect', () => this.resync());
    this.socket.on('kpis:delta', (d: KpiDelta) => {
      if (!this.kpis) return;
      if (d.seq !== this.seq + 1) return this.resync();
      this.seq = d.seq;
      this.kpis = { ...this.kpis, ...d.changed };
      const at = Date.now();
      for (const fn of this.onUpdate) fn(this.kpis, at);
    });
    this.socket.on('live:resync', () => {
      this.resyncNotices++;
      this.resync();
    });
  }

  private resyncing = false;

  resync(): void {
    if (this.resyncing) return;
    this.resyncing = true;
    this.resyncs++;
    this.socket.emit('kpis:subscribe', { scope: this.scope, window: this.window }, (reply) => {
      this.resyncing = false;
      if (!reply.ok) {
        setTimeout(() => this.resync(), 500);
        return;
      }
      const s: KpiSnapshot = reply.snapshot;
      this.kpis = s.kpis;
      this.seq = s.seq;
      const at = Date.now();
      for (const fn of this.onUpdate) fn(this.kpis, at);
    });
  }

  async ready(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.kpis) {
      if (Date.now() > deadline) throw new Error('no KPI snapshot');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void {
    this.socket.close();
  }
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
