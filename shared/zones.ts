/**
 * Which time zone a scope's days and weeks follow (issue 15, point 9): a site its own; a team its site's; an agent
 * their team's site's; a queue its site's when it has one. Centre-wide figures (the centre, a channel, a queue with
 * no site, segment cells and anything the directory does not know) follow the centre's zone: the directory's
 * `timeZone`, else the first site's, else Europe/London.
 */
import type { Directory } from './directory.js';

export const DEFAULT_TIME_ZONE = 'Europe/London';

/** The zone centre-wide figures use. */
export function centreZoneOf(directory: Pick<Directory, 'timeZone' | 'sites'>): string {
  return directory.timeZone ?? directory.sites[0]?.timeZone ?? DEFAULT_TIME_ZONE;
}

/** Every scope with a zone of its own, resolved once per directory. */
export class ScopeZones {
  readonly centre: string;
  private readonly byScope = new Map<string, string>();
  private readonly sites: string[];

  constructor(directory: Directory) {
    this.centre = centreZoneOf(directory);
    const siteZone = new Map(directory.sites.map((s) => [s.id, s.timeZone]));
    this.sites = directory.sites.map((s) => s.timeZone);
    for (const s of directory.sites) this.byScope.set(`site:${s.id}`, s.timeZone);
    const teamZone = new Map<string, string>();
    for (const t of directory.teams) {
      const z = siteZone.get(t.siteId);
      if (z === undefined) continue;
      teamZone.set(t.id, z);
      this.byScope.set(`team:${t.id}`, z);
    }
    for (const a of directory.agents) {
      const z = teamZone.get(a.teamId);
      if (z !== undefined) this.byScope.set(`agent:${a.id}`, z);
    }
    for (const q of directory.queues) {
      const z = q.siteId === undefined ? undefined : siteZone.get(q.siteId);
      if (z !== undefined) this.byScope.set(`queue:${q.id}`, z);
    }
  }

  /** The zone of a scope named as the API names it (centre, site:ID, team:ID, queue:ID, channel:NAME, agent:ID). */
  of(scope: string): string {
    return this.own(scope) ?? this.centre;
  }

  /**
   * The zone of a scope with one of its own (a site, or a team, agent or queue with a site); else undefined. An
   * agent's figures on one queue (the KPI engine's `agentq:["AGENT","QUEUE"]`) follow the agent's days.
   */
  own(scope: string): string | undefined {
    if (scope.startsWith('agentq:')) {
      const [agentId] = JSON.parse(scope.slice('agentq:'.length)) as [string, string];
      return this.byScope.get(`agent:${agentId}`);
    }
    return this.byScope.get(scope);
  }

  /** Every zone some scope uses, the centre's first. */
  all(): string[] {
    return [...new Set([this.centre, ...this.sites])];
  }
}

const cache = new WeakMap<Directory, ScopeZones>();

/** The scope → zone map of a directory, computed once per directory object. */
export function scopeZones(directory: Directory): ScopeZones {
  let z = cache.get(directory);
  if (!z) cache.set(directory, (z = new ScopeZones(directory)));
  return z;
}

/** The time zone `scope`'s days and weeks follow. */
export function zoneOf(scope: string, directory: Directory): string {
  return scopeZones(directory).of(scope);
}
