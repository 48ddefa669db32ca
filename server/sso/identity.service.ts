/**
 * Provider identities and the accounts they sign in to. An identity is found by (issuer, subject) only, never by a
 * username or email address, so nobody can take over an account by choosing a matching name at the provider.
 * A first sign-in whose claims map to a role creates the account; otherwise the person waits, with no account and
 * no session, until an admin gives them a role (or links them to an existing account) on the People page.
 */
import { randomBytes } from 'node:crypto';
import type { UserInfo } from '../../shared/access.js';
import type { ApproveIdentity, SsoResult, WaitingIdentity } from '../../shared/sso.js';
import type { AccountService, RequestMeta } from '../accounts/account.service.js';
import { AccountError } from '../accounts/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { Store } from '../store/db.js';
import type { AccountIdentitiesTable } from '../store/schema.js';
import { accessClaims, accessFromClaims, displayNameOf, emailOf, suggestedUsername, type ClaimAccess } from './claims.js';
import type { SsoSettings } from './sso.config.js';

export type SignInOutcome = { kind: 'user'; userId: string; created: boolean } | { kind: 'refused'; result: SsoResult; reason: string };

type Claims = Record<string, unknown> & { sub: string };

export class IdentityService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly accounts: AccountService,
    private readonly directory: DirectoryService,
    private readonly audit: AuditService,
    private readonly settings: SsoSettings | null,
  ) {}

  /** Applies a verified ID token: the account to sign in to, or why there is none. */
  async signIn(issuer: string, claims: Claims, ip: string | null): Promise<SignInOutcome> {
    const settings = this.requireSettings();
    const d = await this.directory.get();
    const mapping = accessFromClaims(claims, settings, { teams: new Set(d.teams.map((t) => t.id)), agents: new Set(d.agents.map((a) => a.id)) });
    const seen = { claims: JSON.stringify(accessClaims(claims, settings)), last_login_ms: this.clock.now() };
    const found = await this.store.db.selectFrom('account_identities').selectAll().where('issuer', '=', issuer).where('subject', '=', claims.sub).executeTakeFirst();
    const target = `sso:${found?.id ?? claims.sub}`;

    if (found?.user_id) {
      await this.store.db.updateTable('account_identities').set(seen).where('id', '=', found.id).execute();
      const user = await this.accounts.get(found.user_id);
      if (user.disabledAt !== null) return { kind: 'refused', result: 'disabled', reason: 'account disabled' };
      if (Number(found.role_from_claims) !== 1) return { kind: 'user', userId: user.id, created: false };
      if (!mapping.ok) {
        // The provider took the role away: no new session, and the open ones end too.
        const ended = await this.accounts.endSessions(user.id, 'the provider no longer gives a role');
        await this.audit.record({ actor: `user:${user.id}`, action: 'sso.role_lost', target: `user:${user.id}`, outcome: 'denied', ip, details: { reason: mapping.reason, sessionsEnded: ended } });
        return { kind: 'refused', result: 'no_role', reason: mapping.reason };
      }
      if (!sameAccess(user, mapping.access)) {
        try {
          await this.accounts.update(user.id, { role: mapping.access.role, teamIds: mapping.access.teamIds, agentId: mapping.access.agentId, ...(mapping.access.role === 'manager' ? {} : { siteId: null }) }, { actor: `sso:${found.id}`, ip, source: 'sso' });
        } catch (err) {
          if (!(err instanceof AccountError)) throw err;
          await this.audit.record({ actor: `user:${user.id}`, action: 'sso.role_refresh', target: `user:${user.id}`, outcome: 'failure', ip, details: { reason: err.message } });
          return { kind: 'refused', result: 'refused', reason: err.message };
        }
      }
      return { kind: 'user', userId: user.id, created: false };
    }

    const who = { display_name: displayNameOf(claims), email: emailOf(claims), suggested_username: suggestedUsername(claims) };
    if (!mapping.ok) {
      if (found) await this.store.db.updateTable('account_identities').set({ ...seen, ...who, waiting_reason: mapping.reason }).where('id', '=', found.id).execute();
      else await this.store.db.insertInto('account_identities').values({ id: newId(), issuer, subject: claims.sub, user_id: null, role_from_claims: 0, ...who, ...seen, waiting_reason: mapping.reason, created_ms: seen.last_login_ms }).execute();
      await this.audit.record({ actor: target, action: 'sso.waiting', target, outcome: 'denied', ip, details: { reason: mapping.reason, username: who.suggested_username } });
      return { kind: 'refused', result: 'waiting', reason: mapping.reason };
    }
    const username = await this.freeUsername(who.suggested_username);
    const user = await this.accounts.create({ username, displayName: who.display_name, ...mapping.access }, { actor: target, ip });
    if (found) await this.store.db.updateTable('account_identities').set({ ...seen, ...who, user_id: user.id, role_from_claims: 1, waiting_reason: null }).where('id', '=', found.id).execute();
    else await this.store.db.insertInto('account_identities').values({ id: newId(), issuer, subject: claims.sub, user_id: user.id, role_from_claims: 1, ...who, ...seen, waiting_reason: null, created_ms: seen.last_login_ms }).execute();
    return { kind: 'user', userId: user.id, created: true };
  }

  async listWaiting(): Promise<WaitingIdentity[]> {
    const rows = await this.store.db.selectFrom('account_identities').selectAll().where('user_id', 'is', null).orderBy('last_login_ms', 'desc').execute();
    return rows.map(toWaiting);
  }

  /** An admin gives a waiting person an account with a role, or links them to an existing account. */
  async approve(identityId: string, body: ApproveIdentity, meta: RequestMeta): Promise<UserInfo> {
    const row = await this.waiting(identityId);
    let user: UserInfo;
    if ('linkUserId' in body) {
      user = await this.accounts.get(body.linkUserId);
      const other = await this.store.db.selectFrom('account_identities').select('id').where('user_id', '=', user.id).where('issuer', '=', row.issuer).executeTakeFirst();
      if (other) throw new AccountError('conflict', `${user.username} is already linked to another identity at this provider`);
    } else {
      user = await this.accounts.create(body, meta);
    }
    // Only a row still waiting is taken: two admins approving at once cannot link one identity twice.
    const res = await this.store.db.updateTable('account_identities').set({ user_id: user.id, role_from_claims: 0, waiting_reason: null }).where('id', '=', row.id).where('user_id', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AccountError('conflict', 'someone else has just decided about this person; reload the page');
    await this.audit.record({ actor: meta.actor, action: 'linkUserId' in body ? 'sso.link' : 'sso.approve', target: `user:${user.id}`, ip: meta.ip, details: { identity: row.id, role: user.role } });
    return this.accounts.get(user.id);
  }

  /** Removes a waiting person from the list; they come back if they sign in again. */
  async dismiss(identityId: string, meta: RequestMeta): Promise<void> {
    const row = await this.waiting(identityId);
    await this.store.db.deleteFrom('account_identities').where('id', '=', row.id).where('user_id', 'is', null).execute();
    await this.audit.record({ actor: meta.actor, action: 'sso.dismiss', target: `sso:${row.id}`, ip: meta.ip, details: { username: row.suggested_username } });
  }

  private async waiting(identityId: string): Promise<AccountIdentitiesTable> {
    const row = await this.store.db.selectFrom('account_identities').selectAll().where('id', '=', identityId).executeTakeFirst();
    if (!row || row.user_id !== null) throw new AccountError('not_found', `nobody with id '${identityId}' is waiting for access`);
    return row;
  }

  /** The suggested username, or the same with -2, -3, ... when it is taken by someone else. */
  private async freeUsername(base: string): Promise<string> {
    for (let i = 1; i <= 50; i++) {
      const name = i === 1 ? base : `${base.slice(0, 60)}-${i}`;
      const taken = await this.store.db.selectFrom('users').select('id').where('username', '=', name).executeTakeFirst();
      if (!taken) return name;
    }
    return `sso.${randomBytes(6).toString('hex')}`;
  }

  private requireSettings(): SsoSettings {
    if (!this.settings) throw new AccountError('not_found', 'single sign-on is not set up on this server');
    return this.settings;
  }
}

function sameAccess(u: UserInfo, a: ClaimAccess): boolean {
  return u.role === a.role && u.agentId === a.agentId && JSON.stringify([...u.teamIds].sort()) === JSON.stringify(a.teamIds);
}

function toWaiting(r: AccountIdentitiesTable): WaitingIdentity {
  return {
    id: r.id,
    issuer: r.issuer,
    subject: r.subject,
    displayName: r.display_name,
    email: r.email,
    suggestedUsername: r.suggested_username,
    claims: JSON.parse(r.claims) as Record<string, unknown>,
    reason: r.waiting_reason ?? '',
    firstSeenAt: new Date(Number(r.created_ms)).toISOString(),
    lastSeenAt: new Date(Number(r.last_login_ms)).toISOString(),
  };
}

function newId(): string {
  return `id_${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;
}
