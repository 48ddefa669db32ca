/**
 * The product as `npm start` runs it (built client, server, live simulator), driven in headless Chromium as its
 * people use it: first-run setup, the live page changing within 10 seconds, adding a team leader, signing in as
 * them, pairing a wall screen with a code and revoking it. The simulated clock is pinned to a weekday morning so
 * the centre is open whenever CI runs. Screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, shot, watchErrors, navTo } from '../support/browser.js';
import { ROOT, startChildServer, type ChildServer } from '../support/child-server.js';
import { tempDir } from '../support/stores.js';

let server: ChildServer;
let browser: Browser;
let admin: BrowserContext;
let adminPage: Page;
const dataDir = tempDir('frontline-e2e-');
const ADMIN_PASSWORD = 'amber kettles whistle at dawn';
const TL_PASSWORD = 'seven blue herons over leeds';
const errors: string[] = [];

const watch = (page: Page): Page => watchErrors(page, errors);

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  // A real centre at 10:30 offers a contact every 15 s or so, so at real speed "a figure changes within 10 s" would
  // fail about one run in four by chance; 5x simulated time makes a quiet 10 s vanishingly rare.
  server = await startChildServer(
    { DATA_DIR: dataDir, SIM_CLOCK_START: '2026-11-18T10:30:00Z', SIM_SPEED: '5', SIM_BACKFILL_DAYS: '2', SIM_SEED: '3', LOG_LEVEL: 'warn' },
    120_000,
  );
  browser = await launchBrowser();
  admin = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  adminPage = watch(await admin.newPage());
});

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('as an admin on first run', () => {
  it('creates the first admin with the setup code the server printed, and lands on the live page', async () => {
    const deadline = Date.now() + 10_000;
    let code: string | undefined;
    while (!code && Date.now() < deadline) {
      code = /setup code\s+([A-Z2-9]{6}-[A-Z2-9]{6})/.exec(server.output())?.[1];
      if (!code) await new Promise((r) => setTimeout(r, 100));
    }
    expect(code, 'the server prints a one-time setup code on first run').toBeDefined();
    await adminPage.goto(server.baseUrl);
    await adminPage.getByRole('form', { name: 'First-run setup' }).waitFor();
    await adminPage.getByLabel('Setup code').fill(code as string);
    await adminPage.getByLabel('Your name').fill('Ada Admin');
    await adminPage.getByLabel('Username').fill('ada');
    await adminPage.getByLabel(/^Password/).fill(ADMIN_PASSWORD);
    await shot(adminPage, 'setup-1440x900');
    await adminPage.getByRole('button', { name: 'Create admin and sign in' }).click();
    await adminPage.getByTestId('who').waitFor();
    // The admin's long navigation row says the role to screen readers only at this width (visually hidden, so
    // innerText puts it on a line of its own).
    expect((await adminPage.getByTestId('who').innerText()).replace(/\s+/g, ' ')).toContain('Ada Admin · Admin');
  });

  it('the live page shows numbers that change within 10 seconds', async () => {
    await navTo(adminPage, 'Live pulse');
    await adminPage.getByTestId('connection').getByText('● Live').waitFor({ timeout: 10_000 });
    const read = async () => ({
      offered: await adminPage.getByTestId('offered').innerText(),
      answered: await adminPage.getByTestId('answered').innerText(),
      waiting: await adminPage.getByTestId('waiting').innerText(),
      rate: await adminPage.getByTestId('rate').innerText(),
    });
    const first = await read();
    expect(Number(first.offered.replace(/,/g, ''))).toBeGreaterThan(0);
    const t0 = Date.now();
    let changedAfter: number | null = null;
    while (Date.now() - t0 < 10_000) {
      await adminPage.waitForTimeout(250);
      if (JSON.stringify(await read()) !== JSON.stringify(first)) {
        changedAfter = Date.now() - t0;
        break;
      }
    }
    await shot(adminPage, 'live-pulse-1440x900');
    expect(changedAfter, 'no figure changed within 10 s').not.toBeNull();
    console.log(`live-pulse: first figures ${JSON.stringify(first)}; a figure changed after ${changedAfter} ms`);
  });

  it('the System page says how the installation runs: one process on its SQLite file', async () => {
    await navTo(adminPage, 'System');
    await adminPage.getByTestId('system-single').waitFor();
    expect(await adminPage.getByTestId('system-single').innerText()).toMatch(/one process on an embedded SQLite file: sqlite:.*frontline/i);
    // Your own account is under your name in the nav.
    await adminPage.getByTestId('who').click();
    await expect.poll(() => adminPage.getByTestId('account-who').innerText()).toBe('Signed in as Ada Admin (ada), Admin.');
  });

  it('adds a team leader for Billing', async () => {
    await navTo(adminPage, 'People');
    const form = adminPage.getByRole('form', { name: 'Add a person' });
    await form.getByLabel('Name', { exact: true }).fill('Tom Lead');
    await form.getByLabel('Username').fill('tom');
    await form.getByLabel(/First password/).fill(TL_PASSWORD);
    await form.getByLabel('Role').selectOption('team_leader');
    await form.getByLabel('Billing').check();
    await form.getByRole('button', { name: 'Add' }).click();
    await adminPage.getByRole('cell', { name: 'Tom Lead' }).waitFor();
    await shot(adminPage, 'people-1440x900');
  });
});

describe('as a team leader', () => {
  it('signs in, sees only what the role allows, and a wrong password is answered plainly', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = watch(await ctx.newPage());
    await page.goto(server.baseUrl);
    await page.getByLabel('Username').fill('tom');
    await page.getByLabel('Password').fill('not my password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('username or password is not right');
    await shot(page, 'sign-in-error-1440x900');
    await expectAccessible(page, 'sign-in with its error');
    await page.getByLabel('Password').fill(TL_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
    const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
    expect(nav).toContain('Screens');
    expect(nav).not.toContain('People');
    expect(nav).not.toContain('Audit');
    await page.getByTestId('kpi-connection').getByText('● Live').waitFor({ timeout: 10_000 });
    await shot(page, 'dashboard-team-leader-1440x900');
    await ctx.close();
  });
});

describe('a wall screen', () => {
  it('pairs with a code (no password on the screen), shows the pulse, and falls back to a code when revoked', async () => {
    const wallCtx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const wall = watch(await wallCtx.newPage());
    await wall.goto(`${server.baseUrl}/wall`);
    const codeEl = wall.getByTestId('pairing-code');
    await codeEl.filter({ hasText: /^[A-Z2-9]{4}-[A-Z2-9]{4}$/ }).waitFor();
    const code = await codeEl.innerText();
    expect(wall.url()).not.toContain(code.replace('-', ''));
    await shot(wall, 'wall-pairing-1280x720');

    await navTo(adminPage, 'Screens');
    const form = adminPage.getByRole('form', { name: 'Pair a screen' });
    await form.getByLabel('Code shown on the screen').fill(code);
    await form.getByLabel('Name', { exact: true }).fill('Billing floor');
    await form.getByRole('button', { name: 'Pair' }).click();
    await adminPage.getByRole('cell', { name: 'Billing floor' }).waitFor();

    await wall.getByText('● Live').waitFor({ timeout: 10_000 });
    const cookies = await wallCtx.cookies();
    const credential = cookies.find((c) => c.name === 'fl_display');
    expect(credential?.httpOnly).toBe(true);
    expect(wall.url()).toBe(`${server.baseUrl}/wall`);
    await shot(wall, 'wall-live-1280x720');
    await shot(adminPage, 'screens-1440x900');

    const t0 = Date.now();
    await adminPage.getByRole('row', { name: /Billing floor/ }).getByRole('button', { name: 'Revoke' }).click();
    await codeEl.filter({ hasText: /^[A-Z2-9]{4}-[A-Z2-9]{4}$/ }).waitFor({ timeout: 10_000 });
    const back = Date.now() - t0;
    console.log(`wall: back to a pairing code ${back} ms after revoke`);
    expect(await codeEl.innerText()).not.toBe(code);
    await wallCtx.close();
  });

  it('left no errors in any page console', () => {
    expect(errors).toEqual([]);
  });
});
