/** Sign-in, sign-out, the current session, changing one's own password, and the first-run setup. */
import express, { type Router } from 'express';
import { z } from 'zod';
import { PASSWORD_MAX, userFields, type DisplayMe, type Me } from '../../shared/access.js';
import type { AccountService } from '../accounts/account.service.js';
import type { SessionService } from '../accounts/session.service.js';
import type { SetupService } from '../accounts/setup.service.js';
import { clearCookie, principalOf, requireUser, setCookie, type CookieOptions, type RouteTable } from './access.js';
import { parseInput } from './validate.js';

const ALL_PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;
const loginBody = z.strictObject({ username: z.string().min(1).max(200), password: z.string().min(1).max(PASSWORD_MAX) });
const passwordBody = z.strictObject({ currentPassword: z.string().min(1).max(PASSWORD_MAX), newPassword: z.string().min(1).max(PASSWORD_MAX) });
const setupBody = z.strictObject({
  setupCode: z.string().min(1).max(40),
  username: userFields.username,
  displayName: userFields.displayName,
  password: z.string().min(1).max(PASSWORD_MAX),
});

export function authRoutes(routes: RouteTable, accounts: AccountService, sessions: SessionService, setup: SetupService, cookies: CookieOptions): Router {
  const router = routes.router('Sign-in and setup');
  const json = express.json({ limit: '16kb' });

  routes.add(router, { method: 'get', path: '/api/v1/session', audiences: 'public', summary: 'who is signed in (person or screen), or nobody' }, async (_req, res) => {
    const p = principalOf(res);
    if (p?.kind === 'user') {
      const u = await accounts.get(p.userId);
      const me: Me = { kind: 'user', id: u.id, username: u.username, displayName: u.displayName, role: u.role, agentId: u.agentId, siteId: u.siteId, teamIds: u.teamIds, csrfToken: p.csrfToken };
      res.json({ ok: true, principal: me, needsSetup: false });
      return;
    }
    if (p?.kind === 'display') {
      const d: DisplayMe = { kind: 'display', id: p.displayId, name: p.name, scopes: p.scopes.map((s) => (s.kind === 'centre' ? 'centre' : `${s.kind}:${s.id}`)) };
      res.json({ ok: true, principal: d, needsSetup: false });
      return;
    }
    res.json({ ok: true, principal: null, needsSetup: await setup.needed() });
  });

  routes.add(router, { method: 'post', path: '/api/v1/auth/login', audiences: 'public', summary: 'sign in with username and password', doc: { body: loginBody, also: { 429: 'too many failed sign-ins for this account or address: wait (Retry-After)' } } }, json, async (req, res) => {
    const body = parseInput(loginBody, req.body);
    const s = await accounts.login(body.username, body.password, { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') ?? null });
    setCookie(req, res, cookies, 'session', s.token, Math.floor(sessions.policy.absoluteMs / 1000));
    res.json({ ok: true });
  });

  routes.add(router, { method: 'post', path: '/api/v1/auth/logout', audiences: ALL_PEOPLE, summary: 'sign out (ends this session and its live sockets)' }, async (req, res) => {
    await accounts.logout(requireUser(res), req.ip ?? null);
    clearCookie(req, res, cookies, 'session');
    res.json({ ok: true });
  });

  routes.add(router, { method: 'post', path: '/api/v1/auth/password', audiences: ALL_PEOPLE, summary: 'change your own password (ends your other sessions)', doc: { body: passwordBody } }, json, async (req, res) => {
    const body = parseInput(passwordBody, req.body);
    await accounts.changeOwnPassword(requireUser(res), body.currentPassword, body.newPassword, req.ip ?? null);
    res.json({ ok: true });
  });

  routes.add(router, { method: 'get', path: '/api/v1/setup', audiences: 'public', summary: 'whether the first admin still has to be created' }, async (_req, res) => {
    res.json({ ok: true, needsSetup: await setup.needed() });
  });

  routes.add(router, { method: 'post', path: '/api/v1/setup', audiences: 'public', summary: 'create the first admin with the setup code from the console', doc: { body: setupBody, status: 201, also: { 410: 'setup is already complete' } } }, json, async (req, res) => {
    const body = parseInput(setupBody, req.body);
    const { userId } = await setup.complete(body.setupCode, { username: body.username, displayName: body.displayName, password: body.password }, req.ip ?? null);
    const s = await sessions.create(userId, req.ip ?? null, req.get('user-agent') ?? null);
    setCookie(req, res, cookies, 'session', s.token, Math.floor(sessions.policy.absoluteMs / 1000));
    res.status(201).json({ ok: true });
  });
  return router;
}
