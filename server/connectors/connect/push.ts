/**
 * Amazon Connect's push transports, on `POST /api/v1/sources/:id/push/:endpoint`:
 *
 * - `firehose`: an Amazon Data Firehose stream with an HTTP endpoint destination, fed from the instance's Kinesis
 *   data streams (contact records, agent events) and from anything else put on it (Contact Lens files, evaluations).
 *   Request and response exactly as "HTTP endpoint delivery request and response specifications" says
 *   (https://docs.aws.amazon.com/firehose/latest/dev/httpdeliveryrequestresponse.html): headers
 *   X-Amz-Firehose-Request-Id and X-Amz-Firehose-Access-Key (the access key configured on the destination, compared
 *   in constant time with the source's `accessKey`), optional `Content-Encoding: gzip`; body
 *   `{requestId, timestamp, records: [{data: <Base64>}]}` (empty records are permitted). The answer is
 *   `{requestId, timestamp}` with 200 once the records are stored, or `{requestId, timestamp, errorMessage}` with a
 *   4xx/5xx: Firehose retries every code but 200 and 413 with the same request id, so a 500 when the store fails means
 *   the records come again (duplicates, harmless: ids are deterministic).
 *   Each record is one JSON document; Frontline also reads newline-separated documents in one record (JSON Lines,
 *   as an aggregating producer may put them), and tells the kind by the documented fields (mapping.ts).
 * - `eventbridge`: an EventBridge rule's API destination, one event per POST (`{version, id, "detail-type", source,
 *   time, detail}`), authenticated by the API key header the connection sends: `X-Frontline-Source-Key: <accessKey>`.
 *   "Amazon Connect Contact Event"s are read; other detail-types are acknowledged and left.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { PushReply, PushRequest, RawRecord, SourceSink } from '../types.js';
import { isObject } from './fields.js';
import { connectRecordKind } from './mapping.js';

const gunzipAsync = promisify(gunzip);

/** Firehose bodies are at most 64 MiB before compression. */
export const FIREHOSE_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** The largest record Firehose sends (1,024,000 bytes before Base64). */
const FIREHOSE_MAX_RECORD_CHARS = 1_365_336;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** The part of a record that could not be read, kept in its dead letter. */
const EXCERPT_CHARS = 2_000;

export const FIREHOSE_KEY_HEADER = 'x-amz-firehose-access-key';
export const FIREHOSE_REQUEST_ID_HEADER = 'x-amz-firehose-request-id';
export const EVENTBRIDGE_KEY_HEADER = 'x-frontline-source-key';

export function header(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Constant-time comparison of a presented key with the source's (hashed first, so lengths do not leak either). */
export function sameKey(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Why a presented key is refused, or null when it is the source's. */
function keyProblem(given: string | undefined, expected: string | undefined, headerName: string): string | null {
  if (expected === undefined || expected === '') return "this source has no access key set: set the source's access key in Frontline first";
  if (given === undefined || given === '') return `missing ${headerName}`;
  return sameKey(given, expected) ? null : `${headerName} does not match this source's access key`;
}

/**
 * The body as text: gunzipped when Firehose compressed it. A body already inflated by the HTTP layer (express.raw
 * inflates by default) no longer starts with gzip's magic bytes and is read as it is.
 */
async function bodyText(req: PushRequest): Promise<string> {
  const encoding = header(req.headers, 'content-encoding')?.trim().toLowerCase();
  const gzipped = req.rawBody.length >= 2 && req.rawBody[0] === 0x1f && req.rawBody[1] === 0x8b;
  if (encoding === 'gzip' && gzipped) return (await gunzipAsync(req.rawBody, { maxOutputLength: FIREHOSE_MAX_BODY_BYTES })).toString('utf8');
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') throw new Error(`Content-Encoding ${encoding} is not supported (Firehose sends gzip or nothing)`);
  return req.rawBody.toString('utf8');
}

/** The JSON documents in one record's data: one document, or several on separate lines. */
export function recordsOf(text: string): RawRecord[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const one = tryParse(trimmed);
  if (one.ok) return [asRecord(one.value)];
  const lines = trimmed.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return [unreadable(trimmed, one.error)];
  return lines.map((line) => {
    const p = tryParse(line);
    return p.ok ? asRecord(p.value) : unreadable(line, p.error);
  });
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function asRecord(doc: unknown): RawRecord {
  return { kind: connectRecordKind(doc) ?? 'unknown', body: doc };
}

function unreadable(text: string, error: string): RawRecord {
  return { kind: 'unreadable', body: { error: `not JSON: ${error}`, excerpt: text.slice(0, EXCERPT_CHARS) } };
}

function firehoseReply(status: number, requestId: string, errorMessage?: string): PushReply {
  // The timestamp (ms since epoch) at which the server processed the request, as the specification asks.
  const body: Record<string, unknown> = { requestId, timestamp: Date.now() };
  if (errorMessage !== undefined) body.errorMessage = errorMessage.slice(0, 8_192);
  return { status, headers: { 'content-type': 'application/json' }, body };
}

export async function handleFirehose(req: PushRequest, credentials: Readonly<Record<string, string>>, sink: SourceSink): Promise<PushReply> {
  let requestId = header(req.headers, FIREHOSE_REQUEST_ID_HEADER) ?? '';
  const refused = keyProblem(header(req.headers, FIREHOSE_KEY_HEADER), credentials.accessKey, 'X-Amz-Firehose-Access-Key');
  if (refused !== null) return firehoseReply(401, requestId, refused);

  let parsed: unknown;
  try {
    parsed = JSON.parse(await bodyText(req)) as unknown;
  } catch (err) {
    return firehoseReply(400, requestId, `the body is not a Firehose delivery request (gzip-compressed or plain JSON): ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(parsed)) return firehoseReply(400, requestId, 'the body must be a JSON object {requestId, timestamp, records}');
  if (requestId === '' && typeof parsed.requestId === 'string') requestId = parsed.requestId;
  if (!Array.isArray(parsed.records)) return firehoseReply(400, requestId, 'records: expected an array of {data: <Base64>}');
  const records: RawRecord[] = [];
  for (let i = 0; i < parsed.records.length; i++) {
    const r: unknown = parsed.records[i];
    const data = isObject(r) ? r.data : undefined;
    if (typeof data !== 'string') return firehoseReply(400, requestId, `records[${i}].data: expected a Base64 string`);
    if (data.length > FIREHOSE_MAX_RECORD_CHARS || data.length % 4 !== 0 || !BASE64.test(data)) {
      return firehoseReply(400, requestId, `records[${i}].data: not valid Base64 (Firehose sends each record's data Base64-encoded)`);
    }
    records.push(...recordsOf(Buffer.from(data, 'base64').toString('utf8')));
  }
  try {
    if (records.length > 0) await sink.deliver(records);
  } catch (err) {
    return firehoseReply(500, requestId, `Frontline could not store the records (Firehose will retry): ${err instanceof Error ? err.message : String(err)}`);
  }
  return firehoseReply(200, requestId);
}

export async function handleEventBridge(req: PushRequest, credentials: Readonly<Record<string, string>>, sink: SourceSink): Promise<PushReply> {
  const json = (status: number, body: Record<string, unknown>): PushReply => ({ status, headers: { 'content-type': 'application/json' }, body });
  const refused = keyProblem(header(req.headers, EVENTBRIDGE_KEY_HEADER), credentials.accessKey, 'X-Frontline-Source-Key');
  if (refused !== null) return json(401, { ok: false, error: refused });
  let parsed: unknown;
  try {
    parsed = JSON.parse(await bodyText(req)) as unknown;
  } catch (err) {
    return json(400, { ok: false, error: `the body is not an EventBridge event (JSON): ${err instanceof Error ? err.message : String(err)}` });
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  const records: RawRecord[] = [];
  const ignored: string[] = [];
  for (const e of events) {
    const kind = connectRecordKind(e);
    if (kind !== undefined) records.push({ kind, body: e });
    else ignored.push(isObject(e) && typeof e['detail-type'] === 'string' ? e['detail-type'] : 'not an Amazon Connect event');
  }
  try {
    const outcome = records.length > 0 ? await sink.deliver(records) : { accepted: 0, duplicate: 0, rejected: 0, newestMs: null };
    return json(200, { ok: true, accepted: outcome.accepted, duplicate: outcome.duplicate, rejected: outcome.rejected, ...(ignored.length > 0 ? { ignored } : {}) });
  } catch (err) {
    // API destinations retry 5xx answers.
    return json(500, { ok: false, error: `Frontline could not store the event: ${err instanceof Error ? err.message : String(err)}` });
  }
}
