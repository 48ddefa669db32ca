/**
 * The README's reverse-proxy example, run for real: nginx with deploy/nginx/frontline.conf (only the upstream
 * addresses and the listen port swapped) in front of three nodes. Requests spread over the nodes with no sticky
 * sessions, a socket through the proxy gets live updates for events posted through it, and long-polling, which would
 * need stickiness, is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, ROOT } from '../support/child-server.js';
import { contacts, createClusterSchema, LiveClient, post, startNode, until, type ClusterSchema, type Node } from '../support/cluster.js';
import { tempDir } from '../support/stores.js';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let db: ClusterSchema;
const nodes: Node[] = [];
let nginx: ChildProcess | undefined;
let proxyUrl = '';

/** The example file with the test's upstreams and port: everything else exactly as documented. */
function testConfig(example: string, upstreams: number[], port: number): string {
  const servers = example.match(/^\s*server 10\.0\.0\.\d+:3000 .*;$/gm);
  if (!servers || servers.length === 0) throw new Error('the example has no upstream server lines to swap');
  let out = example.replace(servers.join('\n'), upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=2 fail_timeout=5s;`).join('\n'));
  out = out.replace(/^\s*listen 80;$/m, `    listen 127.0.0.1:${port};`);
  if (out === example) throw new Error('nothing swapped');
  return out;
}

beforeAll(async () => {
  if (!fs.existsSync(NGINX)) throw new Error(`nginx is required for this test (${NGINX}); .ci/run installs it`);
  db = await createClusterSchema();
  for (const id of ['px-a', 'px-b', 'px-c']) nodes.push(await startNode(db, REDIS_URL, id, { TRUST_PROXY: 'loopback' }));
  const port = await freePort();
  const dir = tempDir('frontline-nginx-');
  const example = fs.readFileSync(path.join(ROOT, 'deploy', 'nginx', 'frontline.conf'), 'utf8');
  fs.writeFileSync(path.join(dir, 'frontline.conf'), testConfig(example, nodes.map((n) => Number(new URL(n.baseUrl).port)), port));
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 1024; }\n` +
      `http {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;\n  include ${dir}/frontline.conf;\n}\n`,
  );
  nginx = spawn(NGINX, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
  proxyUrl = `http://127.0.0.1:${port}`;
  await until('nginx answers', async () => (await fetch(`${proxyUrl}/readyz`).catch(() => null))?.ok === true, 15_000);
}, 240_000);

afterAll(async () => {
  nginx?.kill('SIGTERM');
  await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
  await db?.drop();
});

it('spreads requests over every node without sticky sessions', async () => {
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const r = await fetch(`${proxyUrl}/readyz`);
    expect(r.status).toBe(200);
    seen.add(r.headers.get('x-frontline-node') ?? '?');
  }
  expect([...seen].sort()).toEqual(['px-a', 'px-b', 'px-c']);
});

it('a socket through the proxy gets live figures for events posted through the proxy, whichever nodes take them', async () => {
  const live = new LiveClient(proxyUrl, db.key);
  try {
    await live.ready();
    const before = live.kpis?.complaintsPer1000.n ?? 0;
    const proxied = { ...nodes[0], baseUrl: proxyUrl } as Node;
    for (let i = 0; i < 6; i++) expect((await post(proxied, db.key, contacts(db.directory, 5))).status).toBe(200);
    await until('the proxied socket sees all 30 contacts', () => live.kpis?.complaintsPer1000.n === before + 30, 10_000);
  } finally {
    live.close();
  }
});

it('keeps the browser’s Host, so a sign-in and a socket from the page’s own origin are same-site', async () => {
  // A browser sends its Origin; the server compares it with the Host the proxy passes on.
  const login = await fetch(`${proxyUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: proxyUrl },
    body: JSON.stringify({ username: 'nobody', password: 'not a password at all' }),
  });
  const body = (await login.json()) as { error?: { code: string } };
  expect(body.error?.code).not.toBe('bad_origin');
  expect(login.status).toBe(401);
  const foreign = await fetch(`${proxyUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
    body: JSON.stringify({ username: 'nobody', password: 'not a password at all' }),
  });
  expect(foreign.status).toBe(403);
  const live = io(proxyUrl, { transports: ['websocket'], reconnection: false, auth: { apiKey: db.key }, extraHeaders: { origin: proxyUrl } });
  await new Promise<void>((resolve, reject) => {
    live.once('connect', resolve);
    live.once('connect_error', reject);
  });
  live.close();
});

it('refuses HTTP long-polling (which would need sticky sessions) with a clear error', async () => {
  const r = await fetch(`${proxyUrl}/socket.io/?EIO=4&transport=polling`);
  expect(r.status).toBe(400);
  const client = io(proxyUrl, { transports: ['polling'], reconnection: false, auth: { apiKey: db.key } });
  const err = await new Promise<Error>((resolve) => client.once('connect_error', resolve));
  client.close();
  expect(err.message).toMatch(/xhr poll error|transport/i);
});
