/**
 * The evaluation's state rules and access rules (server/qa/evaluation.service.ts) on a real store with everything
 * else replaced by test doubles: who sees a draft and a submitted evaluation, who evaluates, amends and responds; submit scores and
 * sends revision 1, an amendment revision 2 under the same evaluationId; stale versions and wrong states are refused.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../../../server/access/principal.js';
import { DirectoryIndex, type CoachingLinks } from '../../../server/access/policies.js';
import { AccountError } from '../../../server/accounts/errors.js';
import { ManualClock } from '../../../server/clock.js';
import { EvaluationService, qaEventId } from '../../../server/qa/evaluation.service.js';
import { EvaluationStore } from '../../../server/qa/evaluation.store.js';
import { ScorecardStore } from '../../../server/qa/scorecard.store.js';
import type { Answer } from '../../../shared/qa.js';
import type { FrontlineEvent } from '../../../shared/events.js';
import { ORG } from '../../support/people.js';
import { createCallCard } from '../../support/qa.js';
import { openTestStore, type TestStore } from '../../support/stores.js';

const user = (userId: string, role: UserPrincipal['role'], extra: Partial<UserPrincipal> = {}): UserPrincipal => ({ kind: 'user', userId, username: userId, role, agentId: null, siteId: null, teamIds: [], sessionId: 's', csrfToken: 'c', ...extra });
const lead = user('u-lead', 'team_leader', { teamIds: ['t-billing'] });
const otherLead = user('u-lead2', 'team_leader', { teamIds: ['t-tech'] });
const manager = user('u-man', 'manager');
const southManager = user('u-south', 'manager', { siteId: 's-south' });
const coach = user('u-coach', 'coach');
const ann = user('u-ann', 'agent', { agentId: 'a-ann' });
const bob = user('u-bob', 'agent', { agentId: 'a-bob' });

let store: TestStore;
let service: EvaluationService;
let cardId: string;
const sent: FrontlineEvent[] = [];
let coachLinks: CoachingLinks = { coachHasCaseFor: () => false };
const clock = new ManualClock(Date.UTC(2026, 11, 2, 14));

const full = (resolve: number, verify: 'met' | 'not_met' = 'met'): Answer[] => [
  { key: 'greet', value: 'met', example: 'positive' },
  { key: 'verify', value: verify, example: null },
  { key: 'resolve', value: resolve, example: null },
  { key: 'apology', value: 'na', example: null },
];

async function refused(p: Promise<unknown>, kind: AccountError['kind']): Promise<void> {
  await expect(p).rejects.toSatisfy((e) => e instanceof AccountError && e.kind === kind);
}

beforeAll(async () => {
  store = await openTestStore('sqlite');
  cardId = await createCallCard(store);
  const dir = new DirectoryIndex(ORG);
  service = new EvaluationService({
    evaluations: new EvaluationStore(store),
    scorecards: new ScorecardStore(store),
    cases: { linksFor: () => Promise.resolve(coachLinks), get: () => Promise.resolve(undefined) } as never,
    contacts: { record: (id: string) => Promise.resolve(id === 'c1' ? { contact: { agentId: 'a-ann', answeredBy: 'a-ann', legs: [{ agentId: 'a-ann' }] }, timeline: [] } : undefined) } as never,
    directory: { get: () => Promise.resolve(ORG) } as never,
    dirIndex: () => Promise.resolve(dir),
    ingest: {
      ingest: (items: FrontlineEvent[]) => {
        sent.push(...items);
        return Promise.resolve({ results: items.map((e, index) => ({ index, id: e.id, status: 'accepted' })), accepted: items.length, duplicate: 0, rejected: 0, stored: [] });
      },
    } as never,
    accounts: { list: () => Promise.resolve([]) } as never,
    audit: { record: () => Promise.resolve() } as never,
    clock,
  });
});

afterAll(async () => {
  await store.cleanup();
});

beforeEach(() => {
  sent.length = 0;
  coachLinks = { coachHasCaseFor: () => false };
});

describe('who evaluates', () => {
  it('the agent’s team leader, a manager over the site, an admin; a coach only with a case; never an agent', async () => {
    expect(await service.canEvaluate(lead, 'a-ann')).toBe(true);
    expect(await service.canEvaluate(otherLead, 'a-ann')).toBe(false);
    expect(await service.canEvaluate(manager, 'a-ann')).toBe(true);
    expect(await service.canEvaluate(southManager, 'a-ann')).toBe(false);
    expect(await service.canEvaluate(user('u-admin', 'admin'), 'a-ann')).toBe(true);
    expect(await service.canEvaluate(coach, 'a-ann')).toBe(false);
    coachLinks = { coachHasCaseFor: (c, a) => c === 'u-coach' && a === 'a-ann' };
    expect(await service.canEvaluate(coach, 'a-ann')).toBe(true);
    expect(await service.canEvaluate(ann, 'a-ann')).toBe(false);
  });

  it('refuses an agent who did not handle the contact, an unknown contact, and someone outside the agent’s scope', async () => {
    await refused(service.start(lead, { contactId: 'c1', agentId: 'a-bob', scorecardId: cardId, method: 'transcript' }), 'invalid');
    await refused(service.start(lead, { contactId: 'nope', scorecardId: cardId, method: 'transcript' }), 'not_found');
    await refused(service.start(otherLead, { contactId: 'c1', scorecardId: cardId, method: 'transcript' }), 'forbidden');
    await refused(service.start(lead, { contactId: 'c1', scorecardId: 'no-card', method: 'transcript' }), 'invalid');
  });
});

describe('an evaluation’s life', () => {
  it('draft → submitted (revision 1) → disputed → amended (revision 2, response cleared) → acknowledged', async () => {
    const e = await service.start(lead, { contactId: 'c1', scorecardId: cardId, method: 'recorded_call' });
    expect(e).toMatchObject({ status: 'draft', agentId: 'a-ann', revision: 0, version: 1, scorecardVersion: 1 });
    // A draft is its evaluator's alone.
    expect(await service.canSee(lead, e)).toBe(true);
    expect(await service.canSee(manager, e)).toBe(false);
    expect(await service.canSee(ann, e)).toBe(false);
    await refused(service.save(manager, e.id, { version: 1, answers: [] }), 'forbidden');
    await refused(service.respond(ann, e.id, { version: 1, response: 'acknowledged', comment: '' }), 'forbidden');
    // Incomplete answers cannot be submitted; nothing is sent.
    await refused(service.submit(lead, e.id, { version: 1, answers: full(3).slice(0, 3) }), 'invalid');
    expect(sent).toEqual([]);
    // greet 20 + verify 30 + resolve (3 − 1)/4 × 40 = 20, apology N/A (out of both sides): 70 / 90.
    const s = await service.submit(lead, e.id, { version: 1, answers: full(3), summary: 'ok' });
    expect(s.score).toBeCloseTo((100 * 70) / 90, 10);
    expect(s).toMatchObject({ status: 'submitted', revision: 1, criticalFail: false, version: 2 });
    expect(sent).toEqual([expect.objectContaining({ id: qaEventId(e.id, 1), type: 'qa.evaluated', evaluationId: e.id, revision: 1, evaluatorId: 'u-lead', agentId: 'a-ann', contactId: 'c1', notes: 'ok' })]);
    expect(qaEventId(e.id, 1)).toBe(`frontline-qa:${e.id}`);
    await refused(service.submit(lead, e.id, { version: 2, answers: full(3) }), 'conflict');
    // Submitted: the agent sees it, another agent does not, nor a team leader of another team.
    expect(await service.canSee(ann, s)).toBe(true);
    expect(await service.canSee(bob, s)).toBe(false);
    expect(await service.canSee(otherLead, s)).toBe(false);
    expect(await service.canSee(manager, s)).toBe(true);
    await refused(service.viewable(bob, e.id), 'forbidden');
    await refused(service.viewable(bob, 'missing'), 'not_found');
    // The agent disputes; a stale version is refused.
    await refused(service.respond(ann, e.id, { version: 1, response: 'disputed', comment: 'no' }), 'conflict');
    const d = await service.respond(ann, e.id, { version: 2, response: 'disputed', comment: 'I did apologise' });
    expect(d.response).toBe('disputed');
    // Another team leader may not amend; a manager over the agent may.
    await refused(service.amend(otherLead, e.id, { version: d.version, answers: full(5), reason: 'listened again' }), 'forbidden');
    sent.length = 0;
    const a = await service.amend(manager, e.id, { version: d.version, answers: full(5), reason: 'listened again' });
    expect(a).toMatchObject({ revision: 2, score: 100, response: null, evaluatorId: 'u-lead' });
    expect(sent).toEqual([expect.objectContaining({ id: `frontline-qa:${e.id}:r2`, evaluationId: e.id, revision: 2, score: 100, evaluatorId: 'u-lead' })]);
    const ack = await service.respond(ann, e.id, { version: a.version, response: 'acknowledged', comment: '' });
    expect(ack.response).toBe('acknowledged');
    const trail = await service.trail(ack);
    expect(trail.map((x) => x.action)).toEqual(['created', 'submitted', 'disputed', 'amended', 'acknowledged']);
  });

  it('a critical item not met is stored with its score and criticalFail, which the KPI counts as 0', async () => {
    const e = await service.start(lead, { contactId: 'c1', scorecardId: cardId, method: 'live_side_by_side' });
    const s = await service.submit(lead, e.id, { version: 1, answers: full(5, 'not_met') });
    // 20 + 0 + 40 over 90.
    expect(s.score).toBeCloseTo((100 * 60) / 90, 10);
    expect(s.criticalFail).toBe(true);
    expect(sent.at(-1)).toMatchObject({ criticalFail: true });
  });
});
