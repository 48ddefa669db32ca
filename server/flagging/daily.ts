/**
 * Daily outcome counts for the flagger, per local day, agent and queue, from raw events in any order: surveys
 * (dissatisfied = CSAT 1 to 3; not resolved = "resolved: no") and handle times (as logs, for the normal CUSUM). A
 * contact counts on the day it was offered and for the agent who first answered it, as in the KPI engine. Teams and
 * queues get the same counts summed, for their XmR charts.
 *
 * The day is the agent's local date (their team's site's zone, shared/zones.ts), keyed by that date's midnight in the
 * centre's zone, so agents of every site meet on one calendar date (peers, queue charts) and a one-zone centre keeps
 * the keys it always had.
 */
import { TZDate } from '@date-fns/tz';
import { startOfDay } from 'date-fns';
import type { FrontlineEvent } from '../../shared/events.js';

export const FLAG_KPIS = ['csat', 'fcrSurvey', 'aht'] as const;
export type FlagKpi = (typeof FLAG_KPIS)[number];

export interface Counts {
  /** Bernoulli KPIs: observations and bad outcomes. */
  n: number;
  bad: number;
}

export interface LogTimes {
  n: number;
  sum: number;
  sumSq: number;
}

export interface AgentQueueDay {
  csat: Counts;
  fcrSurvey: Counts;
  aht: LogTimes;
  /** Contact ids with a bad and with a good survey, kept for a case's frozen evidence (bounded). */
  badContacts: string[];
  goodContacts: string[];
}

/** day start (ms) → agent → queue → counts */
export type DailyCounts = Map<number, Map<string, Map<string, AgentQueueDay>>>;

const EVIDENCE_PER_DAY = 5;

export function emptyAgentQueueDay(): AgentQueueDay {
  return { csat: { n: 0, bad: 0 }, fcrSurvey: { n: 0, bad: 0 }, aht: { n: 0, sum: 0, sumSq: 0 }, badContacts: [], goodContacts: [] };
}

interface ContactInfo {
  offeredMs?: number;
  queueId?: string;
  agentId?: string;
  pending: FrontlineEvent[];
}

const QUARTER_MS = 15 * 60_000;

/**
 * Builds daily counts from events (any order). `timeZone` is the centre's: the days' keys; `zoneOfAgent` the zone
 * each agent's days follow (by default the centre's).
 */
export class DailyCountsBuilder {
  readonly days: DailyCounts = new Map();
  private readonly contacts = new Map<string, ContactInfo>();
  private readonly seen = new Set<string>();
  /** zone → quarter-hour → day key. Quarter-hours: some zones' midnights fall on the half or quarter hour. */
  private readonly dayCache = new Map<string, Map<number, number>>();

  constructor(
    private readonly timeZone: string,
    private readonly zoneOfAgent: (agentId: string) => string = () => timeZone,
  ) {}

  /** The day key of the centre's local date holding `ms`. */
  dayOf(ms: number): number {
    return this.dayIn(ms, this.timeZone);
  }

  /** The day key of `zone`'s local date holding `ms`: that date's midnight in the centre's zone. */
  dayIn(ms: number, zone: string): number {
    let byQuarter = this.dayCache.get(zone);
    if (!byQuarter) this.dayCache.set(zone, (byQuarter = new Map<number, number>()));
    const q = Math.floor(ms / QUARTER_MS);
    let d = byQuarter.get(q);
    if (d === undefined) {
      const local = new TZDate(ms, zone);
      d = zone === this.timeZone ? startOfDay(local).getTime() : new TZDate(local.getFullYear(), local.getMonth(), local.getDate(), this.timeZone).getTime();
      byQuarter.set(q, d);
    }
    return d;
  }

  /** The key of the earliest date still running in any of `zones` at `nowMs`: days from it on are not closed yet. */
  openFrom(nowMs: number, zones: string[]): number {
    return Math.min(this.dayOf(nowMs), ...zones.map((z) => this.dayIn(nowMs, z)));
  }

  add(e: FrontlineEvent): void {
    if (e.type === 'agent.state' || e.type === 'complaint.logged' || e.type === 'qa.evaluated' || e.type === 'contact.transferred' || e.type === 'contact.abandoned') return;
    if (this.seen.has(e.id)) return;
    this.seen.add(e.id);
    let c = this.contacts.get(e.contactId);
    if (!c) {
      c = { pending: [] };
      this.contacts.set(e.contactId, c);
    }
    if (e.type === 'contact.offered') {
      if (c.offeredMs === undefined) {
        c.offeredMs = Date.parse(e.occurredAt);
        c.queueId = e.queueId;
      }
    } else if (e.type === 'contact.answered') {
      c.agentId ??= e.agentId;
    } else c.pending.push(e);
    if (c.offeredMs !== undefined && c.agentId !== undefined && c.queueId !== undefined && c.pending.length > 0) {
      const cell = this.cell(this.dayIn(c.offeredMs, this.zoneOfAgent(c.agentId)), c.agentId, c.queueId);
      for (const p of c.pending.splice(0)) this.count(cell, p, e.contactId);
    }
  }

  private count(cell: AgentQueueDay, e: FrontlineEvent, contactId: string): void {
    if (e.type === 'contact.ended') {
      const seconds = Math.max(1, e.talkSeconds + e.holdSeconds + e.wrapSeconds);
      const l = Math.log(seconds);
      cell.aht.n++;
      cell.aht.sum += l;
      cell.aht.sumSq += l * l;
    } else if (e.type === 'survey.responded') {
      if (e.csat !== undefined) {
        cell.csat.n++;
        const bad = e.csat <= 3;
        if (bad) cell.csat.bad++;
        const list = bad ? cell.badContacts : cell.goodContacts;
        if (list.length < EVIDENCE_PER_DAY && !list.includes(contactId)) list.push(contactId);
      }
      if (e.resolved !== undefined) {
        cell.fcrSurvey.n++;
        if (!e.resolved) cell.fcrSurvey.bad++;
      }
    }
  }

  private cell(day: number, agentId: string, queueId: string): AgentQueueDay {
    let byAgent = this.days.get(day);
    if (!byAgent) this.days.set(day, (byAgent = new Map<string, Map<string, AgentQueueDay>>()));
    let byQueue = byAgent.get(agentId);
    if (!byQueue) byAgent.set(agentId, (byQueue = new Map<string, AgentQueueDay>()));
    let cell = byQueue.get(queueId);
    if (!cell) byQueue.set(queueId, (cell = emptyAgentQueueDay()));
    return cell;
  }
}
