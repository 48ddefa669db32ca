/**
 * Scheduled follow-ups happen once: two schedulers (two nodes' worth of pools on one PostgreSQL schema) racing over
 * the same due cases file "follow-up review due" exactly once per case, and never for a case not yet due or closed.
 */
import { expect, it } from 'vitest';
import { CaseStore, type NewCase } from '../../server/coaching/case.store.js';
import { FollowUpScheduler } from '../../server/coaching/follow-ups.js';
import { ManualClock } from '../../server/clock.js';
import { createLogger } from '../../server/logger.js';
import { twoNodesForSuite } from '../support/two-nodes.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const DAY = 86_400_000;
const nodes = twoNodesForSuite();

const newCase = (i: number): NewCase => ({
  kind: 'individual',
  scope: `agent:a${i}`,
  agentId: `a${i}`,
  teamId: null,
  kpi: 'csat',
  rule: 'test',
  figures: {},
  evidenceContactIds: [],
  assignedCoachId: null,
  openedMs: NOW - 30 * DAY,
});

it('files each due follow-up once, however many schedulers race', async () => {
  const a = new CaseStore(nodes.base);
  const b = new CaseStore(nodes.other);
  const heard: string[] = [];
  a.onChanged((e) => e.action === 'follow_up_due' && heard.push(e.caseId));
  b.onChanged((e) => e.action === 'follow_up_due' && heard.push(e.caseId));
  const ids: string[] = [];
  // 0-11: held, follow-up passed; 12-14: held, follow-up tomorrow; 15: passed but closed.
  for (let i = 0; i < 16; i++) {
    const c = await a.insert(newCase(i));
    ids.push(c.id);
    const followUp = i < 12 || i === 15 ? NOW - DAY : NOW + DAY;
    await a.change(c.id, c.version, { actor: 'user:coach', action: 'session', atMs: NOW - 10 * DAY, details: {}, patch: { stage: 'held', held_ms: NOW - 10 * DAY, follow_up_ms: followUp, review_days: 7 } });
    if (i === 15) await a.change(c.id, c.version + 1, { actor: 'user:coach', action: 'closed', atMs: NOW - 2 * DAY, details: {}, patch: { status: 'closed', stage: 'closed', closed_ms: NOW - 2 * DAY } });
  }
  const clock = new ManualClock(NOW);
  const s1 = new FollowUpScheduler(a, clock, createLogger('silent'));
  const s2 = new FollowUpScheduler(b, clock, createLogger('silent'));
  const [f1, f2] = await Promise.all([s1.run(), s2.run()]);
  expect([...f1, ...f2].sort()).toEqual(ids.slice(0, 12).sort());
  expect(heard.sort()).toEqual(ids.slice(0, 12).sort());
  for (const id of ids.slice(0, 12)) expect((await a.events(id)).filter((e) => e.action === 'follow_up_due')).toHaveLength(1);
  for (const id of ids.slice(12)) expect((await a.events(id)).filter((e) => e.action === 'follow_up_due')).toHaveLength(0);

  // Later runs file nothing again; tomorrow the three come due, once.
  expect(await s1.run()).toEqual([]);
  clock.set(NOW + 2 * DAY);
  const [g1, g2] = await Promise.all([s1.run(), s2.run()]);
  expect([...g1, ...g2].sort()).toEqual(ids.slice(12, 15).sort());
});
