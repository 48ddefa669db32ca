/**
 * Segments: a scope narrowed by multi-select filters, on SQLite and PostgreSQL. Thirteen simulated days are delivered
 * messily (late, duplicated, shuffled) to a server whose clock stands on the last day, so the first days are answered
 * from rollups and the rest from the hot window. For mixes of teams, queues, channels, reasons, hours of the day and
 * days of the week, every KPI, every bar of a breakdown and every trend day equals the raw-event oracle for the same
 * contacts; the contacts behind a day add up to its point; and team filters and bars keep to what the caller sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import type { ContactsReply } from '../../shared/contacts.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { KPI_NAMES } from '../../shared/kpis.js';
import { EMPTY_FILTER, filterParams, NO_TEAM, type SegmentFilter, type SegmentReply } from '../../shared/segments.js';
import { ManualClock } from '../../server/clock.js';
import { CentreSimulator, defaultCentreDirectory } from '../../server/simulator/index.js';
import { Rng } from '../../server/simulator/random.js';
import { buildOracle, deliveries, expectMatches, type OracleContact } from '../support/kpi-oracle.js';
import { call, sessionFor, type Credentials } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 9, 14); // British Summer Time; the clocks go back on 25 October
const DAYS = 13;
const PERIOD_DAYS = 10;
const TZ = 'Europe/London';
const directory = defaultCentreDirectory();
const [teamA, teamB] = directory.teams.map((t) => t.id) as [string, string];

/** The oracle's view of a filter: the same rule the cells follow, written plainly. */
function predicate(f: SegmentFilter, scopeTeam?: string): (c: OracleContact) => boolean {
  return (c) => {
    const local = new TZDate(c.atMs, TZ);
    const weekday = local.getDay() === 0 ? 7 : local.getDay();
    return (
      (scopeTeam === undefined || c.team === scopeTeam) &&
      (f.teams.length === 0 || f.teams.includes(c.team ?? NO_TEAM)) &&
      (f.queues.length === 0 || (c.queue !== null && f.queues.includes(c.queue))) &&
      (f.channels.length === 0 || (c.channel !== null && f.channels.includes(c.channel))) &&
      (f.reasons.length === 0 || f.reasons.includes(c.reason ?? '(none)')) &&
      (f.hours.length === 0 || f.hours.includes(local.getHours())) &&
      (f.weekdays.length === 0 || f.weekdays.includes(weekday))
    );
  };
}

describe.each(['sqlite', 'postgres'] as const)('segments on %s', (dialect) => {
  let t: TestServer;
  let admin: Credentials;
  let lead: Credentials;
  let oracle: ReturnType<typeof buildOracle>;
  let from: number;
  let to: number;

  const segments = async (who: Credentials, scope: string, f: SegmentFilter, extra: Record<string, string> = {}, range: [number, number] = [from, to]) => {
    const q = filterParams(f, new URLSearchParams({ scope, from: new Date(range[0]).toISOString(), to: new Date(range[1]).toISOString(), ...extra }));
    return call(t.baseUrl, 'GET', `/api/v1/segments?${q}`, who);
  };
  const reply = async (scope: string, f: SegmentFilter, extra: Record<string, string> = {}) => {
    const res = await segments(admin, scope, f, extra);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as SegmentReply;
  };

  beforeAll(async () => {
    const clock = new ManualClock(START + (DAYS - 1) * DAY + 20 * 3600_000);
    t = await startTestServer({ dialect, clock });
    await t.server.directory.replace(directory);
    await t.server.kpis.rebuild();
    const sim = new CentreSimulator({ seed: 21, startMs: START, directory, scenarioWindowDays: DAYS });
    const { batches } = deliveries(sim.advanceTo(clock.now()).filter((e) => e.type !== 'agent.state'), new Rng(7, 3, 1));
    for (const b of batches) await t.server.ingest.ingest(b);
    await t.server.kpis.settle();
    const rows = await t.store.db.selectFrom('events').select('payload').orderBy('seq').execute();
    oracle = buildOracle(
      rows.map((r) => JSON.parse(r.payload) as FrontlineEvent),
      directory,
    );
    const make = async (username: string, role: 'admin' | 'team_leader', teamIds: string[] = []) => {
      const u = await t.server.accounts.create({ username, displayName: username, role, teamIds, password: 'copper kettles sing at dusk' }, { actor: 'test', ip: null });
      return sessionFor(t, { id: u.id, username, role, agentId: null });
    };
    admin = await make('ada', 'admin');
    lead = await make('tia', 'team_leader', [teamA]);
    // Ten whole local days ending at today's local midnight: the first two from rollups, the rest from the hot
    // window; the clock change on 25 October makes one of them 25 hours long.
    to = t.server.kpis.dayStart(clock.now());
    from = t.server.kpis.dayStart(to - PERIOD_DAYS * DAY + 12 * 3600_000);
    expect(t.server.kpis.hotFrom).toBeGreaterThan(from);
    expect(t.server.kpis.hotFrom).toBeLessThan(to);
  }, 300_000);

  afterAll(async () => {
    await t?.close();
  });

  const cases: [string, SegmentFilter][] = [
    ['no filter', EMPTY_FILTER],
    ['two teams', { ...EMPTY_FILTER, teams: [teamA, teamB] }],
    ['a queue on voice', { ...EMPTY_FILTER, queues: ['voice-billing', 'voice-tech', 'chat-general'], channels: ['voice'] }],
    ['reasons', { ...EMPTY_FILTER, reasons: ['bill-dispute', 'refund', 'slow-broadband'] }],
    ['mornings early in the week', { ...EMPTY_FILTER, hours: [8, 9, 10, 11], weekdays: [1, 2, 3] }],
    ['unanswered contacts', { ...EMPTY_FILTER, teams: [NO_TEAM], channels: ['voice', 'chat'] }],
    ['a team at the weekend, one reason', { ...EMPTY_FILTER, teams: [teamB], weekdays: [6, 7], reasons: ['billing-query', 'refund'] }],
  ];

  it.each(cases)('every KPI of "%s", now and the period before, equals the oracle', async (_name, f) => {
    const r = await reply('centre', f);
    expectMatches(r.kpis, oracle(predicate(f), from, to), `${_name} now`);
    expectMatches(r.previous, oracle(predicate(f), Date.parse(r.previousFrom), from), `${_name} before`);
    if (f !== EMPTY_FILTER) expect(r.kpis.csat.n).toBeLessThan((await reply('centre', EMPTY_FILTER)).kpis.csat.n);
  });

  it('every bar of a breakdown and every trend day equal the oracle, and the bars add up to the whole', async () => {
    const f: SegmentFilter = { ...EMPTY_FILTER, channels: ['voice', 'chat'] };
    for (const by of ['team', 'queue', 'reason', 'hour', 'weekday'] as const) {
      const r = await reply('centre', f, { by, kpi: 'csat' });
      expect(r.bars.length, by).toBeGreaterThan(1);
      expect(r.bars.reduce((s, b) => s + b.n, 0), by).toBe(r.kpis.csat.n);
      for (const b of r.bars) {
        const narrowed: SegmentFilter =
          by === 'team' ? { ...f, teams: [b.key] } : by === 'queue' ? { ...f, queues: [b.key] } : by === 'reason' ? { ...f, reasons: [b.key] } : by === 'hour' ? { ...f, hours: [Number(b.key)] } : { ...f, weekdays: [Number(b.key)] };
        const o = oracle(predicate(narrowed), from, to);
        expect(b.n, `${by} ${b.key}`).toBe(o.csat.length);
        expect(b.value, `${by} ${b.key}`).toBeCloseTo(o.csat.filter(([sat]) => sat).length / o.csat.length, 9);
      }
    }
    const r = await reply('centre', f, { kpi: 'aht' });
    expect(r.trend.length).toBe(PERIOD_DAYS);
    for (const p of r.trend) {
      const o = oracle(predicate(f), Date.parse(p.start), Date.parse(p.end));
      expect(p.n, p.start).toBe(o.handleTimes.length);
      if (o.handleTimes.length === 0) expect(p.value, p.start).toBeNull();
      else expect(p.value ?? 0, p.start).toBeCloseTo(o.handleTimes.reduce((s, x) => s + x, 0) / o.handleTimes.length, 6);
    }
    // The 25-hour day of the clock change is one point, midnight to midnight local time.
    expect(r.trend.some((p) => Date.parse(p.end) - Date.parse(p.start) === 25 * 3600_000)).toBe(true);
  });

  it('the contacts behind a day of a filtered trend add up to that point', async () => {
    const f: SegmentFilter = { ...EMPTY_FILTER, reasons: ['refund', 'bill-dispute'], hours: [9, 10, 11, 12, 13, 14, 15, 16] };
    const r = await reply('centre', f, { kpi: 'csat' });
    const point = r.trend.find((p) => p.n > 5)!;
    const q = filterParams(f, new URLSearchParams({ scope: 'centre', from: point.start, to: point.end, kpi: 'csat', limit: '2000' }));
    const list = (await (await call(t.baseUrl, 'GET', `/api/v1/contacts?${q}`, admin)).json()) as ContactsReply;
    expect(list.total).toBe(point.n);
    expect(list.total - list.against).toBe(Math.round((point.value ?? 0) * point.n));
    for (const c of list.contacts) expect(['refund', 'bill-dispute']).toContain(c.reason);
  });

  it('a team leader sees their own team among the choices and bars, never another team', async () => {
    const own = await segments(lead, `team:${teamA}`, { ...EMPTY_FILTER, queues: ['voice-billing'] }, { by: 'queue' });
    expect(own.status).toBe(200);
    const body = (await own.json()) as SegmentReply;
    expectMatches(body.kpis, oracle(predicate({ ...EMPTY_FILTER, queues: ['voice-billing'] }, teamA), from, to), 'team leader own team');
    const centre = (await (await segments(lead, 'centre', EMPTY_FILTER, { by: 'team' })).json()) as SegmentReply;
    expect(centre.options.teams.map((o) => o.id).sort()).toEqual([NO_TEAM, teamA].sort());
    expect(centre.bars.map((b) => b.key).filter((k) => k !== NO_TEAM)).toEqual([teamA]);
    expect(centre.hiddenBars).toBe(directory.teams.length - 1);
    expect((await segments(lead, 'centre', { ...EMPTY_FILTER, teams: [teamB] })).status).toBe(403);
    expect((await segments(lead, `team:${teamB}`, EMPTY_FILTER)).status).toBe(403);
    const q = filterParams({ ...EMPTY_FILTER, teams: [teamB] }, new URLSearchParams({ scope: 'centre', from: new Date(from).toISOString(), to: new Date(from + DAY).toISOString() }));
    expect((await call(t.baseUrl, 'GET', `/api/v1/contacts?${q}`, lead)).status).toBe(403);
  });

  it('refuses bad input with a reason, and exports what the page shows', async () => {
    const bad = async (extra: Record<string, string>, f: SegmentFilter = EMPTY_FILTER, range?: [number, number]) => {
      const res = await segments(admin, 'centre', f, extra, range);
      expect(res.status).toBe(400);
      return JSON.stringify(await res.json());
    };
    expect(await bad({}, { ...EMPTY_FILTER, hours: [24] })).toContain('hours run 0-23');
    expect(await bad({}, { ...EMPTY_FILTER, weekdays: [0] })).toContain('weekdays run 1 (Monday) to 7 (Sunday)');
    expect(await bad({}, { ...EMPTY_FILTER, channels: ['fax'] })).toContain('voice, chat, email, messaging');
    expect(await bad({ by: 'agent' })).toContain('by');
    expect(await bad({}, EMPTY_FILTER, [from, from + 100 * DAY])).toContain('at most 93 days');
    expect(await bad({ scope: `agent:${directory.agents[0]!.id}` })).toContain('profile');
    const f: SegmentFilter = { ...EMPTY_FILTER, queues: ['voice-billing'], weekdays: [1, 2, 3, 4, 5] };
    const json = await reply('centre', f, { by: 'reason', kpi: 'fcrSurvey' });
    const res = await segments(admin, 'centre', f, { by: 'reason', kpi: 'fcrSurvey', format: 'csv' });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines).toHaveLength(2 + KPI_NAMES.length + json.bars.length + json.trend.length);
    expect(lines[1]).toContain('queues: voice-billing; weekdays: 1 2 3 4 5');
    const fcrLine = lines.find((l) => l.startsWith('kpi,fcrSurvey,'))!;
    expect(fcrLine.split(',')[5]).toBe(String(json.kpis.fcrSurvey.n));
    for (const b of json.bars) expect(lines.some((l) => l.startsWith(`by contact reason: fcrSurvey,${b.key},`) && l.includes(`,${b.n},`))).toBe(true);
  });
});
