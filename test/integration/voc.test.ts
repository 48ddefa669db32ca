/**
 * Voice of the customer over a simulated fortnight: the themes API for a team agrees with tagging the team's stored
 * comments directly (same counts, same sentiment split, previous period too), every theme drills to exactly its
 * comments (masked), editing the dictionary re-tags everything, and scopes are checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactIdOf, type FrontlineEvent } from '../../shared/events.js';
import type { ThemesReply, VocComment } from '../../shared/voc.js';
import { sentimentLabel } from '../../shared/voc.js';
import { ManualClock } from '../../server/clock.js';
import { CentreSimulator, defaultCentreDirectory } from '../../server/simulator/index.js';
import { sentimentOf } from '../../server/voc/sentiment.js';
import { compileThemes, DEFAULT_THEMES, tagThemes } from '../../server/voc/themes.js';
import { call, sessionFor, type Credentials } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 8, 7);
const NOW = START + 14 * DAY;
const directory = defaultCentreDirectory();
const team = directory.teams[0]!.id;
let t: TestServer;
let manager: Credentials;
let agent: Credentials;
let stored: FrontlineEvent[] = [];

beforeAll(async () => {
  t = await startTestServer({ clock: new ManualClock(NOW) });
  await t.server.directory.replace(directory);
  await t.server.kpis.rebuild();
  const sim = new CentreSimulator({ seed: 4, startMs: START, directory, scenarios: [] });
  const events = sim.advanceTo(NOW).filter((e) => e.type !== 'agent.state');
  for (let i = 0; i < events.length; i += 5000) await t.server.ingest.ingest(events.slice(i, i + 5000));
  await t.server.voc.settle();
  stored = (await t.store.db.selectFrom('events').select('payload').orderBy('seq').execute()).map((r) => JSON.parse(r.payload) as FrontlineEvent);
  const meta = { actor: 'test', ip: null };
  const m = await t.server.accounts.create({ username: 'mia', displayName: 'Mia', role: 'manager', password: 'copper kettles sing at dusk' }, meta);
  manager = await sessionFor(t, { id: m.id, username: 'mia', role: 'manager', agentId: null });
  const a = await t.server.accounts.create({ username: 'ann', displayName: 'Ann', role: 'agent', agentId: directory.agents[0]!.id, password: 'copper kettles sing at dusk' }, meta);
  agent = await sessionFor(t, { id: a.id, username: 'ann', role: 'agent', agentId: directory.agents[0]!.id });
}, 180_000);

afterAll(async () => {
  await t.close();
});

/** The team's comments in [from, to) straight from the stored events. */
function expected(fromMs: number, toMs: number, themes = compileThemes(DEFAULT_THEMES)) {
  // The agent who answered first, as the KPI engine attributes a contact.
  const agentOf = new Map<string, { agentId: string; at: number }>();
  for (const e of stored) if (e.type === 'contact.answered' && !(Date.parse(e.occurredAt) >= (agentOf.get(e.contactId)?.at ?? Infinity))) agentOf.set(e.contactId, { agentId: e.agentId, at: Date.parse(e.occurredAt) });
  const agents = new Set(directory.agents.filter((a) => a.teamId === team).map((a) => a.id));
  const out: { text: string; themes: string[]; label: string }[] = [];
  for (const e of stored) {
    const text = e.type === 'survey.responded' ? e.comment : e.type === 'complaint.logged' ? e.summary : undefined;
    if (!text) continue;
    const at = Date.parse(e.occurredAt);
    const cid = contactIdOf(e);
    const first = cid ? agentOf.get(cid)?.agentId : undefined;
    const who = e.type === 'complaint.logged' ? (e.agentId ?? first) : first;
    if (at < fromMs || at >= toMs || !who || !agents.has(who)) continue;
    out.push({ text, themes: tagThemes(text, themes), label: sentimentLabel(sentimentOf(text)) });
  }
  return out;
}

describe('voice of the customer', () => {
  it('the themes API for a team agrees with tagging its stored comments directly, previous period included', async () => {
    const from = NOW - 7 * DAY;
    const res = await call(t.baseUrl, 'GET', `/api/v1/voc/themes?scope=team:${team}&from=${new Date(from).toISOString()}&to=${new Date(NOW).toISOString()}`, manager);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ThemesReply;
    const want = expected(from, NOW);
    const before = expected(from - 7 * DAY, from);
    expect(want.length).toBeGreaterThan(100);
    expect(body.comments).toBe(want.length);
    expect(body.sentiment).toEqual({ negative: want.filter((w) => w.label === 'negative').length, neutral: want.filter((w) => w.label === 'neutral').length, positive: want.filter((w) => w.label === 'positive').length });
    for (const th of body.themes) {
      expect(th.count, th.id).toBe(want.filter((w) => w.themes.includes(th.id)).length);
      expect(th.previousCount, th.id).toBe(before.filter((w) => w.themes.includes(th.id)).length);
      expect(th.trend.reduce((s, b) => s + b.count, 0)).toBe(th.count);
      for (const ex of th.examples) expect(ex.themes).toContain(th.id);
    }
    // Sorted by count; every comment is masked.
    expect(body.themes.map((x) => x.count)).toEqual([...body.themes.map((x) => x.count)].sort((a, b) => b - a));
    expect(JSON.stringify(body)).not.toMatch(/@example\.|07700 900\d|4111 1111/);
  });

  it('a theme drills to exactly its comments', async () => {
    const from = new Date(NOW - 7 * DAY).toISOString();
    const res = await call(t.baseUrl, 'GET', `/api/v1/voc/comments?scope=team:${team}&from=${from}&to=${new Date(NOW).toISOString()}&theme=billing&limit=500`, manager);
    const body = (await res.json()) as { total: number; comments: VocComment[] };
    const want = expected(NOW - 7 * DAY, NOW).filter((w) => w.themes.includes('billing'));
    expect(body.total).toBe(want.length);
    expect(body.comments.map((c) => c.text).sort()).toEqual(want.map((w) => w.text).sort());
    const neg = (await (await call(t.baseUrl, 'GET', `/api/v1/voc/comments?scope=team:${team}&from=${from}&to=${new Date(NOW).toISOString()}&sentiment=negative&limit=500`, manager)).json()) as { total: number; comments: VocComment[] };
    expect(neg.comments.every((c) => c.sentiment <= -0.05)).toBe(true);
  });

  it('editing the dictionary re-tags every comment; bad dictionaries are refused with the reason', async () => {
    const bad = await call(t.baseUrl, 'PUT', '/api/v1/voc/dictionary', manager, { themes: [{ id: 'x', label: 'X', phrases: ['a'] }] });
    expect(bad.status).toBe(400);
    const mine = [{ id: 'broadband', label: 'Broadband', phrases: ['broadband', 'drops'] }, ...DEFAULT_THEMES];
    const ok = await call(t.baseUrl, 'PUT', '/api/v1/voc/dictionary', manager, { themes: mine });
    expect(ok.status).toBe(200);
    await t.server.voc.settle();
    const body = (await (await call(t.baseUrl, 'GET', `/api/v1/voc/themes?scope=team:${team}&from=${new Date(NOW - 7 * DAY).toISOString()}&to=${new Date(NOW).toISOString()}`, manager)).json()) as ThemesReply;
    const want = expected(NOW - 7 * DAY, NOW, compileThemes(mine));
    expect(body.themes.find((x) => x.id === 'broadband')?.count).toBe(want.filter((w) => w.themes.includes('broadband')).length);
    expect(want.some((w) => w.themes.includes('broadband'))).toBe(true);
    expect((await call(t.baseUrl, 'PUT', '/api/v1/voc/dictionary', agent, { themes: mine })).status).toBe(403);
  });

  it('checks the scope: an agent sees their own comments, not their team’s', async () => {
    expect((await call(t.baseUrl, 'GET', `/api/v1/voc/themes?scope=team:${team}`, agent)).status).toBe(403);
    expect((await call(t.baseUrl, 'GET', `/api/v1/voc/themes?scope=agent:${directory.agents[0]!.id}`, agent)).status).toBe(200);
  });
});
