/**
 * Improvement initiatives over the HTTP API on the simulated centre (issue 19's acceptance): a manager opens an
 * initiative from a systemic review of a team, plans it (root cause, actions, success criteria, a stakeholder), the
 * stakeholder signs it off, the change is recorded on a date, and the before/after comparison reads "improved" when
 * the simulator injects a lasting improvement for that team after the change date, and "no change" on the same seed
 * without it. The first run is on PostgreSQL, the second on SQLite, so the migration runs on both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Initiative, InitiativeResults, InitiativeSummary } from '../../shared/initiatives.js';
import { ManualClock } from '../../server/clock.js';
import { CentreSimulator, defaultCentreDirectory, improvementScenario } from '../../server/simulator/index.js';
import { localMidnight } from '../../server/improvement/comparison.js';
import { call, sessionFor, type Credentials } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 8, 6, 23); // local midnight, Monday 7 September 2026, Europe/London
const CHANGE_DAY = '2026-09-22'; // day 15: 14 whole days before it, 14 after it
const NOW = START + 30 * DAY + 10 * 3600_000;
const directory = defaultCentreDirectory();
const team = directory.teams[1]!.id;
const PASSWORD = 'copper kettles sing at dusk';

interface Run {
  t: TestServer;
  manager: Credentials;
  coach: Credentials;
  otherLead: Credentials;
  coachId: string;
  managerId: string;
  caseId: string;
}

async function setUp(improve: boolean, dialect: 'sqlite' | 'postgres'): Promise<Run> {
  const t = await startTestServer({ clock: new ManualClock(NOW), dialect });
  await t.server.directory.replace(directory);
  await t.server.kpis.rebuild();
  const change = localMidnight(CHANGE_DAY, 'Europe/London').getTime();
  // The improvement starts the day after the change day (the change day belongs to neither window).
  const scenarios = improve ? [improvementScenario('team-improvement', team, change + DAY, START + 60 * DAY)] : [];
  const sim = new CentreSimulator({ seed: 19, startMs: START, directory, scenarios });
  const events = sim.advanceTo(START + 30 * DAY).filter((e) => e.type !== 'agent.state');
  for (let i = 0; i < events.length; i += 5000) await t.server.ingest.ingest(events.slice(i, i + 5000));
  await t.server.kpis.settle();
  await t.server.voc.settle();
  const meta = { actor: 'test', ip: null };
  const m = await t.server.accounts.create({ username: 'mo', displayName: 'Mo Manager', role: 'manager', password: PASSWORD }, meta);
  const c = await t.server.accounts.create({ username: 'cy', displayName: 'Cy Coach', role: 'coach', password: PASSWORD }, meta);
  const l = await t.server.accounts.create({ username: 'lee', displayName: 'Lee Lead', role: 'team_leader', teamIds: [directory.teams[0]!.id], password: PASSWORD }, meta);
  const systemic = await t.server.cases.insert({
    kind: 'systemic',
    scope: `team:${team}`,
    agentId: null,
    teamId: team,
    kpi: 'csat',
    rule: 'XmR: run of 8 below the centre line',
    figures: {},
    evidenceContactIds: [],
    assignedCoachId: null,
    openedMs: START + 12 * DAY,
  });
  return {
    t,
    manager: await sessionFor(t, { id: m.id, username: 'mo', role: 'manager', agentId: null }),
    coach: await sessionFor(t, { id: c.id, username: 'cy', role: 'coach', agentId: null }),
    otherLead: await sessionFor(t, { id: l.id, username: 'lee', role: 'team_leader', agentId: null }),
    coachId: c.id,
    managerId: m.id,
    caseId: systemic.id,
  };
}

async function json<T>(res: Response, status = 200): Promise<T> {
  const body = (await res.json()) as T;
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body;
}

/** The whole cycle through the API; returns the initiative id. */
async function runCycle(r: Run): Promise<string> {
  const { t, manager, coach } = r;
  const opened = await json<{ id: string; initiative: Initiative }>(
    await call(t.baseUrl, 'POST', '/api/v1/initiatives', manager, { title: 'Refund callbacks', problem: 'Customers wait for refund answers and ring back; CSAT trails the centre.', origin: { kind: 'case', caseId: r.caseId } }),
    201,
  );
  const id = opened.id;
  expect(opened.initiative).toMatchObject({ scope: `team:${team}`, status: 'draft', origin: { kind: 'case', caseId: r.caseId } });
  // Evidence frozen at opening: the 28 days before today, with n, and comment themes.
  expect(opened.initiative.evidence.days).toBe(28);
  expect(opened.initiative.evidence.kpis.find((k) => k.kpi === 'csat')!.n).toBeGreaterThan(100);
  expect(opened.initiative.evidence.comments).toBeGreaterThan(0);
  let v = opened.initiative.version;
  const plan = await json<{ initiative: Initiative }>(
    await call(t.baseUrl, 'PATCH', `/api/v1/initiatives/${id}`, manager, {
      version: v,
      rootCause: 'The refund policy page is out of date, so agents cannot answer first time.',
      actions: [{ text: 'Rewrite the refund article', owner: r.managerId, resources: 'Two days of the knowledge team', dueDate: '2026-09-21' }],
      criteria: [
        { kpi: 'csat', threshold: 0.88, direction: 'up', byDate: '2026-10-06' },
        { kpi: 'aht', threshold: 400, direction: 'down', byDate: '2026-10-06' },
      ],
      stakeholders: [r.coachId],
      windowDays: 14,
    }),
  );
  v = plan.initiative.version;
  // A stale version is refused.
  expect((await call(t.baseUrl, 'PATCH', `/api/v1/initiatives/${id}`, manager, { version: v - 1, title: 'Stale title' })).status).toBe(409);
  // The stakeholder cannot sign a draft off; the plan is put forward first.
  expect((await call(t.baseUrl, 'POST', `/api/v1/initiatives/${id}/signoff`, coach, { version: v })).status).toBe(409);
  v = (await json<{ initiative: Initiative }>(await call(t.baseUrl, 'POST', `/api/v1/initiatives/${id}/status`, manager, { version: v, to: 'planned' }))).initiative.version;
  // The change cannot be recorded before every stakeholder has signed off.
  expect((await call(t.baseUrl, 'POST', `/api/v1/initiatives/${id}/change`, manager, { version: v, date: CHANGE_DAY, description: 'New refund article published' })).status).toBe(409);
  const signed = await json<{ initiative: Initiative }>(await call(t.baseUrl, 'POST', `/api/v1/initiatives/${id}/signoff`, coach, { version: v }));
  expect(signed.initiative.status).toBe('signed_off');
  expect(signed.initiative.stakeholders[0]).toMatchObject({ userId: r.coachId, name: 'Cy Coach' });
  expect(signed.initiative.stakeholders[0]!.signedOffAt).not.toBeNull();
  await json(await call(t.baseUrl, 'POST', `/api/v1/initiatives/${id}/comments`, coach, { text: 'Happy with this; we will watch the repeat calls.' }), 200);
  v = signed.initiative.version;
  // A coach stakeholder may not change the plan or record the change.
  expect((await call(t.baseUrl, 'POST', `/api/v1/initiatives/${id}/change`, coach, { version: v, date: CHANGE_DAY, description: 'New refund article published' })).status).toBe(403);
  const changed = await json<{ initiative: Initiative }>(await call(t.baseUrl, 'POST', `/api/v1/initiatives/${id}/change`, manager, { version: v, date: CHANGE_DAY, description: 'New refund article published' }));
  expect(changed.initiative).toMatchObject({ status: 'implemented', change: { date: CHANGE_DAY } });
  expect(changed.initiative.trail.map((e) => e.action)).toEqual(['opened', 'edited', 'planned', 'signed_off', 'commented', 'change_made']);
  return id;
}

const resultsOf = async (r: Run, id: string) => (await json<{ results: InitiativeResults }>(await call(r.t.baseUrl, 'GET', `/api/v1/initiatives/${id}/results`, r.manager))).results;

function print(label: string, res: InitiativeResults) {
  const f = (v: number | null, unit: string) => (v === null ? '–' : unit === 'rate' ? (v * 100).toFixed(1) + '%' : v.toFixed(0) + ' s');
  for (const row of res.rows) {
    console.log(
      `${label} ${row.kpi}: before ${f(row.before.value, row.unit)} (${f(row.before.low, row.unit)}–${f(row.before.high, row.unit)}, n ${row.before.n}); after ${f(row.after.value, row.unit)} (${f(row.after.low, row.unit)}–${f(row.after.high, row.unit)}, n ${row.after.n}); change ${row.change?.toFixed(4)} [${row.changeLow?.toFixed(4)}, ${row.changeHigh?.toFixed(4)}] → ${row.verdict}`,
    );
  }
  console.log(`${label} headline: ${res.headline}; ${res.summary}`);
}

describe('improvement initiative: improvement injected after the change date', () => {
  let r: Run;
  let id: string;
  beforeAll(async () => {
    r = await setUp(true, 'postgres');
    id = await runCycle(r);
  }, 300_000);
  afterAll(async () => {
    await r?.t.close();
  });

  it('the before/after verdict says improved, from intervals that exclude no change', async () => {
    const res = await resultsOf(r, id);
    print('improved', res);
    expect(res.windowDays).toBe(14);
    expect(res.provisional).toBe(false);
    expect(res.headline).toBe('improved');
    const csat = res.rows.find((x) => x.kpi === 'csat')!;
    expect(csat.verdict).toBe('improved');
    expect(csat.changeLow!).toBeGreaterThan(0);
    const aht = res.rows.find((x) => x.kpi === 'aht')!;
    expect(aht.verdict).toBe('improved');
    expect(aht.changeHigh!).toBeLessThan(1);
    // The windows: 14 whole local days either side of the change day.
    expect(csat.before.to).toBe(new Date(localMidnight(CHANGE_DAY, 'Europe/London').getTime()).toISOString());
    expect(Date.parse(csat.after.from) - Date.parse(csat.before.to)).toBe(DAY);
    // The criteria's date has passed and the after window is complete: judged on the after window.
    expect(res.criteria.map((c) => c.state)).toEqual(['met', 'met']);
    expect(res.themes.comments.before).toBeGreaterThan(0);
    expect(res.themes.rows.length).toBeGreaterThan(0);
    // Thirty days after the change have not passed yet.
    expect(res.sustained.map((s) => s.state)).toEqual(['pending', 'pending', 'pending']);
  });

  it('the review page lists initiatives for the scope with their headline; others see only what they may', async () => {
    const list = await json<{ initiatives: InitiativeSummary[] }>(await call(r.t.baseUrl, 'GET', `/api/v1/initiatives?scope=team:${team}&results=1`, r.manager));
    expect(list.initiatives).toHaveLength(1);
    expect(list.initiatives[0]!.headline?.verdict).toBe('improved');
    // The coach sees it as a stakeholder; a team leader of another team does not see it at all.
    expect((await json<{ initiatives: InitiativeSummary[] }>(await call(r.t.baseUrl, 'GET', '/api/v1/initiatives', r.coach))).initiatives).toHaveLength(1);
    expect((await json<{ initiatives: InitiativeSummary[] }>(await call(r.t.baseUrl, 'GET', '/api/v1/initiatives', r.otherLead))).initiatives).toHaveLength(0);
    expect((await call(r.t.baseUrl, 'GET', `/api/v1/initiatives/${id}`, r.otherLead)).status).toBe(404);
    expect((await call(r.t.baseUrl, 'POST', '/api/v1/initiatives', r.otherLead, { title: 'Not mine', problem: 'A team I do not lead at all.', origin: { kind: 'manual', scope: `team:${team}` } })).status).toBe(403);
  });

  it('closes with an outcome; a closed initiative takes no more changes', async () => {
    const cur = (await json<{ initiative: Initiative }>(await call(r.t.baseUrl, 'GET', `/api/v1/initiatives/${id}`, r.manager))).initiative;
    const closed = await json<{ initiative: Initiative }>(await call(r.t.baseUrl, 'POST', `/api/v1/initiatives/${id}/status`, r.manager, { version: cur.version, to: 'closed', outcome: 'sustained', reason: 'CSAT and AHT better beyond chance' }));
    expect(closed.initiative).toMatchObject({ status: 'closed', outcome: 'sustained' });
    expect((await call(r.t.baseUrl, 'PATCH', `/api/v1/initiatives/${id}`, r.manager, { version: closed.initiative.version, title: 'Too late' })).status).toBe(409);
  });
});

describe('improvement initiative: the same seed with no improvement', () => {
  let r: Run;
  let id: string;
  beforeAll(async () => {
    r = await setUp(false, 'sqlite');
    id = await runCycle(r);
  }, 300_000);
  afterAll(async () => {
    await r?.t.close();
  });

  it('the before/after verdict says no change', async () => {
    const res = await resultsOf(r, id);
    print('no-change', res);
    expect(res.headline).toBe('no-change');
    for (const kpi of ['csat', 'aht'] as const) expect(res.rows.find((x) => x.kpi === kpi)!.verdict, kpi).toBe('no-change');
    expect(res.summary).toMatch(/^No change beyond what chance explains/);
  });
});
