/**
 * The team leader's dashboard in Chromium against a real server with no simulator: tiles agree with the KPI API, and
 * an event ingested through the API changes the right tile live.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../shared/events.js';
import type { KpiSet } from '../../shared/kpis.js';
import { expectAccessible, launchBrowser, navTo } from '../support/browser.js';
import { ROOT, startChildServer, type ChildServer } from '../support/child-server.js';
import { cookieFrom, ORG } from '../support/people.js';
import { tempDir } from '../support/stores.js';

let server: ChildServer;
let browser: Browser;
const dataDir = tempDir('frontline-e2e-dash-');
const PASSWORD = 'amber kettles whistle at dawn';
let admin: { cookie: string; csrf: string };
let ingestKey: string;

async function api(method: string, p: string, body?: unknown, auth: Record<string, string> = { cookie: admin.cookie, 'x-csrf-token': admin.csrf }): Promise<Response> {
  return fetch(`${server.baseUrl}${p}`, { method, headers: { 'content-type': 'application/json', ...auth }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  server = await startChildServer({ DATA_DIR: dataDir, SIMULATOR: 'off', LOG_LEVEL: 'warn' }, 60_000);
  let code: string | undefined;
  for (let i = 0; i < 100 && !code; i++) {
    code = /setup code\s+([A-Z2-9]{6}-[A-Z2-9]{6})/.exec(server.output())?.[1];
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  const setup = await fetch(`${server.baseUrl}/api/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ setupCode: code, username: 'ada', displayName: 'Ada', password: PASSWORD }) });
  const cookie = cookieFrom(setup, 'fl_session');
  const me = (await (await fetch(`${server.baseUrl}/api/v1/session`, { headers: { cookie } })).json()) as { principal: { csrfToken: string } };
  admin = { cookie, csrf: me.principal.csrfToken };
  expect((await api('PUT', '/api/v1/directory', ORG)).status).toBe(200);
  ingestKey = ((await (await api('POST', '/api/v1/apikeys', { name: 'feed', scopes: ['ingest'] })).json()) as { key: string }).key;
  expect((await api('POST', '/api/v1/users', { username: 'tom', displayName: 'Tom Lead', role: 'team_leader', teamIds: ['t-billing'], password: 'seven blue herons over leeds' })).status).toBe(201);
  const today = new Date().toISOString().slice(0, 10);
  expect((await api('POST', '/api/v1/targets', { kpi: 'csat', scope: 'team:t-billing', threshold: 0.8, direction: 'up', tolerance: 0.05, effectiveFrom: '2026-01-01', effectiveTo: null, reviewDate: today, owner: 'Tom', objective: 'Happy customers' })).status).toBe(201);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function contact(id: string, agentId: string, csat: number): FrontlineEvent[] {
  const at = new Date(Date.now() - 120_000).toISOString();
  return [
    { id: `${id}-o`, type: 'contact.offered', occurredAt: at, contactId: id, channel: 'voice', queueId: 'voice-billing' },
    { id: `${id}-a`, type: 'contact.answered', occurredAt: at, contactId: id, agentId },
    { id: `${id}-s`, type: 'survey.responded', occurredAt: at, contactId: id, csat },
  ];
}

it('tiles agree with the API, and an ingested event changes the right tile live', async () => {
  const feed = (events: FrontlineEvent[]) => api('POST', '/api/v1/events', events, { authorization: `Bearer ${ingestKey}` });
  await feed([...contact('k1', 'a-ann', 5), ...contact('k2', 'a-bob', 4), ...contact('k3', 'a-ann', 2)]);

  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Hold the REST answer that carries the targets, to see what the tile says while the live figure is already in.
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\/api\/v1\/kpis\?/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(server.baseUrl);
  await page.getByLabel('Username').fill('tom');
  await page.getByLabel('Password').fill('seven blue herons over leeds');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('kpi-connection').getByText('● Live').waitFor({ timeout: 10_000 });
  await expect.poll(() => page.getByTestId('value-csat').innerText(), { timeout: 5_000 }).toBe('66.7%');
  // Never "No target" for a KPI that has one: until the targets are in, the tile says it is checking.
  expect(await page.getByTestId('tile-csat').innerText()).toMatch(/Checking target/);
  expect(await page.getByTestId('tile-csat').innerText()).not.toMatch(/No target/);
  release();

  const tl = await fetch(`${server.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tom', password: 'seven blue herons over leeds' }) });
  const tlCookie = cookieFrom(tl, 'fl_session');
  const fromApi = (await (await fetch(`${server.baseUrl}/api/v1/kpis?scope=team:t-billing`, { headers: { cookie: tlCookie } })).json()) as { kpis: KpiSet };
  expect(fromApi.kpis.csat.value).toBeCloseTo(2 / 3);
  await expect.poll(() => page.getByTestId('value-csat').innerText(), { timeout: 5_000 }).toBe(`${((fromApi.kpis.csat.value as number) * 100).toFixed(1)}%`);
  // The status comes with the REST answer (targets), which may land just after the live figure.
  await expect.poll(() => page.getByTestId('tile-csat').innerText(), { timeout: 5_000 }).toMatch(/Off target/);
  expect(await page.getByTestId('tile-csat').innerText()).toMatch(/n=3/);
  await page.screenshot({ path: path.join(ROOT, 'test-results', 'dashboard-before-1440x900.png') });
  // With a target set, the status colours (off target here, within tolerance below) are read with axe too.
  await expectAccessible(page, 'dashboard off target');

  const t0 = Date.now();
  await feed(contact('k4', 'a-ann', 5));
  await expect.poll(() => page.getByTestId('value-csat').innerText(), { timeout: 5_000 }).toBe('75.0%');
  const ms = Date.now() - t0;
  await expect.poll(() => page.getByTestId('tile-csat').innerText(), { timeout: 5_000 }).toMatch(/Within tolerance/);
  expect(await page.getByTestId('tile-csat').innerText()).toMatch(/n=4/);
  await page.screenshot({ path: path.join(ROOT, 'test-results', 'dashboard-after-1440x900.png') });
  await expectAccessible(page, 'dashboard within tolerance');
  console.log(`dashboard: CSAT tile 66.7% -> 75.0% ${ms} ms after the ingest call`);
  expect(errors).toEqual([]);
}, 60_000);

it('the targets page lists the target with its 90-day attainment; a team leader cannot edit it', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.baseUrl);
  await page.getByLabel('Username').fill('tom');
  await page.getByLabel('Password').fill('seven blue herons over leeds');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await navTo(page, 'Targets');
  await page.getByRole('cell', { name: 'team:t-billing' }).waitFor();
  expect(await page.getByRole('row', { name: /team:t-billing/ }).innerText()).toMatch(/≥ 80\.0%/);
  expect(await page.getByRole('row', { name: /team:t-billing/ }).innerText()).toMatch(/no data|% of \d+ days/);
  expect(await page.getByRole('form', { name: 'New target' }).count()).toBe(0);
  await page.screenshot({ path: path.join(ROOT, 'test-results', 'targets-team-leader-1440x900.png') });
  await expectAccessible(page, 'targets with a target and its attainment');
}, 30_000);
