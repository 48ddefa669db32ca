/**
 * From a provider's ID token claims to Frontline access: which role, which teams, which directory agent. Plain
 * functions, no HTTP or store, so the rules can be tested on their own.
 */
import { createHash } from 'node:crypto';
import type { Role } from '../../shared/access.js';
import type { SsoSettings } from './sso.config.js';

/** When claims map to several roles, the one that sees the most wins (someone in both groups is an admin). */
const PRECEDENCE: readonly Role[] = ['admin', 'manager', 'team_leader', 'coach', 'agent'];

export interface ClaimAccess {
  role: Role;
  teamIds: string[];
  agentId: string | null;
}

export type Mapping = { ok: true; access: ClaimAccess } | { ok: false; reason: string };

type Claims = Record<string, unknown>;

/** The values at a claim name or dotted path: a string, a number, or an array of them; anything else is ignored. */
export function claimValues(claims: Claims, path: string | undefined): string[] {
  if (path === undefined) return [];
  let at: unknown = claims;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, part)) return [];
    at = (at as Claims)[part];
  }
  const list = Array.isArray(at) ? at : [at];
  return list.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String).slice(0, 500);
}

export interface DirectoryIds {
  teams: ReadonlySet<string>;
  agents: ReadonlySet<string>;
}

/**
 * The access the claims give, or why they give none. `settings.roleClaim` unset: roles are never taken from claims
 * (every new person waits for an admin).
 */
export function accessFromClaims(claims: Claims, settings: Pick<SsoSettings, 'roleClaim' | 'roleMap' | 'teamClaim' | 'agentClaim'>, dir: DirectoryIds): Mapping {
  if (settings.roleClaim === undefined) return { ok: false, reason: 'roles are not taken from the provider here (OIDC_ROLE_CLAIM is not set)' };
  const values = claimValues(claims, settings.roleClaim);
  const roles = new Set(values.flatMap((v) => (Object.hasOwn(settings.roleMap, v) ? [settings.roleMap[v] as Role] : [])));
  const role = PRECEDENCE.find((r) => roles.has(r));
  if (role === undefined) {
    return { ok: false, reason: values.length === 0 ? `the token has no '${settings.roleClaim}' claim` : `no value of '${settings.roleClaim}' is in OIDC_ROLE_MAP` };
  }
  const agentClaim = claimValues(claims, settings.agentClaim);
  const agentId = agentClaim.find((a) => dir.agents.has(a)) ?? null;
  if (role === 'agent' && agentId === null) {
    return {
      ok: false,
      reason: agentClaim.length === 0 ? `an agent needs a directory agent id in the '${settings.agentClaim ?? 'OIDC_AGENT_CLAIM'}' claim` : `agent id '${agentClaim[0] ?? ''}' is not in the directory`,
    };
  }
  const teamIds = role === 'team_leader' ? [...new Set(claimValues(claims, settings.teamClaim).filter((t) => dir.teams.has(t)))].sort() : [];
  if (role === 'team_leader' && teamIds.length === 0) {
    return { ok: false, reason: `a team leader needs at least one directory team id in the '${settings.teamClaim ?? 'OIDC_TEAM_CLAIM'}' claim` };
  }
  return { ok: true, access: { role, teamIds, agentId } };
}

/** What the admin sees about someone waiting: the claims that decide access, nothing else. */
export function accessClaims(claims: Claims, settings: Pick<SsoSettings, 'roleClaim' | 'teamClaim' | 'agentClaim'>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const path of [settings.roleClaim, settings.teamClaim, settings.agentClaim]) {
    if (path !== undefined) out[path] = claimValues(claims, path).slice(0, 50).map((v) => v.slice(0, 200));
  }
  return out;
}

const USERNAME = /^[a-z0-9._@-]{2,64}$/;

/** A username for a new account from the provider's preferred_username or email; never used to find an account. */
export function suggestedUsername(claims: Claims): string {
  for (const key of ['preferred_username', 'email', 'name']) {
    const v = claims[key];
    if (typeof v !== 'string') continue;
    const u = v
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9._@-]+/g, '.')
      .replace(/^\.+|\.+$/g, '')
      .slice(0, 56);
    if (USERNAME.test(u)) return u;
  }
  return `sso.${createHash('sha256').update(String(claims.sub)).digest('hex').slice(0, 10)}`;
}

export function displayNameOf(claims: Claims): string {
  for (const key of ['name', 'preferred_username', 'email']) {
    const v = claims[key];
    if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 200);
  }
  return suggestedUsername(claims);
}

export function emailOf(claims: Claims): string | null {
  return typeof claims.email === 'string' && claims.email.length <= 320 ? claims.email : null;
}
