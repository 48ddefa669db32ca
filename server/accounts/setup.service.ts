/**
 * First run: while there is no account at all, the server prints a one-time setup code to its console; the first-run
 * page (or `npm run user -- create`) creates the first admin with it. There is never a default password, and once an
 * account exists the setup endpoint answers 410 for good (the Metabase setup-token lesson). The code is kept in the
 * store until it is used, so every node of a cluster prints the same one.
 */
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Store } from '../store/db.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AccountService, NewUser } from './account.service.js';
import { AccountError } from './errors.js';

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function readableCode(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, length / 2)}-${s.slice(length / 2)}`;
}

export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Where the code and the claim live (the `meta` table), so every node of a cluster prints and accepts the same code. */
const CODE_KEY = 'setup_code';
const CLAIM_KEY = 'setup_claim';
/** A claim older than this is from a node that died mid-setup: it may be taken over. */
const CLAIM_TTL_MS = 60_000;

export class SetupService {
  private done = false;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly accounts: AccountService,
    private readonly audit: AuditService,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Called at start: returns the setup code to print when no account exists, else null. The code is kept in the
   * store, so with several nodes the first to start makes it and the others print the same one: a browser sent to
   * any node by the proxy can use the code from any node's console.
   */
  async prepare(): Promise<string | null> {
    if ((await this.accounts.count()) > 0) {
      this.done = true;
      // A code left from before the first account was made another way (`npm run user -- create`) is dropped.
      await this.store.db.deleteFrom('meta').where('key', '=', CODE_KEY).execute();
      return null;
    }
    await this.store.db
      .insertInto('meta')
      .values({ key: CODE_KEY, value: readableCode(12) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return this.storedCode();
  }

  async needed(): Promise<boolean> {
    if (this.done) return false;
    if ((await this.accounts.count()) > 0) {
      this.done = true;
      return false;
    }
    return true;
  }

  private async storedCode(): Promise<string | null> {
    const row = await this.store.db.selectFrom('meta').select('value').where('key', '=', CODE_KEY).executeTakeFirst();
    return row?.value ?? null;
  }

  /**
   * Creates the first admin. Serialised within this process, and claimed in the store across processes (a row only
   * one node can insert), so two racing requests, on one node or two, cannot both succeed.
   */
  complete(code: string, admin: Omit<NewUser, 'role'>, ip: string | null): Promise<{ userId: string }> {
    const run = this.busy.then(async () => {
      const expected = (await this.needed()) ? await this.storedCode() : null;
      if (expected === null) throw new AccountError('not_found', 'setup is already complete; sign in instead');
      const a = Buffer.from(normaliseCode(code));
      const b = Buffer.from(normaliseCode(expected));
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        await this.audit.record({ actor: 'anonymous', action: 'setup.first_admin', outcome: 'failure', ip, details: { reason: 'wrong setup code' } });
        throw new AccountError('forbidden', 'the setup code is not right; it is printed in the server console at start');
      }
      if (admin.password === undefined) throw new AccountError('invalid', 'the first admin needs a password');
      const claim = await this.claim();
      try {
        // Another node may have finished between the check above and the claim.
        if (!(await this.needed())) throw new AccountError('not_found', 'setup is already complete; sign in instead');
        const user = await this.accounts.create({ ...admin, role: 'admin' }, { actor: 'setup', ip });
        this.done = true;
        await this.store.db.deleteFrom('meta').where('key', '=', CODE_KEY).execute();
        await this.audit.record({ actor: `user:${user.id}`, action: 'setup.first_admin', target: `user:${user.id}`, ip });
        return { userId: user.id };
      } finally {
        await this.store.db.deleteFrom('meta').where('key', '=', CLAIM_KEY).where('value', '=', claim).execute();
      }
    });
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** Takes the store-wide setup claim, or says another request holds it. Returns the claim's value. */
  private async claim(): Promise<string> {
    const now = this.clock.now();
    const value = `${now}:${randomUUID()}`;
    // A claim left by a node that died mid-setup is taken over once it is old.
    const stale = await this.store.db.selectFrom('meta').select('value').where('key', '=', CLAIM_KEY).executeTakeFirst();
    if (stale && now - Number(stale.value.split(':')[0]) > CLAIM_TTL_MS) {
      await this.store.db.deleteFrom('meta').where('key', '=', CLAIM_KEY).where('value', '=', stale.value).execute();
    }
    const inserted = await this.store.db
      .insertInto('meta')
      .values({ key: CLAIM_KEY, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) {
      throw new AccountError('conflict', 'the first admin is being created by another request right now; wait a moment, then sign in or try again');
    }
    return value;
  }
}
