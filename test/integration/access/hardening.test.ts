/** Regressions for the access review's findings: each of these was reproduced against an earlier build. */
import { afterAll, describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import { scaledClock } from '../../../server/clock.js';
import { call, openSocket, pairDisplay, PASSWORD, seedPeople, sessionFor, signIn } from '../../support/people.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});
async function server(opts: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const t = await startTestServer(opts);
  servers.push(t);
  return t;
}

describe('sign-in limits hold under pressure', () => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    it(`40 parallel guesses from one address: at most 5 passwords are checked, and the right one among them fails (${dialect})`, async () => {
      const t = await server({ dialect });
      await seedPeople(t);
      const statuses = await Promise.all(
        Array.from({ length: 40 }, (_, i) => call(t.baseUrl, 'POST', '/api/v1/auth/login', null, { username: 'cora.coach', password: i === 39 ? PASSWORD : `wrong guess number ${i}` }).then((r) => r.status)),
      );
      const checked = statuses.filter((s) => s !== 429).length;
      expect(checked).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    });
  }

  it('rotating X-Forwarded-For behind TRUST_PROXY does not give unlimited guesses: the username locks after 20 failures', async () => {
    const t = await server({ env: { TRUST_PROXY: '1' } });
    await seedPeople(t);
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      const r = await call(t.baseUrl, 'POST', '/api/v1/auth/login', null, { username: 'cora.coach', password: i === 23 ? PASSWORD : `wrong guess ${i}` }, { 'x-forwarded-for': `10.9.${i}.1` });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429]);
  });

  it('TRUST_PROXY refuses "trust every hop" settings it cannot bound', async () => {
    await expect(server({ env: { TRUST_PROXY: 'everyone' } })).rejects.toThrow(/TRUST_PROXY/);
  });

  it('guessing your own current password is limited too', async () => {
    const t = await server();
    const people = await seedPeople(t);
    const me = await sessionFor(t, people.agent);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await call(t.baseUrl, 'POST', '/api/v1/auth/password', me, { currentPassword: `guess ${i} of many`, newPassword: 'violet rivers under old bridges' })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429]);
  });

  it('an admin password reset clears only that person’s lock, even when names differ by a LIKE wildcard', async () => {
    const t = await server();
    const people = await seedPeople(t);
    const lookalike = await t.server.accounts.create({ username: 'cora_coach', displayName: 'Cora 2', role: 'coach', password: PASSWORD }, { actor: 'test', ip: null });
    for (let i = 0; i < 6; i++) await call(t.baseUrl, 'POST', '/api/v1/auth/login', null, { username: 'cora.coach', password: `nope nope ${i}` });
    await t.server.accounts.setPassword(lookalike.id, 'another fine long passphrase', { actor: 'test', ip: null });
    expect((await signIn(t.baseUrl, 'cora.coach')).status).toBe(429);
    await t.server.accounts.setPassword(people.coach.id, PASSWORD, { actor: 'test', ip: null });
    expect((await signIn(t.baseUrl, 'cora.coach')).status).toBe(200);
  });

  it('wrong pairing codes are rate limited per approver', async () => {
    const t = await server();
    const people = await seedPeople(t);
    const admin = await sessionFor(t, people.admin);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(t.baseUrl, 'POST', '/api/v1/displays', admin, { code: `ZZZZ-ZZZ${i + 2}`, name: 'x', scopes: ['centre'] })).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
  });
});

describe('credentials on live sockets', () => {
  it('revoking a read key closes its live socket', async () => {
    const t = await server({ socketSweepMs: 500 });
    const people = await seedPeople(t);
    const { key, info } = await t.server.apiKeys.create('feed', ['read']);
    const s = await openSocket(t.baseUrl, { bearer: key });
    expect(((await s.emitWithAck('pulse:subscribe')) as { ok: boolean }).ok).toBe(true);
    const gone = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
    expect((await call(t.baseUrl, 'POST', `/api/v1/apikeys/${info.id}/revoke`, await sessionFor(t, people.admin))).status).toBe(200);
    await gone;
  });

  it('a key revoked from the CLI (another process) is caught by the sweep', async () => {
    const t = await server({ socketSweepMs: 300 });
    await seedPeople(t);
    const { key, info } = await t.server.apiKeys.create('feed', ['read']);
    const s = await openSocket(t.baseUrl, { bearer: key });
    const gone = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
    await t.store.db.updateTable('api_keys').set({ revoked_ms: Date.now() }).where('id', '=', info.id).execute();
    await gone;
  });

  it('over TLS only the __Host- cookie counts, so a cookie planted by a sibling subdomain is ignored', async () => {
    const t = await server({ env: { SECURE_COOKIES: 'always' } });
    const people = await seedPeople(t);
    const s = await t.server.sessions.create(people.admin.id, null, null);
    expect(((await (await call(t.baseUrl, 'GET', '/api/v1/session', { cookie: `fl_session=${s.token}` })).json()) as { principal: unknown }).principal).toBeNull();
    expect(((await (await call(t.baseUrl, 'GET', '/api/v1/session', { cookie: `__Host-fl_session=${s.token}` })).json()) as { principal: { kind: string } }).principal.kind).toBe('user');
    await expect(openSocket(t.baseUrl, { cookie: `fl_session=${s.token}` })).rejects.toThrow(/unauthenticated/);
  });
});

describe('personal data stays gone', () => {
  const DAY = '2026-11-18';
  const at = (hh: string) => `${DAY}T${hh}:00Z`;

  it('events arriving after an erasure lose the customer’s id and free text on the way in; a re-erasure keeps one pseudonym', async () => {
    const t = await server({ clock: scaledClock(1, Date.parse(`${DAY}T15:00:00Z`)) });
    const people = await seedPeople(t);
    const admin = await sessionFor(t, people.admin);
    const key = (await t.server.apiKeys.create('in', ['ingest'])).key;
    const before: FrontlineEvent[] = [{ id: 'p1', type: 'contact.offered', occurredAt: at('09:00'), contactId: 'k9', channel: 'voice', queueId: 'voice-billing', customerId: 'cust-9' }];
    await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, before);
    expect((await call(t.baseUrl, 'POST', '/api/v1/privacy/erase-customer', admin, { customerId: 'cust-9', reason: 'request' })).status).toBe(200);
    const late: FrontlineEvent[] = [
      { id: 'p2', type: 'survey.responded', occurredAt: at('09:30'), contactId: 'k9', csat: 1, comment: 'Ring me on 07700 900999 - Jane' },
      { id: 'p3', type: 'contact.offered', occurredAt: at('11:00'), contactId: 'k10', channel: 'chat', queueId: 'voice-billing', customerId: 'cust-9' },
      { id: 'p4', type: 'survey.responded', occurredAt: at('11:30'), contactId: 'k10', csat: 2, comment: 'Jane again, 07700 900999' },
      { id: 'p5', type: 'survey.responded', occurredAt: at('11:31'), contactId: 'k-other', csat: 5, comment: 'Lovely' },
    ];
    const reply = (await (await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, late)).json()) as { accepted: number };
    expect(reply.accepted).toBe(4);
    const rows = await t.store.db.selectFrom('events').select(['id', 'payload', 'customer_id']).execute();
    const text = rows.map((r) => r.payload).join('\n');
    expect(text, text).not.toMatch(/cust-9|07700|Jane/);
    expect(text).toContain('Lovely');
    const p1 = rows.find((r) => r.id === 'p1')?.customer_id;
    expect(rows.find((r) => r.id === 'p3')?.customer_id).toBe(p1);
    // A re-send of a late event is still a duplicate (its hash is of what was sent).
    const again = (await (await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, late)).json()) as { duplicate: number };
    expect(again.duplicate).toBe(4);
  });

  it('a departed agent’s QA notes go with their name, and retention still reaches their other old texts', async () => {
    const t = await server({ clock: scaledClock(1, Date.parse(`${DAY}T15:00:00Z`)) });
    const people = await seedPeople(t);
    const admin = await sessionFor(t, people.admin);
    const key = (await t.server.apiKeys.create('in', ['ingest'])).key;
    const old = new Date(Date.parse(`${DAY}T15:00:00Z`) - 400 * 86_400_000).toISOString();
    await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, [
      { id: 'q1', type: 'qa.evaluated', occurredAt: old, contactId: 'kq', agentId: 'a-bob', evaluatorId: 'e1', score: 40, criticalFail: false, notes: 'Bob shouted at Mrs Smith' },
      { id: 'q2', type: 'complaint.logged', occurredAt: old, contactId: 'kq', agentId: 'a-bob', category: 'conduct', summary: 'Mrs Smith says Bob was rude' },
    ]);
    await call(t.baseUrl, 'POST', '/api/v1/privacy/pseudonymise-agent', admin, { agentId: 'a-bob', reason: 'left' });
    const afterPseudo = await t.store.db.selectFrom('events').select(['id', 'payload']).execute();
    expect(afterPseudo.find((r) => r.id === 'q1')?.payload).not.toContain('Mrs Smith');
    await call(t.baseUrl, 'POST', '/api/v1/privacy/retention/run', admin);
    const afterRetention = await t.store.db.selectFrom('events').select(['id', 'payload']).execute();
    expect(afterRetention.map((r) => r.payload).join('\n')).not.toMatch(/Mrs Smith|Bob/);
  });

  it('QA evaluations written in Frontline follow the agent’s pseudonym and the customer’s erasure', async () => {
    const t = await server({ clock: scaledClock(1, Date.parse(`${DAY}T15:00:00Z`)) });
    const people = await seedPeople(t);
    const admin = await sessionFor(t, people.admin);
    const key = (await t.server.apiKeys.create('in', ['ingest'])).key;
    await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, [
      { id: 'r1', type: 'contact.offered', occurredAt: at('09:00'), contactId: 'kr', channel: 'voice', queueId: 'voice-billing', customerId: 'cust-r' },
      { id: 'r2', type: 'contact.offered', occurredAt: at('10:00'), contactId: 'ks', channel: 'voice', queueId: 'voice-billing', customerId: 'cust-s' },
    ]);
    const ms = Date.parse(at('12:00'));
    const answers = (note: string) => JSON.stringify([{ key: 'hear', value: 'met', example: 'positive', note }]);
    const evaluation = (id: string, contactId: string, note: string) => ({
      id, contact_id: contactId, agent_id: 'a-bob', scorecard_id: 'card', scorecard_version: 1, evaluator_id: people.teamLeader.id, method: 'recorded_call', status: 'submitted',
      answers: answers(note), summary: `${note} (summary)`, score: 80, critical_fail: 0, sample_id: null, created_ms: ms, updated_ms: ms, submitted_ms: ms,
      agent_response: 'disputed', agent_comment: 'Bob here: I did listen', responded_ms: ms, case_id: null,
    });
    await t.store.db.insertInto('qa_evaluations').values([evaluation('ev-r', 'kr', 'Bob let Mr Jones finish'), evaluation('ev-s', 'ks', 'Bob calmed Ms Patel, 07700 900123')]).execute();
    await t.store.db.insertInto('qa_evaluation_events').values({ evaluation_id: 'ev-r', at_ms: ms, actor: 'user:x', action: 'disputed', details: JSON.stringify({ comment: 'Bob disagrees' }) }).execute();
    await t.store.db.insertInto('qa_samples').values({ id: 'smp', period: '2026-W47', agent_id: 'a-bob', contact_id: 'kr', sample_key: 'k', drawn_ms: ms, drawn_by: 'user:x', evaluation_id: 'ev-r' }).execute();
    await t.store.db
      .insertInto('qa_calibrations')
      .values({ id: 'cal', contact_id: 'ks', agent_id: 'a-bob', scorecard_id: 'card', scorecard_version: 1, title: 'Week 47', evaluator_ids: '[]', created_by: 'x', created_ms: ms, due_ms: null, status: 'closed', closed_ms: ms })
      .execute();
    await t.store.db.insertInto('qa_calibration_scores').values({ calibration_id: 'cal', evaluator_id: 'e1', answers: answers('Ms Patel was upset'), score: 80, critical_fail: 0, submitted_ms: ms }).execute();

    // A saved review and an initiative froze quotes of the customers' comments on ks and kr.
    const quote = (contactId: string, text: string) => ({ contactId, at: at('10:30'), kind: 'survey', text, sentiment: -0.5, csat: 2, agentId: 'a-bob', queueId: 'voice-billing', themes: ['waiting'] });
    const snapshot = { scope: 'centre', themes: { comments: 2, top: [{ id: 'waiting', label: 'Waiting time', count: 2, examples: [quote('ks', 'Ms Patel here, waited an hour'), quote('kr', 'Mr Jones: quick and kind')] }] } };
    await t.store.db.insertInto('service_reviews').values({ id: 'rev', title: 'November', scope: 'centre', from_day: '2026-11-01', to_day: '2026-11-18', created_ms: ms, created_by: 'x', snapshot: JSON.stringify(snapshot) }).execute();
    const evidence = { comments: 2, themes: [{ id: 'waiting', label: 'Waiting time', count: 2, share: 1, negativeShare: 1, example: 'Ms Patel here, waited an hour', exampleContactId: 'ks' }] };
    await t.store.db
      .insertInto('initiatives')
      .values({ id: 'ini', title: 'Cut waits', scope: 'centre', status: 'draft', outcome: null, outcome_reason: null, version: 1, origin: '{}', problem: 'Waits', root_cause: '', evidence: JSON.stringify(evidence), actions: '[]', criteria: '[]', stakeholders: '[]', signoffs: '[]', window_days: 28, change_day: null, change_text: null, created_ms: ms, created_by: 'x', updated_ms: ms, closed_ms: null })
      .execute();

    // The customer of contact ks is erased: what evaluators wrote about that contact goes; scores stay.
    expect((await call(t.baseUrl, 'POST', '/api/v1/privacy/erase-customer', admin, { customerId: 'cust-s', reason: 'request' })).status).toBe(200);
    const s = await t.store.db.selectFrom('qa_evaluations').selectAll().where('id', '=', 'ev-s').executeTakeFirstOrThrow();
    expect(`${s.answers} ${s.summary}`).not.toMatch(/Patel|07700/);
    expect(s.score).toBe(80);
    expect((await t.store.db.selectFrom('qa_calibration_scores').select('answers').executeTakeFirstOrThrow()).answers).not.toContain('Patel');
    expect((await t.store.db.selectFrom('qa_evaluations').select('answers').where('id', '=', 'ev-r').executeTakeFirstOrThrow()).answers).toContain('Mr Jones');
    // Their quotes leave the saved review and the initiative's evidence; other customers' quotes and the counts stay.
    const review = (await t.store.db.selectFrom('service_reviews').select('snapshot').executeTakeFirstOrThrow()).snapshot;
    expect(review).not.toContain('Patel');
    expect(review).toContain('Mr Jones: quick and kind');
    const initiative = JSON.parse((await t.store.db.selectFrom('initiatives').select('evidence').executeTakeFirstOrThrow()).evidence) as typeof evidence;
    expect(initiative.themes[0]).toMatchObject({ count: 2, example: null, exampleContactId: null });

    // Bob leaves: every QA record moves to the pseudonym, and his name goes from what was written about him.
    const reply = (await (await call(t.baseUrl, 'POST', '/api/v1/privacy/pseudonymise-agent', admin, { agentId: 'a-bob', reason: 'left' })).json()) as { pseudonym: string };
    const qa = await t.store.db.selectFrom('qa_evaluations').selectAll().orderBy('id').execute();
    expect(qa.map((r) => r.agent_id)).toEqual([reply.pseudonym, reply.pseudonym]);
    const written = JSON.stringify([qa, await t.store.db.selectFrom('qa_evaluation_events').selectAll().execute()]);
    expect(written).not.toMatch(/Bob|a-bob/);
    expect(written).toContain('Mr Jones');
    expect((await t.store.db.selectFrom('qa_samples').select('agent_id').executeTakeFirstOrThrow()).agent_id).toBe(reply.pseudonym);
    expect((await t.store.db.selectFrom('qa_calibrations').select('agent_id').executeTakeFirstOrThrow()).agent_id).toBe(reply.pseudonym);
  });

  it('a display pairing cookie planted without TLS prefix is ignored over TLS too', async () => {
    const t = await server({ env: { SECURE_COOKIES: 'always' } });
    const people = await seedPeople(t);
    const screen = await pairDisplay(t, await sessionFor(t, people.admin));
    expect(screen.cookie.startsWith('__Host-fl_display=')).toBe(true);
    expect((await call(t.baseUrl, 'GET', '/api/v1/pulse', { cookie: screen.cookie.replace('__Host-', '') })).status).toBe(401);
  });
});
