/**
 * Wall screens pair without anyone typing a password on them:
 * 1. the screen asks for pairing: it gets a short code to show, and an httpOnly pairing cookie only it holds;
 * 2. an admin or team leader types the code into the app, names the screen and chooses what it may show;
 * 3. the screen's next poll exchanges its pairing cookie for a long-lived, read-only credential in an httpOnly
 *    cookie (no secret ever in a URL);
 * 4. revoking the screen deletes the credential and closes its live socket; the screen falls back to a new code.
 * Only hashes of codes, pairing secrets and credentials are stored.
 */
import { randomBytes } from 'node:crypto';
import { formatScope, scopeText, type DisplayInfo, type Scope } from '../../shared/access.js';
import type { DisplayPrincipal } from '../access/principal.js';
import { AccountError } from '../accounts/errors.js';
import { normaliseCode, readableCode } from '../accounts/setup.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { sha256Hex } from '../ingest/canonical.js';
import type { Store } from '../store/db.js';
import type { DisplaysTable } from '../store/schema.js';

export const PAIRING_TTL_MS = 15 * 60_000;
/** Pending pairings one address may hold at once (stops a script filling the table). */
export const MAX_PENDING_PER_IP = 5;
const LAST_SEEN_RESOLUTION_MS = 60_000;

export type PairingPoll = { status: 'pending'; code: string | null; expiresAt: string } | { status: 'expired' } | { status: 'paired'; token: string; displayId: string };

export class DisplayService {
  private readonly listeners = new Set<(displayId: string) => void>();
  private readonly changeListeners = new Set<(displayIds: string[]) => void>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  onRevoked(fn: (displayId: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Step 1: a new pairing code for a screen. Returns the code to show and the secret for its pairing cookie. */
  async startPairing(ip: string | null): Promise<{ code: string; secret: string; expiresAt: string }> {
    const now = this.clock.now();
    await this.store.db.deleteFrom('displays').where('status', '=', 'pending').where('pairing_expires_ms', '<', now).execute();
    if (ip) {
      const pending = await this.store.db.selectFrom('displays').select('id').where('status', '=', 'pending').where('created_ip', '=', ip).execute();
      if (pending.length >= MAX_PENDING_PER_IP) throw new AccountError('locked', 'too many screens are waiting to be paired from this address; wait a few minutes', 60);
    }
    const code = readableCode(8);
    const secret = randomBytes(32).toString('base64url');
    const expires = now + PAIRING_TTL_MS;
    await this.store.db
      .insertInto('displays')
      .values({
        id: `d_${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`,
        name: 'Unpaired screen',
        status: 'pending',
        code_hash: sha256Hex(normaliseCode(code)),
        pairing_secret_hash: sha256Hex(secret),
        pairing_expires_ms: expires,
        token_hash: null,
        scopes: '[]',
        created_ms: now,
        created_ip: ip?.slice(0, 64) ?? null,
        approved_by: null,
        approved_ms: null,
        revoked_by: null,
        revoked_ms: null,
        last_seen_ms: null,
      })
      .execute();
    return { code, secret, expiresAt: new Date(expires).toISOString() };
  }

  /** Step 3: the screen polls with its pairing secret; once approved it receives its credential exactly once. */
  async poll(secret: string | undefined): Promise<PairingPoll> {
    if (!secret || secret.length > 100) return { status: 'expired' };
    const row = await this.store.db.selectFrom('displays').selectAll().where('pairing_secret_hash', '=', sha256Hex(secret)).executeTakeFirst();
    const now = this.clock.now();
    if (!row || row.status === 'revoked') return { status: 'expired' };
    if (row.status === 'pending') {
      if (Number(row.pairing_expires_ms) < now) return { status: 'expired' };
      return { status: 'pending', code: null, expiresAt: new Date(Number(row.pairing_expires_ms)).toISOString() };
    }
    if (row.status !== 'approved') return { status: 'expired' };
    const token = randomBytes(32).toString('base64url');
    const res = await this.store.db
      .updateTable('displays')
      .set({ status: 'paired', token_hash: sha256Hex(token), pairing_secret_hash: null, code_hash: null, pairing_expires_ms: null, last_seen_ms: now })
      .where('id', '=', row.id)
      .where('status', '=', 'approved')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return { status: 'expired' };
    await this.audit.record({ actor: `display:${row.id}`, action: 'display.credential_issued', target: `display:${row.id}` });
    return { status: 'paired', token, displayId: row.id };
  }

  /** Step 2: someone in the app approves the code shown on a screen. Scopes must already be checked by the caller. */
  async approve(code: string, name: string, scopes: Scope[], by: { userId: string; ip: string | null }): Promise<DisplayInfo> {
    const now = this.clock.now();
    const row = await this.store.db
      .selectFrom('displays')
      .selectAll()
      .where('code_hash', '=', sha256Hex(normaliseCode(code)))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (!row || Number(row.pairing_expires_ms) < now) {
      await this.audit.record({ actor: `user:${by.userId}`, action: 'display.approve', outcome: 'failure', ip: by.ip, details: { reason: 'unknown or expired code' } });
      throw new AccountError('not_found', 'no screen is showing that code (codes last 15 minutes; the screen shows a new one when it expires)');
    }
    await this.store.db
      .updateTable('displays')
      .set({ status: 'approved', name, scopes: JSON.stringify(scopes.map(formatScope)), approved_by: by.userId, approved_ms: now, code_hash: null })
      .where('id', '=', row.id)
      .execute();
    await this.audit.record({ actor: `user:${by.userId}`, action: 'display.approve', target: `display:${row.id}`, ip: by.ip, details: { name, scopes: scopes.map(formatScope) } });
    return this.get(row.id);
  }

  async verify(token: string | undefined): Promise<DisplayPrincipal | null> {
    if (!token || token.length > 100) return null;
    const row = await this.store.db.selectFrom('displays').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
    if (!row || row.status !== 'paired') return null;
    const now = this.clock.now();
    if (row.last_seen_ms === null || now - Number(row.last_seen_ms) > LAST_SEEN_RESOLUTION_MS) {
      await this.store.db.updateTable('displays').set({ last_seen_ms: now }).where('id', '=', row.id).execute();
    }
    return { kind: 'display', displayId: row.id, name: row.name, scopes: parseScopes(row.scopes) };
  }

  async stillValid(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.store.db.selectFrom('displays').select('id').where('id', 'in', ids).where('status', '=', 'paired').execute();
    return new Set(rows.map((r) => r.id));
  }

  async list(): Promise<DisplayInfo[]> {
    const rows = await this.store.db.selectFrom('displays').selectAll().where('status', '!=', 'pending').orderBy('created_ms', 'desc').execute();
    return rows.map(toInfo);
  }

  async get(id: string): Promise<DisplayInfo> {
    const row = await this.store.db.selectFrom('displays').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no display with id '${id}'`);
    return toInfo(row);
  }

  async scopesOf(id: string): Promise<Scope[]> {
    const row = await this.store.db.selectFrom('displays').select('scopes').where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no display with id '${id}'`);
    return parseScopes(row.scopes);
  }

  /**
   * What a screen shows (a board, a rotation, or the pulse) and its optional daily soft reload. The screen's scopes
   * grow to cover its boards' tiles (the caller was checked to see them all), so its credential is scoped to its boards.
   */
  async setShows(id: string, shows: string | null, reloadHour: number | null, boardScopes: string[], by: { userId: string; ip: string | null }): Promise<DisplayInfo> {
    const before = await this.get(id);
    if (before.status === 'revoked') throw new AccountError('invalid', `screen '${before.name}' is revoked`);
    const scopes = [...new Set([...before.scopes, ...boardScopes])];
    await this.store.db.updateTable('displays').set({ shows, reload_hour: reloadHour, scopes: JSON.stringify(scopes) }).where('id', '=', id).execute();
    await this.audit.record({ actor: `user:${by.userId}`, action: 'display.shows', target: `display:${id}`, ip: by.ip, details: { shows, reloadHour, scopes } });
    for (const fn of this.changeListeners) fn([id]);
    return this.get(id);
  }

  /** Screens whose layout changed (what they show, or a board or rotation they show was edited). */
  onChanged(fn: (displayIds: string[]) => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  /** Tells the screens showing any of these boards or rotations that their layout changed; new tile scopes are granted. */
  async layoutChanged(shows: string[], boardScopes: string[]): Promise<void> {
    if (shows.length === 0) return;
    const rows = await this.store.db.selectFrom('displays').select(['id', 'scopes']).where('shows', 'in', shows).where('status', 'in', ['approved', 'paired']).execute();
    for (const r of rows) {
      const scopes = [...new Set([...(JSON.parse(r.scopes) as string[]), ...boardScopes])];
      await this.store.db.updateTable('displays').set({ scopes: JSON.stringify(scopes) }).where('id', '=', r.id).execute();
    }
    if (rows.length > 0) for (const fn of this.changeListeners) fn(rows.map((r) => r.id));
  }

  async revoke(id: string, by: { userId: string; ip: string | null }): Promise<DisplayInfo> {
    const now = this.clock.now();
    const res = await this.store.db
      .updateTable('displays')
      .set({ status: 'revoked', token_hash: null, pairing_secret_hash: null, code_hash: null, revoked_by: by.userId, revoked_ms: now })
      .where('id', '=', id)
      .where('status', '!=', 'revoked')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) await this.get(id);
    await this.audit.record({ actor: `user:${by.userId}`, action: 'display.revoke', target: `display:${id}`, ip: by.ip });
    for (const fn of this.listeners) {
      try {
        fn(id);
      } catch {
        // keep revoking
      }
    }
    return this.get(id);
  }
}

function parseScopes(json: string): Scope[] {
  const out: Scope[] = [];
  for (const s of JSON.parse(json) as string[]) {
    const parsed = scopeText.safeParse(s);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

function toInfo(r: DisplaysTable): DisplayInfo {
  const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  return {
    id: r.id,
    name: r.name,
    status: r.status as DisplayInfo['status'],
    scopes: JSON.parse(r.scopes) as string[],
    createdAt: new Date(Number(r.created_ms)).toISOString(),
    approvedAt: iso(r.approved_ms),
    revokedAt: iso(r.revoked_ms),
    lastSeenAt: iso(r.last_seen_ms),
    shows: r.shows ?? null,
    reloadHour: r.reload_hour ?? null,
  };
}
