/**
 * Drill-down in Chromium against the product with simulated history: a manager on the centre dashboard clicks a day
 * on the trend chart and lands on the contacts behind it (their count equal to the API's), clicks one and reads its
 * record and timeline: two clicks from a chart point to a single contact. The customer-voice page opens a theme's
 * comments. The service quality review shows the API's figures, saves with a comment and prints to PDF without the
 * navigation. On /charts, an XmR point and an agent's funnel point open the contacts behind them, and a funnel period
 * over the API's 31 days is read in parts that add up. Screenshots at 1440x900 (and review.pdf) go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelReply, XmrChartReply } from '../../shared/charts.js';
import type { ContactsReply } from '../../shared/contacts.js';
import type { Directory } from '../../shared/directory.js';
import type { ServiceReview } from '../../shared/review.js';
import type { SegmentReply } from '../../shared/segments.js';
import { formatKpi } from '../../shared/kpi-format.js';
import { hoverDot, launchBrowser, shot, SHOTS, watchErrors, navTo } from '../support/browser.js';
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
    await expect.poll(() => page.getByTestId('contacts-summary').innerText()).toContain(`${api.total.toLocaleString('en-GB')} contacts count towards CSAT`);
    await shot(page, 'drill-2-contacts');
    // Click 2: the first contact (one counting against CSAT, listed first).
    await page.getByTestId('contact-link').first().click();
    await page.getByTestId('contact-timeline').waitFor();
    await expect.poll(() => page.getByTestId('contact-title').innerText()).toBe(`Contact ${api.contacts[0]!.contactId}`);
    expect(await page.getByTestId('contact-timeline').innerText()).toMatch(/Offered on/);
    await shot(page, 'drill-3-contact');
    // The breadcrumbs lead back up to the centre.
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Centre' }).click();
    await page.locator('.recharts-surface').first().waitFor();
  });

  it('the customer-voice page opens the comments behind a theme', async () => {
    await navTo(page, 'Voice');
    await page.getByTestId('voc-themes').waitFor();
    await shot(page, 'voice-1-themes');
    await page.getByTestId('theme-billing').click();
    await page.getByTestId('voc-comment').first().waitFor();
    expect(await page.getByTestId('voc-comments').innerText()).toMatch(/Billing and payments: \d+ comments/);
    await shot(page, 'voice-2-billing');
  });

  it("the service quality review renders with the API's figures, saves as a snapshot with a comment, and prints", async () => {
    await navTo(page, 'Review');
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

  it('on /charts, an XmR point and an agent on the funnel plot open the contacts behind them', async () => {
    const get = async <T,>(url: string): Promise<T> => {
      const r = await fetch(`${server.baseUrl}${url}`, { headers: { cookie: managerCookie } });
      expect(r.status, url).toBe(200);
      return (await r.json()) as T;
    };
    const { directory } = await get<{ directory: Directory }>('/api/v1/directory');
    const team = directory.teams.find((t) => directory.agents.some((a) => a.teamId === t.id))!;
    const scope = `team:${team.id}`;
    const contactsShown = async (search: string) => {
      await page.getByTestId('contacts-table').waitFor();
      const api = await get<ContactsReply>(`/api/v1/contacts${search}`);
      expect(api.total).toBeGreaterThan(0);
      await expect.poll(() => page.getByTestId('contacts-summary').innerText()).toContain(`${api.total.toLocaleString('en-GB')} contacts count towards CSAT`);
      expect(await page.getByTestId('contact-link').count()).toBe(api.contacts.length);
      expect(await page.getByTestId('contact-link').first().innerText()).toContain(api.contacts[0]!.contactId);
      return api;
    };

    await navTo(page, 'Charts');
    await page.getByLabel('Scope').selectOption(scope);
    await page.getByTestId('xmr-hint').waitFor();
    await page.getByTestId('funnel-chart').locator('.recharts-surface').waitFor();
    expect(new URL(page.url()).searchParams.get('scope')).toBe(scope);
    const chartsUrl = page.url();
    await shot(page, 'charts-1-team');

    // Click 1: an XmR point (the history is 10 days, so every drawn day has contacts). Hover, then click the dot.
    const xmr = await get<XmrChartReply>(`/api/v1/charts/xmr?scope=${encodeURIComponent(scope)}&kpi=csat&granularity=day&days=42`);
    expect(xmr.points.length).toBeGreaterThan(3);
    const k = xmr.points.length - 2;
    const at = await hoverDot(page, page.getByTestId('xmr-chart').locator('.recharts-line-dots > *').nth(k), page.getByTestId('xmr-chart'));
    await page.mouse.click(at.x, at.y);
    await page.waitForURL(/\/contacts\?/);
    const point = new URL(page.url()).searchParams;
    expect([point.get('scope'), point.get('from'), point.get('to'), point.get('kpi')]).toEqual([scope, xmr.points[k]!.start, xmr.points[k]!.end, 'csat']);
    await contactsShown(new URL(page.url()).search);
    await shot(page, 'charts-2-xmr-point-contacts');

    // Back to the same chart (the choices are in the URL); click 2: an agent's point on the funnel plot.
    await page.goBack();
    await page.waitForURL(chartsUrl);
    const funnel = await get<FunnelReply>(`/api/v1/charts/funnel?team=${encodeURIComponent(team.id)}&kpi=csat&days=28`);
    const agentDot = page.getByTestId('funnel-dot').first();
    await agentDot.waitFor();
    const ab = await hoverDot(page, agentDot, page.getByTestId('funnel-chart'));
    await page.mouse.click(ab.x, ab.y);
    await page.waitForURL(/\/contacts\?/);
    const agent = new URL(page.url()).searchParams;
    const agentId = agent.get('scope')!.replace(/^agent:/, '');
    expect(funnel.agents.some((a) => a.agentId === agentId && a.n > 0)).toBe(true);
    expect([agent.get('from'), agent.get('to'), agent.get('kpi')]).toEqual([funnel.from, funnel.to, 'csat']);
    await contactsShown(new URL(page.url()).search);
    await shot(page, 'charts-3-funnel-agent-contacts');

    // By queue: every agent on the queue, whatever their team, by their contacts there; a point opens those contacts.
    await page.goBack();
    await page.getByLabel('Scope').selectOption('queue:chat-general');
    const byQueue = await get<FunnelReply>('/api/v1/charts/funnel?queue=chat-general&kpi=csat&days=28');
    await expect.poll(() => page.getByTestId('funnel-dot').count()).toBe(byQueue.agents.filter((a) => a.n > 0 && a.rate !== null).length);
    expect(await page.locator('.charts-panel h2').last().innerText()).toContain('queue');
    await shot(page, 'charts-4-queue-funnel');
    const queueDot = await hoverDot(page, page.getByTestId('funnel-dot').first(), page.getByTestId('funnel-chart'));
    await page.mouse.click(queueDot.x, queueDot.y);
    await page.waitForURL(/\/contacts\?/);
    expect(new URL(page.url()).searchParams.get('queues')).toBe('chat-general');
    await contactsShown(new URL(page.url()).search);
    await page.goBack();
    await page.getByLabel('Scope').selectOption(scope);
    await expect.poll(() => page.locator('.charts-panel h2').last().innerText()).toContain(`team ${team.name}`);
    await page.getByTestId('funnel-dot').first().waitFor();

    // Keyboard way in, over 31 days: the agent table's link for a 56-day funnel; the contacts page reads it in two parts.
    await page.getByLabel('Funnel period').selectOption('56');
    const long = await get<FunnelReply>(`/api/v1/charts/funnel?team=${encodeURIComponent(team.id)}&kpi=csat&days=56`);
    const link = page.getByTestId('funnel-agent-link').first();
    await expect.poll(async () => new URL((await link.getAttribute('href'))!, server.baseUrl).searchParams.get('from')).toBe(long.from);
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/contacts\?/);
    await page.getByTestId('contacts-table').waitFor();
    const q = new URL(page.url()).searchParams;
    const mid = new Date(Date.parse(long.from) + 31 * 86_400_000).toISOString();
    const parts = await Promise.all(
      [[long.from, mid], [mid, long.to]].map(([a, b]) => get<ContactsReply>(`/api/v1/contacts?scope=${encodeURIComponent(q.get('scope')!)}&from=${encodeURIComponent(a!)}&to=${encodeURIComponent(b!)}&kpi=csat`)),
    );
    const total = parts[0]!.total + parts[1]!.total;
    expect(total).toBeGreaterThan(0);
    // The page reads the parts one after the other: wait for the summary of both rather than read the first.
    await expect.poll(() => page.getByTestId('contacts-summary').innerText(), { timeout: 10_000 }).toContain(`${total.toLocaleString('en-GB')} contacts count towards CSAT`);
    expect(await page.getByTestId('contacts-summary').innerText()).toContain('read in 2 parts');
    await expect.poll(() => page.getByTestId('contact-link').count()).toBe(Math.min(500, total));
    expect(errors).toEqual([]);
  });
  it('on /explore, multi-select filters, a breakdown bar and a trend day each lead to their contacts, with the API’s figures', async () => {
    const get = async <T,>(url: string): Promise<T> => {
      const r = await fetch(`${server.baseUrl}${url}`, { headers: { cookie: managerCookie } });
      expect(r.status, url).toBe(200);
      return (await r.json()) as T;
    };
    /** The page's own segments query, read back from the CSV link it shows. */
    const pageQuery = async () => new URL((await page.getByTestId('segments-csv').getAttribute('href'))!.replace('&format=csv', ''), server.baseUrl).search;
    await page.goto(`${server.baseUrl}/explore?scope=centre&days=7`);
    await page.getByTestId('segment-bars').waitFor();
    const whole = await get<SegmentReply>(`/api/v1/segments${await pageQuery()}`);
    expect(await page.getByTestId('seg-value-csat').innerText()).toBe(formatKpi('csat', whole.kpis.csat.value));

    // Two filters chosen from their drop-downs: voice, 10:00 to 12:00.
    await page.getByTestId('filter-channels').locator('summary').click();
    await page.getByTestId('filter-channels').getByLabel('Voice').click();
    await page.waitForURL(/channels=voice/);
    await page.getByTestId('filter-channels').locator('summary').click();
    await page.getByTestId('filter-hours').locator('summary').click();
    await page.getByTestId('filter-hours').getByLabel('10').click();
    await page.waitForURL(/hours=10/);
    await page.getByTestId('filter-hours').getByLabel('11').click();
    await page.getByTestId('filter-hours').locator('summary').click();
    await page.waitForURL(/channels=voice.*hours=10&hours=11/);
    await expect.poll(async () => (await pageQuery()).includes('hours=11')).toBe(true);
    const filtered = await get<SegmentReply>(`/api/v1/segments${await pageQuery()}`);
    expect(filtered.kpis.csat.n).toBeGreaterThan(0);
    expect(filtered.kpis.csat.n).toBeLessThan(whole.kpis.csat.n);
    await expect.poll(() => page.getByTestId('seg-value-csat').innerText()).toBe(formatKpi('csat', filtered.kpis.csat.value));
    expect(await page.getByTestId('filter-chips').innerText()).toContain('Hours: 10:00–12:00');

    // Compare by contact reason; the first bar's link opens its contacts, which add up to the bar.
    await page.getByRole('tab', { name: 'Reason' }).click();
    await page.waitForURL(/by=reason/);
    await expect.poll(async () => (await pageQuery()).includes('by=reason')).toBe(true);
    const byReason = await get<SegmentReply>(`/api/v1/segments${await pageQuery()}`);
    const bar = byReason.bars[0]!;
    await shot(page, 'explore-1-filtered-by-reason');
    await page.getByTestId('bar-contacts').first().click();
    await page.getByTestId('contacts-table').waitFor();
    await expect.poll(() => page.getByTestId('contacts-summary').innerText()).toContain(`${bar.n.toLocaleString('en-GB')} contacts count towards CSAT`);
    expect(await page.getByTestId('contacts-filter').innerText()).toContain('Hours: 10:00–12:00');
    await shot(page, 'explore-2-bar-contacts');

    // Back, then a day on the trend: its contacts add up to that point; one more click opens a contact.
    await page.goBack();
    const trendChart = page.getByTestId('segment-trend');
    await trendChart.locator('.recharts-line-dot').first().waitFor();
    // Dots are drawn for days with a figure only: the last dot is the last such day.
    const trend = byReason.trend;
    const k = trend.findLastIndex((p) => p.value !== null);
    const dot = await hoverDot(page, trendChart.locator('.recharts-line-dot').last(), trendChart);
    await page.mouse.click(dot.x, dot.y);
    await page.waitForURL(/\/contacts\?/);
    await page.getByTestId('contacts-table').waitFor();
    const q = new URL(page.url()).searchParams;
    expect([q.get('from'), q.get('to'), q.getAll('hours')]).toEqual([trend[k]!.start, trend[k]!.end, ['10', '11']]);
    await expect.poll(() => page.getByTestId('contacts-summary').innerText()).toContain(`${trend[k]!.n.toLocaleString('en-GB')} contacts count towards CSAT`);
    await page.getByTestId('contact-link').first().click();
    await page.getByTestId('contact-title').waitFor();
    expect(errors).toEqual([]);
  });
});
