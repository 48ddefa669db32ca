/**
 * The service quality review over a simulated month with a team-wide dip: its results equal the KPI API for the same
 * scope and period (this period and the previous one), its segments equal the KPI API per team with Wilson intervals,
 * its themes equal the VoC API, the dip shows as a special cause with a recommendation linked to its contacts, a
 * saved review keeps its snapshot and takes comments, and scopes are checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpiSet } from '../../shared/kpis.js';
import type { SavedReview, ServiceReview } from '../../shared/review.js';
import type { ThemesReply } from '../../shared/voc.js';
import { ManualClock } from '../../server/clock.js';
import { CentreSimulator, defaultCentreDirectory, type ScenarioSpec } from '../../server/simulator/index.js';
import { logit } from '../../server/simulator/random.js';
import { call, sessionFor, type Credentials } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 8, 6, 23); // local midnight, Monday 7 September 2026, Europe/London
const NOW = START + 40 * DAY + 10 * 3600_000;
const directory = defaultCentreDirectory();
const dipTeam = directory.teams[2]!.id;
const dip: ScenarioSpec = {
  id: 'dip',
  kind: 'team-dip',
  targetId: dipTeam,
  startMs: START + 30 * DAY,
  endMs: START + 37 * DAY,
  rampMs: 0,
  magnitudes: { csatLogit: logit(0.55) - logit(0.85), fcrLogit: logit(0.5) - logit(0.75), ahtFactor: 1.2, qaPoints: -5, arrivalFactor: 1 },
  nominal: { csatFrom: 0.85, csatTo: 0.55, fcrFrom: 0.75, fcrTo: 0.5 },
};
let t: TestServer;
let manager: Credentials;
let otherLead: Credentials;
let review: ServiceReview;
const FROM = '2026-09-21';
const TO = '2026-10-15';

beforeAll(async () => {
  t = await startTestServer({ clock: new ManualClock(NOW) });
  await t.server.directory.replace(directory);
  await t.server.kpis.rebuild();
  const sim = new CentreSimulator({ seed: 12, startMs: START, directory, scenarios: [dip] });
  const events = sim.advanceTo(START + 40 * DAY).filter((e) => e.type !== 'agent.state');
  for (let i = 0; i < events.length; i += 5000) await t.server.ingest.ingest(events.slice(i, i + 5000));
  await t.server.kpis.settle();
  await t.server.voc.settle();
  const meta = { actor: 'test', ip: null };
  const m = await t.server.accounts.create({ username: 'mo', displayName: 'Mo Manager', role: 'manager', password: 'copper kettles sing at dusk' }, meta);
  manager = await sessionFor(t, { id: m.id, username: 'mo', role: 'manager', agentId: null });
  const l = await t.server.accounts.create({ username: 'lee', displayName: 'Lee', role: 'team_leader', teamIds: [directory.teams[0]!.id], password: 'copper kettles sing at dusk' }, meta);
  otherLead = await sessionFor(t, { id: l.id, username: 'lee', role: 'team_leader', agentId: null });
  const target = { kpi: 'csat', scope: 'centre', threshold: 0.95, direction: 'up', tolerance: 0.02, effectiveFrom: '2026-01-01', effectiveTo: null, reviewDate: '2027-01-01', owner: 'Mo', objective: 'Happy customers' };
  expect((await call(t.baseUrl, 'POST', '/api/v1/targets', manager, target)).status).toBe(201);
  const res = await call(t.baseUrl, 'GET', `/api/v1/reviews/preview?scope=centre&from=${FROM}&to=${TO}`, manager);
  expect(res.status).toBe(200);
  review = ((await res.json()) as { review: ServiceReview }).review;
}, 180_000);

afterAll(async () => {
  await t.close();
});

const kpisFor = async (scope: string, from: string, to: string) => ((await (await call(t.baseUrl, 'GET', `/api/v1/kpis?scope=${scope}&from=${from}&to=${to}`, manager)).json()) as { kpis: KpiSet }).kpis;

describe('the service quality review', () => {
  it('reports each KPI as the KPI API does for the same scope and period, and the previous period', async () => {
    expect(review).toMatchObject({ scope: 'centre', from: FROM, to: TO, days: 25 });
    // Local midnights in the centre's zone (BST here), whatever zone the server runs in.
    expect(review.fromAt).toBe('2026-09-20T23:00:00.000Z');
    expect(Date.parse(review.toAt) - Date.parse(review.fromAt)).toBe(25 * 86_400_000);
    const len = Date.parse(review.toAt) - Date.parse(review.fromAt);
    const now = await kpisFor('centre', review.fromAt, review.toAt);
    const before = await kpisFor('centre', new Date(Date.parse(review.fromAt) - len).toISOString(), review.fromAt);
    for (const r of review.results) {
      expect(r.value, r.kpi).toBe(now[r.kpi].value);
      expect(r.n, r.kpi).toBe(now[r.kpi].n);
      expect(r.previous, r.kpi).toBe(before[r.kpi].value);
      // One chart point per day with data (the simulated centre is closed on some days).
      const trend = (await (await call(t.baseUrl, 'GET', `/api/v1/trends?kpi=${r.kpi}&scope=centre&from=${review.fromAt}&to=${review.toAt}&granularity=day`, manager)).json()) as { points: { n: number; value: number | null }[] };
      expect(r.points.map((p) => p.value)).toEqual(trend.points.filter((p) => p.n > 0 && p.value !== null).map((p) => p.value));
    }
    const csat = review.results.find((r) => r.kpi === 'csat')!;
    expect(review.plan.find((p) => p.kpi === 'csat')?.target).toMatchObject({ threshold: 0.95, scope: 'centre' });
    expect(csat.status).toBe('off');
    expect(csat.assurance).toBe('fail');
  });

  it('segments equal the KPI API per team, with the dipped team marked worse', async () => {
    const teams = review.segments.find((s) => s.kpi === 'csat' && s.by === 'team')!;
    for (const row of teams.rows) {
      const k = await kpisFor(row.scope, review.fromAt, review.toAt);
      expect(row.value).toBe(k.csat.value);
      expect(row.n).toBe(k.csat.n);
      expect(row.low!).toBeLessThan(row.value!);
    }
    expect(teams.rows.find((r) => r.scope === `team:${dipTeam}`)?.differs).toBe('worse');
  });

  it('themes equal the VoC API; the dip is a special cause with a recommendation linked to its evidence', async () => {
    const voc = (await (await call(t.baseUrl, 'GET', `/api/v1/voc/themes?scope=centre&from=${review.fromAt}&to=${review.toAt}`, manager)).json()) as ThemesReply;
    expect(review.themes.comments).toBe(voc.comments);
    for (const th of review.themes.top) expect(th.count).toBe(voc.themes.find((x) => x.id === th.id)?.count);
    const csat = review.results.find((r) => r.kpi === 'csat')!;
    expect(csat.specialCauses.some((s) => s.kind === 'concern' && s.day >= '2026-10-07')).toBe(true);
    const texts = review.recommendations.map((r) => r.text).join('\n');
    expect(texts).toMatch(/Change the process behind CSAT/);
    expect(texts).toMatch(/trails the rest on CSAT/);
    const cause = review.recommendations.find((r) => /special cause/.test(r.text))!;
    expect(cause.evidence.href).toMatch(/^\/contacts\?scope=centre&from=.*&kpi=/);
  });

  it('a saved review keeps its snapshot and takes comments; scopes are checked', async () => {
    const saved = await call(t.baseUrl, 'POST', '/api/v1/reviews', manager, { scope: `team:${dipTeam}`, from: FROM, to: TO, title: 'October review' });
    expect(saved.status).toBe(201);
    const { id } = (await saved.json()) as { id: string };
    const c = await call(t.baseUrl, 'POST', `/api/v1/reviews/${id}/comments`, manager, { text: 'Agreed: the knowledge base article on refunds goes first.' });
    expect(c.status).toBe(201);
    const got = ((await (await call(t.baseUrl, 'GET', `/api/v1/reviews/${id}`, manager)).json()) as { review: SavedReview }).review;
    expect(got.snapshot.scope).toBe(`team:${dipTeam}`);
    expect(got.comments).toMatchObject([{ authorName: 'Mo Manager', text: 'Agreed: the knowledge base article on refunds goes first.' }]);
    // Another team's leader cannot read it or preview that team.
    expect((await call(t.baseUrl, 'GET', `/api/v1/reviews/${id}`, otherLead)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', `/api/v1/reviews/preview?scope=team:${dipTeam}&from=${FROM}&to=${TO}`, otherLead)).status).toBe(403);
    const bad = await call(t.baseUrl, 'GET', `/api/v1/reviews/preview?scope=centre&from=${TO}&to=${FROM}`, manager);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/on or after/);
  });
});
