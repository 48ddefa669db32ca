/**
 * Single sign-on settings (OpenID Connect), parsed with the rest of the environment in server/config.ts. Unset
 * OIDC_ISSUER means password sign-in only; any other OIDC_* variable without it is a mistake and stops the start.
 */
import { z } from 'zod';
import { ROLES, type Role } from '../../shared/access.js';
import { OIDC_CALLBACK_PATH } from '../../shared/sso.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const bool = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'on' || v === 'yes');

/** A claim name, or a dotted path into nested claims (Keycloak's `realm_access.roles`). */
const claimPath = z.string().trim().regex(/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/, 'must be a claim name, or a dotted path like realm_access.roles');

export const ssoConfigFields = {
  OIDC_ISSUER: z
    .url({ message: 'must be the provider\'s issuer URL (https://login.example.com/realms/centre)' })
    .refine((u) => {
      const url = new URL(u);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
    }, 'must be an https:// URL (plain http is accepted only for a provider on this machine: 127.0.0.1 or localhost)')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  OIDC_CLIENT_ID: z.string().trim().min(1).max(300).optional(),
  /** Absent: a public client; PKCE alone protects the code exchange. */
  OIDC_CLIENT_SECRET: z.string().min(1).max(1000).optional(),
  OIDC_REDIRECT_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
    .refine((u) => new URL(u).pathname === OIDC_CALLBACK_PATH, `must end in ${OIDC_CALLBACK_PATH}`)
    .optional(),
  OIDC_SCOPES: z
    .string()
    .default('openid profile email')
    .transform((s) => s.split(/\s+/).filter(Boolean))
    .refine((s) => s.includes('openid'), "must include 'openid'")
    .refine((s) => s.every((x) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(x)), 'scopes are printable characters without quotes or backslashes, separated by spaces'),
  OIDC_DISPLAY_NAME: z.string().trim().min(1).max(60).default('single sign-on'),
  OIDC_ROLE_CLAIM: claimPath.optional(),
  OIDC_ROLE_MAP: z
    .string()
    .optional()
    .transform((v, ctx): Record<string, Role> | undefined => {
      if (v === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON: {"claim value": "role", ...}' });
        return z.NEVER;
      }
      const r = z.record(z.string().min(1).max(300), z.enum(ROLES, { message: `each role must be one of ${ROLES.join(', ')}` })).safeParse(parsed);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'must map claim values to roles' });
        return z.NEVER;
      }
      return r.data;
    }),
  OIDC_TEAM_CLAIM: claimPath.optional(),
  OIDC_AGENT_CLAIM: claimPath.optional(),
  /** Off: only admin accounts that have a password may still use it (the way in when the provider is down). */
  OIDC_ALLOW_PASSWORD: bool.default(true),
};

export interface SsoSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** OIDC_REDIRECT_URL, else PUBLIC_URL + the callback path; undefined: derived from each request's host. */
  redirectUrl: string | undefined;
  scopes: string[];
  label: string;
  roleClaim: string | undefined;
  roleMap: Record<string, Role>;
  teamClaim: string | undefined;
  agentClaim: string | undefined;
  allowPassword: boolean;
}

export const ssoEnvSchema = z.object(ssoConfigFields);
type SsoEnv = z.infer<typeof ssoEnvSchema> & { PUBLIC_URL?: string | undefined };

/** The settings, null when SSO is off, or a message naming the variable that is wrong. */
export function ssoSettings(e: SsoEnv): SsoSettings | null | string {
  if (e.OIDC_ISSUER === undefined) {
    const stray = (['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL', 'OIDC_ROLE_CLAIM', 'OIDC_ROLE_MAP', 'OIDC_TEAM_CLAIM', 'OIDC_AGENT_CLAIM'] as const).find((k) => e[k] !== undefined);
    return stray ? `${stray}: is set but OIDC_ISSUER is not; set OIDC_ISSUER to turn single sign-on on` : null;
  }
  if (e.OIDC_CLIENT_ID === undefined) return 'OIDC_CLIENT_ID: required with OIDC_ISSUER (the client id registered at the provider)';
  if ((e.OIDC_ROLE_MAP === undefined) !== (e.OIDC_ROLE_CLAIM === undefined)) {
    return 'OIDC_ROLE_MAP: OIDC_ROLE_CLAIM and OIDC_ROLE_MAP go together (which claim holds the groups, and which group means which role)';
  }
  return {
    issuer: e.OIDC_ISSUER,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    redirectUrl: e.OIDC_REDIRECT_URL ?? (e.PUBLIC_URL === undefined ? undefined : `${e.PUBLIC_URL}${OIDC_CALLBACK_PATH}`),
    scopes: e.OIDC_SCOPES,
    label: e.OIDC_DISPLAY_NAME,
    roleClaim: e.OIDC_ROLE_CLAIM,
    roleMap: e.OIDC_ROLE_MAP ?? {},
    teamClaim: e.OIDC_TEAM_CLAIM,
    agentClaim: e.OIDC_AGENT_CLAIM,
    allowPassword: e.OIDC_ALLOW_PASSWORD,
  };
}
