/**
 * Single sign-on: the sign-in methods the page offers, the OpenID Connect start and callback, and the admins' list of
 * people waiting for a role. The routes exist whether or not SSO is configured (start and callback then send the
 * browser back to the sign-in page with a plain message), so the access matrix sees them either way.
 */
import express, { type Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { approveIdentityBody, OIDC_START_PATH, SSO_RESULT_PARAM, type AuthMethods, type SsoResult } from '../../shared/sso.js';
import { actorOf } from '../access/principal.js';
import type { AccountService } from '../accounts/account.service.js';
import type { SessionService } from '../accounts/session.service.js';
import type { Logger } from '../logger.js';
import type { IdentityService } from '../sso/identity.service.js';
import { LOGIN_TTL_MS, SsoRefusal, type OidcService } from '../sso/oidc.service.js';
import { clearCookie, principalOf, readCookie, setCookie, isSecure, type CookieOptions, type RouteTable } from './access.js';
import { parseInput } from './validate.js';

const idParam = z.string().min(1).max(64);
/** Where to land after signing in: a path on this site only (no scheme, no //host), so it cannot send people away. */
const returnTo = z
  .string()
  .max(300)
  .regex(/^\/(?![/\\])[^\s\\]*$/, 'must be a path on this site, like /cases')
  .refine((p) => !p.startsWith('/api/'), 'must be a page, not an API address')
  .catch('/');

export interface SsoRouteDeps {
  oidc: OidcService | null;
  identities: IdentityService;
  accounts: AccountService;
  sessions: SessionService;
  cookies: CookieOptions;
  logger: Logger;
  /** True until the first admin exists: no one signs in with SSO before that (it would make setup impossible). */
  setupNeeded: () => Promise<boolean>;
}

export function ssoRoutes(routes: RouteTable, { oidc, identities, accounts, sessions, cookies, logger, setupNeeded }: SsoRouteDeps): Router {
  const router = routes.router('Single sign-on');
  const json = express.json({ limit: '16kb' });
  const meta = (req: Request, res: Response) => ({ actor: actorOf(principalOf(res)), ip: req.ip ?? null });
  /** Back to the sign-in page with a message code (303: the browser follows with a GET). */
  const backToSignIn = (res: Response, result: SsoResult) => res.redirect(303, `/?${SSO_RESULT_PARAM}=${result}`);

  routes.add(router, { method: 'get', path: '/api/v1/auth/methods', audiences: 'public', summary: 'how to sign in here: password, single sign-on and its label' }, (_req, res) => {
    const reply: AuthMethods = {
      ok: true,
      password: accounts.options.passwordSignIn === 'everyone',
      sso: oidc ? { label: oidc.label, startUrl: OIDC_START_PATH } : null,
    };
    res.json(reply);
  });

  routes.add(router, { method: 'get', path: OIDC_START_PATH, audiences: 'public', summary: 'single sign-on: off to the provider (state, nonce, PKCE S256)' }, async (req, res) => {
    if (!oidc) return backToSignIn(res, 'not_configured');
    if (await setupNeeded()) return backToSignIn(res, 'setup_first');
    const to = returnTo.parse(req.query.return ?? '/');
    try {
      const origin = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
      const started = await oidc.start({ ip: req.ip ?? 'unknown', origin, returnTo: to, previousBinding: readCookie(req.get('cookie'), 'oidc', isSecure(req, cookies)) });
      setCookie(req, res, cookies, 'oidc', started.binding, Math.floor(LOGIN_TTL_MS / 1000));
      res.redirect(303, started.url);
    } catch (err) {
      if (!(err instanceof SsoRefusal)) throw err;
      logger.warn({ log: 'security', event: 'sso_start_refused', result: err.result, reason: err.reason }, 'single sign-on could not start');
      backToSignIn(res, err.result);
    }
  });

  routes.add(router, { method: 'get', path: '/api/v1/auth/oidc/callback', audiences: 'public', summary: 'single sign-on: the provider sends the browser back here' }, async (req, res) => {
    if (!oidc) return backToSignIn(res, 'not_configured');
    if (await setupNeeded()) return backToSignIn(res, 'setup_first');
    const binding = readCookie(req.get('cookie'), 'oidc', isSecure(req, cookies));
    clearCookie(req, res, cookies, 'oidc');
    const query = new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');
    try {
      const done = await oidc.finish({ binding, query, ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') ?? null });
      // A session this browser already had (another person's, or an older one) ends: one browser, one sign-in.
      const before = principalOf(res);
      if (before?.kind === 'user') await sessions.revoke([before.sessionId], 'signed in again');
      setCookie(req, res, cookies, 'session', done.token, Math.floor(sessions.policy.absoluteMs / 1000));
      res.redirect(303, done.returnTo);
    } catch (err) {
      if (!(err instanceof SsoRefusal)) throw err;
      backToSignIn(res, err.result);
    }
  });

  routes.add(router, { method: 'get', path: '/api/v1/sso/waiting', audiences: ['admin'], summary: 'people who signed in with the provider and wait for a role' }, async (_req, res) => {
    res.json({ ok: true, waiting: await identities.listWaiting() });
  });
  routes.add(router, { method: 'post', path: '/api/v1/sso/waiting/:identityId/approve', audiences: ['admin'], summary: 'give a waiting person an account with a role, or link them to an existing one' }, json, async (req, res) => {
    const id = parseInput(idParam, req.params.identityId, 'identity id');
    const body = parseInput(approveIdentityBody, req.body);
    res.json({ ok: true, user: await identities.approve(id, body, meta(req, res)) });
  });
  routes.add(router, { method: 'delete', path: '/api/v1/sso/waiting/:identityId', audiences: ['admin'], summary: 'remove a waiting person from the list (they return if they sign in again)' }, async (req, res) => {
    const id = parseInput(idParam, req.params.identityId, 'identity id');
    await identities.dismiss(id, meta(req, res));
    res.json({ ok: true });
  });
  return router;
}
