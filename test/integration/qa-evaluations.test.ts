/**
 * QA evaluations over HTTP on a known small centre (issue 19 acceptance): a team leader evaluates a contact with a
 * known card; the QA KPI for the agent, team and queue moves by exactly the hand-computed amount; an amendment
 * replaces the score (never adds a second one); a critical fail counts 0; the agent acknowledges; another agent and a
 * coach without a case cannot see it; attaching to a case; the fair sample and its coverage.
 *
 * The card (test/support/qa.ts): greet 20, verify 30 (critical), resolve 40 rated 1–5 (earns (r − 1) / 4), apology 10
 * (N/A allowed); total weight 100, so with nothing N/A the score is the sum of what each criterion earns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpisReply } from '../../shared/api.js';
import type { Answer } from '../../shared/qa.js';
import type { EvaluationView, SamplesReply } from '../../shared/qa-evaluations.js';
import { call, seedPeople, sessionFor, type Credentials, type People } from '../support/people.js';
import { createCallCard } from '../support/qa.js';
import { ManualClock, startTestServer, type TestServer } from '../support/server.js';

/** Wednesday 2 December 2026, 14:00 in London (UTC in winter): ISO week 2026-W49. */
const NOW = Date.UTC(2026, 11, 2, 14);
const DAY_START = Date.UTC(2026, 11, 2);
const iso = (ms: number) => new Date(ms).toISOString();

let t: TestServer;
let people: People;
let key: string;
let cardId: string;
const who: Record<string, Credentials> = {};

/** A handled voice contact for an agent at 09:00 + `minute`. */
function contact(id: string, agentId: string, minute: number) {
  const at = DAY_START + 9 * 3_600_000 + minute * 60_000;
  return [
    { id: `${id}-o`, type: 'contact.offered', occurredAt: iso(at), contactId: id, channel: 'voice', queueId: 'voice-billing' },
    { id: `${id}-a`, type: 'contact.answered', occurredAt: iso(at + 5_000), contactId: id, agentId },
    { id: `${id}-e`, type: 'contact.ended', occurredAt: iso(at + 300_000), contactId: id, agentId, talkSeconds: 240, holdSeconds: 0, wrapSeconds: 55, resolved: true },
  ];
}
const incomingQa = (id: string, contactId: string, agentId: string, score: number) => ({ id, type: 'qa.evaluated', occurredAt: iso(DAY_START + 12 * 3_600_000), contactId, agentId, evaluatorId: 'outside-qa', score, criticalFail: false });

async function qa(scope: string): Promise<{ value: number | null; n: number }> {
  const q = new URLSearchParams({ scope, from: iso(DAY_START), to: iso(NOW) });
  const res = await fetch(`${t.baseUrl}/api/v1/kpis?${q.toString()}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as KpisReply).kpis.qa;
}

async function json<T>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body) as T;
}

const answers = (resolve: number, apology: 'met' | 'not_met' | 'na', verify: 'met' | 'not_met' = 'met'): Answer[] => [
  { key: 'greet', value: 'met', example: 'positive', note: 'Warm, named greeting' },
  { key: 'verify', value: verify, example: verify === 'met' ? null : 'negative', note: verify === 'met' ? undefined : 'Discussed the bill before security' },
  { key: 'resolve', value: resolve, example: resolve <= 3 ? 'negative' : null, note: 'Next step left vague' },
  { key: 'apology', value: apology, example: null },
];

beforeAll(async () => {
  t = await startTestServer({ clock: new ManualClock(NOW) });
  people = await seedPeople(t);
  await t.server.kpis.rebuild();
  key = await t.key(['ingest', 'read']);
  for (const [name, p] of Object.entries(people)) who[name] = await sessionFor(t, p);
  cardId = await createCallCard(t.store, people.manager.id, NOW - 86_400_000);
  const events = [
    ...contact('c-ann-1', 'a-ann', 0),
    ...contact('c-ann-2', 'a-ann', 10),
    ...contact('c-ann-3', 'a-ann', 20),
    ...contact('c-bob-1', 'a-bob', 30),
    ...contact('c-bob-2', 'a-bob', 40),
    // Evaluations that came in from an outside QA tool: Ann 90, Bob 60.
    incomingQa('qa-in-ann', 'c-ann-2', 'a-ann', 90),
    incomingQa('qa-in-bob', 'c-bob-2', 'a-bob', 60),
  ];
  const res = await fetch(`${t.baseUrl}/api/v2/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(events) });
  expect(res.status, await res.text()).toBe(200);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('QA evaluations over HTTP', () => {
  let annEval: EvaluationView;

  it('before: the QA KPI holds only the incoming evaluations', async () => {
    expect(await qa('agent:a-ann')).toMatchObject({ value: 90, n: 1 });
    expect(await qa('team:t-billing')).toMatchObject({ value: 75, n: 2 }); // (90 + 60) / 2
    expect(await qa('queue:voice-billing')).toMatchObject({ value: 75, n: 2 });
  });

  it('a team leader evaluates a contact: the KPI moves by exactly the card score', async () => {
    const options = await json<{ canEvaluate: boolean; agents: { id: string }[]; scorecards: { id: string }[] }>(await call(t.baseUrl, 'GET', '/api/v1/qa/evaluation-options?contactId=c-ann-1', who.teamLeader!));
    expect(options.canEvaluate).toBe(true);
    expect(options.agents.map((a) => a.id)).toEqual(['a-ann']);
    expect(options.scorecards.map((c) => c.id)).toEqual([cardId]);
    // The agent is the contact's handling agent when not given.
    const started = await json<{ evaluation: EvaluationView }>(await call(t.baseUrl, 'POST', '/api/v1/qa/evaluations', who.teamLeader!, { contactId: 'c-ann-1', scorecardId: cardId, method: 'recorded_call' }), 201);
    expect(started.evaluation).toMatchObject({ agentId: 'a-ann', status: 'draft', scorecardVersion: 1, revision: 0, version: 1 });
    // A draft is the evaluator's own: the agent does not see it, and it is not in the KPI.
    expect((await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations/${started.evaluation.id}`, who.agent!)).status).toBe(403);
    const saved = await json<{ evaluation: EvaluationView }>(await call(t.baseUrl, 'PUT', `/api/v1/qa/evaluations/${started.evaluation.id}`, who.teamLeader!, { version: 1, answers: answers(3, 'not_met').slice(0, 2), summary: 'Draft' }));
    expect(saved.evaluation.version).toBe(2);
    // An incomplete card cannot be submitted; a stale version is refused.
    expect((await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${started.evaluation.id}/submit`, who.teamLeader!, { version: 2, answers: answers(3, 'not_met').slice(0, 2) })).status).toBe(400);
    expect((await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${started.evaluation.id}/submit`, who.teamLeader!, { version: 1, answers: answers(3, 'not_met') })).status).toBe(409);
    // greet 20 + verify 30 + resolve 3 → (3 − 1) / 4 × 40 = 20 + apology not met 0 = 70.
    const submitted = await json<{ evaluation: EvaluationView }>(
      await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${started.evaluation.id}/submit`, who.teamLeader!, { version: 2, answers: answers(3, 'not_met'), summary: 'Good opening; the close needs a clear next step.' }),
    );
    annEval = submitted.evaluation;
    expect(annEval).toMatchObject({ status: 'submitted', score: 70, criticalFail: false, revision: 1, evaluatorName: 'tom.lead' });
    // Ann: (90 + 70) / 2 = 80 over 2; team and queue: (90 + 60 + 70) / 3 = 73.33 over 3.
    expect(await qa('agent:a-ann')).toMatchObject({ value: 80, n: 2 });
    expect((await qa('team:t-billing')).value).toBeCloseTo(220 / 3, 6);
    expect((await qa('team:t-billing')).n).toBe(3);
    expect(await qa('queue:voice-billing')).toMatchObject({ n: 3 });
    expect((await qa('queue:voice-billing')).value).toBeCloseTo(220 / 3, 6);
    // The stored event is the evaluation's revision 1 under its own id.
    const stored = await t.store.db.selectFrom('events').select(['id', 'payload']).where('type', '=', 'qa.evaluated').where('contact_id', '=', 'c-ann-1').execute();
    expect(stored.map((r) => r.id)).toEqual([`frontline-qa:${annEval.id}`]);
    expect(JSON.parse(stored[0]!.payload)).toMatchObject({ evaluationId: annEval.id, revision: 1, evaluatorId: people.teamLeader.id, score: 70, criticalFail: false, notes: 'Good opening; the close needs a clear next step.' });
  });

  it('the agent sees it (with the examples) and disputes; the evaluator amends; the KPI is replaced, not doubled', async () => {
    const mine = await json<{ evaluations: EvaluationView[] }>(await call(t.baseUrl, 'GET', '/api/v1/qa/evaluations?view=to_respond', who.agent!));
    expect(mine.evaluations.map((e) => e.id)).toEqual([annEval.id]);
    const seen = await json<{ evaluation: EvaluationView }>(await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations/${annEval.id}`, who.agent!));
    expect(seen.evaluation.answers.find((a) => a.key === 'greet')).toMatchObject({ example: 'positive', note: 'Warm, named greeting' });
    expect(seen.evaluation.definition?.sections).toHaveLength(2);
    const disputed = await json<{ evaluation: EvaluationView }>(
      await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${annEval.id}/response`, who.agent!, { version: annEval.version, response: 'disputed', comment: 'I did apologise at 2:10, and the refund was confirmed.' }),
    );
    expect(disputed.evaluation.response).toBe('disputed');
    // Only the evaluated agent responds; only the evaluator (or a manager/admin over the agent) amends.
    expect((await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${annEval.id}/response`, who.otherAgent!, { version: disputed.evaluation.version, response: 'acknowledged' })).status).toBe(403);
    // resolve 5 → 40, apology met → 10: 20 + 30 + 40 + 10 = 100.
    const amended = await json<{ evaluation: EvaluationView }>(
      await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${annEval.id}/amend`, who.teamLeader!, { version: disputed.evaluation.version, answers: answers(5, 'met'), reason: 'Listened again: apology at 2:10 and refund confirmed' }),
    );
    expect(amended.evaluation).toMatchObject({ score: 100, revision: 2, response: null });
    // Ann: (90 + 100) / 2 = 95, still 2 evaluations; team: (90 + 60 + 100) / 3 = 83.33 over 3.
    expect(await qa('agent:a-ann')).toMatchObject({ value: 95, n: 2 });
    expect((await qa('team:t-billing')).value).toBeCloseTo(250 / 3, 6);
    expect((await qa('team:t-billing')).n).toBe(3);
    const ack = await json<{ evaluation: EvaluationView }>(await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${annEval.id}/response`, who.agent!, { version: amended.evaluation.version, response: 'acknowledged' }));
    expect(ack.evaluation.response).toBe('acknowledged');
    annEval = ack.evaluation;
    const trail = await json<{ events: { action: string; actorName: string | null }[] }>(await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations/${annEval.id}/history`, who.teamLeader!));
    expect(trail.events.map((e) => e.action)).toEqual(['created', 'saved', 'submitted', 'disputed', 'amended', 'acknowledged']);
    // The agent profile shows the latest revision only.
    const profile = await json<{ qa: { rows: { contactId: string; score: number }[] } }>(await call(t.baseUrl, 'GET', `/api/v1/agents/a-ann/profile?weeks=2`, who.agent!));
    expect(profile.qa.rows.filter((r) => r.contactId === 'c-ann-1').map((r) => r.score)).toEqual([100]);
  });

  it('a critical fail counts 0 in the KPI, whatever the rest scored', async () => {
    const started = await json<{ evaluation: EvaluationView }>(await call(t.baseUrl, 'POST', '/api/v1/qa/evaluations', who.teamLeader!, { contactId: 'c-bob-1', scorecardId: cardId, method: 'live_side_by_side' }), 201);
    // greet 20 + verify not met 0 + resolve 3 → 20 + apology met 10 = 50, but verify is critical: the KPI counts 0.
    const done = await json<{ evaluation: EvaluationView }>(await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${started.evaluation.id}/submit`, who.teamLeader!, { version: 1, answers: answers(3, 'met', 'not_met') }));
    expect(done.evaluation).toMatchObject({ score: 50, criticalFail: true });
    // Bob: (60 + 0) / 2 = 30; team: (90 + 100 + 60 + 0) / 4 = 62.5.
    expect(await qa('agent:a-bob')).toMatchObject({ value: 30, n: 2 });
    expect(await qa('team:t-billing')).toMatchObject({ value: 62.5, n: 4 });
  });

  it('another agent never sees it: 403 on the evaluation, nothing in any list', async () => {
    expect((await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations/${annEval.id}`, who.otherAgent!)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations/${annEval.id}/history`, who.otherAgent!)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/qa/evaluations/nope', who.otherAgent!)).status).toBe(404);
    for (const q of ['', '?agentId=a-ann', '?contactId=c-ann-1', '?view=to_respond', '?view=mine', '?view=scope']) {
      const list = await json<{ evaluations: EvaluationView[] }>(await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations${q}`, who.otherAgent!));
      expect(list.evaluations, q).toEqual([]);
    }
    // Nor may an agent evaluate, draw or see the worklist.
    expect((await call(t.baseUrl, 'POST', '/api/v1/qa/evaluations', who.otherAgent!, { contactId: 'c-ann-3', scorecardId: cardId, method: 'transcript' })).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', '/api/v1/qa/samples', who.otherAgent!)).status).toBe(403);
  });

  it('a coach sees it only while a case about the agent is assigned to them, and then can attach it to that case', async () => {
    expect((await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations/${annEval.id}`, who.coach!)).status).toBe(403);
    expect((await json<{ evaluations: EvaluationView[] }>(await call(t.baseUrl, 'GET', '/api/v1/qa/evaluations?agentId=a-ann', who.coach!))).evaluations).toEqual([]);
    // A manager of another site neither sees nor evaluates Ann.
    expect((await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations/${annEval.id}`, who.siteManager!)).status).toBe(403);
    expect((await call(t.baseUrl, 'POST', '/api/v1/qa/evaluations', who.siteManager!, { contactId: 'c-ann-3', scorecardId: cardId, method: 'transcript' })).status).toBe(403);
    const c = await t.server.cases.insert({ kind: 'individual', scope: 'agent:a-ann', agentId: 'a-ann', teamId: 't-billing', kpi: 'qa', rule: 'manual', figures: {}, evidenceContactIds: [], assignedCoachId: people.coach.id, openedMs: NOW });
    const seen = await json<{ evaluation: EvaluationView }>(await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations/${annEval.id}`, who.coach!));
    const attached = await json<{ evaluation: EvaluationView }>(await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${annEval.id}/attach`, who.coach!, { version: seen.evaluation.version, caseId: c.id }));
    expect(attached.evaluation.caseId).toBe(c.id);
    const onCase = await json<{ evaluations: EvaluationView[] }>(await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations?caseId=${c.id}`, who.agent!));
    expect(onCase.evaluations.map((e) => e.id)).toEqual([annEval.id]);
    // Dan may not read Ann's case's evidence list.
    expect((await call(t.baseUrl, 'GET', `/api/v1/qa/evaluations?caseId=${c.id}`, who.otherAgent!)).status).toBe(404);
    // A case about someone else is refused.
    const bobCase = await t.server.cases.insert({ kind: 'individual', scope: 'agent:a-bob', agentId: 'a-bob', teamId: 't-billing', kpi: 'qa', rule: 'manual', figures: {}, evidenceContactIds: [], assignedCoachId: null, openedMs: NOW });
    expect((await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${annEval.id}/attach`, who.teamLeader!, { version: attached.evaluation.version, caseId: bobCase.id })).status).toBe(400);
  });

  it('draws a fair sample once per week: k per agent, drawing again adds nothing, coverage per agent', async () => {
    const first = await json<SamplesReply & { added: number }>(await call(t.baseUrl, 'POST', '/api/v1/qa/samples', who.teamLeader!, {}));
    expect(first.period).toBe('2026-W49');
    // Ann handled 3 contacts, Bob 2: k = 2 each.
    expect(first.added).toBe(4);
    const again = await json<SamplesReply & { added: number }>(await call(t.baseUrl, 'POST', '/api/v1/qa/samples', who.teamLeader!, {}));
    expect(again.added).toBe(0);
    expect(again.items.map((i) => i.contactId).sort()).toEqual(first.items.map((i) => i.contactId).sort());
    expect(again.coverage.find((c) => c.agentId === 'a-ann')).toMatchObject({ handled: 3, sampled: 2 });
    expect(again.coverage.find((c) => c.agentId === 'a-bob')).toMatchObject({ handled: 2, sampled: 2 });
    // The team leader's scope is their team: Cat (tech) and Dan (south) are not in it.
    expect(again.coverage.map((c) => c.agentId).sort()).toEqual(['a-ann', 'a-bob']);
    // Evaluating a sampled contact that is not evaluated yet links it and counts it in the coverage.
    const open = again.items.find((i) => i.agentId === 'a-ann' && i.evaluationId === null);
    if (open) {
      const e = await json<{ evaluation: EvaluationView }>(await call(t.baseUrl, 'POST', '/api/v1/qa/evaluations', who.teamLeader!, { contactId: open.contactId, scorecardId: cardId, method: 'transcript' }), 201);
      expect(e.evaluation.sampleId).toBe(open.sampleId);
      await json(await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${e.evaluation.id}/submit`, who.teamLeader!, { version: 1, answers: answers(5, 'na') }));
      const after = await json<SamplesReply>(await call(t.baseUrl, 'GET', '/api/v1/qa/samples', who.teamLeader!));
      expect(after.coverage.find((c) => c.agentId === 'a-ann')?.evaluated).toBeGreaterThanOrEqual(1);
    }
    // Coaches read the worklist but do not draw.
    expect((await call(t.baseUrl, 'POST', '/api/v1/qa/samples', who.coach!, {})).status).toBe(403);
  });
});
