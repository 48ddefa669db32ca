/**
 * Wallboards over the API: who may build and change boards and rotations, what a screen may read, and that bad
 * layouts are refused with a plain reason and leave nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardBody, TileData, WallConfig } from '../../shared/boards.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { call, openSocket, pairDisplay, seedPeople, sessionFor, type Credentials, type People } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
let people: People;
let admin: Credentials;
let lead: Credentials;

const billingBoard: BoardBody = {
  name: 'Billing',
  staleAfterSeconds: 30,
  tiles: [
    { id: 'csat', kind: 'kpi', scope: 'team:t-billing', window: 'today', kpi: 'csat', w: 4, h: 2 },
    { id: 'agents', kind: 'agents', scope: 'team:t-billing', window: 'today', kpi: 'csat', w: 8, h: 2 },
    { id: 'comments', kind: 'comments', scope: 'team:t-billing', window: 'today', w: 6, h: 2 },
    { id: 'coaching', kind: 'coaching', scope: 'team:t-billing', window: 'today', w: 6, h: 2 },
  ],
};

beforeAll(async () => {
  t = await startTestServer();
  people = await seedPeople(t);
  admin = await sessionFor(t, people.admin);
  lead = await sessionFor(t, people.teamLeader);
  const key = (await t.server.apiKeys.create('in', ['ingest'])).key;
  const at = new Date(Date.now() - 60_000).toISOString();
  const events: FrontlineEvent[] = [
    { id: 'b1-o', type: 'contact.offered', occurredAt: at, contactId: 'b1', channel: 'voice', queueId: 'voice-billing' },
    { id: 'b1-a', type: 'contact.answered', occurredAt: at, contactId: 'b1', agentId: 'a-ann' },
    { id: 'b1-s', type: 'survey.responded', occurredAt: at, contactId: 'b1', csat: 2, comment: 'Rang 07700 900123 three times, card 4111 1111 1111 1111 charged twice' },
    { id: 'b2-o', type: 'contact.offered', occurredAt: at, contactId: 'b2', channel: 'chat', queueId: 'chat-south' },
    { id: 'b2-a', type: 'contact.answered', occurredAt: at, contactId: 'b2', agentId: 'a-dan' },
    { id: 'b2-s', type: 'survey.responded', occurredAt: at, contactId: 'b2', csat: 5, comment: 'South team were great' },
  ];
  expect((await call(t.baseUrl, 'POST', '/api/v1/events', { bearer: key }, events)).status).toBe(200);
});
afterAll(async () => {
  await t.close();
});

describe('boards and rotations', () => {
  it('a team leader builds a board over their team, but not over a team they cannot see', async () => {
    const ok = await call(t.baseUrl, 'POST', '/api/v1/boards', lead, billingBoard);
    expect(ok.status).toBe(201);
    const tech = await call(t.baseUrl, 'POST', '/api/v1/boards', lead, { ...billingBoard, tiles: [{ id: 'x', kind: 'kpi', scope: 'team:t-tech', kpi: 'csat' }] });
    expect(tech.status).toBe(403);
    expect(((await tech.json()) as { error: { message: string } }).error.message).toMatch(/team:t-tech/);
    expect((await call(t.baseUrl, 'POST', '/api/v1/boards', await sessionFor(t, people.agent), billingBoard)).status).toBe(403);
  });

  it('refuses bad layouts plainly and stores nothing', async () => {
    const before = ((await (await call(t.baseUrl, 'GET', '/api/v1/boards', admin)).json()) as { boards: unknown[] }).boards.length;
    const cases: [unknown, RegExp][] = [
      [{ ...billingBoard, tiles: [{ id: 'a', kind: 'kpi', scope: 'centre' }] }, /needs a kpi/],
      [{ ...billingBoard, tiles: [billingBoard.tiles[0], billingBoard.tiles[0]] }, /used twice/],
      [{ ...billingBoard, tiles: Array.from({ length: 7 }, (_, i) => ({ id: `t${i}`, kind: 'queue', scope: 'centre', w: 12, h: 1 })) }, /72/],
      [{ ...billingBoard, tiles: [{ id: 'q', kind: 'agents', scope: 'queue:voice-billing', kpi: 'csat' }] }, /agents tile/],
      [{ ...billingBoard, tiles: [{ id: 'q', kind: 'kpi', scope: 'galaxy:far', kpi: 'csat' }] }, /scope/],
      [{ ...billingBoard, extra: 1 }, /extra|unrecognized/i],
    ];
    for (const [body, why] of cases) {
      const r = await call(t.baseUrl, 'POST', '/api/v1/boards', admin, body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(JSON.stringify(await r.json())).toMatch(why);
    }
    const after = ((await (await call(t.baseUrl, 'GET', '/api/v1/boards', admin)).json()) as { boards: unknown[] }).boards.length;
    expect(after).toBe(before);
  });

  it('a rotation must hold existing boards the caller can see; a board in use cannot be deleted', async () => {
    const board = ((await (await call(t.baseUrl, 'POST', '/api/v1/boards', admin, { ...billingBoard, name: 'South', tiles: [{ id: 'c', kind: 'kpi', scope: 'site:s-south', kpi: 'csat' }] })).json()) as { board: { id: string } }).board;
    expect((await call(t.baseUrl, 'POST', '/api/v1/rotations', admin, { name: 'R', items: [{ boardId: 'b_nope', dwellSeconds: 30 }] })).status).toBe(400);
    expect((await call(t.baseUrl, 'POST', '/api/v1/rotations', lead, { name: 'R', items: [{ boardId: board.id, dwellSeconds: 30 }] })).status).toBe(403);
    const rot = await call(t.baseUrl, 'POST', '/api/v1/rotations', admin, { name: 'R', items: [{ boardId: board.id, dwellSeconds: 30 }] });
    expect(rot.status).toBe(201);
    const del = await call(t.baseUrl, 'DELETE', `/api/v1/boards/${board.id}`, admin);
    expect(del.status).toBe(409);
    expect(((await del.json()) as { error: { message: string } }).error.message).toMatch(/rotation/);
  });
});

describe('what a screen reads', () => {
  let screen: { cookie: string; id: string };
  let boardId: string;
  let otherBoardId: string;

  beforeAll(async () => {
    screen = await pairDisplay(t, lead, ['team:t-billing'], 'Billing wall');
    boardId = ((await (await call(t.baseUrl, 'POST', '/api/v1/boards', lead, billingBoard)).json()) as { board: { id: string } }).board.id;
    otherBoardId = ((await (await call(t.baseUrl, 'POST', '/api/v1/boards', admin, { ...billingBoard, name: 'South', tiles: [{ id: 's', kind: 'comments', scope: 'site:s-south' }] })).json()) as { board: { id: string } }).board.id;
    expect((await call(t.baseUrl, 'PUT', `/api/v1/displays/${screen.id}/shows`, lead, { shows: `board:${otherBoardId}`, reloadHour: null })).status).toBe(403);
    expect((await call(t.baseUrl, 'PUT', `/api/v1/displays/${screen.id}/shows`, lead, { shows: `board:${boardId}`, reloadHour: 5 })).status).toBe(200);
  });

  it('its layout: boards, targets, reload hour; people cannot read it', async () => {
    const r = await call(t.baseUrl, 'GET', '/api/v1/wall', { cookie: screen.cookie });
    expect(r.status).toBe(200);
    const cfg = (await r.json()) as WallConfig;
    expect(cfg.boards.map((b) => b.board.id)).toEqual([boardId]);
    expect(cfg.reloadHour).toBe(5);
    expect(Object.keys(cfg.targets)).toContain('team:t-billing|csat');
    expect((await call(t.baseUrl, 'GET', '/api/v1/wall', lead)).status).toBe(403);
  });

  it('tile data for its own board only; comments masked and limited to the scope', async () => {
    const get = (b: string, tile: string) => call(t.baseUrl, 'GET', `/api/v1/wall/tiles/${b}/${tile}`, { cookie: screen.cookie });
    const comments = ((await (await get(boardId, 'comments')).json()) as { data: TileData }).data;
    expect(comments.kind).toBe('comments');
    const text = JSON.stringify(comments);
    expect(text).toContain('[phone]');
    expect(text).toContain('[card]');
    expect(text).not.toContain('07700');
    expect(text).not.toContain('South team');
    const agents = ((await (await get(boardId, 'agents')).json()) as { data: Extract<TileData, { kind: 'agents' }> }).data;
    expect(agents.agents.map((a) => a.name).sort()).toEqual(['Ann', 'Bob']);
    expect(agents.agents.find((a) => a.name === 'Ann')).toMatchObject({ value: 0, n: 1 });
    expect((await get(otherBoardId, 's')).status).toBe(403);
    expect((await get(boardId, 'nope')).status).toBe(404);
    expect((await get(boardId, 'csat')).status).toBe(400);
  });

  it('a board edit reaches the screen: it is told to reload, and may then see the new scope', async () => {
    const s = await openSocket(t.baseUrl, { cookie: screen.cookie });
    const changed = new Promise<void>((resolve) => s.once('wall:changed', () => resolve()));
    const edited = await call(t.baseUrl, 'PUT', `/api/v1/boards/${boardId}`, admin, { ...billingBoard, tiles: [...billingBoard.tiles, { id: 'south', kind: 'kpi', scope: 'site:s-south', kpi: 'csat' }] });
    expect(edited.status).toBe(200);
    await changed;
    s.close();
    const s2 = await openSocket(t.baseUrl, { cookie: screen.cookie });
    const sub = await s2.emitWithAck('kpis:subscribe', { scope: 'site:s-south', window: 'today' });
    expect(sub.ok).toBe(true);
    const other = await s2.emitWithAck('kpis:subscribe', { scope: 'team:t-tech', window: 'today' });
    expect(other.ok).toBe(false);
    s2.close();
  });
});
