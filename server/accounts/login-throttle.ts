/**
 * Brute-force protection for sign-in, kept in the store so every node sees the same counts:
 * - per username and IP: 5 consecutive failures lock that pair for 15 minutes (a clear message says until when);
 * - per IP: 100 failures in a day block that address for the rest of the day.
 * Keying the short lock on username + IP, not the username alone, stops an attacker from locking a real person out
 * from elsewhere (ASVS 6.1.1); an admin can also clear a lock by resetting the password.
 */
import type { Clock } from '../clock.js';
import type { Store } from '../store/db.js';

export const PAIR_LIMIT = 5;
export const PAIR_LOCK_MS = 15 * 60_000;
export const IP_LIMIT = 100;
export const IP_WINDOW_MS = 24 * 3600_000;

export class LoginThrottle {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  static keys(username: string, ip: string): { pair: string; ip: string } {
    return { pair: `pair:${username.toLowerCase().slice(0, 64)}|${ip}`, ip: `ip:${ip}` };
  }

  /** Milliseconds until the earliest retry, or 0 when sign-in may be tried now. */
  async lockedFor(username: string, ip: string): Promise<number> {
    const k = LoginThrottle.keys(username, ip);
    const rows = await this.store.db.selectFrom('login_throttle').selectAll().where('key', 'in', [k.pair, k.ip]).execute();
    const now = this.clock.now();
    let wait = 0;
    for (const r of rows) {
      if (r.locked_until_ms !== null && Number(r.locked_until_ms) > now) wait = Math.max(wait, Number(r.locked_until_ms) - now);
    }
    return wait;
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    const k = LoginThrottle.keys(username, ip);
    const now = this.clock.now();
    await this.store.db.transaction().execute(async (trx) => {
      for (const [key, limit, windowMs, lockMs] of [
        [k.pair, PAIR_LIMIT, PAIR_LOCK_MS, PAIR_LOCK_MS],
        [k.ip, IP_LIMIT, IP_WINDOW_MS, 0],
      ] as const) {
        const row = await trx.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
        const fresh = !row || now - Number(row.window_start_ms) > windowMs || (row.locked_until_ms !== null && Number(row.locked_until_ms) <= now);
        const failures = fresh ? 1 : Number(row.failures) + 1;
        const windowStart = fresh ? now : Number(row.window_start_ms);
        const lockedUntil = failures >= limit ? (lockMs > 0 ? now + lockMs : windowStart + windowMs) : null;
        if (row) {
          await trx.updateTable('login_throttle').set({ failures, window_start_ms: windowStart, locked_until_ms: lockedUntil }).where('key', '=', key).execute();
        } else {
          await trx.insertInto('login_throttle').values({ key, failures, window_start_ms: windowStart, locked_until_ms: lockedUntil }).execute();
        }
      }
    });
  }

  /** A successful sign-in clears the username + IP counter (consecutive failures), not the per-IP one. */
  async recordSuccess(username: string, ip: string): Promise<void> {
    await this.store.db.deleteFrom('login_throttle').where('key', '=', LoginThrottle.keys(username, ip).pair).execute();
  }

  /** Clears every username lock for a user (an admin reset their password). */
  async clearUser(username: string): Promise<void> {
    await this.store.db.deleteFrom('login_throttle').where('key', 'like', `pair:${username.toLowerCase()}|%`).execute();
  }
}
