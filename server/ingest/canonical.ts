import { hash } from 'node:crypto';
import type { FrontlineEvent } from '../../shared/events.js';

/**
 * JSON with object keys sorted, so the same event sent with its fields in another order hashes the same.
 * Events are flat objects of primitives; that common case skips the (slow) replacer callback.
 */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    let flat = true;
    const sorted: Record<string, unknown> = {};
    for (const k of keys) {
      const v = obj[k];
      if (v !== null && typeof v === 'object') {
        flat = false;
        break;
      }
      sorted[k] = v;
    }
    if (flat) return JSON.stringify(sorted);
  }
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/**
 * The stored form of a validated event. zod builds its output object in the contract's field order whatever order
 * the sender used, so plain JSON.stringify is already canonical (and twice as fast as sorting keys on the hot
 * ingest path). test/unit/canonical.test.ts pins the order per event type: reordering fields in shared/events.ts
 * would change content hashes and must fail that test first.
 */
export function eventPayload(event: FrontlineEvent): string {
  return JSON.stringify(event);
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
