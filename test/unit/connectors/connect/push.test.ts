/**
 * The Connect push transports over real HTTP: a tiny Express app mounts the connector's handler (raw body, as the
 * Sources routes do, express.raw inflating gzip) with a collecting sink, and requests are shaped as Firehose and
 * EventBridge send them. The handler also gunzips a body the HTTP layer left compressed.
 *
 * Firehose, per "HTTP endpoint delivery request and response specifications"
 * (https://docs.aws.amazon.com/firehose/latest/dev/httpdeliveryrequestresponse.html): X-Amz-Firehose-Protocol-Version
 * 1.0, X-Amz-Firehose-Request-Id, X-Amz-Firehose-Access-Key, X-Amz-Firehose-Source-Arn, Content-Type
 * application/json, optional Content-Encoding gzip; body {requestId, timestamp, records: [{data}]}; answer
 * {requestId, timestamp} on 200, {requestId, timestamp, errorMessage} on 4xx/5xx (Firehose retries all but 200/413).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectConnector } from '../../../../server/connectors/connect/index.js';
import type { DeliveryOutcome, RawRecord, SourceSink } from '../../../../server/connectors/types.js';
import { agentEvent, contactEvent, contactLensCall, ctr, evaluation, firehoseBody, gzip } from '../../../support/connectors/connect.js';

const KEY = 'fh-key-7c1e0b5a9d';
const CREDENTIALS = { accessKey: KEY, instanceArn: 'arn:aws:connect:eu-west-2:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-111111111111' };
const T = Date.UTC(2026, 10, 2, 9);

/** Collects deliveries; can be told to fail or to take a while (to prove the answer waits for the commit). */
class CollectingSink implements SourceSink {
  deliveries: RawRecord[][] = [];
  fail = false;
  delayMs = 0;
  committedAt = 0;
  async deliver(records: readonly RawRecord[]): Promise<DeliveryOutcome> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.fail) throw new Error('database is locked');
    this.deliveries.push([...records]);
    this.committedAt = Date.now();
    return { accepted: records.length, duplicate: 0, rejected: 0, newestMs: null };
  }
}

let server: Server;
let base: string;
const sink = new CollectingSink();

beforeAll(async () => {
  const app = express();
  app.post('/api/v1/sources/:id/push/:endpoint', express.raw({ type: () => true, limit: '70mb' }), async (req, res) => {
    const reply = await connectConnector.handle(
      String(req.params.endpoint),
      { url: `${base}${req.originalUrl}`, headers: req.headers as Record<string, string | undefined>, rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) },
      CREDENTIALS,
      sink,
    );
    res.status(reply.status).set(reply.headers ?? {});
    if (typeof reply.body === 'string') res.send(reply.body);
    else res.json(reply.body);
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  sink.deliveries = [];
  sink.fail = false;
  sink.delayMs = 0;
});

function firehoseHeaders(o: { key?: string; requestId?: string; gzip?: boolean } = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-amz-firehose-protocol-version': '1.0',
    'x-amz-firehose-request-id': o.requestId ?? 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f',
    'x-amz-firehose-source-arn': 'arn:aws:firehose:eu-west-2:123456789012:deliverystream/frontline-connect',
    ...(o.key === undefined ? { 'x-amz-firehose-access-key': KEY } : o.key === '' ? {} : { 'x-amz-firehose-access-key': o.key }),
    ...(o.gzip ? { 'content-encoding': 'gzip' } : {}),
  };
}

async function post(endpoint: string, headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; body: Record<string, unknown>; contentType: string | null }> {
  const res = await fetch(`${base}/api/v1/sources/src-1/push/${endpoint}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, contentType: res.headers.get('content-type') };
}

describe('the Firehose HTTP endpoint', () => {
  it('delivers every record, told apart by its fields, and answers {requestId, timestamp} once they are stored', async () => {
    sink.delayMs = 150;
    const docs = [
      ctr({ contactId: 'c-1', at: T, queue: 'Billing', agent: 'ann', talkS: 60 }),
      agentEvent({ user: 'ann', at: T, status: 'Available', eventId: 'e-1' }),
      contactLensCall('c-1'),
      evaluation({ evaluationId: 'ev-1', contactId: 'c-1', modifiedS: T / 1000, answers: {} }),
      contactEvent({ eventType: 'QUEUED', contactId: 'c-2', at: T, queue: 'Tech' }),
      // Two agent events in one record, newline-separated (an aggregating producer); and an empty record.
      `${JSON.stringify(agentEvent({ user: 'bob', at: T, status: 'Available', eventId: 'e-2' }))}\n${JSON.stringify(agentEvent({ user: 'cat', at: T, status: 'Break', eventId: 'e-3' }))}\n`,
      '',
      'this is not JSON',
    ];
    const before = Date.now();
    const res = await post('firehose', firehoseHeaders(), JSON.stringify(firehoseBody(docs)));
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('application/json');
    expect(Object.keys(res.body).sort()).toEqual(['requestId', 'timestamp']);
    expect(res.body.requestId).toBe('ed4acda5-034f-9f42-bba1-f29aea6d7d8f');
    expect(Number.isInteger(res.body.timestamp) && (res.body.timestamp as number) >= before).toBe(true);
    // The answer came after the sink resolved (it took 150 ms).
    expect(res.body.timestamp as number).toBeGreaterThanOrEqual(sink.committedAt);
    expect(sink.deliveries).toHaveLength(1);
    expect(sink.deliveries[0]?.map((r) => r.kind)).toEqual(['ctr', 'agent-event', 'contact-lens', 'evaluation', 'contact-event', 'agent-event', 'agent-event', 'unreadable']);
    // A record that is not JSON goes to the sink, which dead-letters it as malformed (the mapper says why).
    const unreadable = sink.deliveries[0]?.at(-1);
    expect(connectConnector.mapper.map(unreadable as RawRecord, { sourceId: 's', mapping: { channels: {}, queues: {}, agents: {}, states: {}, wrapCodes: {}, resolvedByDefault: true, strictQueues: false, strictAgents: false }, memory: { get: () => undefined, set: () => undefined } })).toMatchObject({
      ok: false,
      reason: 'malformed',
      reasons: [expect.stringContaining('not JSON')],
    });
  });

  it('reads a gzip-compressed body (Content-Encoding: gzip)', async () => {
    const body = JSON.stringify(firehoseBody([ctr({ contactId: 'c-gz', at: T, queue: 'Billing', agent: 'bob', talkS: 30 })], 'req-gz'));
    const res = await post('firehose', firehoseHeaders({ gzip: true, requestId: 'req-gz' }), gzip(body));
    expect(res.status).toBe(200);
    expect(res.body.requestId).toBe('req-gz');
    expect(sink.deliveries[0]?.map((r) => (r.body as { ContactId?: string }).ContactId)).toEqual(['c-gz']);
    // Handed the compressed bytes themselves (an HTTP layer that does not inflate), the handler gunzips them.
    const direct = await connectConnector.handle('firehose', { url: 'https://frontline.example/x', headers: firehoseHeaders({ gzip: true, requestId: 'req-gz' }), rawBody: gzip(body) }, CREDENTIALS, sink);
    expect(direct).toMatchObject({ status: 200, body: { requestId: 'req-gz' } });
    expect(sink.deliveries).toHaveLength(2);
  });

  it('refuses a wrong or missing access key with 401 in the Firehose error format, delivering nothing', async () => {
    const body = JSON.stringify(firehoseBody([ctr({ contactId: 'c-x', at: T })], 'req-401'));
    const wrong = await post('firehose', firehoseHeaders({ key: 'fh-key-7c1e0b5a9e', requestId: 'req-401' }), body);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ requestId: 'req-401', errorMessage: "X-Amz-Firehose-Access-Key does not match this source's access key" });
    expect(typeof wrong.body.timestamp).toBe('number');
    const missing = await post('firehose', firehoseHeaders({ key: '', requestId: 'req-401' }), body);
    expect(missing.status).toBe(401);
    expect(missing.body.errorMessage).toBe('missing X-Amz-Firehose-Access-Key');
    expect(sink.deliveries).toEqual([]);
  });

  it('answers 400 in the Firehose error format for a record that is not Base64 and for a body that is not a delivery request', async () => {
    const body = firehoseBody([ctr({ contactId: 'c-ok', at: T })], 'req-400');
    body.records.push({ data: 'not base64!' });
    const bad = await post('firehose', firehoseHeaders({ requestId: 'req-400' }), JSON.stringify(body));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ requestId: 'req-400', errorMessage: 'records[1].data: not valid Base64 (Firehose sends each record\'s data Base64-encoded)' });
    const notJson = await post('firehose', firehoseHeaders({ requestId: 'req-400' }), '{"requestId":');
    expect(notJson.status).toBe(400);
    expect(notJson.body.errorMessage).toContain('not a Firehose delivery request');
    const noRecords = await post('firehose', firehoseHeaders({ requestId: 'req-400' }), JSON.stringify({ requestId: 'req-400', timestamp: 1 }));
    expect(noRecords.status).toBe(400);
    expect(noRecords.body.errorMessage).toBe('records: expected an array of {data: <Base64>}');
    expect(sink.deliveries).toEqual([]);
  });

  it('answers 500 with the error when the records cannot be stored, so Firehose retries the same request', async () => {
    sink.fail = true;
    const res = await post('firehose', firehoseHeaders({ requestId: 'req-500' }), JSON.stringify(firehoseBody([ctr({ contactId: 'c-r', at: T })], 'req-500')));
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ requestId: 'req-500', errorMessage: 'Frontline could not store the records (Firehose will retry): database is locked' });
    // The retry (same request id, same records) is stored once the store is back.
    sink.fail = false;
    const retry = await post('firehose', firehoseHeaders({ requestId: 'req-500' }), JSON.stringify(firehoseBody([ctr({ contactId: 'c-r', at: T })], 'req-500')));
    expect(retry.status).toBe(200);
    expect(sink.deliveries).toHaveLength(1);
  });
});

describe('the EventBridge API destination', () => {
  const headers = (key = KEY) => ({ 'content-type': 'application/json; charset=utf-8', 'x-frontline-source-key': key });

  it('delivers an Amazon Connect Contact Event, acknowledges other detail-types, and refuses a wrong key', async () => {
    const event = contactEvent({ eventType: 'DISCONNECTED', contactId: 'c-eb', at: T, queue: 'Tech', disconnectedAt: T + 60_000 });
    const res = await post('eventbridge', headers(), JSON.stringify(event));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, accepted: 1, duplicate: 0, rejected: 0 });
    expect(sink.deliveries[0]).toEqual([{ kind: 'contact-event', body: event }]);
    const other = await post('eventbridge', headers(), JSON.stringify({ ...event, 'detail-type': 'Contact Lens Post Call Rules Matched' }));
    expect(other.body).toEqual({ ok: true, accepted: 0, duplicate: 0, rejected: 0, ignored: ['Contact Lens Post Call Rules Matched'] });
    const wrong = await post('eventbridge', headers('nope'), JSON.stringify(event));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ ok: false, error: "X-Frontline-Source-Key does not match this source's access key" });
    expect(sink.deliveries).toHaveLength(1);
  });

  it('answers 500 when the event cannot be stored (API destinations retry), and 400 for a body that is not JSON', async () => {
    sink.fail = true;
    const res = await post('eventbridge', headers(), JSON.stringify(contactEvent({ eventType: 'QUEUED', contactId: 'c-q', at: T, queue: 'Tech' })));
    expect(res.status).toBe(500);
    expect(res.body.error).toContain('database is locked');
    expect((await post('eventbridge', headers(), 'nope')).status).toBe(400);
  });

  it('is not an endpoint of another name', async () => {
    const res = await post('webhook', headers(), '{}');
    expect(res.status).toBe(404);
    expect(res.body.error).toContain('firehose and eventbridge');
  });
});
