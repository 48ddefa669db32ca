/**
 * The contacts behind a number: for a scope and period (a chart point or bar), every contact offered in it with the
 * figures each KPI counts, marked for or against the KPI being looked at; and one contact's record with its timeline.
 * Contacts are attributed as the KPI engine attributes them (the agent who answered first; the queue it was offered
 * to), so the list behind a point adds up to that point.
 */
import { TZDate } from '@date-fns/tz';
import type { Scope } from '../../shared/access.js';
import type { ContactRecord, ContactRow, ContactsReply } from '../../shared/contacts.js';
import { UNASSIGNED, type Directory } from '../../shared/directory.js';
import { contactIdOf, type FrontlineEvent } from '../../shared/events.js';
import { SHORT_ABANDON_SECONDS, type KpiName } from '../../shared/kpis.js';
import { EMPTY_FILTER, NO_REASON, NO_TEAM, type SegmentFilter } from '../../shared/segments.js';
import type { Store } from '../store/db.js';

const BATCH = 500;

/** Does a contact count towards the KPI, and if so is it against it? undefined: not counted. */
function verdict(kpi: KpiName, c: ContactRow): boolean | undefined {
  switch (kpi) {
    case 'csat':
      return c.csat === null ? undefined : c.csat <= 3;
    case 'fcrSurvey':
      return c.resolved === null ? undefined : !c.resolved;
    case 'nps':
      return c.nps === null ? undefined : c.nps <= 6;
    case 'aht':
      return c.handleSeconds === null ? undefined : false;
    case 'abandonRate':
      if (c.outcome === 'open') return undefined;
      if (c.outcome === 'abandoned' && (c.waitSeconds ?? 0) < SHORT_ABANDON_SECONDS) return undefined;
      return c.outcome === 'abandoned';
    case 'asa':
    case 'serviceLevel':
    case 'firstResponse':
      return c.outcome === 'answered' ? false : undefined;
    case 'qa':
      return c.qaScore === null ? undefined : c.qaScore < 80;
    case 'complaintsPer1000':
      return c.outcome === 'open' ? undefined : c.complaints > 0;
    case 'fcrRepeat':
      return c.outcome === 'answered' ? false : undefined;
  }
}

function inScope(c: ContactRow, scope: Scope, dir: Directory): boolean {
  switch (scope.kind) {
    case 'centre':
      return true;
    case 'agent':
      return c.agentId === scope.id;
    case 'team':
      return c.agentId !== null && dir.agents.find((a) => a.id === c.agentId)?.teamId === scope.id;
    case 'site': {
      const q = dir.queues.find((x) => x.id === c.queueId);
      if (q?.siteId) return q.siteId === scope.id;
      const team = dir.agents.find((a) => a.id === c.agentId)?.teamId;
      return dir.teams.find((t) => t.id === team)?.siteId === scope.id;
    }
    case 'queue':
      return c.queueId === scope.id;
    case 'channel':
      return c.channel === scope.id;
  }
}

/** Whether a contact passes the multi-select filters, as segment cells count it (times in the centre's zone). */
function passes(c: ContactRow, f: SegmentFilter, dir: Directory, timeZone: string): boolean {
  if (f.teams.length > 0) {
    const team = c.agentId === null ? NO_TEAM : (dir.agents.find((a) => a.id === c.agentId)?.teamId ?? UNASSIGNED);
    if (!f.teams.includes(team)) return false;
  }
  if (f.queues.length > 0 && (c.queueId === null || !f.queues.includes(c.queueId))) return false;
  if (f.channels.length > 0 && (c.channel === null || !f.channels.includes(c.channel))) return false;
  if (f.reasons.length > 0 && !f.reasons.includes(c.reason ?? NO_REASON)) return false;
  if (f.hours.length > 0 || f.weekdays.length > 0) {
    const d = new TZDate(Date.parse(c.offeredAt), timeZone);
    const weekday = d.getDay() === 0 ? 7 : d.getDay();
    if (f.hours.length > 0 && !f.hours.includes(d.getHours())) return false;
    if (f.weekdays.length > 0 && !f.weekdays.includes(weekday)) return false;
  }
  return true;
}

function rowsFrom(events: FrontlineEvent[]): Map<string, ContactRow & { answeredMs: number; offeredMs: number }> {
  const out = new Map<string, ContactRow & { answeredMs: number; offeredMs: number }>();
  const sorted = [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  for (const e of sorted) {
    const cid = contactIdOf(e);
    if (cid === undefined) continue;
    let c = out.get(cid);
    if (!c) {
      c = { contactId: cid, offeredAt: e.occurredAt, channel: null, queueId: null, reason: null, agentId: null, outcome: 'open', waitSeconds: null, handleSeconds: null, csat: null, nps: null, resolved: null, comment: null, complaints: 0, qaScore: null, against: null, answeredMs: Infinity, offeredMs: Infinity };
      out.set(cid, c);
    }
    const at = Date.parse(e.occurredAt);
    switch (e.type) {
      case 'contact.offered':
        if (at < c.offeredMs) {
          c.offeredMs = at;
          c.offeredAt = e.occurredAt;
          c.queueId = e.queueId;
          c.channel = e.channel;
          c.reason = e.reason ?? null;
        }
        break;
      case 'contact.answered':
        if (at < c.answeredMs) {
          c.answeredMs = at;
          c.agentId = e.agentId;
          c.outcome = 'answered';
        }
        break;
      case 'contact.abandoned':
        if (c.outcome === 'open') c.outcome = 'abandoned';
        c.waitSeconds ??= Math.max(0, (at - c.offeredMs) / 1000);
        break;
      case 'contact.ended':
        c.handleSeconds = (c.handleSeconds ?? 0) + e.talkSeconds + e.holdSeconds + e.wrapSeconds;
        break;
      case 'survey.responded':
        if (e.csat !== undefined) c.csat = e.csat;
        if (e.nps !== undefined) c.nps = e.nps;
        if (e.resolved !== undefined) c.resolved = e.resolved;
        if (e.comment) c.comment = e.comment;
        break;
      case 'qa.evaluated':
        c.qaScore = e.criticalFail ? 0 : e.score;
        break;
      case 'complaint.logged':
        c.complaints++;
        break;
      case 'contact.transferred':
      case 'agent.state':
        break;
    }
  }
  for (const c of out.values()) if (c.outcome === 'answered' && Number.isFinite(c.answeredMs) && Number.isFinite(c.offeredMs)) c.waitSeconds = Math.max(0, (c.answeredMs - c.offeredMs) / 1000);
  return out;
}

const strip = ({ answeredMs: _a, offeredMs: _o, ...row }: ContactRow & { answeredMs: number; offeredMs: number }): ContactRow => row;

export class ContactsService {
  constructor(private readonly store: Store) {}

  /** Every event of these contacts, in batches. */
  private async eventsOf(ids: string[]): Promise<FrontlineEvent[]> {
    const out: FrontlineEvent[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const rows = await this.store.db
        .selectFrom('events')
        .select('payload')
        .where(
          'contact_id',
          'in',
          ids.slice(i, i + BATCH),
        )
        .orderBy('seq')
        .execute();
      for (const r of rows) out.push(JSON.parse(r.payload) as FrontlineEvent);
    }
    return out;
  }

  /**
   * Contacts offered in [from, to) in the scope, with those counting against `kpi` first (then the most recent).
   * `limit` caps the list, not the totals.
   */
  async behind(scope: Scope, scopeText: string, dir: Directory, fromMs: number, toMs: number, kpi: KpiName | null, limit: number, filter: SegmentFilter = EMPTY_FILTER, timeZone = 'Europe/London'): Promise<ContactsReply> {
    const offered = await this.store.db.selectFrom('events').select('contact_id').where('type', '=', 'contact.offered').where('occurred_ms', '>=', fromMs).where('occurred_ms', '<', toMs).execute();
    const ids = [...new Set(offered.map((r) => r.contact_id).filter((x): x is string => x !== null))];
    const rows = [...rowsFrom(await this.eventsOf(ids)).values()].filter((c) => c.offeredMs >= fromMs && c.offeredMs < toMs).map(strip).filter((c) => inScope(c, scope, dir) && passes(c, filter, dir, timeZone));
    const counted: ContactRow[] = [];
    for (const c of rows) {
      const v = kpi ? verdict(kpi, c) : false;
      if (v === undefined) continue;
      counted.push({ ...c, against: kpi ? v : null });
    }
    counted.sort((a, b) => Number(b.against === true) - Number(a.against === true) || Date.parse(b.offeredAt) - Date.parse(a.offeredAt));
    return {
      scope: scopeText,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      kpi,
      total: counted.length,
      against: counted.filter((c) => c.against === true).length,
      contacts: counted.slice(0, limit),
    };
  }

  /** One contact: its row and every stored event, or undefined when the store has none. */
  async record(contactId: string): Promise<ContactRecord | undefined> {
    const events = await this.eventsOf([contactId]);
    if (events.length === 0) return undefined;
    const row = rowsFrom(events).get(contactId);
    if (!row) return undefined;
    return { contact: strip(row), timeline: [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt)) };
  }
}
