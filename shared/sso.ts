/** Single sign-on (OpenID Connect): the paths, the sign-in page's messages, and the admin's waiting list. Shared by server and client. */
import { z } from 'zod';
import { id } from './events.js';
import { userFields } from './access.js';

export const OIDC_START_PATH = '/api/v1/auth/oidc/start';
export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';
/** The query parameter the callback sends people back to the sign-in page with. */
export const SSO_RESULT_PARAM = 'sso';

/**
 * Why a single sign-on did not end in a session. The server sends only the code; the page shows the message, so
 * nothing the provider or a crafted link puts in the address is ever shown as text.
 */
export const SSO_RESULTS = {
  waiting:
    'You signed in with your organisation, but you have no role in Frontline yet. An administrator has been asked to give you one on the People page; sign in again once they have.',
  disabled: 'This Frontline account is disabled. Ask an administrator.',
  no_role: 'Your organisation no longer gives you a role in Frontline, so you were not signed in. Ask an administrator.',
  provider_refused: 'The sign-in was cancelled or refused at your organisation\'s sign-in page. Try again.',
  bad_state: 'That sign-in link was not started in this browser, or was already used. Start again with the button below.',
  expired: 'The sign-in took longer than 10 minutes. Start again with the button below.',
  invalid_response: 'The answer from your organisation\'s sign-in could not be verified, so you were not signed in. Start again; if it keeps happening, tell an administrator.',
  unavailable: 'Your organisation\'s sign-in service could not be reached. Try again in a minute, or tell an administrator.',
  locked: 'Too many failed sign-ins came from this address today, so sign-in from it is paused. Try again later, or ask an administrator.',
  busy: 'Too many sign-ins were started from this address in the last few minutes. Wait a few minutes, then try again.',
  setup_first: 'Frontline is not set up yet: the first admin must be created with the setup code from the server console before anyone signs in.',
  not_configured: 'Single sign-on is not set up on this server. Sign in with your username and password.',
  refused: 'Your organisation\'s role for you could not be applied (see the audit log), so you were not signed in. Ask an administrator.',
} as const;
export type SsoResult = keyof typeof SSO_RESULTS;

export function ssoResultMessage(code: string | null): string | null {
  return code !== null && Object.hasOwn(SSO_RESULTS, code) ? SSO_RESULTS[code as SsoResult] : null;
}

/** GET /api/v1/auth/methods: how people may sign in here. */
export interface AuthMethods {
  ok: true;
  /** False: only admins' passwords still work (the way in when the provider is down). */
  password: boolean;
  sso: { label: string; startUrl: string } | null;
}

/** An account's link to the provider, as the people list shows it. */
export interface SsoLink {
  issuer: string;
  /** True: role, teams and agent link are taken from the provider's claims at every sign-in. */
  roleFromClaims: boolean;
  lastSignInAt: string | null;
}

/** Someone who signed in with the provider and has no account yet: an admin gives them a role, or not. */
export interface WaitingIdentity {
  id: string;
  issuer: string;
  subject: string;
  displayName: string;
  email: string | null;
  suggestedUsername: string;
  /** The role, team and agent claims seen at their last sign-in, to help decide. */
  claims: Record<string, unknown>;
  /** Why the claims did not give them a role on their own. */
  reason: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** POST /api/v1/sso/waiting/:identityId/approve: a new account with a role, or a link to an existing one. */
export const approveIdentityBody = z.union([
  z.strictObject({
    username: userFields.username,
    displayName: userFields.displayName,
    role: userFields.role,
    agentId: userFields.agentId,
    siteId: userFields.siteId,
    teamIds: userFields.teamIds,
  }),
  z.strictObject({ linkUserId: id }),
]);
export type ApproveIdentity = z.infer<typeof approveIdentityBody>;
