/**
 * Single sign-on in Chromium: the product as `npm start` runs it, configured for a real OpenID provider
 * (oidc-provider on a loopback port). People click "Sign in with ...", sign in and consent on the provider's own
 * pages, and land in Frontline with the role their groups map to; someone whose groups map to nothing waits, and an
 * admin gives them a role on the People page. Screenshots go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSO_RESULTS } from '../../shared/sso.js';
import { launchBrowser, navTo, shot, watchErrors } from '../support/browser.js';
import { freePort, ROOT, setUpFirstAdmin, startChildServer, type ChildServer } from '../support/child-server.js';
import { CLIENT_ID, CLIENT_SECRET, startProvider, type TestProvider } from '../support/oidc.js';
import { ORG } from '../support/people.js';
import { tempDir } from '../support/stores.js';

let provider: TestProvider;
let server: ChildServer;
let browser: Browser;
const dataDir = tempDir('frontline-e2e-sso-');
const ADMIN_PASSWORD = 'amber kettles whistle at dawn';
const errors: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  provider = await startProvider();
  const port = await freePort();
  provider.ready([`http://127.0.0.1:${port}/api/v1/auth/oidc/callback`]);
  provider.accounts.set('maria', { name: 'Maria Manager', preferred_username: 'maria', email: 'maria@example.com', groups: ['frontline-managers'] });
  provider.accounts.set('walt', { name: 'Walt Waiting', preferred_username: 'walt', email: 'walt@example.com', groups: ['another-app'] });
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
      OIDC_ROLE_MAP: JSON.stringify({ 'frontline-managers': 'manager', 'frontline-admins': 'admin' }),
    },
    60_000,
  );
  const admin = await setUpFirstAdmin(server, ADMIN_PASSWORD);
  const dir = await fetch(`${server.baseUrl}/api/v1/directory`, { method: 'PUT', headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf }, body: JSON.stringify(ORG) });
  expect(dir.status).toBe(200);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  await provider?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** From Frontline's sign-in page through the provider's sign-in and consent pages. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.goto(server.baseUrl);
  await page.getByRole('link', { name: 'Sign in with Centre login' }).click();
  await page.waitForURL((u) => u.origin === provider.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('whatever the provider asks');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.origin === server.baseUrl);
}

describe('single sign-on in the browser', () => {
  it('signs in with the provider and lands on the dashboard as the role the groups map to', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = watchErrors(await context.newPage(), errors);
    await page.goto(server.baseUrl);
    await page.getByRole('link', { name: 'Sign in with Centre login' }).waitFor();
    await shot(page, 'sso-sign-in-page');
    await signInAtProvider(page, 'maria');
    await page.getByTestId('who').waitFor();
    expect(await page.getByTestId('who').innerText()).toContain('Maria Manager · Manager');
    expect(new URL(page.url()).pathname).toBe('/');
    await shot(page, 'sso-signed-in-manager');
    await context.close();
  });

  it('someone whose groups map to no role is told they wait for an administrator, who gives them one on the People page', async () => {
    const waiting = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const wPage = watchErrors(await waiting.newPage(), errors);
    await signInAtProvider(wPage, 'walt');
    await wPage.getByRole('alert').getByText(SSO_RESULTS.waiting).waitFor();
    expect(new URL(wPage.url()).search, 'the message code is tidied out of the address').toBe('');
    await shot(wPage, 'sso-waiting');

    const adminCtx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const aPage = watchErrors(await adminCtx.newPage(), errors);
    await aPage.goto(server.baseUrl);
    await aPage.getByLabel('Username').fill('ada');
    await aPage.getByLabel('Password').fill(ADMIN_PASSWORD);
    await aPage.getByRole('button', { name: 'Sign in' }).click();
    await aPage.getByTestId('who').waitFor();
    await navTo(aPage, 'People');
    const list = aPage.getByRole('region', { name: 'Waiting for access' });
    await list.getByRole('cell', { name: 'Walt Waiting' }).waitFor();
    expect(await list.innerText()).toContain('groups: another-app');
    await list.getByRole('button', { name: 'Give access' }).click();
    const form = aPage.getByRole('form', { name: 'Give access' });
    await form.getByLabel('Role').selectOption('coach');
    await shot(aPage, 'sso-people-give-access');
    await form.getByRole('button', { name: 'Give access' }).click();
    await list.waitFor({ state: 'detached' });
    const row = aPage.getByRole('row').filter({ hasText: 'walt' });
    await row.getByText('SSO', { exact: true }).waitFor();
    expect(await row.innerText()).toContain('Coach');
    expect(await aPage.getByRole('row').filter({ hasText: 'Maria Manager' }).innerText()).toContain('SSO (role from the provider)');
    await shot(aPage, 'sso-people-after');

    // The provider remembers Walt's sign-in and consent: the button takes him straight back, now with a role.
    await wPage.goto(server.baseUrl);
    await wPage.getByRole('link', { name: 'Sign in with Centre login' }).click();
    await wPage.getByTestId('who').waitFor();
    expect(await wPage.getByTestId('who').innerText()).toContain('Walt Waiting · Coach');
    await waiting.close();
    await adminCtx.close();
    expect(errors).toEqual([]);
  });
});
