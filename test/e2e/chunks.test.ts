/**
 * The client split into chunks, in headless Chromium against a real server serving a real build:
 * - a page whose chunk is slow shows an accessible "Loading…" in the page's place, the frame staying put;
 * - a chunk missing after a redeploy (a tab older than the deploy) costs one reload, and the page then shows;
 * - a chunk missing for good shows a message with a Reload button after that one reload: no white page, no loop;
 * - the first loads stay inside their budgets (wall ≤ 150 kB gzip, a signed-in page ≤ 250 kB), counting what the
 *   browser actually fetched, and the wall never fetches the charting library.
 */
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, navTo, watchErrors } from '../support/browser.js';
import { buildClient, type ClientBuild } from '../support/client-build.js';
import { pairDisplay, seedPeople, sessionFor, type Credentials } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

let build: ClientBuild;
let t: TestServer;
let browser: Browser;
let admin: Credentials;
let screenCookie: string;

beforeAll(async () => {
  build = buildClient();
  t = await startTestServer({ clientDir: build.clientDir });
  const people = await seedPeople(t);
  admin = await sessionFor(t, people.admin);
  screenCookie = (await pairDisplay(t, admin, ['centre'], 'Chunk wall')).cookie;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  build?.remove();
});

function cookie(header: string): { name: string; value: string; url: string } {
  const pair = header.split(';')[0] as string;
  const eq = pair.indexOf('=');
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), url: t.baseUrl };
}

/** A fresh context signed in as `who`, with a count of full page loads (the first one included). */
async function open(who: string): Promise<{ context: BrowserContext; page: Page; loads: () => number; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addCookies([cookie(who)]);
  const page = await context.newPage();
  const errors: string[] = [];
  watchErrors(page, errors);
  let loads = 0;
  page.on('load', () => loads++);
  return { context, page, loads: () => loads, errors };
}

const CHARTS_CHUNK = /\/assets\/ChartsPage-[^/]+\.js$/;

describe('route chunks in the browser', () => {
  it('shows an accessible Loading… in the page while its chunk is on the way, with the navigation kept', async () => {
    const { context, page } = await open(admin.cookie as string);
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      await page.route(CHARTS_CHUNK, async (route: Route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${t.baseUrl}/`);
      await page.getByRole('heading', { name: /^Dashboard/ }).waitFor({ timeout: 60_000 });
      const navBefore = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
      await navTo(page, 'Charts');
      const status = page.getByRole('status').filter({ hasText: 'Loading…' });
      await expect.poll(() => status.isVisible()).toBe(true);
      expect(await page.locator('main .page-loading').count()).toBe(1);
      expect(await page.getByRole('navigation', { name: 'Main' }).boundingBox()).toEqual(navBefore);
      release();
      await page.getByRole('heading', { name: /^Charts/ }).waitFor({ timeout: 60_000 });
      expect(await page.locator('.page-loading').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('reloads once for a chunk that went away with a redeploy, then shows the page', async () => {
    const { context, page, loads, errors } = await open(admin.cookie as string);
    try {
      let refused = 0;
      await page.route(CHARTS_CHUNK, async (route: Route) => {
        if (refused++ === 0) await route.fulfill({ status: 404, contentType: 'application/json', body: '{"ok":false}' });
        else await route.continue();
      });
      await page.goto(`${t.baseUrl}/`);
      await page.getByRole('heading', { name: /^Dashboard/ }).waitFor({ timeout: 60_000 });
      expect(loads()).toBe(1);
      await navTo(page, 'Charts');
      await page.getByRole('heading', { name: /^Charts/ }).waitFor({ timeout: 60_000 });
      expect(loads()).toBe(2);
      expect(refused).toBe(2);
      expect(page.url()).toBe(`${t.baseUrl}/charts`);
      expect(errors.filter((e) => !/ChartsPage|dynamically imported module|Failed to fetch/i.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a message and a Reload button, not a white page, when the chunk stays missing after that reload', async () => {
    const { context, page, loads } = await open(admin.cookie as string);
    try {
      await page.route(CHARTS_CHUNK, (route: Route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"ok":false}' }));
      await page.goto(`${t.baseUrl}/`);
      await page.getByRole('heading', { name: /^Dashboard/ }).waitFor({ timeout: 60_000 });
      await navTo(page, 'Charts');
      const alert = page.getByRole('alert').filter({ hasText: 'This page could not be shown' });
      await alert.waitFor({ timeout: 60_000 });
      expect(await alert.getByRole('button', { name: 'Reload' }).isVisible()).toBe(true);
      expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
      // The one reload, then the message; a loop would have kept loading the page instead of showing it.
      expect(loads()).toBe(2);
      // Another page still opens from the same frame.
      await navTo(page, 'Live pulse');
      await expect.poll(() => alert.count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('keeps first loads inside their budgets, and the wall fetches no charting library', async () => {
    const fetched = async (who: string, path: string, ready: (p: Page) => Promise<unknown>) => {
      const { context, page } = await open(who);
      const bodies: Promise<{ file: string; gzip: number; charting: boolean }>[] = [];
      page.on('response', (res) => {
        const file = new URL(res.url()).pathname;
        // recharts names its own DOM classes in its code: a chunk carrying it contains "recharts-wrapper".
        const read = (b: Buffer) => ({ file, gzip: zlib.gzipSync(b, { level: 9 }).length, charting: b.includes('recharts-wrapper') });
        if (/^\/assets\/.+\.(js|css)$/.test(file)) bodies.push(res.body().then(read));
      });
      try {
        await page.goto(`${t.baseUrl}${path}`);
        await ready(page);
        await expect.poll(() => page.locator('.page-loading').count()).toBe(0);
        return await Promise.all(bodies);
      } finally {
        await context.close();
      }
    };
    const wall = await fetched(screenCookie, '/wall', (p) => p.locator('.wall').first().waitFor({ timeout: 60_000 }));
    const dashboard = await fetched(admin.cookie as string, '/', (p) => p.getByRole('heading', { name: /^Dashboard/ }).waitFor({ timeout: 60_000 }));
    const total = (files: { gzip: number }[]) => files.reduce((s, f) => s + f.gzip, 0);
    expect(total(wall)).toBeGreaterThan(50_000);
    expect(total(wall), wall.map((f) => f.file).join(', ')).toBeLessThanOrEqual(150_000);
    expect(total(dashboard), dashboard.map((f) => f.file).join(', ')).toBeLessThanOrEqual(250_000);
    // The dashboard draws charts, so it has the charting chunk the wall must not.
    const charting = (files: { file: string; charting: boolean }[]) => files.filter((f) => f.charting);
    expect(charting(dashboard).length).toBeGreaterThan(0);
    expect(charting(wall)).toEqual([]);
  });
});
