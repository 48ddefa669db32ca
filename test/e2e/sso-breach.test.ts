/**
 * Issue 20's acceptance in one browser run: a team leader signs in through a real OpenID provider (oidc-provider on a
 * loopback port), asks for notices by email on the Account page, and when their team's CSAT goes off target an email
 * reaches a real SMTP server and a signed webhook reaches a receiver, both on loopback, with the signature verified
 * against the secret the webhook was given. The server is the product as `npm start` runs it (a child process), on the
 * real clock: the breach is held for 0 minutes here (NOTIFY_BREACH_SUSTAIN_MINUTES=0) and the watcher looks every 30 s.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifySignature } from '../../server/notifications/signature.js';
import { launchBrowser, shot, watchErrors } from '../support/browser.js';
import { freePort, ROOT, setUpFirstAdmin, startChildServer, type ChildServer } from '../support/child-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks.js';
import { startMailSink, type MailSink } from '../support/mail.js';
import { CLIENT_ID, CLIENT_SECRET, startProvider, type TestProvider } from '../support/oidc.js';
import { ORG } from '../support/people.js';
import { tempDir } from '../support/stores.js';

let provider: TestProvider;
let server: ChildServer;
let browser: Browser;
let mail: MailSink;
let receiver: WebhookReceiver;
let receiverUrl = '';
let admin: { cookie: string; csrf: string };
const errors: string[] = [];
const dataDir = tempDir('frontline-e2e-sso-breach-');

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  mail = await startMailSink();
  receiver = await startWebhookReceiver(() => 204);
  receiverUrl = `${receiver.url}/billing`;
  provider = await startProvider();
  const port = await freePort();
  provider.ready([`http://127.0.0.1:${port}/api/v1/auth/oidc/callback`]);
  provider.accounts.set('tina', { name: 'Tina Lead', preferred_username: 'tina', email: 'tina@billing.test', groups: ['frontline-team-leaders'], teams: ['t-billing'] });
  server = await startChildServer(
    {
      PORT: String(port),
      DATA_DIR: dataDir,
      SIMULATOR: 'off',
      LOG_LEVEL: 'warn',
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_DISPLAY_NAME: 'Centre login',
      OIDC_ROLE_CLAIM: 'groups',
      OIDC_ROLE_MAP: JSON.stringify({ 'frontline-team-leaders': 'team_leader' }),
      OIDC_TEAM_CLAIM: 'teams',
      SMTP_URL: mail.url,
      SMTP_FROM: 'Frontline <frontline@centre.test>',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      NOTIFY_BREACH_SUSTAIN_MINUTES: '0',
    },
    60_000,
  );
  admin = await setUpFirstAdmin(server, 'amber kettles whistle at dawn');
  expect((await adminCall('PUT', '/api/v1/directory', ORG)).status).toBe(200);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  await provider?.close();
  await mail?.close();
  await receiver?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function adminCall(method: string, url: string, body: unknown): Promise<Response> {
  return fetch(`${server.baseUrl}${url}`, { method, headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf }, body: JSON.stringify(body) });
}

/** A handled voice contact on Billing's queue, answered by Ann, with a survey: `csat` out of 5. */
function surveyed(csat: number, atMs: number): object[] {
  const contactId = `c-${randomUUID()}`;
  const t = (s: number) => new Date(atMs + s * 1000).toISOString();
  return [
    { id: randomUUID(), type: 'contact.offered', occurredAt: t(0), contactId, channel: 'voice', queueId: 'voice-billing' },
    { id: randomUUID(), type: 'contact.answered', occurredAt: t(5), contactId, agentId: 'a-ann' },
    { id: randomUUID(), type: 'contact.ended', occurredAt: t(200), contactId, agentId: 'a-ann', talkSeconds: 180, holdSeconds: 0, wrapSeconds: 15, resolved: true },
    { id: randomUUID(), type: 'survey.responded', occurredAt: t(260), contactId, csat },
  ];
}

it('a team leader signed in through the provider gets an email and their team a signed webhook when CSAT breaches', async () => {
  // The admin sets Billing's CSAT target and a webhook for Billing's breaches; the secret is shown this once.
  const target = await adminCall('POST', '/api/v1/targets', { kpi: 'csat', scope: 'team:t-billing', threshold: 0.8, direction: 'up', tolerance: 0.05, effectiveFrom: '2026-01-01', reviewDate: '2027-12-31', owner: 'Ada', objective: 'Billing customers leave satisfied' });
  expect(target.status).toBe(201);
  const hook = await adminCall('POST', '/api/v1/notifications/endpoints', { channel: 'webhook', name: 'Billing chat-ops', scope: 'team:t-billing', address: receiverUrl, kinds: ['kpi_breach'] });
  expect(hook.status).toBe(201);
  const secret = ((await hook.json()) as { secret: string }).secret;

  // Tina signs in with the provider and lands as Billing's team leader.
  const page = watchErrors(await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage(), errors);
  await page.goto(server.baseUrl);
  await page.getByRole('link', { name: 'Sign in with Centre login' }).click();
  await page.waitForURL((u) => u.origin === provider.issuer);
  await page.locator('input[name="login"]').fill('tina');
  await page.locator('input[name="password"]').fill('whatever the provider asks');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.origin === server.baseUrl);
  await expect.poll(() => page.getByTestId('who').innerText()).toMatch(/Tina Lead · Team leader/);

  // On the Account page she asks for email, breaches immediately.
  await page.getByTestId('who').click();
  const form = page.getByTestId('notification-settings');
  await form.getByLabel('Email address').fill('tina@billing.test');
  await form.getByLabel('Send me email notifications').check();
  await form.getByLabel('KPI off target: Immediately').check();
  await form.getByRole('button', { name: 'Save notification settings' }).click();
  await form.getByText('Notification settings saved.').waitFor();

  // Ten surveys of 1 in the last half hour: Billing's CSAT today is 0% against 80%.
  const key = ((await (await adminCall('POST', '/api/v1/apikeys', { name: 'crm', scopes: ['ingest'] })).json()) as { key: string }).key;
  const start = Date.now() - 30 * 60_000;
  const events = Array.from({ length: 10 }, (_, i) => surveyed(1, start + i * 60_000)).flat();
  const posted = await fetch(`${server.baseUrl}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(events) });
  expect(posted.status).toBe(200);

  // The watcher looks every 30 s; the sender every 2 s.
  await expect.poll(() => mail.mails.filter((m) => m.to.includes('tina@billing.test')).length, { timeout: 75_000, interval: 500 }).toBe(1);
  await expect.poll(() => receiver.got.length, { timeout: 30_000, interval: 500 }).toBe(1);
  const email = mail.mails.find((m) => m.to.includes('tina@billing.test'))!;
  expect(email.subject).toBe('[Frontline] CSAT off target for team Billing: 0.0% against 80.0%');
  expect(email.text).toContain(`${server.baseUrl}/explore?scope=team%3At-billing`);
  const delivered = receiver.got[0]!;
  expect(delivered.headers['x-frontline-event']).toBe('kpi_breach');
  expect(verifySignature(secret, delivered.headers['x-frontline-signature'] as string, delivered.body, Math.floor(Date.now() / 1000))).toEqual({ ok: true });
  // One changed byte and the signature no longer holds.
  expect(verifySignature(secret, delivered.headers['x-frontline-signature'] as string, delivered.body.replace('"csat"', '"fcr"'), Math.floor(Date.now() / 1000)).ok).toBe(false);
  expect(JSON.parse(delivered.body)).toMatchObject({ type: 'kpi_breach', data: { scope: 'team:t-billing', kpi: 'csat', value: 0, threshold: 0.8 } });

  // The delivery shows in the log the admin reads; Tina's own dashboard shows the breach.
  const log = (await (await fetch(`${server.baseUrl}/api/v1/notifications/deliveries`, { headers: { cookie: admin.cookie } })).json()) as unknown;
  expect(JSON.stringify(log)).toContain('Billing chat-ops');
  await page.goto(server.baseUrl);
  await page.getByTestId('who').waitFor();
  await shot(page, 'sso-breach-team-leader-dashboard');
  expect(errors).toEqual([]);
}, 180_000);
