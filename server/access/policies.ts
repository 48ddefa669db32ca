/**
 * Authorisation as named predicates. Plain functions of (principal, directory, object): no Express, no Socket.IO.
 * Every REST handler and socket subscription calls one of these before it reads or writes anything.
 *
 * The rules (README "Roles"):
 * - admin: sets everything up; sees every scope.
 * - manager: their site (or the whole centre when they have none): its teams, agents, queues.
 * - team leader: the teams they lead and those teams' agents; queue and channel aggregates (queues are shared).
 * - coach: queue and channel aggregates; an agent only while a coaching case about that agent is assigned to them.
 * - agent: their own figures only, plus queue and channel aggregates (what a floor wallboard shows anyway).
 * - display: exactly the scopes it was granted when paired, read-only.
 * - API key: `read` sees every scope (exports, integrations); `ingest`, `admin` and `directory` see none. `admin`
 *   and `directory` read and change the directory; `directory` does nothing else.
 */
import type { Scope } from '../../shared/access.js';
import type { Directory } from '../../shared/directory.js';
import type { Principal, UserPrincipal } from './principal.js';

/** Directory lookups the predicates need, built once per directory version. */
export class DirectoryIndex {
  readonly teamSite = new Map<string, string>();
  readonly agentTeam = new Map<string, string>();
  readonly queueSite = new Map<string, string | null>();
  readonly queueChannel = new Map<string, string>();
  readonly siteIds = new Set<string>();

  constructor(d: Directory) {
    for (const s of d.sites) this.siteIds.add(s.id);
    for (const t of d.teams) this.teamSite.set(t.id, t.siteId);
    for (const a of d.agents) this.agentTeam.set(a.id, a.teamId);
    for (const q of d.queues) {
      this.queueSite.set(q.id, q.siteId ?? null);
      this.queueChannel.set(q.id, q.channel);
    }
  }

  siteOfAgent(agentId: string): string | undefined {
    const team = this.agentTeam.get(agentId);
    return team === undefined ? undefined : this.teamSite.get(team);
  }
}

/** What a coach's access to agents depends on (their assigned cases); filled in by the coaching workflow. */
export interface CoachingLinks {
  coachHasCaseFor(coachUserId: string, agentId: string): boolean;
}

export const noCoachingLinks: CoachingLinks = { coachHasCaseFor: () => false };

function managerCovers(p: UserPrincipal, siteId: string | undefined | null): boolean {
  return p.siteId === null || (siteId !== undefined && siteId !== null && siteId === p.siteId);
}

export function canViewTeam(p: Principal | null, teamId: string, dir: DirectoryIndex): boolean {
  return canViewScope(p, { kind: 'team', id: teamId }, dir);
}

export function canViewAgent(p: Principal | null, agentId: string, dir: DirectoryIndex, coaching: CoachingLinks = noCoachingLinks): boolean {
  return canViewScope(p, { kind: 'agent', id: agentId }, dir, coaching);
}

/** May this principal see figures for this scope? Unknown ids are denied except to those who see everything. */
export function canViewScope(p: Principal | null, scope: Scope, dir: DirectoryIndex, coaching: CoachingLinks = noCoachingLinks): boolean {
  if (!p) return false;
  if (p.kind === 'apikey') return p.scopes.includes('read');
  if (p.kind === 'display') return p.scopes.some((s) => s.kind === scope.kind && (s.kind === 'centre' || (scope.kind !== 'centre' && s.id === scope.id)));
  switch (p.role) {
    case 'admin':
      return true;
    case 'manager':
      switch (scope.kind) {
        case 'centre':
        case 'channel':
          return p.siteId === null;
        case 'site':
          return managerCovers(p, scope.id);
        case 'team':
          return managerCovers(p, dir.teamSite.get(scope.id));
        case 'queue':
          return p.siteId === null || (dir.queueSite.has(scope.id) && managerCovers(p, dir.queueSite.get(scope.id)));
        case 'agent':
          return managerCovers(p, dir.siteOfAgent(scope.id));
      }
      break;
    case 'team_leader':
      switch (scope.kind) {
        case 'centre':
        case 'queue':
        case 'channel':
          return true;
        case 'site':
          return p.teamIds.some((t) => dir.teamSite.get(t) === scope.id);
        case 'team':
          return p.teamIds.includes(scope.id);
        case 'agent': {
          const team = dir.agentTeam.get(scope.id);
          return team !== undefined && p.teamIds.includes(team);
        }
      }
      break;
    case 'coach':
      switch (scope.kind) {
        case 'centre':
        case 'queue':
        case 'channel':
          return true;
        case 'agent':
          return coaching.coachHasCaseFor(p.userId, scope.id);
        case 'site':
        case 'team':
          return false;
      }
      break;
    case 'agent':
      switch (scope.kind) {
        case 'centre':
        case 'queue':
        case 'channel':
          return true;
        case 'agent':
          return p.agentId !== null && p.agentId === scope.id;
        case 'site':
        case 'team':
          return false;
      }
  }
  return false;
}

/** The live pulse carries centre-wide queue counts and agent-state totals (no names). */
export function canViewPulse(p: Principal | null, dir: DirectoryIndex): boolean {
  return canViewScope(p, { kind: 'centre' }, dir);
}

/** The organisation directory (names of sites, teams, queues, agents): staff and read keys, not screens. */
export function canViewDirectory(p: Principal | null): boolean {
  if (!p) return false;
  if (p.kind === 'apikey') return p.scopes.includes('read') || p.scopes.includes('admin') || p.scopes.includes('directory');
  return p.kind === 'user';
}

/** Replacing the directory, or adding, changing and removing one item: admins, and `admin` or `directory` keys. */
export function canManageDirectory(p: Principal | null): boolean {
  if (!p) return false;
  if (p.kind === 'apikey') return p.scopes.includes('admin') || p.scopes.includes('directory');
  return p.kind === 'user' && p.role === 'admin';
}

export function canManageUsers(p: Principal | null): boolean {
  return p?.kind === 'user' && p.role === 'admin';
}

export function canViewAudit(p: Principal | null): boolean {
  return p?.kind === 'user' && p.role === 'admin';
}

export function canErasePersonalData(p: Principal | null): boolean {
  return p?.kind === 'user' && p.role === 'admin';
}

export function canIngest(p: Principal | null): boolean {
  return p?.kind === 'apikey' && p.scopes.includes('ingest');
}

/** Approving a screen and choosing what it shows: admins, and team leaders for scopes they can see themselves. */
export function canManageDisplays(p: Principal | null): boolean {
  return p?.kind === 'user' && (p.role === 'admin' || p.role === 'team_leader');
}

export function canGrantDisplayScope(p: Principal | null, scope: Scope, dir: DirectoryIndex): boolean {
  return canManageDisplays(p) && canViewScope(p, scope, dir);
}

/** A coaching case as far as access is concerned (the coaching workflow owns the rest). */
export interface CaseRef {
  kind: 'individual' | 'systemic' | 'recognition';
  /** The agent an individual case or recognition is about. */
  agentId: string | null;
  /** The team a case belongs to (the agent's team, or the team of a systemic review). */
  teamId: string | null;
  /** The queue of a queue-wide systemic review (no team). */
  queueId?: string | null;
  /** The teams a queue- or channel-wide review touched: their leaders see it, as do managers covering one of them. */
  touchedTeamIds?: readonly string[];
  /** The coach working an individual case or recognition, or the owner of a systemic review. */
  assignedCoachId: string | null;
}

/**
 * Case content (evidence, plan, notes). Agents see only their own cases, never a colleague's. Coaches see the cases
 * assigned to them and the unassigned individual cases and recognitions (the "new" inbox they pick work from);
 * systemic reviews are for team leaders and managers.
 */
export function canViewCase(p: Principal | null, c: CaseRef, dir: DirectoryIndex): boolean {
  if (p?.kind !== 'user') return false;
  switch (p.role) {
    case 'admin':
      return false;
    case 'manager':
      if (c.teamId !== null) return managerCovers(p, dir.teamSite.get(c.teamId));
      if (p.siteId === null) return c.kind === 'systemic';
      // A queue-wide review: the queue's site (a centre-wide queue has none and is the centre manager's), or a team it
      // touched; a channel-wide review: a team it touched.
      return (c.queueId !== null && c.queueId !== undefined && managerCovers(p, dir.queueSite.get(c.queueId))) || (c.touchedTeamIds ?? []).some((t) => managerCovers(p, dir.teamSite.get(t)));
    case 'team_leader':
      return (c.teamId !== null && p.teamIds.includes(c.teamId)) || (c.teamId === null && (c.touchedTeamIds ?? []).some((t) => p.teamIds.includes(t))) || c.assignedCoachId === p.userId;
    case 'coach':
      return c.assignedCoachId === p.userId || (c.assignedCoachId === null && c.kind !== 'systemic');
    case 'agent':
      return c.kind !== 'systemic' && c.agentId !== null && c.agentId === p.agentId;
  }
}

/** Changing a case (plan, notes, actions, closing, reassigning): the assigned coach or owner, the team's leader, the manager. */
export function canEditCase(p: Principal | null, c: CaseRef, dir: DirectoryIndex): boolean {
  if (p?.kind !== 'user') return false;
  switch (p.role) {
    case 'coach':
      return c.assignedCoachId === p.userId;
    case 'team_leader':
    case 'manager':
      return canViewCase(p, c, dir);
    case 'admin':
    case 'agent':
      return false;
  }
}

/** Taking an unassigned individual case or recognition: any coach (the inbox's "take it"). */
export function canClaimCase(p: Principal | null, c: CaseRef): boolean {
  return p?.kind === 'user' && p.role === 'coach' && c.assignedCoachId === null && c.kind !== 'systemic';
}

/**
 * Who a case may be given to: someone who could then see it. Individual cases and recognitions go to coaches, team
 * leaders or managers; systemic reviews to team leaders or managers (an owner who can change the system).
 */
export function canBeAssigned(assignee: Pick<UserPrincipal, 'role' | 'userId' | 'siteId' | 'teamIds'>, c: CaseRef, dir: DirectoryIndex): boolean {
  if (assignee.role === 'coach') return c.kind !== 'systemic';
  if (assignee.role !== 'team_leader' && assignee.role !== 'manager') return false;
  const as = { ...assignee, kind: 'user', username: '', agentId: null, sessionId: '', csrfToken: '' } satisfies UserPrincipal;
  // Judged on the case as it stands before the hand-over: the assignee must cover its team or queue themselves.
  return canViewCase(as, { ...c, assignedCoachId: null }, dir);
}

/** Acknowledging or disputing, and writing a reflection: only the agent the case is about. */
export function canRespondToCase(p: Principal | null, c: CaseRef): boolean {
  return p?.kind === 'user' && p.role === 'agent' && c.kind !== 'systemic' && c.agentId !== null && c.agentId === p.agentId;
}

/** An improvement initiative as far as access is concerned. */
export interface InitiativeRef {
  scope: Scope;
  /** User ids of the stakeholders, who view, comment and sign off. */
  stakeholders: readonly string[];
  createdBy: string;
}

/**
 * Opening and changing improvement initiatives: admins; managers for scopes they can view; team leaders for their
 * own teams only (a queue or the centre is beyond one team leader's reach to change).
 */
export function canEditInitiativeScope(p: Principal | null, scope: Scope, dir: DirectoryIndex): boolean {
  if (p?.kind !== 'user') return false;
  switch (p.role) {
    case 'admin':
      return scope.kind !== 'agent';
    case 'manager':
      return scope.kind !== 'agent' && canViewScope(p, scope, dir);
    case 'team_leader':
      return scope.kind === 'team' && p.teamIds.includes(scope.id);
    case 'coach':
    case 'agent':
      return false;
  }
}

export function canEditInitiative(p: Principal | null, i: InitiativeRef, dir: DirectoryIndex): boolean {
  return canEditInitiativeScope(p, i.scope, dir);
}

/** Reading one: those who may change it, admins, managers and team leaders who see its scope, and its stakeholders. */
export function canViewInitiative(p: Principal | null, i: InitiativeRef, dir: DirectoryIndex): boolean {
  if (p?.kind !== 'user' || p.role === 'agent') return false;
  if (i.stakeholders.includes(p.userId)) return true;
  return p.role !== 'coach' && canViewScope(p, i.scope, dir);
}

/** Signing the plan off: only a stakeholder, for themself. */
export function canSignOffInitiative(p: Principal | null, i: InitiativeRef): boolean {
  return p?.kind === 'user' && p.role !== 'agent' && i.stakeholders.includes(p.userId);
}
