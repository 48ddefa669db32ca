/**
 * bench/soak: a paired wall screen in headless Chromium, showing a rotation of two boards with every kind of tile,
 * while the built-in simulator runs the centre at 50 times real speed for the equivalent of 24 hours (about 29
 * minutes). Samples the page's JS heap (after a forced GC) and DOM node count every minute and prints them, then the
 * growth after warm-up and the trend (least-squares slope, projected over the run). Target: after warm-up, growth
 * under 10% and no steady upward trend.
 *
 *   npm run bench:soak                    (SOAK_SIM_HOURS=24 SOAK_SPEED=50 to change; SOAK_SAMPLE_S=60)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { BoardBody } from '../../shared/boards.js';
import { launchBrowser } from '../../test/support/browser.js';
import { ROOT, startChildServer } from '../../test/support/child-server.js';
import { cookieFrom } from '../../test/support/people.js';

const SPEED = Number(process.env.SOAK_SPEED ?? 50);
const SIM_HOURS = Number(process.env.SOAK_SIM_HOURS ?? 24);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 60);
const WARMUP_SHARE = 0.2;
const PASSWORD = 'amber kettles whistle at dawn';

async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-soak-'));
  // Start in the morning of a weekday so the simulated day is a full working day.
  const start = new Date();
  start.setUTCHours(7, 0, 0, 0);
  const server = await startChildServer({ DATA_DIR: dataDir, SIM_SPEED: String(SPEED), SIM_CLOCK_START: start.toISOString(), LOG_LEVEL: 'warn' }, 120_000);
  let code: string | undefined;
  for (let i = 0; i < 200 && !code; i++) {
    code = /setup code\s+([A-Z2-9]{6}-[A-Z2-9]{6})/.exec(server.output())?.[1];
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  const setup = await fetch(`${server.baseUrl}/api/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ setupCode: code, username: 'ada', displayName: 'Ada', password: PASSWORD }) });
  const cookie = cookieFrom(setup, 'fl_session');
  const me = (await (await fetch(`${server.baseUrl}/api/v1/session`, { headers: { cookie } })).json()) as { principal: { csrfToken: string } };
  const api = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${server.baseUrl}${p}`, { method, headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': me.principal.csrfToken }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<Record<string, unknown>>;
  };
  const dir = (await api('GET', '/api/v1/directory')) as { directory?: { teams: { id: string }[] }; teams?: { id: string }[] };
  const team = (dir.directory?.teams ?? dir.teams ?? [])[0]?.id ?? 'unassigned';
  const today = new Date().toISOString().slice(0, 10);
  await api('POST', '/api/v1/targets', { kpi: 'csat', scope: 'centre', threshold: 0.85, direction: 'up', tolerance: 0.03, effectiveFrom: '2026-01-01', effectiveTo: null, reviewDate: today, owner: 'Ada', objective: 'Happy customers' });
  await api('POST', '/api/v1/targets', { kpi: 'serviceLevel', scope: 'centre', threshold: 0.8, direction: 'up', tolerance: 0.05, effectiveFrom: '2026-01-01', effectiveTo: null, reviewDate: today, owner: 'Ada', objective: 'Answer quickly' });
  const boardA: BoardBody = {
    name: 'Centre now',
    staleAfterSeconds: 30,
    tiles: [
      { id: 'csat', kind: 'kpi', scope: 'centre', window: 'today', kpi: 'csat', w: 3, h: 2 },
      { id: 'sl', kind: 'kpi', scope: 'centre', window: 'rolling60', kpi: 'serviceLevel', w: 3, h: 2 },
      { id: 'queue', kind: 'queue', scope: 'centre', window: 'today', w: 3, h: 2 },
      { id: 'alerts', kind: 'alerts', scope: 'centre', window: 'today', w: 3, h: 2 },
      { id: 'trend', kind: 'trend', scope: 'centre', window: 'today', kpi: 'csat', range: 'today', w: 6, h: 2 },
      { id: 'agents', kind: 'agents', scope: `team:${team}`, window: 'today', kpi: 'csat', w: 6, h: 2 },
      { id: 'comments', kind: 'comments', scope: 'centre', window: 'today', w: 8, h: 2 },
      { id: 'coaching', kind: 'coaching', scope: 'centre', window: 'today', w: 4, h: 2 },
    ],
  };
  const boardB: BoardBody = {
    name: `Team ${team}`,
    staleAfterSeconds: 30,
    tiles: [
      { id: 'aht', kind: 'kpi', scope: `team:${team}`, window: 'today', kpi: 'aht', w: 4, h: 3 },
      { id: 'fcr', kind: 'kpi', scope: `team:${team}`, window: 'today', kpi: 'fcrSurvey', w: 4, h: 3 },
      { id: 'alerts', kind: 'alerts', scope: `team:${team}`, window: 'interval', w: 4, h: 3 },
      { id: 'trend', kind: 'trend', scope: `team:${team}`, window: 'today', kpi: 'aht', range: '7d', w: 12, h: 3 },
    ],
  };
  const a = (await api('POST', '/api/v1/boards', boardA)) as { board: { id: string } };
  const b = (await api('POST', '/api/v1/boards', boardB)) as { board: { id: string } };
  const rotation = (await api('POST', '/api/v1/rotations', { name: 'Floor', items: [{ boardId: a.board.id, dwellSeconds: 45 }, { boardId: b.board.id, dwellSeconds: 15 }] })) as { rotation: { id: string } };

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.baseUrl}/wall`);
  const pairCode = (await page.getByTestId('pairing-code').innerText({ timeout: 15_000 })).trim();
  await new Promise((r) => setTimeout(r, 500));
  const shown = (await page.getByTestId('pairing-code').innerText()).trim() || pairCode;
  const approved = (await api('POST', '/api/v1/displays', { code: shown, name: 'Soak wall', scopes: ['centre'] })) as { display: { id: string } };
  await api('PUT', `/api/v1/displays/${approved.display.id}/shows`, { shows: `rotation:${rotation.rotation.id}`, reloadHour: null });
  await page.getByTestId('wallboard').waitFor({ timeout: 30_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');

  const wallSeconds = (SIM_HOURS * 3600) / SPEED;
  const samples: { t: number; heapMb: number; nodes: number; listeners: number }[] = [];
  console.log(`bench/soak on ${os.cpus().length} cores: wall view (rotation of 2 boards, 12 tiles) with the simulator at ${SPEED}x for ${SIM_HOURS} simulated hours = ${(wallSeconds / 60).toFixed(1)} min; sample every ${SAMPLE_S} s`);
  console.log('wall min   sim h   JS heap MB   DOM nodes   listeners');
  const t0 = Date.now();
  for (;;) {
    const elapsed = (Date.now() - t0) / 1000;
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? 0;
    const s = { t: elapsed, heapMb: m('JSHeapUsedSize') / 1e6, nodes: m('Nodes'), listeners: m('JSEventListeners') };
    samples.push(s);
    console.log(`${(elapsed / 60).toFixed(1).padStart(8)} ${((elapsed * SPEED) / 3600).toFixed(1).padStart(7)} ${s.heapMb.toFixed(2).padStart(12)} ${String(s.nodes).padStart(11)} ${String(s.listeners).padStart(11)}`);
    if (elapsed >= wallSeconds) break;
    await new Promise((r) => setTimeout(r, Math.min(SAMPLE_S * 1000, (wallSeconds - elapsed) * 1000 + 10)));
  }
  const after = samples.filter((s) => s.t >= WARMUP_SHARE * wallSeconds);
  const report = (label: string, pick: (s: (typeof samples)[number]) => number) => {
    const xs = after.map((s) => s.t);
    const ys = after.map(pick);
    const first = ys.slice(0, 3).reduce((x, y) => x + y, 0) / Math.min(3, ys.length);
    const last = ys.slice(-3).reduce((x, y) => x + y, 0) / Math.min(3, ys.length);
    const mx = xs.reduce((x, y) => x + y, 0) / xs.length;
    const my = ys.reduce((x, y) => x + y, 0) / ys.length;
    const slope = xs.reduce((acc, x, i) => acc + (x - mx) * ((ys[i] as number) - my), 0) / Math.max(1e-9, xs.reduce((acc, x) => acc + (x - mx) ** 2, 0));
    const growth = (last - first) / first;
    const projected = (slope * (xs[xs.length - 1] as number - (xs[0] as number))) / my;
    const ok = growth < 0.1 && projected < 0.1;
    console.log(`${label}: after warm-up ${first.toFixed(2)} -> ${last.toFixed(2)} (growth ${(growth * 100).toFixed(1)}%), trend ${(projected * 100).toFixed(1)}% over the run: ${ok ? 'met' : 'NOT MET'} (target < 10%, no steady rise)`);
  };
  report('JS heap MB', (s) => s.heapMb);
  report('DOM nodes', (s) => s.nodes);
  report('listeners', (s) => s.listeners);
  console.log(`page errors: ${errors.length}${errors.length ? ` (${errors.slice(0, 3).join(' | ')})` : ''}`);
  await browser.close();
  await server.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
