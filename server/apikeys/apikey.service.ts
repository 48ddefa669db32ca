/**
 * API keys for integrators: `fl_<keyId>_<secret>`. Only a SHA-256 of the secret is stored: the secret is 32 random
 * bytes, so a fast hash is enough (a slow password hash protects low-entropy secrets, which these are not).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { API_KEY_SCOPES, type ApiKeyInfo, type ApiKeyScope } from '../../shared/api.js';
import type { Clock } from '../clock.js';
import type { Store } from '../store/db.js';
import { sha256Hex } from '../ingest/canonical.js';

export type { ApiKeyInfo };

export type KeyCheck = { ok: true; key: ApiKeyInfo } | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'revoked' };

const KEY_PATTERN = /^fl_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
/** last_used is written at most this often per key, so a busy ingest key does not add a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function parseScopes(text: string): ApiKeyScope[] {
  const scopes = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (bad.length > 0) throw new Error(`unknown scope(s): ${bad.join(', ')}; allowed: ${API_KEY_SCOPES.join(', ')}`);
  if (scopes.length === 0) throw new Error(`at least one scope is required: ${API_KEY_SCOPES.join(', ')}`);
  return [...new Set(scopes)] as ApiKeyScope[];
}

export class ApiKeyService {
  private readonly revokedListeners = new Set<(keyId: string) => void>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Told when a key is used, at most once a minute per key (the security log's "key use"). */
    private readonly onUse?: (key: ApiKeyInfo) => void,
  ) {}

  async create(name: string, scopes: ApiKeyScope[]): Promise<{ key: string; info: ApiKeyInfo }> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 200) throw new Error('a key needs a name of 1 to 200 characters');
    const id = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.store.db
      .insertInto('api_keys')
      .values({ id, name: trimmed, scopes: scopes.join(','), secret_hash: sha256Hex(secret), created_ms: now, last_used_ms: null, revoked_ms: null })
      .execute();
    return { key: `fl_${id}_${secret}`, info: { id, name: trimmed, scopes, createdAt: iso(now), lastUsedAt: null, revokedAt: null } };
  }

  /** Told when a key is revoked through this service (the realtime layer closes that key's sockets). */
  onRevoked(fn: (keyId: string) => void): () => void {
    this.revokedListeners.add(fn);
    return () => this.revokedListeners.delete(fn);
  }

  /** Of these key ids, the ones not revoked (for the periodic check of live sockets). */
  async stillValid(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.store.db.selectFrom('api_keys').select('id').where('id', 'in', ids).where('revoked_ms', 'is', null).execute();
    return new Set(rows.map((r) => r.id));
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.store.db.selectFrom('api_keys').selectAll().orderBy('created_ms').execute();
    return rows.map(toInfo);
  }

  /** Revokes by key id (or the full key). Returns false when no such key exists. */
  async revoke(idOrKey: string): Promise<boolean> {
    const id = KEY_PATTERN.exec(idOrKey)?.[1] ?? idOrKey;
    const res = await this.store.db
      .updateTable('api_keys')
      .set({ revoked_ms: this.clock.now() })
      .where('id', '=', id)
      .where('revoked_ms', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) {
      for (const fn of this.revokedListeners) fn(id);
      return true;
    }
    const exists = await this.store.db.selectFrom('api_keys').select('id').where('id', '=', id).executeTakeFirst();
    return exists !== undefined;
  }

  /** Checks a presented key. Always reads the store, so a revocation from the CLI applies to the very next request. */
  async verify(presented: string | undefined): Promise<KeyCheck> {
    if (presented === undefined || presented === '') return { ok: false, reason: 'missing' };
    const m = KEY_PATTERN.exec(presented);
    if (!m) return { ok: false, reason: 'malformed' };
    const [, id, secret] = m as unknown as [string, string, string];
    const row = await this.store.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return { ok: false, reason: 'unknown' };
    const a = Buffer.from(sha256Hex(secret), 'hex');
    const b = Buffer.from(row.secret_hash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'unknown' };
    if (row.revoked_ms !== null) return { ok: false, reason: 'revoked' };
    const now = this.clock.now();
    if (row.last_used_ms === null || now - Number(row.last_used_ms) > LAST_USED_RESOLUTION_MS) {
      await this.store.db.updateTable('api_keys').set({ last_used_ms: now }).where('id', '=', id).execute();
      this.onUse?.(toInfo(row));
    }
    return { ok: true, key: toInfo(row) };
  }
}

function toInfo(row: { id: string; name: string; scopes: string; created_ms: number; last_used_ms: number | null; revoked_ms: number | null }): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.split(',') as ApiKeyScope[],
    createdAt: iso(row.created_ms),
    lastUsedAt: row.last_used_ms === null ? null : iso(row.last_used_ms),
    revokedAt: row.revoked_ms === null ? null : iso(row.revoked_ms),
  };
}

function iso(ms: number | string): string {
  return new Date(Number(ms)).toISOString();
}
