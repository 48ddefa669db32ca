/**
 * The coaching workflow over HTTP and the socket, on SQLite and PostgreSQL: a flagged case goes from the coaches' new
 * inbox to one coach, a session is planned and held with SMART actions, the agent acknowledges it and marks their own
 * action done, the follow-up review compares equal windows before and after the session (an agent whose CSAT was
 * dragged down before coaching and recovered after: "better", the team unchanged), and the case closes with an
 * outcome, freezing the review. Every step is in the case's trail; wrong steps are refused with a plain reason;
 * stale writes are refused; the people concerned hear each change over the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../shared/access.js';
import type { CaseChangedNotice, CaseDetail, CaseEventRecord, CaseReview } from '../../shared/coaching.js';
import { ManualClock } from '../../server/clock.js';
import type { Dialect } from '../../server/store/db.js';
import { CentreSimulator, defaultCentreDirectory, type ScenarioSpec } from '../../server/simulator/index.js';
import { logit } from '../../server/simulator/random.js';
import { call, openSocket, sessionFor, type ClientSocket, type Credentials, type Person } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 8, 7); // a Monday
const directory = defaultCentreDirectory();
const agent = directory.agents[20]!;
const SESSION_DAY = 12;
const NOW = START + 24 * DAY + 9 * 3600_000;
const at = (day: number, hour = 10) => new Date(START + day * DAY + hour * 3600_000).toISOString();

// Before the session the agent's CSAT and FCR are pulled down; after it they are back to normal.
const slump: ScenarioSpec = {
  id: 'slump',
  kind: 'agent-step-drop',
  targetId: agent.id,
  startMs: START + 1 * DAY,
  endMs: START + SESSION_DAY * DAY,
  rampMs: 0,
  magnitudes: { csatLogit: logit(0.4) - logit(0.85), fcrLogit: logit(0.45) - logit(0.75), ahtFactor: 1.3, qaPoints: -8, arrivalFactor: 1 },
  nominal: { csatFrom: 0.85, csatTo: 0.4, fcrFrom: 0.75, fcrTo: 0.45 },
};

describe.each<Dialect>(['sqlite', 'postgres'])('the coaching workflow on %s', (dialect) => {
  let t: TestServer;
  const who: Record<string, Credentials> = {};
  const people: Record<string, Person> = {};
  let caseId = '';
  let agentSocket: ClientSocket;
  const heard: CaseChangedNotice[] = [];

  const get = async <T,>(path: string, as: string): Promise<T> => {
    const res = await call(t.baseUrl, 'GET', path, who[as]!);
    expect(res.status, `${as} GET ${path}`).toBe(200);
    return (await res.json()) as T;
  };
  const send = async (as: string, method: string, path: string, body: unknown) => {
    const res = await call(t.baseUrl, method, path, who[as]!, body);
    return { status: res.status, body: (await res.json()) as { case?: CaseSummary; error?: { code: string; message: string } } };
  };
  const version = async () => (await get<{ case: CaseDetail }>(`/api/v1/cases/${caseId}`, 'coach')).case.version;

  beforeAll(async () => {
    t = await startTestServer({ dialect, clock: new ManualClock(NOW) });
    await t.server.directory.replace(directory);
    await t.server.kpis.rebuild();
    const sim = new CentreSimulator({ seed: 11, startMs: START, directory, scenarios: [slump] });
    const events = sim.advanceTo(START + 24 * DAY).filter((e) => e.type !== 'agent.state');
    for (let i = 0; i < events.length; i += 5000) await t.server.ingest.ingest(events.slice(i, i + 5000));
    await t.server.kpis.settle();
    const meta = { actor: 'test', ip: null };
    const make = async (key: string, role: Person['role'], extra: { agentId?: string; teamIds?: string[] } = {}) => {
      const u = await t.server.accounts.create({ username: key, displayName: key.replace('.', ' '), role, password: 'copper kettles sing at dusk', ...extra }, meta);
      people[key] = { id: u.id, username: key, role, agentId: u.agentId };
      who[key] = await sessionFor(t, people[key]);
    };
    await make('coach', 'coach');
    await make('coach2', 'coach');
    await make('lead', 'team_leader', { teamIds: [agent.teamId] });
    await make('otherlead', 'team_leader', { teamIds: ['billing'] });
    await make('manager', 'manager');
    await make('agent', 'agent', { agentId: agent.id });
    await t.server.cases.insertFlagged(
      {
        kind: 'individual',
        scope: `agent:${agent.id}`,
        agentId: agent.id,
        teamId: agent.teamId,
        kpi: 'csat',
        rule: 'Bernoulli CUSUM against peers crossed h',
        figures: { explanation: 'More dissatisfied surveys than peers on the same queues.' },
        evidenceContactIds: [],
        assignedCoachId: null,
        openedMs: START + 10 * DAY,
      },
      `test|${dialect}`,
    );
    caseId = (await t.server.cases.list({ limit: 5 }))[0]!.id;
    agentSocket = await openSocket(t.baseUrl, who.agent!);
    agentSocket.on('case:changed', (n) => heard.push(n));
  }, 180_000);

  afterAll(async () => {
    agentSocket?.close();
    await t?.close();
  });

  it('a new case sits in every coach’s new inbox; a coach takes it, and a second claim on the old version is refused', async () => {
    for (const c of ['coach', 'coach2']) {
      const inbox = await get<{ cases: CaseSummary[] }>('/api/v1/cases?view=new', c);
      expect(inbox.cases.map((x) => x.id)).toContain(caseId);
    }
    // Not assigned yet: the coach may read the case, but not the agent's figures.
    expect((await call(t.baseUrl, 'GET', `/api/v1/kpis?scope=agent:${agent.id}&window=today`, who.coach!)).status).toBe(403);
    const took = await send('coach', 'POST', `/api/v1/cases/${caseId}/assign`, { version: 1, assigneeId: people.coach!.id });
    expect(took.status).toBe(200);
    expect(took.body.case).toMatchObject({ stage: 'assigned', assignedCoachId: people.coach!.id, version: 2 });
    const late = await send('lead', 'POST', `/api/v1/cases/${caseId}/assign`, { version: 1, assigneeId: people.coach2!.id });
    expect(late.status).toBe(409);
    expect(late.body.error?.message).toMatch(/changed this case since you opened it/);
    // The other coach no longer sees it; the taker's "mine" inbox has it, and now the agent's figures.
    expect((await call(t.baseUrl, 'GET', `/api/v1/cases/${caseId}`, who.coach2!)).status).toBe(403);
    expect((await get<{ cases: CaseSummary[] }>('/api/v1/cases?view=mine', 'coach')).cases.map((x) => x.id)).toEqual([caseId]);
    expect((await call(t.baseUrl, 'GET', `/api/v1/kpis?scope=agent:${agent.id}&window=today`, who.coach!)).status).toBe(200);
    // Cases go to people who could see them: not to a team leader of another team.
    const wrong = await send('lead', 'POST', `/api/v1/cases/${caseId}/assign`, { version: 2, assigneeId: people.otherlead!.id });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.message).toMatch(/cannot take this case/);
  });

  it('the agent hears about it over the socket', async () => {
    await expect.poll(() => heard.find((n) => n.caseId === caseId && n.action === 'assigned'), { timeout: 5000 }).toMatchObject({ by: 'coach', forYou: true, kpi: 'csat' });
  });

  it('plans the session, then records it with SMART actions; bad input is refused with the reason', async () => {
    const plan = await send('coach', 'PUT', `/api/v1/cases/${caseId}/plan`, { version: 2, plan: 'Listen to three calls together; agree two habits.', sessionAt: at(SESSION_DAY) });
    expect(plan.status).toBe(200);
    expect(plan.body.case).toMatchObject({ stage: 'planned', version: 3 });
    const none = await send('coach', 'POST', `/api/v1/cases/${caseId}/session`, { version: 3, heldAt: at(SESSION_DAY), notes: 'Talked it through.', followUpAt: at(SESSION_DAY + 11), actions: [] });
    expect(none.status).toBe(400);
    expect(none.body.error?.message).toMatch(/agree at least one action/);
    const future = await send('coach', 'POST', `/api/v1/cases/${caseId}/session`, {
      version: 3,
      heldAt: new Date(NOW + 2 * DAY).toISOString(),
      notes: 'Talked it through.',
      followUpAt: new Date(NOW + 20 * DAY).toISOString(),
      actions: [{ text: 'Summarise the fix before closing every call', measure: 'Seen in 5 sampled calls', owner: 'agent', dueAt: new Date(NOW + 5 * DAY).toISOString() }],
    });
    expect(future.status).toBe(400);
    expect(future.body.error?.message).toMatch(/once it has happened/);
    const vague = await send('coach', 'POST', `/api/v1/cases/${caseId}/session`, { version: 3, heldAt: at(SESSION_DAY), notes: 'x', followUpAt: at(SESSION_DAY + 11), actions: [{ text: 'be better', measure: 'ok', owner: 'agent', dueAt: at(SESSION_DAY + 5) }] });
    expect(vague.status).toBe(400);
    expect(vague.body.error?.message).toMatch(/at least 10 characters/);
    const held = await send('coach', 'POST', `/api/v1/cases/${caseId}/session`, {
      version: 3,
      heldAt: at(SESSION_DAY),
      notes: 'Agent agreed the last weeks were rushed; walked through three calls.',
      followUpAt: at(SESSION_DAY + 11),
      reviewDays: 10,
      actions: [
        { text: 'Summarise the fix before closing every call', measure: 'Seen in 5 sampled calls', owner: 'agent', dueAt: at(SESSION_DAY + 5) },
        { text: 'Pair with a buddy for two shifts on billing queries', measure: 'Two buddy shifts logged', owner: people.lead!.id, dueAt: at(SESSION_DAY + 7) },
      ],
    });
    expect(held.status).toBe(200);
    expect(held.body.case).toMatchObject({ stage: 'held', version: 4, followUpAt: at(SESSION_DAY + 11) });
  });

  it('the agent reads it, acknowledges with a reflection, and marks their own action done; they cannot close it', async () => {
    const mine = await get<{ case: CaseDetail }>(`/api/v1/cases/${caseId}`, 'agent');
    expect(mine.case.notes).toMatch(/rushed/);
    expect(mine.case.actions).toHaveLength(2);
    const bare = await send('agent', 'POST', `/api/v1/cases/${caseId}/response`, { version: 4, response: 'disputed', comment: 'no' });
    expect(bare.status).toBe(400);
    expect(bare.body.error?.message).toMatch(/say why you dispute it/);
    const ack = await send('agent', 'POST', `/api/v1/cases/${caseId}/response`, { version: 4, response: 'acknowledged', comment: 'Fair.', reflection: 'I was rushing wrap-up to hit handle time.' });
    expect(ack.status).toBe(200);
    expect(ack.body.case).toMatchObject({ response: 'acknowledged', version: 5 });
    const own = mine.case.actions.find((a) => a.owner === 'agent')!;
    const other = mine.case.actions.find((a) => a.owner !== 'agent')!;
    expect((await send('agent', 'PATCH', `/api/v1/cases/${caseId}/actions/${own.id}`, { version: 5, status: 'done' })).status).toBe(200);
    expect((await send('agent', 'PATCH', `/api/v1/cases/${caseId}/actions/${other.id}`, { version: 6, status: 'done' })).status).toBe(403);
    expect((await send('agent', 'POST', `/api/v1/cases/${caseId}/close`, { version: 6, outcome: 'improved', reason: 'I improved a lot.' })).status).toBe(403);
    // The coach hears the agent's response.
    const coachSees = (await get<{ case: CaseDetail }>(`/api/v1/cases/${caseId}`, 'coach')).case;
    expect(coachSees).toMatchObject({ reflection: 'I was rushing wrap-up to hit handle time.', responseComment: 'Fair.' });
    expect(coachSees.actions.find((a) => a.id === own.id)?.status).toBe('done');
  });

  it('the follow-up review compares equal windows before and after the session, with intervals, against the team', async () => {
    expect((await get<{ cases: CaseSummary[] }>('/api/v1/cases?view=due', 'coach')).cases.map((x) => x.id)).toEqual([caseId]);
    const { review } = await get<{ review: CaseReview }>(`/api/v1/cases/${caseId}/review`, 'coach');
    expect(review).toMatchObject({ days: 10, provisional: false });
    const csat = review.rows[0]!;
    expect(csat.kpi).toBe('csat');
    expect(Date.parse(csat.before.to) - Date.parse(csat.before.from)).toBe(10 * DAY);
    expect(Date.parse(csat.after.to) - Date.parse(csat.after.from)).toBe(10 * DAY);
    expect(csat.before.n).toBeGreaterThan(20);
    expect(csat.after.value!).toBeGreaterThan(csat.before.value!);
    expect(csat.before.low!).toBeLessThan(csat.before.value!);
    expect(csat.changeLow!).toBeGreaterThan(0);
    expect(csat.verdict).toBe('better');
    expect(csat.team?.verdict).toBe('unclear');
    expect(review.summary).toMatch(/^CSAT better: \+\d/);
    // The same figures straight from the KPI engine.
    const before = await t.server.kpis.query(`agent:${agent.id}`, Date.parse(csat.before.from), Date.parse(csat.before.to));
    expect(csat.before.value).toBeCloseTo(before.csat.value!, 10);
    expect(csat.before.n).toBe(before.csat.n);
  });

  it('closes with an outcome and reason, freezing the review; a closed case takes no more changes', async () => {
    const v = await version();
    const early = await send('coach', 'POST', `/api/v1/cases/${caseId}/close`, { version: v, outcome: 'improved', reason: 'ok' });
    expect(early.status).toBe(400);
    const closed = await send('coach', 'POST', `/api/v1/cases/${caseId}/close`, { version: v, outcome: 'improved', reason: 'CSAT back above peers over the ten days after the session.' });
    expect(closed.status).toBe(200);
    expect(closed.body.case).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'improved' });
    const frozen = (await get<{ case: CaseDetail }>(`/api/v1/cases/${caseId}`, 'coach')).case;
    expect(frozen.review?.rows[0]?.verdict).toBe('better');
    const after = await send('coach', 'POST', `/api/v1/cases/${caseId}/actions`, { version: v + 1, action: { text: 'One more action after closing', measure: 'n/a at all', owner: 'agent', dueAt: new Date(NOW + DAY).toISOString() } });
    expect(after.status).toBe(409);
    expect(after.body.error?.message).toMatch(/closed/);
    expect((await get<{ cases: CaseSummary[] }>('/api/v1/cases?view=closed', 'agent')).cases.map((x) => x.id)).toEqual([caseId]);
  });

  it('the trail has every change, in order, with who made it', async () => {
    const { events } = await get<{ events: CaseEventRecord[] }>(`/api/v1/cases/${caseId}/history`, 'lead');
    expect(events.map((e) => e.action)).toEqual(['flagged', 'assigned', 'planned', 'session', 'responded', 'action_status', 'closed']);
    expect(events.map((e) => e.actorName)).toEqual(['Frontline flagger', 'coach', 'coach', 'coach', 'agent', 'agent', 'coach']);
    expect(events.find((e) => e.action === 'closed')?.details).toMatchObject({ outcome: 'improved' });
  });

  it('a systemic review goes to the team leader or manager, never to a coach; coaches cannot see it', async () => {
    await t.server.cases.insertFlagged(
      { kind: 'systemic', scope: `team:${agent.teamId}`, agentId: null, teamId: agent.teamId, kpi: 'fcrSurvey', rule: 'XmR: a point below the lower limit', figures: {}, evidenceContactIds: [], assignedCoachId: null, openedMs: START + 20 * DAY },
      `sys|${dialect}`,
    );
    const sys = (await t.server.cases.list({ limit: 10, kind: 'systemic' }))[0]!;
    expect((await call(t.baseUrl, 'GET', `/api/v1/cases/${sys.id}`, who.coach!)).status).toBe(403);
    const toCoach = await send('manager', 'POST', `/api/v1/cases/${sys.id}/assign`, { version: 1, assigneeId: people.coach!.id });
    expect(toCoach.status).toBe(400);
    expect(toCoach.body.error?.message).toMatch(/cannot own this review/);
    const { assignees } = await get<{ assignees: { id: string }[] }>(`/api/v1/cases/${sys.id}/assignees`, 'manager');
    expect(assignees.map((a) => a.id).sort()).toEqual([people.lead!.id, people.manager!.id].sort());
    const owned = await send('manager', 'POST', `/api/v1/cases/${sys.id}/assign`, { version: 1, assigneeId: people.lead!.id });
    expect(owned.status).toBe(200);
    const action = await send('lead', 'POST', `/api/v1/cases/${sys.id}/actions`, { version: 2, action: { text: 'Fix the knowledge article on refunds', measure: 'Article republished and read by the team', owner: people.lead!.id, dueAt: new Date(NOW + 7 * DAY).toISOString() } });
    expect(action.status).toBe(200);
    expect((await call(t.baseUrl, 'GET', `/api/v1/cases/${sys.id}`, who.agent!)).status).toBe(403);
  });
});
