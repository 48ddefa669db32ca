/**
 * Drill-down in Chromium against the product with simulated history: a manager on the centre dashboard clicks a day
 * on the trend chart and lands on the contacts behind it (their count equal to the API's), clicks one and reads its
 * record and timeline: two clicks from a chart point to a single contact. The customer-voice page opens a theme's
 * comments. The service quality review shows the API's figures, saves with a comment and prints to PDF without the
 * navigation. Screenshots at 1440x900 (and review.pdf) go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactsReply } from '../../shared/contacts.js';
import type { ServiceReview } from '../../shared/review.js';
import { launchBrowser, shot, SHOTS, watchErrors } from '../support/browser.js';
import { ROOT, setUpFirstAdmin, startChildServer, type ChildServer } from '../support/child-server.js';
import { cookieFrom } from '../support/people.js';
import { tempDir } from '../support/stores.js';

let server: ChildServer;
let browser: Browser;
let page: Page;
const dataDir = tempDir('frontline-e2e-drill-');
const PASSWORD = 'amber kettles whistle at dawn';
const errors: string[] = [];
let managerCookie = '';

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  server = await startChildServer({ DATA_DIR: dataDir, SIM_SEED: '5', SIM_BACKFILL_DAYS: '10', LOG_LEVEL: 'warn' }, 120_000);
  const { cookie, csrf } = await setUpFirstAdmin(server, PASSWORD);
  const made = await fetch(`${server.baseUrl}/api/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf }, body: JSON.stringify({ username: 'max', displayName: 'Max Manager', role: 'manager', password: PASSWORD }) });
  expect(made.status).toBe(201);
  managerCookie = cookieFrom(await fetch(`${server.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'max', password: PASSWORD }) }), 'fl_session');
  browser = await launchBrowser();
  page = watchErrors(await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage(), errors);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('drilling from a chart point to a contact', () => {
  it('reaches a single contact from a point on the centre trend in two clicks', async () => {
    await page.goto(server.baseUrl);
    await page.getByLabel('Username').fill('max');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
    const surface = page.locator('.recharts-surface').first();
    await surface.waitFor();
    await page.locator('.recharts-line-dot').nth(5).waitFor();
    await shot(page, 'drill-1-dashboard');
    const box = (await surface.boundingBox())!;
    // Click 1: a day near the right of the 30-day trend (the history is 10 days, so a day with contacts).
    // Hover first so the chart knows which day is under the pointer, then click it.
    await page.mouse.move(box.x + box.width * 0.85, box.y + box.height / 2);
    await page.locator('.recharts-tooltip-wrapper').first().waitFor({ state: 'visible' });
    await page.mouse.click(box.x + box.width * 0.85, box.y + box.height / 2);
    await page.waitForURL(/\/contacts\?/);
    await page.getByTestId('contacts-table').waitFor();
    const url = new URL(page.url());
    const api = (await (await fetch(`${server.baseUrl}/api/v1/contacts${url.search}`, { headers: { cookie: managerCookie } })).json()) as ContactsReply;
    expect(api.total).toBeGreaterThan(0);
    expect(await page.getByTestId('contacts-summary').innerText()).toContain(`${api.total.toLocaleString('en-GB')} contacts count towards CSAT`);
    await shot(page, 'drill-2-contacts');
    // Click 2: the first contact (one counting against CSAT, listed first).
    await page.getByTestId('contact-link').first().click();
    await page.getByTestId('contact-timeline').waitFor();
    expect(await page.getByTestId('contact-title').innerText()).toBe(`Contact ${api.contacts[0]!.contactId}`);
    expect(await page.getByTestId('contact-timeline').innerText()).toMatch(/Offered on/);
    await shot(page, 'drill-3-contact');
    // The breadcrumbs lead back up to the centre.
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Centre' }).click();
    await page.locator('.recharts-surface').first().waitFor();
  });

  it('the customer-voice page opens the comments behind a theme', async () => {
    await page.getByRole('link', { name: 'Voice' }).click();
    await page.getByTestId('voc-themes').waitFor();
    await shot(page, 'voice-1-themes');
    await page.getByTestId('theme-billing').click();
    await page.getByTestId('voc-comment').first().waitFor();
    expect(await page.getByTestId('voc-comments').innerText()).toMatch(/Billing and payments: \d+ comments/);
    await shot(page, 'voice-2-billing');
  });

  it("the service quality review renders with the API's figures, saves as a snapshot with a comment, and prints", async () => {
    await page.getByRole('link', { name: 'Review' }).click();
    await page.getByTestId('review-doc').waitFor({ timeout: 60_000 });
    const params = new URL(page.url()).searchParams;
    const from = await page.getByLabel('From').inputValue();
    const to = await page.getByLabel('To').inputValue();
    expect(params.get('scope') ?? 'centre').toBe('centre');
    const api = (await (await fetch(`${server.baseUrl}/api/v1/reviews/preview?scope=centre&from=${from}&to=${to}`, { headers: { cookie: managerCookie } })).json()) as { review: ServiceReview };
    for (const r of api.review.results) {
      const shown = await page.getByTestId(`review-result-${r.kpi}`).innerText();
      const value = r.value === null ? '–' : r.kpi === 'aht' ? `${Math.round(r.value)} s` : `${(r.value * 100).toFixed(1)}%`;
      expect(shown, r.kpi).toContain(value);
      expect(shown).toContain(r.n.toLocaleString('en-GB'));
    }
    expect(await page.getByTestId('review-recommendations').locator('li').count()).toBe(api.review.recommendations.length);
    await shot(page, 'review-1-preview', { fullPage: true });
    await page.getByLabel('Title').fill('Drill-down test review');
    await page.getByRole('button', { name: 'Save snapshot' }).click();
    await page.getByTestId('review-comments').waitFor();
    await page.getByLabel('Comment').fill('Agreed to start with the billing knowledge article.');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await expect.poll(() => page.getByTestId('review-comments').innerText()).toContain('Max Manager: Agreed to start with the billing knowledge article.');
    await shot(page, 'review-2-saved', { fullPage: true });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    fs.writeFileSync(path.join(SHOTS, 'review.pdf'), pdf);
    expect(pdf.byteLength).toBeGreaterThan(10_000);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    expect(errors).toEqual([]);
  });
});
