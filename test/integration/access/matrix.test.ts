/**
 * The authorisation matrix: every REST route and socket event the app registers, crossed with every kind of caller
 * (no credential, each role, a paired screen, each API key scope). Expectations are written here, independently of
 * the server's own declarations, and the test fails when the app has a route or event this table does not cover.
 */
import type { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_EVENT_NAMES } from '../../../shared/live.js';
import { SOCKET_POLICIES } from '../../../server/realtime/socket.js';
import { call, openSocket, pairDisplay, seedPeople, sessionFor, type Credentials, type People } from '../../support/people.js';
import { createCallCard } from '../../support/qa.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const CALLERS = ['anonymous', 'admin', 'manager', 'team_leader', 'coach', 'agent', 'display', 'key:ingest', 'key:read', 'key:admin', 'key:directory', 'key:metrics'] as const;
type Caller = (typeof CALLERS)[number];

const PEOPLE: readonly Caller[] = ['admin', 'manager', 'team_leader', 'coach', 'agent'];
const ALL: readonly Caller[] = CALLERS;
const only = (...c: Caller[]) => c;

/** Who gets through, for each route, with the parameters filled in below. */
const EXPECTED: Record<string, readonly Caller[]> = {
  'GET /healthz': ALL,
  'GET /readyz': ALL,
  // The API description: shapes only, no data.
  'GET /api/v1/openapi.json': ALL,
  'GET /api/v1/cluster': only('admin'),
  // Prometheus scrapes with a metrics key; a signed-in admin may look too.
  'GET /metrics': only('admin', 'key:metrics'),
  'POST /api/v1/events': only('key:ingest'),
  'POST /api/v2/events': only('key:ingest'),
  'GET /api/v1/ingest/orphans': only('admin'),
  'GET /api/v1/session': ALL,
  'POST /api/v1/auth/login': ALL,
  'POST /api/v1/auth/logout': PEOPLE,
  'POST /api/v1/auth/password': PEOPLE,
  'GET /api/v1/setup': ALL,
  'POST /api/v1/setup': ALL,
  // Single sign-on: the sign-in methods and both ends of the flow are public (without SSO configured, start and
  // callback send the browser back to the sign-in page); the waiting list is for admins only.
  'GET /api/v1/auth/methods': ALL,
  'GET /api/v1/auth/oidc/start': ALL,
  'GET /api/v1/auth/oidc/callback': ALL,
  'GET /api/v1/sso/waiting': only('admin'),
  'POST /api/v1/sso/waiting/:identityId/approve': only('admin'),
  'DELETE /api/v1/sso/waiting/:identityId': only('admin'),
  'GET /api/v1/users': only('admin'),
  'POST /api/v1/users': only('admin'),
  'GET /api/v1/users/:userId': only('admin'),
  'PATCH /api/v1/users/:userId': only('admin'),
  'POST /api/v1/users/:userId/password': only('admin'),
  'POST /api/v1/users/:userId/sessions/revoke': only('admin'),
  'GET /api/v1/apikeys': only('admin'),
  'POST /api/v1/apikeys': only('admin'),
  'POST /api/v1/apikeys/:keyId/revoke': only('admin'),
  'GET /api/v1/audit': only('admin'),
  'POST /api/v1/display/pairing': ALL, // a paired screen is answered 409 (already paired)
  'GET /api/v1/display/pairing': ALL,
  'GET /api/v1/displays': only('admin', 'team_leader'),
  'POST /api/v1/displays': only('admin', 'team_leader'),
  'POST /api/v1/displays/:displayId/revoke': only('admin', 'team_leader'),
  'GET /api/v1/directory': [...PEOPLE, 'key:read', 'key:admin', 'key:directory'],
  'PUT /api/v1/directory': only('admin', 'key:admin', 'key:directory'),
  // One item at a time, probed on an id nobody has: an admitted caller gets 400 (empty body) or 404 (nothing to remove).
  'PUT /api/v1/directory/sites/:id': only('admin', 'key:admin', 'key:directory'),
  'DELETE /api/v1/directory/sites/:id': only('admin', 'key:admin', 'key:directory'),
  'PUT /api/v1/directory/teams/:id': only('admin', 'key:admin', 'key:directory'),
  'DELETE /api/v1/directory/teams/:id': only('admin', 'key:admin', 'key:directory'),
  'PUT /api/v1/directory/queues/:id': only('admin', 'key:admin', 'key:directory'),
  'DELETE /api/v1/directory/queues/:id': only('admin', 'key:admin', 'key:directory'),
  'PUT /api/v1/directory/agents/:id': only('admin', 'key:admin', 'key:directory'),
  'DELETE /api/v1/directory/agents/:id': only('admin', 'key:admin', 'key:directory'),
  // t-billing: the team leader's team; a whole-centre manager and admins see it; coaches and agents do not.
  'GET /api/v1/teams/:teamId': only('admin', 'manager', 'team_leader', 'key:read'),
  // a-ann: the agent themself, their team leader, managers, admins, and the coach with an open case about her.
  'GET /api/v1/agents/:agentId': only('admin', 'manager', 'team_leader', 'coach', 'agent', 'key:read'),
  // The agent profile: the same people as the agent itself (defaults to the last 12 weeks when no period is given).
  'GET /api/v1/agents/:agentId/profile': only('admin', 'manager', 'team_leader', 'coach', 'agent', 'key:read'),
  'GET /api/v1/pulse': [...PEOPLE, 'display', 'key:read'],
  'GET /api/v1/cases': [...PEOPLE, 'key:read'],
  // Default scope is the centre: an aggregate every person may see; screens use the live socket, not this API.
  'GET /api/v1/kpis': [...PEOPLE, 'key:read'],
  'GET /api/v1/trends': [...PEOPLE, 'key:read'],
  // A team's agents in one answer: people who see whole teams (and read keys); without team=ID an admitted caller gets 400.
  'GET /api/v1/kpis/agents': only('admin', 'manager', 'team_leader', 'key:read'),
  // Contacts: the list needs from/to (400 for an admitted caller); one contact that does not exist is a 404.
  'GET /api/v1/contacts': [...PEOPLE, 'key:read'],
  'GET /api/v1/contacts/:contactId': PEOPLE,
  // Segments: the centre with filters; without from/to an admitted caller gets 400.
  'GET /api/v1/segments': [...PEOPLE, 'key:read'],
  // Service reviews: managers, team leaders and admins; preview and save need a period (400 when admitted).
  'GET /api/v1/reviews/preview': only('admin', 'manager', 'team_leader'),
  'GET /api/v1/reviews': only('admin', 'manager', 'team_leader'),
  'POST /api/v1/reviews': only('admin', 'manager', 'team_leader'),
  'GET /api/v1/reviews/:reviewId': only('admin', 'manager', 'team_leader'),
  'POST /api/v1/reviews/:reviewId/comments': only('admin', 'manager', 'team_leader'),
  // Improvement initiatives: admins, managers and team leaders open and change them; stakeholders (coaches too) read,
  // comment and sign off. Probed on an id nobody has (404) or with an empty body (400) when admitted.
  'GET /api/v1/initiatives': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/initiatives': only('admin', 'manager', 'team_leader'),
  'GET /api/v1/initiatives/people': only('admin', 'manager', 'team_leader'),
  'GET /api/v1/initiatives/:initiativeId': only('admin', 'manager', 'team_leader', 'coach'),
  'GET /api/v1/initiatives/:initiativeId/results': only('admin', 'manager', 'team_leader', 'coach'),
  'PATCH /api/v1/initiatives/:initiativeId': only('admin', 'manager', 'team_leader'),
  'POST /api/v1/initiatives/:initiativeId/status': only('admin', 'manager', 'team_leader'),
  'POST /api/v1/initiatives/:initiativeId/signoff': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/initiatives/:initiativeId/change': only('admin', 'manager', 'team_leader'),
  'POST /api/v1/initiatives/:initiativeId/comments': only('admin', 'manager', 'team_leader', 'coach'),
  // Voice of the customer: default scope is the centre, which every person may see.
  'GET /api/v1/voc/themes': [...PEOPLE, 'key:read'],
  'GET /api/v1/voc/comments': [...PEOPLE, 'key:read'],
  'GET /api/v1/voc/dictionary': PEOPLE,
  'PUT /api/v1/voc/dictionary': only('admin', 'manager'),
  // System XmR chart, default scope the centre (an aggregate every person may see); an agent scope is refused with 400.
  'GET /api/v1/charts/xmr': [...PEOPLE, 'key:read'],
  // Agent funnel by team: people who see whole teams (and read keys); without team=ID an admitted caller gets 400.
  'GET /api/v1/charts/funnel': only('admin', 'manager', 'team_leader', 'key:read'),
  'GET /api/v1/targets': [...PEOPLE, 'key:read'],
  'POST /api/v1/targets': only('admin', 'manager'),
  'PUT /api/v1/targets/:targetId': only('admin', 'manager'),
  'DELETE /api/v1/targets/:targetId': only('admin', 'manager'),
  // Ann's case, assigned to the coach: Ann, her coach, her team leader and the whole-centre manager; admins set
  // things up but do not read coaching content.
  'GET /api/v1/cases/:caseId': only('manager', 'team_leader', 'coach', 'agent'),
  'GET /api/v1/cases/:caseId/evidence': only('manager', 'team_leader', 'coach', 'agent'),
  'GET /api/v1/cases/:caseId/review': only('manager', 'team_leader', 'coach', 'agent'),
  'GET /api/v1/cases/:caseId/history': only('manager', 'team_leader', 'coach', 'agent'),
  // The coaching workflow's writes: the people who work cases; the agent only responds and ticks off their actions.
  'GET /api/v1/cases/:caseId/assignees': only('manager', 'team_leader', 'coach'),
  'POST /api/v1/cases/:caseId/assign': only('manager', 'team_leader', 'coach'),
  'PUT /api/v1/cases/:caseId/plan': only('manager', 'team_leader', 'coach'),
  'POST /api/v1/cases/:caseId/session': only('manager', 'team_leader', 'coach'),
  'POST /api/v1/cases/:caseId/actions': only('manager', 'team_leader', 'coach'),
  'PATCH /api/v1/cases/:caseId/actions/:actionId': only('manager', 'team_leader', 'coach', 'agent'),
  'POST /api/v1/cases/:caseId/response': only('agent'),
  'POST /api/v1/cases/:caseId/close': only('manager', 'team_leader', 'coach'),
  'GET /api/v1/boards': only('admin', 'manager', 'team_leader'),
  'POST /api/v1/boards': only('admin', 'manager', 'team_leader'),
  'PUT /api/v1/boards/:boardId': only('admin', 'manager', 'team_leader'),
  'DELETE /api/v1/boards/:boardId': only('admin', 'manager', 'team_leader'),
  'POST /api/v1/rotations': only('admin', 'manager', 'team_leader'),
  'PUT /api/v1/rotations/:rotationId': only('admin', 'manager', 'team_leader'),
  'DELETE /api/v1/rotations/:rotationId': only('admin', 'manager', 'team_leader'),
  'PUT /api/v1/displays/:displayId/shows': only('admin', 'team_leader'),
  // A paired screen reads its own layout and the tiles of the board it shows; nobody else does.
  'GET /api/v1/wall': only('display'),
  'GET /api/v1/wall/tiles/:boardId/:tileId': only('display'),
  'POST /api/v1/privacy/erase-customer': only('admin'),
  'POST /api/v1/privacy/pseudonymise-agent': only('admin'),
  'GET /api/v1/privacy/retention': only('admin'),
  'POST /api/v1/privacy/retention/run': only('admin'),
  // Notifications: everyone keeps their own preferences and may test their own email; admins and managers manage
  // team and centre endpoints (a site manager only their site's teams) and read the delivery log.
  'GET /api/v1/notifications/preferences': PEOPLE,
  'PUT /api/v1/notifications/preferences': PEOPLE,
  'POST /api/v1/notifications/test': PEOPLE,
  'GET /api/v1/notifications/endpoints': only('admin', 'manager'),
  'POST /api/v1/notifications/endpoints': only('admin', 'manager'),
  'PATCH /api/v1/notifications/endpoints/:endpointId': only('admin', 'manager'),
  'DELETE /api/v1/notifications/endpoints/:endpointId': only('admin', 'manager'),
  'GET /api/v1/notifications/deliveries': only('admin', 'manager'),
  // QA scorecards and standards: admins and managers author; team leaders and coaches (the QA leads) read. Probed on
  // ids nobody has (404) or with empty bodies (400) once admitted.
  'GET /api/v1/qa/standards': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/standards': only('admin', 'manager'),
  'PUT /api/v1/qa/standards/:standardId': only('admin', 'manager'),
  'POST /api/v1/qa/standards/:standardId/retire': only('admin', 'manager'),
  'GET /api/v1/qa/templates': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/templates/:templateId/use': only('admin', 'manager'),
  'GET /api/v1/qa/scorecards': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/scorecards': only('admin', 'manager'),
  'GET /api/v1/qa/scorecards/:scorecardId': only('admin', 'manager', 'team_leader', 'coach'),
  'GET /api/v1/qa/scorecards/:scorecardId/versions/:version': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/scorecards/:scorecardId/versions': only('admin', 'manager'),
  'POST /api/v1/qa/scorecards/:scorecardId/retire': only('admin', 'manager'),
  // Calibration: admins, managers and team leaders organise; those and coaches are invited to score. One session is
  // for its organiser and invitees only (the integration test proves that); here an id nobody has answers 404.
  'GET /api/v1/qa/calibrations': only('admin', 'manager', 'team_leader', 'coach'),
  'GET /api/v1/qa/calibrations/evaluators': only('admin', 'manager', 'team_leader'),
  'POST /api/v1/qa/calibrations': only('admin', 'manager', 'team_leader'),
  'GET /api/v1/qa/calibrations/:calibrationId': only('admin', 'manager', 'team_leader', 'coach'),
  'PUT /api/v1/qa/calibrations/:calibrationId/score': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/calibrations/:calibrationId/close': only('admin', 'manager', 'team_leader'),
  // QA evaluations (issue 19). Lists answer everyone with what they may see (an agent: only their own).
  'GET /api/v1/qa/evaluations': PEOPLE,
  // Without contactId an admitted caller gets 400; agents do not evaluate.
  'GET /api/v1/qa/evaluation-options': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/evaluations': only('admin', 'manager', 'team_leader', 'coach'),
  // Probed on Bob's submitted evaluation: his team leader, the whole-centre manager and admins; not the coach (her
  // case is about Ann), not Ann (another agent's evaluation).
  'GET /api/v1/qa/evaluations/:evaluationId': only('admin', 'manager', 'team_leader'),
  'GET /api/v1/qa/evaluations/:evaluationId/history': only('admin', 'manager', 'team_leader'),
  // Writes with an empty body: admitted callers get 400 before anything is looked up.
  'PUT /api/v1/qa/evaluations/:evaluationId': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/evaluations/:evaluationId/submit': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/evaluations/:evaluationId/amend': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/evaluations/:evaluationId/response': only('agent'),
  'POST /api/v1/qa/evaluations/:evaluationId/attach': only('manager', 'team_leader', 'coach'),
  // The worklist and coverage (each in their own scope); drawing is for admins, managers and team leaders.
  'GET /api/v1/qa/samples': only('admin', 'manager', 'team_leader', 'coach'),
  'POST /api/v1/qa/samples': only('admin', 'manager', 'team_leader'),
  // Sources (issue 16): admins (and admin keys, for automation) add, map and watch platform connections; a platform
  // pushes with the source's own credentials (an unknown source answers 404, a wrong credential 401/403 there).
  'GET /api/v1/sources': only('admin', 'key:admin'),
  'POST /api/v1/sources': only('admin', 'key:admin'),
  'GET /api/v1/sources/:sourceId': only('admin', 'key:admin'),
  'PATCH /api/v1/sources/:sourceId': only('admin', 'key:admin'),
  'DELETE /api/v1/sources/:sourceId': only('admin', 'key:admin'),
  'POST /api/v1/sources/:sourceId/test': only('admin', 'key:admin'),
  'GET /api/v1/sources/:sourceId/seen': only('admin', 'key:admin'),
  'GET /api/v1/sources/:sourceId/dead-letters': only('admin', 'key:admin'),
  'POST /api/v1/sources/:sourceId/dead-letters/replay': only('admin', 'key:admin'),
  'POST /api/v1/sources/:sourceId/dead-letters/discard': only('admin', 'key:admin'),
  'POST /api/v1/sources/:sourceId/push/:endpoint': ALL,
};

const SOCKET_EXPECTED: Record<string, readonly Caller[]> = {
  'pulse:subscribe': [...PEOPLE, 'display', 'key:read'],
  // Probed with the centre scope; a display granted the centre may follow it live.
  'kpis:subscribe': [...PEOPLE, 'display', 'key:read'],
  'kpis:unsubscribe': [...PEOPLE, 'display', 'key:read'],
};
const SOCKET_ARGS: Record<string, unknown[]> = {
  'pulse:subscribe': [],
  'kpis:subscribe': [{ scope: 'centre', window: 'today' }],
  'kpis:unsubscribe': [{ scope: 'centre', window: 'today' }],
};

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Walks Express's own route stack: the routes that really exist, however they were added. */
function registeredRoutes(stack: Layer[]): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const m of Object.keys(layer.route.methods)) if (layer.route.methods[m]) out.push(`${m.toUpperCase()} ${layer.route.path}`);
    } else if (layer.handle?.stack) out.push(...registeredRoutes(layer.handle.stack));
  }
  return out;
}

let t: TestServer;
let people: People;
const creds = new Map<Caller, () => Promise<Credentials | null>>();
let victimKeyId: string;
let victimUserId: string;
let victimDisplayId: string;
let annCaseId: string;
let shownBoardId: string;
let bobEvaluationId: string;

beforeAll(async () => {
  t = await startTestServer();
  people = await seedPeople(t);
  const adminCreds = await sessionFor(t, people.admin);
  const display = await pairDisplay(t, adminCreds, ['centre']);
  const board = await call(t.baseUrl, 'POST', '/api/v1/boards', adminCreds, { name: 'Matrix', tiles: [{ id: 'open', kind: 'coaching', scope: 'centre' }] });
  shownBoardId = ((await board.json()) as { board: { id: string } }).board.id;
  expect((await call(t.baseUrl, 'PUT', `/api/v1/displays/${display.id}/shows`, adminCreds, { shows: `board:${shownBoardId}` })).status).toBe(200);
  victimDisplayId = (await pairDisplay(t, adminCreds, ['centre'], 'Victim')).id;
  victimKeyId = (await t.server.apiKeys.create('victim', ['read'])).info.id;
  annCaseId = (
    await t.server.cases.insert({
      kind: 'individual',
      scope: 'agent:a-ann',
      agentId: 'a-ann',
      teamId: 't-billing',
      kpi: 'csat',
      rule: 'CUSUM above h',
      figures: {},
      evidenceContactIds: [],
      assignedCoachId: people.coach.id,
      openedMs: Date.now(),
    })
  ).id;
  bobEvaluationId = await bobEvaluation(adminCreds);
  victimUserId = (await t.server.accounts.create({ username: 'victim', displayName: 'Victim', role: 'coach', password: 'purple elephants dance quietly at noon' }, { actor: 'test', ip: null })).id;
  const keys = {
    ingest: (await t.server.apiKeys.create('i', ['ingest'])).key,
    read: (await t.server.apiKeys.create('r', ['read'])).key,
    admin: (await t.server.apiKeys.create('a', ['admin'])).key,
    directory: (await t.server.apiKeys.create('d', ['directory'])).key,
    metrics: (await t.server.apiKeys.create('m', ['metrics'])).key,
  };
  creds.set('anonymous', () => Promise.resolve(null));
  creds.set('admin', () => sessionFor(t, people.admin));
  creds.set('manager', () => sessionFor(t, people.manager));
  creds.set('team_leader', () => sessionFor(t, people.teamLeader));
  creds.set('coach', () => sessionFor(t, people.coach));
  creds.set('agent', () => sessionFor(t, people.agent));
  creds.set('display', () => Promise.resolve({ cookie: display.cookie }));
  creds.set('key:ingest', () => Promise.resolve({ bearer: keys.ingest }));
  creds.set('key:read', () => Promise.resolve({ bearer: keys.read }));
  creds.set('key:admin', () => Promise.resolve({ bearer: keys.admin }));
  creds.set('key:directory', () => Promise.resolve({ bearer: keys.directory }));
  creds.set('key:metrics', () => Promise.resolve({ bearer: keys.metrics }));
});

/** A handled contact of Bob's, evaluated and submitted by his team leader on the test card. */
async function bobEvaluation(_admin: Credentials): Promise<string> {
  const at = Date.now() - 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const stored = await t.server.ingest.ingest(
    [
      { id: 'mx-bob-o', type: 'contact.offered', occurredAt: iso(at), contactId: 'mx-bob', channel: 'voice', queueId: 'voice-billing' },
      { id: 'mx-bob-a', type: 'contact.answered', occurredAt: iso(at + 5_000), contactId: 'mx-bob', agentId: 'a-bob' },
      { id: 'mx-bob-e', type: 'contact.ended', occurredAt: iso(at + 200_000), contactId: 'mx-bob', agentId: 'a-bob', talkSeconds: 180, holdSeconds: 0, wrapSeconds: 15, resolved: true },
    ],
    'stored',
  );
  expect(stored.accepted).toBe(3);
  const cardId = await createCallCard(t.store);
  const lead = await sessionFor(t, people.teamLeader);
  const started = await call(t.baseUrl, 'POST', '/api/v1/qa/evaluations', lead, { contactId: 'mx-bob', scorecardId: cardId, method: 'recorded_call' });
  expect(started.status).toBe(201);
  const id = ((await started.json()) as { evaluation: { id: string } }).evaluation.id;
  const answers = ['greet', 'verify', 'apology'].map((key) => ({ key, value: 'met' })).concat([{ key: 'resolve', value: 4 as unknown as string }]);
  const submitted = await call(t.baseUrl, 'POST', `/api/v1/qa/evaluations/${id}/submit`, lead, { version: 1, answers });
  expect(submitted.status, await submitted.text()).toBe(200);
  return id;
}

afterAll(async () => {
  await t.close();
});

function concrete(path: string): string {
  return path
    .replace(':userId', victimUserId)
    .replace(':keyId', victimKeyId)
    .replace(':displayId', victimDisplayId)
    .replace(':teamId', 't-billing')
    .replace(':agentId', 'a-ann')
    .replace(':caseId', annCaseId)
    .replace(':evaluationId', bobEvaluationId)
    .replace(':actionId', 'act_none')
    .replace(':contactId', 'c_none')
    .replace(':reviewId', 'rev_none')
    .replace(':initiativeId', 'ini_none')
    .replace(':targetId', 'tg_none')
    .replace(':boardId/:tileId', `${shownBoardId}/open`)
    .replace(':boardId', 'b_none')
    .replace(':rotationId', 'r_none')
    .replace(':identityId', 'id_none')
    .replace(':endpointId', 'nep_none')
    .replace(':sourceId', 'src_none')
    .replace(':endpoint', 'firehose')
    .replace(':standardId', 'std_none')
    .replace(':templateId', 'tpl_none')
    .replace(':scorecardId', 'sc_none')
    .replace(':version', '1')
    .replace(':calibrationId', 'cal_none')
    .replace('/:id', '/x-none');
}

describe('authorisation matrix', () => {
  it('every registered route has a server declaration and a row in this matrix, and nothing stale is left here', () => {
    const routes = registeredRoutes((t.server.app as unknown as { router: Router & { stack: Layer[] } }).router.stack).filter((r) => !r.endsWith(' /api'));
    const undeclared = routes.filter((r) => {
      const [m, p] = r.split(' ') as [string, string];
      return !t.server.routes.find(m, p);
    });
    expect(undeclared, 'routes without a declared policy').toEqual([]);
    expect(routes.filter((r) => !(r in EXPECTED)), 'routes missing from the matrix').toEqual([]);
    expect(Object.keys(EXPECTED).filter((r) => !routes.includes(r)), 'matrix rows for routes that no longer exist').toEqual([]);
  });

  it('every REST route admits exactly the callers it should', async () => {
    const wrong: string[] = [];
    for (const [route, allowed] of Object.entries(EXPECTED)) {
      const [method, path] = route.split(' ') as [string, string];
      for (const caller of CALLERS) {
        const who = await (creds.get(caller) as () => Promise<Credentials | null>)();
        // Bodies are deliberately empty or invalid: an admitted caller gets past the guard and fails validation,
        // so nothing is changed while access is probed.
        const body = method === 'GET' ? undefined : route === 'POST /api/v1/events' || route === 'POST /api/v2/events' ? [] : {};
        const res = await call(t.baseUrl, method, concrete(path), who, body);
        const admitted = res.status !== 401 && res.status !== 403;
        if (admitted !== allowed.includes(caller)) wrong.push(`${route} as ${caller}: ${res.status} ${admitted ? 'admitted' : 'refused'}`);
        if (!admitted && caller === 'anonymous' && res.status !== 401) wrong.push(`${route} as anonymous: ${res.status}, expected 401`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every socket event has a policy and admits exactly the callers it should', async () => {
    expect(Object.keys(SOCKET_POLICIES).sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
    expect(Object.keys(SOCKET_EXPECTED).sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
    const wrong: string[] = [];
    for (const caller of CALLERS) {
      const who = await (creds.get(caller) as () => Promise<Credentials | null>)();
      let socket;
      try {
        socket = await openSocket(t.baseUrl, who);
      } catch {
        for (const [event, allowed] of Object.entries(SOCKET_EXPECTED)) if (allowed.includes(caller)) wrong.push(`${event} as ${caller}: connection refused`);
        continue;
      }
      // The server side of this socket has handlers only for declared events.
      const serverSide = [...t.server.realtime.io.sockets.sockets.values()].find((s) => s.id === socket.id);
      const handled = (serverSide?.eventNames() ?? []).filter((n): n is string => typeof n === 'string');
      const RESERVED = new Set(['error', 'disconnect', 'disconnecting']);
      for (const h of handled) if (!RESERVED.has(h) && !(h in SOCKET_POLICIES)) wrong.push(`server handles '${h}' without a policy`);
      for (const [event, allowed] of Object.entries(SOCKET_EXPECTED)) {
        const reply = (await (socket.timeout(5_000) as unknown as { emitWithAck: (e: string, ...a: unknown[]) => Promise<unknown> }).emitWithAck(event, ...(SOCKET_ARGS[event] ?? []))) as {
          ok: boolean;
          error?: { code: string };
        };
        const admitted = reply.ok || reply.error?.code !== 'forbidden';
        if (admitted !== allowed.includes(caller)) wrong.push(`${event} as ${caller}: ${admitted ? 'admitted' : 'refused'} ${JSON.stringify(reply.error ?? '')}`);
      }
      socket.close();
    }
    expect(wrong).toEqual([]);
  });
});
