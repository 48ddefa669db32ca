/** Webhook signatures: what a receiver checks (the secret, the exact body, the time inside the replay window). */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from '../../../server/notifications/signature.js';

const SECRET = 'whsec_test-secret';
const BODY = '{"type":"kpi_breach","id":"evt_1","time":"2026-11-02T09:05:00.000Z","data":{"kpi":"csat"}}';
const T = 1_793_610_300;

describe('webhook signature', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "t.body">, computable by any receiver', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signatureHeader(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies with the same secret and body inside the window', () => {
    expect(verifySignature(SECRET, signatureHeader(SECRET, BODY, T), BODY, T + 299)).toEqual({ ok: true });
  });

  it('refuses another secret, a changed body, a changed time and a malformed header', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifySignature('whsec_other', header, BODY, T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, header, BODY.replace('csat', 'aht'), T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, undefined, BODY, T)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(SECRET, 'v1=abc', BODY, T)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a replay signed longer ago than the window, even with a valid signature', () => {
    expect(verifySignature(SECRET, signatureHeader(SECRET, BODY, T), BODY, T + 301)).toEqual({ ok: false, reason: 'too_old' });
    expect(verifySignature(SECRET, signatureHeader(SECRET, BODY, T), BODY, T + 3600, 7200)).toEqual({ ok: true });
  });

  it('round-trips any body and secret (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.integer({ min: 0, max: 4_000_000_000 }), (secret, body, t) => {
        expect(verifySignature(secret, signatureHeader(secret, body, t), body, t)).toEqual({ ok: true });
      }),
    );
  });
});
