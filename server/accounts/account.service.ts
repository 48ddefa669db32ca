/**
 * People and their roles: create, change, disable, set passwords, sign in and out. Any change to what a person may
 * see (role, teams, site, linked agent, disabling) or to their password ends all their sessions, live sockets
 * included, so a demoted user never keeps yesterday's access on an open screen.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { createUserBody, Role, UserInfo } from '../../shared/access.js';
import type { SsoLink } from '../../shared/sso.js';
import type { UserPrincipal } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { Store } from '../store/db.js';
import type { UsersTable } from '../store/schema.js';
import { AccountError } from './errors.js';
import { LoginThrottle } from './login-throttle.js';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './password.js';
import type { SessionService } from './session.service.js';

export type NewUser = z.infer<typeof createUserBody>;

export interface UserChange {
  displayName?: string | undefined;
  role?: Role | undefined;
  agentId?: string | null | undefined;
  siteId?: string | null | undefined;
  teamIds?: string[] | undefined;
  disabled?: boolean | undefined;
}

export interface RequestMeta {
  actor: string;
  ip: string | null;
  userAgent?: string | null;
}

export interface AccountOptions {
  /** 'admins': password sign-in is off (single sign-on only) except for admins, who keep a way in when the provider is down. */
  passwordSignIn: 'everyone' | 'admins';
}

export class AccountService {
  readonly throttle: LoginThrottle;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly sessions: SessionService,
    private readonly directory: DirectoryService,
    private readonly audit: AuditService,
    readonly options: AccountOptions = { passwordSignIn: 'everyone' },
  ) {
    this.throttle = new LoginThrottle(store, clock);
  }

  async count(): Promise<number> {
    const row = await this.store.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async list(): Promise<UserInfo[]> {
    const [rows, sessions, links] = await Promise.all([this.store.db.selectFrom('users').selectAll().orderBy('username').execute(), this.sessions.countByUser(), this.ssoLinks()]);
    return rows.map((r) => toInfo(r, sessions.get(r.id) ?? 0, links.get(r.id) ?? null));
  }

  async get(id: string): Promise<UserInfo> {
    const row = await this.store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no user with id '${id}'`);
    const [sessions, links] = await Promise.all([this.sessions.countByUser(), this.ssoLinks(id)]);
    return toInfo(row, sessions.get(id) ?? 0, links.get(id) ?? null);
  }

  /** Single sign-on links by account (the most recently used one when an account has several). */
  private async ssoLinks(userId?: string): Promise<Map<string, SsoLink>> {
    let q = this.store.db.selectFrom('account_identities').select(['user_id', 'issuer', 'role_from_claims', 'last_login_ms']).where('user_id', 'is not', null);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const links = new Map<string, SsoLink>();
    for (const r of await q.orderBy('last_login_ms').execute()) {
      links.set(r.user_id as string, { issuer: r.issuer, roleFromClaims: Number(r.role_from_claims) === 1, lastSignInAt: new Date(Number(r.last_login_ms)).toISOString() });
    }
    return links;
  }

  /** Creates a person. `password` may be omitted for single sign-on accounts. */
  async create(input: NewUser, meta: RequestMeta): Promise<UserInfo> {
    await this.checkRoleFields(input.role, input.agentId ?? null, input.siteId ?? null, input.teamIds ?? []);
    let passwordHash: string | null = null;
    if (input.password !== undefined) {
      const problem = passwordProblem(input.password, [input.username, input.displayName]);
      if (problem) throw new AccountError('invalid', `password ${problem}`);
      passwordHash = await hashPassword(input.password);
    }
    const existing = await this.store.db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (existing) throw new AccountError('conflict', `the username '${input.username}' is taken`);
    const now = this.clock.now();
    const id = newId();
    await this.store.db
      .insertInto('users')
      .values({
        id,
        username: input.username,
        display_name: input.displayName,
        password_hash: passwordHash,
        role: input.role,
        agent_id: input.agentId ?? null,
        site_id: input.siteId ?? null,
        team_ids: JSON.stringify(input.teamIds ?? []),
        created_ms: now,
        updated_ms: now,
        disabled_ms: null,
      })
      .execute();
    await this.audit.record({ actor: meta.actor, action: 'user.create', target: `user:${id}`, ip: meta.ip, details: { role: input.role, username: input.username } });
    return this.get(id);
  }

  /**
   * Changes a person. `source: 'sso'` is a sign-in applying the provider's claims; any other change to role, teams or
   * agent link is an admin's, and from then on that account's access is set here, no longer by the claims.
   */
  async update(id: string, change: UserChange, meta: RequestMeta & { selfUserId?: string; source?: 'admin' | 'sso' }): Promise<UserInfo> {
    const row = await this.store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no user with id '${id}'`);
    const role = change.role ?? (row.role as Role);
    const agentId = change.agentId === undefined ? row.agent_id : change.agentId;
    const siteId = change.siteId === undefined ? row.site_id : change.siteId;
    const teamIds = change.teamIds ?? (JSON.parse(row.team_ids) as string[]);
    await this.checkRoleFields(role, agentId, siteId, teamIds);
    if (meta.selfUserId === id && (role !== 'admin' || change.disabled === true)) {
      throw new AccountError('invalid', 'you cannot remove your own admin role or disable yourself; ask another admin');
    }
    if ((row.role === 'admin' && role !== 'admin') || change.disabled === true) {
      const admins = await this.store.db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled_ms', 'is', null).execute();
      if (admins.length === 1 && admins[0]?.id === id) throw new AccountError('invalid', 'this is the last active admin; make another admin first');
    }
    const now = this.clock.now();
    const disabledMs = change.disabled === undefined ? row.disabled_ms : change.disabled ? (row.disabled_ms ?? now) : null;
    await this.store.db
      .updateTable('users')
      .set({
        display_name: change.displayName ?? row.display_name,
        role,
        agent_id: agentId,
        site_id: siteId,
        team_ids: JSON.stringify(teamIds),
        disabled_ms: disabledMs,
        updated_ms: now,
      })
      .where('id', '=', id)
      .execute();
    const accessChanged =
      role !== row.role ||
      agentId !== row.agent_id ||
      siteId !== row.site_id ||
      JSON.stringify(teamIds) !== row.team_ids ||
      (disabledMs !== null && row.disabled_ms === null);
    let ended = 0;
    if (accessChanged) ended = await this.sessions.revokeAllForUser(id, role !== row.role ? 'role changed' : 'access changed');
    const claimFields = role !== row.role || agentId !== row.agent_id || JSON.stringify(teamIds) !== row.team_ids;
    if (claimFields && meta.source !== 'sso') {
      await this.store.db.updateTable('account_identities').set({ role_from_claims: 0 }).where('user_id', '=', id).execute();
    }
    await this.audit.record({
      actor: meta.actor,
      action: role !== row.role ? 'user.role_change' : 'user.update',
      target: `user:${id}`,
      ip: meta.ip,
      details: { from: row.role, to: role, teamIds, siteId, agentId, disabled: disabledMs !== null, sessionsEnded: ended },
    });
    return this.get(id);
  }

  /** Sets a password (an admin's reset, or the user's own change). Ends every other session of that user. */
  async setPassword(id: string, password: string, meta: RequestMeta & { keepSessionId?: string }): Promise<void> {
    const row = await this.store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no user with id '${id}'`);
    const problem = passwordProblem(password, [row.username, row.display_name]);
    if (problem) throw new AccountError('invalid', `password ${problem}`);
    await this.store.db.updateTable('users').set({ password_hash: await hashPassword(password), updated_ms: this.clock.now() }).where('id', '=', id).execute();
    const ended = await this.sessions.revokeAllForUser(id, 'password changed', meta.keepSessionId);
    await this.throttle.clearUser(row.username);
    await this.audit.record({ actor: meta.actor, action: 'user.password_set', target: `user:${id}`, ip: meta.ip, details: { sessionsEnded: ended } });
  }

  /** A user changing their own password must prove the current one. */
  async changeOwnPassword(p: UserPrincipal, current: string, next: string, ip: string | null): Promise<void> {
    const wait = await this.throttle.attempt(`self:${p.userId}`, ip ?? 'unknown');
    if (wait > 0) throw new AccountError('locked', `too many wrong current passwords; try again in ${Math.ceil(wait / 60_000)} minutes`, Math.ceil(wait / 1000));
    const row = await this.store.db.selectFrom('users').select('password_hash').where('id', '=', p.userId).executeTakeFirst();
    if (!row?.password_hash || !(await verifyPassword(row.password_hash, current))) {
      await this.audit.record({ actor: `user:${p.userId}`, action: 'user.password_change', outcome: 'failure', ip, details: { reason: 'current password wrong' } });
      throw new AccountError('invalid', 'the current password is not right');
    }
    await this.throttle.succeeded(`self:${p.userId}`, ip ?? 'unknown');
    await this.setPassword(p.userId, next, { actor: `user:${p.userId}`, ip, keepSessionId: p.sessionId });
  }

  /**
   * Signs in with a username and password. Unknown usernames take as long as known ones and get the same answer;
   * locks apply before the password is checked.
   */
  async login(usernameRaw: string, password: string, meta: { ip: string; userAgent: string | null }): Promise<{ token: string; expiresMs: number; userId: string }> {
    const username = usernameRaw.trim().toLowerCase().slice(0, 64);
    // The attempt is counted before the password is checked, so parallel guesses cannot get past the limit.
    const wait = await this.throttle.attempt(username, meta.ip);
    if (wait > 0) {
      await this.audit.record({ actor: 'anonymous', action: 'auth.login', target: `username:${username}`, outcome: 'locked', ip: meta.ip });
      const minutes = Math.ceil(wait / 60_000);
      throw new AccountError('locked', `too many failed sign-in attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an admin to reset your password`, Math.ceil(wait / 1000));
    }
    const row = await this.store.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    const ok = await verifyPassword(row?.password_hash ?? (await dummyHash()), password);
    if (!row || !ok || row.disabled_ms !== null || row.password_hash === null) {
      const reason = !row ? 'unknown username' : row.disabled_ms !== null ? 'account disabled' : 'wrong password';
      await this.audit.record({ actor: 'anonymous', action: 'auth.login', target: `username:${username}`, outcome: 'failure', ip: meta.ip, details: { reason } });
      throw new AccountError('unauthenticated', 'the username or password is not right');
    }
    // Checked after the password, so the answer says nothing about an account to someone who does not know it.
    if (this.options.passwordSignIn === 'admins' && row.role !== 'admin') {
      await this.throttle.succeeded(username, meta.ip);
      await this.audit.record({ actor: `user:${row.id}`, action: 'auth.login', target: `user:${row.id}`, outcome: 'denied', ip: meta.ip, details: { reason: 'password sign-in is off; single sign-on only' } });
      throw new AccountError('forbidden', 'password sign-in is turned off here; use the single sign-on button instead');
    }
    await this.throttle.succeeded(username, meta.ip);
    const s = await this.sessions.create(row.id, meta.ip, meta.userAgent);
    await this.audit.record({ actor: `user:${row.id}`, action: 'auth.login', target: `user:${row.id}`, ip: meta.ip });
    return { token: s.token, expiresMs: s.expiresMs, userId: row.id };
  }

  /** Ends every session of a person (their live screens too); the number ended. */
  endSessions(userId: string, reason: string): Promise<number> {
    return this.sessions.revokeAllForUser(userId, reason);
  }

  async logout(p: UserPrincipal, ip: string | null): Promise<void> {
    await this.sessions.revoke([p.sessionId], 'signed out');
    await this.audit.record({ actor: `user:${p.userId}`, action: 'auth.logout', target: `user:${p.userId}`, ip });
  }

  /** Checks the fields each role needs against the directory, so a team leader cannot be given a team that does not exist. */
  private async checkRoleFields(role: Role, agentId: string | null, siteId: string | null, teamIds: string[]): Promise<void> {
    const d = await this.directory.get();
    if (role === 'agent' && !agentId) throw new AccountError('invalid', 'an agent account must be linked to an agent id from the directory');
    if (agentId && !d.agents.some((a) => a.id === agentId)) throw new AccountError('invalid', `agentId '${agentId}' is not in the directory`);
    if (role === 'team_leader' && teamIds.length === 0) throw new AccountError('invalid', 'a team leader needs at least one team (teamIds)');
    for (const t of teamIds) if (!d.teams.some((x) => x.id === t)) throw new AccountError('invalid', `team '${t}' is not in the directory`);
    if (siteId && !d.sites.some((s) => s.id === siteId)) throw new AccountError('invalid', `site '${siteId}' is not in the directory`);
    if (role !== 'team_leader' && teamIds.length > 0) throw new AccountError('invalid', 'only team leaders have teams (teamIds)');
    if (role !== 'manager' && siteId) throw new AccountError('invalid', 'only managers have a site (siteId); leave it empty for the whole centre');
  }
}

function newId(): string {
  return `u_${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;
}

function toInfo(r: UsersTable, activeSessions: number, sso: SsoLink | null): UserInfo {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role as Role,
    agentId: r.agent_id,
    siteId: r.site_id,
    teamIds: JSON.parse(r.team_ids) as string[],
    createdAt: new Date(Number(r.created_ms)).toISOString(),
    disabledAt: r.disabled_ms === null ? null : new Date(Number(r.disabled_ms)).toISOString(),
    hasPassword: r.password_hash !== null,
    activeSessions,
    sso,
  };
}
