/** Opening hours in the site's time zone with Intl: British Summer Time, closed days, the next opening. */
import { describe, expect, it } from 'vitest';
import { CentreSimulator, defaultCentreDirectory } from '../../../server/simulator/index.js';
import { localParts, openingWindow, windowAtOrAfter, zonedEpoch } from '../../../server/simulator/zoned-time.js';
import { ofType } from './support.js';

const leeds = defaultCentreDirectory().sites[0];
if (!leeds) throw new Error('default site missing');

describe('zoned time', () => {
  it('opens at 08:00 local: 08:00Z in winter, 07:00Z in British Summer Time', () => {
    expect(new Date(openingWindow(leeds, { year: 2026, month: 3, day: 27 })?.openMs ?? 0).toISOString()).toBe('2026-03-27T08:00:00.000Z');
    const bst = openingWindow(leeds, { year: 2026, month: 3, day: 30 });
    expect(new Date(bst?.openMs ?? 0).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(new Date(bst?.closeMs ?? 0).toISOString()).toBe('2026-03-30T19:00:00.000Z');
    expect(bst?.weekday).toBe('mon');
  });

  it('is closed on Sunday and finds the next opening from Saturday evening', () => {
    expect(openingWindow(leeds, { year: 2026, month: 3, day: 29 })).toBeUndefined();
    const next = windowAtOrAfter(leeds, Date.UTC(2026, 2, 28, 18, 0));
    expect(next?.weekday).toBe('mon');
    expect(new Date(next?.openMs ?? 0).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    const during = windowAtOrAfter(leeds, Date.UTC(2026, 2, 28, 12, 0));
    expect(during?.weekday).toBe('sat');
  });

  it('converts local wall-clock times on the day the clocks change', () => {
    expect(new Date(zonedEpoch({ year: 2026, month: 3, day: 29 }, 0, 'Europe/London')).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(new Date(zonedEpoch({ year: 2026, month: 3, day: 29 }, 12 * 60, 'Europe/London')).toISOString()).toBe('2026-03-29T11:00:00.000Z');
    const p = localParts(Date.UTC(2026, 2, 29, 1, 30), 'Europe/London');
    expect([p.day, p.minuteOfDay]).toEqual([29, 150]);
  });

  it('the simulator keeps local opening hours across the change to summer time', () => {
    const start = Date.UTC(2026, 2, 28, 0, 0);
    const sim = new CentreSimulator({ seed: 1, startMs: start, scenarios: [] });
    const events = sim.advanceTo(Date.UTC(2026, 2, 31, 0, 0));
    const monday = ofType(events, 'contact.offered').filter((e) => e.occurredAt.startsWith('2026-03-30'));
    expect(monday.length).toBeGreaterThan(500);
    expect(monday.every((e) => e.occurredAt >= '2026-03-30T07:00' && e.occurredAt < '2026-03-30T19:00')).toBe(true);
    expect(ofType(events, 'agent.state').filter((e) => e.occurredAt.startsWith('2026-03-29'))).toEqual([]);
  });
});
