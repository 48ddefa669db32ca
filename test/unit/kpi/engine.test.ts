/** Regressions from the KPI review: a customer id shared by thousands of contacts, unaligned windows. */
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../../shared/directory.js';
import { alignOutward, KpiEngine } from '../../../server/kpi/engine.js';

const dir: Directory = {
  sites: [{ id: 's', name: 'Leeds', timeZone: 'Europe/London', openingHours: {} }],
  teams: [{ id: 't', name: 'Billing', siteId: 's' }],
  queues: [{ id: 'q', name: 'Billing voice', channel: 'voice', siteId: 's', serviceLevelSeconds: 20 }],
  agents: [{ id: 'a', name: 'Ann', teamId: 't' }],
};
const T0 = Date.UTC(2026, 10, 18, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function handled(e: KpiEngine, id: string, at: number, customerId?: string, reason?: string): void {
  e.apply({ id: `${id}-o`, type: 'contact.offered', occurredAt: iso(at), contactId: id, channel: 'voice', queueId: 'q', ...(customerId ? { customerId } : {}), ...(reason ? { reason } : {}) });
  e.apply({ id: `${id}-a`, type: 'contact.answered', occurredAt: iso(at + 5_000), contactId: id, agentId: 'a' });
  e.apply({ id: `${id}-e`, type: 'contact.ended', occurredAt: iso(at + 300_000), contactId: id, agentId: 'a', talkSeconds: 200, holdSeconds: 0, wrapSeconds: 30, resolved: true });
}

describe('KPI engine', () => {
  it('a customer id shared by thousands of contacts (a CRM placeholder) stays cheap and right', () => {
    const e = new KpiEngine(dir);
    const n = 8_000;
    // Sent newest first, so every offer arrives out of order.
    for (let i = n - 1; i >= 0; i--) handled(e, `c${i}`, T0 + i * 10_000, 'anonymous');
    const fcr = e.query('centre', T0, T0 + 86_400_000, T0 + 30 * 86_400_000).fcrRepeat;
    // Every contact but the last has a later one within 7 days: only the last was resolved first time.
    expect(fcr).toMatchObject({ n, value: 1 / n });
  });

  it('repeat contacts respect the reason and the 7-day window, in any arrival order', () => {
    const e = new KpiEngine(dir);
    const day = 86_400_000;
    handled(e, 'x3', T0 + 3 * day, 'cust', 'billing'); // repeats x1 (same reason, 3 days later)
    handled(e, 'x1', T0, 'cust', 'billing');
    handled(e, 'x2', T0 + day, 'cust', 'broadband'); // another reason: repeats nothing, is not repeated by x3
    handled(e, 'x4', T0 + 11 * day, 'cust', 'billing'); // 8 days after x3: outside the window
    const at = (ms: number) => e.query('centre', ms, ms + 15 * 60_000, T0 + 60 * day).fcrRepeat.value;
    expect(at(T0)).toBe(0);
    expect(at(T0 + day)).toBe(1);
    expect(at(T0 + 3 * day)).toBe(1);
    expect(at(T0 + 11 * day)).toBe(1);
  });

  it('an unaligned window is rounded outward to whole quarter-hours, and says so', () => {
    const e = new KpiEngine(dir);
    handled(e, 'early', T0 + 7 * 60_000); // 10:07
    handled(e, 'late', T0 + 25 * 60_000); // 10:25
    const n = (from: number, to: number) => e.query('centre', from, to, T0 + 86_400_000).aht.n;
    expect(n(T0 + 5 * 60_000, T0 + 10 * 60_000)).toBe(1); // [10:05,10:10) covers 10:00-10:15
    expect(n(T0 + 5 * 60_000, T0 + 20 * 60_000)).toBe(2); // [10:05,10:20) covers 10:00-10:30
    expect(alignOutward(T0 + 5 * 60_000, T0 + 20 * 60_000)).toEqual({ fromMs: T0, toMs: T0 + 30 * 60_000 });
    expect(n(T0, T0 + 15 * 60_000)).toBe(1); // aligned windows are exact
  });
});
