/**
 * The HTTP side of access control.
 *
 * Every route is declared through `RouteTable.add` with the audiences allowed to call it (function level); the
 * handler then calls a named predicate for the object it touches (object level: canViewTeam, canViewAgent, ...).
 * The authorisation matrix test walks Express's own route stack and fails on any route without a declaration.
 *
 * Who is asking comes from, in order: an `Authorization: Bearer fl_...` API key, the session cookie, or a paired
 * display's cookie. Cookie-authenticated writes need the session's CSRF token in X-CSRF-Token and, when the browser
 * sends one, an allowed Origin (ASVS 3.5.1, 3.5.2). Displays are read-only: they may only GET.
 */
import { timingSafeEqual } from 'node:crypto';
import { parseCookie as parseCookies, stringifySetCookie } from 'cookie';
import type { IncomingMessage } from 'node:http';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { CSRF_HEADER } from '../../shared/access.js';
import type { Audience, Principal } from '../access/principal.js';
import { audiencesOf } from '../access/principal.js';
import type { SessionService } from '../accounts/session.service.js';
import type { ApiKeyService } from '../apikeys/apikey.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { DisplayService } from '../displays/display.service.js';
import type { Logger } from '../logger.js';
import { HttpError } from './errors.js';

declare module 'express-serve-static-core' {
  interface Locals {
    principal?: Principal | null;
    /** The declared path of the route answering (the HTTP metrics' `route` label: never the raw URL). */
    route?: string;
  }
}

export const COOKIE = {
  session: 'fl_session',
  display: 'fl_display',
  pairing: 'fl_pairing',
  /** A single sign-on in flight: the random value its server-side record is keyed by (server/sso). */
  oidc: 'fl_oidc',
} as const;

export type CookieName = keyof typeof COOKIE;

export interface CookieOptions {
  secure: 'auto' | 'always' | 'never';
}

export function isSecure(req: Request, o: CookieOptions): boolean {
  return o.secure === 'always' || (o.secure === 'auto' && req.secure);
}

/** Secure cookies get the __Host- prefix: Secure, no Domain, Path=/ (ASVS 3.3.1, 3.3.3). */
export function cookieName(req: Request, o: CookieOptions, which: CookieName): string {
  return isSecure(req, o) ? `__Host-${COOKIE[which]}` : COOKIE[which];
}

/**
 * Reads one of our cookies. Over TLS only the __Host- name counts: a plain-named cookie could have been planted by a
 * sibling subdomain (Domain=...), which the __Host- prefix exists to rule out.
 */
export function readCookie(header: string | undefined, which: CookieName, secure = false): string | undefined {
  if (!header) return undefined;
  const jar = parseCookies(header);
  return secure ? jar[`__Host-${COOKIE[which]}`] : (jar[`__Host-${COOKIE[which]}`] ?? jar[COOKIE[which]]);
}

/** Whether a raw request (a socket handshake) came over TLS, by the same rules Express applies to req.secure. */
export function handshakeIsSecure(req: IncomingMessage, o: CookieOptions, trustProxy: false | number | string[]): boolean {
  if (o.secure === 'always') return true;
  if (o.secure === 'never') return false;
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  const proto = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim();
  return trustProxy !== false && proto === 'https';
}

export function setCookie(req: Request, res: Response, o: CookieOptions, which: CookieName, value: string, maxAgeSeconds: number): void {
  res.append(
    'Set-Cookie',
    stringifySetCookie({
      name: cookieName(req, o, which),
      value,
      httpOnly: true,
      secure: isSecure(req, o),
      // Lax for the session so a link into the app from an email keeps you signed in, and for a single sign-on in
      // flight because the provider sends the browser back with a cross-site top-level GET; Strict for screens.
      sameSite: which === 'session' || which === 'oidc' ? 'lax' : 'strict',
      path: '/',
      maxAge: maxAgeSeconds,
    }),
  );
}

export function clearCookie(req: Request, res: Response, o: CookieOptions, which: CookieName): void {
  for (const name of [COOKIE[which], `__Host-${COOKIE[which]}`]) {
    res.append('Set-Cookie', stringifySetCookie({ name, value: '', httpOnly: true, secure: name.startsWith('__Host-') || isSecure(req, o), sameSite: 'lax', path: '/', maxAge: 0 }));
  }
}

export interface Authenticator {
  fromHeaders(headers: { authorization?: string | undefined; cookie?: string | undefined; secure: boolean }): Promise<Principal | null>;
}

const KEY_REASONS = {
  missing: 'an API key is required: send "Authorization: Bearer fl_..."',
  malformed: 'the API key is not in the expected form fl_<id>_<secret>',
  unknown: 'the API key is not valid',
  revoked: 'the API key has been revoked',
} as const;

export function createAuthenticator(keys: ApiKeyService, sessions: SessionService, displays: DisplayService): Authenticator {
  return {
    async fromHeaders(h) {
      const bearer = /^Bearer\s+(.+)$/i.exec(h.authorization ?? '')?.[1]?.trim();
      if (h.authorization !== undefined && h.authorization !== '') {
        const check = await keys.verify(bearer);
        if (!check.ok) {
          throw new HttpError(401, 'unauthorized', KEY_REASONS[check.reason], { reason: check.reason }, { 'WWW-Authenticate': 'Bearer realm="frontline"' });
        }
        return { kind: 'apikey', keyId: check.key.id, name: check.key.name, scopes: check.key.scopes };
      }
      const session = await sessions.verify(readCookie(h.cookie, 'session', h.secure));
      if (session) return session;
      return displays.verify(readCookie(h.cookie, 'display', h.secure));
    },
  };
}

/** Same host as the request, or an origin listed in ALLOWED_ORIGINS. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * What the API description (GET /api/v1/openapi.json, server/openapi/) says of a route beyond its declaration: the
 * zod schemas the handler validates its input with (the very same objects, so the description cannot drift from what
 * is enforced), and the answers it gives besides the ones derived from the declaration.
 */
export interface RouteDoc {
  /** Path parameters, one property per `:name` in the path. */
  params?: z.ZodObject;
  /** Query parameters, one property each. */
  query?: z.ZodObject;
  /** The request body (JSON unless `bodyTypes` says otherwise). */
  body?: z.ZodType;
  /** Media types the body may come as, when not only application/json. */
  bodyTypes?: readonly string[];
  /** The success reply, where a zod schema describes it. */
  response?: z.ZodType;
  /** The success status when not 200 (201 for a creation). */
  status?: number;
  /** Also answers text/csv on success (format=csv). */
  csv?: boolean;
  /** Other answers by status: in words (an error reply: 409, 429, 503...), or with the schema of their body. */
  also?: Readonly<Record<number, string | { description: string; body: z.ZodType }>>;
}

export interface RouteDeclaration {
  method: Method;
  path: string;
  /** Who may call it at all; 'public' needs no credential. Object-level checks happen inside the handler. */
  audiences: readonly Audience[] | 'public';
  summary: string;
  doc?: RouteDoc;
  /** The part of the product the route belongs to (its routes file), for the API description's tags. */
  area?: string;
}

export interface AccessDeps {
  authenticator: Authenticator;
  cookies: CookieOptions;
  allowedOrigins: readonly string[];
  audit: AuditService;
  logger: Logger;
}

/** The one way routes are added: each carries its declaration, and its guard runs before any body parsing. */
export class RouteTable {
  readonly declarations: RouteDeclaration[] = [];
  private readonly areas = new WeakMap<Router, string>();

  constructor(private readonly deps: AccessDeps) {}

  /** A router for one area of the product: routes added to it are tagged with the area in the API description. */
  router(area: string): Router {
    const router = Router();
    this.areas.set(router, area);
    return router;
  }

  add(router: Router, decl: RouteDeclaration, ...handlers: RequestHandler[]): void {
    const area = decl.area ?? this.areas.get(router);
    this.declarations.push(area === undefined ? decl : { ...decl, area });
    router[decl.method](decl.path, this.guard(decl), ...handlers);
  }

  /** Declares a route that is registered elsewhere (static files, the SPA fallback). */
  declare(decl: RouteDeclaration): void {
    this.declarations.push(decl);
  }

  find(method: string, path: string): RouteDeclaration | undefined {
    return this.declarations.find((d) => d.method === method.toLowerCase() && d.path === path);
  }

  private guard(decl: RouteDeclaration): RequestHandler {
    return (req, res, next) => {
      res.locals.route = decl.path;
      void (async () => {
        const unsafe = !SAFE.has(req.method);
        if (unsafe && !originAllowed(req.get('origin'), req.get('host'), this.deps.allowedOrigins)) {
          throw new HttpError(403, 'bad_origin', 'this request came from a page on another site; it was refused');
        }
        const principal = await this.deps.authenticator.fromHeaders({
          authorization: req.get('authorization'),
          cookie: req.get('cookie'),
          secure: isSecure(req, this.deps.cookies),
        });
        res.locals.principal = principal;
        if (decl.audiences === 'public') return;
        if (!principal) {
          const keyRoute = decl.audiences.some((a) => a.startsWith('key:'));
          const people = decl.audiences.some((a) => !a.startsWith('key:'));
          throw new HttpError(
            401,
            'unauthenticated',
            people ? 'sign in first' + (keyRoute ? ' (or send an API key)' : '') : KEY_REASONS.missing,
            undefined,
            keyRoute ? { 'WWW-Authenticate': 'Bearer realm="frontline"' } : undefined,
          );
        }
        const mine = audiencesOf(principal);
        if (!mine.some((a) => (decl.audiences as readonly Audience[]).includes(a))) {
          this.deps.logger.warn({ log: 'security', event: 'access_denied', path: req.path, method: req.method, audiences: mine }, 'access denied');
          throw new HttpError(403, 'forbidden', 'you do not have access to this');
        }
        if (principal.kind === 'display' && unsafe) throw new HttpError(403, 'forbidden', 'a display is read-only');
        if (principal.kind === 'user' && unsafe && !sameToken(req.get(CSRF_HEADER), principal.csrfToken)) {
          throw new HttpError(403, 'csrf_failed', `missing or wrong ${CSRF_HEADER} header; reload the page and try again`);
        }
      })().then(() => next(), next);
    };
  }
}

/** The principal a guarded handler runs for (set by the guard). */
export function principalOf(res: Response): Principal | null {
  return res.locals.principal ?? null;
}

export function requireUser(res: Response) {
  const p = principalOf(res);
  if (p?.kind !== 'user') throw new HttpError(403, 'forbidden', 'only a signed-in person can do this');
  return p;
}

export function deny(message = 'you do not have access to this'): never {
  throw new HttpError(403, 'forbidden', message);
}
