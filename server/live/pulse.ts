/**
 * Today's live pulse for the centre: counts of today's activity, contacts waiting now, agents by state.
 * Plain domain code fed with stored events; O(1) per event. The full KPI engine (issue 4) supersedes its figures.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';
import { AGENT_STATES, assertNever, isLifecycle, type AgentState, type Channel, type FrontlineEvent } from '../../shared/events.js';
import { surveyScores } from '../../shared/surveys.js';
import { UNASSIGNED, type Directory } from '../../shared/directory.js';
import type { PulseSnapshot, QueuePulse } from '../../shared/live.js';

interface OpenContact {
  queueId: string;
  offeredMs: number;
}

const MINUTE_MS = 60_000;

export class LivePulse {
  private dayStartMs = 0;
  private dayEndMs = 0;
  private totals: PulseSnapshot['totals'] = emptyTotals();
  private queues = new Map<string, QueuePulse>();
  /** Contacts offered today that are neither answered nor abandoned yet: the queue right now. */
  private waiting = new Map<string, OpenContact>();
  /** Queue of today's contacts, so late answers and abandons land on the right queue. */
  private contactQueue = new Map<string, string>();
  private agentState = new Map<string, AgentState>();
  /** Today's counts per agent (the agent's own view, and a team leader's look at one agent). */
  private agentCounts = new Map<string, AgentToday>();
  /** Which agent first answered each of today's contacts, so a survey lands on that agent. */
  private contactAgent = new Map<string, string>();
  /** The first lifecycle revision seen per contact today: the pulse counts activity once, later revisions only settle who is waiting. */
  private contactRevision = new Map<string, number>();
  /** Today's evaluations by id: an amended evaluation (a higher revision of the same one) is not counted again. */
  private qaSeen = new Set<string>();
  /** Arrival times (server clock) of recent events, per second bucket: bounded to 60 entries. */
  private recent = new Map<number, number>();
  private lastEventMs: number | null = null;
  private seq = 0;
  private dirty = true;
  private lastSnapshotMs = -Infinity;

  /** An agent's current state, or null when none was seen today. */
  stateOf(agentId: string): AgentState | null {
    return this.agentState.get(agentId) ?? null;
  }

  constructor(
    private directory: Directory,
    private readonly timeZone: string,
  ) {}

  /** Starts a new day when `nowMs` has passed midnight in the centre's time zone; returns true if it did. */
  rollDay(nowMs: number): boolean {
    if (nowMs >= this.dayStartMs && nowMs < this.dayEndMs) return false;
    const start = startOfDay(new TZDate(nowMs, this.timeZone));
    this.dayStartMs = start.getTime();
    this.dayEndMs = addDays(start, 1).getTime();
    this.totals = emptyTotals();
    this.queues.clear();
    this.waiting.clear();
    this.contactQueue.clear();
    this.agentCounts.clear();
    this.contactAgent.clear();
    this.contactRevision.clear();
    this.qaSeen.clear();
    this.dirty = true;
    return true;
  }

  setDirectory(directory: Directory): void {
    this.directory = directory;
    for (const q of this.queues.values()) Object.assign(q, this.queueLabel(q.queueId));
    this.dirty = true;
  }

  get dayStart(): number {
    return this.dayStartMs;
  }

  apply(event: FrontlineEvent, arrivedMs: number): void {
    const at = Date.parse(event.occurredAt);
    this.lastEventMs = Math.max(this.lastEventMs ?? at, at);
    const second = Math.floor(arrivedMs / 1000);
    this.recent.set(second, (this.recent.get(second) ?? 0) + 1);
    this.dirty = true;
    if (event.type === 'agent.state') {
      this.agentState.set(event.agentId, event.state);
      return;
    }
    if (at < this.dayStartMs || at >= this.dayEndMs) return;
    this.applyToday(event);
  }

  private applyToday(event: Exclude<FrontlineEvent, { type: 'agent.state' }>): void {
    if (isLifecycle(event) && event.revision !== undefined) {
      const first = this.contactRevision.get(event.contactId);
      if (first === undefined) this.contactRevision.set(event.contactId, event.revision);
      else if (first !== event.revision) {
        if (event.revision > first && event.type !== 'contact.offered' && event.type !== 'contact.transferred') this.waiting.delete(event.contactId);
        return;
      }
    }
    const t = this.totals;
    switch (event.type) {
      case 'contact.offered': {
        t.offered++;
        this.queue(event.queueId, event.channel).offered++;
        this.contactQueue.set(event.contactId, event.queueId);
        this.waiting.set(event.contactId, { queueId: event.queueId, offeredMs: Date.parse(event.occurredAt) });
        return;
      }
      case 'contact.answered': {
        t.answered++;
        if (!this.contactAgent.has(event.contactId)) {
          this.contactAgent.set(event.contactId, event.agentId);
          this.agent(event.agentId).answered++;
        }
        const q = this.contactQueue.get(event.contactId);
        if (q !== undefined) this.queue(q, null).answered++;
        this.waiting.delete(event.contactId);
        return;
      }
      case 'contact.abandoned': {
        t.abandoned++;
        const q = this.contactQueue.get(event.contactId);
        if (q !== undefined) this.queue(q, null).abandoned++;
        this.waiting.delete(event.contactId);
        return;
      }
      case 'contact.ended': {
        t.handled++;
        if (event.resolved) t.resolvedAtEnd++;
        const a = this.agent(event.agentId);
        a.handled++;
        if (event.resolved) a.resolvedAtEnd++;
        return;
      }
      case 'survey.responded': {
        t.surveys++;
        const agentId = this.contactAgent.get(event.contactId);
        const csat = surveyScores(event).csat;
        if (csat !== undefined) {
          t.csatResponses++;
          if (csat.satisfied) t.csatTopTwo++;
          if (agentId !== undefined) {
            const a = this.agent(agentId);
            a.csatResponses++;
            if (csat.satisfied) a.csatTopTwo++;
          }
        }
        return;
      }
      case 'survey.offered':
        return;
      case 'qa.evaluated':
        if (event.evaluationId !== undefined) {
          if (this.qaSeen.has(event.evaluationId)) return;
          this.qaSeen.add(event.evaluationId);
        }
        t.qaEvaluations++;
        return;
      case 'complaint.logged':
        t.complaints++;
        return;
      case 'contact.transferred':
        if (event.toQueueId !== undefined) this.contactQueue.set(event.contactId, event.toQueueId);
        return;
      default:
        assertNever(event);
    }
  }

  /**
   * A new snapshot when something changed since the last one, or when `heartbeatMs` has passed without one (so a
   * quiet centre still shows a fresh "updated" time and the rolling events/min decays), else null.
   */
  snapshotIfChanged(nowMs: number, heartbeatMs = Infinity): PulseSnapshot | null {
    if (!this.dirty && nowMs - this.lastSnapshotMs < heartbeatMs) return null;
    return this.snapshot(nowMs);
  }

  snapshot(nowMs: number): PulseSnapshot {
    this.dirty = false;
    this.lastSnapshotMs = nowMs;
    this.seq++;
    const cutoff = Math.floor((nowMs - MINUTE_MS) / 1000);
    let lastMinute = 0;
    for (const [s, n] of this.recent) {
      if (s <= cutoff) this.recent.delete(s);
      else lastMinute += n;
    }
    const waitingByQueue = new Map<string, number>();
    const oldestByQueue = new Map<string, number>();
    for (const c of this.waiting.values()) {
      waitingByQueue.set(c.queueId, (waitingByQueue.get(c.queueId) ?? 0) + 1);
      oldestByQueue.set(c.queueId, Math.min(oldestByQueue.get(c.queueId) ?? Infinity, c.offeredMs));
    }
    const agentsByState = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
    for (const s of this.agentState.values()) agentsByState[s]++;
    const known = new Set(this.directory.queues.map((q) => q.id));
    for (const q of this.directory.queues) this.queue(q.id, q.channel);
    return {
      seq: this.seq,
      asOf: new Date(nowMs).toISOString(),
      dayStart: new Date(this.dayStartMs).toISOString(),
      timeZone: this.timeZone,
      totals: { ...this.totals },
      queues: [...this.queues.values()]
        .map((q) => {
          const oldest = oldestByQueue.get(q.queueId);
          return { ...q, waitingNow: waitingByQueue.get(q.queueId) ?? 0, longestWaitSeconds: oldest === undefined ? null : Math.max(0, Math.round((nowMs - oldest) / 1000)) };
        })
        .sort((a, b) => Number(known.has(b.queueId)) - Number(known.has(a.queueId)) || a.name.localeCompare(b.name)),
      agentsByState,
      eventsLastMinute: lastMinute,
      lastEventAt: this.lastEventMs === null ? null : new Date(this.lastEventMs).toISOString(),
    };
  }

  /** Today's counts for one agent, and their state now. */
  agentToday(agentId: string): AgentToday & { state: AgentState | null } {
    return { ...(this.agentCounts.get(agentId) ?? emptyAgent()), state: this.agentState.get(agentId) ?? null };
  }

  private agent(agentId: string): AgentToday {
    let a = this.agentCounts.get(agentId);
    if (!a) {
      a = emptyAgent();
      this.agentCounts.set(agentId, a);
    }
    return a;
  }

  private queue(queueId: string, channel: Channel | null): QueuePulse {
    let q = this.queues.get(queueId);
    if (!q) {
      q = { queueId, ...this.queueLabel(queueId), offered: 0, answered: 0, abandoned: 0, waitingNow: 0, longestWaitSeconds: null };
      if (q.channel === null) q.channel = channel;
      this.queues.set(queueId, q);
    }
    return q;
  }

  private queueLabel(queueId: string): { name: string; channel: Channel | null; siteId: string | null } {
    const q = this.directory.queues.find((x) => x.id === queueId);
    return q ? { name: q.name, channel: q.channel, siteId: q.siteId ?? null } : { name: `${UNASSIGNED} (${queueId})`, channel: null, siteId: null };
  }
}

export interface AgentToday {
  answered: number;
  handled: number;
  resolvedAtEnd: number;
  csatResponses: number;
  csatTopTwo: number;
}

function emptyAgent(): AgentToday {
  return { answered: 0, handled: 0, resolvedAtEnd: 0, csatResponses: 0, csatTopTwo: 0 };
}

function emptyTotals(): PulseSnapshot['totals'] {
  return { offered: 0, answered: 0, abandoned: 0, handled: 0, resolvedAtEnd: 0, surveys: 0, csatTopTwo: 0, csatResponses: 0, qaEvaluations: 0, complaints: 0 };
}
