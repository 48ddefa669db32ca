/**
 * The connectors' core (issue 16), with a minimal stand-in platform so only the core is under test (each real
 * platform has its own tests): a source is added with sealed credentials, records pushed to its endpoint become
 * figures, a re-delivery is a duplicate, an unmapped record is dead-lettered and stored by a replay after a mapping
 * fix, a malformed one is kept with its reason, and a pull source's cursor moves only with the records it covers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisReply } from '../../../shared/api.js';
import type { DeadLetter, SourceSummary } from '../../../shared/sources.js';
import { MappingRun, malformed } from '../../../server/connectors/common.js';
import { headline } from '../../../server/notifications/events.js';
import type { PlatformMapper, PullConnector, PushConnector, RawRecord } from '../../../server/connectors/types.js';
import { call, type Credentials } from '../../support/people.js';
import { ManualClock, startTestServer, type TestServer } from '../../support/server.js';

const NOW = Date.UTC(2026, 10, 2, 16);
const iso = (ms: number) => new Date(ms).toISOString();

/** A stand-in platform record: one handled call, or an agent's state change. */
interface Call { id: string; at: number; agent: string; queue: string; talk: number; wrap: number; code?: string }
interface State { agent: string; at: number; state: string }

const mapper: PlatformMapper = {
  platform: 'connect',
  recordKey: (r) => String((r.body as { id?: unknown; agent?: unknown }).id ?? (r.body as { agent?: unknown }).agent),
  map(record, ctx) {
    const run = new MappingRun(ctx.mapping);
    if (record.kind === 'state') {
      const s = record.body as State;
      const state = run.state(s.state);
      return run.finish([{ id: `t:${s.agent}:${s.at}`, type: 'agent.state', occurredAt: s.at, agentId: run.agent(s.agent), ...(state ? { state, stateName: s.state } : {}) }]);
    }
    const c = record.body as Partial<Call>;
    if (typeof c.id !== 'string' || typeof c.at !== 'number' || typeof c.agent !== 'string' || typeof c.queue !== 'string') return malformed('a call needs id, at (epoch ms), agent and queue');
    const agentId = run.agent(c.agent);
    return run.finish([
      { id: `t:${c.id}:o`, type: 'contact.offered', occurredAt: c.at, contactId: c.id, channel: 'voice', queueId: run.queue(c.queue) },
      { id: `t:${c.id}:a`, type: 'contact.answered', occurredAt: c.at + 10_000, contactId: c.id, agentId },
      { id: `t:${c.id}:e`, type: 'contact.ended', occurredAt: c.at + 10_000 + (c.talk ?? 0) * 1000, contactId: c.id, agentId, talkSeconds: c.talk, holdSeconds: 0, wrapSeconds: c.wrap, resolved: run.resolved(c.code ? [c.code] : []) },
    ]);
  },
};

const push: PushConnector = {
  platform: 'connect',
  mapper,
  async handle(_endpoint, req, credentials, sink) {
    if (req.headers['x-test-key'] !== credentials.accessKey) return { status: 401, body: { error: 'bad key' } };
    const records = JSON.parse(req.rawBody.toString('utf8')) as RawRecord[];
    const out = await sink.deliver(records);
    return { status: 200, body: out };
  },
};

/** A pull platform of `pages` pages; the cursor is the next page number. `failAfter` throws after delivering that page. */
const pages: RawRecord[][] = [];
let failAfterPage: number | undefined;
const pull: PullConnector = {
  platform: 'genesys',
  mapper,
  async poll(ctx) {
    let page = ctx.cursor === null ? 0 : Number(ctx.cursor);
    let records = 0;
    while (page < pages.length) {
      const recs = pages[page] as RawRecord[];
      await ctx.sink.deliver(recs, { cursor: String(page + 1) });
      records += recs.length;
      if (failAfterPage === page) throw new Error('platform went away');
      page++;
    }
    return { records, cursor: String(page) };
  },
  test: () => Promise.resolve({ ok: true, message: 'stand-in' }),
};

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
  let t: TestServer;
  let admin: Credentials;
  let src: SourceSummary;

  async function kpis(scope: string): Promise<KpisReply> {
    const q = new URLSearchParams({ scope, from: iso(NOW - 86_400_000), to: iso(NOW) });
    const res = await call(t.baseUrl, 'GET', `/api/v1/kpis?${q.toString()}`, admin);
    expect(res.status).toBe(200);
    return (await res.json()) as KpisReply;
  }

  async function pushRecords(records: RawRecord[], key = 'sesame-42'): Promise<Response> {
    return fetch(src.endpoints[0]?.url as string, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test-key': key }, body: JSON.stringify(records) });
  }

  async function source(id: string): Promise<SourceSummary> {
    const res = await call(t.baseUrl, 'GET', `/api/v1/sources/${id}`, admin);
    return ((await res.json()) as { source: SourceSummary }).source;
  }

  beforeAll(async () => {
    pages.length = 0;
    t = await startTestServer({ dialect, clock: new ManualClock(NOW), connectorsForTest: { connect: push, genesys: pull } });
    await t.server.directory.replace({
      sites: [{ id: 'leeds', name: 'Leeds', timeZone: 'Europe/London', openingHours: {} }],
      teams: [{ id: 'billing', name: 'Billing', siteId: 'leeds' }],
      queues: [{ id: 'voice-billing', name: 'Billing voice', channel: 'voice', siteId: 'leeds', serviceLevelSeconds: 20 }],
      agents: [
        { id: 'a-ann', name: 'Ann', teamId: 'billing' },
        { id: 'a-bob', name: 'Bob', teamId: 'billing' },
      ],
    });
    await t.server.kpis.rebuild();
    admin = { bearer: (await t.server.apiKeys.create('sources-admin', ['admin', 'read'])).key };
  });
  afterAll(async () => t.close());

  describe('a push source', () => {
    it('is added with its credentials sealed: never shown again, not in the store in clear', async () => {
      const res = await call(t.baseUrl, 'POST', '/api/v1/sources', admin, { platform: 'connect', name: 'Main Connect', credentials: { accessKey: 'sesame-42' } });
      expect(res.status, await res.clone().text()).toBe(201);
      src = ((await res.json()) as { source: SourceSummary }).source;
      expect(src.secretsSet).toEqual(['accessKey']);
      expect(JSON.stringify(src)).not.toContain('sesame-42');
      expect(src.endpoints.map((e) => e.endpoint)).toEqual(['firehose', 'eventbridge']);
      expect(src.health.status).toBe('waiting');
      const row = await t.store.db.selectFrom('sources').selectAll().where('id', '=', src.id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain('sesame-42');
      expect(row.secrets).toMatch(/^v1\./);
      const audit = await t.store.db.selectFrom('audit_log').selectAll().execute();
      expect(JSON.stringify(audit)).not.toContain('sesame-42');
      // Missing a required credential, or one the platform does not have: refused with what is expected.
      const bad = await call(t.baseUrl, 'POST', '/api/v1/sources', admin, { platform: 'connect', name: 'Other', credentials: { accesKey: 'x' } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('unknown credential field(s) accesKey');
    });

    it('turns pushed records into figures; a re-delivery is a duplicate; a wrong key stores nothing', async () => {
      expect((await pushRecords([{ kind: 'call', body: { id: 'c1', at: NOW - 3_600_000, agent: 'a-ann', queue: 'voice-billing', talk: 300, wrap: 60 } }], 'wrong')).status).toBe(401);
      const calls: RawRecord[] = [
        { kind: 'call', body: { id: 'c1', at: NOW - 3_600_000, agent: 'a-ann', queue: 'voice-billing', talk: 300, wrap: 60 } },
        { kind: 'call', body: { id: 'c2', at: NOW - 600_000, agent: 'a-ann', queue: 'voice-billing', talk: 180, wrap: 0, code: 'callback-needed' } },
      ];
      const first = await pushRecords(calls);
      expect(first.status).toBe(200);
      expect(await first.json()).toMatchObject({ accepted: 2, duplicate: 0, rejected: 0 });
      expect(await (await pushRecords(calls)).json()).toMatchObject({ accepted: 0, duplicate: 2, rejected: 0 });
      // AHT = (300 + 60 + 180 + 0) / 2 = 270 s over 2 handled contacts.
      const k = await kpis('agent:a-ann');
      expect(k.kpis.aht).toMatchObject({ value: 270, n: 2 });
      const s = await source(src.id);
      expect(s.health).toMatchObject({ accepted: 2, duplicate: 2, rejected: 1, rejectedBy: { auth: 1 }, status: 'healthy' });
      expect(s.health.lagSeconds).toBe((NOW - (NOW - 600_000 + 10_000 + 180_000)) / 1000);
    });

    it('dead-letters an unmapped state and a malformed record; a mapping change and a replay store the first', async () => {
      const res = await pushRecords([
        { kind: 'state', body: { agent: 'a-ann', at: NOW - 60_000, state: 'Team huddle' } },
        { kind: 'call', body: { id: 'c3', agent: 'a-ann' } },
      ]);
      expect(await res.json()).toMatchObject({ accepted: 0, rejected: 2 });
      const dl = (await (await call(t.baseUrl, 'GET', `/api/v1/sources/${src.id}/dead-letters?status=held`, admin)).json()) as { deadLetters: DeadLetter[] };
      expect(dl.deadLetters.map((d) => [d.reason, d.kind, d.recordKey])).toEqual([
        ['unmapped', 'state', 'a-ann'],
        ['malformed', 'call', 'c3'],
      ]);
      expect(dl.deadLetters[0]?.reasons[0]).toContain('agent state "Team huddle" is not mapped');
      // The seen values list what the source sent, with what each maps to now.
      const seen = (await (await call(t.baseUrl, 'GET', `/api/v1/sources/${src.id}/seen`, admin)).json()) as { values: { kind: string; value: string; mappedTo: unknown }[] };
      expect(seen.values.find((v) => v.kind === 'state' && v.value === 'Team huddle')).toMatchObject({ mappedTo: null });
      // Map it, then replay everything held: the state is stored, the malformed call stays held.
      const mapping = { ...src.mapping, states: { 'Team huddle': 'break' }, wrapCodes: { 'callback-needed': false } };
      expect((await call(t.baseUrl, 'PATCH', `/api/v1/sources/${src.id}`, admin, { mapping })).status).toBe(200);
      const replay = (await (await call(t.baseUrl, 'POST', `/api/v1/sources/${src.id}/dead-letters/replay`, admin, {})).json()) as { replayed: number; stillRejected: number };
      expect(replay).toMatchObject({ replayed: 1, stillRejected: 1 });
      const s = await source(src.id);
      expect(s.health.deadLetters).toBe(1);
      expect(s.health.accepted).toBe(3);
      const stored = await t.store.db.selectFrom('events').select(['payload']).where('type', '=', 'agent.state').execute();
      expect(stored.map((r) => JSON.parse(r.payload) as { state: string; stateName: string })).toEqual([expect.objectContaining({ state: 'break', stateName: 'Team huddle', source: src.id })]);
      // A mapping change applies to records from now on: c2 re-sent after `callback-needed` → unresolved is a new
      // content under the same ids, so it is refused as a conflict, not silently rewritten.
      const again = await pushRecords([{ kind: 'call', body: { id: 'c2', at: NOW - 600_000, agent: 'a-ann', queue: 'voice-billing', talk: 180, wrap: 0, code: 'callback-needed' } }]);
      expect(await again.json()).toMatchObject({ rejected: 1 });
    });
  });

  describe('a pull source', () => {
    it('moves its cursor with the records: a failed poll resumes after the last committed page, nothing doubled', async () => {
      const created = await call(t.baseUrl, 'POST', '/api/v1/sources', admin, { platform: 'genesys', name: 'Genesys EU', credentials: { region: 'api.mypurecloud.ie', clientId: 'id', clientSecret: 'shh' } });
      expect(created.status).toBe(201);
      const g = ((await created.json()) as { source: SourceSummary }).source;
      for (let p = 0; p < 3; p++) pages.push([0, 1].map((i) => ({ kind: 'call', body: { id: `g${p}${i}`, at: NOW - 7_200_000 + p * 60_000 + i, agent: 'a-bob', queue: 'voice-billing', talk: 100, wrap: 20 } })));
      failAfterPage = 1;
      await t.server.sources.pollNow(g.id);
      let s = await source(g.id);
      expect(s.health.status).toBe('failing');
      expect(s.health.lastError).toBe('platform went away');
      expect((await t.store.db.selectFrom('sources').select('cursor').where('id', '=', g.id).executeTakeFirstOrThrow()).cursor).toBe('2');
      // Admins are told: the source is unhealthy while its polls fail, healthy again after a good one.
      const told = async () => JSON.parse((await t.store.db.selectFrom('notification_state').select('value').where('key', '=', `platform-source:${g.id}`).executeTakeFirstOrThrow()).value) as { told: string };
      await t.server.notifications.watchers.check();
      expect((await told()).told).toBe('silent');
      expect(headline({ kind: 'source_unhealthy', data: { keyId: g.id, keyName: 'Genesys EU', platform: 'Genesys Cloud', lastEventAt: 'x', silentMinutes: 0, pollError: 'platform went away' } })).toBe('Data source failing: Genesys EU (Genesys Cloud) cannot be read');
      failAfterPage = undefined;
      await t.server.sources.pollNow(g.id);
      await t.server.notifications.watchers.check();
      expect((await told()).told).toBe('healthy');
      s = await source(g.id);
      // Its newest record happened 2 h before it was read: the source is up but behind (lagging), not failing.
      expect(s.health).toMatchObject({ accepted: 6, duplicate: 0, status: 'lagging', lastError: null });
      // Six calls of 100 s talk + 20 s wrap: AHT 120 s over n = 6 (none doubled by the failed poll's retry).
      expect((await kpis('agent:a-bob')).kpis.aht).toMatchObject({ value: 120, n: 6 });
    });
  });
});
