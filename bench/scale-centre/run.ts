/**
 * bench/scale-centre (issue 17, "From 45 agents to 5,000"): the real server (`server/main.ts` in a child process) on a
 * simulated centre of each size in SIZES, on each store in DIALECTS, with DAYS of history backfilled by the simulator
 * through the real ingest path on a first start. For each size and store:
 *
 *   1. first start: events backfilled and events/s through ingest, from the server's own log (the rate includes the
 *      simulator's time: the simulator alone, in this process, over one weekday of the same centre, is printed beside
 *      it, and the ingest-only rate derived from the two); spawn to "listening";
 *   2. the start-up flagger run: its wall time from its log line; the longest answer of GET /healthz probed every
 *      20 ms from outside during the run (the main thread's longest stall, as a browser or a load balancer sees it);
 *      the event-loop lag max the server reports on /metrics over the same window;
 *   3. once settled (KPI engine loaded, that flagger run done): RSS of the server process (VmRSS, and its peak VmHWM),
 *      V8 heap used (/metrics), and the store's size on disk;
 *   4. signed in as the first admin, through the routes the client uses, p50 / p95 of REPEAT calls (first call in
 *      brackets): the 90-day daily trend for one agent, one team and the centre; segments over 90 days without and
 *      with filters; the contacts behind one closed day of a team;
 *   5. restart (SIGTERM, start again on the same data): spawn to "listening" and to "KPI engine loaded"; RSS and heap
 *      once settled again;
 *   6. in Chromium: the dashboard's first load (navigation start to its KPI tiles showing live figures), and the
 *      largest agents table the product has for a scope: the QA page's coverage table, one row per agent, of a
 *      manager of the centre's largest site (rows rendered, time to first rows);
 *   7. live KPI deltas to CLIENTS socket screens at RATE events/s, latency p50/p95/p99 as bench/scale measures it (a
 *      batch counts as delivered when a client's own offered count reaches the store's). This runs on a third start
 *      of the same data with the simulator off: its live stream would move the counts the latency is read from.
 *
 * A step that fails (a timeout, an error answer, the server exiting or being killed, out of memory) is FAILED in the
 * table with its reason, and the bench goes on. The load average is printed beside every figure. At the end: a
 * markdown table of every figure at each size and store, the growth exponent between consecutive sizes
 * (log(f2/f1) / log(n2/n1): 1 is linear in agents; for p50 / p95 figures it is the p95's), and a log-log plot of each
 * figure against agents (normalised to the smallest size), both written to bench/scale-centre/results/.
 *
 *   npm run bench:scale-centre                  (SIZES=45,1000,5000 DIALECTS=sqlite,postgres DAYS=90)
 *   SIZES=45,200 DAYS=7 DIALECTS=sqlite npm run bench:scale-centre        (a quick run)
 *
 * Also: REPEAT=30 (calls per query), CLIENTS=3000 RATE=100 SECONDS=20 (live deltas), TREND_DAYS=90 (the span of the
 * trends and segments, whatever DAYS is), SERVER_NODE_OPTIONS (given to the server only, e.g.
 * --max-old-space-size=16384: V8's default heap limit is about 4 GB). A size of 45, 1,000 or 5,000 is the SIM_CENTRE
 * preset of that size (default, medium, large); any other size is SIM_AGENTS=N on the largest preset below it.
 * PostgreSQL is TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test, a fresh schema per run, dropped
 * after); Chromium is CHROMIUM_PATH (default /usr/bin/chromium). The client is built into dist/client first if it is
 * missing or older than its sources (as `npm start` does).
 *
 * Size it first: the simulator makes about 160 events per agent per day (1.2 million a week at 1,000 agents, 5.9
 * million at 5,000), so 90 days of the 5,000-agent centre is about 75 million events, some 45 GB as SQLite (about
 * 600 bytes an event) and more in PostgreSQL, and one store is dropped before the next is filled.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { CentreSimulator, centreDirectory, CENTRE_PRESET_NAMES, CENTRE_PRESETS, type CentreOptions, type CentrePreset } from '../../server/simulator/index.js';
import type { Directory } from '../../shared/directory.js';
import type { FrontlineEvent } from '../../shared/events.js';
import type { TrendReply } from '../../shared/api.js';
import { launchBrowser } from '../../test/support/browser.js';
import { freePort, ROOT, setUpFirstAdmin, type ChildServer } from '../../test/support/child-server.js';
import { contacts, LiveClient, post } from '../../test/support/cluster.js';
import { TEST_DATABASE_URL } from '../../test/support/stores.js';

const SIZES = (process.env.SIZES ?? '45,1000,5000').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
const DIALECTS = (process.env.DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim()).filter((d): d is Dialect => d === 'sqlite' || d === 'postgres');
const DAYS = Number(process.env.DAYS ?? 90);
const TREND_DAYS = Number(process.env.TREND_DAYS ?? 90);
const REPEAT = Number(process.env.REPEAT ?? 30);
const CLIENTS = Number(process.env.CLIENTS ?? 3000);
const RATE = Number(process.env.RATE ?? 100);
const SECONDS = Number(process.env.SECONDS ?? 20);
const RESULTS = path.join(import.meta.dirname, 'results');
/** Node options for the server only, e.g. --max-old-space-size=16384 for a 5,000-agent centre (V8's default is about 4 GB). */
const SERVER_NODE_OPTIONS = process.env.SERVER_NODE_OPTIONS ?? '';
const DAY = 86_400_000;
const PROBE_MS = 20;
const PASSWORD = 'amber kettles whistle at dawn';
const MANAGER_PASSWORD = 'seven blue herons over leeds';
const CONTACTS_PER_BATCH = 10; // 30 events, as bench/scale
const BATCH_MS = (CONTACTS_PER_BATCH * 3 * 1000) / RATE;

type Dialect = 'sqlite' | 'postgres';

// ---------------------------------------------------------------------------------------------------------------
// The figures, in the order of the table. `value` is what the exponent and the plot use; `text` is what is shown.

const FIGURES = [
  { key: 'simEps', label: 'simulator alone, in-process, 1 weekday', unit: 'events/s', short: 'simulator alone ev/s' },
  { key: 'backfillEvents', label: 'backfill: events stored', unit: 'events', short: 'backfill events' },
  { key: 'backfillEps', label: 'backfill through ingest, simulation included (log)', unit: 'events/s', short: 'backfill ev/s (with simulation)' },
  { key: 'ingestEps', label: 'backfill, ingest alone (derived: simulation time taken out)', unit: 'events/s', short: 'ingest alone ev/s (derived)' },
  { key: 'firstListen', label: 'first start: spawn to "listening"', unit: 's', short: 'first start to listening' },
  { key: 'firstKpiMs', label: 'first start: KPI engine load (its log)', unit: 'ms', short: 'first KPI engine load' },
  { key: 'flaggerMs', label: 'start-up flagger run, wall (its log)', unit: 'ms', short: 'flagger run wall' },
  { key: 'stallProbe', label: 'flagger run: longest GET /healthz (20 ms probe)', unit: 'ms', short: 'flagger: longest /healthz' },
  { key: 'stallLoop', label: 'flagger run: event-loop lag max (/metrics)', unit: 'ms', short: 'flagger: event-loop lag max' },
  { key: 'rss', label: 'settled after first start: RSS (peak)', unit: 'MB', short: 'RSS settled' },
  { key: 'heap', label: 'settled after first start: V8 heap used', unit: 'MB', short: 'heap settled' },
  { key: 'storeMb', label: 'store size on disk', unit: 'MB', short: 'store size' },
  { key: 'trendAgent', label: `trend ${TREND_DAYS} d daily, one agent: p50 / p95 (first)`, unit: 'ms', short: 'trend agent p95' },
  { key: 'trendTeam', label: `trend ${TREND_DAYS} d daily, one team: p50 / p95 (first)`, unit: 'ms', short: 'trend team p95' },
  { key: 'trendCentre', label: `trend ${TREND_DAYS} d daily, centre: p50 / p95 (first)`, unit: 'ms', short: 'trend centre p95' },
  { key: 'segments', label: `segments ${TREND_DAYS} d, no filter: p50 / p95 (first)`, unit: 'ms', short: 'segments p95' },
  { key: 'segmentsFiltered', label: `segments ${TREND_DAYS} d, 2 teams, voice, Mon-Fri, 09-17 h: p50 / p95 (first)`, unit: 'ms', short: 'segments filtered p95' },
  { key: 'contactsDay', label: 'contacts behind one closed day of a team: p50 / p95 (first)', unit: 'ms', short: 'contacts of a day p95' },
  { key: 'stopMs', label: 'SIGTERM to exit', unit: 'ms', short: 'SIGTERM to exit' },
  { key: 'restartListen', label: 'restart: spawn to "listening"', unit: 's', short: 'restart to listening' },
  { key: 'restartKpi', label: 'restart: spawn to "KPI engine loaded" (the load itself)', unit: 's', short: 'restart to KPI loaded' },
  { key: 'restartFlaggerMs', label: 'restart: flagger run, wall (its log)', unit: 'ms', short: 'restart flagger wall' },
  { key: 'restartRss', label: 'settled after restart: RSS (peak)', unit: 'MB', short: 'RSS after restart' },
  { key: 'restartHeap', label: 'settled after restart: V8 heap used', unit: 'MB', short: 'heap after restart' },
  { key: 'dashboard', label: 'Chromium: dashboard, navigation to KPI figures', unit: 'ms', short: 'dashboard first load' },
  { key: 'agentsTable', label: 'Chromium: QA coverage table of a site manager, to first rows', unit: 'ms', short: 'agents table first rows' },
  { key: 'agentsRows', label: 'Chromium: that table, rows rendered', unit: 'rows', short: 'agents table rows' },
  { key: 'liveP99', label: `live deltas, ${CLIENTS} sockets at ${RATE} ev/s: p99 (p50 / p95)`, unit: 'ms', short: 'live deltas p99' },
  { key: 'liveCpu', label: 'live deltas: server CPU', unit: 'cores', short: 'live server CPU' },
] as const;
type FigureKey = (typeof FIGURES)[number]['key'];

type Cell = { value: number; text: string; load: number } | { failed: string; load: number } | { skipped: string };

interface Size {
  agents: number;
  env: Record<string, string>;
  options: CentreOptions;
  describe: string;
}

interface Run {
  size: Size;
  dialect: Dialect;
  cells: Map<FigureKey, Cell>;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const load = () => os.loadavg()[0] ?? 0;
const num = (x: number, digits = 0) => x.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The figure as measured now: its value, how it reads, and the load average beside it. */
function set(run: Run, key: FigureKey, value: number, text: string): void {
  const l = load();
  run.cells.set(key, { value, text, load: l });
  const f = FIGURES.find((x) => x.key === key);
  console.log(`    ${(f?.label ?? key).padEnd(78)} ${text} ${f?.unit ?? ''}   (load ${l.toFixed(2)})`);
}

// ---------------------------------------------------------------------------------------------------------------
// The server in a child process. As test/support/child-server.ts starts it (same entry point, same readiness check
// on /readyz), with what a scale run needs on top: every log line from the first one (a multi-hour backfill must not
// push the first lines out of a rolling buffer), the process id before it is ready, and an exit by a signal seen at
// once (an out-of-memory abort or the kernel's OOM killer leaves no exit code, and would otherwise wait out the whole
// start timeout).

interface LogLine {
  msg: string;
  atMs: number;
  fields: Record<string, unknown>;
}

interface Server extends ChildServer {
  pid: number;
  spawnedAt: number;
  /** Why the process is gone (exit code or signal, and the tail of its output), or undefined while it runs. */
  gone(): string | undefined;
  line(msg: string): LogLine | undefined;
  waitForLine(msg: string, timeoutMs: number, failOn?: string[]): Promise<LogLine>;
}

const running = new Set<Server>();

function tailLines(text: string, n = 12): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

async function startServer(env: Record<string, string>, readyTimeoutMs: number): Promise<Server> {
  const port = await freePort();
  const spawnedAt = Date.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', ...(SERVER_NODE_OPTIONS ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${SERVER_NODE_OPTIONS}`.trim() } : {}), ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let partial = '';
  let setupCode: string | undefined;
  let exited: string | undefined;
  let closed: string | undefined;
  const log: LogLine[] = [];
  proc.stdout.on('data', (d: Buffer) => {
    const text = d.toString();
    tail = (tail + text).slice(-20_000);
    setupCode ??= /setup code\s+([A-Z2-9]{6}-[A-Z2-9]{6})/.exec(tail)?.[1];
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      if (!l.startsWith('{')) continue;
      try {
        const j = JSON.parse(l) as Record<string, unknown>;
        if (typeof j.msg === 'string' && log.length < 10_000) log.push({ msg: j.msg, atMs: Date.parse(String(j.time)), fields: j });
      } catch {
        // not a log line
      }
    }
  });
  proc.stderr.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-20_000)));
  proc.on('exit', (code, signal) => (exited = signal ? `killed by ${signal}${signal === 'SIGABRT' || signal === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${code}`));
  proc.on('close', () => (closed = exited));
  proc.on('error', (err) => (exited = `could not start: ${err.message}`));
  const gone = () => {
    if (exited === undefined) return undefined;
    // The line that says why (V8's "FATAL ERROR: ... heap out of memory", an uncaught error), and what it was doing.
    const why = tail.split('\n').filter((l) => /FATAL ERROR|out of memory|failed to start|^\w*Error\b/.test(l)).at(-1)?.trim();
    const last = log.at(-1);
    const doing = last ? `; its last log line, ${((last.atMs - spawnedAt) / 1000).toFixed(1)} s after spawn: "${last.msg}"` : '';
    return `server ${exited}${why ? `: ${why}` : ''}${doing}; its last output:\n${tailLines(tail.replace(/^\s*\d+: 0x[0-9a-f]+ .*$\n?/gm, ''))}`;
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const server: Server = {
    proc,
    pid: proc.pid ?? -1,
    baseUrl,
    spawnedAt,
    output: () => tail,
    setupCode: () => setupCode,
    gone,
    line: (msg) => log.find((l) => l.msg.startsWith(msg)),
    waitForLine: async (msg, timeoutMs, failOn = []) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = log.find((l) => l.msg.startsWith(msg));
        if (hit) return hit;
        const bad = log.find((l) => failOn.some((f) => l.msg.startsWith(f)));
        if (bad) throw new Error(`server logged "${bad.msg}": ${JSON.stringify(bad.fields).slice(0, 400)}`);
        if (exited !== undefined) {
          for (let i = 0; i < 20 && closed === undefined; i++) await sleep(50);
          throw new Error(`waiting for "${msg}": ${gone()}`);
        }
        if (Date.now() > deadline) throw new Error(`no "${msg}" in the log within ${(timeoutMs / 1000).toFixed(0)} s`);
        await sleep(50);
      }
    },
    // A server that has not gone 30 s after SIGTERM (its own shutdown forces an exit after 10 s) is killed.
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        running.delete(server);
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const force = signal === 'SIGKILL' ? undefined : setTimeout(() => proc.kill('SIGKILL'), 30_000);
        proc.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        proc.kill(signal);
      }),
  };
  running.add(server);
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited !== undefined) {
      // Let the pipes drain so the reason carries the last lines (a stack trace, "heap out of memory").
      for (let i = 0; i < 20 && closed === undefined; i++) await sleep(50);
      running.delete(server);
      throw new Error(gone());
    }
    try {
      const r = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.kill('SIGKILL');
      throw new Error(`not ready within ${(readyTimeoutMs / 1000).toFixed(0)} s; its last output:\n${tailLines(tail)}`);
    }
    await sleep(100);
  }
  return server;
}

function alive(srv: Server | undefined): Server {
  if (!srv) throw new Error('no server');
  const why = srv.gone();
  if (why) throw new Error(why);
  return srv;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP: the admin's session, as the client sends it; API keys (made with the key CLI) for /metrics and the sockets.

interface Session {
  cookie: string;
  csrf: string;
}

async function call(srv: Server, method: string, p: string, session: Session | null, body?: unknown): Promise<Response> {
  return fetch(`${srv.baseUrl}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(300_000),
  });
}

async function getJson<T>(srv: Server, p: string, session: Session): Promise<T> {
  const r = await call(srv, 'GET', p, session);
  if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${(await r.text()).slice(0, 300)}`);
  return (await r.json()) as T;
}

async function signIn(srv: Server, username: string, password: string): Promise<Session> {
  const r = await call(srv, 'POST', '/api/v1/auth/login', null, { username, password });
  const set = r.headers.getSetCookie().find((c) => /^(__Host-)?fl_session=[^;]/.test(c));
  if (r.status !== 200 || !set) throw new Error(`sign-in as ${username}: ${r.status} ${(await r.text()).slice(0, 300)}`);
  const cookie = set.split(';')[0] as string;
  const me = (await (await fetch(`${srv.baseUrl}/api/v1/session`, { headers: { cookie } })).json()) as { principal: { csrfToken: string } };
  return { cookie, csrf: me.principal.csrfToken };
}

/** An API key made with the key CLI (`npm run apikey -- create`) on the store, before or beside the server. */
function cliKey(storeEnv: Record<string, string>, name: string, scopes: string): string {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'cli', 'apikey.ts'), 'create', '--name', name, '--scopes', scopes, '--json'], {
    cwd: ROOT,
    env: { ...process.env, ...storeEnv },
    encoding: 'utf8',
  });
  return (JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { key: string }).key;
}

/** Prometheus text: the first sample of each metric name. */
async function scrape(srv: Server, key: string): Promise<Map<string, number>> {
  const r = await fetch(`${srv.baseUrl}/metrics`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(60_000) });
  if (r.status !== 200) throw new Error(`GET /metrics: ${r.status}`);
  const out = new Map<string, number>();
  for (const line of (await r.text()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && !out.has(m[1] as string)) out.set(m[1] as string, Number(m[3]));
  }
  return out;
}

function metric(m: Map<string, number>, name: string): number {
  const v = m.get(name);
  if (v === undefined) throw new Error(`/metrics has no ${name}`);
  return v;
}

/**
 * GET /healthz every 20 ms, one at a time: the longest answer is the longest the main thread kept a request waiting.
 * Each answer is kept with when it was sent, so a window (the flagger run, the part after the first scrape) can be read.
 */
function startProbe(baseUrl: string): { stop(): Promise<{ samples: { atMs: number; ms: number }[]; startedAt: number }> } {
  let stopped = false;
  const samples: { atMs: number; ms: number }[] = [];
  const startedAt = Date.now();
  const loop = (async () => {
    while (!stopped) {
      const atMs = Date.now();
      const t0 = performance.now();
      try {
        const r = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(600_000) });
        await r.arrayBuffer();
      } catch {
        // a refused or failed probe still took its time
      }
      const ms = performance.now() - t0;
      samples.push({ atMs, ms });
      if (ms < PROBE_MS) await sleep(PROBE_MS - ms);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { samples, startedAt };
    },
  };
}

/** The longest probe answer that overlapped [fromMs, toMs] (or, `sentInside`, was sent in it), and when it was sent. */
function longest(samples: { atMs: number; ms: number }[], fromMs: number, toMs: number, sentInside = false): { ms: number; atMs: number; n: number } {
  const inside = samples.filter((x) => x.atMs <= toMs && (sentInside ? x.atMs >= fromMs : x.atMs + x.ms >= fromMs));
  const top = inside.reduce<{ atMs: number; ms: number } | undefined>((a, x) => (a === undefined || x.ms > a.ms ? x : a), undefined);
  return { ms: top?.ms ?? 0, atMs: top?.atMs ?? fromMs, n: inside.length };
}

/** One warm-up call (its time shown in brackets), then REPEAT timed calls, each read to its last byte. */
async function timed(srv: Server, session: Session, p: string): Promise<{ first: number; p50: number; p95: number }> {
  const once = async () => {
    const t0 = performance.now();
    const r = await call(srv, 'GET', p, session);
    const text = await r.text();
    if (r.status !== 200) throw new Error(`GET ${p.slice(0, 120)}: ${r.status} ${text.slice(0, 300)}`);
    return performance.now() - t0;
  };
  const first = await once();
  const ms: number[] = [];
  for (let i = 0; i < REPEAT; i++) ms.push(await once());
  return { first, p50: pct(ms, 0.5), p95: pct(ms, 0.95) };
}

function setTimed(run: Run, key: FigureKey, t: { first: number; p50: number; p95: number }): void {
  const d = t.p95 < 10 ? 1 : 0;
  set(run, key, t.p95, `${num(t.p50, d)} / ${num(t.p95, d)} (${num(t.first, 0)})`);
}

// ---------------------------------------------------------------------------------------------------------------
// The centre of each size, and the simulator alone.

function sizeOf(agents: number): Size {
  const presetAgents = (p: CentrePreset) => CENTRE_PRESETS[p]?.agents ?? 45;
  const exact = CENTRE_PRESET_NAMES.find((p) => presetAgents(p) === agents);
  const below = [...CENTRE_PRESET_NAMES].sort((a, b) => presetAgents(b) - presetAgents(a)).find((p) => presetAgents(p) <= agents) ?? 'default';
  const options: CentreOptions = exact ? { preset: exact } : { preset: below, agents };
  const env: Record<string, string> = exact ? { SIM_CENTRE: exact } : { SIM_CENTRE: below, SIM_AGENTS: String(agents) };
  const d = centreDirectory(options);
  const zones = new Set(d.sites.map((s) => s.timeZone));
  const describe = `${num(d.agents.length)} agents (${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}): ${d.sites.length} site${d.sites.length === 1 ? '' : 's'} in ${zones.size} zone${zones.size === 1 ? '' : 's'}, ${d.teams.length} teams, ${d.queues.length} queues`;
  return { agents: d.agents.length, env, options, describe };
}

/**
 * The simulator alone over one whole mid-week day (Tuesday to Thursday, UTC), no scenarios, nothing stored. A day
 * simulated in under a second is simulated again (up to three times) and the last is kept: warm, as in a backfill.
 */
function simulatorAlone(size: Size): { events: number; seconds: number } {
  const directory = centreDirectory(size.options);
  let day = Math.floor(Date.now() / DAY) * DAY - DAY;
  while (![2, 3, 4].includes(new Date(day).getUTCDay())) day -= DAY;
  let out = { events: 0, seconds: 0 };
  for (let i = 0; i < 3 && out.seconds < 1; i++) {
    const sim = new CentreSimulator({ seed: 7, startMs: day, directory, scenarios: [] });
    const t0 = performance.now();
    const events = sim.advanceTo(day + DAY).length;
    out = { events, seconds: (performance.now() - t0) / 1000 };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// One size on one store.

interface Store {
  env: Record<string, string>;
  bytes(): Promise<number>;
  drop(): Promise<void>;
}

async function openStore(dialect: Dialect, dataDir: string): Promise<Store> {
  if (dialect === 'sqlite') return { env: { DATA_DIR: dataDir }, bytes: () => Promise.resolve(dirBytes(dataDir)), drop: () => Promise.resolve() };
  const schema = `scale_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${TEST_DATABASE_URL}: ${errText(err)}`, { cause: err });
  }
  await admin.query(`create schema ${schema}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    bytes: async () => {
      const r = await admin.query<{ b: string | null }>(
        `select sum(pg_total_relation_size(c.oid))::text as b from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r', 'm')`,
        [schema],
      );
      return Number(r.rows[0]?.b ?? 0);
    },
    drop: async () => {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

/** Seconds for a step that grows with the centre and its history: generous, so only a stuck server times out. */
function budgetMs(size: Size, perAgentDay: number, floorS: number): number {
  return Math.max(floorS, size.agents * Math.max(1, DAYS) * perAgentDay) * 1000;
}

const FLAGGER_DONE = 'flagger ran over the closed days';
const FLAGGER_FAILED = ['flagging failed to start', 'flagging run failed'];

/** Waits for the start-up flagger run and the figures of the server once settled: RSS, peak RSS and V8 heap. */
async function settle(srv: Server, size: Size, metricsKey: string): Promise<{ flagger: LogLine; rssMb: number; peakMb: number; heapMb: number }> {
  const flagger = await srv.waitForLine(FLAGGER_DONE, budgetMs(size, 0.01, 600), FLAGGER_FAILED);
  await srv.waitForLine('KPI engine loaded', 10_000);
  const m = await scrape(alive(srv), metricsKey);
  return { flagger, rssMb: procStatusKb(srv.pid, 'VmRSS') / 1024, peakMb: procStatusKb(srv.pid, 'VmHWM') / 1024, heapMb: metric(m, 'nodejs_heap_size_used_bytes') / 1e6 };
}

async function runOne(size: Size, dialect: Dialect, sim: { events: number; seconds: number } | undefined, browserRef: { browser?: Browser }): Promise<Run> {
  const run: Run = { size, dialect, cells: new Map() };
  console.log(`\n  ${size.describe}, ${dialect}, ${DAYS} days of history`);
  if (sim) set(run, 'simEps', sim.events / sim.seconds, `${num(sim.events / sim.seconds)} (${num(sim.events)} events in ${sim.seconds.toFixed(2)} s)`);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `frontline-scale-${size.agents}-${dialect}-`));
  let store: Store | undefined;
  let srv: Server | undefined;
  let admin: Session | undefined;
  let metricsKey = '';
  let liveKey = '';
  let directory: Directory | undefined;
  const baseEnv = (): Record<string, string> => ({ ...store?.env, ...size.env, SIM_SPEED: '1', SIM_BACKFILL_DAYS: String(DAYS), LOG_LEVEL: 'info' });

  /** Runs a step; a failure is FAILED (reason) on the step's figures not yet measured. False: the server is gone. */
  const step = async (what: string, keys: FigureKey[], fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (err) {
      const reason = errText(err);
      console.log(`    ${what}: FAILED: ${reason.replace(/\n/g, '\n      ')}`);
      for (const k of keys) if (!run.cells.has(k)) run.cells.set(k, { failed: reason, load: load() });
      return srv !== undefined && srv.gone() === undefined;
    }
  };
  const signedIn = (): Session => {
    if (!admin) throw new Error('no admin session: signing in as the first admin failed earlier');
    return admin;
  };
  const skipRest = (why: string) => {
    for (const f of FIGURES) if (!run.cells.has(f.key)) run.cells.set(f.key, { skipped: why });
  };

  try {
    // 1. First start: backfill through ingest, time to listening.
    let ok = await step('first start', ['backfillEvents', 'backfillEps', 'ingestEps', 'firstListen', 'firstKpiMs'], async () => {
      store = await openStore(dialect, dataDir);
      // Keys made before the server starts, with the CLI the README gives for Prometheus: /metrics can then be read
      // from the first moment, and nothing (a sign-in's password hashing) runs in the server beside the flagger's run.
      metricsKey = cliKey(store.env, 'bench metrics', 'metrics');
      liveKey = cliKey(store.env, 'bench live', 'ingest,read');
      srv = await startServer(baseEnv(), budgetMs(size, 0.05, 900));
      const begun = srv.line('first start: backfilling');
      const done = srv.line('backfill done');
      if (!begun || !done) throw new Error(`no backfill in the log (was the store empty?):\n${tailLines(srv.output())}`);
      const events = Number(done.fields.events);
      const seconds = (done.atMs - begun.atMs) / 1000;
      set(run, 'backfillEvents', events, num(events));
      set(run, 'backfillEps', events / seconds, `${num(events / seconds)} (${seconds.toFixed(1)} s; log says ${String(done.fields.seconds)} s)`);
      if (sim) {
        const ingestSeconds = seconds - events / (sim.events / sim.seconds);
        if (ingestSeconds > 0) set(run, 'ingestEps', events / ingestSeconds, `${num(events / ingestSeconds)} (${ingestSeconds.toFixed(1)} s)`);
        else run.cells.set('ingestEps', { failed: 'the simulator alone was slower than simulation and ingest together: nothing left to derive', load: load() });
      }
      const listening = await srv.waitForLine('listening', 10_000);
      set(run, 'firstListen', (listening.atMs - srv.spawnedAt) / 1000, ((listening.atMs - srv.spawnedAt) / 1000).toFixed(1));
      const kpi = await srv.waitForLine('KPI engine loaded', 10_000);
      set(run, 'firstKpiMs', Number(kpi.fields.ms), `${num(Number(kpi.fields.ms))} (${num(Number(kpi.fields.hotEvents))} hot events, ${num(Number(kpi.fields.historyEvents))} from history)`);
    });
    if (!ok || !srv) {
      skipRest('server not running');
      return run;
    }

    // 2. The start-up flagger run: its wall time, and the main thread's longest stall during it, from outside and
    //    from the server's own event-loop figures, both from the moment the server answers.
    ok = await step('settle (flagger)', ['flaggerMs', 'stallProbe', 'stallLoop', 'rss', 'heap', 'storeMb'], async () => {
      const s = alive(srv);
      const probe = startProbe(s.baseUrl);
      let scrapedAt = 0;
      try {
        await scrape(s, metricsKey); // the event-loop figures are over the time since the previous scrape
        scrapedAt = Date.now();
        await s.waitForLine(FLAGGER_DONE, budgetMs(size, 0.01, 600), FLAGGER_FAILED);
      } finally {
        const p = await probe.stop();
        const flagger = s.line(FLAGGER_DONE);
        if (flagger) {
          const ms = Number(flagger.fields.ms);
          const startedAt = flagger.atMs - ms;
          const covered = Math.max(0, flagger.atMs - Math.max(startedAt, p.startedAt));
          set(run, 'flaggerMs', ms, `${num(ms)} (read ${num(Number(flagger.fields.readMs))}, ${num(Number(flagger.fields.events))} events, ${String(flagger.fields.days)} days, ${String(flagger.fields.found)} found)`);
          if (covered > 0) {
            const top = longest(p.samples, Math.max(startedAt, p.startedAt), flagger.atMs);
            set(run, 'stallProbe', top.ms, `${num(top.ms)} (sent ${num(top.atMs - startedAt)} ms into the run; the probe saw ${num(covered)} of its ${num(ms)} ms, ${top.n} probes)`);
          } else run.cells.set('stallProbe', { failed: `the run ended before the server answered (it started ${num(p.startedAt - startedAt)} ms earlier)`, load: load() });
          if (scrapedAt > 0 && scrapedAt < flagger.atMs) {
            const lag = metric(await scrape(s, metricsKey), 'nodejs_eventloop_lag_max_seconds') * 1000;
            // The same window for the probe: answers sent after the first scrape (a stall the scrape itself waited
            // behind ended before the event-loop figures were reset, and is not in them).
            const same = longest(p.samples, scrapedAt, flagger.atMs, true);
            set(run, 'stallLoop', lag, `${num(lag)} (the run's last ${num(flagger.atMs - scrapedAt)} ms, from the first scrape; the probe's longest sent then: ${num(same.ms)})`);
          } else if (scrapedAt > 0) run.cells.set('stallLoop', { failed: 'the run ended before the first /metrics scrape', load: load() });
        }
      }
      const settled = await settle(s, size, metricsKey);
      set(run, 'rss', settled.rssMb, `${num(settled.rssMb)} (${num(settled.peakMb)})`);
      set(run, 'heap', settled.heapMb, num(settled.heapMb));
      if (store) {
        const mb = (await store.bytes()) / 1e6;
        set(run, 'storeMb', mb, num(mb));
      }
    });
    if (!ok) {
      skipRest('server not running');
      return run;
    }

    // 4. Queries, as the client asks them, signed in as the first admin (made with the setup code the server printed).
    let teamId = '';
    ok = await step('queries', ['trendAgent', 'trendTeam', 'trendCentre', 'segments', 'segmentsFiltered', 'contactsDay'], async () => {
      const s = alive(srv);
      admin = await setUpFirstAdmin(s, PASSWORD);
      const a = admin;
      directory = (await getJson<{ directory: Directory }>(s, '/api/v1/directory', a)).directory;
      const agent = directory.agents[0] as Directory['agents'][number];
      teamId = agent.teamId;
      const siteId = directory.teams.find((t) => t.id === teamId)?.siteId;
      const teams = directory.teams.filter((t) => t.siteId === siteId).slice(0, 2).map((t) => t.id);
      // Today in the centre's zone, as the dashboard has it from its live window.
      const today = await getJson<{ from: string; to: string }>(s, '/api/v1/kpis?scope=centre', a);
      const trendTo = new Date(today.to);
      const trendFrom = new Date(trendTo.getTime() - TREND_DAYS * DAY);
      const trend = (scope: string) => `/api/v1/trends?kpi=csat&scope=${encodeURIComponent(scope)}&from=${trendFrom.toISOString()}&to=${trendTo.toISOString()}&granularity=day`;
      setTimed(run, 'trendAgent', await timed(s, a, trend(`agent:${agent.id}`)));
      setTimed(run, 'trendTeam', await timed(s, a, trend(`team:${teamId}`)));
      setTimed(run, 'trendCentre', await timed(s, a, trend('centre')));
      // Explore: whole local days up to today's midnight, by team.
      const segTo = new Date(today.from);
      const segFrom = new Date(segTo.getTime() - TREND_DAYS * DAY);
      const seg = new URLSearchParams({ scope: 'centre', from: segFrom.toISOString(), to: segTo.toISOString(), kpi: 'csat', by: 'team' });
      setTimed(run, 'segments', await timed(s, a, `/api/v1/segments?${seg.toString()}`));
      for (const t of teams) seg.append('teams', t);
      seg.append('channels', 'voice');
      for (let d = 1; d <= 5; d++) seg.append('weekdays', String(d));
      for (let h = 9; h < 17; h++) seg.append('hours', String(h));
      setTimed(run, 'segmentsFiltered', await timed(s, a, `/api/v1/segments?${seg.toString()}`));
      // The contacts behind a point of the team's trend: the busiest of its last seven closed days.
      // (With only a day or two of history the last week's closed days may all be a weekend without responses: the
      // busiest of them is still a day of the team's contacts to list.)
      const points = (await getJson<TrendReply>(s, trend(`team:${teamId}`), a)).points.filter((p) => Date.parse(p.end) <= Date.parse(today.from)).slice(-7);
      const day = [...points].sort((x, y) => y.n - x.n)[0];
      if (!day) throw new Error(`the trend of team ${teamId} has no closed day`);
      setTimed(run, 'contactsDay', await timed(s, a, `/api/v1/contacts?scope=${encodeURIComponent(`team:${teamId}`)}&from=${encodeURIComponent(day.start)}&to=${encodeURIComponent(day.end)}&kpi=csat&limit=500`));
      console.log(`      (agent ${agent.id}, team ${teamId}, day ${day.start.slice(0, 10)} with ${day.n} responses; segment filter teams ${teams.join(', ')})`);
    });
    if (!ok) {
      skipRest('server not running');
      return run;
    }

    // 5. Restart on the same data.
    ok = await step('restart', ['stopMs', 'restartListen', 'restartKpi', 'restartFlaggerMs', 'restartRss', 'restartHeap'], async () => {
      const t0 = Date.now();
      await alive(srv).kill('SIGTERM');
      set(run, 'stopMs', Date.now() - t0, num(Date.now() - t0));
      srv = await startServer(baseEnv(), budgetMs(size, 0.01, 600));
      if (srv.line('first start: backfilling')) throw new Error('the restart backfilled again: the store looked empty');
      const listening = await srv.waitForLine('listening', 10_000);
      const kpi = await srv.waitForLine('KPI engine loaded', 10_000);
      set(run, 'restartListen', (listening.atMs - srv.spawnedAt) / 1000, ((listening.atMs - srv.spawnedAt) / 1000).toFixed(1));
      set(run, 'restartKpi', (kpi.atMs - srv.spawnedAt) / 1000, `${((kpi.atMs - srv.spawnedAt) / 1000).toFixed(1)} (${num(Number(kpi.fields.ms))} ms, ${num(Number(kpi.fields.hotEvents))} hot events)`);
      const settled = await settle(srv, size, metricsKey);
      set(run, 'restartFlaggerMs', Number(settled.flagger.fields.ms), num(Number(settled.flagger.fields.ms)));
      set(run, 'restartRss', settled.rssMb, `${num(settled.rssMb)} (${num(settled.peakMb)})`);
      set(run, 'restartHeap', settled.heapMb, num(settled.heapMb));
    });
    if (!ok) {
      skipRest('server not running');
      return run;
    }

    // 6. Chromium: first loads, cold cache, signed in by cookie.
    ok = await step('Chromium', ['dashboard', 'agentsTable', 'agentsRows'], async () => {
      const s = alive(srv);
      browserRef.browser ??= await launchBrowser();
      const open = async (cookie: string, p: string) => {
        const context = await (browserRef.browser as Browser).newContext({ viewport: { width: 1440, height: 900 } });
        const [name, ...value] = cookie.split('=');
        await context.addCookies([{ name: name as string, value: value.join('='), url: s.baseUrl }]);
        const page = await context.newPage();
        await page.goto(`${s.baseUrl}${p}`, { waitUntil: 'commit' });
        return { page, close: () => context.close() };
      };
      const dash = await open(signedIn().cookie, '/');
      try {
        const live = await dash.page.waitForFunction(
          () => (document.querySelector('[data-testid=kpi-connection]')?.textContent ?? '').includes('● Live') && document.querySelectorAll('[data-testid^=value-]').length > 0 && performance.now(),
          null,
          { timeout: 180_000, polling: 25 },
        );
        const liveMs = (await live.jsonValue()) as number;
        try {
          const figures = await dash.page.waitForFunction(() => [...document.querySelectorAll('[data-testid^=value-]')].some((e) => /\d/.test(e.textContent ?? '')) && performance.now(), null, { timeout: 10_000, polling: 25 });
          const ms = (await figures.jsonValue()) as number;
          set(run, 'dashboard', ms, num(ms));
        } catch {
          set(run, 'dashboard', liveMs, `${num(liveMs)} (live, but no figure today: no contacts yet)`);
        }
      } finally {
        await dash.close();
      }
      // A manager of the largest site: the QA page's coverage table lists every agent of the site.
      const dir = directory ?? (await getJson<{ directory: Directory }>(s, '/api/v1/directory', signedIn())).directory;
      const siteOf = new Map(dir.teams.map((t) => [t.id, t.siteId]));
      const largest = dir.sites.map((x) => ({ id: x.id, n: dir.agents.filter((g) => siteOf.get(g.teamId) === x.id).length })).sort((x, y) => y.n - x.n)[0];
      const made = await call(s, 'POST', '/api/v1/users', signedIn(), { username: 'maya', displayName: 'Maya Site Manager', role: 'manager', siteId: largest?.id ?? null, password: MANAGER_PASSWORD });
      if (made.status !== 201) throw new Error(`creating the site manager: ${made.status} ${(await made.text()).slice(0, 300)}`);
      const manager = await signIn(s, 'maya', MANAGER_PASSWORD);
      const qa = await open(manager.cookie, '/qa');
      try {
        const first = await qa.page.waitForFunction(() => document.querySelectorAll('[data-testid=qa-coverage] tbody tr').length > 0 && performance.now(), null, { timeout: 300_000, polling: 25 });
        const ms = (await first.jsonValue()) as number;
        await sleep(1_000);
        const rows = await qa.page.locator('[data-testid=qa-coverage] tbody tr').count();
        set(run, 'agentsTable', ms, num(ms));
        set(run, 'agentsRows', rows, num(rows));
      } finally {
        await qa.close();
      }
    });
    if (!ok) {
      skipRest('server not running');
      return run;
    }

    // 7. Live deltas: a third start on the same data, simulator off.
    await step('live deltas', ['liveP99', 'liveCpu'], async () => {
      await alive(srv).kill('SIGTERM');
      srv = await startServer({ ...baseEnv(), SIMULATOR: 'off' }, budgetMs(size, 0.01, 600));
      await settle(srv, size, metricsKey);
      const r = await liveDeltas(srv, liveKey, directory ?? (await getJson<{ directory: Directory }>(srv, '/api/v1/directory', signedIn())).directory);
      set(run, 'liveP99', r.p99, `${num(r.p99)} (${num(r.p50)} / ${num(r.p95)}; max ${num(r.max)}, ${num(r.samples)} deliveries, ${r.eventsPerSecond.toFixed(0)} ev/s, ${r.missed} of ${CLIENTS} clients off at the end)`);
      set(run, 'liveCpu', r.cpu, `${r.cpu.toFixed(2)} (bench process ${r.benchCpu.toFixed(2)})`);
    });
    return run;
  } finally {
    if (srv) await srv.kill('SIGTERM');
    await store?.drop().catch((err: unknown) => console.log(`    dropping the schema failed: ${errText(err)}`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 7. Live deltas, as bench/scale measures them, from each client's own figures. The counts start from what today
// already holds (the snapshot), and nothing else is ingested meanwhile (simulator off).

interface LiveResult {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  missed: number;
  eventsPerSecond: number;
  cpu: number;
  benchCpu: number;
}

async function liveDeltas(srv: Server, key: string, directory: Directory): Promise<LiveResult> {
  const queues = directory.queues;
  const scopes = ['centre', ...queues.map((q) => `queue:${q.id}`)];
  const scopeOf = (j: number) => (j % 3 === 0 ? 'centre' : `queue:${(queues[j % queues.length] as { id: string }).id}`);
  const sentAt: number[] = [];
  const cum = new Map<string, number[]>(scopes.map((s) => [s, []]));
  const runningCount = new Map<string, number>(scopes.map((s) => [s, 0]));
  const latencies: number[] = [];
  const clients: { c: LiveClient; base: () => number | undefined }[] = [];
  try {
    for (let j = 0; j < CLIENTS; j += 100) {
      const chunk = Array.from({ length: Math.min(100, CLIENTS - j) }, (_, k) => {
        const scope = scopeOf(j + k);
        const c = new LiveClient(srv.baseUrl, key, scope, 'today');
        const thresholds = cum.get(scope) as number[];
        let base: number | undefined;
        let next = 0;
        c.onUpdate.push((kpis, at) => {
          const n = kpis.complaintsPer1000.n;
          if (base === undefined) {
            base = n;
            return;
          }
          while (next < thresholds.length && n - base >= (thresholds[next] as number)) {
            const before = next === 0 ? 0 : (thresholds[next - 1] as number);
            if ((thresholds[next] as number) > before) latencies.push(at - (sentAt[next] as number));
            next++;
          }
        });
        clients.push({ c, base: () => base });
        return c.ready(120_000);
      });
      await Promise.all(chunk);
      alive(srv);
    }
    const cpu0 = cpuSeconds(srv.pid);
    const bench0 = process.cpuUsage();
    const t0 = Date.now();
    let sent = 0;
    for (let i = 0; Date.now() - t0 < SECONDS * 1000; i++) {
      const due = t0 + i * BATCH_MS;
      if (due > Date.now()) await sleep(due - Date.now());
      const batch: FrontlineEvent[] = contacts(directory, CONTACTS_PER_BATCH);
      for (const e of batch) {
        if (e.type !== 'contact.offered') continue;
        runningCount.set('centre', (runningCount.get('centre') ?? 0) + 1);
        runningCount.set(`queue:${e.queueId}`, (runningCount.get(`queue:${e.queueId}`) ?? 0) + 1);
      }
      sentAt.push(Date.now());
      for (const s of scopes) (cum.get(s) as number[]).push(runningCount.get(s) ?? 0);
      const r = await post(alive(srv), key, batch);
      if (r.status !== 200) throw new Error(`ingest answered ${r.status}`);
      sent += batch.length;
    }
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = (cpuSeconds(srv.pid) - cpu0) / elapsed;
    const b = process.cpuUsage(bench0);
    await sleep(3_000);
    let missed = 0;
    for (const { c, base } of clients) {
      const want = (cum.get(c.scope) as number[]).at(-1) ?? 0;
      if ((c.kpis?.complaintsPer1000.n ?? -1) - (base() ?? 0) !== want) missed++;
    }
    if (latencies.length === 0) throw new Error(`no delivery measured (${missed} of ${CLIENTS} clients off at the end)`);
    return {
      samples: latencies.length,
      p50: pct(latencies, 0.5),
      p95: pct(latencies, 0.95),
      p99: pct(latencies, 0.99),
      max: Math.max(...latencies),
      missed,
      eventsPerSecond: sent / elapsed,
      cpu,
      benchCpu: (b.user + b.system) / 1e6 / elapsed,
    };
  } finally {
    for (const { c } of clients) c.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Output: the table, the growth exponents, the plot.

function cellText(c: Cell | undefined): string {
  if (!c) return '–';
  if ('skipped' in c) return `skipped (${c.skipped})`;
  if ('failed' in c) return `**FAILED**: ${c.failed.split('\n')[0]?.slice(0, 160) ?? ''} (load ${c.load.toFixed(1)})`;
  return `${c.text} (load ${c.load.toFixed(1)})`;
}

const valueOf = (c: Cell | undefined): number | undefined => (c && 'value' in c && Number.isFinite(c.value) && c.value > 0 ? c.value : undefined);

function table(runs: Run[]): string {
  const head = `| figure | unit | ${runs.map((r) => `${num(r.size.agents)} agents, ${r.dialect}`).join(' | ')} |`;
  const rule = `|---|---|${runs.map(() => '---|').join('')}`;
  const rows = FIGURES.map((f) => `| ${f.label} | ${f.unit} | ${runs.map((r) => cellText(r.cells.get(f.key)).replace(/\|/g, '\\|')).join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}

interface Exponent {
  dialect: Dialect;
  from: number;
  to: number;
  byKey: Map<FigureKey, number>;
}

function exponents(runs: Run[]): Exponent[] {
  const out: Exponent[] = [];
  for (const dialect of DIALECTS) {
    const mine = runs.filter((r) => r.dialect === dialect).sort((a, b) => a.size.agents - b.size.agents);
    for (let i = 1; i < mine.length; i++) {
      const a = mine[i - 1] as Run;
      const b = mine[i] as Run;
      const byKey = new Map<FigureKey, number>();
      for (const f of FIGURES) {
        const v1 = valueOf(a.cells.get(f.key));
        const v2 = valueOf(b.cells.get(f.key));
        if (v1 !== undefined && v2 !== undefined) byKey.set(f.key, Math.log(v2 / v1) / Math.log(b.size.agents / a.size.agents));
      }
      out.push({ dialect, from: a.size.agents, to: b.size.agents, byKey });
    }
  }
  return out;
}

function exponentTable(ex: Exponent[]): string {
  if (ex.length === 0) return '(one size per store: no growth exponent)';
  const head = `| figure | ${ex.map((e) => `${e.dialect} ${num(e.from)} → ${num(e.to)}`).join(' | ')} |`;
  const rule = `|---|${ex.map(() => '---|').join('')}`;
  const rows = FIGURES.map((f) => `| ${f.label} | ${ex.map((e) => (e.byKey.has(f.key) ? (Math.abs(e.byKey.get(f.key) as number) < 0.005 ? '0.00' : (e.byKey.get(f.key) as number).toFixed(2)) : '–')).join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}

const PALETTE = ['#1f5fbf', '#d1495b', '#2a9d8f', '#e9a23b', '#6a4c93', '#3d3d3d', '#8ab17d', '#c05299', '#00798c', '#9c6644'];
const DASHES = ['', '7 4', '2 3'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A log-log plot per store: each figure over agents, divided by its value at the smallest size it has one for, so
 * every line starts at ×1 and its slope is the growth exponent. Each line carries its figure's number at its end.
 */
function plotSvg(runs: Run[], title: string): { svg: string; width: number; height: number } {
  const panels = Math.max(1, DIALECTS.length);
  const width = Math.max(1280, panels * 640);
  const panelW = width / panels;
  const panelH = 520;
  const m = { l: 70, r: 24, t: 40, b: 52 };
  const plotted = FIGURES.filter((f) => runs.some((r) => valueOf(r.cells.get(f.key)) !== undefined));
  const columns = 3;
  const legendRows = Math.ceil(plotted.length / columns);
  const top = 56;
  const height = top + panelH + 16 + legendRows * 20 + 16;
  const agents = [...new Set(runs.map((r) => r.size.agents))].sort((a, b) => a - b);
  const n0 = agents[0] ?? 1;
  const nEnd = agents.at(-1) ?? n0;
  const xMin = Math.log10(n0) - 0.15 - (agents.length === 1 ? 0.5 : 0);
  const xMax = Math.log10(nEnd) + 0.15 + (agents.length === 1 ? 0.5 : 0);
  const series = DIALECTS.map((dialect) =>
    plotted.map((f, k) => {
      const pts = runs
        .filter((r) => r.dialect === dialect)
        .sort((a, b) => a.size.agents - b.size.agents)
        .map((r) => ({ n: r.size.agents, v: valueOf(r.cells.get(f.key)) }))
        .filter((p): p is { n: number; v: number } => p.v !== undefined);
      const base = pts[0]?.v ?? 1;
      return { k, pts: pts.map((p) => ({ n: p.n, y: p.v / base })) };
    }),
  );
  const ys = series.flat().flatMap((x) => x.pts.map((p) => p.y));
  const yLo = Math.floor(Math.log10(Math.min(1, ...ys)) - 0.05);
  const yHi = Math.ceil(Math.log10(Math.max(10, nEnd / n0, ...ys)) + 0.05);
  const style = (k: number) => ({ colour: PALETTE[k % PALETTE.length] as string, dash: DASHES[Math.floor(k / PALETTE.length) % DASHES.length] as string });
  const parts: string[] = [`<text x="${width / 2}" y="28" text-anchor="middle" font-size="17" font-weight="600">${esc(title)}</text>`];
  DIALECTS.forEach((dialect, d) => {
    const ox = d * panelW;
    const pw = panelW - m.l - m.r;
    const ph = panelH - m.t - m.b;
    const X = (n: number) => ox + m.l + ((Math.log10(n) - xMin) / (xMax - xMin)) * pw;
    const Y = (y: number) => top + m.t + ph - ((Math.log10(y) - yLo) / (yHi - yLo)) * ph;
    parts.push(`<text x="${ox + m.l + pw / 2}" y="${top + 24}" text-anchor="middle" font-size="15" font-weight="600">${esc(dialect)}</text>`);
    parts.push(`<rect x="${ox + m.l}" y="${top + m.t}" width="${pw}" height="${ph}" fill="#fff" stroke="#888"/>`);
    for (let e = yLo; e <= yHi; e++) {
      const y = Y(10 ** e);
      parts.push(`<line x1="${ox + m.l}" x2="${ox + m.l + pw}" y1="${y}" y2="${y}" stroke="#e3e6ec"/>`);
      parts.push(`<text x="${ox + m.l - 6}" y="${y + 4}" text-anchor="end" font-size="12">×${e >= 0 ? num(10 ** e) : String(10 ** e)}</text>`);
    }
    for (const n of agents) {
      const x = X(n);
      parts.push(`<line x1="${x}" x2="${x}" y1="${top + m.t}" y2="${top + m.t + ph}" stroke="#e3e6ec"/>`);
      parts.push(`<text x="${x}" y="${top + m.t + ph + 18}" text-anchor="middle" font-size="12">${num(n)}</text>`);
    }
    parts.push(`<text x="${ox + m.l + pw / 2}" y="${top + m.t + ph + 40}" text-anchor="middle" font-size="13">agents (log scale)</text>`);
    parts.push(`<text transform="translate(${ox + 18} ${top + m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">figure ÷ figure at ${num(n0)} agents (log scale)</text>`);
    if (agents.length === 1) parts.push(`<text x="${ox + m.l + pw / 2}" y="${top + m.t + 28}" text-anchor="middle" font-size="13" fill="#666">one size only: nothing to compare yet</text>`);
    if (agents.length > 1) {
      // Linear in agents, for reference.
      parts.push(`<line x1="${X(n0)}" y1="${Y(1)}" x2="${X(nEnd)}" y2="${Y(nEnd / n0)}" stroke="#888" stroke-width="1.5" stroke-dasharray="3 5"/>`);
      const at = 10 ** (Math.log10(n0) + 0.25 * Math.log10(nEnd / n0));
      parts.push(`<text x="${X(at)}" y="${Y(at / n0) - 8}" text-anchor="middle" font-size="11" fill="#666" transform="rotate(${((Math.atan2(Y(nEnd / n0) - Y(1), X(nEnd) - X(n0)) * 180) / Math.PI).toFixed(1)} ${X(at)} ${Y(at / n0) - 8})">linear in agents (slope 1)</text>`);
    }
    const ends: { y: number; yAt: number; x: number; k: number; colour: string }[] = [];
    for (const line of series[d] ?? []) {
      const { colour, dash } = style(line.k);
      if (line.pts.length > 1) parts.push(`<polyline points="${line.pts.map((p) => `${X(p.n).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
      for (const p of line.pts) parts.push(`<circle cx="${X(p.n).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="3" fill="${colour}"/>`);
      const last = line.pts.at(-1);
      if (last && line.pts.length > 1) ends.push({ y: Y(last.y), yAt: Y(last.y), x: X(last.n), k: line.k, colour });
    }
    // The numbers at the lines' ends, pushed apart so none overlaps, each joined to its point by a thin line.
    ends.sort((a, b) => a.yAt - b.yAt);
    for (let i = 1; i < ends.length; i++) (ends[i] as (typeof ends)[number]).y = Math.max((ends[i] as (typeof ends)[number]).y, (ends[i - 1] as (typeof ends)[number]).y + 12);
    const bottom = top + m.t + ph;
    if ((ends.at(-1)?.y ?? 0) > bottom) {
      for (let i = ends.length - 1; i >= 0; i--) (ends[i] as (typeof ends)[number]).y = Math.min((ends[i] as (typeof ends)[number]).y, i === ends.length - 1 ? bottom : (ends[i + 1] as (typeof ends)[number]).y - 12);
    }
    for (const e of ends) {
      parts.push(`<line x1="${e.x + 3}" y1="${e.yAt}" x2="${e.x + 14}" y2="${e.y}" stroke="${e.colour}" stroke-width="0.8"/>`);
      parts.push(`<text x="${e.x + 16}" y="${e.y + 4}" font-size="11" font-weight="600" fill="${e.colour}">${e.k + 1}</text>`);
    }
  });
  const ly = top + panelH + 16;
  plotted.forEach((f, k) => {
    const { colour, dash } = style(k);
    const x = 24 + (k % columns) * ((width - 24) / columns);
    const y = ly + Math.floor(k / columns) * 20;
    parts.push(`<line x1="${x}" x2="${x + 30}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    parts.push(`<text x="${x + 36}" y="${y + 4}" font-size="12"><tspan font-weight="600" fill="${colour}">${k + 1}</tspan> ${esc(`${f.short} (${f.unit})`)}</text>`);
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif"><rect width="${width}" height="${height}" fill="#fafbfc"/>${parts.join('')}</svg>`;
  return { svg, width, height };
}

async function renderPng(browser: Browser, svg: { svg: string; width: number; height: number }, file: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: svg.width, height: svg.height } });
  try {
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg.svg}</body></html>`);
    await page.locator('svg').first().screenshot({ path: file });
  } finally {
    await page.close();
  }
}

/** The client the server serves: built into dist/client (as `npm start` would) when missing or older than its sources. */
function ensureClientBuilt(): void {
  const index = path.join(ROOT, 'dist', 'client', 'index.html');
  const newest = (p: string): number => {
    const st = fs.statSync(p);
    if (!st.isDirectory()) return st.mtimeMs;
    return Math.max(0, ...fs.readdirSync(p).map((e) => newest(path.join(p, e))));
  };
  const sources = Math.max(...['client', 'shared', 'vite.config.ts'].map((s) => newest(path.join(ROOT, s))));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return;
  console.log('building the client into dist/client (missing or older than its sources)');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = load();
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${num(os.totalmem() / 2 ** 30, 1)} GiB, node ${process.version}`;
  console.log(`bench/scale-centre on ${machine}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`sizes ${SIZES.join(', ')}; stores ${DIALECTS.join(', ')}; ${DAYS} days of history; queries ${REPEAT}x; live: ${CLIENTS} sockets, ${RATE} ev/s for ${SECONDS} s`);
  ensureClientBuilt();
  const browserRef: { browser?: Browser } = {};
  const runs: Run[] = [];
  try {
    for (const agents of SIZES) {
      let size: Size;
      try {
        size = sizeOf(agents);
      } catch (err) {
        console.log(`\n${agents} agents: FAILED to build the centre: ${errText(err)}`);
        continue;
      }
      console.log(`\n${size.describe}`);
      let sim: { events: number; seconds: number } | undefined;
      try {
        sim = simulatorAlone(size);
      } catch (err) {
        console.log(`  the simulator alone: FAILED: ${errText(err)}`);
      }
      for (const dialect of DIALECTS) {
        try {
          runs.push(await runOne(size, dialect, sim, browserRef));
        } catch (err) {
          // runOne records its own failures; this is a failure of the bench itself: say so and go on.
          console.log(`  ${size.agents} agents, ${dialect}: the bench failed: ${errText(err)}`);
          const run: Run = { size, dialect, cells: new Map() };
          for (const f of FIGURES) run.cells.set(f.key, { failed: `bench: ${errText(err)}`, load: load() });
          runs.push(run);
        }
      }
    }

    const md = table(runs);
    const ex = exponents(runs);
    const exMd = exponentTable(ex);
    console.log(`\n${md}\n\ngrowth exponent between consecutive sizes, log(f2/f1) / log(n2/n1) (1 = linear in agents; p95 for p50 / p95 figures):\n\n${exMd}`);

    fs.mkdirSync(RESULTS, { recursive: true });
    const stamp = `${started.toISOString().slice(0, 16).replace(':', '-')}-sizes-${SIZES.join('-')}-${DIALECTS.join('-')}-${DAYS}d`;
    const pngName = `${stamp}.png`;
    let plotNote = `![log-log plot](${pngName})`;
    try {
      browserRef.browser ??= await launchBrowser();
      await renderPng(browserRef.browser, plotSvg(runs, `Frontline at scale: each figure against agents, normalised to ${num(Math.min(...runs.map((r) => r.size.agents)))} agents (${DAYS} days of history)`), path.join(RESULTS, pngName));
    } catch (err) {
      plotNote = `(the plot could not be rendered: ${errText(err)})`;
    }
    // Each failure once, with the figures it cost.
    const failures = runs.flatMap((r) => {
      const byReason = new Map<string, string[]>();
      for (const f of FIGURES) {
        const c = r.cells.get(f.key);
        if (c && 'failed' in c) byReason.set(c.failed, [...(byReason.get(c.failed) ?? []), f.label]);
      }
      return [...byReason].map(([reason, labels]) => `- ${num(r.size.agents)} agents, ${r.dialect}: ${labels.join('; ')}:\n\n  \`\`\`\n  ${reason.replace(/\n/g, '\n  ')}\n  \`\`\``);
    });
    const doc = [
      `# bench/scale-centre, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `\`${SERVER_NODE_OPTIONS ? `SERVER_NODE_OPTIONS='${SERVER_NODE_OPTIONS}' ` : ''}SIZES=${SIZES.join(',')} DIALECTS=${DIALECTS.join(',')} DAYS=${DAYS} REPEAT=${REPEAT} CLIENTS=${CLIENTS} RATE=${RATE} SECONDS=${SECONDS} npm run bench:scale-centre\` on ${machine}; load average at the start ${loadAtStart.toFixed(2)} (every figure carries the 1-minute load average when it was taken).`,
      '',
      'Centres:',
      '',
      ...[...new Map(runs.map((r) => [r.size.agents, r.size.describe])).values()].map((d) => `- ${d}`),
      '',
      `Backfill events/s include the simulator's own time (the simulator alone is the first row; the ingest-alone row takes its time out). Stalls: the probe and /metrics both start when the server first answers; the start-up flagger run begins a little before that, inside the server's start (each cell says how much of the run was seen). Live deltas run on a third start of the same data with the simulator off. Query cells: p50 / p95 over ${REPEAT} calls after one warm-up call (its time in brackets).`,
      '',
      md,
      '',
      '## Growth exponent between consecutive sizes',
      '',
      'log(f2/f1) / log(n2/n1), n in agents: 1 is linear in agents, 0 flat, 2 quadratic. For p50 / p95 figures, the p95.',
      '',
      exMd,
      '',
      '## Plot',
      '',
      plotNote,
      '',
      ...(failures.length ? ['## Failures in full', '', ...failures, ''] : []),
    ].join('\n');
    const mdFile = path.join(RESULTS, `${stamp}.md`);
    fs.writeFileSync(mdFile, doc);
    console.log(`\nwritten: ${path.relative(ROOT, mdFile)}${plotNote.startsWith('!') ? ` and ${path.relative(ROOT, path.join(RESULTS, pngName))}` : ''}`);
  } finally {
    await browserRef.browser?.close();
  }
}

// Never leave a server behind: on an interrupt, kill the ones this process started (by their own handles).
process.on('SIGINT', () => {
  for (const s of running) s.proc.kill('SIGKILL');
  process.exit(130);
});
process.on('exit', () => {
  for (const s of running) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
});

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
