/**
 * Sessions: a 256-bit random token in an httpOnly cookie; only its SHA-256 is stored, so a copy of the database
 * cannot be replayed as a session. Every request reads the store (a revocation on any node applies to the next
 * request), with an idle timeout and an absolute lifetime. Revocation also tells the realtime layer, which closes
 * that session's live sockets at once.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '../../shared/access.js';
import type { UserPrincipal } from '../access/principal.js';
import type { Clock } from '../clock.js';
import { sha256Hex } from '../ingest/canonical.js';
import type { Store } from '../store/db.js';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export interface Revocation {
  sessionIds: string[];
  reason: string;
}

const LAST_SEEN_RESOLUTION_MS = 60_000;

export class SessionService {
  private readonly listeners = new Set<(r: Revocation) => void>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly policy: SessionPolicy,
  ) {}

  onRevoked(fn: (r: Revocation) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async create(userId: string, ip: string | null, userAgent: string | null): Promise<{ token: string; sessionId: string; expiresMs: number }> {
    const token = randomBytes(32).toString('base64url');
    const sessionId = sha256Hex(token);
    const now = this.clock.now();
    const expiresMs = now + this.policy.absoluteMs;
    await this.store.db
      .insertInto('sessions')
      .values({
        id: sessionId,
        user_id: userId,
        csrf_token: randomBytes(32).toString('base64url'),
        created_ms: now,
        last_seen_ms: now,
        expires_ms: expiresMs,
        ip: ip?.slice(0, 64) ?? null,
        user_agent: userAgent?.slice(0, 300) ?? null,
      })
      .execute();
    return { token, sessionId, expiresMs };
  }

  /** The principal behind a session token, or null when it is unknown, expired, idle too long, or its user is disabled. */
  async verify(token: string | undefined): Promise<UserPrincipal | null> {
    if (!token || token.length > 100) return null;
    const sessionId = sha256Hex(token);
    const row = await this.store.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id as sid',
        'sessions.csrf_token',
        'sessions.last_seen_ms',
        'sessions.expires_ms',
        'users.id as uid',
        'users.username',
        'users.role',
        'users.agent_id',
        'users.site_id',
        'users.team_ids',
        'users.disabled_ms',
      ])
      .where('sessions.id', '=', sessionId)
      .executeTakeFirst();
    if (!row) return null;
    const now = this.clock.now();
    if (row.disabled_ms !== null || Number(row.expires_ms) <= now || now - Number(row.last_seen_ms) > this.policy.idleMs) {
      await this.revoke([sessionId], 'expired');
      return null;
    }
    if (now - Number(row.last_seen_ms) > LAST_SEEN_RESOLUTION_MS) {
      await this.store.db.updateTable('sessions').set({ last_seen_ms: now }).where('id', '=', sessionId).execute();
    }
    return {
      kind: 'user',
      userId: row.uid,
      username: row.username,
      role: row.role as Role,
      agentId: row.agent_id,
      siteId: row.site_id,
      teamIds: JSON.parse(row.team_ids) as string[],
      sessionId,
      csrfToken: row.csrf_token,
    };
  }

  /** Of these session ids, the ones still valid (for the periodic check of live sockets). */
  async stillValid(sessionIds: string[]): Promise<Set<string>> {
    const valid = new Set<string>();
    const now = this.clock.now();
    for (let i = 0; i < sessionIds.length; i += 500) {
      const rows = await this.store.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.id', 'sessions.expires_ms', 'sessions.last_seen_ms', 'users.disabled_ms'])
        .where('sessions.id', 'in', sessionIds.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        if (r.disabled_ms === null && Number(r.expires_ms) > now && now - Number(r.last_seen_ms) <= this.policy.idleMs) valid.add(r.id);
      }
    }
    return valid;
  }

  async revoke(sessionIds: string[], reason: string): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.store.db.deleteFrom('sessions').where('id', 'in', sessionIds).execute();
    this.emit({ sessionIds, reason });
  }

  /** Ends every session of a user (password or role change, disabling), except optionally the current one. */
  async revokeAllForUser(userId: string, reason: string, exceptSessionId?: string): Promise<number> {
    let q = this.store.db.selectFrom('sessions').select('id').where('user_id', '=', userId);
    if (exceptSessionId) q = q.where('id', '!=', exceptSessionId);
    const ids = (await q.execute()).map((r) => r.id);
    await this.revoke(ids, reason);
    return ids.length;
  }

  async countByUser(): Promise<Map<string, number>> {
    const now = this.clock.now();
    const rows = await this.store.db
      .selectFrom('sessions')
      .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('expires_ms', '>', now)
      .groupBy('user_id')
      .execute();
    return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
  }

  /** Deletes expired sessions (housekeeping). */
  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    const res = await this.store.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_ms', '<=', now), eb('last_seen_ms', '<', now - this.policy.idleMs)]))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  private emit(r: Revocation): void {
    for (const fn of this.listeners) {
      try {
        fn(r);
      } catch {
        // a listener failing must not stop the revocation
      }
    }
  }
}
