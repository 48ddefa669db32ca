/**
 * Webhook signatures: `X-Frontline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the
 * webhook's own secret. The time is inside what is signed, so a receiver that refuses old times (a replay window)
 * cannot be fed a captured delivery again later. The same scheme as Stripe's, so receivers know the pattern.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A receiver should refuse deliveries signed longer ago than this (seconds). */
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;

export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacHex(secret, `${unixSeconds}.${body}`)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'malformed' | 'mismatch' | 'too_old' };

/** What a receiver does (README shows the same in a few lines of Node): parse, check the age, compare in constant time. */
export function verifySignature(secret: string, header: string | undefined, body: string, nowUnixSeconds: number, windowSeconds = DEFAULT_REPLAY_WINDOW_SECONDS): SignatureCheck {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return { ok: false, reason: 'malformed' };
  const t = Number(m[1]);
  const expected = Buffer.from(hmacHex(secret, `${t}.${body}`), 'hex');
  const given = Buffer.from(m[2] as string, 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowUnixSeconds - t) > windowSeconds) return { ok: false, reason: 'too_old' };
  return { ok: true };
}

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}
