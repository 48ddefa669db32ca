/**
 * Scale-out acceptance: three real node processes on one PostgreSQL schema and a real Redis.
 *
 * - Events ingested on node A reach a live socket client on node B, and every node answers the same KPIs.
 * - A node killed with SIGKILL while ingesting loses no acknowledged event, and the once-only duties (flagger, rollups,
 *   housekeeping) move to a survivor.
 * - Redis killed and restarted mid-stream: nodes keep ingesting and serving their own clients; afterwards every
 *   client's figures equal the store's.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpiSet } from '../../shared/kpis.js';
import type { ChildServer } from '../support/child-server.js';
import {
  contacts,
  createClusterSchema,
  kpisFrom,
  LiveClient,
  post,
  privateRedis,
  readyz,
  startNode,
  until,
  type ClusterSchema,
  type Node,
  type RedisProcess,
} from '../support/cluster.js';
import { setUpFirstAdmin } from '../support/child-server.js';
import { tcpProxy } from '../support/tcp-proxy.js';
import { cookieFrom } from '../support/people.js';

/** What ends a socket: the server's "auth:revoked" reason (if it sent one) and the disconnect reason. */
function endOf(socket: Socket): Promise<{ revoked: string | null; disconnect: string }> {
  let revoked: string | null = null;
  socket.on('auth:revoked', (info: { reason: string }) => (revoked = info.reason));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the socket was not ended within 15 s')), 15_000);
    socket.once('disconnect', (reason: string) => {
      clearTimeout(t);
      resolve({ revoked, disconnect: reason });
    });
  });
}

let db: ClusterSchema;
let redis: RedisProcess;
const nodes: Node[] = [];
const clients: LiveClient[] = [];
let admin: { cookie: string; csrf: string };
const dayFrom = new Date(Date.now() - 86_400_000).toISOString();
const dayTo = new Date(Date.now() + 86_400_000).toISOString();

/** Offered contacts in the KPI answer: complaintsPer1000's n is the number offered. */
const offeredIn = (k: KpiSet | null) => k?.complaintsPer1000.n ?? -1;

beforeAll(async () => {
  db = await createClusterSchema();
  redis = await privateRedis();
  // A first, so it is the leader; then B and C.
  for (const id of ['node-a', 'node-b', 'node-c']) nodes.push(await startNode(db, redis.url, id));
}, 240_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
  await redis?.kill();
  await db?.drop();
});

const [a, b, c] = [() => nodes[0] as Node, () => nodes[1] as Node, () => nodes[2] as Node];

async function storedOffers(): Promise<number> {
  const rows = await db.query<{ n: string }>(`select count(*) as n from $schema.events where type = 'contact.offered'`);
  return Number(rows[0]?.n);
}

async function sameEverywhere(servers: ChildServer[]): Promise<KpiSet> {
  const answers = await Promise.all(servers.map((s) => kpisFrom(s, db.key, 'centre', dayFrom, dayTo)));
  for (const x of answers.slice(1)) expect(x).toEqual(answers[0]);
  return answers[0] as KpiSet;
}

describe('three nodes on PostgreSQL and Redis', () => {
  it('elects one leader', async () => {
    const states = await Promise.all(nodes.map(readyz));
    expect(states.map((s) => s?.leader)).toEqual([true, false, false]);
    expect(states.every((s) => s?.redis === 'up')).toBe(true);
  });

  it('events ingested on node A reach a socket client on node B; every node gives the same KPI answer', async () => {
    const live = new LiveClient(b().baseUrl, db.key);
    clients.push(live);
    await live.ready();
    const before = offeredIn(live.kpis);
    const events = contacts(db.directory, 40);
    const r = await post(a(), db.key, events);
    expect(r.status).toBe(200);
    expect(r.acked).toHaveLength(events.length);
    await until('the client on B sees the 40 contacts ingested on A', () => offeredIn(live.kpis) === before + 40, 10_000);
    const k = await sameEverywhere(nodes);
    expect(offeredIn(k)).toBe(await storedOffers());
    // The live figures on B agree with the REST answer (every event of this schema is from today).
    expect(live.kpis?.aht.n).toBe(k.aht.n);
    expect(live.kpis?.aht.value).toBeCloseTo(k.aht.value ?? NaN, 9);
  });

  it('a node killed with SIGKILL while ingesting loses no acknowledged event; its duties move to a survivor', async () => {
    admin = await setUpFirstAdmin(b(), 'copper kettles sing at dusk');
    const status = async (n: ChildServer) => {
      const res = await fetch(`${n.baseUrl}/api/v1/cluster`, { headers: { cookie: admin.cookie } });
      return (await res.json()) as { leader: string | null; thisNodeLeads: boolean; duties: string[]; members: string[] };
    };
    expect((await status(b())).leader).toBe('node-a');
    // What the admin's System page shows: cluster mode and where the data lives.
    const shown = (await (await fetch(`${b().baseUrl}/api/v1/cluster`, { headers: { cookie: admin.cookie } })).json()) as { mode: string; where: string };
    expect(shown.mode).toBe('cluster');
    expect(shown.where).toContain(db.schema);
    expect((await status(a())).duties).toEqual(expect.arrayContaining(['kpi-rollups', 'flagger', 'follow-ups', 'housekeeping']));

    const acked = new Set<string>();
    let failed = 0;
    let stop = false;
    const stream = async () => {
      while (!stop) {
        try {
          const r = await post(a(), db.key, contacts(db.directory, 20));
          for (const id of r.acked) acked.add(id);
          if (r.status !== 200) failed++;
        } catch {
          failed++;
          return; // the connection died with the node
        }
      }
    };
    const streams = [stream(), stream(), stream()];
    await until('some events acknowledged', () => acked.size > 300, 15_000);
    await a().kill('SIGKILL');
    stop = true;
    await Promise.all(streams);
    expect(failed).toBeGreaterThan(0); // requests were in flight when it died

    // Every acknowledged event is stored.
    const ids = [...acked];
    const found = await db.query<{ id: string }>(`select id from $schema.events where id = any($1)`, [ids]);
    expect(found.length).toBe(ids.length);

    // A survivor takes the lead and the duties, within a few lock checks.
    await until('a survivor leads', async () => ['node-b', 'node-c'].includes((await status(b())).leader ?? ''), 15_000);
    const leader = (await status(b())).leader === 'node-b' ? b() : c();
    await until(
      'the new leader runs the duties',
      async () => {
        const s = await status(leader);
        return ['kpi-rollups', 'flagger', 'follow-ups', 'housekeeping'].every((d) => s.duties.includes(d));
      },
      30_000,
    );
    // Only the leader runs them.
    expect((await status(leader === b() ? c() : b())).duties).toEqual([]);
    expect((await status(b())).members).toEqual(['node-b', 'node-c']);

    // The survivors agree with each other and with the store.
    await until('survivors caught up', async () => offeredIn(await kpisFrom(b(), db.key, 'centre', dayFrom, dayTo)) === (await storedOffers()), 15_000);
    const k = await sameEverywhere([b(), c()]);
    expect(offeredIn(k)).toBe(await storedOffers());
  });

  it('Redis killed and restarted mid-stream: nodes keep serving, and every client ends with correct figures', async () => {
    // Bring the cluster back to three nodes.
    nodes[0] = await startNode(db, redis.url, 'node-d');
    const onB = new LiveClient(b().baseUrl, db.key);
    const onC = new LiveClient(c().baseUrl, db.key);
    const onD = new LiveClient(a().baseUrl, db.key);
    clients.push(onB, onC, onD);
    await Promise.all([onB.ready(), onC.ready(), onD.ready()]);

    let stop = false;
    let during = 0;
    let redisDown = false;
    const targets = [a(), b(), c()];
    const stream = (async () => {
      for (let i = 0; !stop; i++) {
        const r = await post(targets[i % 3] as ChildServer, db.key, contacts(db.directory, 10));
        if (r.status === 200 && redisDown) during++;
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    await new Promise((res) => setTimeout(res, 1_000));
    await redis.kill();
    redisDown = true;
    await until('every node reports Redis down', async () => (await Promise.all(targets.map(readyz))).every((s) => s?.redis === 'down'), 15_000);
    await new Promise((res) => setTimeout(res, 2_000));
    // Still serving its own clients while Redis is away: live figures keep moving on every node.
    const mid = offeredIn(onC.kpis);
    await until('C’s client still gets deltas while Redis is down', () => offeredIn(onC.kpis) > mid, 10_000);
    await redis.start();
    redisDown = false;
    await until('every node reports Redis up again', async () => (await Promise.all(targets.map(readyz))).every((s) => s?.redis === 'up'), 30_000);
    await new Promise((res) => setTimeout(res, 1_000));
    stop = true;
    await stream;
    expect(during).toBeGreaterThan(0);

    const stored = await storedOffers();
    await until('every client shows what is stored', () => [onB, onC, onD].every((x) => offeredIn(x.kpis) === stored), 15_000);
    const k = await sameEverywhere(targets);
    expect(offeredIn(k)).toBe(stored);
    // Each client was told to resync once Redis was back.
    for (const x of [onB, onC, onD]) expect(x.resyncNotices).toBeGreaterThan(0);
    for (const [x, n] of [[onB, b()], [onC, c()], [onD, a()]] as const) {
      const rest = await kpisFrom(n, db.key, 'centre', dayFrom, dayTo);
      expect(x.kpis?.aht.n).toBe(rest.aht.n);
      expect(x.kpis?.complaintsPer1000.n).toBe(rest.complaintsPer1000.n);
    }
  });

  it('PostgreSQL unreachable: ingest answers 503 with Retry-After and stores nothing; the node recovers without a restart', async () => {
    const proxy = await tcpProxy(Number(new URL(db.url).port || 5432));
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const e = await startNode({ ...db, url: url.toString() }, redis.url, 'node-e');
    nodes.push(e);
    const live = new LiveClient(e.baseUrl, db.key);
    clients.push(live);
    await live.ready();
    expect((await post(e, db.key, contacts(db.directory, 5))).status).toBe(200);

    await proxy.cut();
    const lost = contacts(db.directory, 7);
    const res = await fetch(`${e.baseUrl}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${db.key}` },
      body: JSON.stringify(lost),
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${e.output()}`);
    });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('store_unavailable');
    expect((await fetch(`${e.baseUrl}/readyz`)).status).toBe(503);
    const stored = await db.query<{ id: string }>(`select id from $schema.events where id = any($1)`, [lost.map((x) => x.id)]);
    expect(stored).toEqual([]);
    // Other nodes go on ingesting meanwhile; E's client catches up once the database is back.
    expect((await post(b(), db.key, contacts(db.directory, 9))).status).toBe(200);

    await proxy.restore();
    await until('E ingests again', async () => (await post(e, db.key, lost)).status === 200, 30_000);
    const total = await storedOffers();
    await until('E’s client shows what is stored', () => offeredIn(live.kpis) === total, 20_000);
    const k = await sameEverywhere([b(), c(), e]);
    expect(offeredIn(k)).toBe(total);
    await proxy.close();
  });

  it('revoking an API key or signing out on one node ends that credential’s sockets on the other nodes at once', async () => {
    const headers = { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf };
    // A key made on B, its socket on C; revoked on B.
    const made = (await (await fetch(`${b().baseUrl}/api/v1/apikeys`, { method: 'POST', headers, body: JSON.stringify({ name: 'screen feed', scopes: ['read'] }) })).json()) as { key: string; info: { id: string } };
    const keyed = new LiveClient(c().baseUrl, made.key);
    clients.push(keyed);
    await keyed.ready();
    const keyEnd = endOf(keyed.socket);
    expect((await fetch(`${b().baseUrl}/api/v1/apikeys/${made.info.id}/revoke`, { method: 'POST', headers })).status).toBe(200);
    // The revoking node's kick travels through the adapter, reason and all; the 5-second credential sweep on C would
    // say "credential no longer valid" instead.
    expect(await keyEnd).toEqual({ revoked: 'this API key was revoked', disconnect: 'io server disconnect' });

    // A session signed in on C, its socket on A (the node that replaced the killed one); signed out on C.
    const login = await fetch(`${c().baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada', password: 'copper kettles sing at dusk' }) });
    expect(login.status).toBe(200);
    const cookie = cookieFrom(login, 'fl_session');
    const me = (await (await fetch(`${c().baseUrl}/api/v1/session`, { headers: { cookie } })).json()) as { principal: { csrfToken: string } };
    const person = io(a().baseUrl, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie, origin: a().baseUrl } });
    await new Promise<void>((resolve, reject) => {
      person.once('connect', () => resolve());
      person.once('connect_error', reject);
    });
    const sessionEnd = endOf(person);
    expect((await fetch(`${c().baseUrl}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': me.principal.csrfToken } })).status).toBeLessThan(300);
    const ended = await sessionEnd;
    expect(ended.disconnect).toBe('io server disconnect');
    expect(ended.revoked).not.toBe('credential no longer valid');
    person.close();
  });

  it('a directory change on one node reaches every node’s cache (a NOTIFY signal), and their figures follow it', async () => {
    const live = [a(), b(), c()]; // D (in A's place), B and C; E's database link was closed with its forwarder
    const next = structuredClone(db.directory);
    const team = next.teams[0] as (typeof next.teams)[number];
    team.name = 'Renamed on one node';
    const res = await fetch(`${b().baseUrl}/api/v1/directory`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify(next),
    });
    expect(res.status).toBe(200);
    const nameOn = async (n: ChildServer) => {
      const r = await fetch(`${n.baseUrl}/api/v1/directory`, { headers: { authorization: `Bearer ${db.key}` } });
      return ((await r.json()) as { directory?: { teams: { id: string; name: string }[] }; teams?: { id: string; name: string }[] });
    };
    await until(
      'every node serves the new team name',
      async () => {
        for (const n of live) {
          const d = await nameOn(n);
          const teams = d.directory?.teams ?? d.teams ?? [];
          if (teams.find((t) => t.id === team.id)?.name !== team.name) return false;
        }
        return true;
      },
      10_000,
    );
    await until('the nodes agree again after their rebuilds', async () => {
      const answers = await Promise.all(live.map((n) => kpisFrom(n, db.key, `team:${team.id}`, dayFrom, dayTo)));
      return answers.every((x) => JSON.stringify(x) === JSON.stringify(answers[0]));
    });
  });
  it('a pseudonymised agent and a new theme dictionary, changed on one node, are what every node serves', async () => {
    const live = [a(), b(), c()];
    const headers = { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf };
    const getOn = async <T,>(n: ChildServer, p: string): Promise<T> => (await (await fetch(`${n.baseUrl}${p}`, { headers: { cookie: admin.cookie } })).json()) as T;
    // An agent who answered contacts ingested above: the pseudonymisation is made on C.
    const leaving = (db.directory.agents[0] as { id: string }).id;
    const res = await fetch(`${c().baseUrl}/api/v1/privacy/pseudonymise-agent`, { method: 'POST', headers, body: JSON.stringify({ agentId: leaving, reason: 'left, cluster test' }) });
    expect(res.status).toBe(200);
    const { pseudonym } = (await res.json()) as { pseudonym: string };
    await until(
      'every node’s directory has the pseudonym in place of the agent',
      async () => {
        for (const n of live) {
          const d = await getOn<{ directory: { agents: { id: string }[] } }>(n, '/api/v1/directory');
          const ids = d.directory.agents.map((x) => x.id);
          if (ids.includes(leaving) || !ids.includes(pseudonym)) return false;
        }
        return true;
      },
      10_000,
    );
    // Every node's live figures were rebuilt from the rewritten events: the same answer everywhere, none under the old id.
    await until('the nodes agree after their rebuilds', async () => {
      const answers = await Promise.all(live.map((n) => kpisFrom(n, db.key, 'centre', dayFrom, dayTo)));
      return answers.every((x) => JSON.stringify(x) === JSON.stringify(answers[0]));
    });
    for (const n of live) expect((await fetch(`${n.baseUrl}/api/v1/agents/${leaving}`, { headers: { cookie: admin.cookie } })).status).toBe(404);

    // A dictionary saved on A is the one B and C tag with.
    const dict = await getOn<{ version: number; themes: unknown[] }>(a(), '/api/v1/voc/dictionary');
    const saved = await fetch(`${a().baseUrl}/api/v1/voc/dictionary`, { method: 'PUT', headers, body: JSON.stringify({ themes: dict.themes.slice(0, 3) }) });
    expect(saved.status).toBe(200);
    const version = ((await saved.json()) as { version: number }).version;
    expect(version).toBeGreaterThan(dict.version);
    await until(
      'B and C serve the new dictionary',
      async () => {
        for (const n of [b(), c()]) {
          const d = await getOn<{ version: number; themes: unknown[] }>(n, '/api/v1/voc/dictionary');
          if (d.version !== version || d.themes.length !== 3) return false;
        }
        return true;
      },
      10_000,
    );
  });
});

