/**
 * The agent profile: one agent's CSAT, FCR (survey), AHT and QA week by week and over a period, against their team,
 * with the individual layer's honest figures (DOMAIN.md section 5): Wilson 95% intervals and empirical-Bayes shrunken
 * rates (a beta prior fitted by the method of moments to the team's agents over the same week), so a 3-of-4 week
 * cannot top or bottom anything by chance. QA scores are means, not rates: their shrinkage is the normal-normal
 * analogue (between-agent variance by the method of moments, within-agent variance pooled over the team's
 * evaluations in the whole period). AHT is shown with its spread but not shrunk or ranked (no better direction).
 *
 * Every raw value and n comes from the KPI service's counters for the agent's scope, so the profile's weeks equal
 * GET /api/v1/kpis for the same weeks. QA evaluations are read from the events store only for their spread and the
 * QA table, attributed as the KPI engine attributes them: to the evaluated agent, in the week the contact was offered.
 *
 * Access (who may see the agent, the team's figures and which cases) is decided by the route; this computes.
 */
import { TZDate } from '@date-fns/tz';
import { addWeeks, format, startOfWeek } from 'date-fns';
import type { CaseSummary } from '../../shared/access.js';
import {
  PROFILE_DEFAULT_WEEKS,
  PROFILE_KPIS,
  PROFILE_METHOD,
  PROFILE_QA_ROWS,
  type AgentProfileReply,
  type ChangeVerdict,
  type ProfileCase,
  type ProfileFigure,
  type ProfileKpi,
  type ProfileQaRow,
  type ProfileShrunken,
  type ProfileSummaryRow,
  type ProfileWeek,
} from '../../shared/agent-profile.js';
import type { Directory } from '../../shared/directory.js';
import { revisionKeyOf, revisionOf, type FrontlineEvent } from '../../shared/events.js';
import { KPI_DEFINITIONS, statusOf, type Target } from '../../shared/kpis.js';
import type { CaseStore } from '../coaching/case.store.js';
import { betaPriorFromUnits, newcombeDifference, shrink, wilson } from '../flagging/intervals.js';
import { addInto, secondsMoments, zero, type Counters } from '../kpi/counters.js';
import { kpisOf } from '../kpi/formulas.js';
import type { KpiService } from '../kpi/kpi.service.js';
import type { Store } from '../store/db.js';

type QaEvaluated = Extract<FrontlineEvent, { type: 'qa.evaluated' }>;

const Z = 1.959964;
const DAY_MS = 86_400_000;
/** QA evaluations follow their contact by days or weeks; read this far past the period for the spread. */
const QA_LAG_MS = 90 * DAY_MS;
/** Bound on the team's QA evaluations read for one profile. */
const QA_READ_LIMIT = 50_000;
/** Floor of the between-agent variance of QA means (points²): an SD of 1 point, as betaPriorFromUnits floors rates. */
const QA_MIN_BETWEEN_VARIANCE = 1;
const CASE_LIMIT = 200;

const RATE_PARTS: Record<'csat' | 'fcrSurvey', (c: Counters) => { y: number; n: number }> = {
  csat: (c) => ({ y: c.csatTop2, n: c.csatN }),
  fcrSurvey: (c) => ({ y: c.fcrSurveyYes, n: c.fcrSurveyN }),
};

/** QA scores of one agent (what the KPI counts: 0 for a critical fail). */
type Scores = number[];

/** Pooled within-agent variance of QA scores over a team: Σ (x − mean of its agent)² ÷ (N − agents); null without 2 scores from one agent. */
function pooledWithin(byAgent: Iterable<Scores>): number | null {
  let ss = 0;
  let n = 0;
  let k = 0;
  for (const xs of byAgent) {
    if (xs.length === 0) continue;
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    ss += xs.reduce((a, x) => a + (x - m) ** 2, 0);
    n += xs.length;
    k++;
  }
  return n - k > 0 ? ss / (n - k) : null;
}

interface QaPrior {
  mean: number;
  between: number;
  within: number;
}

/** Normal-normal prior for agents' QA means: centre Σ qaSum ÷ Σ qaN; between-agent variance by the method of moments. */
function qaPriorFromUnits(units: { sum: number; n: number }[], within: number | null): QaPrior | null {
  const used = units.filter((u) => u.n > 0);
  if (used.length < 2 || within === null) return null;
  const mean = used.reduce((s, u) => s + u.sum, 0) / used.reduce((s, u) => s + u.n, 0);
  const means = used.map((u) => u.sum / u.n);
  const avg = means.reduce((a, b) => a + b, 0) / means.length;
  const observed = means.reduce((a, m) => a + (m - avg) ** 2, 0) / (means.length - 1);
  const sampling = used.reduce((a, u) => a + within / u.n, 0) / used.length;
  return { mean, between: Math.max(QA_MIN_BETWEEN_VARIANCE, observed - sampling), within };
}

function shrinkQa(sum: number, n: number, prior: QaPrior): Omit<ProfileShrunken, 'priorMean'> {
  const own = sum / n;
  const samplingVar = prior.within / n;
  const weight = prior.between / (prior.between + samplingVar);
  const mean = prior.mean + weight * (own - prior.mean);
  const half = Z * Math.sqrt(weight * samplingVar);
  return { mean, weight, low: Math.max(0, mean - half), high: Math.min(100, mean + half) };
}

/** What the profile knows about one period: the agent's, the team's and every team agent's counters. */
interface PeriodInput {
  agent: Counters;
  team: Counters;
  peers: Counters[];
  /**
   * QA scores per team agent over the whole period, for the pooled within-agent spread (a week's handful of
   * evaluations, one of them a critical fail at 0, would give a wild SD; an agent's spread is steadier than that).
   */
  qaScores: Map<string, Scores>;
}

type Estimate = Omit<ProfileShrunken, 'priorMean'>;

/** The period's shrinkage for one KPI: the prior fitted to the team's agents and how any one agent is estimated. */
function estimatorOf(kpi: ProfileKpi, p: PeriodInput): { priorMean: number; estimate: (c: Counters) => Estimate | null } | null {
  const method = PROFILE_METHOD[kpi];
  if (method === 'rate') {
    const part = RATE_PARTS[kpi as 'csat' | 'fcrSurvey'];
    const prior = betaPriorFromUnits(p.peers.map(part));
    if (!prior) return null;
    return {
      priorMean: prior.alpha / (prior.alpha + prior.beta),
      estimate: (c) => {
        const { y, n } = part(c);
        if (n === 0) return null;
        const s = shrink(y, n, prior);
        return { mean: s.mean, low: s.lower, high: s.upper, weight: s.weight };
      },
    };
  }
  if (method === 'score') {
    const prior = qaPriorFromUnits(
      p.peers.map((c) => ({ sum: c.qaSum, n: c.qaN })),
      pooledWithin(p.qaScores.values()),
    );
    if (!prior) return null;
    return { priorMean: prior.mean, estimate: (c) => (c.qaN === 0 ? null : shrinkQa(c.qaSum, c.qaN, prior)) };
  }
  return null;
}

function figureOf(kpi: ProfileKpi, p: PeriodInput, teamVisible: boolean): ProfileFigure {
  const k = kpisOf(p.agent, false)[kpi];
  const t = kpisOf(p.team, false)[kpi];
  const est = estimatorOf(kpi, p);
  const own = est?.estimate(p.agent) ?? null;
  const base: ProfileFigure = {
    value: k.value,
    n: k.n,
    median: null,
    interval: null,
    shrunken: own && est ? { ...own, priorMean: teamVisible ? est.priorMean : null } : null,
    team: teamVisible ? { value: t.value, n: t.n } : null,
  };
  const method = PROFILE_METHOD[kpi];
  if (method === 'rate') {
    const { y, n } = RATE_PARTS[kpi as 'csat' | 'fcrSurvey'](p.agent);
    const w = wilson(y, n);
    return { ...base, interval: w ? { low: w.lower, high: w.upper } : null };
  }
  if (method === 'time') {
    const m = secondsMoments(p.agent.handleHist);
    const median = k.extra?.median ?? null;
    if (k.value === null || m.n < 2) return { ...base, median };
    const half = Z * Math.sqrt(m.variance / m.n);
    return { ...base, median, interval: { low: Math.max(0, k.value - half), high: k.value + half } };
  }
  // QA, a mean score: the team's pooled within-agent spread over the period (an agent's own few scores would give a wild SD).
  const within = pooledWithin(p.qaScores.values());
  if (k.value === null || within === null) return base;
  const half = Z * Math.sqrt(within / k.n);
  return { ...base, interval: { low: Math.max(0, k.value - half), high: Math.min(100, k.value + half) } };
}

/** Place among the team's agents with data, by shrunken estimate in the KPI's good direction (1 = best). */
function rankOf(kpi: ProfileKpi, p: PeriodInput): { position: number; of: number } | null {
  const direction = KPI_DEFINITIONS[kpi].direction;
  const est = estimatorOf(kpi, p);
  const own = est?.estimate(p.agent)?.mean;
  if (direction === 'neither' || !est || own === undefined) return null;
  const all = p.peers.map((c) => est.estimate(c)?.mean).filter((x): x is number => x !== undefined);
  const better = all.filter((e) => (direction === 'up' ? e > own + 1e-12 : e < own - 1e-12)).length;
  return { position: better + 1, of: all.length };
}

function changeOf(kpi: ProfileKpi, now: Counters, before: Counters, within: number | null): ProfileSummaryRow['change'] {
  const a = kpisOf(now, false)[kpi];
  const b = kpisOf(before, false)[kpi];
  if (a.value === null || b.value === null) return null;
  const delta = a.value - b.value;
  let low: number | null = null;
  let high: number | null = null;
  const method = PROFILE_METHOD[kpi];
  if (method === 'rate') {
    const part = RATE_PARTS[kpi as 'csat' | 'fcrSurvey'];
    const x1 = part(before);
    const x2 = part(now);
    const nd = newcombeDifference(x1.y, x1.n, x2.y, x2.n);
    if (nd) ({ lower: low, upper: high } = nd);
  } else if (method === 'time') {
    const m1 = secondsMoments(before.handleHist);
    const m2 = secondsMoments(now.handleHist);
    if (m1.n > 1 && m2.n > 1) {
      const se = Math.sqrt(m1.variance / m1.n + m2.variance / m2.n);
      low = delta - Z * se;
      high = delta + Z * se;
    }
  } else if (within !== null) {
    const se = Math.sqrt(within / a.n + within / b.n);
    low = delta - Z * se;
    high = delta + Z * se;
  }
  const direction = KPI_DEFINITIONS[kpi].direction;
  let verdict: ChangeVerdict = 'unclear';
  if (low !== null && high !== null && (low > 0 || high < 0)) {
    verdict = direction === 'neither' ? 'changed' : (low > 0) === (direction === 'up') ? 'better' : 'worse';
  }
  return { delta, low, high, verdict };
}

export interface ProfileOptions {
  agentId: string;
  /** Requested period (any instants); rounded out to whole local weeks. Undefined: the last 12 weeks to this one. */
  fromMs?: number | undefined;
  toMs?: number | undefined;
  /** Without a start: how many weeks (default 12). */
  weeks?: number | undefined;
  /** May the caller see the team's own figures? */
  teamVisible: boolean;
  /** Which cases about the agent the caller may see. */
  canViewCase: (c: CaseSummary) => boolean;
  /** Targets in force for the agent's scope today, by KPI. */
  targets: Partial<Record<ProfileKpi, Target | null>>;
}

export class AgentProfileService {
  constructor(
    private readonly store: Store,
    private readonly kpis: KpiService,
    private readonly cases: CaseStore,
  ) {}

  /**
   * Week boundaries (local Mondays) covering the period: [bounds[0], bounds[last]). Without a start: the `count` weeks
   * up to the one holding `toMs` (or this week); without an end: up to the end of this week. In the time zone `tz`
   * (the agent's: their team's site's).
   */
  weeks(fromMs?: number, toMs?: number, count = PROFILE_DEFAULT_WEEKS, tz = this.kpis.timeZone): number[] {
    const now = this.kpis.now();
    const monday = (ms: number) => startOfWeek(new TZDate(ms, tz), { weekStartsOn: 1 });
    const from = fromMs === undefined ? addWeeks(monday(toMs === undefined ? now : toMs - 1), -(count - 1)) : monday(fromMs);
    // Without an end: to the end of this week.
    const end = toMs ?? addWeeks(monday(now), 1).getTime();
    const bounds: number[] = [];
    let d = from;
    for (let guard = 0; guard < 60; guard++) {
      bounds.push(d.getTime());
      if (d.getTime() >= end) break;
      d = addWeeks(d, 1);
    }
    if (bounds.length === 1) bounds.push(addWeeks(from, 1).getTime());
    return bounds;
  }

  async profile(dir: Directory, o: ProfileOptions): Promise<AgentProfileReply | null> {
    const agent = dir.agents.find((a) => a.id === o.agentId);
    if (!agent) return null;
    const team = dir.teams.find((t) => t.id === agent.teamId) ?? null;
    const tz = this.kpis.zoneOf(`agent:${agent.id}`);
    const now = this.kpis.now();
    const bounds = this.weeks(o.fromMs, o.toMs, o.weeks, tz);
    const fromMs = bounds[0] as number;
    const toMs = bounds[bounds.length - 1] as number;
    const weeks = bounds.length - 1;
    // The previous period: as many weeks before, cut at the same point when this period is still running.
    const previousFrom = addWeeks(new TZDate(fromMs, tz), -weeks).getTime();
    const previousTo = addWeeks(new TZDate(Math.min(toMs, Math.max(fromMs, now)), tz), -weeks).getTime();

    const peerIds = dir.agents.filter((a) => a.teamId === agent.teamId).map((a) => a.id);
    if (!peerIds.includes(agent.id)) peerIds.push(agent.id);
    const week = (scope: string) => Promise.all(bounds.slice(0, -1).map((b, i) => this.kpis.counters(scope, b, bounds[i + 1] as number)));
    const [teamWeeks, peerWeeks, previous, qa] = await Promise.all([
      week(`team:${agent.teamId}`),
      Promise.all(peerIds.map((id) => week(`agent:${id}`))),
      previousTo > previousFrom ? this.kpis.counters(`agent:${agent.id}`, previousFrom, previousTo) : Promise.resolve(zero()),
      this.qaEvaluations(peerIds, bounds),
    ]);
    const me = peerIds.indexOf(agent.id);
    const agentWeeks = peerWeeks[me] as Counters[];
    const sum = (cs: Counters[]) => {
      const total = zero();
      for (const c of cs) addInto(total, c, 1);
      return total;
    };

    const weekRows: ProfileWeek[] = bounds.slice(0, -1).map((b, i) => {
      const input: PeriodInput = {
        agent: agentWeeks[i] as Counters,
        team: teamWeeks[i] as Counters,
        peers: peerWeeks.map((ws) => ws[i] as Counters),
        qaScores: qa.byAgent,
      };
      const end = bounds[i + 1] as number;
      return {
        start: new Date(b).toISOString(),
        end: new Date(end).toISOString(),
        label: format(new TZDate(b, tz), 'yyyy-MM-dd'),
        partial: end > now,
        kpis: Object.fromEntries(PROFILE_KPIS.map((k) => [k, figureOf(k, input, o.teamVisible)])) as Record<ProfileKpi, ProfileFigure>,
      };
    });

    const whole: PeriodInput = { agent: sum(agentWeeks), team: sum(teamWeeks), peers: peerWeeks.map(sum), qaScores: qa.byAgent };
    const within = pooledWithin(qa.byAgent.values());
    const summary: ProfileSummaryRow[] = PROFILE_KPIS.map((kpi) => {
      const f = figureOf(kpi, whole, o.teamVisible);
      const before = kpisOf(previous, false)[kpi];
      const t = o.targets[kpi] ?? null;
      return {
        kpi,
        ...f,
        rank: rankOf(kpi, whole),
        previous: { value: before.value, n: before.n },
        change: changeOf(kpi, whole.agent, previous, within),
        target: t ? { threshold: t.threshold, direction: t.direction, tolerance: t.tolerance } : null,
        status: statusOf(f.value, t),
      };
    });

    const cases = (await this.casesAbout(agent.id)).filter(o.canViewCase).map(
      (c): ProfileCase => ({
        id: c.id,
        kind: c.kind as ProfileCase['kind'],
        status: c.status,
        stage: c.stage,
        kpi: c.kpi,
        rule: c.rule,
        openedAt: c.openedAt,
        closedAt: c.closedAt,
        outcome: c.outcome,
        response: c.response,
      }),
    );

    const mine = qa.rows.filter((r) => r.agentId === agent.id).sort((a, b) => b.evaluatedMs - a.evaluatedMs || (a.contactId < b.contactId ? -1 : 1));
    return {
      ok: true,
      agent: { id: agent.id, name: agent.name },
      team: team ? { id: team.id, name: team.name } : null,
      timeZone: tz,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      previousFrom: new Date(previousFrom).toISOString(),
      previousTo: new Date(previousTo).toISOString(),
      teamVisible: o.teamVisible,
      teamAgents: peerIds.length,
      summary,
      weeks: weekRows,
      qa: { total: mine.length, rows: mine.slice(0, PROFILE_QA_ROWS).map(({ agentId: _a, evaluatedMs: _e, ...r }) => r) },
      cases,
      method:
        'Values and n as the KPI engine counts them. Rates (CSAT top-2 box, FCR survey): Wilson 95% score intervals; shrunken estimates are beta-binomial posterior means with 95% credible intervals, the beta prior fitted by the method of moments to the team’s agents over the same period. QA: mean ± 1.96 × the team’s pooled within-agent SD over the period ÷ √n; shrunken estimates are the normal-normal analogue. AHT: mean ± 1.96 × SD ÷ √n; not shrunk or ranked (no better direction). Rank: place among the team’s agents with data, by shrunken estimate. Change: against the previous period of equal length, with a 95% interval (Newcombe for rates); “unclear” when it includes no change.',
    };
  }

  /** Individual cases and recognitions about the agent, newest first. */
  private async casesAbout(agentId: string): Promise<CaseSummary[]> {
    const ids = await this.store.db
      .selectFrom('coaching_cases')
      .select('id')
      .where('agent_id', '=', agentId)
      .where('kind', 'in', ['individual', 'recognition'])
      .orderBy('opened_ms', 'desc')
      .orderBy('id')
      .limit(CASE_LIMIT)
      .execute();
    const out: CaseSummary[] = [];
    for (const { id } of ids) {
      const c = await this.cases.get(id);
      if (c) out.push(c);
    }
    return out;
  }

  /**
   * The team's QA evaluations of contacts offered in the period, attributed as the KPI engine does: to the evaluated
   * agent, in the week the contact was first offered (an evaluation of a contact with no stored offer is not counted).
   */
  private async qaEvaluations(agentIds: string[], bounds: number[]): Promise<{ rows: (ProfileQaRow & { agentId: string; evaluatedMs: number })[]; byAgent: Map<string, Scores> }> {
    const fromMs = bounds[0] as number;
    const toMs = bounds[bounds.length - 1] as number;
    const rows = await this.store.db
      .selectFrom('events')
      .select(['agent_id', 'contact_id', 'occurred_ms', 'payload'])
      .where('type', '=', 'qa.evaluated')
      .where('agent_id', 'in', agentIds)
      .where('occurred_ms', '>=', fromMs - DAY_MS)
      .where('occurred_ms', '<', Math.min(toMs + QA_LAG_MS, this.kpis.now() + DAY_MS))
      .orderBy('occurred_ms')
      .limit(QA_READ_LIMIT)
      .execute();
    const contactIds = [...new Set(rows.map((r) => r.contact_id).filter((c): c is string => c !== null))];
    const offered = new Map<string, number>();
    for (let i = 0; i < contactIds.length; i += 500) {
      const batch = await this.store.db
        .selectFrom('events')
        .select(['contact_id'])
        .select((eb) => eb.fn.min('occurred_ms').as('at'))
        .where('type', '=', 'contact.offered')
        .where('contact_id', 'in', contactIds.slice(i, i + 500))
        .groupBy('contact_id')
        .execute();
      for (const b of batch) if (b.contact_id !== null) offered.set(b.contact_id, Number(b.at));
    }
    const out: (ProfileQaRow & { agentId: string; evaluatedMs: number })[] = [];
    const byAgent = new Map<string, Scores>(agentIds.map((id) => [id, []]));
    for (const r of latestRevisions(rows)) {
      const at = r.contact_id === null ? undefined : offered.get(r.contact_id);
      if (at === undefined || at < fromMs || at >= toMs || r.agent_id === null) continue;
      const e = r.event;
      const counted = e.criticalFail ? 0 : e.score;
      byAgent.get(r.agent_id)?.push(counted);
      out.push({
        agentId: r.agent_id,
        evaluatedMs: Number(r.occurred_ms),
        evaluatedAt: new Date(Number(r.occurred_ms)).toISOString(),
        contactId: r.contact_id as string,
        contactAt: new Date(at).toISOString(),
        score: e.score,
        criticalFail: e.criticalFail,
        counted,
      });
    }
    return { rows: out, byAgent };
  }
}

/**
 * Only the latest revision of each evaluation, as the KPI engine counts it: an evaluation amended after a dispute is
 * stored again under its evaluationId with a higher revision, and replaces the earlier one (events without an
 * evaluationId are each an evaluation of their own).
 */
function latestRevisions<R extends { payload: string }>(rows: R[]): (R & { event: QaEvaluated })[] {
  const kept = new Map<string, R & { event: QaEvaluated }>();
  const own: (R & { event: QaEvaluated })[] = [];
  for (const r of rows) {
    const event = JSON.parse(r.payload) as QaEvaluated;
    const key = revisionKeyOf(event);
    if (key === undefined) {
      own.push({ ...r, event });
      continue;
    }
    const had = kept.get(key);
    if (!had || (revisionOf(event) ?? 0) > (revisionOf(had.event) ?? 0)) kept.set(key, { ...r, event });
  }
  return [...own, ...kept.values()];
}
