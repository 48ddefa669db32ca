/**
 * First run: while there is no account at all, the server prints a one-time setup code to its console; the first-run
 * page (or `npm run user -- create`) creates the first admin with it. There is never a default password, and once an
 * account exists the setup endpoint answers 410 for good (the Metabase setup-token lesson).
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
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

export class SetupService {
  private code: string | null = null;
  private done = false;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly accounts: AccountService,
    private readonly audit: AuditService,
  ) {}

  /** Called at start: returns the setup code to print when no account exists, else null. */
  async prepare(): Promise<string | null> {
    if ((await this.accounts.count()) > 0) {
      this.done = true;
      return null;
    }
    this.code ??= readableCode(12);
    return this.code;
  }

  async needed(): Promise<boolean> {
    if (this.done) return false;
    if ((await this.accounts.count()) > 0) {
      this.done = true;
      this.code = null;
      return false;
    }
    return true;
  }

  /** Creates the first admin; serialised so two racing requests cannot both succeed. */
  complete(code: string, admin: Omit<NewUser, 'role'>, ip: string | null): Promise<{ userId: string }> {
    const run = this.busy.then(async () => {
      if (!(await this.needed()) || this.code === null) throw new AccountError('not_found', 'setup is already complete; sign in instead');
      const a = Buffer.from(normaliseCode(code));
      const b = Buffer.from(normaliseCode(this.code));
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        await this.audit.record({ actor: 'anonymous', action: 'setup.first_admin', outcome: 'failure', ip, details: { reason: 'wrong setup code' } });
        throw new AccountError('forbidden', 'the setup code is not right; it is printed in the server console at start');
      }
      if (admin.password === undefined) throw new AccountError('invalid', 'the first admin needs a password');
      const user = await this.accounts.create({ ...admin, role: 'admin' }, { actor: 'setup', ip });
      this.code = null;
      this.done = true;
      await this.audit.record({ actor: `user:${user.id}`, action: 'setup.first_admin', target: `user:${user.id}`, ip });
      return { userId: user.id };
    });
    this.busy = run.catch(() => undefined);
    return run;
  }
}
