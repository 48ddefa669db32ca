/**
 * The flagger inside the server: over stored events (a simulated centre with a struggling agent) it files an
 * individual case that the cases API returns with kind, scope, KPI, opened-at, rule, figures and evidence contact ids
 * (contacts that exist in the store); running it again opens nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../shared/access.js';
import { ManualClock } from '../../server/clock.js';
import { call, sessionFor } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DAY, directory, droppingAgent as agent, START, stepDropEvents } from '../support/step-drop.js';

let t: TestServer;

beforeAll(async () => {
  // This test drives the runs itself (the test server holds off the run that late data asks for).
  t = await startTestServer({ clock: new ManualClock(START + 41 * DAY + 10 * 3600_000) });
  await t.server.directory.replace(directory);
  await t.server.kpis.rebuild();
  const events = stepDropEvents();
  for (let i = 0; i < events.length; i += 5000) await t.server.ingest.ingest(events.slice(i, i + 5000));
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe('flagging in the server', () => {
  it('files an individual case for the struggling agent, served by the cases API with its rule, figures and evidence', async () => {
    const run = await t.server.flagging.run();
    expect(run.opened).toBeGreaterThan(0);
    const admin = await t.server.accounts.create({ username: 'mo.manager', displayName: 'Mo', role: 'manager', password: 'copper kettles sing at dusk' }, { actor: 'test', ip: null });
    const who = await sessionFor(t, { id: admin.id, username: 'mo.manager', role: 'manager', agentId: null });
    const res = await call(t.baseUrl, 'GET', '/api/v1/cases?status=open&kind=individual', who);
    expect(res.status).toBe(200);
    const cases = ((await res.json()) as { cases: CaseSummary[] }).cases;
    const mine = cases.filter((c) => c.agentId === agent);
    expect(mine.length).toBeGreaterThan(0);
    const c = mine[mine.length - 1] as CaseSummary;
    expect(c).toMatchObject({ kind: 'individual', status: 'open', scope: `agent:${agent}` });
    expect(Date.parse(c.openedAt)).toBeGreaterThanOrEqual(START + 26 * DAY - DAY);
    expect(c.rule).toMatch(/CUSUM/);
    expect(String(c.figures.explanation)).toMatch(/peers/);
    expect(c.evidenceContactIds.length).toBeGreaterThan(0);
    const found = await t.store.db.selectFrom('events').select('contact_id').where('contact_id', 'in', c.evidenceContactIds).execute();
    expect(new Set(found.map((r) => r.contact_id)).size).toBe(new Set(c.evidenceContactIds).size);
    // The evidence reads back with each contact's figures; the agent's own bad examples are there.
    const ev = await call(t.baseUrl, 'GET', `/api/v1/cases/${c.id}/evidence`, who);
    expect(ev.status).toBe(200);
    const contacts = ((await ev.json()) as { contacts: { contactId: string; agentId: string | null; csat: number | null; comment: string | null }[] }).contacts;
    expect(contacts.map((x) => x.contactId).sort()).toEqual([...c.evidenceContactIds].sort());
    expect(contacts.every((x) => x.agentId === agent)).toBe(true);
    for (const x of contacts) if (x.comment) expect(x.comment).not.toMatch(/@example\.|\b07700\b|4111 1111/);
  }, 120_000);

  it('running again over the same days opens nothing twice', async () => {
    const before = (await t.server.cases.list({ limit: 1000 })).length;
    // Nothing new: the days are not read again and the flagger is not asked.
    expect(await t.server.flagging.run()).toMatchObject({ read: 'changed', daysRead: 0, flagged: false, opened: 0 });
    // A restart reads and flags every day again.
    t.server.flagging.stop();
    await t.server.flagging.start();
    const again = t.server.flagging.lastRun!;
    expect(again).toMatchObject({ read: 'full', flagged: true });
    expect(again.found).toBeGreaterThan(0);
    expect(again.opened).toBe(0);
    expect((await t.server.cases.list({ limit: 1000 })).length).toBe(before);
  }, 120_000);
});
