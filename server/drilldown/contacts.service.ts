/**
 * The contacts behind a number: for a scope and period (a chart point or bar), every contact offered in it with the
 * figures each KPI counts, marked for or against the KPI being looked at; and one contact's record with its timeline.
 * Contacts are folded and attributed as the KPI engine does it (latest revision; the outcome credited by the centre's
 * rule; the queue it was offered to), so the list behind a point adds up to that point.
 */
import { TZDate } from '@date-fns/tz';
import { DEFAULT_TIME_ZONE } from '../../shared/zones.js';
import type { Scope } from '../../shared/access.js';
import type { ContactRecord, ContactRow, ContactsReply } from '../../shared/contacts.js';
import { UNASSIGNED, type Directory } from '../../shared/directory.js';
import { contactIdOf, type FrontlineEvent } from '../../shared/events.js';
import { SHORT_ABANDON_SECONDS, type KpiName } from '../../shared/kpis.js';
import { csatLabel } from '../../shared/surveys.js';
import { applyToContact, legsInOrder, newContact, type ContactState } from '../kpi/contact-state.js';
import { creditedAgent } from '../kpi/contributions.js';
import { creditRuleOf } from '../kpi/engine.js';
import { EMPTY_FILTER, NO_REASON, NO_TEAM, type SegmentFilter } from '../../shared/segments.js';
import type { Store } from '../store/db.js';

const BATCH = 500;

/** Does a contact count towards the KPI, and if so is it against it? undefined: not counted. */
function verdict(kpi: KpiName, c: ContactRow): boolean | undefined {
  switch (kpi) {
    case 'csat':
      return c.satisfied === null ? undefined : !c.satisfied;
    case 'responseRate':
      return c.surveysOffered === 0 ? undefined : c.surveysAnswered < c.surveysOffered;
    case 'fcrSurvey':
      return c.resolved === null ? undefined : !c.resolved;
    case 'nps':
      return c.nps === null ? undefined : c.nps <= 6;
    case 'aht':
      return c.handleSeconds === null ? undefined : false;
    case 'abandonRate':
      if (c.outcome === 'open' || c.abandonedIn === 'ivr') return undefined;
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

/** The agents a contact counts for under a KPI, as the engine attributes it (contributions.ts). */
function agentsFor(kpi: KpiName | null, c: ContactRow): (string | null)[] {
  if (kpi === 'asa' || kpi === 'serviceLevel' || kpi === 'firstResponse' || kpi === 'abandonRate') return [c.answeredBy];
  if (kpi === 'aht') return c.legs.map((l) => l.agentId);
  return [c.agentId];
}

/**
 * Lookups by id, built once per directory version: a scan of the agents for every contact made a centre-wide day of
 * a 5,000-agent centre (170,000 contacts) cost hundreds of millions of comparisons.
 */
const lookups = new WeakMap<Directory, { teamOf: Map<string, string>; queueSite: Map<string, string | undefined>; teamSite: Map<string, string> }>();
function lookupsOf(dir: Directory) {
  let l = lookups.get(dir);
  if (!l) {
    l = {
      teamOf: new Map(dir.agents.map((a) => [a.id, a.teamId])),
      queueSite: new Map(dir.queues.map((q) => [q.id, q.siteId])),
      teamSite: new Map(dir.teams.map((t) => [t.id, t.siteId])),
    };
    lookups.set(dir, l);
  }
  return l;
}

function inScope(c: ContactRow, scope: Scope, dir: Directory, kpi: KpiName | null): boolean {
  switch (scope.kind) {
    case 'centre':
      return true;
    case 'agent':
      return agentsFor(kpi, c).includes(scope.id);
    case 'team':
      return agentsFor(kpi, c).some((a) => a !== null && (lookupsOf(dir).teamOf.get(a) ?? UNASSIGNED) === scope.id);
    case 'site': {
      const { queueSite, teamOf, teamSite } = lookupsOf(dir);
      const queueSiteId = c.queueId === null ? undefined : queueSite.get(c.queueId);
      if (queueSiteId) return queueSiteId === scope.id;
      const team = c.agentId === null ? undefined : teamOf.get(c.agentId);
      return (team === undefined ? undefined : teamSite.get(team)) === scope.id;
    }
    case 'queue':
      return kpi === 'aht' ? c.legs.some((l) => l.queueId === scope.id) : c.queueId === scope.id;
    case 'channel':
      return c.channel === scope.id;
  }
}

/** Whether a contact passes the multi-select filters, as segment cells count it (times in the centre's zone). */
function passes(c: ContactRow, f: SegmentFilter, dir: Directory, timeZone: string): boolean {
  if (f.teams.length > 0) {
    const team = c.agentId === null ? NO_TEAM : (lookupsOf(dir).teamOf.get(c.agentId) ?? UNASSIGNED);
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

/**
 * Each contact's row, folded by the KPI engine's own rules (server/kpi/contact-state.ts): the latest revision only,
 * handle time summed over its legs, the survey by its own scale, credited to the agent the centre's credit rule names.
 */
function rowsFrom(events: FrontlineEvent[], dir: Directory): Map<string, ContactRow & { offeredMs: number }> {
  const states = new Map<string, { state: ContactState; comment: string | null; commentRank: [number, string]; csatLabel: string | null }>();
  for (const e of events) {
    const cid = contactIdOf(e);
    if (cid === undefined) continue;
    let s = states.get(cid);
    if (!s) states.set(cid, (s = { state: newContact(cid), comment: null, commentRank: [-Infinity, ''], csatLabel: null }));
    if (applyToContact(s.state, e) === 'ignored' || e.type !== 'survey.responded') continue;
    // The comment and label of the response the state now holds for this survey (the latest revision).
    const held = [...s.state.surveys.values()].find((h) => h.eventId === e.id);
    if (!held) continue;
    const rank: [number, string] = [Date.parse(e.occurredAt), e.id];
    if (rank[0] > s.commentRank[0] || (rank[0] === s.commentRank[0] && rank[1] > s.commentRank[1])) {
      s.commentRank = rank;
      s.csatLabel = csatLabel(e);
      s.comment = e.comment ?? null;
    }
  }
  const rule = creditRuleOf(dir);
  const out = new Map<string, ContactRow & { offeredMs: number }>();
  for (const [cid, { state: c, comment, csatLabel: label }] of states) {
    if (c.offeredMs === undefined) continue;
    const legs = legsInOrder(c);
    const answered = c.answeredMs !== undefined;
    const abandoned = !answered && c.abandonedMs !== undefined;
    const endMs = answered ? c.answeredMs : c.abandonedMs;
    const wait = c.platformWaitSeconds ?? (endMs === undefined ? null : Math.max(0, (endMs - c.offeredMs) / 1000));
    const surveys = [...c.surveys.values()];
    const csat = surveys.map((x) => x.scores.csat).filter((x) => x !== undefined).at(-1);
    const nps = surveys.map((x) => x.scores.nps).filter((x) => x !== undefined).at(-1);
    const resolved = surveys.map((x) => x.scores.resolved).filter((x) => x !== undefined).at(-1);
    const qa = [...c.qa.values()].at(-1);
    out.set(cid, {
      contactId: cid,
      offeredAt: new Date(c.offeredMs).toISOString(),
      channel: c.channel ?? null,
      queueId: c.queueId ?? null,
      reason: c.reason ?? null,
      agentId: creditedAgent(c, rule) ?? null,
      answeredBy: c.agentId ?? null,
      legs: legs.map((l) => ({ agentId: l.agentId, queueId: l.queueId ?? c.queueId ?? null, handleSeconds: l.handleSeconds, holdSeconds: l.holdSeconds })),
      revision: c.revision ?? null,
      outcome: answered ? 'answered' : abandoned ? 'abandoned' : 'open',
      abandonedIn: abandoned ? (c.abandonedInIvr ? 'ivr' : 'queue') : null,
      waitSeconds: wait,
      handleSeconds: legs.length === 0 ? null : legs.reduce((sum, l) => sum + l.handleSeconds, 0),
      csat: csat?.score5 ?? null,
      csatLabel: csat ? (label ?? (csat.satisfied ? 'satisfied' : 'dissatisfied')) : null,
      satisfied: csat ? csat.satisfied : null,
      nps: nps ?? null,
      resolved: resolved ?? null,
      comment,
      surveysOffered: c.surveysOffered.size,
      surveysAnswered: [...c.surveysOffered].filter((p) => surveys.some((x) => x.programme === p)).length,
      complaints: c.complaints.size,
      qaScore: qa?.score ?? null,
      against: null,
      offeredMs: c.offeredMs,
    });
  }
  return out;
}

const strip = ({ offeredMs: _o, ...row }: ContactRow & { offeredMs: number }): ContactRow => row;

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
        .where('expired_ms', 'is', null)
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
  async behind(scope: Scope, scopeText: string, dir: Directory, fromMs: number, toMs: number, kpi: KpiName | null, limit: number, filter: SegmentFilter = EMPTY_FILTER, timeZone = DEFAULT_TIME_ZONE): Promise<ContactsReply> {
    const offered = await this.store.db.selectFrom('events').select('contact_id').where('type', '=', 'contact.offered').where('occurred_ms', '>=', fromMs).where('occurred_ms', '<', toMs).execute();
    let ids = [...new Set(offered.map((r) => r.contact_id).filter((x): x is string => x !== null))];
    // An agent's or a team's contacts are among those one of its agents answered, handled, was evaluated or complained
    // about on: read only those, by the agent index, rather than every contact the centre was offered that day (a
    // team's day of a 1,000-agent centre took a second, and grew with the centre, not the team).
    const agents = scope.kind === 'agent' ? [scope.id] : scope.kind === 'team' && dir.teams.some((t) => t.id === scope.id) ? dir.agents.filter((a) => a.teamId === scope.id).map((a) => a.id) : undefined;
    if (agents !== undefined) {
      const touched = new Set<string>();
      for (let i = 0; i < agents.length; i += 500) {
        const rows = await this.store.db
          .selectFrom('events')
          .select('contact_id')
          .where('agent_id', 'in', agents.slice(i, i + 500))
          .where('occurred_ms', '>=', fromMs)
          .where('contact_id', 'is not', null)
          .execute();
        for (const r of rows) touched.add(r.contact_id as string);
      }
      ids = ids.filter((id) => touched.has(id));
    }
    const rows = [...rowsFrom(await this.eventsOf(ids), dir).values()].filter((c) => c.offeredMs >= fromMs && c.offeredMs < toMs).map(strip).filter((c) => inScope(c, scope, dir, kpi) && passes(c, filter, dir, timeZone));
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

  /**
   * These contacts' rows, folded as the engine folds them (latest revision, legs, the credited agent), in the order
   * given; a contact the store no longer has (erased, never offered) is missing from the map.
   */
  async rows(contactIds: string[], dir: Directory): Promise<Map<string, ContactRow>> {
    const rows = rowsFrom(await this.eventsOf([...new Set(contactIds)]), dir);
    return new Map([...rows].map(([id, row]) => [id, strip(row)]));
  }

  /** One contact: its row and every stored event, or undefined when the store has none. */
  async record(contactId: string, dir: Directory): Promise<ContactRecord | undefined> {
    const events = await this.eventsOf([contactId]);
    if (events.length === 0) return undefined;
    const row = rowsFrom(events, dir).get(contactId);
    if (!row) return undefined;
    return { contact: strip(row), timeline: [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt)) };
  }
}
