/** Which time zone each scope's days follow (shared/zones.ts), and the flagger's day keys across zones (daily.ts). */
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../../shared/directory.js';
import { centreZoneOf, DEFAULT_TIME_ZONE, ScopeZones, scopeZones, zoneOf } from '../../../shared/zones.js';
import { DailyCountsBuilder } from '../../../server/flagging/daily.js';

const dir: Directory = {
  sites: [
    { id: 'lon', name: 'London', timeZone: 'Europe/London', openingHours: {} },
    { id: 'mnl', name: 'Manila', timeZone: 'Asia/Manila', openingHours: {} },
  ],
  teams: [
    { id: 't-lon', name: 'London team', siteId: 'lon' },
    { id: 't-mnl', name: 'Manila team', siteId: 'mnl' },
  ],
  queues: [
    { id: 'q-mnl', name: 'Manila voice', channel: 'voice', siteId: 'mnl', serviceLevelSeconds: 20 },
    { id: 'q-any', name: 'Email', channel: 'email', serviceLevelSeconds: 86_400 },
  ],
  agents: [
    { id: 'a-lon', name: 'Ann', teamId: 't-lon' },
    { id: 'a-mnl', name: 'Maria', teamId: 't-mnl' },
  ],
};

describe('zoneOf', () => {
  it("gives a site its own zone, a team its site's, an agent their team's site's, a queue its site's", () => {
    expect(zoneOf('site:mnl', dir)).toBe('Asia/Manila');
    expect(zoneOf('site:lon', dir)).toBe('Europe/London');
    expect(zoneOf('team:t-mnl', dir)).toBe('Asia/Manila');
    expect(zoneOf('agent:a-mnl', dir)).toBe('Asia/Manila');
    expect(zoneOf('agent:a-lon', dir)).toBe('Europe/London');
    expect(zoneOf('queue:q-mnl', dir)).toBe('Asia/Manila');
  });

  it("centre-wide scopes and anything the directory does not know follow the centre's zone: the first site's by default", () => {
    expect(centreZoneOf(dir)).toBe('Europe/London');
    for (const s of ['centre', 'channel:voice', 'queue:q-any', 'agent:nobody', 'team:unassigned', 'cell:["t-mnl",null,null,null]']) expect(zoneOf(s, dir), s).toBe('Europe/London');
  });

  it("follows the directory's own timeZone for centre-wide figures, without moving any site's", () => {
    const d: Directory = { ...dir, timeZone: 'America/New_York' };
    expect(centreZoneOf(d)).toBe('America/New_York');
    expect(zoneOf('centre', d)).toBe('America/New_York');
    expect(zoneOf('queue:q-any', d)).toBe('America/New_York');
    expect(zoneOf('site:lon', d)).toBe('Europe/London');
    expect(zoneOf('agent:a-mnl', d)).toBe('Asia/Manila');
    expect(new ScopeZones(d).all()).toEqual(['America/New_York', 'Europe/London', 'Asia/Manila']);
    expect(new ScopeZones(d).own('centre')).toBeUndefined();
  });

  it('falls back to Europe/London with no sites, and computes the map once per directory object', () => {
    expect(centreZoneOf({ sites: [] })).toBe(DEFAULT_TIME_ZONE);
    expect(zoneOf('centre', { sites: [], teams: [], queues: [], agents: [] })).toBe('Europe/London');
    expect(scopeZones(dir)).toBe(scopeZones(dir));
  });
});

describe("the flagger's days across zones", () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  function contact(b: DailyCountsBuilder, id: string, atMs: number, agentId: string): void {
    b.add({ id: `${id}-o`, type: 'contact.offered', occurredAt: iso(atMs), contactId: id, channel: 'voice', queueId: 'q-mnl' });
    b.add({ id: `${id}-a`, type: 'contact.answered', occurredAt: iso(atMs + 5_000), contactId: id, agentId });
    b.add({ id: `${id}-s`, type: 'survey.responded', occurredAt: iso(atMs + 600_000), contactId: id, csat: 5 });
  }

  it("counts a contact on its agent's local date, keyed by that date's midnight in the centre's zone", () => {
    const zones = scopeZones(dir);
    const b = new DailyCountsBuilder(zones.centre, (a) => zones.of(`agent:${a}`));
    // 2026-11-18 17:00 UTC: 01:00 on the 19th in Manila, 17:00 on the 18th in London.
    const at = Date.UTC(2026, 10, 18, 17, 0);
    contact(b, 'c-mnl', at, 'a-mnl');
    contact(b, 'c-lon', at, 'a-lon');
    const londonMidnight18 = Date.UTC(2026, 10, 18);
    const londonMidnight19 = Date.UTC(2026, 10, 19);
    expect(b.days.get(londonMidnight19)?.get('a-mnl')?.get('q-mnl')?.csat.n).toBe(1);
    expect(b.days.get(londonMidnight18)?.get('a-lon')?.get('q-mnl')?.csat.n).toBe(1);
    expect(b.days.get(londonMidnight18)?.has('a-mnl')).toBe(false);
    // A date is closed once it has ended everywhere: at 17:00 UTC on the 18th Manila is on the 19th, London on the 18th.
    expect(b.openFrom(at, zones.all())).toBe(londonMidnight18);
    // In British Summer Time a London midnight is 23:00 UTC the day before: the key is that instant.
    const summer = Date.UTC(2026, 5, 30, 18, 0); // 02:00 on 1 July in Manila
    expect(b.dayIn(summer, 'Asia/Manila')).toBe(Date.UTC(2026, 5, 30, 23, 0));
  });
});
