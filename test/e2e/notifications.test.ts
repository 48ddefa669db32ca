/**
 * Notifications in Chromium against the server as `npm start` runs it, with a real SMTP server and a webhook receiver
 * on loopback ports: an admin saves their own notification settings on the Account page and gets the test email; adds
 * a centre webhook on the Notifications page, sees its secret once, tests it against a receiver that fails once, and
 * the delivery log shows the failed attempt and the delivery. Screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifySignature } from '../../server/notifications/signature.js';
import { launchBrowser, navTo, shot, watchErrors } from '../support/browser.js';
import { ROOT, startChildServer, type ChildServer } from '../support/child-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks.js';
import { startMailSink, type MailSink } from '../support/mail.js';
import { cookieFrom, ORG } from '../support/people.js';
import { tempDir } from '../support/stores.js';

let server: ChildServer;
let browser: Browser;
let page: Page;
let mail: MailSink;
let receiver: WebhookReceiver;
let receiverUrl = '';
const errors: string[] = [];
const dataDir = tempDir('frontline-e2e-notify-');
const PASSWORD = 'amber kettles whistle at dawn';

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  mail = await startMailSink();
  // The first delivery is answered 503, every later one 204.
  receiver = await startWebhookReceiver((_path, before) => (before.length === 0 ? 503 : 204));
  receiverUrl = `${receiver.url}/frontline`;
  server = await startChildServer({ DATA_DIR: dataDir, SIMULATOR: 'off', LOG_LEVEL: 'warn', SMTP_URL: mail.url, SMTP_FROM: 'Frontline <frontline@centre.test>', PUBLIC_URL: 'https://frontline.centre.test', NOTIFY_RETRY_BASE_SECONDS: '1' }, 60_000);
  let code: string | undefined;
  for (let i = 0; i < 100 && !code; i++) {
    code = server.setupCode();
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  const setup = await fetch(`${server.baseUrl}/api/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ setupCode: code, username: 'ada', displayName: 'Ada Admin', password: PASSWORD }) });
  expect(setup.status).toBe(201);
  const cookie = cookieFrom(setup, 'fl_session');
  const me = (await (await fetch(`${server.baseUrl}/api/v1/session`, { headers: { cookie } })).json()) as { principal: { csrfToken: string } };
  const dir = await fetch(`${server.baseUrl}/api/v1/directory`, { method: 'PUT', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': me.principal.csrfToken }, body: JSON.stringify(ORG) });
  expect(dir.status).toBe(200);
  browser = await launchBrowser();
  page = watchErrors(await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage(), errors);
  await page.goto(server.baseUrl);
  await page.getByLabel('Username').fill('ada');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  await mail?.close();
  await receiver?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function waitFor<T>(what: string, read: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('the Account page keeps my notification settings, and its test email arrives', async () => {
  await page.getByTestId('who').click();
  const form = page.getByTestId('notification-settings');
  await form.getByLabel('Email address').fill('ada@centre.test');
  await form.getByLabel('Send me email notifications').check();
  await form.getByLabel('KPI back on target: In my digest').check();
  await form.getByLabel('Data source silent: Immediately').check();
  await form.getByLabel('My time zone').fill('Europe/London');
  await form.getByLabel(/Quiet hours/).check();
  await form.getByRole('button', { name: 'Save notification settings' }).click();
  await form.getByText('Notification settings saved.').waitFor();
  await page.reload();
  await expect.poll(() => page.getByTestId('notification-settings').getByLabel('Email address').inputValue()).toBe('ada@centre.test');
  expect(await page.getByTestId('notification-settings').getByLabel('KPI back on target: In my digest').isChecked()).toBe(true);
  expect(await page.getByTestId('notification-settings').getByLabel('From').inputValue()).toBe('20:00');
  await page.getByTestId('notification-settings').getByRole('button', { name: 'Send me a test email' }).click();
  await page.getByTestId('notification-settings').getByText('Test email queued').waitFor();
  const m = await waitFor('the test email', () => mail.mails.find((x) => x.to.includes('ada@centre.test')));
  expect(m.subject).toBe('[Frontline] Test notification requested by ada');
  expect(m.text).toContain('https://frontline.centre.test/account');
  await page.getByTestId('notification-settings').scrollIntoViewIfNeeded();
  await shot(page, 'notifications-account-1440x900', { fullPage: true });
});

it('an admin adds a centre webhook, sees its secret once, and the delivery log shows a failed attempt then the delivery', async () => {
  await navTo(page, 'Notifications');
  await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
  await page.getByLabel('Name').fill('Ops pager');
  await page.getByLabel('URL').fill(receiverUrl);
  await page.getByLabel('Data source silent').check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secret = (await page.getByTestId('webhook-secret').locator('code').innerText()).trim();
  expect(secret).toMatch(/^whsec_/);
  const row = page.getByTestId('endpoints').getByRole('row', { name: /Ops pager/ });
  await expect.poll(() => row.innerText()).toContain('Whole centre');
  await row.getByRole('button', { name: 'Test' }).click();
  // First answer 503, retried about a second later (NOTIFY_RETRY_BASE_SECONDS=1), then 204.
  const log = page.getByTestId('delivery-log');
  await expect.poll(async () => log.getByRole('row', { name: /Ops pager/ }).innerText(), { timeout: 30_000, interval: 500 }).toContain('Delivered');
  const text = await log.getByRole('row', { name: /Ops pager/ }).innerText();
  expect(text).toMatch(/failed \(503\)/);
  expect(text).toMatch(/delivered \(204\)/);
  expect(receiver.got.map((g) => g.answered)).toEqual([503, 204]);
  const last = receiver.got[1]!;
  expect(last.headers['x-frontline-event']).toBe('test');
  expect(verifySignature(secret, last.headers['x-frontline-signature'] as string, last.body, Math.floor(Date.now() / 1000))).toEqual({ ok: true });
  await page.reload();
  await page.getByTestId('endpoints').waitFor();
  expect(await page.content()).not.toContain(secret);
  await shot(page, 'notifications-admin-1440x900', { fullPage: true });
  expect(errors).toEqual([]);
});
