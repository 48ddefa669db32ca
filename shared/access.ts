/** Roles, scopes and the signed-in principal as the client sees it. Shared by server and client. */
import { z } from 'zod';
import { CHANNELS, id } from './events.js';
import type { SsoLink } from './sso.js';
import { ROLES, type Role } from './roles.js';

// Roles and their words live in a zod-free module so the client's shell can show them without loading zod.
export { ROLES, ROLE_LABELS, type Role } from './roles.js';

/**
 * A scope names a slice of the centre that figures are computed for: `centre`, `site:ID`, `team:ID`, `queue:ID`,
 * `channel:NAME` or `agent:ID`. Used by the read API, socket rooms and display grants alike.
 */
export type Scope =
  | { kind: 'centre' }
  | { kind: 'site'; id: string }
  | { kind: 'team'; id: string }
  | { kind: 'queue'; id: string }
  | { kind: 'channel'; id: (typeof CHANNELS)[number] }
  | { kind: 'agent'; id: string };

export const scopeText = z
  .string()
  .max(200)
  .transform((text, ctx): Scope => {
    if (text === 'centre') return { kind: 'centre' };
    const m = /^(site|team|queue|channel|agent):(.+)$/.exec(text);
    const kind = m?.[1];
    const value = m?.[2];
    if (!kind || value === undefined || !id.safeParse(value).success) {
      ctx.addIssue({ code: 'custom', message: "must be 'centre' or one of site:ID, team:ID, queue:ID, channel:NAME, agent:ID" });
      return z.NEVER;
    }
    if (kind === 'channel') {
      if (!(CHANNELS as readonly string[]).includes(value)) {
        ctx.addIssue({ code: 'custom', message: `unknown channel '${value}'; one of ${CHANNELS.join(', ')}` });
        return z.NEVER;
      }
      return { kind: 'channel', id: value as (typeof CHANNELS)[number] };
    }
    return { kind: kind as 'site' | 'team' | 'queue' | 'agent', id: value };
  });

export function formatScope(s: Scope): string {
  return s.kind === 'centre' ? 'centre' : `${s.kind}:${s.id}`;
}

/** GET /api/v1/session: who is signed in, as the client needs it. */
/** A person as both the session and the people list describe them. */
export interface PersonBase {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  agentId: string | null;
  siteId: string | null;
  teamIds: string[];
}

export interface Me extends PersonBase {
  kind: 'user';
  /** Send as X-CSRF-Token on every state-changing request. */
  csrfToken: string;
}

export interface DisplayMe {
  kind: 'display';
  id: string;
  name: string;
  scopes: string[];
}

export { CSRF_HEADER } from './csrf.js';

/** Usernames: lower-case letters, digits, dot, dash, underscore, @ (so an email address works). */
export const username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._@-]{2,64}$/, 'must be 2 to 64 characters: letters, digits, . _ - @');

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export const userFields = {
  username,
  displayName: z.string().trim().min(1, 'must not be empty').max(200),
  role: z.enum(ROLES),
  agentId: id.nullable().optional(),
  siteId: id.nullable().optional(),
  teamIds: z.array(id).max(100).optional(),
};

export const createUserBody = z.strictObject({ ...userFields, password: z.string().max(PASSWORD_MAX).optional() });
export const updateUserBody = z.strictObject({
  displayName: userFields.displayName.optional(),
  role: userFields.role.optional(),
  agentId: userFields.agentId,
  siteId: userFields.siteId,
  teamIds: userFields.teamIds,
  disabled: z.boolean().optional(),
});

export interface UserInfo extends PersonBase {
  createdAt: string;
  disabledAt: string | null;
  hasPassword: boolean;
  activeSessions: number;
  /** Linked to the single sign-on provider, or null. */
  sso: SsoLink | null;
}

export interface DisplayInfo {
  id: string;
  name: string;
  status: 'pending' | 'approved' | 'paired' | 'revoked';
  scopes: string[];
  createdAt: string;
  approvedAt: string | null;
  revokedAt: string | null;
  lastSeenAt: string | null;
  /** 'board:ID', 'rotation:ID', or null: the centre pulse. */
  shows: string | null;
  reloadHour: number | null;
}

/** GET /api/v1/cases/:id/evidence: what the store holds about one evidence contact, comment masked. */
export interface EvidenceContact {
  contactId: string;
  offeredAt: string | null;
  queueId: string | null;
  channel: string | null;
  agentId: string | null;
  handleSeconds: number | null;
  csat: number | null;
  resolved: boolean | null;
  /** Personal data masked. */
  comment: string | null;
}

export const CASE_KINDS = ['individual', 'systemic', 'recognition'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** A coaching case as the read API returns it. */
export interface CaseSummary {
  id: string;
  kind: CaseKind;
  status: 'open' | 'closed';
  scope: string;
  agentId: string | null;
  teamId: string | null;
  kpi: string;
  rule: string;
  figures: Record<string, unknown>;
  evidenceContactIds: string[];
  /** The coach (individual cases, recognitions) or the owner (systemic reviews) working the case. */
  assignedCoachId: string | null;
  openedAt: string;
  closedAt: string | null;
  /** Where the case is in the coaching workflow (shared/coaching.ts). */
  stage: 'new' | 'assigned' | 'planned' | 'held' | 'closed';
  /** Bumped by every change; writes send the version they read. */
  version: number;
  sessionAt: string | null;
  followUpAt: string | null;
  response: 'acknowledged' | 'disputed' | null;
  outcome: 'improved' | 'no_change' | 'escalated' | 'not_warranted' | null;
}
