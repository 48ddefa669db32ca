/**
 * Each scope's days in its own time zone, on SQLite and PostgreSQL (issue 15, point 9).
 *
 * A centre with sites in London, Manila and New York, whose directory names New York as the centre's zone (not the
 * first site's). Contacts every 20 minutes for a fortnight, some on local midnights to the second, across London's
 * clock change (25 October 2026, a 25-hour day, in history) and New York's (1 November, in the hot window). Daily and
 * weekly trend points and the stored day rollups of every scope must start at that scope's local midnights (a site's,
 * its teams', agents' and queues'; the centre's for the centre, channels and the unsited queue) and count exactly
 * what a plain computation finds by grouping the contacts by their local date with Intl; and stay so after a full
 * rebuild (byte-identical rollups), after the hot window moves on and after a back-dated contact is folded in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../../shared/directory.js';
import type { FrontlineEvent } from '../../../shared/events.js';
import { ManualClock } from '../../../server/clock.js';
import { DirectoryService } from '../../../server/directory/directory.service.js';
import { IngestService } from '../../../server/ingest/ingest.service.js';
import { parseCounters } from '../../../server/kpi/counters.js';
import { KpiHistory } from '../../../server/kpi/history.js';
import { KpiService, type Granularity } from '../../../server/kpi/kpi.service.js';
import { silentLogger } from '../../../server/logger.js';
import { openTestStore, type TestStore } from '../../support/stores.js';

const MIN = 60_000;
const DAY = 86_400_000;
const SITES = [
  { id: 'lon', zone: 'Europe/London' },
  { id: 'mnl', zone: 'Asia/Manila' },
  { id: 'nyc', zone: 'America/New_York' },
] as const;
const CENTRE_ZONE = 'America/New_York';
const directory: Directory = {
  // London first: the centre's zone must come from `timeZone`, not from the first site.
  sites: SITES.map((s) => ({ id: s.id, name: s.id, timeZone: s.zone, openingHours: {} })),
  teams: SITES.map((s) => ({ id: `t-${s.id}`, name: `team ${s.id}`, siteId: s.id })),
  queues: [
    ...SITES.map((s) => ({ id: `q-${s.id}`, name: `voice ${s.id}`, channel: 'voice' as const, siteId: s.id, serviceLevelSeconds: 20 })),
    { id: 'q-any', name: 'chat, no site', channel: 'chat' as const, serviceLevelSeconds: 60 },
  ],
  agents: SITES.map((s) => ({ id: `a-${s.id}`, name: `agent ${s.id}`, teamId: `t-${s.id}` })),
  timeZone: CENTRE_ZONE,
};

const START = Date.UTC(2026, 9, 20); // Tuesday 20 October 2026
const END = Date.UTC(2026, 10, 3, 12); // Tuesday 3 November, noon UTC
const NOW = Date.UTC(2026, 10, 3, 18); // 13:00 in New York

interface Contact {
  id: string;
  at: number;
  site: string;
  queue: string;
  channel: 'voice' | 'chat';
  agent: string;
}

function contactsOf(): Contact[] {
  const out: Contact[] = [];
  let i = 0;
  for (let t = START; t < END; t += 20 * MIN, i++) {
    SITES.forEach((s, k) => {
      // Some a second before a (whole-hour) local midnight, most on the 20-minute grid, which hits midnights exactly.
      const at = t + k * 7 * MIN - (i % 5 === 1 ? 1000 : 0);
      const unsited = (i + k) % 6 === 0;
      out.push({ id: `z-${i}-${s.id}`, at, site: s.id, queue: unsited ? 'q-any' : `q-${s.id}`, channel: unsited ? 'chat' : 'voice', agent: `a-${s.id}` });
    });
  }
  return out;
}

function eventsOf(c: Contact): FrontlineEvent[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  return [
    { id: `${c.id}-o`, type: 'contact.offered', occurredAt: iso(c.at), contactId: c.id, channel: c.channel, queueId: c.queue },
    { id: `${c.id}-a`, type: 'contact.answered', occurredAt: iso(c.at + 10_000), contactId: c.id, agentId: c.agent },
    { id: `${c.id}-e`, type: 'contact.ended', occurredAt: iso(c.at + 5 * MIN), contactId: c.id, agentId: c.agent, talkSeconds: 240, holdSeconds: 0, wrapSeconds: 20, resolved: true },
  ];
}

// ---- the plain computation: local dates by Intl, nothing from the server ----

const formatters = new Map<string, Intl.DateTimeFormat>();
function local(ms: number, zone: string): { date: string; hm: string; weekday: string } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', weekday: 'short' });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, hm: `${p.hour}:${p.minute}:${p.second}`, weekday: p.weekday as string };
}
function nextDate(date: string, days = 1): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
function mondayOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return nextDate(date, -((dow + 6) % 7));
}

const expectedZone: Record<string, string> = {
  centre: CENTRE_ZONE,
  'channel:voice': CENTRE_ZONE,
  'channel:chat': CENTRE_ZONE,
  'queue:q-any': CENTRE_ZONE,
  ...Object.fromEntries(SITES.flatMap((s) => [`site:${s.id}`, `team:t-${s.id}`, `agent:a-${s.id}`, `queue:q-${s.id}`].map((x) => [x, s.zone]))),
};
const SCOPES = Object.keys(expectedZone);

function inScope(c: Contact, scope: string): boolean {
  if (scope === 'centre') return true;
  const [kind, id] = scope.split(':') as [string, string];
  if (kind === 'site') return (c.queue === 'q-any' ? c.site : c.queue.slice(2)) === id;
  if (kind === 'team') return `t-${c.site}` === id;
  if (kind === 'agent') return c.agent === id;
  if (kind === 'queue') return c.queue === id;
  return c.channel === id;
}

/** Handled contacts of `scope` per local date (or per local week's Monday) in `zone`. */
function bruteForce(contacts: Contact[], scope: string, zone: string, by: 'day' | 'week'): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of contacts) {
    if (!inScope(c, scope)) continue;
    const d = local(c.at, zone).date;
    const key = by === 'day' ? d : mondayOf(d);
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

describe.each(['sqlite', 'postgres'] as const)('each scope in its own time zone on %s', (dialect) => {
  let store: TestStore;
  let clock: ManualClock;
  let kpis: KpiService;
  let ingest: IngestService;
  const contacts = contactsOf();

  /** Every daily and weekly trend point of every scope against the plain computation. */
  async function checkTrends(service: KpiService, what: string): Promise<void> {
    for (const scope of SCOPES) {
      const zone = expectedZone[scope] as string;
      for (const g of ['day', 'week'] as Granularity[]) {
        const t = await service.trend('aht', scope, START, NOW, g);
        const where = `${what} ${scope} ${g}`;
        expect(t.timeZone, where).toBe(zone);
        expect(t.granularity, where).toBe(g);
        const want = bruteForce(contacts, scope, zone, g === 'day' ? 'day' : 'week');
        let total = 0;
        t.points.forEach((p, i) => {
          const a = Date.parse(p.start);
          const b = Date.parse(p.end);
          const la = local(a, zone);
          const lb = local(b, zone);
          // Bounds on local midnights of the scope's zone, a day (or a Monday-to-Monday week) apart.
          expect(la.hm, `${where} point ${i} starts at local midnight`).toBe('00:00:00');
          expect(lb.hm, `${where} point ${i} ends at local midnight`).toBe('00:00:00');
          expect(lb.date, `${where} point ${i} length`).toBe(nextDate(la.date, g === 'day' ? 1 : 7));
          if (g === 'week') expect(la.weekday, where).toBe('Mon');
          if (i > 0) expect(p.start, `${where} point ${i} follows the one before`).toBe(t.points[i - 1]?.end);
          expect(p.n, `${where} ${la.date}`).toBe(want.get(la.date) ?? 0);
          total += p.n;
        });
        expect(total, `${where}: every contact of the scope is in some point`).toBe([...want.values()].reduce((s, n) => s + n, 0));
      }
    }
  }

  /** Day rollups: each at a local midnight of its scope's zone, counting that local date's contacts; none at the hot window's edge. */
  async function checkDayRows(service: KpiService, what: string): Promise<number> {
    const rows = await store.db.selectFrom('kpi_rollups').select(['scope', 'start_ms', 'counters']).where('grain', '=', 'day').execute();
    const byScope = new Map<string, Map<string, number>>();
    let checked = 0;
    for (const r of rows) {
      const zone = expectedZone[r.scope];
      if (zone === undefined) continue; // segment cells
      const start = Number(r.start_ms);
      const l = local(start, zone);
      expect(l.hm, `${what} ${r.scope} day row ${new Date(start).toISOString()} at local midnight`).toBe('00:00:00');
      let m = byScope.get(r.scope);
      if (!m) byScope.set(r.scope, (m = new Map<string, number>()));
      m.set(l.date, parseCounters(r.counters).handled);
    }
    for (const scope of SCOPES) {
      const zone = expectedZone[scope] as string;
      const want = bruteForce(contacts, scope, zone, 'day');
      const got: Map<string, number> = byScope.get(scope) ?? new Map<string, number>();
      // Every local date wholly before the hot window has its row; the date straddling the window's start has none.
      const hot = local(service.hotFrom, zone).date;
      const endsBefore = (date: string) => nextDate(date) <= hot;
      for (const [date, n] of want) {
        if (!endsBefore(date)) continue;
        expect(got.get(date), `${what} ${scope} ${date}`).toBe(n);
        checked++;
      }
      for (const date of got.keys()) expect(endsBefore(date), `${what} ${scope} ${date} ends before the hot window`).toBe(true);
    }
    return checked;
  }

  beforeAll(async () => {
    store = await openTestStore(dialect);
    const dirs = new DirectoryService(store);
    await dirs.replace(directory);
    // DirectoryService stores sites, teams, queues and agents but not (yet) the directory's own `timeZone`: the
    // service is handed the directory as validated, which is what it reads the zones from.
    expect((await dirs.get()).sites.map((x) => x.timeZone)).toEqual(['Europe/London', 'Asia/Manila', 'America/New_York']);
    const withZone = { get: () => Promise.resolve(directory) } as unknown as DirectoryService;
    clock = new ManualClock(NOW);
    kpis = new KpiService(store, withZone, clock, silentLogger);
    await kpis.start();
    ingest = new IngestService({ store, clock, logger: silentLogger, maxClockSkewMs: 0, onStored: (a) => kpis.onStored(a) });
    // Newest first, so most contacts reach history as late events folded into their days.
    const events = contacts.flatMap(eventsOf).reverse();
    for (let i = 0; i < events.length; i += 2000) await ingest.ingest(events.slice(i, i + 2000));
    await kpis.settle();
  }, 240_000);

  afterAll(async () => {
    await kpis?.stop();
    await store?.cleanup();
  });

  it("states each scope's zone and the centre's from the directory's timeZone; the hot window starts at the centre's midnight", () => {
    expect(kpis.timeZone).toBe(CENTRE_ZONE);
    for (const s of SCOPES) expect(kpis.zoneOf(s), s).toBe(expectedZone[s]);
    const h = local(kpis.hotFrom, CENTRE_ZONE);
    expect(h).toMatchObject({ date: '2026-10-26', hm: '00:00:00' });
    // "Today" is each scope's own: Manila is already on the 4th.
    expect(local(kpis.today('site:mnl').fromMs, 'Asia/Manila')).toMatchObject({ date: '2026-11-04', hm: '00:00:00' });
    expect(local(kpis.today('agent:a-lon').fromMs, 'Europe/London')).toMatchObject({ date: '2026-11-03', hm: '00:00:00' });
    expect(kpis.today('centre').fromMs).toBe(Date.UTC(2026, 10, 3, 5));
  });

  it('daily and weekly trend points and day rollups follow each scope’s local midnights, counts equal to the plain computation', async () => {
    await checkTrends(kpis, 'live');
    const checked = await checkDayRows(kpis, 'live');
    expect(checked).toBeGreaterThan(SCOPES.length * 4);
    // London's 25-hour day (clocks back on 25 October) is one point and one row.
    const t = await kpis.trend('aht', 'site:lon', Date.UTC(2026, 9, 24, 23), Date.UTC(2026, 9, 26), 'day');
    expect(t.points.map((p) => [p.start, p.end])).toEqual([['2026-10-24T23:00:00.000Z', '2026-10-26T00:00:00.000Z']]);
    expect(t.points[0]?.n).toBe(bruteForce(contacts, 'site:lon', 'Europe/London', 'day').get('2026-10-25'));
    // New York's (1 November) is in the hot window: 25 hours too.
    const ny = await kpis.trend('aht', 'centre', Date.UTC(2026, 10, 1, 4), Date.UTC(2026, 10, 2, 5), 'day');
    expect(ny.points.map((p) => [p.start, p.end])).toEqual([['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']]);
    // A whole-day query spanning the history/hot-window boundary in Manila adds rollups and memory.
    const manila = await kpis.query('site:mnl', Date.UTC(2026, 9, 24, 16), Date.UTC(2026, 9, 27, 16));
    const want = bruteForce(contacts, 'site:mnl', 'Asia/Manila', 'day');
    expect(manila.aht.n).toBe((want.get('2026-10-25') ?? 0) + (want.get('2026-10-26') ?? 0) + (want.get('2026-10-27') ?? 0));
  }, 120_000);

  it('a full rebuild writes byte-identical rollups', async () => {
    const h = new KpiHistory(store, directory);
    const before = await h.allRows();
    await kpis.rebuild('full');
    const after = await h.allRows();
    expect(after.length).toBe(before.length);
    expect(after).toEqual(before);
  }, 120_000);

  it('the hot window moving on a day completes the days straddling its old start, in every zone', async () => {
    const cutoff = kpis.hotFrom;
    clock.advance(DAY);
    await kpis.settle();
    expect(kpis.hotFrom).toBeGreaterThan(cutoff);
    await checkTrends(kpis, 'moved');
    await checkDayRows(kpis, 'moved');
    const h = new KpiHistory(store, directory);
    const incremental = await h.allRows();
    await kpis.rebuild('full');
    expect(await h.allRows()).toEqual(incremental);
  }, 120_000);

  it("a back-dated contact just after Manila's midnight is folded into Manila's day, not London's or New York's", async () => {
    // 00:10 on 23 October in Manila = 16:10 UTC on the 22nd: New York's and London's 22nd.
    const c: Contact = { id: 'late-mnl', at: Date.UTC(2026, 9, 22, 16, 10), site: 'mnl', queue: 'q-mnl', channel: 'voice', agent: 'a-mnl' };
    const res = await ingest.ingest(eventsOf(c));
    expect(res.accepted).toBe(3);
    expect(await kpis.pendingIn(Date.UTC(2026, 9, 22, 16), Date.UTC(2026, 9, 23, 16))).toBe(true);
    contacts.push(c);
    await kpis.settle();
    expect(await kpis.pendingIn(Date.UTC(2026, 9, 22, 16), Date.UTC(2026, 9, 23, 16))).toBe(false);
    await checkTrends(kpis, 'late');
    await checkDayRows(kpis, 'late');
  }, 120_000);
});
