/** Sign-in, lockout, CSRF, Origin, sessions ending everywhere (live sockets included), first-run setup. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, openSocket, PASSWORD, seedPeople, signIn, type ClientSocket, type People } from '../../support/people.js';
import { startTestServer, type TestServer } from '../../support/server.js';

let t: TestServer;
let people: People;

beforeAll(async () => {
  t = await startTestServer({ socketSweepMs: 500 });
  people = await seedPeople(t);
});
afterAll(async () => {
  await t.close();
});

/** Resolves with the revocation reason when the server ends the socket; rejects after `ms`. */
function revoked(s: ClientSocket, ms = 3_000): Promise<{ reason: string; afterMs: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket was not revoked in time')), ms);
    s.once('auth:revoked', ({ reason }) => {
      s.once('disconnect', () => {
        clearTimeout(timer);
        resolve({ reason, afterMs: Date.now() - t0 });
      });
    });
  });
}

describe('sign-in', () => {
  it('signs in with the right password, sets an httpOnly SameSite cookie, and the wrong one gets a generic answer', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cora.coach', password: PASSWORD }) });
    expect(res.status).toBe(200);
    const set = res.headers.getSetCookie()[0] ?? '';
    expect(set).toMatch(/^fl_session=/);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    const wrong = await call(t.baseUrl, 'POST', '/api/v1/auth/login', null, { username: 'cora.coach', password: 'not it at all, sorry' });
    const unknown = await call(t.baseUrl, 'POST', '/api/v1/auth/login', null, { username: 'nobody-here', password: 'not it at all, sorry' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe(((await unknown.json()) as { error: { message: string } }).error.message);
  });

  it('behind TLS the cookie is Secure with the __Host- prefix', async () => {
    const tls = await startTestServer({ env: { TRUST_PROXY: 'true' } });
    try {
      await tls.server.directory.replace({ sites: [], teams: [], queues: [], agents: [] });
      await tls.server.accounts.create({ username: 'x.admin', displayName: 'X', role: 'admin', password: PASSWORD }, { actor: 'test', ip: null });
      const res = await fetch(`${tls.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ username: 'x.admin', password: PASSWORD }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie()[0]).toMatch(/^__Host-fl_session=.*; Path=\/; HttpOnly; Secure; SameSite=Lax/i);
    } finally {
      await tls.close();
    }
  });

  it('locks a username + address after 5 failures with a clear message and Retry-After, even for the right password', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await call(t.baseUrl, 'POST', '/api/v1/auth/login', null, { username: 'max.manager', password: `wrong guess number ${i}` });
      expect(r.status).toBe(401);
    }
    const locked = await call(t.baseUrl, 'POST', '/api/v1/auth/login', null, { username: 'max.manager', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(((await locked.json()) as { error: { message: string } }).error.message).toMatch(/too many failed sign-in attempts; try again in 15 minutes/);
    const log = await t.server.audit.list({ limit: 50, action: 'auth.login' });
    expect(log.some((e) => e.outcome === 'locked' && e.target === 'username:max.manager')).toBe(true);
    // Another person signing in from the same address is not locked out.
    expect((await signIn(t.baseUrl, 'cora.coach')).status).toBe(200);
  });
});

describe('CSRF and Origin', () => {
  it('a cookie-authenticated write without the CSRF token is refused, with it accepted', async () => {
    const admin = await signIn(t.baseUrl, 'ada.admin');
    const body = { name: 'csrf probe', scopes: ['read'] };
    const without = await call(t.baseUrl, 'POST', '/api/v1/apikeys', { cookie: admin.cookie as string }, body);
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    const wrongToken = await call(t.baseUrl, 'POST', '/api/v1/apikeys', { cookie: admin.cookie as string, csrf: 'x'.repeat(43) }, body);
    expect(wrongToken.status).toBe(403);
    const ok = await call(t.baseUrl, 'POST', '/api/v1/apikeys', admin, body);
    expect(ok.status).toBe(201);
  });

  it('a write from a page on another site is refused even with a valid token', async () => {
    const admin = await signIn(t.baseUrl, 'ada.admin');
    const res = await call(t.baseUrl, 'POST', '/api/v1/apikeys', admin, { name: 'x', scopes: ['read'] }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_origin');
  });

  it('a socket from a foreign Origin is refused at the handshake; the same origin is accepted', async () => {
    const admin = await signIn(t.baseUrl, 'ada.admin');
    await expect(openSocket(t.baseUrl, admin, { origin: 'https://evil.example' })).rejects.toThrow();
    const ok = await openSocket(t.baseUrl, admin, { origin: t.baseUrl });
    ok.close();
  });

  it('a socket without a credential is refused', async () => {
    await expect(openSocket(t.baseUrl, null)).rejects.toThrow(/unauthenticated/);
  });
});

describe('sessions end everywhere, live sockets included', () => {
  it('signing out closes that session’s live socket at once and the cookie stops working', async () => {
    const tl = await signIn(t.baseUrl, 'tom.lead');
    const s = await openSocket(t.baseUrl, tl);
    expect(((await s.emitWithAck('pulse:subscribe')) as { ok: boolean }).ok).toBe(true);
    const gone = revoked(s);
    expect((await call(t.baseUrl, 'POST', '/api/v1/auth/logout', tl)).status).toBe(200);
    const { reason, afterMs } = await gone;
    expect(reason).toBe('signed out');
    expect(afterMs).toBeLessThan(1_000);
    expect((await call(t.baseUrl, 'GET', '/api/v1/users', tl)).status).toBe(401);
    expect(((await (await call(t.baseUrl, 'GET', '/api/v1/session', tl)).json()) as { principal: unknown }).principal).toBeNull();
  });

  it('a role change ends every session of that person, on every socket', async () => {
    const a = await signIn(t.baseUrl, 'tom.lead');
    const b = await signIn(t.baseUrl, 'tom.lead');
    const s1 = await openSocket(t.baseUrl, a);
    const s2 = await openSocket(t.baseUrl, b);
    const gone = Promise.all([revoked(s1), revoked(s2)]);
    const admin = await signIn(t.baseUrl, 'ada.admin');
    const res = await call(t.baseUrl, 'PATCH', `/api/v1/users/${people.teamLeader.id}`, admin, { role: 'coach', teamIds: [] });
    expect(res.status).toBe(200);
    const reasons = await gone;
    expect(reasons.map((r) => r.reason)).toEqual(['role changed', 'role changed']);
    expect((await call(t.baseUrl, 'GET', '/api/v1/teams/t-billing', a)).status).toBe(401);
    // Signed in again, the new role applies: a coach does not see the team.
    const again = await signIn(t.baseUrl, 'tom.lead');
    expect((await call(t.baseUrl, 'GET', '/api/v1/teams/t-billing', again)).status).toBe(403);
    await call(t.baseUrl, 'PATCH', `/api/v1/users/${people.teamLeader.id}`, admin, { role: 'team_leader', teamIds: ['t-billing'] });
  });

  it('a password change ends the other sessions (and their sockets) but keeps the one that made it', async () => {
    const here = await signIn(t.baseUrl, 'ann');
    const there = await signIn(t.baseUrl, 'ann');
    const s = await openSocket(t.baseUrl, there);
    const gone = revoked(s);
    const next = 'seven quiet lanterns over the harbour';
    expect((await call(t.baseUrl, 'POST', '/api/v1/auth/password', here, { currentPassword: PASSWORD, newPassword: next })).status).toBe(200);
    expect((await gone).reason).toBe('password changed');
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-ann', here)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-ann', there)).status).toBe(401);
    expect((await signIn(t.baseUrl, 'ann')).status).toBe(401);
    expect((await signIn(t.baseUrl, 'ann', next)).status).toBe(200);
    const weak = await call(t.baseUrl, 'POST', '/api/v1/auth/password', here, { currentPassword: next, newPassword: 'password1234' });
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as { error: { message: string } }).error.message).toMatch(/too easy to guess/);
    await t.server.accounts.setPassword(people.agent.id, PASSWORD, { actor: 'test', ip: null });
  });

  it('a session deleted behind the server’s back (another node) is caught by the sweep within seconds', async () => {
    const c = await signIn(t.baseUrl, 'cora.coach');
    const s = await openSocket(t.baseUrl, c);
    const gone = revoked(s, 5_000);
    await t.store.db.deleteFrom('sessions').where('user_id', '=', people.coach.id).execute();
    expect((await gone).afterMs).toBeLessThan(2_000);
  });
});

describe('first run', () => {
  it('creates the first admin only with the console code, once; afterwards setup is gone (410)', async () => {
    const fresh = await startTestServer();
    try {
      const code = await fresh.server.setup.prepare();
      expect(code).toMatch(/^[A-Z2-9]{6}-[A-Z2-9]{6}$/);
      expect(((await (await fetch(`${fresh.baseUrl}/api/v1/session`)).json()) as { needsSetup: boolean }).needsSetup).toBe(true);
      const body = { username: 'first.admin', displayName: 'First Admin', password: PASSWORD };
      expect((await call(fresh.baseUrl, 'POST', '/api/v1/setup', null, { ...body, setupCode: 'AAAAAA-AAAAAA' })).status).toBe(403);
      const ok = await call(fresh.baseUrl, 'POST', '/api/v1/setup', null, { ...body, setupCode: (code as string).toLowerCase() });
      expect(ok.status).toBe(201);
      expect(ok.headers.getSetCookie()[0]).toMatch(/^fl_session=/);
      const again = await call(fresh.baseUrl, 'POST', '/api/v1/setup', null, { ...body, username: 'second', setupCode: code });
      expect(again.status).toBe(410);
      expect(await fresh.server.accounts.count()).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});
