/**
 * Twilio Flex's push transport (issue 16): the two doors a Twilio Flex source answers on.
 *
 * - `taskrouter`: the Workspace's Event Callback URL. TaskRouter POSTs one event per request as
 *   application/x-www-form-urlencoded parameters and expects a 2xx within 15 seconds (it documents 204 No Content):
 *   https://www.twilio.com/docs/taskrouter/api/event/reference. Verified by X-Twilio-Signature over the full URL and
 *   the sorted parameters (./signature.ts).
 * - `eventstreams`: an Event Streams webhook sink. Each POST is a JSON array of CloudEvents
 *   (https://www.twilio.com/docs/events/webhook-quickstart); a JSON-bodied request is signed over the URL, which carries
 *   `bodySHA256`, the hex SHA-256 of the body (https://www.twilio.com/docs/api/errors/57012).
 *
 * A missing or wrong signature, or a request from another account than the source's Account SID, is answered 403 and
 * nothing is delivered. The answer is 2xx only after the sink has committed the records; a failed delivery is a 500
 * (Twilio's debugger shows the failed callback).
 */
import type { PushConnector, PushReply, PushRequest, RawRecord, SourceSink } from '../types.js';
import { twilioMapper } from './mapping.js';
import { formParams, validTwilioBodySignature, validTwilioSignature } from './signature.js';

export const TWILIO_ENDPOINTS = ['taskrouter', 'eventstreams'] as const;

const text = (status: number, body: string): PushReply => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });

function header(req: PushRequest, name: string): string | undefined {
  const direct = req.headers[name] ?? req.headers[name.toLowerCase()];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** The account a record came from, when it says (to refuse another account's events signed with its own token). */
function accountOf(record: RawRecord): string | undefined {
  const body = record.body as Record<string, unknown> | null;
  if (typeof body !== 'object' || body === null) return undefined;
  if (typeof body.AccountSid === 'string') return body.AccountSid;
  const payload = (body.data as { payload?: { account_sid?: unknown } } | undefined)?.payload;
  return typeof payload?.account_sid === 'string' ? payload.account_sid : undefined;
}

async function deliver(records: RawRecord[], sink: SourceSink, ok: PushReply): Promise<PushReply> {
  try {
    await sink.deliver(records);
  } catch (err) {
    return text(500, `Frontline could not store the events (${err instanceof Error ? err.message : String(err)})`);
  }
  return ok;
}

export const twilioPush: PushConnector = {
  platform: 'twilio',
  mapper: twilioMapper,

  async handle(endpoint, req, credentials, sink) {
    const authToken = credentials.authToken;
    if (!authToken) return text(500, 'This Twilio source has no auth token: set it on the Sources page to verify X-Twilio-Signature.');
    const signature = header(req, 'X-Twilio-Signature');
    if (!signature) return text(403, 'Twilio Request Validation Failed: no X-Twilio-Signature header.');
    const accountSid = credentials.accountSid;

    if (endpoint === 'taskrouter') {
      const params = formParams(req.rawBody);
      if (!validTwilioSignature(authToken, signature, req.url, params)) return text(403, 'Twilio Request Validation Failed.');
      const body: Record<string, string> = {};
      for (const [k, v] of Object.entries(params)) body[k] = typeof v === 'string' ? v : (v[v.length - 1] as string);
      const record: RawRecord = { kind: 'taskrouter', body };
      if (accountSid && body.AccountSid !== undefined && body.AccountSid !== accountSid) {
        return text(403, `Twilio Request Validation Failed: the event is from account ${body.AccountSid}, not this source's ${accountSid}.`);
      }
      // TaskRouter documents 204 No Content for an event callback.
      return deliver([record], sink, { status: 204, headers: { 'content-type': 'application/json' }, body: '' });
    }

    if (endpoint === 'eventstreams') {
      if (!validTwilioBodySignature(authToken, signature, req.url, req.rawBody)) return text(403, 'Twilio Request Validation Failed.');
      let parsed: unknown;
      try {
        parsed = JSON.parse(req.rawBody.toString('utf-8'));
      } catch {
        return text(400, 'Expected a JSON array of CloudEvents.');
      }
      const events = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
      const records: RawRecord[] = events.map((body) => ({ kind: 'eventstream', body }));
      if (accountSid && records.some((r) => { const a = accountOf(r); return a !== undefined && a !== accountSid; })) {
        return text(403, `Twilio Request Validation Failed: events from another account than this source's ${accountSid}.`);
      }
      return deliver(records, sink, { status: 200, body: '' });
    }

    return text(404, `Unknown Twilio endpoint '${endpoint.slice(0, 40)}': use taskrouter or eventstreams.`);
  },
};
