/** The simulator's stream is a pure function of (seed, start): chunking, ids, ordering and contract validity. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent, type FrontlineEvent } from '../../../shared/events.js';
import { directory as directorySchema, type Directory } from '../../../shared/directory.js';
import { CentreSimulator, defaultCentreDirectory } from '../../../server/simulator/index.js';
import { DAY_MS, londonTime, MONDAY, ofType, simulate } from './support.js';

const HOUR = 3_600_000;

describe('simulator determinism', () => {
  it('replays the same events for the same seed and start', () => {
    const a = simulate(2).events;
    const b = simulate(2).events;
    expect(a.length).toBeGreaterThan(10_000);
    expect(b).toEqual(a);
  });

  it('gives a different stream for another seed', () => {
    const a = simulate(1, { seed: 7 }).events;
    const b = simulate(1, { seed: 8 }).events;
    expect(b).not.toEqual(a);
  });

  it('streams the same sequence whether advanced in one call or in arbitrary chunks', () => {
    const until = MONDAY + 1.5 * DAY_MS;
    const whole = new CentreSimulator({ seed: 3, startMs: MONDAY }).advanceTo(until);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: until - MONDAY - 1 }), { maxLength: 25 }), (cuts) => {
        const sim = new CentreSimulator({ seed: 3, startMs: MONDAY });
        const chunks: FrontlineEvent[] = [];
        let last = MONDAY;
        for (const cut of [...cuts.sort((x, y) => x - y).map((c) => MONDAY + c), until]) {
          const batch = sim.advanceTo(cut);
          for (const e of batch) {
            const t = Date.parse(e.occurredAt);
            // Nothing from the future of untilMs, nothing re-sent from before the previous call.
            expect(t).toBeLessThanOrEqual(cut);
            expect(t).toBeGreaterThanOrEqual(last);
          }
          last = cut;
          chunks.push(...batch);
        }
        expect(chunks).toEqual(whole);
      }),
      { numRuns: 6 },
    );
  });

  it('returns nothing when asked for a time it has already passed', () => {
    const sim = new CentreSimulator({ seed: 1, startMs: MONDAY });
    expect(sim.advanceTo(MONDAY + 12 * HOUR).length).toBeGreaterThan(0);
    expect(sim.advanceTo(MONDAY + 11 * HOUR)).toEqual([]);
    expect(sim.advanceTo(MONDAY + 12 * HOUR)).toEqual([]);
    expect(() => sim.advanceTo(Infinity)).toThrow(/finite/);
  });

  it('emits only valid contract events, ordered by occurredAt, with unique ids', () => {
    const { events } = simulate(3);
    const ids = new Set<string>();
    let previous = '';
    for (const e of events) {
      const v = validateEvent(e);
      if (!v.ok) throw new Error(`invalid ${e.type}: ${JSON.stringify(v.issues)}`);
      expect(e.occurredAt >= previous).toBe(true);
      previous = e.occurredAt;
      ids.add(e.id);
    }
    expect(ids.size).toBe(events.length);
    const contactIds = ofType(events, 'contact.offered').map((e) => e.contactId);
    expect(new Set(contactIds).size).toBe(contactIds.length);
  });

  it('never reuses an event or contact id across runs with different start times', () => {
    const a = simulate(1, { startMs: MONDAY }).events;
    const b = simulate(1, { startMs: MONDAY + HOUR }).events;
    const idsA = new Set(a.flatMap((e) => [e.id, e.type === 'contact.offered' ? e.contactId : '']));
    const clash = b.filter((e) => idsA.has(e.id) || (e.type === 'contact.offered' && idsA.has(e.contactId)));
    expect(clash).toEqual([]);
  });

  it('starting mid-morning logs the rostered agents in at once and takes contacts straight away', () => {
    const start = Date.UTC(2026, 10, 18, 10, 30); // a Wednesday, as the e2e test pins the clock
    const sim = new CentreSimulator({ seed: 3, startMs: start });
    const first = sim.advanceTo(start);
    const available = ofType(first, 'agent.state').filter((e) => e.state === 'available');
    expect(available.length).toBeGreaterThan(15);
    const nextMinutes = sim.advanceTo(start + 10 * 60_000);
    expect(ofType(nextMinutes, 'contact.offered').length).toBeGreaterThan(5);
    expect(ofType(nextMinutes, 'contact.answered').length).toBeGreaterThan(5);
  });

  it('is closed on Sunday: no contacts offered and nobody logged in', () => {
    const sunday = MONDAY + 6 * DAY_MS;
    const { events } = simulate(7);
    const onSunday = events.filter((e) => Date.parse(e.occurredAt) >= sunday && londonTime(Date.parse(e.occurredAt)).weekday === 'sun');
    expect(onSunday.filter((e) => e.type === 'contact.offered' || e.type === 'contact.answered' || e.type === 'agent.state')).toEqual([]);
  });

  it('the default directory passes the directory schema and has 3 teams of 15 multi-skilled agents', () => {
    const d = defaultCentreDirectory();
    expect(directorySchema.safeParse(d).success).toBe(true);
    expect(d.teams).toHaveLength(3);
    for (const t of d.teams) expect(d.agents.filter((a) => a.teamId === t.id)).toHaveLength(15);
    expect(new Set(d.agents.map((a) => a.name)).size).toBe(45);
    expect(defaultCentreDirectory()).toEqual(d);
  });

  it('runs any valid directory, giving agents of unknown teams every queue at their site', () => {
    const dir: Directory = {
      sites: [{ id: 'nyc', name: 'New York', timeZone: 'America/New_York', openingHours: { mon: { open: '09:00', close: '17:00' } } }],
      teams: [{ id: 't', name: 'Team', siteId: 'nyc' }],
      queues: [
        { id: 'q-voice', name: 'Voice', channel: 'voice', siteId: 'nyc', serviceLevelSeconds: 30 },
        { id: 'q-msg', name: 'Messaging', channel: 'messaging', siteId: 'nyc', serviceLevelSeconds: 3600 },
      ],
      agents: Array.from({ length: 8 }, (_, i) => ({ id: `ag-${i}`, name: `Agent ${i}`, teamId: 't' })),
    };
    const sim = new CentreSimulator({ seed: 5, startMs: MONDAY, directory: dir });
    const events = sim.advanceTo(MONDAY + DAY_MS);
    expect(ofType(events, 'contact.offered').length).toBeGreaterThan(50);
    expect(new Set(ofType(events, 'contact.offered').map((e) => e.queueId))).toEqual(new Set(['q-voice', 'q-msg']));
    for (const e of events) expect(validateEvent(e).ok).toBe(true);
    for (const e of ofType(events, 'contact.offered')) {
      const { hour } = londonTime(Date.parse(e.occurredAt) - 5 * HOUR); // New York is 5 h behind London in March before US DST
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(17);
    }
  });
});
