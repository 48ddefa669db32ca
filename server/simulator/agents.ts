/**
 * Agents: persistent skill effects (flagging-methods.md 6.1: b_i ~ N(0, 0.3^2) on the logit of CSAT and FCR,
 * N(0, 0.1^2) on log handle time, N(0, 3^2) on QA) and a daily rota inside opening hours.
 */
import type { Directory, Site } from '../../shared/directory.js';
import { assertNever } from '../../shared/events.js';
import { DEFAULT_TEAM_SKILLS } from './centre.js';
import { generatedTeamSkills } from './centres.js';
import { CHANNEL_PARAMS, type SimulatorTuning } from './model.js';
import type { Rng } from './random.js';
import { HOUR_MS, MINUTE_MS, type OpeningWindow } from './zoned-time.js';

export interface AgentProfile {
  id: string;
  name: string;
  firstName: string;
  teamId: string;
  siteId: string | undefined;
  /** Position in the directory: drives the rota rotation. */
  index: number;
  /** Queue ids, most preferred first (voice before chat before email). */
  skills: string[];
  csatEffect: number;
  fcrEffect: number;
  ahtLogEffect: number;
  qaEffect: number;
}

export function resolveSkills(directory: Directory, overrides: Record<string, string[]>): Map<string, string[]> {
  const queues = new Map(directory.queues.map((q) => [q.id, q]));
  const teamSite = new Map(directory.teams.map((t) => [t.id, t.siteId]));
  const priority = (id: string) => CHANNEL_PARAMS[queues.get(id)?.channel ?? 'email'].priority;
  const out = new Map<string, string[]>();
  for (const a of directory.agents) {
    const site = teamSite.get(a.teamId);
    const fallback = directory.queues.filter((q) => q.siteId === undefined || q.siteId === site).map((q) => q.id);
    const listed = (overrides[a.id] ?? DEFAULT_TEAM_SKILLS[a.teamId] ?? generatedTeamSkills(a.teamId) ?? fallback).filter((id) => queues.has(id));
    // A default team whose queues were renamed away still works its site's queues rather than idling.
    const skills = listed.length > 0 || overrides[a.id] ? listed : fallback;
    // Stable sort: channel priority first, the listed order within a channel.
    out.set(a.id, skills.map((id, i) => [id, i] as const).sort((x, y) => priority(x[0]) - priority(y[0]) || x[1] - y[1]).map(([id]) => id));
  }
  return out;
}

export function buildProfiles(directory: Directory, skills: Map<string, string[]>, tuning: SimulatorTuning, rng: Rng): AgentProfile[] {
  const teamSite = new Map(directory.teams.map((t) => [t.id, t.siteId]));
  return directory.agents.map((a, index) => ({
    id: a.id,
    name: a.name,
    firstName: a.name.split(' ')[0] ?? a.name,
    teamId: a.teamId,
    siteId: teamSite.get(a.teamId),
    index,
    skills: skills.get(a.id) ?? [],
    csatEffect: rng.normal(0, tuning.agentCsatSd),
    fcrEffect: rng.normal(0, tuning.agentFcrSd),
    ahtLogEffect: rng.normal(0, tuning.agentAhtSdLog),
    qaEffect: rng.normal(0, tuning.agentQaSd),
  }));
}

export interface Shift {
  agent: AgentProfile;
  startMs: number;
  endMs: number;
  breaks: { startMs: number; endMs: number }[];
}

/** Full-timers' share starting at 0, 1/4, 1/2, 3/4 and all of the way through the span of possible starts. */
const START_SLOTS: readonly (readonly [number, number])[] = [
  [0, 0.35], [0.25, 0.2], [0.5, 0.1], [0.75, 0.1], [1, 0.25],
];
const SHIFT_MS = 8 * HOUR_MS;
const PART_TIME_MS = 4.5 * HOUR_MS;
const QUARTER_MS = 15 * MINUTE_MS;
const quarter = (ms: number) => Math.round(ms / QUARTER_MS) * QUARTER_MS;

/** One agent in five works part-time (flagging-methods.md 6.1: part-timers at about half volume). */
export const isPartTime = (agent: AgentProfile): boolean => agent.index % 5 === 2;

/**
 * Rostered today? Everyone works five days. A rotating two in five work Saturday (and Sunday, at sites open
 * then) and take a Tuesday-Friday off instead; Monday, the busiest day, has everyone in.
 */
function rostered(agent: AgentProfile, window: OpeningWindow, week: number): boolean {
  const rotation = (agent.index + week) % 5;
  const weekendWorker = rotation < 2;
  switch (window.weekday) {
    case 'mon':
      return true;
    case 'tue':
    case 'wed':
    case 'thu':
    case 'fri':
      return !weekendWorker || (agent.index + week) % 4 !== ['tue', 'wed', 'thu', 'fri'].indexOf(window.weekday);
    case 'sat':
      return weekendWorker;
    case 'sun':
      return weekendWorker && rotation === 1;
    default:
      return assertNever(window.weekday);
  }
}

/**
 * Shifts for one site's opening window, staggered within each team so every team covers the whole day:
 * full-timers mostly start early (the morning peak), some late (the evening); part-timers cover either the
 * morning peak or the evening.
 */
export function planShifts(agents: readonly AgentProfile[], window: OpeningWindow, week: number, absenceRate: number, rng: Rng): Shift[] {
  const windowMs = window.closeMs - window.openMs;
  const shiftMs = Math.min(SHIFT_MS, windowMs);
  const spanMs = windowMs - shiftMs;
  const byTeam = new Map<string, AgentProfile[]>();
  const shifts: Shift[] = [];
  let partTimers = 0;
  for (const a of agents) {
    if (!rostered(a, window, week) || rng.chance(absenceRate)) continue;
    if (isPartTime(a)) {
      const lengthMs = Math.min(PART_TIME_MS, windowMs);
      const early = partTimers++ % 2 === 0;
      const startMs = early ? window.openMs : window.closeMs - lengthMs;
      shifts.push({ agent: a, startMs, endMs: startMs + lengthMs, breaks: breaksFor(startMs, lengthMs, rng) });
      continue;
    }
    const list = byTeam.get(a.teamId) ?? [];
    list.push(a);
    byTeam.set(a.teamId, list);
  }
  for (const team of byTeam.values()) {
    const ordered = rng.shuffled(team);
    ordered.forEach((agent, k) => {
      const position = (k + 0.5) / ordered.length;
      let cumulative = 0;
      let slot = 1;
      for (const [at, share] of START_SLOTS) {
        cumulative += share;
        if (position <= cumulative) {
          slot = at;
          break;
        }
      }
      const startMs = Math.min(window.openMs + quarter(slot * spanMs), window.closeMs - shiftMs);
      shifts.push({ agent, startMs, endMs: startMs + shiftMs, breaks: breaksFor(startMs, shiftMs, rng) });
    });
  }
  return shifts;
}

/** A 15-minute break about two hours in, and a 30-minute lunch about halfway, on long enough shifts. */
function breaksFor(startMs: number, shiftMs: number, rng: Rng): Shift['breaks'] {
  const out: Shift['breaks'] = [];
  if (shiftMs >= 4 * HOUR_MS) {
    const s = startMs + quarter(2 * HOUR_MS + rng.between(-0.5, 0.5) * HOUR_MS);
    out.push({ startMs: s, endMs: s + QUARTER_MS });
  }
  if (shiftMs >= 6 * HOUR_MS) {
    const s = startMs + quarter(shiftMs * 0.55 + rng.between(-0.75, 0.75) * HOUR_MS);
    out.push({ startMs: s, endMs: s + 2 * QUARTER_MS });
  }
  return out;
}

export function siteOf(directory: Directory, siteId: string | undefined): Site | undefined {
  return directory.sites.find((s) => s.id === siteId) ?? directory.sites[0];
}
