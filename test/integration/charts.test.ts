/**
 * The chart API over a simulated centre with known truth: a team-wide CSAT dip shows on the team's XmR chart as
 * special-cause concern low points inside the dip (with the rule lengths in the answer), and an agent with an injected
 * step drop sits below the 95% limit of their team's funnel while the plot lists every agent with interval and limits;
 * by queue, each agent's responses on the queues they work add up to their team-funnel figure.
 * Agents cannot open a team chart, and an agent scope is not a system chart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelReply, XmrChartReply } from '../../shared/charts.js';
import { ManualClock } from '../../server/clock.js';
import { CentreSimulator, defaultCentreDirectory, type ScenarioSpec } from '../../server/simulator/index.js';
import { logit } from '../../server/simulator/random.js';
import { call, sessionFor, type Credentials } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 8, 7); // a Monday
const directory = defaultCentreDirectory();
const billing = 'billing';
const tech = 'tech';
const dropped = directory.agents.find((a) => a.teamId === tech)?.id as string;
const magnitudes = (csat: number, fcr: number) => ({ csatLogit: logit(csat) - logit(0.85), fcrLogit: logit(fcr) - logit(0.75), ahtFactor: 1, qaPoints: 0, arrivalFactor: 1 });
const DIP_FROM = START + 29 * DAY;
const DIP_TO = START + 38 * DAY;
const dip: ScenarioSpec = {
  id: 'dip',
  kind: 'team-dip',
  targetId: billing,
  startMs: DIP_FROM,
  endMs: DIP_TO,
  rampMs: 0,
  magnitudes: magnitudes(0.6, 0.55),
  nominal: { csatFrom: 0.85, csatTo: 0.6, fcrFrom: 0.75, fcrTo: 0.55 },
};
const drop: ScenarioSpec = {
  id: 'drop',
  kind: 'agent-step-drop',
  targetId: dropped,
  startMs: START + 12 * DAY,
  endMs: START + 41 * DAY,
  rampMs: 0,
  magnitudes: magnitudes(0.55, 0.5),
  nominal: { csatFrom: 0.85, csatTo: 0.55, fcrFrom: 0.75, fcrTo: 0.5 },
};

let t: TestServer;
let manager: Credentials;
let billingLead: Credentials;
let agent: Credentials;

async function person(username: string, role: 'manager' | 'team_leader' | 'agent', extra: { teamIds?: string[]; agentId?: string } = {}): Promise<Credentials> {
  const u = await t.server.accounts.create({ username, displayName: username, role, password: 'copper kettles sing at dusk', ...extra }, { actor: 'test', ip: null });
  return sessionFor(t, { id: u.id, username, role, agentId: u.agentId });
}

beforeAll(async () => {
  t = await startTestServer({ clock: new ManualClock(START + 41 * DAY + 10 * 3600_000) });
  await t.server.directory.replace(directory);
  await t.server.kpis.rebuild();
  const sim = new CentreSimulator({ seed: 11, startMs: START, directory, scenarios: [dip, drop] });
  const events = sim.advanceTo(START + 41 * DAY).filter((e) => e.type !== 'agent.state');
  for (let i = 0; i < events.length; i += 5000) await t.server.ingest.ingest(events.slice(i, i + 5000));
  await t.server.kpis.settle();
  manager = await person('mo.manager', 'manager');
  billingLead = await person('bea.lead', 'team_leader', { teamIds: [billing] });
  agent = await person('ann.agent', 'agent', { agentId: directory.agents[0]?.id as string });
}, 180_000);

afterAll(async () => {
  await t.close();
});

async function xmr(who: Credentials, query: string): Promise<{ status: number; body: XmrChartReply & { error?: { message: string } } }> {
  const res = await call(t.baseUrl, 'GET', `/api/v1/charts/xmr?${query}`, who);
  return { status: res.status, body: (await res.json()) as XmrChartReply & { error?: { message: string } } };
}

describe('system XmR chart', () => {
  it("marks special-cause low points in the team's dip and gives the rule lengths it used", async () => {
    const { status, body } = await xmr(billingLead, `scope=team:${billing}&kpi=csat&days=42`);
    expect(status).toBe(200);
    expect(body.rules).toMatchObject({ shiftPoints: 6, trendPoints: 6, baselinePoints: 12, minimumPoints: 13 });
    expect(body.rules.limitWidth).toBeCloseTo(2.66, 3);
    // Sundays are closed: no point, not a zero.
    expect(body.periodsWithoutData).toBeGreaterThan(0);
    expect(body.points.length).toBeGreaterThanOrEqual(30);
    expect(body.limits?.fixed).toBe(true);
    expect(body.limits?.baselinePoints).toBe(12);
    const inDip = (p: { start: string }) => Date.parse(p.start) >= DIP_FROM - DAY && Date.parse(p.start) < DIP_TO;
    const concerns = body.points.filter((p) => p.mark === 'concern');
    const dipConcerns = concerns.filter(inDip);
    expect(dipConcerns.length).toBeGreaterThanOrEqual(3);
    expect(dipConcerns.every((p) => p.low.length > 0)).toBe(true);
    expect(dipConcerns.some((p) => p.low.includes('beyond-limits'))).toBe(true);
    // The dip's points sit well below the baseline mean; outside it concerns are rare.
    expect(concerns.length - dipConcerns.length).toBeLessThanOrEqual(2);
    expect(body.variation).not.toBeNull();
  });

  it("shows the target's assurance icon when a target applies, and no icon without one", async () => {
    const none = await xmr(manager, 'scope=centre&kpi=csat');
    expect(none.status).toBe(200);
    expect(none.body.target).toBeNull();
    expect(none.body.assurance).toBeNull();
    const target = async (scope: string, threshold: number) => {
      const res = await call(t.baseUrl, 'POST', '/api/v1/targets', manager, {
        kpi: 'csat',
        scope,
        threshold,
        direction: 'up',
        tolerance: 0.02,
        effectiveFrom: '2026-01-01',
        effectiveTo: null,
        reviewDate: '2027-01-01',
        owner: 'Mo',
        objective: 'customers leave satisfied',
      });
      expect(res.status).toBe(201);
    };
    // The team inherits its site's target; 60% is below the lower process limit: the process meets it every day.
    await target('site:leeds', 0.6);
    const inherited = await xmr(manager, `scope=team:${tech}&kpi=csat`);
    expect(inherited.body.target).toMatchObject({ threshold: 0.6, scope: 'site:leeds' });
    expect(inherited.body.limits?.lower).toBeGreaterThan(0.6);
    expect(inherited.body.assurance).toBe('pass');
    // The team's own target (more specific) applies; 85% lies between the limits: some days will miss it.
    await target(`team:${tech}`, 0.85);
    const own = await xmr(manager, `scope=team:${tech}&kpi=csat`);
    expect(own.body.target).toMatchObject({ threshold: 0.85, scope: `team:${tech}` });
    expect(own.body.assurance).toBe('hit-or-miss');
  });

  it('refuses an agent scope (400) and a team the caller cannot see (403)', async () => {
    const agentScope = await xmr(manager, `scope=agent:${dropped}&kpi=csat`);
    expect(agentScope.status).toBe(400);
    expect(agentScope.body.error?.message).toMatch(/not one agent/);
    const asAgent = await xmr(agent, `scope=team:${billing}&kpi=csat`);
    expect(asAgent.status).toBe(403);
    expect(asAgent.body.error?.message).toMatch(/do not have access to team:billing/);
    // An agent still sees the centre, as on every other figure.
    expect((await xmr(agent, 'scope=centre&kpi=csat')).status).toBe(200);
  });

  it("draws today's completed quarter-hours at interval granularity", async () => {
    const { status, body } = await xmr(manager, 'scope=centre&kpi=csat&granularity=interval');
    expect(status).toBe(200);
    expect(body.granularity).toBe('interval');
    for (const p of body.points) expect(Date.parse(p.end)).toBeLessThanOrEqual(t.clock.now());
    expect(body.points.every((p) => /^\d\d:\d\d$/.test(p.label))).toBe(true);
  });
});

describe('agent funnel plot', () => {
  it('lists each agent of the team with n, Wilson interval, shrunken rate and limits; the dropped agent is below the 95% limit', async () => {
    const res = await call(t.baseUrl, 'GET', `/api/v1/charts/funnel?team=${tech}&kpi=csat&days=28`, manager);
    expect(res.status).toBe(200);
    const f = (await res.json()) as FunnelReply;
    const members = directory.agents.filter((a) => a.teamId === tech).map((a) => a.id);
    expect(f.agents.map((a) => a.agentId).sort()).toEqual([...members].sort());
    expect(f.theta0).toBeGreaterThan(0.6);
    expect(f.phi).not.toBeNull();
    expect(f.tau2).toBeGreaterThanOrEqual(0);
    expect(f.funnel.length).toBeGreaterThan(10);
    for (const a of f.agents) {
      expect(a.n).toBeGreaterThan(0);
      expect(a.wilson?.lower).toBeLessThanOrEqual(a.rate as number);
      expect(a.wilson?.upper).toBeGreaterThanOrEqual(a.rate as number);
      expect(a.shrunken).not.toBeNull();
      expect(a.limits?.lower998).toBeLessThan(a.limits?.lower95 as number);
    }
    const d = f.agents.find((a) => a.agentId === dropped);
    expect(d?.rate).toBeLessThan(d?.limits?.lower95 as number);
    expect(d?.position).toMatch(/^below-/);
    // Shrinkage pulls towards the group rate, never past it.
    expect(d?.shrunken?.mean).toBeGreaterThan(d?.rate as number);
    expect(d?.shrunken?.mean).toBeLessThan(f.theta0 as number);
  });

  it("refuses a team leader another team's agents (403), an agent (403), and a team and a queue at once (400)", async () => {
    expect((await call(t.baseUrl, 'GET', `/api/v1/charts/funnel?team=${tech}`, billingLead)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', `/api/v1/charts/funnel?team=${billing}`, billingLead)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', `/api/v1/charts/funnel?team=${billing}`, agent)).status).toBe(403);
    // chat-general is answered by all three teams: a billing team leader may not see the others' agents on it.
    expect((await call(t.baseUrl, 'GET', '/api/v1/charts/funnel?queue=chat-general', billingLead)).status).toBe(403);
    const both = await call(t.baseUrl, 'GET', `/api/v1/charts/funnel?team=${tech}&queue=voice-tech`, manager);
    expect(both.status).toBe(400);
    expect(((await both.json()) as { error: { message: string } }).error.message).toMatch(/team or which queue/);
    expect((await call(t.baseUrl, 'GET', '/api/v1/charts/funnel?queue=no-such-queue', manager)).status).toBe(404);
  });

  it("by queue places each agent by their contacts on that queue alone, and estimates overdispersion over every agent on it", async () => {
    const get = async (q: string) => {
      const res = await call(t.baseUrl, 'GET', `/api/v1/charts/funnel?${q}&kpi=csat&days=28`, manager);
      expect(res.status, q).toBe(200);
      return (await res.json()) as FunnelReply;
    };
    const team = await get(`team=${tech}`);
    const queues = await Promise.all(directory.queues.map((q) => get(`queue=${q.id}`)));
    // Each tech agent's responses on the queues they work add up to their responses on the team funnel.
    for (const a of team.agents) {
      const onQueues = queues.map((f) => f.agents.find((x) => x.agentId === a.agentId)?.n ?? 0);
      expect(onQueues.reduce((x, y) => x + y, 0), a.agentId).toBe(a.n);
      expect(onQueues.filter((n) => n > 0).length, `${a.agentId} works more than one queue`).toBeGreaterThan(1);
    }
    const chat = queues[directory.queues.findIndex((q) => q.id === 'chat-general')] as FunnelReply;
    expect(chat.group).toEqual({ kind: 'queue', id: 'chat-general', name: directory.queues.find((q) => q.id === 'chat-general')?.name });
    // Agents of all three teams, so τ² rests on 45 agents rather than one team's 15.
    expect(new Set(chat.agents.map((a) => directory.agents.find((x) => x.id === a.agentId)?.teamId)).size).toBe(3);
    expect(chat.units).toBeGreaterThan(40);
    expect(chat.phi).not.toBeNull();
    const y = chat.agents.reduce((s, a) => s + a.y, 0);
    const n = chat.agents.reduce((s, a) => s + a.n, 0);
    expect(chat.theta0).toBeCloseTo(y / n, 10);
    expect(chat.method).toMatch(/on this queue alone/);
  });
});
