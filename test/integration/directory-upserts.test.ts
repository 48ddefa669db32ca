/**
 * One directory item at a time, on SQLite and PostgreSQL, through a real server on loopback: PUT
 * /api/v1/directory/{kind}/:id creates (201) or changes (200), DELETE removes; every referential rule refuses with a
 * plain 400 or 409 and leaves the directory exactly as it was; only admins and `admin` or `directory` keys get in,
 * and a `directory` key gets nowhere else; each change is audited; and team figures follow an agent moved to another
 * team (and count a removed agent's contacts as team:unassigned).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../shared/api.js';
import type { Directory, DirectoryRemoveReply, DirectoryUpsertReply } from '../../shared/directory.js';
import type { FrontlineEvent } from '../../shared/events.js';
import type { KpiSet } from '../../shared/kpis.js';
import { scaledClock } from '../../server/clock.js';
import { call, ORG, seedPeople, sessionFor, type Credentials, type People } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = '2026-11-18';
const at = (hhmm: string) => `${DAY}T${hhmm}:00Z`;
/** Ann and Bob (team t-billing) each handle one surveyed contact: Ann's customer is satisfied, Bob's is not. */
const EVENTS: FrontlineEvent[] = [
  { id: 'o1', type: 'contact.offered', occurredAt: at('09:00'), contactId: 'c1', channel: 'voice', queueId: 'voice-billing' },
  { id: 'a1', type: 'contact.answered', occurredAt: '2026-11-18T09:00:15Z', contactId: 'c1', agentId: 'a-ann' },
  { id: 'e1', type: 'contact.ended', occurredAt: at('09:06'), contactId: 'c1', agentId: 'a-ann', talkSeconds: 300, holdSeconds: 10, wrapSeconds: 30, resolved: true },
  { id: 's1', type: 'survey.responded', occurredAt: at('11:00'), contactId: 'c1', csat: 5 },
  { id: 'o2', type: 'contact.offered', occurredAt: at('09:10'), contactId: 'c2', channel: 'voice', queueId: 'voice-billing' },
  { id: 'a2', type: 'contact.answered', occurredAt: '2026-11-18T09:11:00Z', contactId: 'c2', agentId: 'a-bob' },
  { id: 'e2', type: 'contact.ended', occurredAt: at('09:20'), contactId: 'c2', agentId: 'a-bob', talkSeconds: 500, holdSeconds: 0, wrapSeconds: 40, resolved: false },
  { id: 's2', type: 'survey.responded', occurredAt: at('12:00'), contactId: 'c2', csat: 2 },
];

interface ErrorReply {
  ok: false;
  error: { code: string; message: string; details?: unknown };
}

describe.each(['sqlite', 'postgres'] as const)('directory upserts on %s', (dialect) => {
  let t: TestServer;
  let people: People;
  const key: Record<'directory' | 'admin' | 'ingest' | 'read', Credentials> = {} as never;
  let admin: Credentials;

  const put = (kind: string, id: string, body: unknown, who: Credentials = key.directory) => call(t.baseUrl, 'PUT', `/api/v1/directory/${kind}/${id}`, who, body);
  const del = (kind: string, id: string, who: Credentials = key.directory) => call(t.baseUrl, 'DELETE', `/api/v1/directory/${kind}/${id}`, who);
  const directory = async (): Promise<Directory> => {
    const res = await call(t.baseUrl, 'GET', '/api/v1/directory', key.read);
    expect(res.status).toBe(200);
    return ((await res.json()) as { directory: Directory }).directory;
  };
  const refused = async (res: Response, status: number): Promise<ErrorReply['error']> => {
    const body = (await res.json()) as ErrorReply;
    expect(res.status, JSON.stringify(body)).toBe(status);
    expect(body.ok).toBe(false);
    return body.error;
  };
  const csat = async (scope: string) => {
    const res = await call(t.baseUrl, 'GET', `/api/v1/kpis?scope=${scope}&from=${DAY}T00:00:00Z&to=${DAY}T15:00:00Z`, key.read);
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { kpis: KpiSet }).kpis.csat;
  };
  const auditOf = async (action: string) => {
    const res = await call(t.baseUrl, 'GET', `/api/v1/audit?action=${action}`, admin);
    expect(res.status).toBe(200);
    return ((await res.json()) as { entries: AuditRecord[] }).entries;
  };

  beforeAll(async () => {
    t = await startTestServer({ dialect, clock: scaledClock(1, Date.parse(`${DAY}T15:00:00Z`)) });
    people = await seedPeople(t);
    await t.server.kpis.rebuild();
    for (const scope of ['directory', 'admin', 'ingest', 'read'] as const) key[scope] = { bearer: await t.key([scope]) };
    admin = await sessionFor(t, people.admin);
    const res = await call(t.baseUrl, 'POST', '/api/v1/events', key.ingest, EVENTS);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(EVENTS.length);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  // Every test starts from the seeded organisation, put back through the whole-replace API (figures follow it too).
  beforeEach(async () => {
    expect((await call(t.baseUrl, 'PUT', '/api/v1/directory', key.admin, ORG)).status).toBe(200);
  });

  it('creates one item of each kind with 201 and created: true, with or without the id in the body, and audits it', async () => {
    const site = { name: 'West', timeZone: 'Europe/Dublin', openingHours: { tue: { open: '09:00', close: '17:00' } } };
    const s = await put('sites', 's-west', site);
    expect(s.status).toBe(201);
    expect(await s.json()).toEqual({ ok: true, item: { id: 's-west', ...site }, created: true } satisfies DirectoryUpsertReply);
    expect((await put('teams', 't-west', { id: 't-west', name: 'West team', siteId: 's-west' })).status).toBe(201);
    expect((await put('queues', 'email-west', { name: 'West email', channel: 'email', siteId: 's-west', serviceLevelSeconds: 3600 })).status).toBe(201);
    expect((await put('queues', 'chat-any', { name: 'Anywhere chat', channel: 'chat', serviceLevelSeconds: 60 })).status).toBe(201);
    const a = await put('agents', 'a-eve', { name: 'Eve', teamId: 't-west' });
    expect(a.status).toBe(201);
    expect(await a.json()).toEqual({ ok: true, item: { id: 'a-eve', name: 'Eve', teamId: 't-west' }, created: true });

    const d = await directory();
    expect(d.sites).toContainEqual({ id: 's-west', ...site });
    expect(d.teams).toContainEqual({ id: 't-west', name: 'West team', siteId: 's-west' });
    expect(d.queues).toContainEqual({ id: 'email-west', name: 'West email', channel: 'email', siteId: 's-west', serviceLevelSeconds: 3600 });
    expect(d.queues).toContainEqual({ id: 'chat-any', name: 'Anywhere chat', channel: 'chat', serviceLevelSeconds: 60 });
    expect(d.agents).toContainEqual({ id: 'a-eve', name: 'Eve', teamId: 't-west' });
    expect(d.agents).toHaveLength(ORG.agents.length + 1);
    // The new agent is known at once: a read key sees Eve and her team.
    const eve = await call(t.baseUrl, 'GET', '/api/v1/agents/a-eve', key.read);
    expect(eve.status).toBe(200);
    expect(await eve.json()).toMatchObject({ agent: { id: 'a-eve' }, team: { id: 't-west' } });

    const trail = await auditOf('directory.upsert');
    expect(trail.find((e) => e.target === 'agent:a-eve')).toMatchObject({ actor: expect.stringMatching(/^key:/) as unknown, outcome: 'success', details: { kind: 'agents', created: true } });
    expect(trail.find((e) => e.target === 'site:s-west')).toBeDefined();
  });

  it('changes an existing item with 200 and created: false, and leaves every other item as it was', async () => {
    const res = await put('teams', 't-tech', { name: 'Tech support', siteId: 's-south' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, item: { id: 't-tech', name: 'Tech support', siteId: 's-south' }, created: false });
    // A queue's site can be taken away (centre-wide queue).
    expect((await put('queues', 'chat-south', { name: 'South chat', channel: 'chat', serviceLevelSeconds: 45 })).status).toBe(200);
    const d = await directory();
    // The directory is answered in id order.
    expect(d.teams).toEqual(ORG.teams.map((x) => (x.id === 't-tech' ? { id: 't-tech', name: 'Tech support', siteId: 's-south' } : x)).sort((x, y) => x.id.localeCompare(y.id)));
    expect(d.queues.find((q) => q.id === 'chat-south')).toEqual({ id: 'chat-south', name: 'South chat', channel: 'chat', serviceLevelSeconds: 45 });
    expect(d.sites).toEqual(ORG.sites);
    expect(d.agents).toEqual(ORG.agents);
    expect((await auditOf('directory.upsert')).find((e) => e.target === 'team:t-tech')).toMatchObject({ details: { kind: 'teams', created: false } });
  });

  it('removes an item that nothing points at, answers 404 for one that does not exist, and audits the removal', async () => {
    const res = await del('queues', 'chat-south');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, removed: 'chat-south' } satisfies DirectoryRemoveReply);
    expect((await del('agents', 'a-dan')).status).toBe(200);
    expect((await del('teams', 't-south')).status).toBe(200); // its only agent went first
    expect((await del('sites', 's-south')).status).toBe(200); // and its team and queue
    const d = await directory();
    expect(d.queues.map((q) => q.id)).toEqual(['voice-billing']);
    expect(d.sites.map((s) => s.id)).toEqual(['s-north']);
    expect(d.teams.map((x) => x.id)).toEqual(['t-billing', 't-tech']);
    expect(d.agents.map((a) => a.id)).toEqual(['a-ann', 'a-bob', 'a-cat']);
    const missing = await refused(await del('agents', 'a-nobody'), 404);
    expect(missing.message).toMatch(/agent 'a-nobody'/);
    expect((await auditOf('directory.remove')).map((e) => e.target)).toEqual(expect.arrayContaining(['queue:chat-south', 'agent:a-dan', 'team:t-south', 'site:s-south']));
  });

  it('refuses a team, agent or queue naming something the directory does not have (400), changing nothing', async () => {
    const before = await directory();
    const team = await refused(await put('teams', 't-new', { name: 'New', siteId: 's-nope' }), 400);
    expect(team.code).toBe('unknown_reference');
    expect(team.message).toMatch(/team 't-new' names site 's-nope', which is not in the directory; nothing was changed/);
    expect(team.details).toEqual({ path: 'siteId', reason: "unknown site 's-nope'" });
    const moved = await refused(await put('teams', 't-tech', { name: 'Tech', siteId: 's-nope' }), 400);
    expect(moved.message).toMatch(/site 's-nope'/);
    const agent = await refused(await put('agents', 'a-ann', { name: 'Ann', teamId: 't-nope' }), 400);
    expect(agent.message).toMatch(/agent 'a-ann' names team 't-nope'/);
    const queue = await refused(await put('queues', 'q-new', { name: 'Q', channel: 'voice', siteId: 's-nope', serviceLevelSeconds: 20 }), 400);
    expect(queue.message).toMatch(/queue 'q-new' names site 's-nope'/);
    expect(await directory()).toEqual(before);
  });

  it('refuses to remove a site with teams or queues, or a team with agents (409), naming what still points at it', async () => {
    const before = await directory();
    const site = await refused(await del('sites', 's-north'), 409);
    expect(site.code).toBe('still_referenced');
    expect(site.message).toBe("site 's-north' is still named by teams 't-billing', 't-tech' and queues 'voice-billing'; move or remove them first; nothing was changed");
    expect(site.details).toEqual({ teams: ['t-billing', 't-tech'], queues: ['voice-billing'] });
    const team = await refused(await del('teams', 't-billing'), 409);
    expect(team.message).toMatch(/team 't-billing' is still named by agents 'a-ann', 'a-bob'/);
    // A site with only a queue left is still refused.
    expect((await del('agents', 'a-dan')).status).toBe(200);
    expect((await del('teams', 't-south')).status).toBe(200);
    expect((await refused(await del('sites', 's-south'), 409)).message).toMatch(/queues 'chat-south'/);
    const after = await directory();
    expect(after.sites).toEqual(before.sites);
    expect(after.queues).toEqual(before.queues);
  });

  it('refuses bodies that fail the shared schema or name another id (400), changing nothing', async () => {
    const before = await directory();
    const zone = await refused(await put('sites', 's-west', { name: 'West', timeZone: 'Mars/Olympus', openingHours: {} }), 400);
    expect(zone.code).toBe('invalid_input');
    expect(zone.message).toMatch(/timeZone must be an IANA time zone/);
    const other = await refused(await put('agents', 'a-ann', { id: 'a-bob', name: 'Ann', teamId: 't-billing' }), 400);
    expect(other.message).toMatch(/the id in the body \("a-bob"\) is not the id in the path \('a-ann'\)/);
    expect((await refused(await put('queues', 'q-x', { name: 'Q', channel: 'fax', serviceLevelSeconds: 20 }), 400)).message).toMatch(/channel/);
    expect((await refused(await put('agents', 'a-x', { name: 'X', teamId: 't-billing', extra: 1 }), 400)).message).toMatch(/extra|unrecognized/i);
    expect(await directory()).toEqual(before);
  });

  it('admits admins and admin or directory keys; refuses ingest and read keys, agents and managers with 403, changing nothing', async () => {
    const before = await directory();
    const body = { name: 'Zed', teamId: 't-tech' };
    const agent = await sessionFor(t, people.agent);
    const manager = await sessionFor(t, people.manager);
    for (const who of [key.ingest, key.read, agent, manager]) {
      expect((await put('agents', 'a-zed', body, who)).status).toBe(403);
      expect((await del('agents', 'a-ann', who)).status).toBe(403);
      expect((await call(t.baseUrl, 'PUT', '/api/v1/directory', who, ORG)).status).toBe(403);
    }
    expect(await directory()).toEqual(before);
    expect((await put('agents', 'a-zed', body, admin)).status).toBe(201);
    expect((await put('agents', 'a-zed', { ...body, name: 'Zed Z' }, key.admin)).status).toBe(200);
    expect((await del('agents', 'a-zed', key.directory)).status).toBe(200);
  });

  it('a directory key reads and changes the directory and nothing else', async () => {
    expect((await call(t.baseUrl, 'GET', '/api/v1/directory', key.directory)).status).toBe(200);
    expect((await call(t.baseUrl, 'PUT', '/api/v1/directory', key.directory, ORG)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/kpis?scope=centre', key.directory)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-ann', key.directory)).status).toBe(403);
    expect((await call(t.baseUrl, 'POST', '/api/v1/events', key.directory, [])).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/users', key.directory)).status).toBe(403);
    expect((await call(t.baseUrl, 'POST', '/api/v1/privacy/retention/run', key.directory, {})).status).toBe(403);
  });

  it('team figures follow an agent moved to another team by an upsert', async () => {
    expect(await csat('team:t-billing')).toMatchObject({ value: 0.5, n: 2 });
    expect(await csat('team:t-tech')).toMatchObject({ n: 0 });
    expect((await put('agents', 'a-bob', { name: 'Bob', teamId: 't-tech' })).status).toBe(200);
    expect(await csat('team:t-billing')).toMatchObject({ value: 1, n: 1 });
    expect(await csat('team:t-tech')).toMatchObject({ value: 0, n: 1 });
    expect(await csat('agent:a-bob')).toMatchObject({ value: 0, n: 1 });
    expect(await csat('centre')).toMatchObject({ value: 0.5, n: 2 });
  });

  it('removing an agent with events keeps the events: their contacts count as team:unassigned', async () => {
    const stored = async () => Number((await t.store.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const count = await stored();
    expect((await del('agents', 'a-bob')).status).toBe(200);
    expect(await stored()).toBe(count);
    expect(await csat('team:t-billing')).toMatchObject({ value: 1, n: 1 });
    expect(await csat('team:unassigned')).toMatchObject({ value: 0, n: 1 });
    expect(await csat('centre')).toMatchObject({ value: 0.5, n: 2 });
  });
});
