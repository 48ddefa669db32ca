/** The flagger's daily counts fold contacts as the KPI engine does: legs, credit rule, survey scales, revisions. */
import { describe, expect, it } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import { DailyCountsBuilder } from '../../../server/flagging/daily.js';

const T = Date.UTC(2026, 10, 3, 9, 0);
const at = (min: number) => new Date(T + min * 60_000).toISOString();

function transferred(revision?: number, bTalk = 100): FrontlineEvent[] {
  const r = revision === undefined ? {} : { revision };
  return [
    { id: 'o', type: 'contact.offered', occurredAt: at(0), contactId: 'c1', channel: 'voice', queueId: 'q1', ...r },
    { id: 'an', type: 'contact.answered', occurredAt: at(1), contactId: 'c1', agentId: 'A', ...r },
    { id: 'x', type: 'contact.transferred', occurredAt: at(5), contactId: 'c1', fromAgentId: 'A', toAgentId: 'B', ...r },
    { id: 'eA', type: 'contact.ended', occurredAt: at(5), contactId: 'c1', agentId: 'A', talkSeconds: 200, holdSeconds: 30, wrapSeconds: 20, resolved: false, ...r },
    { id: 'eB', type: 'contact.ended', occurredAt: at(9), contactId: 'c1', agentId: 'B', talkSeconds: bTalk, holdSeconds: 0, wrapSeconds: 50, resolved: true, queueId: 'q2', ...r },
  ];
}
const goodBad: FrontlineEvent = { id: 's', type: 'survey.responded', occurredAt: at(30), contactId: 'c1', answers: [{ measure: 'csat', scale: 'good-bad', value: 'bad' }] };

function cells(b: DailyCountsBuilder) {
  const out: Record<string, { aht: number[]; csat: [number, number] }> = {};
  for (const byAgent of b.days.values()) {
    for (const [agent, byQueue] of byAgent) {
      for (const [queue, c] of byQueue) out[`${agent}/${queue}`] = { aht: c.aht.n === 0 ? [] : [Math.round(Math.exp(c.aht.sum / c.aht.n))], csat: [c.csat.bad, c.csat.n] };
    }
  }
  return out;
}

describe('daily counts for the flagger', () => {
  it('splits a transferred contact by leg and credits a good/bad survey to the last agent', () => {
    const b = new DailyCountsBuilder('Europe/London');
    for (const e of [goodBad, ...transferred()].reverse()) b.add(e);
    expect(cells(b)).toEqual({ 'A/q1': { aht: [250], csat: [0, 0] }, 'B/q2': { aht: [150], csat: [0, 0] }, 'B/q1': { aht: [], csat: [1, 1] } });
  });

  it('credits the first answering agent when the centre says so', () => {
    const b = new DailyCountsBuilder('Europe/London', undefined, 'first');
    for (const e of [...transferred(), goodBad]) b.add(e);
    expect(cells(b)['A/q1']).toEqual({ aht: [250], csat: [1, 1] });
  });

  it('counts only the latest revision, in any order', () => {
    const b = new DailyCountsBuilder('Europe/London');
    const r1 = transferred(1, 100).map((e) => ({ ...e, id: `${e.id}@r1` }));
    const r2 = transferred(2, 400).map((e) => ({ ...e, id: `${e.id}@r2` }));
    for (const e of [...r2, ...transferred(), ...r1]) b.add(e);
    expect(cells(b)['B/q2']).toEqual({ aht: [450], csat: [0, 0] });
    expect(cells(b)['A/q1']).toEqual({ aht: [250], csat: [0, 0] });
  });
});
