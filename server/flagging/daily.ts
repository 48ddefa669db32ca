/**
 * Daily outcome counts for the flagger, per local day, agent and queue, from raw events in any order: surveys
 * (dissatisfied = not satisfied on the programme's scale, shared/surveys.ts; not resolved = "resolved: no") and
 * handle times (as logs, for the normal CUSUM). Each contact is folded by the KPI engine's own rules
 * (server/kpi/contact-state.ts: the latest revision only), counts on the day it was offered, its handle time for each
 * agent who handled a leg (their legs summed, on the leg's queue), its surveys for the credited agent (the last who
 * handled it by default), exactly as the KPI engine attributes them. Teams and queues get the same counts summed,
 * for their XmR charts.
 *
 * The day is the agent's local date (their team's site's zone, shared/zones.ts), keyed by that date's midnight in the
 * centre's zone, so agents of every site meet on one calendar date (peers, queue charts) and a one-zone centre keeps
 * the keys it always had.
 */
import { TZDate } from '@date-fns/tz';
import { startOfDay } from 'date-fns';
import type { FrontlineEvent } from '../../shared/events.js';
import type { CreditRule } from '../../shared/kpis.js';
import { applyToContact, newContact, type ContactState } from '../kpi/contact-state.js';
import { creditedAgent } from '../kpi/contributions.js';

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

const QUARTER_MS = 15 * 60_000;

/**
 * Builds daily counts from events (any order). `timeZone` is the centre's: the days' keys; `zoneOfAgent` the zone
 * each agent's days follow (by default the centre's).
 */
export class DailyCountsBuilder {
  private counted: DailyCounts | undefined;
  private readonly contacts = new Map<string, ContactState>();
  /** zone → quarter-hour → day key. Quarter-hours: some zones' midnights fall on the half or quarter hour. */
  private readonly dayCache = new Map<string, Map<number, number>>();

  constructor(
    private readonly timeZone: string,
    private readonly zoneOfAgent: (agentId: string) => string = () => timeZone,
    private readonly credit: CreditRule = 'last',
  ) {}

  /** The counts of every contact added so far (computed once after the last add). */
  get days(): DailyCounts {
    this.counted ??= this.countAll();
    return this.counted;
  }

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
    if (e.type === 'agent.state' || e.type === 'complaint.logged' || e.type === 'qa.evaluated' || e.type === 'survey.offered') return;
    let c = this.contacts.get(e.contactId);
    if (!c) this.contacts.set(e.contactId, (c = newContact(e.contactId)));
    if (applyToContact(c, e) !== 'ignored') this.counted = undefined;
  }

  /**
   * The counts, computed in slices that yield to the event loop between them. A full read holds every stored contact
   * (240,000 on a 1,000-agent centre's week), and counting them in one pass stalled the main thread for seconds.
   */
  async settle(slice = 2_000): Promise<DailyCounts> {
    if (this.counted) return this.counted;
    const days: DailyCounts = new Map();
    let n = 0;
    for (const c of this.contacts.values()) {
      this.countContact(days, c);
      if (++n % slice === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.counted = days;
    return days;
  }

  private countAll(): DailyCounts {
    const days: DailyCounts = new Map();
    for (const c of this.contacts.values()) this.countContact(days, c);
    return days;
  }

  private countContact(days: DailyCounts, c: ContactState): void {
    if (c.offeredMs === undefined || c.queueId === undefined) return;
    const offeredMs = c.offeredMs;
    const cellOf = (agentId: string, queueId: string) => this.cell(days, this.dayIn(offeredMs, this.zoneOfAgent(agentId)), agentId, queueId);
    // Handle time: each agent's legs of this contact summed, per queue handled for.
    const handled = new Map<string, { agentId: string; queueId: string; seconds: number }>();
    for (const leg of c.legs.values()) {
      const queueId = leg.queueId ?? c.queueId;
      const key = JSON.stringify([leg.agentId, queueId]);
      const h = handled.get(key);
      if (h) h.seconds += leg.handleSeconds;
      else handled.set(key, { agentId: leg.agentId, queueId, seconds: leg.handleSeconds });
    }
    for (const h of handled.values()) {
      const l = Math.log(Math.max(1, h.seconds));
      const cell = cellOf(h.agentId, h.queueId);
      cell.aht.n++;
      cell.aht.sum += l;
      cell.aht.sumSq += l * l;
    }
    const credited = creditedAgent(c, this.credit);
    if (credited === undefined || c.surveys.size === 0) return;
    const cell = cellOf(credited, c.queueId);
    for (const s of c.surveys.values()) {
      const { csat, resolved } = s.scores;
      if (csat) {
        cell.csat.n++;
        const bad = !csat.satisfied;
        if (bad) cell.csat.bad++;
        const list = bad ? cell.badContacts : cell.goodContacts;
        if (list.length < EVIDENCE_PER_DAY && !list.includes(c.id)) list.push(c.id);
      }
      if (resolved !== undefined) {
        cell.fcrSurvey.n++;
        if (!resolved) cell.fcrSurvey.bad++;
      }
    }
  }

  private cell(days: DailyCounts, day: number, agentId: string, queueId: string): AgentQueueDay {
    let byAgent = days.get(day);
    if (!byAgent) days.set(day, (byAgent = new Map<string, Map<string, AgentQueueDay>>()));
    let byQueue = byAgent.get(agentId);
    if (!byQueue) byAgent.set(agentId, (byQueue = new Map<string, AgentQueueDay>()));
    let cell = byQueue.get(queueId);
    if (!cell) byQueue.set(queueId, (cell = emptyAgentQueueDay()));
    return cell;
  }
}
