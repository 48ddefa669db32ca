/**
 * The KPI oracle: the same definitions computed the plain way, straight from stored raw events, with no buckets, no
 * deltas and no shared code with the engine. The oracle test holds the engine to it.
 */
import { expect } from 'vitest';
import type { Directory } from '../../shared/directory.js';
import { KPI_NAMES, type KpiSet } from '../../shared/kpis.js';
import type { FrontlineEvent } from '../../shared/events.js';
import type { Rng } from '../../server/simulator/random.js';

export interface OracleFigures {
  offered: number;
  slBase: number;
  answeredInSl: number;
  abandoned: number;
  syncWaits: number[];
  asyncWaits: number[];
  handleTimes: number[];
  /** CSAT answers as [satisfied, score on 1–5 or null for good/bad]. */
  csat: [boolean, number | null][];
  nps: number[];
  fcrSurvey: boolean[];
  fcrEligible: number;
  fcrFirstTime: number;
  qa: number[];
  complaints: number;
  surveysOffered: number;
  surveysAnswered: number;
}

type Ev<T extends FrontlineEvent['type']> = Extract<FrontlineEvent, { type: T }>;

interface Contact {
  offered?: Ev<'contact.offered'>;
  answers: Ev<'contact.answered'>[];
  abandons: Ev<'contact.abandoned'>[];
  ends: Ev<'contact.ended'>[];
  surveys: Ev<'survey.responded'>[];
  offers: Set<string>;
  qas: Ev<'qa.evaluated'>[];
  complaints: Ev<'complaint.logged'>[];
}

const t = (iso: string) => Date.parse(iso);
const SYNC = new Set(['voice', 'chat']);
const DEFAULT_SL: Record<string, number> = { voice: 20, chat: 60, email: 4 * 3600, messaging: 3600 };
const LIFECYCLE = new Set(['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.abandoned']);

/** The scales written out by hand from the README's table (not from shared/surveys.ts). */
function csatAnswer(s: Ev<'survey.responded'>): [boolean, number | null] | undefined {
  const a = s.answers?.find((x) => x.measure === 'csat');
  if (a) {
    if (a.scale === 'good-bad') return [a.value === 'good', null];
    const v = a.value as number;
    if (a.scale === '1-5') return [v >= 4, v];
    if (a.scale === '1-10') return [v >= 8, 1 + (4 * (v - 1)) / 9];
    return [v >= 8, 1 + (4 * v) / 10];
  }
  return s.csat === undefined ? undefined : [s.csat >= 4, s.csat];
}
const npsAnswer = (s: Ev<'survey.responded'>): number | undefined => (s.answers?.find((x) => x.measure === 'nps')?.value as number | undefined) ?? s.nps;
const resolvedAnswer = (s: Ev<'survey.responded'>): boolean | undefined => {
  const a = s.answers?.find((x) => x.measure === 'resolved');
  return a ? a.value === 'yes' : s.resolved;
};

/** Only what the latest revision says: each contact's lifecycle at its highest revision, each response at its latest. */
export function latestRevisions(events: FrontlineEvent[]): FrontlineEvent[] {
  const top = new Map<string, number>();
  const rankOf = (e: FrontlineEvent): [string, number] | undefined => {
    if (LIFECYCLE.has(e.type)) return [`c:${(e as { contactId: string }).contactId}`, (e as { revision?: number }).revision ?? -1];
    if (e.type === 'survey.responded' && e.responseId !== undefined) return [`s:${e.contactId}:${e.responseId}`, e.revision ?? t(e.occurredAt)];
    if (e.type === 'qa.evaluated' && e.evaluationId !== undefined) return [`q:${e.contactId}:${e.evaluationId}`, e.revision ?? t(e.occurredAt)];
    return undefined;
  };
  const best = new Map<string, string>();
  for (const e of events) {
    const r = rankOf(e);
    if (!r) continue;
    if ((top.get(r[0]) ?? -Infinity) < r[1]) top.set(r[0], r[1]);
  }
  for (const e of events) {
    const r = rankOf(e);
    if (r && (e.type === 'survey.responded' || e.type === 'qa.evaluated') && r[1] === top.get(r[0]) && (best.get(r[0]) ?? '') < e.id) best.set(r[0], e.id);
  }
  return events.filter((e) => {
    const r = rankOf(e);
    if (!r) return true;
    if (r[1] !== top.get(r[0])) return false;
    return (e.type !== 'survey.responded' && e.type !== 'qa.evaluated') || best.get(r[0]) === e.id;
  });
}

/** What a segment predicate sees of a contact: its team (null when nobody answered), queue, channel, reason and time. */
export interface OracleContact {
  team: string | null;
  queue: string | null;
  channel: string | null;
  reason: string | null;
  atMs: number;
}

/**
 * Groups the raw events once; the returned function computes any scope and window from them. A scope is a name
 * (centre, site:ID, ...) or a predicate over the contact as counted for an agent (segment filters).
 *
 * Attribution, as the README states it: the wait counts for the agent who answered first; each leg's handle time for
 * the agent, team and queue of that leg and once for the contact's other scopes (with the credited agent's team);
 * surveys, FCR and complaints naming no agent for the credited agent (the last who handled the contact, by leg end
 * time, else the first who answered).
 */
export function buildOracle(all: FrontlineEvent[], dir: Directory): (scope: string | ((c: OracleContact) => boolean), fromMs: number, toMs: number) => OracleFigures {
  const events = latestRevisions(all);
  const contacts = new Map<string, Contact>();
  const get = (id: string) => {
    let c = contacts.get(id);
    if (!c) contacts.set(id, (c = { answers: [], abandons: [], ends: [], surveys: [], offers: new Set(), qas: [], complaints: [] }));
    return c;
  };
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    if (e.type === 'agent.state' || e.type === 'contact.transferred') continue;
    if (e.type === 'complaint.logged' && e.contactId === undefined) {
      get(`complaint:${e.id}`).complaints.push(e);
      continue;
    }
    const c = get((e as { contactId: string }).contactId);
    if (e.type === 'contact.offered' && (!c.offered || t(e.occurredAt) < t(c.offered.occurredAt))) c.offered = e;
    if (e.type === 'contact.answered') c.answers.push(e);
    if (e.type === 'contact.abandoned') c.abandons.push(e);
    if (e.type === 'contact.ended') c.ends.push(e);
    if (e.type === 'survey.responded') c.surveys.push(e);
    if (e.type === 'survey.offered') c.offers.add(e.programmeId ?? 'default');
    if (e.type === 'qa.evaluated') c.qas.push(e);
    if (e.type === 'complaint.logged') c.complaints.push(e);
  }
  const queue = new Map(dir.queues.map((q) => [q.id, q]));
  const teamOf = new Map(dir.agents.map((a) => [a.id, a.teamId]));
  const siteOfTeam = new Map(dir.teams.map((x) => [x.id, x.siteId]));
  const onlySite = dir.sites.length === 1 ? dir.sites[0]?.id : undefined;
  const credit = (dir as { creditAgent?: string }).creditAgent ?? 'last';
  const byCustomer = new Map<string, Contact[]>();
  for (const c of contacts.values()) {
    const cust = c.offered?.customerId;
    if (cust !== undefined) byCustomer.set(cust, [...(byCustomer.get(cust) ?? []), c]);
  }

  // What does not depend on the scope is worked out once per contact, and contacts are kept in time order, so a
  // window reads only its own contacts: a 1,000-agent centre asks thousands of scope-windows of 200,000 contacts.
  interface Prepared {
    c: Contact;
    at: number;
    firstAnswer: Ev<'contact.answered'> | undefined;
    answerer: string | undefined;
    ends: Ev<'contact.ended'>[];
    last: Ev<'contact.ended'> | undefined;
    credited: string | undefined;
    abandon: Ev<'contact.abandoned'> | undefined;
    repeated: boolean;
  }
  const prepared: Prepared[] = [];
  for (const [key, c] of contacts) {
    // A contact counts in the period it was offered; a complaint naming no contact, at its own time.
    const at = c.offered ? t(c.offered.occurredAt) : key.startsWith('complaint:') && c.complaints[0] ? t(c.complaints[0].occurredAt) : undefined;
    if (at === undefined) continue;
    const firstAnswer = [...c.answers].sort((a, b) => t(a.occurredAt) - t(b.occurredAt))[0];
    const answerer = firstAnswer?.agentId;
    const ends = [...c.ends].sort((a, b) => t(a.occurredAt) - t(b.occurredAt) || (a.id < b.id ? -1 : 1));
    const last = ends.at(-1);
    const credited = credit === 'first' && answerer !== undefined ? answerer : (last?.agentId ?? answerer);
    const abandon = [...c.abandons].sort((a, b) => t(a.occurredAt) - t(b.occurredAt))[0];
    const offered = c.offered;
    const repeated =
      offered?.customerId !== undefined &&
      (byCustomer.get(offered.customerId) ?? []).some((d) => {
        if (d === c || !d.offered) return false;
        const dt = t(d.offered.occurredAt) - at;
        const sameReason = offered.reason === undefined || d.offered.reason === undefined || offered.reason === d.offered.reason;
        return dt > 0 && dt <= 7 * 86_400_000 && sameReason;
      });
    prepared.push({ c, at, firstAnswer, answerer, ends, last, credited, abandon, repeated });
  }
  prepared.sort((a, b) => a.at - b.at);
  // Every contact an agent, team or queue scope could count (a superset: the same per-contact rules below decide),
  // in time order.
  const byAgent = new Map<string, Prepared[]>();
  const byTeam = new Map<string, Prepared[]>();
  const byQueue = new Map<string, Prepared[]>();
  const add = (m: Map<string, Prepared[]>, key: string, p: Prepared) => {
    const list = m.get(key);
    if (!list) m.set(key, [p]);
    else if (list.at(-1) !== p) list.push(p);
  };
  for (const p of prepared) {
    const { c } = p;
    const agents = new Set<string>();
    for (const id of [p.answerer, p.credited, ...c.ends.map((e) => e.agentId), ...c.qas.map((q) => q.agentId), ...c.complaints.map((k) => k.agentId)]) if (id !== undefined) agents.add(id);
    for (const a of agents) {
      add(byAgent, a, p);
      add(byTeam, teamOf.get(a) ?? 'unassigned', p);
    }
    if (c.offered) add(byQueue, c.offered.queueId, p);
    for (const e of c.ends) if (e.queueId !== undefined) add(byQueue, e.queueId, p);
  }
  const firstAtOrAfter = (list: readonly Prepared[], ms: number): number => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as Prepared).at < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return (scope, fromMs, toMs) => {
    const [kind, id] = typeof scope === 'string' ? (scope.split(/:(.*)/s) as [string, string]) : ['predicate', ''];
    // An agent's contacts on one queue: `agentq:["AGENT","QUEUE"]`.
    const [aqAgent, aqQueue] = kind === 'agentq' ? (JSON.parse(id) as [string, string]) : ['', ''];
    // Does `scope` include this contact, counted for `agentId`?
    const inScope = (c: Contact, agentId: string | undefined): boolean => {
      if (scope === 'centre') return true;
      if (typeof scope === 'function') {
        const at = c.offered ? t(c.offered.occurredAt) : t((c.complaints[0] as { occurredAt: string }).occurredAt);
        return scope({ team: agentId === undefined ? null : (teamOf.get(agentId) ?? 'unassigned'), queue: c.offered?.queueId ?? null, channel: c.offered?.channel ?? null, reason: c.offered?.reason ?? null, atMs: at });
      }
      const q = c.offered ? queue.get(c.offered.queueId) : undefined;
      switch (kind) {
        case 'site':
          return (q?.siteId ?? (agentId ? siteOfTeam.get(teamOf.get(agentId) ?? '') : undefined) ?? onlySite) === id;
        case 'queue':
          return c.offered?.queueId === id;
        case 'channel':
          return c.offered?.channel === id;
        case 'agent':
          return agentId === id;
        case 'team':
          return agentId !== undefined && (teamOf.get(agentId) ?? 'unassigned') === id;
        case 'agentq':
          return agentId === aqAgent && c.offered?.queueId === aqQueue;
        default:
          return false;
      }
    };
    /** The legs of a contact this scope handled, when the scope is one that counts handle time per leg. */
    const legsFor = (c: Contact): Ev<'contact.ended'>[] | undefined => {
      if (kind === 'agent') return c.ends.filter((e) => e.agentId === id);
      if (kind === 'team') return c.ends.filter((e) => (teamOf.get(e.agentId) ?? 'unassigned') === id);
      if (kind === 'queue') return c.ends.filter((e) => (e.queueId ?? c.offered?.queueId) === id);
      if (kind === 'agentq') return c.ends.filter((e) => e.agentId === aqAgent && (e.queueId ?? c.offered?.queueId) === aqQueue);
      return undefined;
    };

    const out: OracleFigures = {
      offered: 0, slBase: 0, answeredInSl: 0, abandoned: 0, syncWaits: [], asyncWaits: [], handleTimes: [], csat: [], nps: [], fcrSurvey: [],
      fcrEligible: 0, fcrFirstTime: 0, qa: [], complaints: 0, surveysOffered: 0, surveysAnswered: 0,
    };
    const list =
      kind === 'agent' ? (byAgent.get(id) ?? [])
      : kind === 'agentq' ? (byAgent.get(aqAgent) ?? [])
      : kind === 'team' ? (byTeam.get(id) ?? [])
      : kind === 'queue' ? (byQueue.get(id) ?? [])
      : prepared;
    for (let i = firstAtOrAfter(list, fromMs); i < list.length; i++) {
      const { c, at, firstAnswer, answerer, ends, last, credited, abandon, repeated } = list[i] as Prepared;
      if (at >= toMs) break;
      if (c.offered) {
        const offeredAt = t(c.offered.occurredAt);
        if (inScope(c, answerer)) {
          if (firstAnswer) {
            const wait = firstAnswer.waitSeconds ?? Math.max(0, (t(firstAnswer.occurredAt) - offeredAt) / 1000);
            out.offered++;
            out.slBase++;
            const sl = queue.get(c.offered.queueId)?.serviceLevelSeconds ?? DEFAULT_SL[c.offered.channel] ?? 20;
            if (wait <= sl) out.answeredInSl++;
            (SYNC.has(c.offered.channel) ? out.syncWaits : out.asyncWaits).push(wait);
          } else if (abandon && abandon.abandonedIn !== 'ivr') {
            out.offered++;
            const wait = abandon.waitSeconds ?? (t(abandon.occurredAt) - offeredAt) / 1000;
            if (wait >= 5) {
              out.abandoned++;
              out.slBase++;
            }
          }
        }
        const perLeg = legsFor(c);
        const legs = perLeg ?? (inScope(c, credited) ? ends : []);
        if (legs.length > 0) out.handleTimes.push(legs.reduce((s, e) => s + e.talkSeconds + e.holdSeconds + e.wrapSeconds, 0));
        if (inScope(c, credited)) {
          if (ends.length > 0 && c.offered.customerId !== undefined) {
            out.fcrEligible++;
            if (last?.resolved && !repeated) out.fcrFirstTime++;
          }
          const answeredProgrammes = new Set<string>();
          for (const s of c.surveys) {
            answeredProgrammes.add(s.programmeId ?? 'default');
            const cs = csatAnswer(s);
            if (cs) out.csat.push(cs);
            const n = npsAnswer(s);
            if (n !== undefined) out.nps.push(n);
            const r = resolvedAnswer(s);
            if (r !== undefined) out.fcrSurvey.push(r);
          }
          out.surveysOffered += c.offers.size;
          for (const p of c.offers) if (answeredProgrammes.has(p)) out.surveysAnswered++;
        }
      }
      for (const q of c.qas) if (inScope(c, q.agentId)) out.qa.push(q.criticalFail ? 0 : q.score);
      for (const k of c.complaints) if (inScope(c, k.agentId ?? credited)) out.complaints++;
    }
    return out;
  };
}

/** The named scopes of a directory the KPI tests compare: centre, each site, team, queue, channel and the given agents. */
export function directoryScopes(dir: Directory, agents: readonly { id: string }[] = dir.agents): string[] {
  return [
    'centre',
    ...dir.sites.map((s) => `site:${s.id}`),
    ...dir.teams.map((x) => `team:${x.id}`),
    ...dir.queues.map((q) => `queue:${q.id}`),
    ...['voice', 'chat', 'email', 'messaging'].map((c) => `channel:${c}`),
    ...agents.map((a) => `agent:${a.id}`),
  ];
}

/** Every KPI of `got` equals the oracle's figures (quantiles within the engine's histogram resolution). */
export function expectMatches(got: KpiSet, o: OracleFigures, where: string): void {
  const close = (a: number | null, b: number | null, what: string, rel = 1e-9) => {
    if (a === null || b === null) return expect(a, `${where} ${what}`).toBe(b);
    expect(Math.abs(a - b), `${where} ${what}: engine ${a}, oracle ${b}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
  };
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
  expect(got.csat.n, `${where} csat n`).toBe(o.csat.length);
  close(got.csat.value, o.csat.length === 0 ? null : o.csat.filter(([sat]) => sat).length / o.csat.length, 'csat');
  const scored = o.csat.map(([, score]) => score).filter((x): x is number => x !== null);
  close(got.csat.extra?.meanScore ?? null, mean(scored), 'csat mean score');
  expect(got.responseRate.n, `${where} responseRate n`).toBe(o.surveysOffered);
  close(got.responseRate.value, o.surveysOffered === 0 ? null : o.surveysAnswered / o.surveysOffered, 'responseRate');
  expect(got.fcrSurvey.n).toBe(o.fcrSurvey.length);
  close(got.fcrSurvey.value, o.fcrSurvey.length === 0 ? null : o.fcrSurvey.filter(Boolean).length / o.fcrSurvey.length, 'fcrSurvey');
  expect(got.fcrRepeat.n, `${where} fcrRepeat n`).toBe(o.fcrEligible);
  close(got.fcrRepeat.value, o.fcrEligible === 0 ? null : o.fcrFirstTime / o.fcrEligible, 'fcrRepeat');
  expect(got.serviceLevel.n, `${where} serviceLevel n`).toBe(o.slBase);
  close(got.serviceLevel.value, o.slBase === 0 ? null : o.answeredInSl / o.slBase, 'serviceLevel');
  close(got.abandonRate.value, o.slBase === 0 ? null : o.abandoned / o.slBase, 'abandonRate');
  expect(got.asa.n).toBe(o.syncWaits.length);
  close(got.asa.value, mean(o.syncWaits), 'asa');
  expect(got.firstResponse.n).toBe(o.asyncWaits.length);
  close(got.firstResponse.value, exactQuantile(o.asyncWaits, 0.5), 'firstResponse median', 0.011);
  close(got.firstResponse.extra?.p90 ?? null, exactQuantile(o.asyncWaits, 0.9), 'firstResponse p90', 0.011);
  expect(got.aht.n).toBe(o.handleTimes.length);
  close(got.aht.value, mean(o.handleTimes), 'aht');
  close(got.aht.extra?.median ?? null, exactQuantile(o.handleTimes, 0.5), 'aht median', 0.011);
  expect(got.nps.n).toBe(o.nps.length);
  close(got.nps.value, o.nps.length === 0 ? null : (100 * (o.nps.filter((x) => x >= 9).length - o.nps.filter((x) => x <= 6).length)) / o.nps.length, 'nps');
  expect(got.qa.n, `${where} qa n`).toBe(o.qa.length);
  close(got.qa.value, mean(o.qa), 'qa');
  expect(got.complaintsPer1000.extra?.count, `${where} complaints`).toBe(o.complaints);
  close(got.complaintsPer1000.value, o.offered === 0 ? null : (1000 * o.complaints) / o.offered, 'complaintsPer1000');
  for (const k of KPI_NAMES) expect(got[k], `${where} ${k}`).toBeDefined();
}

export function exactQuantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

/** Delivery as a real feed does it: surveys and QA hours late, batches shuffled, some events sent twice. */
export function deliveries(events: FrontlineEvent[], rng: Rng): { batches: FrontlineEvent[][]; late: number; duplicates: number } {
  const onTime: FrontlineEvent[] = [];
  const late: FrontlineEvent[] = [];
  for (const e of events) ((e.type === 'survey.responded' || e.type === 'qa.evaluated') && rng.uniform() < 0.3 ? late : onTime).push(e);
  const batches: FrontlineEvent[][] = [];
  let duplicates = 0;
  for (let i = 0; i < onTime.length; i += 500) {
    const batch = onTime.slice(i, i + 500);
    for (let j = batch.length - 1; j > 0; j--) {
      const k = Math.floor(rng.uniform() * (j + 1));
      [batch[j], batch[k]] = [batch[k] as FrontlineEvent, batch[j] as FrontlineEvent];
    }
    const again = batch.filter(() => rng.uniform() < 0.05);
    duplicates += again.length;
    batches.push([...batch, ...again]);
  }
  for (let i = late.length; i > 0; i -= 500) batches.push(late.slice(Math.max(0, i - 500), i).reverse());
  return { batches, late: late.length, duplicates };
}
