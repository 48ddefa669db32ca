/**
 * The product as `npm start` runs it (built client, server, live simulator): the page shows numbers that change
 * live within 10 seconds. The simulated clock is pinned to a weekday morning so the centre is open whenever CI runs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, startChildServer, type ChildServer } from '../support/child-server.js';
import { launchBrowser } from '../support/browser.js';
import { tempDir } from '../support/stores.js';

let server: ChildServer;
let browser: Browser;
const dataDir = tempDir('frontline-e2e-');
export const SHOTS = path.join(ROOT, 'test-results');

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  server = await startChildServer({ DATA_DIR: dataDir, SIM_CLOCK_START: '2026-11-18T10:30:00Z', SIM_BACKFILL_DAYS: '2', SIM_SEED: '3' }, 120_000);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('serves the live page and its numbers change within 10 seconds', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(server.baseUrl);
  await page.getByText('● Live').waitFor({ timeout: 10_000 });
  const read = async () => ({
    offered: await page.getByTestId('offered').innerText(),
    answered: await page.getByTestId('answered').innerText(),
    waiting: await page.getByTestId('waiting').innerText(),
  });
  const first = await read();
  expect(Number(first.offered.replace(/,/g, ''))).toBeGreaterThan(0);
  const t0 = Date.now();
  let changedAfter: number | null = null;
  while (Date.now() - t0 < 10_000) {
    await page.waitForTimeout(250);
    if (JSON.stringify(await read()) !== JSON.stringify(first)) {
      changedAfter = Date.now() - t0;
      break;
    }
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'live-pulse-1440x900.png') });
  expect(changedAfter, 'no figure changed within 10 s').not.toBeNull();
  console.log(`live-pulse: first figures ${JSON.stringify(first)}; a figure changed after ${changedAfter} ms`);
  expect(errors).toEqual([]);
});
