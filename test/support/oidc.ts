/**
 * A real OpenID provider (oidc-provider) on a loopback port, for the single sign-on tests, and a fetch-driven
 * browser that goes through its sign-in and consent pages. The provider listens first (so its issuer URL, which
 * holds the port, is known), and is built once the Frontline server's callback address is known.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'frontline';
export const CLIENT_SECRET = 'a-test-client-secret-of-reasonable-length';

export interface TestProvider {
  issuer: string;
  /** Claims per account id; change them between sign-ins to model the provider changing someone's groups. */
  accounts: Map<string, Record<string, unknown>>;
  /** Registers the Frontline callback and starts answering. */
  ready(redirectUris: string[]): void;
  close(): Promise<void>;
}

export async function startProvider(): Promise<TestProvider> {
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end('provider not ready');
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, Record<string, unknown>>();
  return {
    issuer,
    accounts,
    ready(redirectUris) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
        findAccount: (_ctx, id) => {
          const claims = accounts.get(id);
          return claims ? { accountId: id, claims: () => ({ sub: id, ...claims }) } : undefined;
        },
        // The access claims ride on the profile scope and go into the ID token, as Keycloak, Entra ID and Okta can be set to do.
        claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups', 'teams', 'agent_id'], email: ['email'] },
        conformIdTokenClaims: false,
        pkce: { required: () => true },
        features: { devInteractions: { enabled: true } },
        cookies: { keys: ['test-provider-cookie-key'] },
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      });
      handler = provider.callback();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A cookie jar per origin, enough for one browser's trip through the provider and back. */
export class Jar {
  private readonly jar = new Map<string, Map<string, string>>();

  take(url: string, res: Response): void {
    const origin = new URL(url).origin;
    const mine = this.jar.get(origin) ?? new Map<string, string>();
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      if (!name) continue;
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) mine.delete(name);
      else mine.set(name, value);
    }
    this.jar.set(origin, mine);
  }

  header(url: string): string {
    return [...(this.jar.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).origin)?.get(name);
  }

  set(url: string, name: string, value: string): void {
    const origin = new URL(url).origin;
    const mine = this.jar.get(origin) ?? new Map<string, string>();
    mine.set(name, value);
    this.jar.set(origin, mine);
  }
}

export async function visit(jar: Jar, url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { cookie: jar.header(url) };
  if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method: init.method ?? 'GET', headers, redirect: 'manual', ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}) });
  jar.take(url, res);
  return res;
}

export interface Trip {
  /** The provider address Frontline sent the browser to. */
  authorizeUrl: string;
  /** The Frontline callback address the provider sent the browser back to. */
  callbackUrl: string;
}

/**
 * From Frontline's "Sign in with ..." through the provider's sign-in and consent pages, stopping at the callback
 * address (not visited, so a test can tamper with it). `rewrite` may change the provider address first.
 */
export async function toCallback(jar: Jar, frontline: string, login: string, rewrite: (u: URL) => URL = (u) => u): Promise<Trip> {
  const start = await visit(jar, `${frontline}/api/v1/auth/oidc/start`);
  if (start.status !== 303) throw new Error(`start answered ${start.status}: ${await start.text()}`);
  const authorizeUrl = rewrite(new URL(start.headers.get('location') ?? '')).href;
  let url = authorizeUrl;
  for (let hop = 0; hop < 12; hop++) {
    if (url.startsWith(`${frontline}/api/v1/auth/oidc/callback`)) return { authorizeUrl, callbackUrl: url };
    const res = await visit(jar, url);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location') ?? '', url).href;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`provider answered ${res.status} at ${url}: ${html.slice(0, 400)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`no sign-in or consent form at ${url}: ${html.slice(0, 400)}`);
    const submit = await visit(jar, new URL(action.replace(/&amp;/g, '&'), url).href, { method: 'POST', form: prompt === 'login' ? { prompt, login, password: 'any' } : { prompt } });
    if (submit.status < 300 || submit.status >= 400) throw new Error(`provider form answered ${submit.status}: ${(await submit.text()).slice(0, 400)}`);
    url = new URL(submit.headers.get('location') ?? '', url).href;
  }
  throw new Error('too many redirects between Frontline and the provider');
}

/** Visits the callback; returns where Frontline sent the browser and the session cookie it set, if any. */
export async function finishAt(jar: Jar, frontline: string, callbackUrl: string): Promise<{ status: number; location: string; session: string | undefined }> {
  const res = await visit(jar, callbackUrl);
  const location = res.headers.get('location') ?? '';
  return { status: res.status, location, session: jar.get(frontline, 'fl_session') };
}

/** The whole trip for one person in a fresh browser. */
export async function signInWithSso(frontline: string, login: string): Promise<{ jar: Jar; status: number; location: string; session: string | undefined }> {
  const jar = new Jar();
  const trip = await toCallback(jar, frontline, login);
  return { jar, ...(await finishAt(jar, frontline, trip.callbackUrl)) };
}
