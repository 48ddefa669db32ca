/**
 * Simulated centres of any size (issue 17): the default stays the 45-agent Leeds centre, presets and overrides build
 * multi-site centres in several zones whose directory describes itself (skills and queue mix from ids alone), and
 * scenarios with ground truth scale with the centre.
 */
import { describe, expect, it } from 'vitest';
import { resolveSkills } from '../../../server/simulator/agents.js';
import {
  buildCentreDirectory, centreDirectory, CENTRE_PRESETS, generatedTeamSkills, parseSites, presetDirectory, queueTemplate,
} from '../../../server/simulator/centres.js';
import { CentreSimulator, centreScenarios, defaultCentreDirectory, defaultScenarios, Rng, STREAMS } from '../../../server/simulator/index.js';
import { localParts } from '../../../server/simulator/zoned-time.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 2); // a Monday

describe('centre presets', () => {
  it('with no options, or the default preset, is the default centre exactly', () => {
    expect(centreDirectory()).toEqual(defaultCentreDirectory());
    expect(centreDirectory({ preset: 'default' })).toEqual(defaultCentreDirectory());
    expect(presetDirectory('default')).toEqual(defaultCentreDirectory());
  });

  it.each([
    ['medium', 1_000, 3, 3],
    ['large', 5_000, 5, 4],
  ] as const)('%s: %i agents over %i sites in %i zones, ids unique, teams of about 15', (preset, agents, sites, zones) => {
    const d = presetDirectory(preset);
    expect(d.agents).toHaveLength(agents);
    expect(d.sites).toHaveLength(sites);
    expect(new Set(d.sites.map((s) => s.timeZone)).size).toBe(zones);
    for (const list of [d.agents, d.teams, d.queues, d.sites]) expect(new Set(list.map((x) => x.id)).size).toBe(list.length);
    expect(new Set(d.agents.map((a) => a.name)).size).toBe(agents);
    const sizes = d.teams.map((t) => d.agents.filter((a) => a.teamId === t.id).length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(18);
    // Weighted sites: Leeds has twice the agents of Manila in the medium centre.
    if (preset === 'medium') {
      const at = (site: string) => d.agents.filter((a) => d.teams.find((t) => t.id === a.teamId)?.siteId === site).length;
      expect(at('leeds')).toBe(500);
      expect(at('manila')).toBe(250);
    }
  });

  it('overrides: agents, sites with zones, weights and patterns, team size, channels', () => {
    const d = centreDirectory({ preset: 'medium', agents: 120, sites: parseSites('york:Europe/London*3,perth:Australia/Perth:always'), teamSize: 10, channels: ['voice'] });
    expect(d.agents).toHaveLength(120);
    expect(d.sites.map((s) => [s.id, s.name, s.timeZone])).toEqual([['york', 'York', 'Europe/London'], ['perth', 'Perth', 'Australia/Perth']]);
    expect(d.sites[1]?.openingHours.sun).toEqual({ open: '00:00', close: '24:00' });
    expect(d.sites[0]?.openingHours.sun).toBeUndefined();
    expect(d.teams).toHaveLength(12);
    expect(new Set(d.queues.map((q) => q.channel))).toEqual(new Set(['voice']));
  });

  it('refuses a spec it cannot build, saying why', () => {
    expect(() => parseSites('leeds')).toThrow(/time zone/);
    expect(() => parseSites('leeds:Mars/Olympus')).toThrow(/IANA/);
    expect(() => parseSites('leeds:Europe/London:sometimes')).toThrow(/pattern/);
    expect(() => parseSites('Leeds!:Europe/London')).toThrow(/lower-case/);
    expect(() => parseSites('leeds:Europe/London*0')).toThrow(/weight/);
    expect(() => buildCentreDirectory({ agents: 0, sites: [{ id: 'x', name: 'X', timeZone: 'UTC' }] })).toThrow(/agents/);
    expect(() => buildCentreDirectory({ agents: 10, sites: [] })).toThrow(/site/);
    expect(() => buildCentreDirectory({ agents: 10, sites: [{ id: 'x', name: 'X', timeZone: 'UTC' }, { id: 'x', name: 'Y', timeZone: 'UTC' }] })).toThrow(/distinct/);
    expect(() => buildCentreDirectory({ agents: 10, sites: [{ id: 'x', name: 'X', timeZone: 'UTC' }], channels: ['messaging'] })).toThrow(/channels/);
  });
});

describe('a generated directory describes itself', () => {
  const d = presetDirectory('medium');

  it('teams work their own line and site: skills from the team id, as the default teams', () => {
    expect(generatedTeamSkills('leeds-l1-billing-2')).toEqual(['leeds-l1-voice-billing', 'leeds-l1-chat-general']);
    expect(generatedTeamSkills('billing')).toBeUndefined();
    const skills = resolveSkills(d, {});
    const siteOfQueue = new Map(d.queues.map((q) => [q.id, q.siteId]));
    const siteOfTeam = new Map(d.teams.map((t) => [t.id, t.siteId]));
    for (const a of d.agents) {
      const mine = skills.get(a.id) ?? [];
      expect(mine.length).toBeGreaterThanOrEqual(2);
      for (const q of mine) expect(siteOfQueue.get(q)).toBe(siteOfTeam.get(a.teamId));
    }
    // Each voice queue is worked by more than one team, so a queue-wide problem crosses teams.
    for (const q of d.queues.filter((x) => x.channel === 'voice')) {
      const teams = new Set(d.agents.filter((a) => skills.get(a.id)?.includes(q.id)).map((a) => a.teamId));
      expect(teams.size, q.id).toBeGreaterThan(1);
    }
  });

  it('queues take the default queue of their kind for reasons and effects', () => {
    expect(queueTemplate('manila-l1-voice-tech')).toBe('voice-tech');
    expect(queueTemplate('voice-tech')).toBe('voice-tech');
    expect(queueTemplate('something-else')).toBe('something-else');
  });
});

describe('scenarios scale with the centre', () => {
  it('the default centre gets the default set, draw for draw', () => {
    const d = defaultCentreDirectory();
    expect(centreScenarios(START, 21, new Rng(7, STREAMS.scenarios, START), d)).toEqual(defaultScenarios(START, 21, new Rng(7, STREAMS.scenarios, START), d));
  });

  it('a generated centre gets one set per service line, in that line and its site days', () => {
    const d = presetDirectory('large');
    const specs = centreScenarios(START, 21, new Rng(7, STREAMS.scenarios, START), d);
    const lines = new Set(d.teams.map((t) => /^(.+-l\d+)-/.exec(t.id)?.[1]));
    expect(specs.length).toBeGreaterThanOrEqual(4 * lines.size);
    expect(new Set(specs.map((s) => s.id)).size).toBe(specs.length);
    const teamOf = new Map(d.agents.map((a) => [a.id, a.teamId]));
    const siteOf = new Map(d.teams.map((t) => [t.id, t.siteId]));
    const zoneOf = new Map(d.sites.map((s) => [s.id, s.timeZone]));
    for (const s of specs) {
      const line = s.id.split('/')[0] as string;
      const owner = s.kind.startsWith('agent') ? teamOf.get(s.targetId) : s.targetId;
      expect(owner?.startsWith(`${line}-`), `${s.id} targets ${s.targetId}`).toBe(true);
      if (s.kind === 'agent-step-drop' || s.kind === 'agent-drift' || s.kind === 'team-dip') {
        // Agent and team scenarios start at the local midnight of their site.
        const zone = zoneOf.get(siteOf.get(s.kind === 'team-dip' ? s.targetId : (teamOf.get(s.targetId) as string)) as string) as string;
        expect(localParts(s.startMs, zone).minuteOfDay, s.id).toBe(0);
      }
    }
  });

  it('a 1,000-agent centre simulates a day in each zone: contacts in every site, at local opening hours', () => {
    const d = presetDirectory('medium');
    const sim = new CentreSimulator({ seed: 3, startMs: START, directory: d });
    const events = sim.advanceTo(START + 2 * DAY);
    const siteOfQueue = new Map(d.queues.map((q) => [q.id, q.siteId]));
    const zoneOf = new Map(d.sites.map((s) => [s.id, s.timeZone]));
    const offered = events.filter((e) => e.type === 'contact.offered');
    const perSite = new Map<string, number>();
    for (const e of offered) {
      const site = siteOfQueue.get(e.queueId) as string;
      perSite.set(site, (perSite.get(site) ?? 0) + 1);
      const hour = localParts(Date.parse(e.occurredAt), zoneOf.get(site) as string).minuteOfDay / 60;
      const pattern = d.sites.find((s) => s.id === site)?.openingHours.tue;
      expect(hour, `${e.queueId} at ${e.occurredAt}`).toBeGreaterThanOrEqual(Number(pattern?.open.slice(0, 2)));
      expect(hour).toBeLessThan(Number(pattern?.close.slice(0, 2)));
    }
    expect([...perSite.keys()].sort()).toEqual(['austin', 'leeds', 'manila']);
    // Leeds has twice Manila's agents; its day is shorter (08-20 against 07-23), so more than 1.2 times the contacts.
    expect((perSite.get('leeds') as number) / (perSite.get('manila') as number)).toBeGreaterThan(1.2);
    // About the default centre's work per agent (38 contacts an agent-day over a week; a Monday and Tuesday are busier).
    expect(offered.length / d.agents.length / 2).toBeGreaterThan(25);
    expect(offered.length / d.agents.length / 2).toBeLessThan(80);
  });

  it('the presets are the documented sizes', () => {
    expect(CENTRE_PRESETS.medium.agents).toBe(1_000);
    expect(CENTRE_PRESETS.large.agents).toBe(5_000);
  });
});
