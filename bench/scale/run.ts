/**
 * bench/scale: fan-out to 3,000 live socket clients at 200 events/s, on three nodes (PostgreSQL + Redis) and, in
 * the same run with the same load, on one node (PostgreSQL, no Redis): the deployment scale-out replaces.
 *
 * Latency is measured from the figures themselves, not from timestamps: every client applies its snapshot and deltas
 * (as the dashboard does), and a batch counts as delivered to a client when the client's offered-contacts count for
 * its scope reaches what the store holds once that batch is in. So it spans the ingest commit, the change feed to
 * the node the client is on, the coalescing tick (250 ms) and the socket. Batches are posted round robin over the
 * nodes; a third of the clients watch the centre, the rest a queue each.
 *
 *   npm run bench:scale                     (CLIENTS=3000 RATE=200 SECONDS=20 NODES=3)
 *
 * Needs PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379).
 */
import fs from 'node:fs';
import os from 'node:os';
import type { FrontlineEvent } from '../../shared/events.js';
import { contacts, createClusterSchema, LiveClient, post, startNode, type ClusterSchema, type Node } from '../../test/support/cluster.js';
import { startChildServer } from '../../test/support/child-server.js';

const CLIENTS = Number(process.env.CLIENTS ?? 3000);
const RATE = Number(process.env.RATE ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 20);
const NODES = Number(process.env.NODES ?? 3);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONTACTS_PER_BATCH = 10; // 30 events
const BATCH_MS = (CONTACTS_PER_BATCH * 3 * 1000) / RATE;

function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

function pct(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

interface RunResult {
  label: string;
  nodes: number;
  clients: number;
  eventsPerSecond: number;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  cpu: number[];
  rss: number[];
  benchCpu: number;
  missed: number;
}

async function run(label: string, db: ClusterSchema, nodes: Node[]): Promise<RunResult> {
  const queues = db.directory.queues;
  const scopes = ['centre', ...queues.map((q) => `queue:${q.id}`)];
  const scopeOf = (j: number) => (j % 3 === 0 ? 'centre' : `queue:${(queues[j % queues.length] as { id: string }).id}`);

  // Per batch: when it was sent, and each scope's offered count once it is stored.
  const sentAt: number[] = [];
  const cum = new Map<string, number[]>(scopes.map((s) => [s, []]));
  const running = new Map<string, number>(scopes.map((s) => [s, 0]));
  const latencies: number[] = [];

  const clients: LiveClient[] = [];
  for (let j = 0; j < CLIENTS; j += 100) {
    const chunk = Array.from({ length: Math.min(100, CLIENTS - j) }, (_, k) => {
      const scope = scopeOf(j + k);
      const node = nodes[(j + k) % nodes.length] as Node;
      const c = new LiveClient(node.baseUrl, db.key, scope, 'today');
      let next = 0;
      const thresholds = cum.get(scope) as number[];
      c.onUpdate.push((kpis, at) => {
        const n = kpis.complaintsPer1000.n;
        while (next < thresholds.length && n >= (thresholds[next] as number)) {
          const before = next === 0 ? 0 : (thresholds[next - 1] as number);
          if ((thresholds[next] as number) > before) latencies.push(at - (sentAt[next] as number));
          next++;
        }
      });
      clients.push(c);
      return c.ready(60_000);
    });
    await Promise.all(chunk);
  }

  const pids = nodes.map((n) => n.proc.pid as number);
  const cpu0 = pids.map(cpuSeconds);
  const bench0 = process.cpuUsage();
  const t0 = Date.now();
  let sent = 0;
  for (let i = 0; Date.now() - t0 < SECONDS * 1000; i++) {
    const due = t0 + i * BATCH_MS;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const batch: FrontlineEvent[] = contacts(db.directory, CONTACTS_PER_BATCH);
    for (const e of batch) {
      if (e.type !== 'contact.offered') continue;
      running.set('centre', (running.get('centre') ?? 0) + 1);
      running.set(`queue:${e.queueId}`, (running.get(`queue:${e.queueId}`) ?? 0) + 1);
    }
    sentAt.push(Date.now());
    for (const s of scopes) (cum.get(s) as number[]).push(running.get(s) ?? 0);
    const r = await post(nodes[i % nodes.length] as Node, db.key, batch);
    if (r.status !== 200) throw new Error(`ingest answered ${r.status}`);
    sent += batch.length;
  }
  const elapsed = (Date.now() - t0) / 1000;
  const cpu = pids.map((p, k) => (cpuSeconds(p) - (cpu0[k] as number)) / elapsed);
  const rss = pids.map(rssMb);
  const b = process.cpuUsage(bench0);
  // Let the last batches arrive before reading the figures.
  await new Promise((r) => setTimeout(r, 3_000));
  let missed = 0;
  for (const c of clients) {
    const want = (cum.get(c.scope) as number[]).at(-1) ?? 0;
    if ((c.kpis?.complaintsPer1000.n ?? -1) !== want) missed++;
    c.close();
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    label,
    nodes: nodes.length,
    clients: CLIENTS,
    eventsPerSecond: sent / elapsed,
    samples: sorted.length,
    p50: pct(sorted, 0.5),
    p95: pct(sorted, 0.95),
    p99: pct(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    cpu,
    rss,
    benchCpu: (b.user + b.system) / 1e6 / elapsed,
    missed,
  };
}

function print(r: RunResult): void {
  console.log(
    `${r.label.padEnd(34)} ${String(r.clients).padStart(5)} clients  ${r.eventsPerSecond.toFixed(0).padStart(4)} ev/s  ` +
      `p50 ${r.p50.toFixed(0).padStart(4)} ms  p95 ${r.p95.toFixed(0).padStart(4)} ms  p99 ${r.p99.toFixed(0).padStart(4)} ms  max ${r.max.toFixed(0).padStart(5)} ms  ` +
      `(${r.samples} deliveries; ${r.missed} clients off at the end)`,
  );
  r.cpu.forEach((c, k) => console.log(`    node ${k + 1}: CPU ${c.toFixed(2)} cores, RSS ${r.rss[k]?.toFixed(0)} MB`));
  console.log(`    all nodes: ${r.cpu.reduce((a, c) => a + c, 0).toFixed(2)} cores; the bench process (${r.clients} clients): ${r.benchCpu.toFixed(2)} cores`);
}

async function main(): Promise<void> {
  console.log(`bench/scale on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`);
  console.log(`${CLIENTS} socket clients, ${RATE} events/s in batches of ${CONTACTS_PER_BATCH * 3} every ${BATCH_MS.toFixed(0)} ms, ${SECONDS} s per run; deltas coalesced every 250 ms\n`);
  const results: RunResult[] = [];

  // Baseline: one node on PostgreSQL without Redis, the deployment the cluster replaces.
  {
    const db = await createClusterSchema();
    const one = await startChildServer({ SIMULATOR: 'off', DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, 90_000);
    try {
      results.push(await run('1 node (PostgreSQL)', db, [Object.assign(one, { id: 'solo' })]));
      print(results.at(-1) as RunResult);
    } finally {
      await one.kill('SIGTERM');
      await db.drop();
    }
  }
  {
    const db = await createClusterSchema();
    const nodes: Node[] = [];
    try {
      for (let k = 0; k < NODES; k++) nodes.push(await startNode(db, REDIS_URL, `bench-${k + 1}`, { LOG_LEVEL: 'warn' }));
      results.push(await run(`${NODES} nodes (PostgreSQL + Redis)`, db, nodes));
      print(results.at(-1) as RunResult);
    } finally {
      await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
      await db.drop();
    }
  }
  const [solo, many] = results as [RunResult, RunResult];
  console.log(
    `\nratios, ${NODES} nodes against 1: p50 ×${(many.p50 / solo.p50).toFixed(2)}, p95 ×${(many.p95 / solo.p95).toFixed(2)}, p99 ×${(many.p99 / solo.p99).toFixed(2)}; ` +
      `busiest node's CPU ×${(Math.max(...many.cpu) / Math.max(...solo.cpu)).toFixed(2)}; all nodes' CPU ×${(many.cpu.reduce((a, c) => a + c, 0) / solo.cpu.reduce((a, c) => a + c, 0)).toFixed(2)}`,
  );
  console.log('(every process shares the same cores here: the nodes, PostgreSQL, Redis and the clients of the bench)');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
