/**
 * The Twilio push transport over real HTTP: a tiny Express app mounts the handler the way the core does (raw body kept
 * for the signature, the URL as PUBLIC_URL + path), with a sink that collects what it is given. A correctly signed
 * TaskRouter callback is delivered and answered 204 (TaskRouter's documented answer); a tampered parameter, a wrong
 * token or no X-Twilio-Signature is a 403 and nothing is delivered; the URL is accepted with and without its explicit
 * port; an Event Streams batch (JSON CloudEvents, signed with bodySHA256) is delivered whole.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { twilioPush } from '../../../../server/connectors/twilio/push.js';
import { bodySha256, twilioSignature } from '../../../../server/connectors/twilio/signature.js';
import type { DeliveryOutcome, RawRecord, SourceSink } from '../../../../server/connectors/types.js';
import { ACCOUNT_SID, AUTH_TOKEN, C1, asCloudEvent, handledTask } from '../../../support/connectors/twilio.js';

const PATH = '/api/v1/sources/src-1/push';

class CollectingSink implements SourceSink {
  delivered: RawRecord[][] = [];
  fail = false;
  deliver(records: readonly RawRecord[]): Promise<DeliveryOutcome> {
    if (this.fail) return Promise.reject(new Error('store unavailable'));
    this.delivered.push([...records]);
    return Promise.resolve({ accepted: records.length, duplicate: 0, rejected: 0, newestMs: null });
  }
}

let server: Server;
let base: string;
const sink = new CollectingSink();
/** What the app believes its public URL is (PUBLIC_URL): tests switch it to with and without the port. */
let publicUrl = 'https://frontline.example.com';

beforeAll(async () => {
  const app = express();
  app.post(`${PATH}/:endpoint`, express.raw({ type: () => true }), (req, res, next) => {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    twilioPush
      .handle(req.params.endpoint, { url: publicUrl + req.originalUrl, headers, rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) }, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }, sink)
      .then((reply) => {
        res.status(reply.status).set(reply.headers ?? {});
        if (reply.status === 204) res.end();
        else res.send(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      })
      .catch(next);
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  sink.delivered = [];
  sink.fail = false;
  publicUrl = 'https://frontline.example.com';
});

const params = handledTask(C1, 'ann', { accepted: 12, wrapup: 312, completed: 352 }, { outcome: 'Resolved', hold_time: 20 })[3]?.body as Record<string, string>;

async function post(endpoint: string, body: string, headers: Record<string, string>, query = ''): Promise<Response> {
  return fetch(`${base}${PATH}/${endpoint}${query}`, { method: 'POST', headers, body });
}

function signedCallback(signUrl: string, p: Record<string, string> = params, token = AUTH_TOKEN) {
  return { body: new URLSearchParams(p).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(token, signUrl, p) } };
}

describe('TaskRouter event callbacks', () => {
  const url = `https://frontline.example.com${PATH}/taskrouter`;

  it('delivers a correctly signed callback, then answers 204', async () => {
    const { body, headers } = signedCallback(url);
    const res = await post('taskrouter', body, headers);
    expect(res.status).toBe(204);
    expect(sink.delivered).toEqual([[{ kind: 'taskrouter', body: params }]]);
  });

  it('refuses a tampered parameter, a wrong token and a missing signature with 403, delivering nothing', async () => {
    const { body, headers } = signedCallback(url);
    const tampered = body.replace(`WorkerName=ann`, 'WorkerName=mallory');
    expect(tampered).not.toBe(body);
    expect((await post('taskrouter', tampered, headers)).status).toBe(403);
    const wrongToken = signedCallback(url, params, 'ffffffffffffffffffffffffffffffff');
    expect((await post('taskrouter', wrongToken.body, wrongToken.headers)).status).toBe(403);
    const noHeader = await post('taskrouter', body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(noHeader.status).toBe(403);
    expect(await noHeader.text()).toContain('X-Twilio-Signature');
    expect(sink.delivered).toEqual([]);
  });

  it('accepts the URL with and without its explicit port', async () => {
    // Twilio signed the URL as configured, without a port; Frontline sees its public URL with :443.
    publicUrl = 'https://frontline.example.com:443';
    const a = signedCallback(url);
    expect((await post('taskrouter', a.body, a.headers)).status).toBe(204);
    // Twilio signed it with the port; Frontline's public URL has none.
    publicUrl = 'https://frontline.example.com';
    const b = signedCallback(`https://frontline.example.com:443${PATH}/taskrouter`);
    expect((await post('taskrouter', b.body, b.headers)).status).toBe(204);
    expect(sink.delivered).toHaveLength(2);
  });

  it("refuses another account's callback signed with its own token", async () => {
    const other = { ...params, AccountSid: 'AC00000000000000000000000000000000' };
    const { body, headers } = signedCallback(url, other);
    expect((await post('taskrouter', body, headers)).status).toBe(403);
    expect(sink.delivered).toEqual([]);
  });

  it('answers 500 when the records could not be stored', async () => {
    sink.fail = true;
    const { body, headers } = signedCallback(url);
    expect((await post('taskrouter', body, headers)).status).toBe(500);
  });
});

describe('Event Streams webhook sink', () => {
  const batch = handledTask(C1, 'ann', { accepted: 12, wrapup: 312, completed: 352 }, { outcome: 'Resolved' })
    .slice(0, 2)
    .map((r) => asCloudEvent(r.body as Record<string, string>).body);
  const body = JSON.stringify(batch);
  const query = `?bodySHA256=${bodySha256(body)}`;
  const signed = twilioSignature(AUTH_TOKEN, `https://frontline.example.com${PATH}/eventstreams${query}`, {});

  it('delivers a signed batch of CloudEvents whole', async () => {
    const res = await post('eventstreams', body, { 'content-type': 'application/json', 'x-twilio-signature': signed }, query);
    expect(res.status).toBe(200);
    expect(sink.delivered).toEqual([batch.map((b) => ({ kind: 'eventstream', body: b }))]);
  });

  it('refuses a changed body, a missing bodySHA256 and a missing signature', async () => {
    const changed = body.replace('"task.created"', '"task.canceled"');
    expect((await post('eventstreams', changed, { 'content-type': 'application/json', 'x-twilio-signature': signed }, query)).status).toBe(403);
    expect((await post('eventstreams', body, { 'content-type': 'application/json', 'x-twilio-signature': twilioSignature(AUTH_TOKEN, `https://frontline.example.com${PATH}/eventstreams`, {}) })).status).toBe(403);
    expect((await post('eventstreams', body, { 'content-type': 'application/json' }, query)).status).toBe(403);
    expect(sink.delivered).toEqual([]);
  });
});
