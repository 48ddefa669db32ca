import { hash } from 'node:crypto';

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

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
