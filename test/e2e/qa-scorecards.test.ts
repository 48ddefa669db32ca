/**
 * QA scorecards and calibration in Chromium (issue 19, parts 1 and 4), against the product as `npm start` runs it:
 * - a manager starts a card from the HEAT template (its standards created on use), sees the live check clear, and
 *   publishes version 1; the card shows its criteria with their standards and its version history;
 * - the manager opens a calibration session on a simulated contact with a coach and a team leader, scores it in the
 *   shared answering form, and sees nobody else's answers; once the other two have scored, the page shows the spread
 *   with flagged criteria marked in words (not colour alone) and each evaluator's score against the mean.
 * Every page is checked with axe (WCAG 2.1 AA); screenshots go to test-results/. E2E_PORT pins the server's port.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactsReply } from '../../shared/contacts.js';
import type { Directory } from '../../shared/directory.js';
import { expectAccessible, launchBrowser, navTo, shot, watchErrors } from '../support/browser.js';
import { ROOT, setUpFirstAdmin, startChildServer, type ChildServer } from '../support/child-server.js';
import { cookieFrom } from '../support/people.js';
import { HEAT_CALIBRATION } from '../support/qa-calibration-fixture.js';
import { tempDir } from '../support/stores.js';

let server: ChildServer;
let browser: Browser;
let page: Page;
const PASSWORD = 'amber kettles whistle at dawn';
const errors: string[] = [];
const ids: Record<string, string> = {};
let admin: { cookie: string; csrf: string };

async function as(who: { cookie: string; csrf: string }, method: string, p: string, body?: unknown): Promise<Response> {
  return fetch(`${server.baseUrl}${p}`, { method, headers: { 'content-type': 'application/json', cookie: who.cookie, 'x-csrf-token': who.csrf }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

async function session(username: string): Promise<{ cookie: string; csrf: string }> {
  const cookie = cookieFrom(await fetch(`${server.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) }), 'fl_session');
  const me = (await (await fetch(`${server.baseUrl}/api/v1/session`, { headers: { cookie } })).json()) as { principal: { csrfToken: string } };
  return { cookie, csrf: me.principal.csrfToken };
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  server = await startChildServer({ DATA_DIR: tempDir('frontline-e2e-qa-'), SIM_SEED: '9', SIM_BACKFILL_DAYS: '3', LOG_LEVEL: 'warn', ...(process.env.E2E_PORT ? { PORT: process.env.E2E_PORT } : {}) }, 120_000);
  admin = await setUpFirstAdmin(server, PASSWORD);
  const dir = ((await (await as(admin, 'GET', '/api/v1/directory')).json()) as { directory: Directory }).directory;
  for (const [username, displayName, role, extra] of [
    ['max', 'Max Manager', 'manager', {}],
    ['cora', 'Cora Coach', 'coach', {}],
    ['tom', 'Tom Lead', 'team_leader', { teamIds: [dir.teams[0]!.id] }],
  ] as const) {
    const res = await as(admin, 'POST', '/api/v1/users', { username, displayName, role, password: PASSWORD, ...extra });
    expect(res.status).toBe(201);
    ids[username] = ((await res.json()) as { user: { id: string } }).user.id;
  }
  browser = await launchBrowser();
  page = watchErrors(await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage(), errors);
  await page.goto(server.baseUrl);
  await page.getByLabel('Username').fill('max');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill();
});

describe('QA in the browser', () => {
  it('a manager authors a card from the HEAT template and publishes it', async () => {
    await navTo(page, 'QA');
    await page.getByRole('navigation', { name: 'Quality monitoring' }).getByRole('link', { name: 'Scorecards' }).click();
    await page.getByRole('heading', { name: 'Scorecards', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'New scorecard' }).click();
    // A blank card: the live check lists what the server would refuse, and publishing waits for it to clear.
    const check = page.getByRole('status').filter({ hasText: 'Check before publishing' });
    await expect(check.textContent()).resolves.toMatch(/Section 1, criterion 1, standard: link each criterion to the service standard/);
    await expect(page.getByRole('button', { name: 'Publish version 1' }).isDisabled()).resolves.toBe(true);
    await page.getByLabel('Start from a template').selectOption({ label: 'Complaint handling (HEAT)' });
    await page.getByRole('button', { name: 'Use template' }).click();
    await page.getByRole('status').filter({ hasText: '5 standards added' }).waitFor();
    await expect(page.getByLabel('Take ownership: said what they will do and by when: standard').inputValue()).resolves.not.toBe('');
    await expect(check.isHidden()).resolves.toBe(true);
    await expectAccessible(page, 'scorecard editor');
    await shot(page, 'qa-scorecard-editor', { fullPage: true });
    await page.getByRole('button', { name: 'Publish version 1' }).click();
    await page.getByRole('heading', { name: 'Version history' }).waitFor();
    await expect(page.getByRole('heading', { name: 'Complaint handling (HEAT)', level: 1 }).isVisible()).resolves.toBe(true);
    const table = page.getByRole('table');
    for (const step of ['Hear', 'Empathise', 'Apologise', 'Take ownership']) await expect(table.getByText(new RegExp(`^${step}:`)).count()).resolves.toBe(1);
    await expect(table.getByText('CMP-4: Take ownership: say what you will do and by when').isVisible()).resolves.toBe(true);
    await expect(page.getByText('first version').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'scorecard');
    await shot(page, 'qa-scorecard', { fullPage: true });
    await navTo(page, 'QA');
    await page.getByRole('navigation', { name: 'Quality monitoring' }).getByRole('link', { name: 'Scorecards' }).click();
    await page.getByRole('link', { name: 'Complaint handling (HEAT)' }).waitFor();
    await expectAccessible(page, 'scorecards list');
    await shot(page, 'qa-scorecards');
  });

  it('three evaluators calibrate a contact blind; the reveal flags the criteria they read differently', async () => {
    const now = Date.now();
    const list = (await (await as(admin, 'GET', `/api/v1/contacts?from=${new Date(now - 2 * 86_400_000).toISOString()}&to=${new Date(now).toISOString()}&limit=50`)).json()) as ContactsReply;
    const contact = list.contacts.find((c) => c.agentId !== null && c.outcome === 'answered');
    expect(contact, 'the simulator answered contacts in the last two days').toBeDefined();

    await page.getByRole('navigation', { name: 'Quality monitoring' }).getByRole('link', { name: 'Calibration' }).click();
    const form = page.getByRole('form', { name: 'Open a calibration session' });
    await form.getByLabel('Title').fill('Complaint calibration, week 49');
    await form.getByLabel('Contact id').fill(contact!.contactId);
    await form.getByLabel('Scorecard').selectOption({ label: 'Complaint handling (HEAT) (v1)' });
    for (const name of ['Max Manager', 'Cora Coach', 'Tom Lead']) await form.getByLabel(name).check();
    await expectAccessible(page, 'calibrations list');
    await form.getByRole('button', { name: 'Open the session' }).click();
    await page.getByRole('heading', { name: 'Score the contact' }).waitFor();
    const calId = page.url().split('/').pop() as string;

    // The manager answers as evaluator 1 of the fixture, in the shared form.
    const labels: Record<string, string> = { hear: 'Hear: let the customer explain without interrupting', empathise: 'Empathise: acknowledged how the customer feels', apologise: 'Apologise: a sincere apology for the experience', 'take-ownership': 'Take ownership: said what they will do and by when', resolve: 'Resolved the complaint or agreed the next steps', 'confirm-close': 'Confirmed the outcome and closed warmly', record: 'Recorded the complaint correctly' };
    const words = (v: string | number) => (v === 'met' ? 'Met' : v === 'not_met' ? 'Not met' : v === 'na' ? 'N/A' : `${v} of 5`);
    for (const a of HEAT_CALIBRATION.e1) await page.getByRole('radiogroup', { name: `${labels[a.key]}: answer` }).getByLabel(words(a.value), { exact: true }).check();
    await expect(page.getByText('Score 96.3 of 100').isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Submit my scores' }).click();
    await page.getByText('Your scores are in.').waitFor();
    // Blind: only the manager's own answers are on the page; the others are "not yet".
    await expect(page.getByRole('heading', { name: 'Spread per criterion' }).count()).resolves.toBe(0);
    await expect(page.getByText('1 of 3 submitted').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'calibration session, blind');
    await shot(page, 'qa-calibration-blind', { fullPage: true });

    for (const [who, answers] of [['cora', HEAT_CALIBRATION.e2], ['tom', HEAT_CALIBRATION.e3]] as const) {
      expect((await as(await session(who), 'PUT', `/api/v1/qa/calibrations/${calId}/score`, { answers })).status).toBe(200);
    }
    await page.reload();
    const spread = page.getByRole('table').filter({ hasText: 'Agreement' });
    await spread.waitFor();
    const row = (label: string) => spread.getByRole('row').filter({ hasText: label });
    await expect(row(labels.hear!).textContent()).resolves.toMatch(/⚑ Flagged: evaluators disagree on met \/ not met/);
    await expect(row(labels.empathise!).textContent()).resolves.toMatch(/⚑ Flagged: ratings 3 points apart/);
    await expect(row(labels['confirm-close']!).textContent()).resolves.toMatch(/⚑ Flagged: some marked it N\/A, others scored it/);
    await expect(row(labels.apologise!).textContent()).resolves.toMatch(/✓ All agree/);
    await expect(row(labels.resolve!).textContent()).resolves.toMatch(/Close \(within one point\)/);
    await expect(page.getByText('Mean 83.1 · SD 19.0 · range 61.3 to 96.3 (35.0 points)').isVisible()).resolves.toBe(true);
    const scores = page.getByRole('table').filter({ hasText: 'From the mean' });
    await expect(scores.getByRole('row').filter({ hasText: 'Tom Lead' }).textContent()).resolves.toMatch(/61\.3.*−21\.8.*Harsh/);
    await expectAccessible(page, 'calibration session, revealed');
    await shot(page, 'qa-calibration-revealed', { fullPage: true });
    expect(errors).toEqual([]);
  });
});
