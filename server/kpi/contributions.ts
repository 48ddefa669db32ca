/**
 * A contact's contribution to the counters, split into parts with the scopes each counts for (DOMAIN.md section 3):
 *
 * - the wait (offered, answered, service level, ASA, first response, abandonment): the contact's scopes and the agent
 *   who answered first;
 * - handle time: once for the contact's scopes (centre, site, channel, segment cell), and per leg for the agent, the
 *   team and the queue that handled it, so a transferred contact's talk, hold and wrap split across its agents;
 * - the outcome (surveys, FCR, response rate): the contact's scopes and the credited agent (the last who handled it
 *   by default; shared/kpis.ts CREDIT_RULES);
 * - each QA evaluation for the agent evaluated; each complaint for the agent it names, else the credited agent.
 *
 * Every counter lands once in the centre and once in exactly one segment cell, so cells still sum to the centre.
 */
import { UNASSIGNED } from '../../shared/directory.js';
import { ASYNC_CHANNELS, type Channel } from '../../shared/events.js';
import { DEFAULT_SL_SECONDS, SHORT_ABANDON_SECONDS, type CreditRule } from '../../shared/kpis.js';
import { binOf, isEmpty, zero, type Counters } from './counters.js';
import { legsInOrder, type ContactState } from './contact-state.js';

export interface Part {
  scopes: string[];
  counters: Counters;
}

export const CELL_PREFIX = 'cell:';

/**
 * A segment cell: the contacts sharing a team, queue, channel and contact reason (null where unknown, e.g. the team of
 * a contact nobody answered). Every contribution also counts for its cell, so any mix of multi-select filters is a sum
 * of cells, kept and rolled up like every other scope. Not a scope anyone subscribes to or is shown.
 */
export interface Cell {
  team: string | null;
  queue: string | null;
  channel: string | null;
  reason: string | null;
}

export const AGENT_QUEUE_PREFIX = 'agentq:';

/**
 * An agent's contacts on one queue: the funnel by queue compares the agents on a queue by their figures there, not by
 * their figures across every queue they work. Kept and rolled up like every other scope; not a scope anyone
 * subscribes to or is shown by name.
 */
export function agentQueueScope(agentId: string, queueId: string): string {
  // Named once per pair: every contribution of every contact asks, on the ingest path.
  let byQueue = AGENT_QUEUE_NAMES.get(agentId);
  if (!byQueue) AGENT_QUEUE_NAMES.set(agentId, (byQueue = new Map<string, string>()));
  let name = byQueue.get(queueId);
  if (name === undefined) byQueue.set(queueId, (name = AGENT_QUEUE_PREFIX + JSON.stringify([agentId, queueId])));
  return name;
}

const AGENT_QUEUE_NAMES = new Map<string, Map<string, string>>();

/** The agent and queue of an agent × queue scope, or undefined for any other scope. */
export function parseAgentQueue(scope: string): { agentId: string; queueId: string } | undefined {
  if (!scope.startsWith(AGENT_QUEUE_PREFIX)) return undefined;
  const [agentId, queueId] = JSON.parse(scope.slice(AGENT_QUEUE_PREFIX.length)) as [string, string];
  return { agentId, queueId };
}

export function cellScope(c: Cell): string {
  return CELL_PREFIX + JSON.stringify([c.team, c.queue, c.channel, c.reason]);
}

/** What the contributions need to know of the directory. */
export interface Org {
  queueSite: Map<string, string | null>;
  queueSl: Map<string, number>;
  agentTeam: Map<string, string>;
  teamSite: Map<string, string>;
  defaultSite: string | null;
  credit: CreditRule;
}

/** The agent a contact's outcome (survey, FCR, complaint naming nobody) is credited to, by the centre's rule. */
export function creditedAgent(c: ContactState, rule: CreditRule): string | undefined {
  if (rule === 'first' && c.agentId !== undefined) return c.agentId;
  return legsInOrder(c).at(-1)?.agentId ?? c.agentId;
}

export class Contributions {
  constructor(private readonly org: Org) {}

  private teamOf(agentId: string): string {
    return this.org.agentTeam.get(agentId) ?? UNASSIGNED;
  }

  /** The contact's own scopes: centre, site, queue (unless handled per leg), channel and its cell for `agentId`'s team. */
  private contactScopes(c: ContactState, agentId: string | undefined, withQueue = true): string[] {
    const o = this.org;
    const scopes = ['centre'];
    const site = (c.queueId !== undefined ? o.queueSite.get(c.queueId) : undefined) ?? (agentId !== undefined ? o.teamSite.get(o.agentTeam.get(agentId) ?? '') : undefined) ?? o.defaultSite;
    if (site) scopes.push(`site:${site}`);
    if (withQueue && c.queueId !== undefined) scopes.push(`queue:${c.queueId}`);
    if (c.channel !== undefined) scopes.push(`channel:${c.channel}`);
    const team = agentId === undefined ? null : this.teamOf(agentId);
    scopes.push(cellScope({ team, queue: c.queueId ?? null, channel: c.channel ?? null, reason: c.reason ?? null }));
    return scopes;
  }

  private withAgent(scopes: string[], agentId: string | undefined, queueId: string | undefined): string[] {
    if (agentId !== undefined) {
      scopes.push(`agent:${agentId}`, `team:${this.teamOf(agentId)}`);
      if (queueId !== undefined) scopes.push(agentQueueScope(agentId, queueId));
    }
    return scopes;
  }

  /** The agent a contact's outcome is credited to. */
  credited(c: ContactState): string | undefined {
    return creditedAgent(c, this.org.credit);
  }

  /** The contact's contribution, or null while it has no time to be bucketed by. */
  of(c: ContactState): { atMs: number; parts: Part[] } | null {
    const atMs = c.offeredMs ?? c.standaloneMs;
    if (atMs === undefined) return null;
    const parts: Part[] = [];
    const credited = this.credited(c);
    const wait = this.waitPart(c);
    if (wait) parts.push({ scopes: this.withAgent(this.contactScopes(c, c.agentId), c.agentId, c.queueId), counters: wait });
    parts.push(...this.handleParts(c, credited));
    const outcome = this.outcomePart(c);
    if (outcome) parts.push({ scopes: this.withAgent(this.contactScopes(c, credited), credited, c.queueId), counters: outcome });
    for (const q of c.qa.values()) {
      const p = zero();
      p.qaN = 1;
      p.qaSum = q.score;
      parts.push({ scopes: this.withAgent(this.contactScopes(c, q.agentId), q.agentId, c.queueId), counters: p });
    }
    for (const named of c.complaints.values()) {
      const p = zero();
      p.complaints = 1;
      const agentId = named ?? credited;
      parts.push({ scopes: this.withAgent(this.contactScopes(c, agentId), agentId, c.queueId), counters: p });
    }
    return { atMs, parts };
  }

  private waitPart(c: ContactState): Counters | null {
    if (c.offeredMs === undefined) return null;
    const main = zero();
    const channel = c.channel as Channel;
    if (c.callback) main.callbacks = 1;
    if (c.answeredMs !== undefined) {
      const wait = c.platformWaitSeconds ?? Math.max(0, (c.answeredMs - c.offeredMs) / 1000);
      main.offered = 1;
      main.answered = 1;
      const sl = (c.queueId !== undefined ? this.org.queueSl.get(c.queueId) : undefined) ?? DEFAULT_SL_SECONDS[channel];
      if (wait <= sl) main.answeredInSl = 1;
      if (ASYNC_CHANNELS.includes(channel)) {
        main.asyncAnswered = 1;
        main.asyncFirstResponseSum = wait;
        main.asyncHist.set(binOf(wait), 1);
      } else {
        main.syncAnswered = 1;
        main.syncWaitSum = wait;
      }
    } else if (c.abandonedMs !== undefined) {
      if (c.abandonedInIvr) main.ivrAbandoned = 1;
      else {
        const wait = c.platformWaitSeconds ?? (c.abandonedMs - c.offeredMs) / 1000;
        main.offered = 1;
        if (wait < SHORT_ABANDON_SECONDS) main.shortAbandoned = 1;
        else main.abandoned = 1;
      }
    }
    return isEmpty(main) ? null : main;
  }

  /** Handle time once for the contact, and per leg for each agent, team and queue that handled a leg. */
  private handleParts(c: ContactState, credited: string | undefined): Part[] {
    if (c.legs.size === 0) return [];
    const whole = zero();
    const byScope = new Map<string, Counters>();
    const add = (scope: string, handle: number, hold: number, holds: number) => {
      let x = byScope.get(scope);
      if (!x) byScope.set(scope, (x = zero()));
      x.handleSum += handle;
      x.holdSum += hold;
      x.holds += holds;
    };
    for (const leg of c.legs.values()) {
      whole.handleSum += leg.handleSeconds;
      whole.holdSum += leg.holdSeconds;
      whole.holds += leg.holds;
      add(`agent:${leg.agentId}`, leg.handleSeconds, leg.holdSeconds, leg.holds);
      add(`team:${this.teamOf(leg.agentId)}`, leg.handleSeconds, leg.holdSeconds, leg.holds);
      const queue = leg.queueId ?? c.queueId;
      if (queue !== undefined) {
        add(`queue:${queue}`, leg.handleSeconds, leg.holdSeconds, leg.holds);
        add(agentQueueScope(leg.agentId, queue), leg.handleSeconds, leg.holdSeconds, leg.holds);
      }
    }
    const parts: Part[] = [];
    whole.handled = 1;
    whole.handleHist.set(binOf(whole.handleSum), 1);
    parts.push({ scopes: this.contactScopes(c, credited, false), counters: whole });
    for (const [scope, x] of byScope) {
      x.handled = 1;
      x.handleHist.set(binOf(x.handleSum), 1);
      parts.push({ scopes: [scope], counters: x });
    }
    return parts;
  }

  /** Surveys, response rate and repeat-contact FCR. */
  private outcomePart(c: ContactState): Counters | null {
    const main = zero();
    if (c.legs.size > 0 && c.customerId !== undefined && c.offeredMs !== undefined) {
      main.fcrEligible = 1;
      if (legsInOrder(c).at(-1)?.resolved && !c.repeated) main.fcrFirstTime = 1;
    }
    const answered = new Set<string>();
    for (const s of c.surveys.values()) {
      answered.add(s.programme);
      const { csat, nps, resolved } = s.scores;
      if (csat) {
        main.csatN++;
        if (csat.satisfied) main.csatTop2++;
        if (csat.score5 === undefined) main.csatBinaryN++;
        else main.csatSum += csat.score5;
      }
      if (nps !== undefined) {
        main.npsN++;
        if (nps >= 9) main.promoters++;
        else if (nps <= 6) main.detractors++;
      }
      if (resolved !== undefined) {
        main.fcrSurveyN++;
        if (resolved) main.fcrSurveyYes++;
      }
    }
    main.surveysOffered = c.surveysOffered.size;
    for (const p of c.surveysOffered) if (answered.has(p)) main.surveysAnswered++;
    return isEmpty(main) ? null : main;
  }
}
