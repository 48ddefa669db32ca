/**
 * Issue 18, point 1: a centre that backfills its history through the ingest API sees its cases without a restart.
 * The server starts on an empty store (its flagger's first run finds nothing), then six weeks of a simulated centre
 * with one agent's step drop are posted through POST /api/v2/events, as a new user would. With the product's own
 * settings (20 s quiet, 60 s at most), the case for the dropping agent must be served by the cases API within
 * 2 minutes of the last batch, with no call to the flagger from the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../shared/access.js';
import { ManualClock } from '../../server/clock.js';
import { call, sessionFor } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DAY, directory, droppingAgent as agent, START, stepDropEvents } from '../support/step-drop.js';

let t: TestServer;

beforeAll(async () => {
  // The product's own settings for the run that late data asks for (the test server otherwise holds it off).
  t = await startTestServer({ clock: new ManualClock(START + 41 * DAY + 10 * 3600_000), env: { FLAGGER_LATE_QUIET_SECONDS: '20', FLAGGER_LATE_MAX_WAIT_SECONDS: '60' } });
  await t.server.directory.replace(directory);
  await t.server.kpis.rebuild();
}, 60_000);

afterAll(async () => {
  await t.close();
});

describe('a backfill posted through the API', () => {
  it('is flagged within 2 minutes of its last batch, without a restart', async () => {
    // The flagger's run at start saw an empty store.
    await t.server.flagging.run();
    expect(t.server.flagging.lastRun?.found).toBe(0);
    const manager = await t.server.accounts.create({ username: 'mo.manager', displayName: 'Mo', role: 'manager', password: 'copper kettles sing at dusk' }, { actor: 'test', ip: null });
    const who = await sessionFor(t, { id: manager.id, username: 'mo.manager', role: 'manager', agentId: null });
    const key = await t.key(['ingest']);

    const events = stepDropEvents();
    for (let i = 0; i < events.length; i += 5000) {
      const res = await fetch(`${t.baseUrl}/api/v2/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(events.slice(i, i + 5000)) });
      expect(res.status).toBe(200);
    }
    const posted = Date.now();

    let mine: CaseSummary[] = [];
    while (Date.now() - posted < 120_000) {
      const res = await call(t.baseUrl, 'GET', '/api/v1/cases?status=open&kind=individual', who);
      mine = ((await res.json()) as { cases: CaseSummary[] }).cases.filter((c) => c.agentId === agent);
      if (mine.length > 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const tookMs = Date.now() - posted;
    console.log(`flagging-late: ${events.length} events posted; the dropping agent's case served ${(tookMs / 1000).toFixed(1)} s after the last batch`);
    expect(mine.length, 'a case for the dropping agent within 2 minutes').toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ kind: 'individual', status: 'open', scope: `agent:${agent}` });
    expect(tookMs).toBeLessThan(120_000);
  }, 240_000);
});
