/** Who is asking: a signed-in person, a paired wall screen, or an integrator's API key. */
import type { Role, Scope } from '../../shared/access.js';
import type { ApiKeyScope } from '../../shared/api.js';

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  username: string;
  role: Role;
  /** The directory agent this person is, if any (agents: always; others: optional). */
  agentId: string | null;
  /** Managers: their site, or null for the whole centre. */
  siteId: string | null;
  /** Team leaders: the teams they lead. */
  teamIds: readonly string[];
  sessionId: string;
  csrfToken: string;
}

export interface DisplayPrincipal {
  kind: 'display';
  displayId: string;
  name: string;
  scopes: readonly Scope[];
}

export interface KeyPrincipal {
  kind: 'apikey';
  keyId: string;
  /** The name it was created with (the ingest metrics' `source` label: bounded by the number of keys). */
  name: string;
  scopes: readonly ApiKeyScope[];
}

export type Principal = UserPrincipal | DisplayPrincipal | KeyPrincipal;

/** For logs and the audit trail: never a secret. */
export function actorOf(p: Principal | null): string {
  if (!p) return 'anonymous';
  switch (p.kind) {
    case 'user':
      return `user:${p.userId}`;
    case 'display':
      return `display:${p.displayId}`;
    case 'apikey':
      return `key:${p.keyId}`;
  }
}

/** The audience names route policies are declared with (function-level access). */
export const AUDIENCES = ['admin', 'manager', 'team_leader', 'coach', 'agent', 'display', 'key:ingest', 'key:read', 'key:admin', 'key:directory', 'key:metrics'] as const;
export type Audience = (typeof AUDIENCES)[number];

export function audiencesOf(p: Principal | null): Audience[] {
  if (!p) return [];
  switch (p.kind) {
    case 'user':
      return [p.role];
    case 'display':
      return ['display'];
    case 'apikey':
      return p.scopes.map((s) => `key:${s}` as const);
  }
}
