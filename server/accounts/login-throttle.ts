/**
 * Brute-force protection, kept in the store so every node sees the same counts. Each attempt is counted *before*
 * the password is checked, in one atomic upsert, so a burst of parallel guesses cannot slip past the limit:
 * - per username and address: 5 attempts, then that pair is locked for 15 minutes (a clear message says until when);
 * - per username from anywhere: 20 failures in 15 minutes lock the username for 15 minutes (slows a botnet that
 *   rotates addresses; an admin's password reset clears it);
 * - per address: 100 failures in a day block that address for the rest of the day.
 * A success clears the pair and username counters and gives back the address's count for that attempt, so a busy
 * office behind one NAT address is not blocked by its own sign-ins (ASVS 6.1.1, 6.3.1).
 */
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Store } from '../store/db.js';

export const PAIR_LIMIT = 5;
export const PAIR_LOCK_MS = 15 * 60_000;
export const USER_LIMIT = 20;
export const USER_WINDOW_MS = 15 * 60_000;
export const IP_LIMIT = 100;
export const IP_WINDOW_MS = 24 * 3600_000;

/**
 * 'address': only the per-address rule. Single sign-on uses it: its failures (a stale callback, a cancelled sign-in)
 * guess no password, and a pair or subject lock would shut a whole office behind one NAT address out of SSO.
 */
export type ThrottleScope = 'all' | 'address';

interface Rule {
  key: string;
  limit: number;
  windowMs: number;
  /** 0: locked until the window ends. */
  lockMs: number;
}

export class LoginThrottle {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  private rules(subject: string, ip: string): Rule[] {
    const s = subject.toLowerCase().slice(0, 200);
    return [
      { key: `pair:${s}|${ip}`, limit: PAIR_LIMIT, windowMs: PAIR_LOCK_MS, lockMs: PAIR_LOCK_MS },
      { key: `user:${s}`, limit: USER_LIMIT, windowMs: USER_WINDOW_MS, lockMs: USER_WINDOW_MS },
      { key: `ip:${ip}`, limit: IP_LIMIT, windowMs: IP_WINDOW_MS, lockMs: 0 },
    ];
  }

  /**
   * Counts one attempt for `subject` (a username, or any other guarded action) from `ip`. Returns 0 when the attempt
   * may go ahead, else the milliseconds until it may be tried again. Atomic per key: of N parallel attempts exactly
   * the first `limit` go ahead.
   */
  async attempt(subject: string, ip: string, scope: ThrottleScope = 'all'): Promise<number> {
    const now = this.clock.now();
    let wait = 0;
    const rules = this.rules(subject, ip);
    for (const r of scope === 'all' ? rules : rules.slice(2)) {
      // A window that has ended, or a lock that has run out, starts the count again.
      const fresh = sql<boolean>`(login_throttle.window_start_ms < ${now - r.windowMs} or (login_throttle.locked_until_ms is not null and login_throttle.locked_until_ms <= ${now}))`;
      const row = await this.store.db
        .insertInto('login_throttle')
        .values({ key: r.key, failures: 1, window_start_ms: now, locked_until_ms: null })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when ${fresh} then 1 else login_throttle.failures + 1 end`,
            window_start_ms: sql<number>`case when ${fresh} then ${now} else login_throttle.window_start_ms end`,
            locked_until_ms: sql<number | null>`case when ${fresh} then null else login_throttle.locked_until_ms end`,
          }),
        )
        .returning(['failures', 'window_start_ms', 'locked_until_ms'])
        .executeTakeFirstOrThrow();
      const failures = Number(row.failures);
      if (failures > r.limit) {
        let until = row.locked_until_ms === null ? null : Number(row.locked_until_ms);
        if (until === null) {
          until = r.lockMs > 0 ? now + r.lockMs : Number(row.window_start_ms) + r.windowMs;
          await this.store.db.updateTable('login_throttle').set({ locked_until_ms: until }).where('key', '=', r.key).where('locked_until_ms', 'is', null).execute();
        }
        wait = Math.max(wait, until - now);
      }
    }
    return wait;
  }

  /** The attempt succeeded: clear the pair and subject counters, give back the address's count. */
  async succeeded(subject: string, ip: string, scope: ThrottleScope = 'all'): Promise<void> {
    const [pair, user, addr] = this.rules(subject, ip) as [Rule, Rule, Rule];
    if (scope === 'all') await this.store.db.deleteFrom('login_throttle').where('key', 'in', [pair.key, user.key]).execute();
    await this.store.db
      .updateTable('login_throttle')
      .set({ failures: sql<number>`case when failures > 0 then failures - 1 else 0 end` })
      .where('key', '=', addr.key)
      .where('locked_until_ms', 'is', null)
      .execute();
  }

  /** Clears every lock on a username (an admin reset the password). Exact match: '_' or '%' in a name is not a wildcard. */
  async clearUser(username: string): Promise<void> {
    const s = username.toLowerCase();
    const rows = await this.store.db.selectFrom('login_throttle').select('key').where('key', 'like', `pair:%`).execute();
    const keys = rows.map((r) => r.key).filter((k) => k.startsWith(`pair:${s}|`));
    keys.push(`user:${s}`);
    await this.store.db.deleteFrom('login_throttle').where('key', 'in', keys).execute();
  }
}
