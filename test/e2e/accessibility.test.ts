/**
 * Accessibility in Chromium against the product as `npm start` runs it (six weeks of simulated history, flagged cases):
 * axe-core checks every page of the client against WCAG 2.1 A and AA, from the setup page of a fresh server to the
 * wall view of a paired screen, each as a role that can open it once its content has loaded; no finding may be
 * serious or critical. Then a manager does the key flows with the keyboard alone: signs in, moves through the main
 * navigation, opens a case from the coaching inbox and records something on it, and opens the contacts behind a
 * point on the XmR chart.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../shared/access.js';
import type { BoardBody } from '../../shared/boards.js';
import type { ContactsReply } from '../../shared/contacts.js';
import type { Directory } from '../../shared/directory.js';
import { expectAccessible, launchBrowser, shot, watchErrors } from '../support/browser.js';
import { ROOT, setUpFirstAdmin, startChildServer, type ChildServer } from '../support/child-server.js';
import { cookieFrom } from '../support/people.js';
import { tempDir } from '../support/stores.js';

let server: ChildServer;
let browser: Browser;
const dataDir = tempDir('frontline-e2e-a11y-');
const PASSWORD = 'amber kettles whistle at dawn';
const errors: string[] = [];
let admin: { cookie: string; csrf: string };
let managerCookie = '';
let flagged: CaseSummary;
/** The agent the flagged case is about. */
let agentId = '';
let directory: Directory;
/** A Twilio Flex source (a push platform: nothing is polled), for the Sources pages. */
let sourceId = '';
/** Pages whose look the accessibility fixes changed: screenshots to look at (test-results/a11y-*.png). */
const SHOWN = new Set(['dashboard', 'explore', 'charts', 'voice', 'agent profile']);
/** Every page's serious or critical findings, gathered so one run lists them all. */
const findings: string[] = [];

async function api(method: string, p: string, body?: unknown): Promise<Response> {
  return fetch(`${server.baseUrl}${p}`, { method, headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

async function login(username: string): Promise<string> {
  return cookieFrom(await fetch(`${server.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) }), 'fl_session');
}

/** A context with waits sized for a loaded 2-core machine with a server still backfilling. */
async function newContext(viewport = { width: 1440, height: 900 }): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport });
  ctx.setDefaultNavigationTimeout(90_000);
  ctx.setDefaultTimeout(60_000);
  return ctx;
}

/** A browser context signed in with a session cookie made through the API (the sign-in form is tested on its own). */
async function contextFor(cookie: string, viewport = { width: 1440, height: 900 }): Promise<BrowserContext> {
  const ctx = await newContext(viewport);
  const [name, value] = cookie.split('=') as [string, string];
  await ctx.addCookies([{ name, value, url: server.baseUrl }]);
  return ctx;
}

/** Waits until the page's own "Loading…" placeholders are gone, then lets charts finish their first layout. */
async function loaded(page: Page): Promise<void> {
  await page.waitForFunction(() => ![...document.querySelectorAll('p, span')].some((e) => /^(Loading…|Loading the directory…|Building the review…)$/.test(e.textContent?.trim() ?? '')), undefined, { timeout: 60_000 });
  await page.waitForTimeout(400);
}

/** The dashboard once live: the socket connected, the tiles' targets read, the 30-day trend drawn. */
async function dashboardReady(p: Page): Promise<void> {
  await p.getByTestId('kpi-connection').getByText('● Live').waitFor();
  await p.locator('.recharts-line-dot').nth(3).waitFor();
  await p.waitForFunction(() => !document.body.innerText.includes('Checking target'), undefined, { timeout: 60_000 });
}

/** Opens a page, waits for its content, checks it with axe and records what it found (asserted at the end). */
async function check(page: Page, url: string, label: string, ready: (p: Page) => Promise<unknown>): Promise<void> {
  await page.goto(`${server.baseUrl}${url}`);
  await ready(page);
  await loaded(page);
  if (SHOWN.has(label)) await shot(page, `a11y-${label.replace(/\s+/g, '-')}`, { fullPage: true });
  try {
    await expectAccessible(page, label);
  } catch (err) {
    findings.push((err as Error).message);
  }
  // Every page says what it is in its title, so a tab or a screen reader's window list tells them apart.
  const title = await page.title();
  if (!/ · Frontline$|^Frontline/.test(title) || title === 'Frontline') findings.push(`${label} (${url}): document title "${title}" does not name the page`);
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  server = await startChildServer({ DATA_DIR: dataDir, SIM_SEED: '7', LOG_LEVEL: 'warn' }, 300_000);
  browser = await launchBrowser();
}, 400_000);

/** The first admin and a manager; an agent signed up for the person the first flagged case is about. */
async function seed(): Promise<void> {
  admin = await setUpFirstAdmin(server, PASSWORD);
  expect((await api('POST', '/api/v1/users', { username: 'max', displayName: 'Max Manager', role: 'manager', password: PASSWORD })).status).toBe(201);
  managerCookie = await login('max');
  directory = ((await (await api('GET', '/api/v1/directory')).json()) as { directory: Directory }).directory;
  // The flagger runs in the background after the backfill: wait for its individual cases.
  const deadline = Date.now() + 200_000;
  let cases: CaseSummary[] = [];
  while (Date.now() < deadline) {
    cases = ((await (await fetch(`${server.baseUrl}/api/v1/cases?status=open&kind=individual`, { headers: { cookie: managerCookie } })).json()) as { cases: CaseSummary[] }).cases;
    if (cases.length > 1) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  expect(cases.length, 'the flagger filed individual cases from the simulated history').toBeGreaterThan(1);
  flagged = cases[0]!;
  agentId = flagged.agentId!;
  expect((await api('POST', '/api/v1/users', { username: 'agent', displayName: 'The Agent', role: 'agent', agentId, password: PASSWORD })).status).toBe(201);
  const source = await api('POST', '/api/v1/sources', { platform: 'twilio', name: 'Flex', credentials: { accountSid: `AC${'0'.repeat(32)}`, authToken: 'a11y walk token' } });
  expect(source.status, await source.clone().text()).toBe(201);
  sourceId = ((await source.json()) as { source: { id: string } }).source.id;
}

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('every page passes axe-core (WCAG 2.1 AA) with no serious or critical finding', () => {
  it('a fresh server: the setup page', async () => {
    // The setup page can only be seen before the first admin exists.
    const page = watchErrors(await (await newContext()).newPage(), errors);
    await check(page, '/', 'setup', (p) => p.getByRole('heading', { name: 'Welcome to Frontline', level: 1 }).waitFor());
    await seed();
  }, 300_000);

  it('signed out: the sign-in page', async () => {
    const page = watchErrors(await (await newContext()).newPage(), errors);
    await check(page, '/', 'sign-in', (p) => p.getByLabel('Username').waitFor());
  });

  it("an admin's pages", async () => {
    const page = watchErrors(await (await contextFor(admin.cookie)).newPage(), errors);
    const team = directory.teams[0]!;
    const pages: [string, string, (p: Page) => Promise<unknown>][] = [
      ['/', 'dashboard', dashboardReady],
      ['/live', 'live pulse', (p) => p.getByTestId('connection').getByText('● Live').waitFor()],
      ['/explore?scope=centre&days=7', 'explore', (p) => p.getByTestId('segment-trend').locator('.recharts-line-dot').first().waitFor()],
      [`/charts?scope=${encodeURIComponent(`team:${team.id}`)}`, 'charts', (p) => p.getByTestId('funnel-dot').first().waitFor()],
      ['/reviews', 'review', (p) => p.getByTestId('review-doc').waitFor({ timeout: 60_000 })],
      ['/initiatives', 'initiatives', (p) => p.getByRole('heading', { name: 'Improvement initiatives', level: 1 }).waitFor()],
      ['/voice', 'voice', (p) => p.getByTestId('voc-themes').waitFor()],
      ['/targets', 'targets', (p) => p.getByRole('heading', { name: 'Targets', level: 1 }).waitFor()],
      ['/admin/people', 'people', (p) => p.getByRole('cell', { name: 'Max Manager' }).waitFor()],
      ['/admin/boards', 'boards', (p) => p.getByRole('heading', { name: 'Boards', level: 1 }).waitFor()],
      ['/admin/screens', 'screens', (p) => p.getByRole('heading', { name: 'Screens', level: 1 }).waitFor()],
      ['/admin/keys', 'API keys', (p) => p.getByRole('heading', { name: 'API keys', level: 1 }).waitFor()],
      ['/admin/privacy', 'privacy', (p) => p.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor()],
      ['/admin/audit', 'audit log', (p) => p.locator('table tbody tr').first().waitFor()],
      ['/admin/notifications', 'notifications', (p) => p.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor()],
      ['/admin/sources', 'sources', (p) => p.getByTestId('source-row').first().waitFor()],
      [`/admin/sources/${sourceId}`, 'source', (p) => p.getByTestId('source-health').waitFor()],
      [`/admin/sources/${sourceId}?tab=mapping`, 'source mapping', (p) => p.getByTestId('map-queue').waitFor()],
      [`/admin/sources/${sourceId}?tab=dead-letters`, 'source dead letters', (p) => p.getByTestId('no-dead-letters').waitFor()],
      ['/admin/system', 'system', (p) => p.getByRole('heading', { name: 'System', level: 1 }).waitFor()],
      ['/account', 'account', (p) => p.getByTestId('account-who').waitFor()],
      ['/no-such-page', 'unknown page', (p) => p.getByText('No such page.').waitFor()],
    ];
    for (const [url, label, ready] of pages) await check(page, url, label, ready);
    // The board editor open on a new board: its tile table and preview.
    await page.getByRole('link', { name: 'Boards', exact: true }).click();
    await page.getByRole('button', { name: /New board/ }).click();
    await page.getByTestId('cells-used').waitFor();
    try {
      await expectAccessible(page, 'board editor');
    } catch (err) {
      findings.push((err as Error).message);
    }
  }, 300_000);

  it("a manager's pages: contacts, a contact, an agent's profile, a saved review, the coaching inbox and a case", async () => {
    const page = watchErrors(await (await contextFor(managerCookie)).newPage(), errors);
    const team = directory.teams[0]!;
    const period = `from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}&to=${new Date().toISOString()}`;
    const listed = await fetch(`${server.baseUrl}/api/v1/contacts?scope=${encodeURIComponent(`team:${team.id}`)}&${period}&kpi=csat`, { headers: { cookie: managerCookie } });
    expect(listed.status, await listed.clone().text()).toBe(200);
    const contacts = (await listed.json()) as ContactsReply;
    expect(contacts.contacts.length).toBeGreaterThan(0);
    const saved = await fetch(`${server.baseUrl}/api/v1/reviews`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: managerCookie, 'x-csrf-token': await csrfOf(managerCookie) }, body: JSON.stringify({ title: 'Accessibility review', scope: 'centre', from: new Date(Date.now() - 14 * 86_400_000).toISOString().slice(0, 10), to: new Date().toISOString().slice(0, 10) }) });
    expect(saved.status, await saved.clone().text()).toBe(201);
    const reviewId = ((await saved.json()) as { id: string }).id;
    const pages: [string, string, (p: Page) => Promise<unknown>][] = [
      [`/contacts?scope=${encodeURIComponent(`team:${team.id}`)}&${period}&kpi=csat`, 'contacts', (p) => p.getByTestId('contact-link').first().waitFor()],
      [`/contacts/${encodeURIComponent(contacts.contacts[0]!.contactId)}`, 'contact', (p) => p.getByTestId('contact-timeline').waitFor()],
      [`/agents/${encodeURIComponent(agentId)}`, 'agent profile', (p) => p.getByTestId('profile-week-table').waitFor({ state: 'attached' })],
      [`/reviews/${reviewId}`, 'saved review', (p) => p.getByTestId('review-comments').waitFor()],
      ['/cases', 'coaching inbox', (p) => p.getByTestId('inbox-row').first().waitFor()],
      [`/cases/${flagged.id}`, 'case', (p) => p.getByTestId('case-explanation').waitFor()],
    ];
    for (const [url, label, ready] of pages) await check(page, url, label, ready);
  });

  it("an agent's own views: dashboard, profile, coaching inbox and case, voice, targets", async () => {
    const page = watchErrors(await (await contextFor(await login('agent'))).newPage(), errors);
    const pages: [string, string, (p: Page) => Promise<unknown>][] = [
      ['/', 'agent dashboard', dashboardReady],
      [`/agents/${encodeURIComponent(agentId)}`, 'my profile', (p) => p.getByTestId('profile-week-table').waitFor({ state: 'attached' })],
      ['/cases', 'agent coaching inbox', (p) => p.getByTestId('inbox-row').first().waitFor()],
      [`/cases/${flagged.id}`, 'agent case', (p) => p.getByTestId('case-explanation').waitFor()],
      ['/voice', 'agent voice', (p) => p.getByTestId('voc-themes').waitFor()],
      ['/targets', 'agent targets', (p) => p.getByRole('heading', { name: 'Targets', level: 1 }).waitFor()],
    ];
    for (const [url, label, ready] of pages) await check(page, url, label, ready);
  });

  it('the wall: the pairing code, the pulse of a paired screen, and a board with every kind of tile', async () => {
    const ctx = await newContext({ width: 1280, height: 720 });
    const page = watchErrors(await ctx.newPage(), errors);
    // What the screen asked and was answered, for the failure message below.
    const exchanges: string[] = [];
    const t0 = Date.now();
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/v1/display') || u.pathname === '/api/v1/session' || u.pathname === '/api/v1/wall') exchanges.push(`${Date.now() - t0} ms ${r.request().method()} ${u.pathname} ${r.status()}`);
    });
    await check(page, '/wall', 'wall pairing', (p) => expect.poll(async () => /^[A-Z2-9]{4}/.test((await p.getByTestId('pairing-code').innerText()).trim()), { timeout: 15_000 }).toBe(true));
    const approved = await api('POST', '/api/v1/displays', { code: (await page.getByTestId('pairing-code').innerText()).trim(), name: 'Floor wall', scopes: ['centre'] });
    expect(approved.status).toBe(201);
    const approvedAt = Date.now() - t0;
    const displayId = ((await approved.json()) as { display: { id: string } }).display.id;
    // Complete the pairing in the screen's browser context, as its next poll would, then reload. The screen's own poll
    // and its switch to the pulse are what wall.test.ts and app.test.ts test; here, under the full suite's load, that
    // 2 s timer twice left the screen on its code for 15-30 s, and this walk is about what the screens look like.
    const polled = (await (await page.request.get(`${server.baseUrl}/api/v1/display/pairing`)).json()) as { status: string };
    // 'expired' here means the screen's own poll got there first and took the credential itself.
    expect(['paired', 'expired']).toContain(polled.status);
    if (polled.status === 'paired') await page.reload();
    await page
      .getByTestId('connection')
      .waitFor({ timeout: 30_000 })
      .catch(async (err: unknown) => {
        const shown = (await page.locator('body').innerText()).slice(0, 300);
        throw new Error(`the paired screen never showed its connection badge; approved ${approvedAt} ms in, gave up ${Date.now() - t0} ms in; it showed: ${shown}\nits requests:\n${exchanges.slice(-25).join('\n')}`, { cause: err });
      });
    await loaded(page);
    await page.waitForTimeout(1000);
    try {
      await expectAccessible(page, 'wall pulse');
    } catch (err) {
      findings.push((err as Error).message);
    }
    const team = directory.teams[0]!;
    const board: BoardBody = {
      name: 'Floor board',
      staleAfterSeconds: 60,
      tiles: [
        { id: 'csat', kind: 'kpi', scope: 'centre', window: 'today', kpi: 'csat', w: 3, h: 2 },
        { id: 'sl', kind: 'kpi', scope: 'centre', window: 'today', kpi: 'serviceLevel', w: 3, h: 2 },
        { id: 'queue', kind: 'queue', scope: 'centre', window: 'today', w: 3, h: 2 },
        { id: 'alerts', kind: 'alerts', scope: 'centre', window: 'today', w: 3, h: 2 },
        { id: 'trend', kind: 'trend', scope: 'centre', window: 'today', kpi: 'csat', range: '7d', w: 6, h: 2 },
        { id: 'agents', kind: 'agents', scope: `team:${team.id}`, window: 'today', kpi: 'csat', w: 6, h: 2 },
        { id: 'comments', kind: 'comments', scope: 'centre', window: 'today', w: 8, h: 2 },
        { id: 'coaching', kind: 'coaching', scope: 'centre', window: 'today', w: 4, h: 2 },
      ],
    };
    const created = await api('POST', '/api/v1/boards', board);
    expect(created.status, await created.clone().text()).toBe(201);
    const boardId = ((await created.json()) as { board: { id: string } }).board.id;
    expect((await api('PUT', `/api/v1/displays/${displayId}/shows`, { shows: `board:${boardId}`, reloadHour: null })).status).toBe(200);
    await page.getByTestId('wallboard').waitFor({ timeout: 15_000 });
    await loaded(page);
    await page.waitForTimeout(1000);
    await shot(page, 'a11y-wall-board');
    try {
      await expectAccessible(page, 'wall board');
    } catch (err) {
      findings.push((err as Error).message);
    }
    if (!/ · Frontline$/.test(await page.title())) findings.push(`wall board: document title "${await page.title()}" does not name the screen`);
  });

  it('lists no finding on any page', () => {
    expect(findings.join('\n\n')).toBe('');
    expect(errors).toEqual([]);
  });
});

async function csrfOf(cookie: string): Promise<string> {
  const me = (await (await fetch(`${server.baseUrl}/api/v1/session`, { headers: { cookie } })).json()) as { principal: { csrfToken: string } };
  return me.principal.csrfToken;
}

interface Focused {
  tag: string;
  text: string;
  href: string | null;
  label: string | null;
  testId: string | null;
  /** The nearest test id at or above it. */
  within: string | null;
  /** Inside a row of the coaching inbox (not, say, a toast about a new case, which goes away by itself). */
  inInboxRow: boolean;
}

/** What has the focus now. */
async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { tag: el?.tagName.toLowerCase() ?? '', text: (el?.innerText ?? '').trim(), href: el?.getAttribute('href') ?? null, label: el?.getAttribute('aria-label') ?? null, testId: el?.getAttribute('data-testid') ?? null, within: el?.closest('[data-testid]')?.getAttribute('data-testid') ?? null, inInboxRow: Boolean(el?.closest('[data-testid="inbox-row"]')) };
  });
}

/** Presses Tab (or Shift+Tab) until the focused element is the one wanted; fails naming what it went past. */
async function tabTo(page: Page, wanted: (f: Focused) => boolean, what: string, { back = false, max = 120 } = {}): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (wanted(f)) return f;
    seen.push(`${f.tag}:${(f.label ?? f.text).slice(0, 30)}`);
  }
  throw new Error(`no ${what} after ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}; went past ${seen.slice(-25).join(' | ')}`);
}

describe('the key flows with the keyboard alone', () => {
  let page: Page;

  it('signs in, skips to the content, and moves through the main navigation', async () => {
    page = watchErrors(await (await newContext()).newPage(), errors);
    await page.goto(server.baseUrl);
    await page.getByLabel('Username').waitFor();
    // The username field has the focus on arrival.
    expect((await focused(page)).tag).toBe('input');
    await page.keyboard.type('max');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByTestId('who').waitFor();
    await page.locator('.kpi-tile').first().waitFor();
    expect(await page.title()).toBe('Dashboard · Frontline');
    // The first Tab reaches the skip link, which takes the focus past the navigation to the page's content.
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Skip to content');
    expect(await page.locator('.skip-link').isVisible()).toBe(true);
    await shot(page, 'a11y-keyboard-skip-link');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('main')))).toBe(true);
    // Back up into the navigation and along it: Voice, then Targets, each opening its page.
    await tabTo(page, (f) => f.href === '/voice', 'Voice link', { back: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/voice/);
    await page.getByTestId('voc-themes').waitFor();
    expect(await page.title()).toBe('Voice · Frontline');
    await page.keyboard.press('Tab');
    expect((await focused(page)).href).toBe('/targets');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/targets/);
    await page.getByRole('heading', { name: 'Targets', level: 1 }).waitFor();
  });

  it('opens a case from the coaching inbox and assigns it', async () => {
    await tabTo(page, (f) => f.href === '/cases', 'Coaching link', { back: true });
    await page.keyboard.press('Enter');
    await page.getByTestId('inbox-row').first().waitFor();
    // The inbox's views are tabs; Enter on one shows it.
    await tabTo(page, (f) => f.testId === 'inbox-new', 'New inbox tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/view=new/);
    await page.getByTestId('inbox-row').first().waitFor();
    const link = await tabTo(page, (f) => f.tag === 'a' && f.inInboxRow && /^\/cases\/[^/]+$/.test(f.href ?? ''), 'link to a case in the inbox');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === link.href, { timeout: 30_000 }).catch(async (err: unknown) => {
      throw new Error(`Enter on ${link.href} did not open it; the focus is now on ${JSON.stringify(await focused(page))}`, { cause: err });
    });
    await page.getByTestId('case-explanation').waitFor();
    expect(await page.getByTestId('assignee').innerText()).toBe('Nobody yet');
    // Choose the first person in the "Assign to" list with the arrow keys, then the Assign button with Space.
    await tabTo(page, (f) => f.tag === 'select' && f.label === 'Assign to', 'Assign to list');
    await page.keyboard.press('ArrowDown');
    const chosen = await page.getByLabel('Assign to').evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.text ?? '');
    expect(chosen).not.toBe('Choose…');
    const name = chosen.replace(/ \([^)]*\)$/, '');
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Assign');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('assignee').innerText()).toContain(name);
    const caseId = link.href!.split('/').pop()!;
    const stored = (await (await fetch(`${server.baseUrl}/api/v1/cases/${caseId}`, { headers: { cookie: managerCookie } })).json()) as { case: { assignedCoachId: string | null } };
    expect(stored.case.assignedCoachId).not.toBeNull();
    await shot(page, 'a11y-keyboard-case-assigned');
  });

  it("opens the contacts behind a point on the XmR chart, and Escape closes Explore's filter menus", async () => {
    await tabTo(page, (f) => f.href === '/charts', 'Charts link', { back: true, max: 200 });
    await page.keyboard.press('Enter');
    await page.getByTestId('xmr-hint').waitFor();
    // The chart itself takes the focus; the arrow keys move between its points and Enter opens one, as a click does.
    await tabTo(page, (f) => f.tag === 'svg' && f.within === 'xmr-chart', 'the XmR chart');
    await page.keyboard.press('ArrowLeft');
    await page.getByTestId('xmr-chart').locator('.recharts-tooltip-wrapper').waitFor({ state: 'visible' });
    await shot(page, 'a11y-keyboard-xmr-point');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/contacts\?/);
    await page.getByTestId('contacts-table').waitFor();
    const byChart = new URL(page.url()).searchParams;
    expect([byChart.get('kpi'), byChart.get('from') !== null, byChart.get('to') !== null]).toEqual(['csat', true, true]);
    await page.goBack();
    await page.getByTestId('xmr-hint').waitFor();
    // The chart's points as a list: open it with Enter, then the latest point's link.
    await tabTo(page, (f) => f.tag === 'summary' && /points as a list/.test(f.text), 'list of XmR points');
    await page.keyboard.press('Enter');
    const point = await tabTo(page, (f) => f.testId === 'xmr-point-link', 'an XmR point link');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/contacts\?/);
    await page.getByTestId('contacts-table').waitFor();
    expect(new URL(page.url(), server.baseUrl).search).toBe(new URL(point.href!, server.baseUrl).search);
    const api = (await (await fetch(`${server.baseUrl}/api/v1/contacts${new URL(page.url()).search}`, { headers: { cookie: managerCookie } })).json()) as ContactsReply;
    expect(api.total).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('contacts-summary').innerText()).toContain(`${api.total.toLocaleString('en-GB')} contacts count towards CSAT`);
    // And on to one contact.
    await tabTo(page, (f) => f.testId === 'contact-link', 'a contact link');
    await page.keyboard.press('Enter');
    await page.getByTestId('contact-timeline').waitFor();

    await tabTo(page, (f) => f.href === '/explore', 'Explore link', { back: true, max: 200 });
    await page.keyboard.press('Enter');
    await page.getByTestId('segment-bars').waitFor();
    const summary = await tabTo(page, (f) => f.tag === 'summary' && /^Channels/.test(f.text), 'Channels filter');
    expect(summary.text).toMatch(/^Channels/);
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('filter-channels').getAttribute('open')).not.toBeNull();
    await page.keyboard.press('Tab');
    expect((await focused(page)).tag).toBe('input');
    await page.keyboard.press('Space');
    await page.waitForURL(/channels=/);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('filter-channels').getAttribute('open')).toBeNull();
    expect((await focused(page)).tag).toBe('summary');
    expect(errors).toEqual([]);
  });
});
