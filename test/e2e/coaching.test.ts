/**
 * The coaching workflow in Chromium against the product as `npm start` runs it: the simulator backfills six weeks
 * with injected scenarios, the flagger files cases, and then
 * - a coach opens a flagged case from the New inbox, takes it, plans the session and records it with a SMART action;
 * - the agent the case is about signs in, reads it, writes a reflection and acknowledges it; the coach's open page
 *   shows the acknowledgement live, with a toast;
 * - the follow-up review shows the before/after comparison on equal windows with intervals, and the coach closes
 *   the case with an outcome; the trail lists every step.
 * Screenshots of each step go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../shared/access.js';
import { launchBrowser, shot, watchErrors, navTo } from '../support/browser.js';
import { ROOT, setUpFirstAdmin, startChildServer, type ChildServer } from '../support/child-server.js';
import { cookieFrom } from '../support/people.js';
import { tempDir } from '../support/stores.js';

let server: ChildServer;
let browser: Browser;
let coachPage: Page;
let agentPage: Page;
const dataDir = tempDir('frontline-e2e-coach-');
const PASSWORD = 'amber kettles whistle at dawn';
const DAY = 86_400_000;
const errors: string[] = [];
let admin: { cookie: string; csrf: string };
let flagged: CaseSummary;

/** A datetime-local value in this machine's zone (the browser runs on the same machine). */
function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const watch = (page: Page): Page => watchErrors(page, errors);

async function api(method: string, p: string, body?: unknown): Promise<Response> {
  return fetch(`${server.baseUrl}${p}`, { method, headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(server.baseUrl);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor();
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  server = await startChildServer({ DATA_DIR: dataDir, SIM_SEED: '7', LOG_LEVEL: 'warn' }, 120_000);
  const { cookie, csrf } = await setUpFirstAdmin(server, PASSWORD);
  admin = { cookie, csrf };
  expect((await api('POST', '/api/v1/users', { username: 'cora', displayName: 'Cora Coach', role: 'coach', password: PASSWORD })).status).toBe(201);
  expect((await api('POST', '/api/v1/users', { username: 'max', displayName: 'Max Manager', role: 'manager', password: PASSWORD })).status).toBe(201);
  // The flagger runs in the background after the backfill: wait for its individual cases.
  const max = cookieFrom(await fetch(`${server.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'max', password: PASSWORD }) }), 'fl_session');
  const deadline = Date.now() + 150_000;
  let cases: CaseSummary[] = [];
  while (Date.now() < deadline) {
    cases = ((await (await fetch(`${server.baseUrl}/api/v1/cases?status=open&kind=individual`, { headers: { cookie: max } })).json()) as { cases: CaseSummary[] }).cases;
    if (cases.length > 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  expect(cases.length, 'the flagger filed individual cases from the simulated history').toBeGreaterThan(0);
  // The oldest case: its session can be dated in the past with a full after-window of data behind it.
  flagged = cases.reduce((a, b) => (Date.parse(a.openedAt) <= Date.parse(b.openedAt) ? a : b));
  expect(Date.now() - Date.parse(flagged.openedAt), 'a case opened long enough ago for a 3-day review').toBeGreaterThan(6 * DAY);
  expect((await api('POST', '/api/v1/users', { username: 'agent', displayName: 'The Agent', role: 'agent', agentId: flagged.agentId, password: PASSWORD })).status).toBe(201);
  browser = await launchBrowser();
  coachPage = watch(await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage());
  agentPage = watch(await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage());
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('coaching a flagged case in the browser', () => {
  it('a coach opens the flagged case from the New inbox, takes it, plans and records the session with an action', async () => {
    await signIn(coachPage, 'cora');
    await navTo(coachPage, 'Coaching');
    await coachPage.getByTestId('inbox-new').click();
    await coachPage.getByTestId('inbox-row').first().waitFor();
    await shot(coachPage, 'coaching-1-inbox-new', { fullPage: true });
    await coachPage.locator(`a[href="/cases/${flagged.id}"]`).click();
    await coachPage.getByTestId('case-explanation').waitFor();
    // The explanation names the agent, their team and queue by name (stored as tokens), never by id.
    const agentName = ((await (await api('GET', '/api/v1/directory')).json()) as { directory: { agents: { id: string; name: string }[] } }).directory.agents.find((a) => a.id === flagged.agentId)?.name;
    await expect.poll(() => coachPage.getByTestId('case-explanation').innerText()).toContain(`for ${agentName ?? '?'}`);
    expect(await coachPage.getByTestId('case-explanation').innerText()).not.toMatch(/\{(agent|team|queue):|\ba-\d/);
    expect(await coachPage.getByTestId('assignee').innerText()).toBe('Nobody yet');
    await coachPage.getByRole('button', { name: 'Take this case' }).click();
    await expect.poll(() => coachPage.getByTestId('assignee').innerText()).toBe('You (Cora Coach)');

    // The session is dated a day after the flag, so the review can compare three days either side of it.
    const held = Date.parse(flagged.openedAt) + DAY + 10 * 3600_000;
    await coachPage.getByPlaceholder(/Listen to three/).fill('Listen to two flagged calls together; agree one habit.');
    await coachPage.locator('[data-testid="session-panel"] input[type="datetime-local"]').first().fill(localInput(held));
    await coachPage.getByRole('button', { name: 'Save plan' }).click();
    await expect.poll(() => coachPage.getByTestId('case-stage').innerText()).toBe('Session planned');

    await coachPage.getByTestId('record-session').click();
    const form = coachPage.getByTestId('session-form');
    await form.locator('input[type="datetime-local"]').fill(localInput(held));
    await form.getByLabel('Session notes').fill('Walked through two calls; agent agreed the wrap-up was rushed.');
    await form.getByLabel('Action 1 text').fill('Summarise the fix before closing every call');
    await form.getByLabel('Action 1 measure').fill('Seen in 5 sampled calls');
    await form.getByLabel('Action 1 due').fill(localInput(Date.now() + 7 * DAY).slice(0, 10));
    await form.getByLabel('Follow-up date').fill(localInput(held + 4 * DAY).slice(0, 10));
    await form.getByLabel('Compare windows of (days)').fill('3');
    // A vague action is refused with the reason, and nothing is saved.
    await form.getByLabel('Action 1 measure').fill('ok');
    await form.getByRole('button', { name: 'Save session' }).click();
    await expect.poll(() => form.locator('.error').innerText()).toMatch(/how you will know it was done/);
    await form.getByLabel('Action 1 measure').fill('Seen in 5 sampled calls');
    await form.getByRole('button', { name: 'Save session' }).click();
    await coachPage.getByTestId('session-notes').waitFor();
    expect(await coachPage.getByTestId('session-notes').innerText()).toContain('wrap-up was rushed');
    expect(await coachPage.getByTestId('action-row').count()).toBe(1);
    await expect.poll(() => coachPage.getByTestId('case-stage').innerText()).toMatch(/Follow-up review due/);
    await shot(coachPage, 'coaching-2-session-recorded', { fullPage: true });
  });

  it('the agent reads it, reflects and acknowledges; the coach sees it live', async () => {
    await signIn(agentPage, 'agent');
    await navTo(agentPage, 'Coaching');
    await agentPage.locator(`a[href="/cases/${flagged.id}"]`).click();
    await agentPage.getByTestId('session-notes').waitFor();
    expect(await agentPage.getByTestId('assignee').innerText()).toBe('Cora Coach');
    // Agents see their case but no controls to change it.
    expect(await agentPage.getByRole('button', { name: 'Close case' }).count()).toBe(0);
    await agentPage.getByLabel('Reflection').fill('I was rushing wrap-up to keep handle time down.');
    await agentPage.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => agentPage.getByTestId('response').innerText()).toMatch(/Acknowledged/);
    await agentPage.getByRole('button', { name: 'Mark done' }).click();
    await expect.poll(() => agentPage.getByTestId('action-status').first().innerText()).toMatch(/done/);
    await shot(agentPage, 'coaching-3-agent-acknowledged', { fullPage: true });
    // The coach's page, open all along, updates without a reload, and a toast says who did what.
    await expect.poll(() => coachPage.getByTestId('response').innerText(), { timeout: 10_000 }).toMatch(/Acknowledged/);
    await expect.poll(() => coachPage.getByTestId('reflection').innerText()).toContain('rushing wrap-up');
    await expect.poll(() => coachPage.getByTestId('case-toast').first().innerText(), { timeout: 10_000 }).toMatch(/The Agent\s+(responded to the case|updated an action)/);
  });

  it('the follow-up review shows before and after with intervals; the coach closes the case', async () => {
    const review = coachPage.getByTestId('review-panel');
    await review.getByTestId('review-table').waitFor();
    const table = await review.getByTestId('review-table').innerText();
    // Three KPIs, each with before and after values, their n and a change with its interval.
    expect(table).toMatch(/CSAT/);
    expect(table).toMatch(/FCR \(survey\)/);
    expect(table).toMatch(/AHT/);
    expect(table).toMatch(/n \d+/);
    expect(await review.getByTestId('review-summary').innerText()).toMatch(/^(CSAT|FCR \(survey\)|AHT) /);
    await shot(coachPage, 'coaching-4-review', { fullPage: true });
    await coachPage.getByLabel('Outcome').selectOption('improved');
    await coachPage.getByLabel('Reason').fill('Handle time and CSAT back in line with peers after the session.');
    await coachPage.getByRole('button', { name: 'Close case' }).click();
    await coachPage.getByTestId('outcome-panel').waitFor();
    expect(await coachPage.getByTestId('outcome-panel').innerText()).toMatch(/Improved/);
    // The trail loads after the close lands (its own query): wait for the last entry rather than read it early.
    await coachPage.getByTestId('history-panel').getByText('closed the case').first().waitFor();
    const trail = await coachPage.getByTestId('history-panel').innerText();
    for (const words of ['flagged the case', 'assigned the case', 'planned the session', 'recorded the session', 'responded to the case', 'updated an action', 'closed the case']) expect(trail).toContain(words);
    await shot(coachPage, 'coaching-5-closed', { fullPage: true });
    expect(errors).toEqual([]);
  });
});
