/** Targets: validation, the most specific one applying, status against it, and 90-day attainment from the engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import { statusOf } from '../../../shared/kpis.js';
import { scaledClock } from '../../../server/clock.js';
import { call, seedPeople, sessionFor, type People } from '../../support/people.js';
import { startTestServer, type TestServer } from '../../support/server.js';

let t: TestServer;
let people: People;
const base = { direction: 'up', tolerance: 0.05, effectiveFrom: '2026-01-01', effectiveTo: null, reviewDate: '2027-01-01', owner: 'Max', objective: 'Customers leave happy' };

beforeAll(async () => {
  t = await startTestServer({ clock: scaledClock(1, Date.parse('2026-11-18T15:00:00Z')) });
  people = await seedPeople(t);
  await t.server.kpis.rebuild();
  // Three days of one survey each for Ann: 5, 4, 1 (met, met, off against 80%).
  const key = (await t.server.apiKeys.create('in', ['ingest'])).key;
  const ev: FrontlineEvent[] = [];
  ['2026-11-15', '2026-11-16', '2026-11-17'].forEach((d, i) => {
    ev.push({ id: `o${i}`, type: 'contact.offered', occurredAt: `${d}T10:00:00Z`, contactId: `c${i}`, channel: 'voice', queueId: 'voice-billing' });
    ev.push({ id: `a${i}`, type: 'contact.answered', occurredAt: `${d}T10:00:10Z`, contactId: `c${i}`, agentId: 'a-ann' });
    ev.push({ id: `s${i}`, type: 'survey.responded', occurredAt: `${d}T12:00:00Z`, contactId: `c${i}`, csat: [5, 4, 1][i] as number });
  });
  await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, ev);
});
afterAll(async () => {
  await t.close();
});

describe('targets', () => {
  it('status by direction and tolerance', () => {
    expect(statusOf(0.8, { threshold: 0.8, direction: 'up', tolerance: 0.05 })).toBe('meets');
    expect(statusOf(0.76, { threshold: 0.8, direction: 'up', tolerance: 0.05 })).toBe('within');
    expect(statusOf(0.75, { threshold: 0.8, direction: 'up', tolerance: 0.05 })).toBe('within'); // exactly on the band edge
    expect(statusOf(0.7499, { threshold: 0.8, direction: 'up', tolerance: 0.05 })).toBe('off');
    expect(statusOf(0.7, { threshold: 0.8, direction: 'up', tolerance: 0.05 })).toBe('off');
    expect(statusOf(25, { threshold: 30, direction: 'down', tolerance: 5 })).toBe('meets');
    expect(statusOf(34, { threshold: 30, direction: 'down', tolerance: 5 })).toBe('within');
    expect(statusOf(null, { threshold: 30, direction: 'down', tolerance: 5 })).toBe('no-data');
    expect(statusOf(0.5, null)).toBe('no-target');
  });

  it('the most specific target in force applies, and the KPI answer carries it with its status', async () => {
    const admin = await sessionFor(t, people.admin);
    expect((await call(t.baseUrl, 'POST', '/api/v1/targets', admin, { ...base, kpi: 'csat', scope: 'centre', threshold: 0.8 })).status).toBe(201);
    expect((await call(t.baseUrl, 'POST', '/api/v1/targets', admin, { ...base, kpi: 'csat', scope: 'team:t-billing', threshold: 0.9 })).status).toBe(201);
    expect((await call(t.baseUrl, 'POST', '/api/v1/targets', admin, { ...base, kpi: 'csat', scope: 'team:t-billing', threshold: 0.1, effectiveFrom: '2027-01-01', reviewDate: '2027-06-01' })).status).toBe(201);
    const res = (await (await call(t.baseUrl, 'GET', '/api/v1/kpis?scope=agent:a-ann&from=2026-11-15T00:00:00Z&to=2026-11-18T00:00:00Z', admin)).json()) as {
      kpis: { csat: { value: number } };
      targets: { csat: { threshold: number } | null; aht: unknown };
      status: { csat: string; aht: string };
    };
    expect(res.targets.csat?.threshold).toBe(0.9); // the team's, in force now; not the centre's, not next year's
    expect(res.kpis.csat.value).toBeCloseTo(2 / 3);
    expect(res.status.csat).toBe('off');
    expect(res.status.aht).toBe('no-target');
  });

  it('an agent sees the threshold of a team target that applies to them, not its owner or objective', async () => {
    const ann = await sessionFor(t, people.agent);
    const res = (await (await call(t.baseUrl, 'GET', '/api/v1/kpis?scope=agent:a-ann&from=2026-11-15T00:00:00Z&to=2026-11-18T00:00:00Z', ann)).json()) as {
      targets: { csat: { threshold: number; owner: string; objective: string } | null };
    };
    expect(res.targets.csat).toMatchObject({ threshold: 0.9, owner: '', objective: '' });
  });

  it('shows how often each target was met over the last 90 days', async () => {
    const admin = await sessionFor(t, people.admin);
    await call(t.baseUrl, 'POST', '/api/v1/targets', admin, { ...base, kpi: 'csat', scope: 'agent:a-ann', threshold: 0.8 });
    const list = (await (await call(t.baseUrl, 'GET', '/api/v1/targets', admin)).json()) as { targets: { scope: string; threshold: number; attainment: { daysWithData: number; met: number; off: number; metShare: number } }[] };
    const ann = list.targets.find((x) => x.scope === 'agent:a-ann');
    expect(ann?.attainment).toMatchObject({ daysWithData: 3, met: 2, off: 1 });
    expect(ann?.attainment.metShare).toBeCloseTo(2 / 3);
    // A coach sees that agent's target only while coaching her.
    const cora = await sessionFor(t, people.coach);
    const seen = async () => ((await (await call(t.baseUrl, 'GET', '/api/v1/targets', cora)).json()) as { targets: { scope: string }[] }).targets.map((x) => x.scope);
    expect(await seen()).not.toContain('agent:a-ann');
    await t.server.cases.insert({ kind: 'individual', scope: 'agent:a-ann', agentId: 'a-ann', teamId: 't-billing', kpi: 'csat', rule: 'r', figures: {}, evidenceContactIds: [], assignedCoachId: people.coach.id, openedMs: Date.now() });
    expect(await seen()).toContain('agent:a-ann');
  });

  it('validates plainly, and a manager of one site cannot set targets for another', async () => {
    const admin = await sessionFor(t, people.admin);
    const bad = await call(t.baseUrl, 'POST', '/api/v1/targets', admin, { ...base, kpi: 'csat', scope: 'centre', threshold: 80 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/fraction from 0 to 1/);
    const sue = await sessionFor(t, people.siteManager);
    expect((await call(t.baseUrl, 'POST', '/api/v1/targets', sue, { ...base, kpi: 'csat', scope: 'team:t-billing', threshold: 0.8 })).status).toBe(403);
    expect((await call(t.baseUrl, 'POST', '/api/v1/targets', sue, { ...base, kpi: 'csat', scope: 'team:t-south', threshold: 0.8 })).status).toBe(201);
    const tl = await sessionFor(t, people.teamLeader);
    expect((await call(t.baseUrl, 'POST', '/api/v1/targets', tl, { ...base, kpi: 'csat', scope: 'team:t-billing', threshold: 0.8 })).status).toBe(403);
  });
});
