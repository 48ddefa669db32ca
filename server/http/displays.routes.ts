/** Pairing wall screens: the screen's side (public, cookie-bound) and the approver's side (admins, team leaders). */
import express, { type Router } from 'express';
import { z } from 'zod';
import { scopeText } from '../../shared/access.js';
import { canGrantDisplayScope, canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { LoginThrottle } from '../accounts/login-throttle.js';
import type { DisplayService } from '../displays/display.service.js';
import { clearCookie, deny, isSecure, principalOf, readCookie, requireUser, setCookie, type CookieOptions, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

/** A paired screen's credential lasts 400 days (the longest a browser keeps a cookie) and is revocable at any time. */
const DISPLAY_COOKIE_SECONDS = 400 * 86_400;
const PAIRING_COOKIE_SECONDS = 15 * 60;

const approveBody = z.strictObject({
  code: z.string().trim().min(4).max(20),
  name: z.string().trim().min(1).max(200),
  scopes: z.array(scopeText).min(1).max(50),
});

const displayParams = z.object({ displayId: z.string().min(1).max(64) });

export function displayRoutes(
  routes: RouteTable,
  displays: DisplayService,
  dirIndex: () => Promise<DirectoryIndex>,
  cookies: CookieOptions,
  throttle: LoginThrottle,
): Router {
  const router = routes.router('Screens');
  const json = express.json({ limit: '16kb' });

  routes.add(router, { method: 'post', path: '/api/v1/display/pairing', audiences: 'public', summary: 'a screen asks for a pairing code', doc: { status: 201, also: { 409: 'this screen is already paired' } } }, async (req, res) => {
    const p = principalOf(res);
    if (p?.kind === 'display') throw new HttpError(409, 'already_paired', 'this screen is already paired');
    const out = await displays.startPairing(req.ip ?? null);
    setCookie(req, res, cookies, 'pairing', out.secret, PAIRING_COOKIE_SECONDS);
    res.status(201).json({ ok: true, code: out.code, expiresAt: out.expiresAt });
  });

  routes.add(router, { method: 'get', path: '/api/v1/display/pairing', audiences: 'public', summary: 'a screen polls whether its code was approved' }, async (req, res) => {
    const out = await displays.poll(readCookie(req.get('cookie'), 'pairing', isSecure(req, cookies)));
    if (out.status === 'paired') {
      setCookie(req, res, cookies, 'display', out.token, DISPLAY_COOKIE_SECONDS);
      clearCookie(req, res, cookies, 'pairing');
      res.json({ ok: true, status: 'paired' });
      return;
    }
    if (out.status === 'expired') clearCookie(req, res, cookies, 'pairing');
    res.json({ ok: true, ...out });
  });

  routes.add(router, { method: 'get', path: '/api/v1/displays', audiences: ['admin', 'team_leader'], summary: 'paired and revoked screens' }, async (_req, res) => {
    const p = requireUser(res);
    const dir = await dirIndex();
    const all = await displays.list();
    // Team leaders see the screens whose every scope they could see themselves.
    const visible = p.role === 'admin' ? all : all.filter((d) => d.scopes.every((s) => canViewScope(p, scopeText.parse(s), dir)));
    res.json({ ok: true, displays: visible });
  });

  routes.add(router, { method: 'post', path: '/api/v1/displays', audiences: ['admin', 'team_leader'], summary: 'approve the code a screen shows, name it, choose what it shows', doc: { body: approveBody, status: 201, also: { 429: 'too many wrong codes: approvals wait 15 minutes (Retry-After)' } } }, json, async (req, res) => {
    const p = requireUser(res);
    const body = parseInput(approveBody, req.body);
    const dir = await dirIndex();
    for (const s of body.scopes) if (!canGrantDisplayScope(p, s, dir)) deny(`you cannot grant a screen a scope you cannot see yourself (${s.kind}${s.kind === 'centre' ? '' : `:${s.id}`})`);
    // Guessing codes is rate limited like sign-in: 5 wrong codes in a row lock approvals for 15 minutes.
    const subject = `approve:${p.userId}`;
    const wait = await throttle.attempt(subject, req.ip ?? 'unknown');
    if (wait > 0) throw new HttpError(429, 'too_many_attempts', `too many wrong codes; try again in ${Math.ceil(wait / 60_000)} minutes`, undefined, { 'Retry-After': String(Math.ceil(wait / 1000)) });
    const display = await displays.approve(body.code, body.name, body.scopes, { userId: p.userId, ip: req.ip ?? null });
    await throttle.succeeded(subject, req.ip ?? 'unknown');
    res.status(201).json({ ok: true, display });
  });

  routes.add(router, { method: 'post', path: '/api/v1/displays/:displayId/revoke', audiences: ['admin', 'team_leader'], summary: 'revoke a screen (it disconnects within seconds)', doc: { params: displayParams } }, async (req, res) => {
    const p = requireUser(res);
    const { displayId: id } = parseInput(displayParams, req.params, 'display id');
    if (p.role !== 'admin') {
      const dir = await dirIndex();
      const scopes = await displays.scopesOf(id);
      if (!scopes.every((s) => canViewScope(p, s, dir))) deny('this screen shows scopes you cannot see; ask an admin');
    }
    res.json({ ok: true, display: await displays.revoke(id, { userId: p.userId, ip: req.ip ?? null }) });
  });
  return router;
}
