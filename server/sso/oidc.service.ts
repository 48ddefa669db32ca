/**
 * OpenID Connect sign-in: the authorization code flow with PKCE (S256), state and nonce, through openid-client.
 *
 * Where the flow's secrets live: server-side, in the `oidc_logins` table, keyed by the SHA-256 of a random 256-bit
 * value that only this browser holds, in a short-lived HttpOnly SameSite=Lax cookie (`fl_oidc`). The store and not
 * an encrypted cookie because every node of a cluster already shares it (no extra key to distribute) and because a
 * row can be deleted when it is used, so a callback address can never be replayed. The callback is accepted only
 * when the browser brings the cookie that started this very flow and the `state` matches that flow's row: a link
 * crafted from an attacker's own sign-in (login CSRF, fixing a victim into the attacker's account) finds no row for
 * the victim's browser and is refused before any code is exchanged. The PKCE verifier never leaves the server, so a
 * stolen code is useless; the nonce ties the ID token to this flow; openid-client checks the ID token's signature,
 * issuer, audience, expiry and nonce, and the `iss` response parameter (mix-up attacks) where the provider sends it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import { OIDC_CALLBACK_PATH, type SsoResult } from '../../shared/sso.js';
import type { AccountService } from '../accounts/account.service.js';
import type { SessionService } from '../accounts/session.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { sha256Hex } from '../ingest/canonical.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import type { IdentityService } from './identity.service.js';
import type { SsoSettings } from './sso.config.js';

/** How long a started sign-in may take at the provider. */
export const LOGIN_TTL_MS = 10 * 60_000;
/** Sign-ins in flight from one address within LOGIN_TTL_MS: a cap, so anonymous starts cannot fill the table. */
export const STARTS_PER_ADDRESS = 30;
const DISCOVERY_TIMEOUT_S = 10;

/** A sign-in that ends without a session; `result` is what the sign-in page says, `reason` what the audit log says. */
export class SsoRefusal extends Error {
  constructor(
    readonly result: SsoResult,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface StartedLogin {
  /** Where to send the browser. */
  url: string;
  /** The value for the fl_oidc cookie. */
  binding: string;
}

export interface FinishedLogin {
  token: string;
  userId: string;
  returnTo: string;
}

export class OidcService {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly settings: SsoSettings,
    private readonly deps: { store: Store; clock: Clock; accounts: AccountService; sessions: SessionService; identities: IdentityService; audit: AuditService; logger: Logger },
  ) {}

  get label(): string {
    return this.settings.label;
  }

  /** Discovery once, kept; a failure is not kept, so the next sign-in tries again (the provider may be back). */
  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= (async () => {
      const issuer = new URL(this.settings.issuer);
      const auth = this.settings.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(this.settings.clientSecret);
      // Plain http is accepted by the config only for a provider on this machine (trials and tests).
      return oidc.discovery(issuer, this.settings.clientId, undefined, auth, {
        timeout: DISCOVERY_TIMEOUT_S,
        ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
    })();
    this.configuration.catch(() => {
      this.configuration = undefined;
    });
    return this.configuration;
  }

  /** Starts a sign-in: stores state, nonce and PKCE verifier, and returns the provider's address to send the browser to. */
  async start(input: { ip: string; origin: string; returnTo: string; previousBinding: string | undefined }): Promise<StartedLogin> {
    const { store, clock } = this.deps;
    const now = clock.now();
    await store.db.deleteFrom('oidc_logins').where('expires_ms', '<=', now).execute();
    if (input.previousBinding) await store.db.deleteFrom('oidc_logins').where('id', '=', sha256Hex(input.previousBinding)).execute();
    const inFlight = await store.db
      .selectFrom('oidc_logins')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ip', '=', input.ip.slice(0, 64))
      .executeTakeFirstOrThrow();
    if (Number(inFlight.n) >= STARTS_PER_ADDRESS) throw new SsoRefusal('busy', `${STARTS_PER_ADDRESS} sign-ins already in flight from this address`);
    const config = await this.discover().catch((err: unknown) => {
      throw new SsoRefusal('unavailable', `provider discovery failed: ${describe(err)}`);
    });
    const binding = randomBytes(32).toString('base64url');
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const redirectUri = this.settings.redirectUrl ?? `${input.origin}${OIDC_CALLBACK_PATH}`;
    await store.db
      .insertInto('oidc_logins')
      .values({ id: sha256Hex(binding), state, nonce, code_verifier: codeVerifier, redirect_uri: redirectUri, return_to: input.returnTo, ip: input.ip.slice(0, 64), created_ms: now, expires_ms: now + LOGIN_TTL_MS })
      .execute();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes.join(' '),
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, binding };
  }

  /**
   * The provider sent the browser back: checks the flow, exchanges the code, and signs the person in (a new session,
   * the same kind as a password sign-in gives). Throws SsoRefusal for every way it can end without a session.
   */
  async finish(input: { binding: string | undefined; query: URLSearchParams; ip: string; userAgent: string | null }): Promise<FinishedLogin> {
    const { accounts, audit } = this.deps;
    // Failed callbacks count against the address, with failed passwords (100 a day); no per-person lock: the
    // provider guards the credentials, and nobody can lock single sign-on for an office or for everyone.
    const subject = 'sso';
    const wait = await accounts.throttle.attempt(subject, input.ip, 'address');
    if (wait > 0) {
      await audit.record({ actor: 'anonymous', action: 'auth.sso_login', outcome: 'locked', ip: input.ip });
      throw new SsoRefusal('locked', 'too many failed sign-ins from this address today');
    }
    try {
      const done = await this.exchange(input);
      await accounts.throttle.succeeded(subject, input.ip, 'address');
      return done;
    } catch (err) {
      if (!(err instanceof SsoRefusal)) throw err;
      // A person waiting for a role, or refused by their account's state, did nothing wrong: not a failed attempt.
      if (err.result === 'waiting' || err.result === 'disabled' || err.result === 'no_role' || err.result === 'refused') await accounts.throttle.succeeded(subject, input.ip, 'address');
      if (err.result !== 'waiting') await audit.record({ actor: 'anonymous', action: 'auth.sso_login', outcome: 'failure', ip: input.ip, details: { result: err.result, reason: err.reason } });
      throw err;
    }
  }

  private async exchange(input: { binding: string | undefined; query: URLSearchParams; ip: string; userAgent: string | null }): Promise<FinishedLogin> {
    const { store, clock, identities, sessions, audit } = this.deps;
    if (!input.binding || input.binding.length > 100) throw new SsoRefusal('bad_state', 'no sign-in in flight in this browser (no fl_oidc cookie)');
    const id = sha256Hex(input.binding);
    const row = await store.db.selectFrom('oidc_logins').selectAll().where('id', '=', id).executeTakeFirst();
    // Used once: whoever deletes the row owns this callback; a replay or a parallel copy finds nothing.
    const deleted = await store.db.deleteFrom('oidc_logins').where('id', '=', id).executeTakeFirst();
    if (!row || Number(deleted.numDeletedRows) !== 1) throw new SsoRefusal('bad_state', 'no sign-in in flight for this browser\'s cookie (unknown, or already used)');
    if (Number(row.expires_ms) <= clock.now()) throw new SsoRefusal('expired', 'the sign-in was started more than 10 minutes ago');
    if (!sameText(input.query.get('state'), row.state)) throw new SsoRefusal('bad_state', 'the state in the callback is not the one this browser started with');
    const providerError = input.query.get('error');
    if (providerError !== null) throw new SsoRefusal('provider_refused', `the provider answered ${providerError.slice(0, 100)}`);

    const config = await this.discover().catch((err: unknown) => {
      throw new SsoRefusal('unavailable', `provider discovery failed: ${describe(err)}`);
    });
    // The address the provider sent the browser to, rebuilt from the stored redirect_uri (never from the Host header).
    const current = new URL(row.redirect_uri);
    for (const [k, v] of input.query) current.searchParams.append(k, v);
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: row.code_verifier, expectedState: row.state, expectedNonce: row.nonce, idTokenExpected: true });
      claims = tokens.claims();
    } catch (err) {
      throw new SsoRefusal(unreachable(err) ? 'unavailable' : 'invalid_response', describe(err));
    }
    if (!claims) throw new SsoRefusal('invalid_response', 'the provider sent no ID token');
    const issuer = config.serverMetadata().issuer;
    const outcome = await identities.signIn(issuer, claims, input.ip);
    if (outcome.kind === 'refused') throw new SsoRefusal(outcome.result, outcome.reason);
    const s = await sessions.create(outcome.userId, input.ip, input.userAgent);
    await audit.record({ actor: `user:${outcome.userId}`, action: 'auth.sso_login', target: `user:${outcome.userId}`, ip: input.ip, details: { issuer, created: outcome.created } });
    return { token: s.token, userId: outcome.userId, returnTo: row.return_to };
  }
}

function sameText(a: string | null, b: string): boolean {
  if (a === null) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The provider could not be reached (as opposed to answering something wrong). */
function unreachable(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return e.name === 'TimeoutError' || e.name === 'AbortError' || (err instanceof TypeError && /fetch failed/i.test(e.message ?? ''));
}

/** For the audit log: the error and its cause, one line, no stack. */
function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string }; code?: string; error?: string; error_description?: string };
  const parts = [e.code, e.error, e.message, e.error_description, e.cause?.message].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return [...new Set(parts)].join(': ').slice(0, 500) || 'unknown error';
}
