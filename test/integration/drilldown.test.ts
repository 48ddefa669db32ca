/**
 * Drill-down: the contacts behind a chart point add up to that point. For a team and a day, the contacts listed for
 * CSAT, FCR (survey) and AHT number exactly the KPI engine's n, and those marked against CSAT are its dissatisfied
 * surveys; a contact opens on its whole timeline; scopes and contacts outside what the caller sees are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactRecord, ContactsReply } from '../../shared/contacts.js';
import { ManualClock } from '../../server/clock.js';
import { CentreSimulator, defaultCentreDirectory } from '../../server/simulator/index.js';
import { call, sessionFor, type Credentials } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 8, 7);
const NOW = START + 5 * DAY;
const directory = defaultCentreDirectory();
const team = directory.teams[1]!.id;
const otherAgent = directory.agents.find((a) => a.teamId !== team)!.id;
let t: TestServer;
let lead: Credentials;

beforeAll(async () => {
  t = await startTestServer({ clock: new ManualClock(NOW) });
  await t.server.directory.replace(directory);
  await t.server.kpis.rebuild();
  const sim = new CentreSimulator({ seed: 6, startMs: START, directory, scenarios: [] });
  const events = sim.advanceTo(NOW).filter((e) => e.type !== 'agent.state');
  for (let i = 0; i < events.length; i += 5000) await t.server.ingest.ingest(events.slice(i, i + 5000));
  await t.server.kpis.settle();
  const u = await t.server.accounts.create({ username: 'tia', displayName: 'Tia', role: 'team_leader', teamIds: [team], password: 'copper kettles sing at dusk' }, { actor: 'test', ip: null });
  lead = await sessionFor(t, { id: u.id, username: 'tia', role: 'team_leader', agentId: null });
}, 180_000);

afterAll(async () => {
  await t.close();
});

describe('the contacts behind a point', () => {
  it('add up to the KPI engine’s figures for a team and a day', async () => {
    const from = START + 2 * DAY - 3600_000; // local midnight, Europe/London in summer
    const to = from + DAY;
    const kpis = await t.server.kpis.query(`team:${team}`, from, to);
    const list = async (kpi: string) => (await (await call(t.baseUrl, 'GET', `/api/v1/contacts?scope=team:${team}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&kpi=${kpi}&limit=2000`, lead)).json()) as ContactsReply;
    const csat = await list('csat');
    expect(csat.total).toBeGreaterThan(20);
    expect(csat.total).toBe(kpis.csat.n);
    expect(csat.total - csat.against).toBeCloseTo((kpis.csat.value ?? 0) * kpis.csat.n, 6);
    expect(csat.contacts[0]?.against).toBe(true);
    expect((await list('fcrSurvey')).total).toBe(kpis.fcrSurvey.n);
    const aht = await list('aht');
    expect(aht.total).toBe(kpis.aht.n);
    expect(aht.contacts.reduce((s, c) => s + (c.handleSeconds ?? 0), 0) / aht.total).toBeCloseTo(kpis.aht.value ?? 0, 6);
  });

  it('opens one contact on its timeline; refuses what the caller cannot see', async () => {
    const from = new Date(START + 2 * DAY).toISOString();
    const to = new Date(START + 3 * DAY).toISOString();
    const list = (await (await call(t.baseUrl, 'GET', `/api/v1/contacts?scope=team:${team}&from=${from}&to=${to}&kpi=csat`, lead)).json()) as ContactsReply;
    const one = list.contacts[0]!;
    const rec = (await (await call(t.baseUrl, 'GET', `/api/v1/contacts/${one.contactId}`, lead)).json()) as ContactRecord;
    expect(rec.contact).toMatchObject({ contactId: one.contactId, agentId: one.agentId, csat: one.csat });
    expect(rec.timeline.map((e) => e.type)).toContain('contact.offered');
    expect(rec.timeline.map((e) => e.type)).toContain('survey.responded');
    expect((await call(t.baseUrl, 'GET', `/api/v1/contacts?scope=agent:${otherAgent}&from=${from}&to=${to}`, lead)).status).toBe(403);
    const theirs = (await t.store.db.selectFrom('events').select('contact_id').where('type', '=', 'contact.answered').where('agent_id', '=', otherAgent).limit(1).executeTakeFirstOrThrow()).contact_id!;
    expect((await call(t.baseUrl, 'GET', `/api/v1/contacts/${theirs}`, lead)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', `/api/v1/contacts?scope=team:${team}&from=${from}&to=${new Date(START + 40 * DAY).toISOString()}`, lead)).status).toBe(400);
  });
});
