/**
 * X-Twilio-Signature, as Twilio's official Node helper library computes and checks it (twilio/twilio-node,
 * src/webhooks/webhooks.ts: getExpectedTwilioSignature, validateRequest, validateRequestWithBody):
 * - the signed text is the full URL Twilio called, followed by each POST parameter's name and value, names sorted
 *   (a repeated name's distinct values sorted, each as name + value); HMAC-SHA1 keyed with the account's auth token,
 *   base64 (https://www.twilio.com/docs/usage/webhooks/webhooks-security);
 * - a JSON body (Event Streams webhooks) is signed over the URL alone, which carries a `bodySHA256` query parameter:
 *   the hex SHA-256 of the raw body, checked too (https://www.twilio.com/docs/api/errors/57012);
 * - "signature generation on the back end is inconsistent", so the library accepts the URL without its port, with
 *   the scheme's standard port added, and each of those with the query string re-encoded the legacy way (Node's
 *   querystring); so does this.
 * Comparisons are constant-time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQs, stringify as stringifyQs } from 'node:querystring';

export type SignedParams = Readonly<Record<string, string | readonly string[]>>;

/** The signature Twilio sends for a request to `url` with these POST parameters (base64 HMAC-SHA1). */
export function twilioSignature(authToken: string, url: string, params: SignedParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (typeof value === 'string') data += name + value;
    else if (value !== undefined) for (const v of [...new Set(value)].sort()) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** The hex SHA-256 of a request body, as Twilio puts it in the `bodySHA256` query parameter. */
export function bodySha256(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Unequal lengths are unequal; comparing against itself keeps the time independent of where they differ.
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

function withStandardPort(u: URL): string {
  if (u.port) return u.toString();
  const port = u.protocol === 'https:' ? ':443' : ':80';
  const auth = u.username || u.password ? `${u.username}${u.password ? `:${u.password}` : ''}@` : '';
  return `${u.protocol}//${auth}${u.host}${port}${u.pathname}${u.search}${u.hash}`;
}

function withoutPort(u: URL): string {
  const copy = new URL(u);
  copy.port = '';
  return copy.toString();
}

function withLegacyQuerystring(url: string): string {
  const u = new URL(url);
  if (!u.search) return url;
  const qs = parseQs(u.search.slice(1));
  u.search = '';
  return `${u.toString()}?${stringifyQs(qs)}`;
}

/** The URL forms the official library checks a signature against, in its order. */
export function urlVariants(url: string): string[] {
  const u = new URL(url);
  const noPort = withoutPort(u);
  const port = withStandardPort(u);
  return [...new Set([noPort, port, withLegacyQuerystring(noPort), withLegacyQuerystring(port)])];
}

/** Whether `signature` is Twilio's for a form-encoded request to `url` with these parameters. */
export function validTwilioSignature(authToken: string, signature: string | undefined, url: string, params: SignedParams): boolean {
  if (!signature || !authToken) return false;
  let ok = false;
  for (const variant of urlVariants(url)) {
    // Every variant is computed and compared, so the time does not say which one matched.
    if (sameText(signature, twilioSignature(authToken, variant, params))) ok = true;
  }
  return ok;
}

/** Whether a JSON-bodied request is Twilio's: the URL (with bodySHA256) signed, and the body hashing to bodySHA256. */
export function validTwilioBodySignature(authToken: string, signature: string | undefined, url: string, rawBody: Buffer): boolean {
  let hash: string | null;
  try {
    hash = new URL(url).searchParams.get('bodySHA256');
  } catch {
    return false;
  }
  if (hash === null) return false;
  const signed = validTwilioSignature(authToken, signature, url, {});
  const body = sameText(hash, bodySha256(rawBody));
  return signed && body;
}

/** Form parameters of an application/x-www-form-urlencoded body; a repeated name keeps every value. */
export function formParams(rawBody: Buffer | string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf-8'))) {
    const held = out[k];
    if (held === undefined) out[k] = v;
    else if (typeof held === 'string') out[k] = [held, v];
    else held.push(v);
  }
  return out;
}
