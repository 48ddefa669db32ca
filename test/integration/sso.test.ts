/**
 * Single sign-on against a real OpenID provider (oidc-provider on a loopback port): the code flow with PKCE driven
 * with fetch through the provider's own sign-in and consent pages, and every way it must refuse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../shared/api.js';
import type { UserInfo } from '../../shared/access.js';
import type { WaitingIdentity } from '../../shared/sso.js';
import { IP_LIMIT } from '../../server/accounts/login-throttle.js';
import { LOGIN_TTL_MS } from '../../server/sso/oidc.service.js';
import { CLIENT_ID, CLIENT_SECRET, finishAt, Jar, signInWithSso, startProvider, toCallback, visit, type TestProvider } from '../support/oidc.js';
import { call, seedPeople, sessionFor, signIn, type Credentials, type People } from '../support/people.js';
import { ManualClock, startTestServer, type TestServer } from '../support/server.js';

const ROLE_MAP = { 'fl-admins': 'admin', 'fl-managers': 'manager', 'fl-leads': 'team_leader', 'fl-agents': 'agent' };

let provider: TestProvider;
let impostor: TestProvider;
let t: TestServer;
let clock: ManualClock;
let people: People;
let admin: Credentials;

function ssoEnv(p: TestProvider, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OIDC_ISSUER: p.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_DISPLAY_NAME: 'Centre login',
    OIDC_ROLE_CLAIM: 'groups',
    OIDC_ROLE_MAP: JSON.stringify(ROLE_MAP),
    OIDC_TEAM_CLAIM: 'teams',
    OIDC_AGENT_CLAIM: 'agent_id',
    ...extra,
  };
}

async function session(cookie: string | undefined): Promise<{ principal: { id: string; username: string; role: string; teamIds: string[]; agentId: string | null } | null }> {
  const res = await fetch(`${t.baseUrl}/api/v1/session`, { headers: cookie ? { cookie: `fl_session=${cookie}` } : {} });
  return (await res.json()) as never;
}

async function auditOf(action: string): Promise<AuditRecord[]> {
  return t.server.audit.list({ limit: 50, action });
}

beforeAll(async () => {
  provider = await startProvider();
  impostor = await startProvider();
  clock = new ManualClock(Date.now());
  t = await startTestServer({ clock, env: ssoEnv(provider) });
  const callback = `${t.baseUrl}/api/v1/auth/oidc/callback`;
  provider.ready([callback]);
  // Another provider with the same client registration: its codes and tokens must not be taken for the real one's.
  impostor.ready([callback]);
  people = await seedPeople(t);
  admin = await sessionFor(t, people.admin);
  provider.accounts.set('lena', { name: 'Lena Lead', preferred_username: 'lena', email: 'lena@example.com', groups: ['fl-leads', 'unrelated'], teams: ['t-billing', 't-unknown'] });
  provider.accounts.set('walt', { name: 'Walt Waiting', preferred_username: 'walt', email: 'walt@example.com', groups: ['another-app'] });
  // Same preferred_username as the local agent 'ann': must get an account of its own, never hers.
  provider.accounts.set('ann-at-idp', { name: 'Ann at the provider', preferred_username: 'ann', groups: ['fl-agents'], agent_id: 'a-ann' });
  impostor.accounts.set('lena', { name: 'Fake Lena', preferred_username: 'lena', groups: ['fl-admins'] });
}, 60_000);

afterAll(async () => {
  await t.close();
  await provider.close();
  await impostor.close();
});

describe('single sign-on (OpenID Connect) against a real provider', () => {
  it('tells the sign-in page that SSO is on, with its label', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/auth/methods`);
    expect(await res.json()).toEqual({ ok: true, password: true, sso: { label: 'Centre login', startUrl: '/api/v1/auth/oidc/start' } });
  });

  it('sends the browser to the provider with state, nonce and an S256 code challenge, bound to a short-lived HttpOnly cookie', async () => {
    const jar = new Jar();
    const res = await visit(jar, `${t.baseUrl}/api/v1/auth/oidc/start`);
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location') ?? '');
    expect(to.origin).toBe(provider.issuer);
    expect(to.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(to.searchParams.get('redirect_uri')).toBe(`${t.baseUrl}/api/v1/auth/oidc/callback`);
    expect(to.searchParams.get('scope')).toBe('openid profile email');
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('state')?.length).toBeGreaterThanOrEqual(22);
    expect(to.searchParams.get('nonce')?.length).toBeGreaterThanOrEqual(22);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('fl_oidc='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=600/i);
    // Nothing secret travels in the cookie: the verifier stays on the server.
    expect(cookie).not.toContain(to.searchParams.get('state') ?? 'none');
  });

  it('a first sign-in creates the account with the role and teams the claims map to, and sets the usual session cookie', async () => {
    const r = await signInWithSso(t.baseUrl, 'lena');
    expect(r.status).toBe(303);
    expect(r.location).toBe('/');
    expect(r.session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await session(r.session);
    expect(me.principal).toMatchObject({ username: 'lena', role: 'team_leader', teamIds: ['t-billing'] });
    const users = (await (await call(t.baseUrl, 'GET', '/api/v1/users', admin)).json()) as { users: UserInfo[] };
    const lena = users.users.find((u) => u.username === 'lena');
    expect(lena?.hasPassword).toBe(false);
    expect(lena?.sso).toMatchObject({ issuer: provider.issuer, roleFromClaims: true });
    expect((await auditOf('auth.sso_login')).some((e) => e.target === `user:${lena?.id}` && e.outcome === 'success')).toBe(true);
  });

  it('a second sign-in reuses the same account, and groups changed at the provider change its access (ending older sessions)', async () => {
    const first = await signInWithSso(t.baseUrl, 'lena');
    const id = (await session(first.session)).principal?.id;
    const again = await signInWithSso(t.baseUrl, 'lena');
    expect((await session(again.session)).principal?.id).toBe(id);
    provider.accounts.set('lena', { ...provider.accounts.get('lena'), teams: ['t-tech'] });
    const moved = await signInWithSso(t.baseUrl, 'lena');
    expect((await session(moved.session)).principal).toMatchObject({ id, role: 'team_leader', teamIds: ['t-tech'] });
    expect((await session(again.session)).principal).toBeNull();
    const users = (await (await call(t.baseUrl, 'GET', '/api/v1/users', admin)).json()) as { users: UserInfo[] };
    expect(users.users.filter((u) => u.displayName === 'Lena Lead')).toHaveLength(1);
  });

  it('never links by username: a provider user called "ann" gets an account of their own, not the local agent\'s', async () => {
    const r = await signInWithSso(t.baseUrl, 'ann-at-idp');
    const me = (await session(r.session)).principal;
    expect(me).toMatchObject({ username: 'ann-2', role: 'agent', agentId: 'a-ann' });
    expect(me?.id).not.toBe(people.agent.id);
  });

  it('someone whose claims map to no role waits, without a session, until an admin gives them one; the admin\'s role then stands', async () => {
    const r = await signInWithSso(t.baseUrl, 'walt');
    expect(r.location).toBe('/?sso=waiting');
    expect(r.session).toBeUndefined();
    const list = (await (await call(t.baseUrl, 'GET', '/api/v1/sso/waiting', admin)).json()) as { waiting: WaitingIdentity[] };
    const walt = list.waiting.find((w) => w.subject === 'walt');
    expect(walt).toMatchObject({ displayName: 'Walt Waiting', email: 'walt@example.com', suggestedUsername: 'walt', claims: { groups: ['another-app'], teams: [], agent_id: [] } });
    expect(walt?.reason).toMatch(/OIDC_ROLE_MAP/);
    // Not anyone: only admins see or decide.
    expect((await call(t.baseUrl, 'GET', '/api/v1/sso/waiting', await sessionFor(t, people.manager))).status).toBe(403);
    const bad = await call(t.baseUrl, 'POST', `/api/v1/sso/waiting/${walt?.id}/approve`, admin, { username: 'walt', displayName: 'Walt', role: 'team_leader' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/team leader needs at least one team/);
    const ok = await call(t.baseUrl, 'POST', `/api/v1/sso/waiting/${walt?.id}/approve`, admin, { username: 'walt', displayName: 'Walt', role: 'coach' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: UserInfo }).user.sso).toMatchObject({ roleFromClaims: false });
    const after = await signInWithSso(t.baseUrl, 'walt');
    expect(after.location).toBe('/');
    expect((await session(after.session)).principal).toMatchObject({ username: 'walt', role: 'coach' });
    const now = (await (await call(t.baseUrl, 'GET', '/api/v1/sso/waiting', admin)).json()) as { waiting: WaitingIdentity[] };
    expect(now.waiting.some((w) => w.subject === 'walt')).toBe(false);
    expect((await auditOf('sso.approve')).length).toBe(1);
  });

  it('an admin changing a claim-managed account\'s role takes it over from the claims', async () => {
    const r = await signInWithSso(t.baseUrl, 'lena');
    const id = (await session(r.session)).principal?.id as string;
    expect((await call(t.baseUrl, 'PATCH', `/api/v1/users/${id}`, admin, { role: 'coach', teamIds: [] })).status).toBe(200);
    const again = await signInWithSso(t.baseUrl, 'lena');
    expect((await session(again.session)).principal).toMatchObject({ id, role: 'coach' });
    const info = (await (await call(t.baseUrl, 'GET', `/api/v1/users/${id}`, admin)).json()) as { user: UserInfo };
    expect(info.user.sso?.roleFromClaims).toBe(false);
  });

  it('a disabled account is refused', async () => {
    const ann = (await session((await signInWithSso(t.baseUrl, 'ann-at-idp')).session)).principal?.id as string;
    expect((await call(t.baseUrl, 'PATCH', `/api/v1/users/${ann}`, admin, { disabled: true })).status).toBe(200);
    const r = await signInWithSso(t.baseUrl, 'ann-at-idp');
    expect(r.location).toBe('/?sso=disabled');
    expect(r.session).toBeUndefined();
    expect((await call(t.baseUrl, 'PATCH', `/api/v1/users/${ann}`, admin, { disabled: false })).status).toBe(200);
  });

  it('claims that no longer give a role refuse the sign-in and end the sessions already open', async () => {
    const open = await signInWithSso(t.baseUrl, 'ann-at-idp');
    expect((await session(open.session)).principal?.role).toBe('agent');
    provider.accounts.set('ann-at-idp', { ...provider.accounts.get('ann-at-idp'), groups: [] });
    const r = await signInWithSso(t.baseUrl, 'ann-at-idp');
    expect(r.location).toBe('/?sso=no_role');
    expect(r.session).toBeUndefined();
    expect((await session(open.session)).principal).toBeNull();
  });

  it('a tampered state is refused before any code is exchanged, and the flow cannot be retried with the right one', async () => {
    const jar = new Jar();
    const trip = await toCallback(jar, t.baseUrl, 'lena');
    const tampered = new URL(trip.callbackUrl);
    tampered.searchParams.set('state', 'x'.repeat(43));
    const cookie = jar.get(t.baseUrl, 'fl_oidc') as string;
    expect((await finishAt(jar, t.baseUrl, tampered.href)).location).toBe('/?sso=bad_state');
    jar.set(t.baseUrl, 'fl_oidc', cookie);
    const retry = await finishAt(jar, t.baseUrl, trip.callbackUrl);
    expect(retry.location).toBe('/?sso=bad_state');
    expect(retry.session).toBeUndefined();
  });

  it('a callback opened in another browser (login CSRF: someone else\'s code and state) is refused', async () => {
    const attacker = new Jar();
    const trip = await toCallback(attacker, t.baseUrl, 'lena');
    const victim = new Jar();
    expect((await finishAt(victim, t.baseUrl, trip.callbackUrl)).location).toBe('/?sso=bad_state');
    // Even with a sign-in of its own in flight, the victim's browser does not accept the attacker's state.
    await visit(victim, `${t.baseUrl}/api/v1/auth/oidc/start`);
    const r = await finishAt(victim, t.baseUrl, trip.callbackUrl);
    expect(r.location).toBe('/?sso=bad_state');
    expect(r.session).toBeUndefined();
  });

  it('a callback used once cannot be replayed', async () => {
    const jar = new Jar();
    const trip = await toCallback(jar, t.baseUrl, 'walt');
    const cookie = jar.get(t.baseUrl, 'fl_oidc') as string;
    expect((await finishAt(jar, t.baseUrl, trip.callbackUrl)).location).toBe('/');
    jar.set(t.baseUrl, 'fl_oidc', cookie);
    expect((await finishAt(jar, t.baseUrl, trip.callbackUrl)).location).toBe('/?sso=bad_state');
  });

  it('an ID token with another nonce is refused', async () => {
    const jar = new Jar();
    const trip = await toCallback(jar, t.baseUrl, 'walt', (u) => {
      u.searchParams.set('nonce', 'a-nonce-this-browser-never-started-with');
      return u;
    });
    const r = await finishAt(jar, t.baseUrl, trip.callbackUrl);
    expect(r.location).toBe('/?sso=invalid_response');
    expect(r.session).toBeUndefined();
    const entry = (await auditOf('auth.sso_login')).find((e) => (e.details as { result?: string }).result === 'invalid_response');
    expect(JSON.stringify(entry?.details)).toMatch(/nonce/);
  });

  it('an answer from another issuer (same client id, same redirect) is refused', async () => {
    const jar = new Jar();
    const trip = await toCallback(jar, t.baseUrl, 'lena', (u) => new URL(`${u.pathname}${u.search}`, impostor.issuer));
    expect(new URL(trip.authorizeUrl).origin).toBe(impostor.issuer);
    const r = await finishAt(jar, t.baseUrl, trip.callbackUrl);
    expect(r.location).toBe('/?sso=invalid_response');
    expect(r.session).toBeUndefined();
    const entries = (await auditOf('auth.sso_login')).filter((e) => (e.details as { result?: string }).result === 'invalid_response');
    expect(JSON.stringify(entries[0]?.details)).toMatch(/iss/);
  });

  it('an error from the provider goes back to the sign-in page with a plain message', async () => {
    const jar = new Jar();
    // prompt=none with no session at the provider: it must answer login_required to the callback.
    const trip = await toCallback(jar, t.baseUrl, 'lena', (u) => {
      u.searchParams.set('prompt', 'none');
      return u;
    });
    expect(new URL(trip.callbackUrl).searchParams.get('error')).toBe('login_required');
    expect((await finishAt(jar, t.baseUrl, trip.callbackUrl)).location).toBe('/?sso=provider_refused');
  });

  it('a sign-in that took more than ten minutes is refused as expired', async () => {
    const jar = new Jar();
    const trip = await toCallback(jar, t.baseUrl, 'lena');
    clock.advance(LOGIN_TTL_MS + 1000);
    const r = await finishAt(jar, t.baseUrl, trip.callbackUrl);
    expect(r.location).toBe('/?sso=expired');
    expect(r.session).toBeUndefined();
  });

  it('signing in ends the session this browser already had', async () => {
    const before = await sessionFor(t, people.coach);
    const token = /fl_session=([^;]+)/.exec(before.cookie ?? '')?.[1] as string;
    const jar = new Jar();
    jar.set(t.baseUrl, 'fl_session', token);
    const trip = await toCallback(jar, t.baseUrl, 'walt');
    const r = await finishAt(jar, t.baseUrl, trip.callbackUrl);
    expect(r.session).not.toBe(token);
    expect((await session(r.session)).principal?.username).toBe('walt');
    expect((await session(token)).principal).toBeNull();
  });

  it('claims that would demote the last active admin are refused, and the admin stays', async () => {
    provider.accounts.set('root', { name: 'Rita Root', preferred_username: 'rita', groups: ['fl-admins'] });
    const rita = await signInWithSso(t.baseUrl, 'root');
    const ritaMe = (await session(rita.session)).principal;
    expect(ritaMe?.role).toBe('admin');
    const ritaCreds = { cookie: `fl_session=${rita.session}`, csrf: ((await (await fetch(`${t.baseUrl}/api/v1/session`, { headers: { cookie: `fl_session=${rita.session}` } })).json()) as { principal: { csrfToken: string } }).principal.csrfToken };
    expect((await call(t.baseUrl, 'PATCH', `/api/v1/users/${people.admin.id}`, ritaCreds, { disabled: true })).status).toBe(200);
    provider.accounts.set('root', { ...provider.accounts.get('root'), groups: ['fl-agents'], agent_id: 'a-bob' });
    const r = await signInWithSso(t.baseUrl, 'root');
    expect(r.location).toBe('/?sso=refused');
    expect(r.session).toBeUndefined();
    expect((await session(rita.session)).principal?.role).toBe('admin');
    expect((await auditOf('sso.role_refresh')).some((e) => e.outcome === 'failure' && /last active admin/.test(JSON.stringify(e.details)))).toBe(true);
    expect((await call(t.baseUrl, 'PATCH', `/api/v1/users/${people.admin.id}`, ritaCreds, { disabled: false })).status).toBe(200);
    admin = await sessionFor(t, people.admin);
  });

  it('pseudonymising a departed agent removes their id from the claims kept from the last sign-in too', async () => {
    const before = await t.store.db.selectFrom('account_identities').select('claims').where('subject', '=', 'ann-at-idp').executeTakeFirstOrThrow();
    expect(before.claims).toContain('"a-ann"');
    const res = await call(t.baseUrl, 'POST', '/api/v1/privacy/pseudonymise-agent', admin, { agentId: 'a-ann', reason: 'left the company' });
    expect(res.status).toBe(200);
    const after = await t.store.db.selectFrom('account_identities').select('claims').where('subject', '=', 'ann-at-idp').executeTakeFirstOrThrow();
    expect(after.claims).not.toContain('a-ann');
    expect(after.claims).toMatch(/"former-[^"]+"/);
  });

  it('an address sending failed callbacks is paused with the password sign-ins\' daily limit, and a good sign-in too', async () => {
    clock.advance(24 * 3600_000 + 1);
    for (let i = 0; i < IP_LIMIT; i++) {
      const res = await fetch(`${t.baseUrl}/api/v1/auth/oidc/callback?code=x&state=y`, { redirect: 'manual' });
      expect(res.headers.get('location')).toBe('/?sso=bad_state');
    }
    const r = await signInWithSso(t.baseUrl, 'walt');
    expect(r.location).toBe('/?sso=locked');
    expect(r.session).toBeUndefined();
    expect((await auditOf('auth.sso_login')).some((e) => e.outcome === 'locked')).toBe(true);
    clock.advance(24 * 3600_000 + 1);
  });
});

describe('password sign-in turned off (OIDC_ALLOW_PASSWORD=off)', () => {
  it('refuses passwords except an admin\'s, and says so on the sign-in methods', async () => {
    const t2 = await startTestServer({ env: ssoEnv(provider, { OIDC_ALLOW_PASSWORD: 'off' }) });
    try {
      const p = await seedPeople(t2);
      expect(await (await fetch(`${t2.baseUrl}/api/v1/auth/methods`)).json()).toMatchObject({ password: false, sso: { label: 'Centre login' } });
      const agent = await signIn(t2.baseUrl, p.agent.username);
      expect(agent.status).toBe(403);
      const wrong = await signIn(t2.baseUrl, p.agent.username, 'not the password at all');
      expect(wrong.status).toBe(401);
      expect((await signIn(t2.baseUrl, p.admin.username)).status).toBe(200);
    } finally {
      await t2.close();
    }
  });
});

describe('on PostgreSQL', () => {
  it('creates, finds again and lists waiting identities the same way', async () => {
    const idp = await startProvider();
    const pg = await startTestServer({ dialect: 'postgres', env: ssoEnv(idp) });
    try {
      idp.ready([`${pg.baseUrl}/api/v1/auth/oidc/callback`]);
      // Before the first admin exists nobody signs in with SSO: setup would become impossible.
      expect((await visit(new Jar(), `${pg.baseUrl}/api/v1/auth/oidc/start`)).headers.get('location')).toBe('/?sso=setup_first');
      const p = await seedPeople(pg);
      idp.accounts.set('lena', { name: 'Lena Lead', preferred_username: 'lena', groups: ['fl-leads'], teams: ['t-billing'] });
      idp.accounts.set('walt', { name: 'Walt Waiting', groups: [] });
      const first = await signInWithSso(pg.baseUrl, 'lena');
      const again = await signInWithSso(pg.baseUrl, 'lena');
      const me = async (c: string | undefined) => ((await (await fetch(`${pg.baseUrl}/api/v1/session`, { headers: { cookie: `fl_session=${c}` } })).json()) as { principal: { id: string; role: string; teamIds: string[] } }).principal;
      expect(await me(first.session)).toMatchObject({ role: 'team_leader', teamIds: ['t-billing'] });
      expect((await me(again.session)).id).toBe((await me(first.session)).id);
      expect((await signInWithSso(pg.baseUrl, 'walt')).location).toBe('/?sso=waiting');
      const list = (await (await call(pg.baseUrl, 'GET', '/api/v1/sso/waiting', await sessionFor(pg, p.admin))).json()) as { waiting: WaitingIdentity[] };
      expect(list.waiting.map((w) => w.subject)).toEqual(['walt']);
    } finally {
      await pg.close();
      await idp.close();
    }
  });
});
