/**
 * The agent profile on SQLite and PostgreSQL, over four simulated weeks and a running fifth: each week's raw value and
 * n equal GET /api/v1/kpis for the agent and that week (history from rollups and the hot window alike), the team's
 * figure equals the team's, every interval holds its raw value, every shrunken estimate lies between the raw value
 * and the team's pooled figure, the QA table lists exactly the evaluations the QA figure counts, the CSV is the
 * weekly table, only the cases the caller may open are listed, people outside the agent's reach are refused and bad
 * input is answered 400 with a plain reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_KPIS, WEEK_TABLE_HEADER, type AgentProfileReply, type ProfileFigure } from '../../shared/agent-profile.js';
import type { KpiSet } from '../../shared/kpis.js';
import { ManualClock } from '../../server/clock.js';
import type { Dialect } from '../../server/store/db.js';
import { CentreSimulator, defaultCentreDirectory } from '../../server/simulator/index.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { call, sessionFor, type Credentials, type Person } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 8, 6, 23); // local midnight, Monday 7 September 2026, Europe/London
const WEEKS = 2;
const NOW = START + WEEKS * 7 * DAY + DAY + 10 * 3600_000; // Tuesday 10:00 of the third week: the first week from rollups, the second from the hot window
const directory = defaultCentreDirectory();
const team = directory.teams[0]!;
const agent = directory.agents.find((a) => a.teamId === team.id)!;
const outsider = directory.agents.find((a) => a.teamId !== team.id)!;
const iso = (ms: number) => new Date(ms).toISOString();
const PERIOD = `from=${iso(START)}&to=${iso(START + WEEKS * 7 * DAY)}`;

let events: FrontlineEvent[] = [];

beforeAll(() => {
  const sim = new CentreSimulator({ seed: 21, startMs: START, directory, scenarios: [] });
  events = sim.advanceTo(NOW).filter((e) => e.type !== 'agent.state');
}, 180_000);

describe.each<Dialect>(['sqlite', 'postgres'])('the agent profile on %s', (dialect) => {
  let t: TestServer;
  const who: Record<string, Credentials> = {};
  const people: Record<string, Person> = {};
  let profile: AgentProfileReply;

  const get = async <T,>(path: string, as: string): Promise<T> => {
    const res = await call(t.baseUrl, 'GET', path, who[as]!);
    expect(res.status, `${as} GET ${path}: ${res.status}`).toBe(200);
    return (await res.json()) as T;
  };
  const kpis = async (scope: string, from: string, to: string) => (await get<{ kpis: KpiSet }>(`/api/v1/kpis?scope=${scope}&from=${from}&to=${to}`, 'manager')).kpis;

  beforeAll(async () => {
    t = await startTestServer({ dialect, clock: new ManualClock(NOW) });
    await t.server.directory.replace(directory);
    await t.server.kpis.rebuild();
    for (let i = 0; i < events.length; i += 5000) await t.server.ingest.ingest(events.slice(i, i + 5000));
    await t.server.kpis.settle();
    const meta = { actor: 'test', ip: null };
    const make = async (key: string, role: Person['role'], extra: { agentId?: string; teamIds?: string[] } = {}) => {
      const u = await t.server.accounts.create({ username: key, displayName: key, role, password: 'copper kettles sing at dusk', ...extra }, meta);
      people[key] = { id: u.id, username: key, role, agentId: u.agentId };
      who[key] = await sessionFor(t, people[key]);
    };
    await make('admin', 'admin');
    await make('manager', 'manager');
    await make('lead', 'team_leader', { teamIds: [team.id] });
    await make('otherLead', 'team_leader', { teamIds: [outsider.teamId] });
    await make('coach', 'coach');
    await make('agent', 'agent', { agentId: agent.id });
    const base = { scope: `agent:${agent.id}`, agentId: agent.id, teamId: team.id, kpi: 'csat', rule: 'CUSUM above h', figures: {}, evidenceContactIds: [] };
    await t.server.cases.insert({ ...base, kind: 'individual', assignedCoachId: people.coach!.id, openedMs: START + 9 * DAY });
    await t.server.cases.insert({ ...base, kind: 'recognition', kpi: 'fcrSurvey', rule: 'improvement beyond chance', assignedCoachId: null, openedMs: START + 5 * DAY });
    await t.server.cases.insert({ ...base, kind: 'systemic', scope: `team:${team.id}`, agentId: null, assignedCoachId: null, openedMs: START + 6 * DAY });
    // The first week is read from the rollups, the second from the hot window.
    expect(t.server.kpis.hotFrom).toBe(START + 7 * DAY);
    profile = await get<AgentProfileReply>(`/api/v1/agents/${agent.id}/profile?${PERIOD}`, 'manager');
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  it('covers whole local weeks, and each week’s value and n equal the KPI API for the agent and the team', async () => {
    expect(profile.weeks).toHaveLength(WEEKS);
    expect(profile.weeks.map((w) => w.label)).toEqual(['2026-09-07', '2026-09-14']);
    expect(profile.teamVisible).toBe(true);
    expect(profile.teamAgents).toBe(directory.agents.filter((a) => a.teamId === team.id).length);
    for (const w of profile.weeks) {
      const mine = await kpis(`agent:${agent.id}`, w.start, w.end);
      const theirs = await kpis(`team:${team.id}`, w.start, w.end);
      for (const k of PROFILE_KPIS) {
        const f = w.kpis[k];
        expect(f.n, `${w.label} ${k} n`).toBe(mine[k].n);
        expect(f.value, `${w.label} ${k} value`).toBeCloseTo(mine[k].value as number, 9);
        expect(f.team?.n).toBe(theirs[k].n);
        expect(f.team?.value).toBeCloseTo(theirs[k].value as number, 9);
      }
      expect(w.kpis.aht.median).toBeCloseTo(mine.aht.extra?.median as number, 9);
      expect(w.kpis.csat.n).toBeGreaterThan(5);
      expect(w.kpis.qa.n).toBeGreaterThan(0);
    }
  });

  it('holds every raw value inside its interval, and every shrunken estimate between the raw value and the team’s figure', () => {
    const check = (label: string, k: string, f: ProfileFigure) => {
      if (f.value === null) return;
      expect(f.interval, `${label} ${k} interval`).not.toBeNull();
      expect(f.interval!.low, `${label} ${k}`).toBeLessThanOrEqual(f.value + 1e-12);
      expect(f.interval!.high, `${label} ${k}`).toBeGreaterThanOrEqual(f.value - 1e-12);
      if (k === 'aht') {
        expect(f.shrunken).toBeNull();
        return;
      }
      const s = f.shrunken!;
      expect(s, `${label} ${k} shrunken`).not.toBeNull();
      const prior = s.priorMean as number;
      // The prior's centre is the team's pooled figure (the team is the sum of its agents).
      expect(prior).toBeCloseTo(f.team!.value as number, 9);
      expect(s.mean, `${label} ${k}: ${f.value} → ${s.mean} → ${prior}`).toBeGreaterThanOrEqual(Math.min(f.value, prior) - 1e-12);
      expect(s.mean).toBeLessThanOrEqual(Math.max(f.value, prior) + 1e-12);
      expect(s.weight).toBeGreaterThan(0);
      expect(s.weight).toBeLessThanOrEqual(1);
      expect(s.low).toBeLessThanOrEqual(s.mean);
      expect(s.high).toBeGreaterThanOrEqual(s.mean);
    };
    for (const w of profile.weeks) for (const k of PROFILE_KPIS) check(w.label, k, w.kpis[k]);
    for (const row of profile.summary) check('period', row.kpi, row);
  });

  it('summarises the period with a rank among the team and the change against the previous period', async () => {
    const mine = await kpis(`agent:${agent.id}`, profile.from, profile.to);
    const before = await kpis(`agent:${agent.id}`, profile.previousFrom, profile.previousTo);
    expect(profile.previousTo).toBe(profile.from);
    for (const row of profile.summary) {
      expect(row.n).toBe(mine[row.kpi].n);
      expect(row.value).toBeCloseTo(mine[row.kpi].value as number, 9);
      expect(row.previous.n).toBe(before[row.kpi].n);
      if (row.kpi === 'aht') expect(row.rank).toBeNull();
      else {
        expect(row.rank!.position).toBeGreaterThanOrEqual(1);
        expect(row.rank!.position).toBeLessThanOrEqual(row.rank!.of);
        expect(row.rank!.of).toBeLessThanOrEqual(profile.teamAgents);
      }
      // The first week has no previous period in the store: nothing to compare with.
      expect(row.change).toBeNull();
    }
    // A later period has one: the change is this period less the previous one.
    const later = await get<AgentProfileReply>(`/api/v1/agents/${agent.id}/profile?from=${profile.weeks[1]!.start}&to=${profile.to}`, 'manager');
    const was = await kpis(`agent:${agent.id}`, later.previousFrom, later.previousTo);
    expect(later.previousFrom).toBe(profile.from);
    for (const row of later.summary) {
      expect(row.change!.delta).toBeCloseTo((row.value as number) - (was[row.kpi].value as number), 9);
      expect(row.change!.low!).toBeLessThanOrEqual(row.change!.delta);
      expect(row.change!.high!).toBeGreaterThanOrEqual(row.change!.delta);
    }
  });

  it('lists exactly the QA evaluations the QA figure counts', () => {
    const qa = profile.summary.find((r) => r.kpi === 'qa')!;
    expect(profile.qa.total).toBe(qa.n);
    expect(profile.qa.rows.length).toBe(Math.min(50, qa.n));
    for (const r of profile.qa.rows) {
      expect(r.counted).toBe(r.criticalFail ? 0 : r.score);
      expect(Date.parse(r.contactAt!)).toBeGreaterThanOrEqual(START);
    }
    const dates = profile.qa.rows.map((r) => r.evaluatedAt);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it('defaults to the last 12 weeks, this one included, and exports the weekly table as CSV', async () => {
    const p = await get<AgentProfileReply>(`/api/v1/agents/${agent.id}/profile`, 'lead');
    expect(p.weeks).toHaveLength(12);
    expect(p.weeks.at(-1)!.partial).toBe(true);
    expect(p.weeks.at(-2)!.partial).toBe(false);
    expect(Date.parse(p.weeks.at(-1)!.start)).toBe(START + WEEKS * 7 * DAY);
    const four = await get<AgentProfileReply>(`/api/v1/agents/${agent.id}/profile?weeks=4`, 'lead');
    expect(four.weeks.map((w) => w.start)).toEqual(p.weeks.slice(-4).map((w) => w.start));
    const res = await call(t.baseUrl, 'GET', `/api/v1/agents/${agent.id}/profile?${PERIOD}&format=csv`, who.lead!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(WEEK_TABLE_HEADER.join(','));
    expect(lines).toHaveLength(1 + PROFILE_KPIS.length * WEEKS);
    expect(lines[1]).toContain('2026-09-07,CSAT,');
  });

  it('lists only the cases the caller may open', async () => {
    const kinds = (p: AgentProfileReply) => p.cases.map((c) => c.kind).sort();
    expect(kinds(profile)).toEqual(['individual', 'recognition']);
    expect(kinds(await get<AgentProfileReply>(`/api/v1/agents/${agent.id}/profile?${PERIOD}`, 'agent'))).toEqual(['individual', 'recognition']);
    // The coach sees the agent through the case assigned to them, and the unassigned recognition (the coaches' inbox).
    expect(kinds(await get<AgentProfileReply>(`/api/v1/agents/${agent.id}/profile?${PERIOD}`, 'coach'))).toEqual(['individual', 'recognition']);
    // Admins set things up; they do not read coaching content.
    expect(await get<AgentProfileReply>(`/api/v1/agents/${agent.id}/profile?${PERIOD}`, 'admin')).toMatchObject({ cases: [] });
  });

  it('shows the agent their own figures without the team’s, and refuses people outside the agent’s reach', async () => {
    const own = await get<AgentProfileReply>(`/api/v1/agents/${agent.id}/profile?${PERIOD}`, 'agent');
    expect(own.teamVisible).toBe(false);
    expect(own.weeks.map((w) => w.kpis.csat.n)).toEqual(profile.weeks.map((w) => w.kpis.csat.n));
    for (const w of own.weeks) for (const k of PROFILE_KPIS) expect(w.kpis[k].team).toBeNull();
    expect(own.summary.every((r) => r.shrunken === null || r.shrunken.priorMean === null)).toBe(true);
    const refused = async (as: string, id: string) => {
      const res = await call(t.baseUrl, 'GET', `/api/v1/agents/${id}/profile?${PERIOD}`, who[as]!);
      return res.status;
    };
    expect(await refused('lead', outsider.id)).toBe(403);
    expect(await refused('otherLead', agent.id)).toBe(403);
    expect(await refused('agent', directory.agents.find((a) => a.id !== agent.id && a.teamId === team.id)!.id)).toBe(403);
    expect(await refused('coach', outsider.id)).toBe(403);
    expect(await refused('manager', 'a-nobody')).toBe(404);
  });

  it('answers bad input with 400 and a plain reason', async () => {
    const bad = async (query: string) => {
      const res = await call(t.baseUrl, 'GET', `/api/v1/agents/${agent.id}/profile?${query}`, who.manager!);
      expect(res.status, query).toBe(400);
      return ((await res.json()) as { error: { code: string; message: string } }).error;
    };
    expect((await bad('from=2026-09-07')).message).toMatch(/from .*ISO-8601 date-time with an offset/);
    expect((await bad(`from=${iso(START + 7 * DAY)}&to=${iso(START)}`)).message).toBe('to must be after from');
    expect((await bad(`from=${iso(START - 400 * DAY)}&to=${iso(START)}`)).message).toMatch(/at most 366 days/);
    expect((await bad(`from=${iso(START - 400 * DAY)}`)).message).toMatch(/at most 366 days/);
    expect((await bad(`${PERIOD}&format=xml`)).message).toMatch(/format must be json or csv/);
    expect((await bad(`${PERIOD}&form=csv`)).message).toMatch(/unknown query parameter\(s\): form/);
    expect((await bad(`from=${iso(START)}&from=${iso(START)}`)).code).toBe('invalid_input');
    expect((await bad('weeks=0')).message).toMatch(/weeks must be 1 to 53/);
    expect((await bad('weeks=two')).message).toMatch(/weeks must be a whole number of weeks/);
    expect((await bad(`weeks=4&from=${iso(START)}`)).message).toBe('give either from or weeks, not both');
  });
});
