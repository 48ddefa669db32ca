/**
 * QA scorecards and calibration over HTTP (issue 19, parts 1 and 4): criteria must check a standard in use; versions
 * are published optimistically (409 on a stale version); three evaluators calibrate one contact blind and the spread
 * is exactly the one worked out by hand in test/support/qa-calibration-fixture.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveIssues, pathWords } from '../../client/src/qa/live-check.js';
import type { FrontlineEvent } from '../../shared/events.js';
import type { CalibrationDetail } from '../../shared/qa-calibration-api.js';
import type { ScorecardDefinition } from '../../shared/qa.js';
import type { StandardView } from '../../shared/qa-scorecard-api.js';
import { call, seedPeople, sessionFor, type Credentials, type People } from '../support/people.js';
import { HEAT_CALIBRATION } from '../support/qa-calibration-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(['sqlite', 'postgres'] as const)('QA scorecards and calibration on %s', (dialect) => {
  let t: TestServer;
  let people: People;
  let manager: Credentials;
  let admin: Credentials;
  let lead: Credentials;
  let coach: Credentials;
  let south: Credentials;
  let agent: Credentials;
  let heatId: string;

  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

  beforeAll(async () => {
    t = await startTestServer({ dialect });
    people = await seedPeople(t);
    manager = await sessionFor(t, people.manager);
    admin = await sessionFor(t, people.admin);
    lead = await sessionFor(t, people.teamLeader);
    coach = await sessionFor(t, people.coach);
    south = await sessionFor(t, people.siteManager);
    agent = await sessionFor(t, people.agent);
    const key = (await t.server.apiKeys.create('in', ['ingest'])).key;
    const at = new Date(Date.now() - 60_000).toISOString();
    const events: FrontlineEvent[] = [
      { id: 'q1-o', type: 'contact.offered', occurredAt: at, contactId: 'q1', channel: 'voice', queueId: 'voice-billing' },
      { id: 'q1-a', type: 'contact.answered', occurredAt: at, contactId: 'q1', agentId: 'a-ann' },
      { id: 'q1-s', type: 'survey.responded', occurredAt: at, contactId: 'q1', csat: 1, comment: 'Nobody owned my complaint' },
    ];
    expect((await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, events)).status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('standards and versioned scorecards', () => {
    it('a template creates its standards once and gives a card the server accepts', async () => {
      const first = await json<{ draft: { name: string; definition: ScorecardDefinition; created: unknown[] } }>(await call(t.baseUrl, 'POST', '/api/v1/qa/templates/complaint-heat/use', manager, {}));
      expect(first.draft.created).toHaveLength(5);
      const again = await json<{ draft: { definition: ScorecardDefinition; created: unknown[] } }>(await call(t.baseUrl, 'POST', '/api/v1/qa/templates/complaint-heat/use', manager, {}));
      expect(again.draft.created).toHaveLength(0);
      expect(again.draft.definition).toEqual(first.draft.definition);
      const made = await call(t.baseUrl, 'POST', '/api/v1/qa/scorecards', manager, { name: first.draft.name, channels: ['voice'], definition: first.draft.definition });
      expect(made.status).toBe(201);
      heatId = (await json<{ scorecard: { id: string; currentVersion: number } }>(made)).scorecard.id;
      // Coaches and team leaders read it; agents do not.
      expect((await call(t.baseUrl, 'GET', `/api/v1/qa/scorecards/${heatId}`, coach)).status).toBe(200);
      expect((await call(t.baseUrl, 'GET', `/api/v1/qa/scorecards/${heatId}`, agent)).status).toBe(403);
      expect((await call(t.baseUrl, 'POST', '/api/v1/qa/scorecards', lead, { name: 'x', definition: first.draft.definition })).status).toBe(403);
    });

    it('every criterion must check a standard that exists and is in use', async () => {
      const { current } = await json<{ current: { definition: ScorecardDefinition } }>(await call(t.baseUrl, 'GET', `/api/v1/qa/scorecards/${heatId}`, manager));
      const withStandard = (id: string): ScorecardDefinition => ({ sections: current.definition.sections.map((s, i) => ({ ...s, criteria: s.criteria.map((c, j) => (i === 0 && j === 0 ? { ...c, standardId: id } : c)) })) });
      const none = await call(t.baseUrl, 'POST', '/api/v1/qa/scorecards', manager, { name: 'No standard', definition: withStandard('') });
      expect(none.status).toBe(400);
      expect((await json<{ error: { message: string } }>(none)).error.message).toMatch(/link each criterion to the service standard/);
      const unknown = await call(t.baseUrl, 'POST', '/api/v1/qa/scorecards', manager, { name: 'Unknown standard', definition: withStandard('std-nope') });
      expect(unknown.status).toBe(400);
      expect(await json(unknown)).toMatchObject({ error: { details: [{ path: 'sections.0.criteria.0.standardId', reason: "criterion 'hear' links to a standard that does not exist" }] } });
      const std = await json<{ standard: { id: string } }>(await call(t.baseUrl, 'POST', '/api/v1/qa/standards', admin, { code: 'OLD-1', title: 'An old standard' }));
      expect((await call(t.baseUrl, 'POST', '/api/v1/qa/standards', admin, { code: 'OLD-1', title: 'Same code again' })).status).toBe(409);
      expect((await call(t.baseUrl, 'POST', `/api/v1/qa/standards/${std.standard.id}/retire`, admin, {})).status).toBe(200);
      const retired = await call(t.baseUrl, 'POST', '/api/v1/qa/scorecards', manager, { name: 'Retired standard', definition: withStandard(std.standard.id) });
      expect(retired.status).toBe(400);
      expect((await json<{ error: { message: string } }>(retired)).error.message).toMatch(/OLD-1, which is retired/);
      const listed = await json<{ standards: { code: string }[] }>(await call(t.baseUrl, 'GET', '/api/v1/qa/standards', coach));
      expect(listed.standards.map((s) => s.code)).not.toContain('OLD-1');
    });

    it("the authoring page's live check lists exactly what the server answers", async () => {
      const { current } = await json<{ current: { definition: ScorecardDefinition } }>(await call(t.baseUrl, 'GET', `/api/v1/qa/scorecards/${heatId}`, manager));
      const standards = (await json<{ standards: StandardView[] }>(await call(t.baseUrl, 'GET', '/api/v1/qa/standards?retired=true', manager))).standards;
      const server = async (body: unknown) => {
        const res = await call(t.baseUrl, 'POST', '/api/v1/qa/scorecards', manager, body);
        expect(res.status).toBe(400);
        return (await json<{ error: { details: { path: string; reason: string }[] } }>(res)).error.details.map((d) => `${pathWords(d.path)}: ${d.reason}`);
      };
      // The schema's refusals: a critical item on a rating, a key used twice, a weight of 0.
      const bad = structuredClone(current.definition);
      bad.sections[0]!.criteria[0] = { ...bad.sections[0]!.criteria[0]!, critical: true, scale: 'rating', weight: 0 };
      bad.sections[1]!.criteria[0]!.key = 'hear';
      const draft = { name: 'Broken', description: '', channels: [], definition: bad };
      expect(liveIssues(draft, standards)).toEqual(await server(draft));
      // The store's refusals: a standard that does not exist, one that is retired.
      const retired = standards.find((s) => s.retiredAt !== null)!;
      const linked = structuredClone(current.definition);
      linked.sections[0]!.criteria[1]!.standardId = 'std-nope';
      linked.sections[1]!.criteria[2]!.standardId = retired.id;
      const draft2 = { name: 'Unlinked', description: '', channels: [], definition: linked };
      const words = liveIssues(draft2, standards);
      expect(words).toEqual(await server(draft2));
      expect(words).toEqual(["Section 1, criterion 2, standard: criterion 'empathise' links to a standard that does not exist", "Section 2, criterion 3, standard: criterion 'record' links to standard OLD-1, which is retired: pick one in use"]);
    });

    it('publishes a new version against the version read; a stale one is a 409 and old versions stay readable', async () => {
      const card = await json<{ current: { definition: ScorecardDefinition } }>(await call(t.baseUrl, 'GET', `/api/v1/qa/scorecards/${heatId}`, manager));
      const v2 = structuredClone(card.current.definition);
      v2.sections[0]!.criteria[0]!.weight = 25;
      const ok = await call(t.baseUrl, 'POST', `/api/v1/qa/scorecards/${heatId}/versions`, manager, { version: 1, definition: v2, changeNote: 'Hearing the customer out matters more' });
      expect(ok.status).toBe(201);
      expect((await json<{ scorecard: { currentVersion: number } }>(ok)).scorecard.currentVersion).toBe(2);
      const stale = await call(t.baseUrl, 'POST', `/api/v1/qa/scorecards/${heatId}/versions`, admin, { version: 1, definition: v2, changeNote: 'A colleague read version 1' });
      expect(stale.status).toBe(409);
      expect((await json<{ error: { message: string } }>(stale)).error.message).toMatch(/version 2 now, not 1/);
      const after = await json<{ scorecard: { currentVersion: number }; versions: { version: number; changeNote: string }[] }>(await call(t.baseUrl, 'GET', `/api/v1/qa/scorecards/${heatId}`, lead));
      expect(after.versions.map((v) => [v.version, v.changeNote])).toEqual([[2, 'Hearing the customer out matters more'], [1, 'first version']]);
      const v1 = await json<{ version: { definition: ScorecardDefinition } }>(await call(t.baseUrl, 'GET', `/api/v1/qa/scorecards/${heatId}/versions/1`, coach));
      expect(v1.version.definition.sections[0]!.criteria[0]!.weight).toBe(20);
      const audit = await t.server.audit.list({ limit: 50, action: 'qa.scorecard.publish' });
      expect(audit).toHaveLength(1);
      // Back to the template's weights, so the calibration below scores on the card the fixture was worked out for.
      expect((await call(t.baseUrl, 'POST', `/api/v1/qa/scorecards/${heatId}/versions`, manager, { version: 2, definition: card.current.definition, changeNote: 'Back to the template weights' })).status).toBe(201);
    });
  });

  describe('calibration', () => {
    let calId: string;
    const get = async (who: Credentials) => call(t.baseUrl, 'GET', `/api/v1/qa/calibrations/${calId}`, who);

    it('three evaluators score blind; the spread after the reveal is the one worked out by hand', async () => {
      // The team leader of Ann's team organises; the whole-centre manager, the coach and the south site's manager score.
      const opened = await call(t.baseUrl, 'POST', '/api/v1/qa/calibrations', lead, { contactId: 'q1', scorecardId: heatId, title: 'Complaint q1', dueDate: '2026-12-31', evaluatorIds: [people.manager.id, people.coach.id, people.siteManager.id] });
      expect(opened.status).toBe(201);
      calId = (await json<{ id: string }>(opened)).id;

      // The south manager may not view Ann's contacts, but reads this one through the calibration she is invited to.
      expect((await call(t.baseUrl, 'GET', '/api/v1/contacts/q1', south)).status).toBe(403);
      const seen = await json<CalibrationDetail>(await get(south));
      expect(seen.contact?.contact.agentId).toBe('a-ann');
      expect(seen.calibration.scorecardVersion).toBe(3);

      const score = async (who: Credentials, answers: unknown) => call(t.baseUrl, 'PUT', `/api/v1/qa/calibrations/${calId}/score`, who, { answers });
      expect((await score(manager, HEAT_CALIBRATION.e1)).status).toBe(200);
      // Blind: the manager sees only their own; the coach (not yet submitted) sees nothing of it; the organiser sees who.
      const mine = await json<CalibrationDetail>(await get(manager));
      expect(mine.mySubmission?.score).toBe(96.25);
      expect([mine.submissions, mine.spread, mine.calibration.revealed]).toEqual([null, null, false]);
      const coachView = await json<CalibrationDetail>(await get(coach));
      expect([coachView.mySubmission, coachView.submissions, coachView.spread]).toEqual([null, null, null]);
      const organiser = await json<CalibrationDetail>(await get(lead));
      expect(organiser.calibration.evaluators.map((e) => e.submitted)).toEqual([true, false, false]);
      expect([organiser.mySubmission, organiser.submissions, organiser.spread]).toEqual([null, null, null]);
      expect(JSON.stringify(organiser)).not.toContain('96.25');
      // Nobody else: an admin who was not invited, an agent (Ann herself), a read key.
      expect((await get(admin)).status).toBe(403);
      expect((await get(agent)).status).toBe(403);
      expect((await score(admin, HEAT_CALIBRATION.e1)).status).toBe(403);
      // Answers must fit the card.
      expect((await score(coach, HEAT_CALIBRATION.e2.slice(1))).status).toBe(400);

      expect((await score(coach, HEAT_CALIBRATION.e2)).status).toBe(200);
      expect((await json<CalibrationDetail>(await get(coach))).spread).toBeNull();
      const last = await score(south, HEAT_CALIBRATION.e3);
      expect(last.status).toBe(200);
      const revealed = await json<CalibrationDetail>(last);
      expect(revealed.calibration).toMatchObject({ revealed: true, status: 'closed' });
      const spread = revealed.spread!;
      const o = HEAT_CALIBRATION.overall;
      expect(spread.overall.mean).toBeCloseTo(o.mean, 10);
      expect(spread.overall.sd).toBeCloseTo(o.sd, 10);
      expect(spread.overall).toMatchObject({ n: 3, min: o.min, max: o.max, range: o.range, flagged: true });
      expect(spread.overall.evaluators.map((e) => [e.evaluatorId, e.leaning])).toEqual([[people.manager.id, 'lenient'], [people.coach.id, 'lenient'], [people.siteManager.id, 'harsh']]);
      for (const c of spread.criteria) {
        const want = HEAT_CALIBRATION.criteria[c.key as keyof typeof HEAT_CALIBRATION.criteria];
        expect({ key: c.key, n: c.n, min: c.min, max: c.max, agree: c.agree, flagged: c.flagged }).toEqual({ key: c.key, n: want.n, min: want.min, max: want.max, agree: want.agree, flagged: want.flagged });
        expect(c.mean).toBeCloseTo(want.mean, 10);
        expect(c.sd).toBeCloseTo(want.sd, 10);
        expect(c.range).toBeCloseTo(want.range, 10);
      }
      expect(spread.criteria.filter((c) => c.flagged).map((c) => c.key)).toEqual(['hear', 'empathise', 'confirm-close']);
      // The organiser now sees every score too; nobody changes theirs after the reveal.
      expect((await json<CalibrationDetail>(await get(lead))).submissions).toHaveLength(3);
      expect((await score(manager, HEAT_CALIBRATION.e3)).status).toBe(409);
      // Calibration scores never reach the contact's QA figures.
      expect((await t.store.db.selectFrom('qa_evaluations').select('id').execute()).length).toBe(0);
    });

    it('the organiser may close early: the scores in so far are revealed', async () => {
      const opened = await json<{ id: string }>(await call(t.baseUrl, 'POST', '/api/v1/qa/calibrations', lead, { contactId: 'q1', scorecardId: heatId, title: 'Closed early', evaluatorIds: [people.manager.id, people.coach.id] }));
      expect((await call(t.baseUrl, 'PUT', `/api/v1/qa/calibrations/${opened.id}/score`, coach, { answers: HEAT_CALIBRATION.e2 })).status).toBe(200);
      expect((await call(t.baseUrl, 'POST', `/api/v1/qa/calibrations/${opened.id}/close`, manager, {})).status).toBe(403);
      const closed = await json<CalibrationDetail>(await call(t.baseUrl, 'POST', `/api/v1/qa/calibrations/${opened.id}/close`, lead, {}));
      expect(closed.calibration.revealed).toBe(true);
      expect(closed.spread?.overall.n).toBe(1);
      const mine = await json<{ calibrations: { id: string; mine: { organiser: boolean } }[] }>(await call(t.baseUrl, 'GET', '/api/v1/qa/calibrations', lead));
      expect(mine.calibrations.map((c) => c.id).sort()).toEqual([opened.id, calId].sort());
      expect((await json<{ calibrations: unknown[] }>(await call(t.baseUrl, 'GET', '/api/v1/qa/calibrations', admin))).calibrations).toEqual([]);
    });

    it('only someone who may view the agent opens a session, with 2–12 evaluators who evaluate', async () => {
      const body = { contactId: 'q1', scorecardId: heatId, title: 'Not mine', evaluatorIds: [people.manager.id, people.coach.id] };
      expect((await call(t.baseUrl, 'POST', '/api/v1/qa/calibrations', south, body)).status).toBe(403);
      expect((await call(t.baseUrl, 'POST', '/api/v1/qa/calibrations', lead, { ...body, evaluatorIds: [people.manager.id] })).status).toBe(400);
      expect((await call(t.baseUrl, 'POST', '/api/v1/qa/calibrations', lead, { ...body, evaluatorIds: [people.manager.id, people.agent.id] })).status).toBe(400);
      expect((await call(t.baseUrl, 'POST', '/api/v1/qa/calibrations', lead, { ...body, contactId: 'nope' })).status).toBe(400);
    });
  });
});
