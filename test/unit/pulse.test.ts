import { describe, expect, it } from 'vitest';
import { LivePulse } from '../../server/live/pulse.js';
import type { Directory } from '../../shared/directory.js';
import type { FrontlineEvent } from '../../shared/events.js';

const dir: Directory = {
  sites: [{ id: 's', name: 'Leeds', timeZone: 'Europe/London', openingHours: {} }],
  teams: [],
  queues: [{ id: 'vb', name: 'Billing voice', channel: 'voice', serviceLevelSeconds: 20 }],
  agents: [],
};
// 2026-07-01 is in British Summer Time: local midnight is 23:00 UTC the day before.
const NOON = Date.UTC(2026, 6, 1, 11, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
let n = 0;
const ev = <T extends FrontlineEvent['type']>(type: T, at: number, fields: Record<string, unknown>) =>
  ({ id: `e${++n}`, type, occurredAt: iso(at), ...fields }) as unknown as FrontlineEvent;

describe('live pulse', () => {
  it('counts today in the centre time zone, tracks waiting contacts, and labels unknown queues unassigned', () => {
    const p = new LivePulse(dir, 'Europe/London');
    p.rollDay(NOON);
    expect(new Date(p.dayStart).toISOString()).toBe('2026-06-30T23:00:00.000Z');
    p.apply(ev('contact.offered', NOON, { contactId: 'c1', channel: 'voice', queueId: 'vb' }), NOON);
    p.apply(ev('contact.offered', NOON, { contactId: 'c2', channel: 'chat', queueId: 'mystery' }), NOON);
    p.apply(ev('contact.offered', Date.UTC(2026, 5, 30, 22, 30), { contactId: 'old', channel: 'voice', queueId: 'vb' }), NOON);
    p.apply(ev('contact.answered', NOON + 5000, { contactId: 'c1', agentId: 'a1' }), NOON);
    p.apply(ev('agent.state', NOON, { agentId: 'a1', state: 'busy' }), NOON);
    p.apply(ev('survey.responded', NOON + 9000, { contactId: 'c1', csat: 4 }), NOON);
    p.apply(ev('survey.responded', NOON + 9000, { contactId: 'c9', csat: 2 }), NOON);
    const s = p.snapshot(NOON + 10_000);
    expect(s.totals).toMatchObject({ offered: 2, answered: 1, surveys: 2, csatTopTwo: 1, csatResponses: 2 });
    expect(s.queues.find((q) => q.queueId === 'vb')).toMatchObject({ name: 'Billing voice', offered: 1, answered: 1, waitingNow: 0 });
    expect(s.queues.find((q) => q.queueId === 'mystery')).toMatchObject({ name: 'unassigned (mystery)', offered: 1, waitingNow: 1, longestWaitSeconds: 10 });
    expect(s.queues.find((q) => q.queueId === 'vb')?.longestWaitSeconds).toBeNull();
    expect(s.agentsByState.busy).toBe(1);
    expect(s.eventsLastMinute).toBe(7);
  });

  it('counts an evaluation once: its amended revision is not a second evaluation', () => {
    const p = new LivePulse(dir, 'Europe/London');
    p.rollDay(NOON);
    const qa = (evaluationId: string | undefined, revision: number | undefined) =>
      ev('qa.evaluated', NOON, { contactId: 'c1', agentId: 'a1', evaluatorId: 'u1', score: 80, criticalFail: false, ...(evaluationId ? { evaluationId } : {}), ...(revision ? { revision } : {}) });
    p.apply(qa('ev1', 1), NOON);
    p.apply(qa('ev1', 2), NOON);
    p.apply(qa('ev2', 1), NOON);
    p.apply(qa(undefined, undefined), NOON);
    p.apply(qa(undefined, undefined), NOON);
    expect(p.snapshot(NOON).totals.qaEvaluations).toBe(4);
  });

  it('sends a heartbeat snapshot when nothing changed for a while', () => {
    const p = new LivePulse(dir, 'Europe/London');
    p.rollDay(NOON);
    expect(p.snapshotIfChanged(NOON, 5_000)).not.toBeNull();
    expect(p.snapshotIfChanged(NOON + 1_000, 5_000)).toBeNull();
    expect(p.snapshotIfChanged(NOON + 5_000, 5_000)?.seq).toBe(2);
  });

  it('sends a snapshot only when something changed, with consecutive sequence numbers', () => {
    const p = new LivePulse(dir, 'Europe/London');
    p.rollDay(NOON);
    const a = p.snapshotIfChanged(NOON);
    expect(p.snapshotIfChanged(NOON)).toBeNull();
    p.apply(ev('contact.abandoned', NOON, { contactId: 'x' }), NOON);
    const b = p.snapshotIfChanged(NOON);
    expect(b?.seq).toBe((a?.seq ?? 0) + 1);
  });

  it('starts a new day at local midnight', () => {
    const p = new LivePulse(dir, 'Europe/London');
    p.rollDay(NOON);
    p.apply(ev('contact.offered', NOON, { contactId: 'c1', channel: 'voice', queueId: 'vb' }), NOON);
    expect(p.rollDay(Date.UTC(2026, 6, 1, 22, 59))).toBe(false);
    expect(p.rollDay(Date.UTC(2026, 6, 1, 23, 0))).toBe(true);
    expect(p.snapshot(Date.UTC(2026, 6, 1, 23, 0)).totals.offered).toBe(0);
  });
});
