/** The KPI read API over HTTP: figures as the engine computes them, scopes checked, CSV identical to JSON, trends bounded. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import type { KpiSet } from '../../../shared/kpis.js';
import { scaledClock } from '../../../server/clock.js';
import { call, seedPeople, sessionFor, type Credentials, type People } from '../../support/people.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const DAY = '2026-11-18';
let t: TestServer;
let people: People;
let key: string;

const at = (hhmm: string) => `${DAY}T${hhmm}:00Z`;
const events: FrontlineEvent[] = [
  { id: 'o1', type: 'contact.offered', occurredAt: at('09:00'), contactId: 'c1', channel: 'voice', queueId: 'voice-billing', customerId: 'u1' },
  { id: 'a1', type: 'contact.answered', occurredAt: '2026-11-18T09:00:15Z', contactId: 'c1', agentId: 'a-ann' },
  { id: 'e1', type: 'contact.ended', occurredAt: at('09:06'), contactId: 'c1', agentId: 'a-ann', talkSeconds: 300, holdSeconds: 10, wrapSeconds: 30, resolved: true },
  { id: 's1', type: 'survey.responded', occurredAt: at('11:00'), contactId: 'c1', csat: 5, nps: 10, resolved: true },
  { id: 'o2', type: 'contact.offered', occurredAt: at('09:10'), contactId: 'c2', channel: 'voice', queueId: 'voice-billing' },
  { id: 'a2', type: 'contact.answered', occurredAt: '2026-11-18T09:11:00Z', contactId: 'c2', agentId: 'a-bob' },
  { id: 'e2', type: 'contact.ended', occurredAt: at('09:20'), contactId: 'c2', agentId: 'a-bob', talkSeconds: 500, holdSeconds: 0, wrapSeconds: 40, resolved: false },
  { id: 's2', type: 'survey.responded', occurredAt: at('12:00'), contactId: 'c2', csat: 2, nps: 3 },
  { id: 'o3', type: 'contact.offered', occurredAt: at('09:30'), contactId: 'c3', channel: 'voice', queueId: 'voice-billing' },
  { id: 'x3', type: 'contact.abandoned', occurredAt: '2026-11-18T09:30:40Z', contactId: 'c3' },
  { id: 'o4', type: 'contact.offered', occurredAt: at('09:40'), contactId: 'c4', channel: 'voice', queueId: 'voice-billing' },
  { id: 'x4', type: 'contact.abandoned', occurredAt: '2026-11-18T09:40:02Z', contactId: 'c4' },
];

beforeAll(async () => {
  t = await startTestServer({ clock: scaledClock(1, Date.parse(`${DAY}T15:00:00Z`)) });
  people = await seedPeople(t);
  await t.server.kpis.rebuild();
  key = (await t.server.apiKeys.create('feed', ['ingest'])).key;
  const res = await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, events);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(events.length);
});
afterAll(async () => {
  await t.close();
});

async function kpis(who: Credentials, query: string): Promise<{ status: number; body: { kpis: KpiSet; from: string; to: string } }> {
  const res = await call(t.baseUrl, 'GET', `/api/v1/kpis?${query}`, who);
  return { status: res.status, body: (await res.json()) as { kpis: KpiSet; from: string; to: string } };
}

describe('GET /api/v1/kpis', () => {
  it('answers every KPI with value and n by the definitions, today by default', async () => {
    const { status, body } = await kpis(await sessionFor(t, people.manager), 'scope=centre');
    expect(status).toBe(200);
    expect(body.from).toBe('2026-11-18T00:00:00.000Z');
    const k = body.kpis;
    expect(k.csat).toMatchObject({ value: 0.5, n: 2 });
    expect(k.nps).toMatchObject({ value: 0, n: 2 }); // one promoter, one detractor
    // 4 offered, 1 short abandon (2 s): base 3; answered within 20 s: 1 (15 s); 60 s does not count
    expect(k.serviceLevel).toMatchObject({ value: 1 / 3, n: 3 });
    expect(k.abandonRate).toMatchObject({ value: 1 / 3, n: 3 });
    expect(k.asa).toMatchObject({ value: (15 + 60) / 2, n: 2 });
    expect(k.aht).toMatchObject({ value: (340 + 540) / 2, n: 2 });
    expect(k.fcrSurvey).toMatchObject({ value: 1, n: 1 });
    expect(k.fcrRepeat).toMatchObject({ value: 1, n: 1, provisional: true });
    expect(k.qa).toMatchObject({ value: null, n: 0 });
  });

  it('compares a day with the same day a week earlier, and a shorter window with the period just before', async () => {
    const m = await sessionFor(t, people.manager);
    const day = (await (await call(t.baseUrl, 'GET', '/api/v1/kpis?scope=centre', m)).json()) as { previousLabel: string; previous: KpiSet };
    expect(day.previousLabel).toBe('vs same day last week');
    expect(day.previous.csat.n).toBe(0);
    const hour = (await (await call(t.baseUrl, 'GET', '/api/v1/kpis?scope=centre&from=2026-11-18T10:00:00Z&to=2026-11-18T11:00:00Z', m)).json()) as { previousLabel: string; previous: KpiSet };
    expect(hour.previousLabel).toBe('vs previous period');
    expect(hour.previous.serviceLevel.n).toBe(3); // 09:00-10:00 holds the morning's contacts
  });

  it('a late survey lands in the bucket of its contact, not the hour it arrived', async () => {
    const before = (await kpis(await sessionFor(t, people.manager), 'scope=agent:a-ann&from=2026-11-18T09:00:00Z&to=2026-11-18T09:15:00Z')).body.kpis;
    await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, [{ id: 's1b', type: 'survey.responded', occurredAt: at('14:59'), contactId: 'c1', csat: 1 }]);
    const after = (await kpis(await sessionFor(t, people.manager), 'scope=agent:a-ann&from=2026-11-18T09:00:00Z&to=2026-11-18T09:15:00Z')).body.kpis;
    expect(before.csat).toMatchObject({ value: 1, n: 1 });
    expect(after.csat).toMatchObject({ value: 0.5, n: 2 });
  });

  it('checks the scope: a team leader sees their team, not another; an agent sees only themself', async () => {
    const tl = await sessionFor(t, people.teamLeader);
    expect((await kpis(tl, 'scope=team:t-billing')).status).toBe(200);
    expect((await kpis(tl, 'scope=team:t-tech')).status).toBe(403);
    expect((await kpis(tl, 'scope=agent:a-cat')).status).toBe(403);
    const ann = await sessionFor(t, people.agent);
    expect((await kpis(ann, 'scope=agent:a-ann')).status).toBe(200);
    expect((await kpis(ann, 'scope=agent:a-bob')).status).toBe(403);
    expect((await kpis(ann, 'scope=team:t-billing')).status).toBe(403);
    expect((await kpis(await sessionFor(t, people.siteManager), 'scope=centre')).status).toBe(403);
  });

  it('explains bad input plainly', async () => {
    const m = await sessionFor(t, people.manager);
    const bad = await call(t.baseUrl, 'GET', '/api/v1/kpis?scope=galaxy:1', m);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/scope/);
    expect((await call(t.baseUrl, 'GET', '/api/v1/kpis?from=2026-11-18T10:00:00Z&to=2026-11-18T09:00:00Z', m)).status).toBe(400);
    expect((await call(t.baseUrl, 'GET', '/api/v1/kpis?from=yesterday', m)).status).toBe(400);
  });

  it('CSV carries the same figures as JSON', async () => {
    const m = await sessionFor(t, people.manager);
    const json = (await kpis(m, 'scope=queue:voice-billing')).body.kpis;
    const csv = await (await call(t.baseUrl, 'GET', '/api/v1/kpis?scope=queue:voice-billing&format=csv', m)).text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('kpi,label,shown,value,n,provisional,formula,scope,from,to');
    const row = lines.find((l) => l.startsWith('serviceLevel,'))?.split(',');
    expect(row?.[2]).toBe('33.3%'); // as the tile shows it
    expect(Number(row?.[3])).toBe(json.serviceLevel.value);
    expect(Number(row?.[4])).toBe(json.serviceLevel.n);
  });
});

describe('GET /api/v1/kpis/agents', () => {
  it("gives a team's agents in one answer, each equal to that agent's own GET /api/v1/kpis", async () => {
    const tl = await sessionFor(t, people.teamLeader);
    const range = 'from=2026-11-18T00:00:00Z&to=2026-11-19T00:00:00Z';
    const res = await call(t.baseUrl, 'GET', `/api/v1/kpis/agents?team=t-billing&${range}`, tl);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { agents: { agentId: string; kpis: Partial<KpiSet>; status: Record<string, string> }[]; from: string; to: string };
    expect(body.agents.map((a) => a.agentId).sort()).toEqual(['a-ann', 'a-bob']);
    for (const a of body.agents) {
      const own = (await kpis(tl, `scope=agent:${a.agentId}&${range}`)).body.kpis;
      for (const k of ['serviceLevel', 'csat', 'fcrRepeat', 'aht', 'qa'] as const) expect(a.kpis[k], `${a.agentId} ${k}`).toEqual(own[k]);
      expect(Object.keys(a.status).sort()).toEqual(['aht', 'csat', 'fcrRepeat', 'qa', 'serviceLevel']);
    }
    // Bob: one contact, 540 s handled, CSAT 2 (not satisfied).
    const bob = body.agents.find((a) => a.agentId === 'a-bob');
    expect(bob?.kpis.aht).toMatchObject({ value: 540, n: 1 });
    expect(bob?.kpis.csat).toMatchObject({ value: 0, n: 1 });
  });

  it("checks the team and says what is missing: another team is refused, an unknown one is not found", async () => {
    const tl = await sessionFor(t, people.teamLeader);
    expect((await call(t.baseUrl, 'GET', '/api/v1/kpis/agents?team=t-tech', tl)).status).toBe(403);
    const missing = await call(t.baseUrl, 'GET', '/api/v1/kpis/agents', tl);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/team=ID/);
    const admin = await sessionFor(t, people.admin);
    expect((await call(t.baseUrl, 'GET', '/api/v1/kpis/agents?team=t-nowhere', admin)).status).toBe(404);
    expect((await call(t.baseUrl, 'GET', '/api/v1/kpis/agents?team=t-billing', await sessionFor(t, people.agent))).status).toBe(403);
  });
});

describe('GET /api/v1/trends', () => {
  it('gives one point per period in the centre’s time zone and never more than about 500', async () => {
    const m = await sessionFor(t, people.manager);
    const day = (await (await call(t.baseUrl, 'GET', '/api/v1/trends?kpi=csat&scope=centre&from=2026-11-18T00:00:00Z&to=2026-11-19T00:00:00Z&granularity=hour', m)).json()) as {
      points: { start: string; value: number | null; n: number }[];
    };
    expect(day.points).toHaveLength(24);
    expect(day.points.find((p) => p.start === '2026-11-18T09:00:00.000Z')).toMatchObject({ n: 3 });
    const long = (await (await call(t.baseUrl, 'GET', '/api/v1/trends?kpi=csat&scope=centre&from=2026-05-01T00:00:00Z&to=2026-11-19T00:00:00Z&granularity=interval', m)).json()) as {
      granularity: string;
      points: unknown[];
    };
    expect(long.points.length).toBeLessThanOrEqual(500);
    expect(long.granularity).toBe('day');
    // Across the October clock change a local day is 25 hours long.
    const dst = (await (await call(t.baseUrl, 'GET', '/api/v1/trends?kpi=csat&scope=centre&from=2026-10-24T23:00:00Z&to=2026-10-26T00:00:00Z&granularity=day', m)).json()) as {
      points: { start: string; end: string }[];
    };
    expect(dst.points[0]).toMatchObject({ start: '2026-10-24T23:00:00.000Z', end: '2026-10-26T00:00:00.000Z' });
  });
});
