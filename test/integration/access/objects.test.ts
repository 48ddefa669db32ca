/** Object-level access (IDOR), display credentials, and erasure keeping figures right. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import { scaledClock } from '../../../server/clock.js';
import { call, openSocket, pairDisplay, seedPeople, sessionFor, type Credentials, type People } from '../../support/people.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const DAY = '2026-11-18';
let t: TestServer;
let people: People;
let admin: Credentials;

beforeAll(async () => {
  // A fixed afternoon, so the events below are "today" and in the past whatever time the suite runs.
  t = await startTestServer({ socketSweepMs: 500, clock: scaledClock(1, Date.parse(`${DAY}T15:00:00Z`)) });
  people = await seedPeople(t);
  admin = await sessionFor(t, people.admin);
});
afterAll(async () => {
  await t.close();
});

describe('cross-team and cross-agent reads are denied (IDOR)', () => {
  it('a team leader sees their team and its agents, not another team or its agents', async () => {
    const tl = await sessionFor(t, people.teamLeader);
    expect((await call(t.baseUrl, 'GET', '/api/v1/teams/t-billing', tl)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-bob', tl)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/teams/t-tech', tl)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-cat', tl)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-dan', tl)).status).toBe(403);
  });

  it('an agent sees only themself, never a colleague, by any id', async () => {
    const ann = await sessionFor(t, people.agent);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-ann', ann)).status).toBe(200);
    for (const other of ['a-bob', 'a-cat', 'a-dan', 'a-nobody', '..%2Fa-bob']) {
      expect((await call(t.baseUrl, 'GET', `/api/v1/agents/${other}`, ann)).status, other).toBe(403);
    }
    expect((await call(t.baseUrl, 'GET', '/api/v1/teams/t-billing', ann)).status).toBe(403);
  });

  it('a site manager sees their site only; a whole-centre manager sees both', async () => {
    const sue = await sessionFor(t, people.siteManager);
    expect((await call(t.baseUrl, 'GET', '/api/v1/teams/t-south', sue)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-dan', sue)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/teams/t-billing', sue)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-ann', sue)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/pulse', sue)).status).toBe(403);
    const max = await sessionFor(t, people.manager);
    expect((await call(t.baseUrl, 'GET', '/api/v1/teams/t-south', max)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-ann', max)).status).toBe(200);
  });

  it('a coach without an assigned case sees no agent', async () => {
    const cora = await sessionFor(t, people.coach);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-ann', cora)).status).toBe(403);
  });
});

describe('paired displays', () => {
  it('pairs without a password, is read-only, and a revoked screen is cut off within seconds and gets a new code', async () => {
    const screen = await pairDisplay(t, admin, ['centre'], 'North wall');
    const who = { cookie: screen.cookie };
    const me = (await (await call(t.baseUrl, 'GET', '/api/v1/session', who)).json()) as { principal: { kind: string; name: string } };
    expect(me.principal).toMatchObject({ kind: 'display', name: 'North wall' });
    expect((await call(t.baseUrl, 'GET', '/api/v1/pulse', who)).status).toBe(200);
    // read-only: no writes, even where the route would admit it
    expect((await call(t.baseUrl, 'POST', '/api/v1/displays', who, {})).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/directory', who)).status).toBe(403);
    const socket = await openSocket(t.baseUrl, who);
    expect(((await socket.emitWithAck('pulse:subscribe')) as { ok: boolean }).ok).toBe(true);
    const gone = new Promise<number>((resolve) => {
      const t0 = Date.now();
      socket.once('disconnect', () => resolve(Date.now() - t0));
    });
    expect((await call(t.baseUrl, 'POST', `/api/v1/displays/${screen.id}/revoke`, admin)).status).toBe(200);
    expect(await gone).toBeLessThan(2_000);
    expect(((await (await call(t.baseUrl, 'GET', '/api/v1/session', who)).json()) as { principal: unknown }).principal).toBeNull();
    expect((await call(t.baseUrl, 'GET', '/api/v1/pulse', who)).status).toBe(401);
    await expect(openSocket(t.baseUrl, who)).rejects.toThrow(/unauthenticated/);
    const fresh = await call(t.baseUrl, 'POST', '/api/v1/display/pairing', who);
    expect(fresh.status).toBe(201);
  });

  it('a screen granted one team cannot read the centre pulse', async () => {
    const screen = await pairDisplay(t, admin, ['team:t-billing'], 'Billing wall');
    expect((await call(t.baseUrl, 'GET', '/api/v1/pulse', { cookie: screen.cookie })).status).toBe(403);
  });

  it('a team leader can grant only what they see, and a code works once', async () => {
    const tl = await sessionFor(t, people.teamLeader);
    const start = await fetch(`${t.baseUrl}/api/v1/display/pairing`, { method: 'POST' });
    const { code } = (await start.json()) as { code: string };
    expect((await call(t.baseUrl, 'POST', '/api/v1/displays', tl, { code, name: 'x', scopes: ['team:t-tech'] })).status).toBe(403);
    expect((await call(t.baseUrl, 'POST', '/api/v1/displays', tl, { code, name: 'x', scopes: ['team:t-billing'] })).status).toBe(201);
    expect((await call(t.baseUrl, 'POST', '/api/v1/displays', tl, { code, name: 'x', scopes: ['team:t-billing'] })).status).toBe(404);
  });
});

describe('erasure and pseudonymisation keep the figures right', () => {
  const at = (hh: string) => `${DAY}T${hh}:00Z`;
  const events: FrontlineEvent[] = [
    { id: 'x1', type: 'contact.offered', occurredAt: at('09:00'), contactId: 'k1', channel: 'voice', queueId: 'voice-billing', customerId: 'cust-42' },
    { id: 'x2', type: 'contact.answered', occurredAt: at('09:01'), contactId: 'k1', agentId: 'a-bob' },
    { id: 'x3', type: 'contact.ended', occurredAt: at('09:05'), contactId: 'k1', agentId: 'a-bob', talkSeconds: 200, holdSeconds: 0, wrapSeconds: 20, resolved: false },
    { id: 'x4', type: 'survey.responded', occurredAt: at('09:30'), contactId: 'k1', csat: 2, comment: 'Call me on 07700 900123, Jane Doe' },
    { id: 'x5', type: 'complaint.logged', occurredAt: at('09:40'), contactId: 'k1', customerId: 'cust-42', agentId: 'a-bob', category: 'billing', summary: 'Jane says she was overcharged' },
    { id: 'x6', type: 'contact.offered', occurredAt: at('10:00'), contactId: 'k2', channel: 'voice', queueId: 'voice-billing', customerId: 'cust-42' },
    { id: 'x7', type: 'contact.transferred', occurredAt: at('10:02'), contactId: 'k2', fromAgentId: 'a-ann', toAgentId: 'a-bob' },
    { id: 'x8', type: 'contact.offered', occurredAt: at('10:10'), contactId: 'k3', channel: 'voice', queueId: 'voice-billing', customerId: 'cust-7' },
    { id: 'x9', type: 'survey.responded', occurredAt: at('10:30'), contactId: 'k3', csat: 5, comment: 'Great help' },
  ];

  it('erasing a customer removes their texts and id, keeps every count, and a re-send stays a duplicate', async () => {
    const key = (await t.server.apiKeys.create('erase-test', ['ingest'])).key;
    const first = await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, events);
    const firstReply = (await first.json()) as { accepted: number; results: unknown[] };
    expect(firstReply.accepted, JSON.stringify(firstReply.results)).toBe(events.length);
    await t.server.pulse.reload();
    const before = t.server.pulse.current()?.totals;

    const res = await call(t.baseUrl, 'POST', '/api/v1/privacy/erase-customer', admin, { customerId: 'cust-42', reason: 'erasure request 2026-114' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ eventsChanged: 4, contacts: 2 });

    const rows = await t.store.db.selectFrom('events').select(['id', 'payload', 'customer_id']).execute();
    const all = rows.map((r) => r.payload).join('\n');
    expect(all).not.toMatch(/cust-42|07700|Jane/);
    expect(all).toContain('Great help'); // someone else's comment stays
    const pseudonyms = new Set(rows.filter((r) => ['x1', 'x5', 'x6'].includes(r.id)).map((r) => r.customer_id));
    expect(pseudonyms.size).toBe(1); // one pseudonym across their events: repeat contacts still count
    expect([...pseudonyms][0]).toMatch(/^erased-[0-9a-f]{16}$/);
    expect(t.server.pulse.current()?.totals).toEqual(before);

    const resend = await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, events);
    expect(((await resend.json()) as { duplicate: number }).duplicate).toBe(events.length);
    expect((await t.store.db.selectFrom('events').select('payload').where('id', '=', 'x4').executeTakeFirstOrThrow()).payload).not.toContain('07700');

    const audit = await t.server.audit.list({ limit: 5, action: 'privacy.erase_customer' });
    expect(audit[0]?.target).toMatch(/^customer-sha256:/);
    expect(JSON.stringify(audit)).not.toContain('cust-42');
  });

  it('pseudonymising a departed agent replaces the id everywhere and keeps the totals', async () => {
    // Customers name the agent in what they write about contacts Bob handled; a comment on someone else's contact stays.
    const key = (await t.server.apiKeys.create('pseudo-test', ['ingest'])).key;
    const named: FrontlineEvent[] = [
      { id: 'y1', type: 'contact.offered', occurredAt: at('11:00'), contactId: 'k4', channel: 'voice', queueId: 'voice-billing' },
      { id: 'y2', type: 'contact.answered', occurredAt: at('11:01'), contactId: 'k4', agentId: 'a-bob' },
      { id: 'y3', type: 'survey.responded', occurredAt: at('11:30'), contactId: 'k4', csat: 5, comment: 'Bob sorted it, thanks BOB!' },
      { id: 'y4', type: 'complaint.logged', occurredAt: at('11:40'), agentId: 'a-bob', category: 'conduct', summary: 'Says Bob hung up' },
      { id: 'y5', type: 'survey.responded', occurredAt: at('11:50'), contactId: 'k3', csat: 4, comment: 'Bob from the shop sent me here' },
    ];
    expect(((await (await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, named)).json()) as { accepted: number }).accepted).toBe(named.length);
    await t.server.pulse.reload();
    const before = t.server.pulse.current()?.totals;
    // A case about the agent, naming them by token and, as cases filed before tokens did, by bare id; a longer id
    // that merely starts with theirs is someone else.
    await t.server.cases.insertFlagged(
      {
        kind: 'individual',
        scope: 'agent:a-bob',
        agentId: 'a-bob',
        teamId: null,
        kpi: 'csat',
        rule: 'one-sided Bernoulli CUSUM',
        figures: { explanation: 'CSAT for {agent:a-bob}: more dissatisfied surveys than peers (old text: for a-bob, not a-bobby).' },
        evidenceContactIds: [],
        assignedCoachId: null,
        openedMs: t.clock.now(),
      },
      'privacy-test|a-bob',
    );
    // What the coach and the agent wrote name them, in the case, its action and its trail.
    const filed = await t.store.db.selectFrom('coaching_cases').select('id').where('flag_key', '=', 'privacy-test|a-bob').executeTakeFirstOrThrow();
    await t.store.db.updateTable('coaching_cases').set({ notes: "Bob rushed wrap-up; we will sample Bob's calls. BOB agreed.", reflection: 'I (Bob) was rushing.' }).where('id', '=', filed.id).execute();
    await t.store.db.insertInto('case_actions').values({ id: 'act-bob', case_id: filed.id, text: 'Bob shadows Ann', measure: 'Bobby checks 5 calls', owner: 'agent', due_ms: t.clock.now(), status: 'open', created_ms: t.clock.now(), created_by: 'test', done_ms: null }).execute();
    await t.store.db.insertInto('case_events').values({ case_id: filed.id, at_ms: t.clock.now(), actor: 'test', action: 'session.held', details: JSON.stringify({ notes: 'Talked with Bob' }) }).execute();
    const target = await call(t.baseUrl, 'POST', '/api/v1/targets', admin, { kpi: 'csat', scope: 'agent:a-bob', threshold: 0.8, direction: 'up', tolerance: 0.05, effectiveFrom: '2026-01-01', effectiveTo: null, reviewDate: '2027-01-01', owner: 'Tom', objective: 'Happy customers' });
    expect(target.status).toBe(201);
    await t.server.kpis.flush();
    const res = await call(t.baseUrl, 'POST', '/api/v1/privacy/pseudonymise-agent', admin, { agentId: 'a-bob', reason: 'left the company' });
    expect(res.status).toBe(200);
    const { pseudonym } = (await res.json()) as { pseudonym: string };
    // No table keyed by agent keeps the old id: comment facts, targets, rollups.
    const oldId = /a-bob(?![a-z])/;
    expect(JSON.stringify(await t.store.db.selectFrom('comment_facts').selectAll().execute())).not.toMatch(oldId);
    expect(JSON.stringify(await t.store.db.selectFrom('targets').select('scope').execute())).not.toMatch(oldId);
    expect(JSON.stringify(await t.store.db.selectFrom('kpi_rollups').select('scope').distinct().execute())).not.toMatch(oldId);
    expect((await t.store.db.selectFrom('targets').select('scope').where('scope', '=', `agent:${pseudonym}`).execute()).length).toBe(1);
    const texts = await t.store.db.selectFrom('coaching_cases').select(['notes', 'reflection']).where('id', '=', filed.id).executeTakeFirstOrThrow();
    // Whole-word forms of the name as names are written go (capitalised or in capitals); "Bobby" stays.
    expect(texts).toEqual({ notes: "the agent rushed wrap-up; we will sample the agent's calls. the agent agreed.", reflection: 'I (the agent) was rushing.' });
    expect(await t.store.db.selectFrom('case_actions').select(['text', 'measure']).where('id', '=', 'act-bob').executeTakeFirstOrThrow()).toEqual({ text: 'the agent shadows Ann', measure: 'Bobby checks 5 calls' });
    const trail = await t.store.db.selectFrom('case_events').select('details').where('case_id', '=', filed.id).where('actor', '=', 'test').executeTakeFirstOrThrow();
    expect(JSON.parse(trail.details)).toEqual({ notes: 'Talked with the agent' });
    const rows = await t.store.db.selectFrom('events').select(['payload', 'agent_id']).execute();
    expect(rows.map((r) => r.payload).join('\n')).not.toContain('a-bob');
    expect(rows.filter((r) => r.agent_id === pseudonym).length).toBe(5);
    const text = async (id: string) => JSON.parse((await t.store.db.selectFrom('events').select('payload').where('id', '=', id).executeTakeFirstOrThrow()).payload) as Record<string, unknown>;
    expect((await text('y3')).comment).toBe('the agent sorted it, thanks the agent!');
    expect((await text('y4')).summary).toBe('Says the agent hung up');
    expect((await text('y5')).comment).toBe('Bob from the shop sent me here');
    // A mistyped id is refused, not answered with a pseudonym for nobody; a pseudonym cannot be pseudonymised again.
    const typo = await call(t.baseUrl, 'POST', '/api/v1/privacy/pseudonymise-agent', admin, { agentId: 'a-bbo', reason: 'left the company' });
    expect(typo.status).toBe(404);
    expect(((await typo.json()) as { error: { message: string } }).error.message).toMatch(/no agent 'a-bbo'/);
    expect((await call(t.baseUrl, 'POST', '/api/v1/privacy/pseudonymise-agent', admin, { agentId: pseudonym, reason: 'again' })).status).toBe(400);
    const dir = await t.server.directory.get();
    expect(dir.agents.find((a) => a.id === 'a-bob')).toBeUndefined();
    expect(dir.agents.find((a) => a.id === pseudonym)?.name).toMatch(/^Former agent/);
    expect(t.server.pulse.current()?.totals).toEqual(before);
    const cases = await t.store.db.selectFrom('coaching_cases').select(['agent_id', 'scope', 'figures']).where('flag_key', '=', 'privacy-test|a-bob').execute();
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ agent_id: pseudonym, scope: `agent:${pseudonym}` });
    expect(JSON.parse(cases[0]!.figures)).toEqual({ explanation: `CSAT for {agent:${pseudonym}}: more dissatisfied surveys than peers (old text: for ${pseudonym}, not a-bobby).` });
  });

  it('retention removes free text older than the limit and keeps the numbers', async () => {
    const old = new Date(t.clock.now() - 400 * 86_400_000).toISOString();
    const key = (await t.server.apiKeys.create('old', ['ingest'])).key;
    await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, [{ id: 'old-1', type: 'survey.responded', occurredAt: old, contactId: 'k-old', csat: 1, comment: 'From long ago' }]);
    const out = await call(t.baseUrl, 'POST', '/api/v1/privacy/retention/run', admin);
    expect(((await out.json()) as { textRedacted: number }).textRedacted).toBe(1);
    const row = await t.store.db.selectFrom('events').select('payload').where('id', '=', 'old-1').executeTakeFirstOrThrow();
    expect(JSON.parse(row.payload)).toMatchObject({ csat: 1 });
    expect(row.payload).not.toContain('long ago');
  });
});

describe('coaching cases by id', () => {
  it('an agent sees their own case and never a colleague’s; tries are audited; coaches see only assigned cases and those agents', async () => {
    const base = { kind: 'individual' as const, teamId: 't-billing', kpi: 'csat', rule: 'CUSUM crossed h = 4.2', figures: { n: 48 }, evidenceContactIds: ['k1'], openedMs: Date.now() };
    const other = await t.server.accounts.create({ username: 'other.coach', displayName: 'Other', role: 'coach', password: 'tall trees whisper in autumn' }, { actor: 'test', ip: null });
    const annCase = await t.server.cases.insert({ ...base, scope: 'agent:a-ann', agentId: 'a-ann', assignedCoachId: people.coach.id });
    const bobCase = await t.server.cases.insert({ ...base, scope: 'agent:a-bob', agentId: 'a-bob', assignedCoachId: other.id });
    const ann = await sessionFor(t, people.agent);
    expect((await call(t.baseUrl, 'GET', `/api/v1/cases/${annCase.id}`, ann)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', `/api/v1/cases/${bobCase.id}`, ann)).status).toBe(403);
    const listed = (await (await call(t.baseUrl, 'GET', '/api/v1/cases', ann)).json()) as { cases: { id: string }[] };
    expect(listed.cases.map((c) => c.id)).toEqual([annCase.id]);
    const denied = await t.server.audit.list({ limit: 5, action: 'case.open' });
    expect(denied.some((e) => e.target === `case:${bobCase.id}` && e.outcome === 'denied' && e.actor === `user:${people.agent.id}`)).toBe(true);

    const cora = await sessionFor(t, people.coach);
    expect((await call(t.baseUrl, 'GET', `/api/v1/cases/${annCase.id}`, cora)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', `/api/v1/cases/${bobCase.id}`, cora)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-ann', cora)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/agents/a-bob', cora)).status).toBe(403);
    const opened = await t.server.audit.list({ limit: 10, action: 'case.open' });
    expect(opened.some((e) => e.target === `case:${annCase.id}` && e.outcome === 'success' && e.actor === `user:${people.coach.id}`)).toBe(true);
  });
});
