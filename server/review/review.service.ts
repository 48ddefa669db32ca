/**
 * Builds the service quality review for a system scope (centre, site, team, queue, channel) and a period of whole
 * local days, from the same services the screens use: KPI figures from the KPI service (so they equal the KPI API),
 * XmR charts from the flagging code, segment rates with Wilson intervals, comment themes from the VoC service, and
 * coaching from the case store. Recommendations follow from the findings by plain rules, each with a link to its
 * evidence. Saved reviews store the document as built plus stakeholders' comments.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, differenceInCalendarDays, format } from 'date-fns';
import { randomBytes } from 'node:crypto';
import { formatScope, type Scope } from '../../shared/access.js';
import { assuranceWords, RULE_SENTENCES, variationWords } from '../../shared/charts.js';
import type { Directory } from '../../shared/directory.js';
import { KPI_DEFINITIONS, statusOf } from '../../shared/kpis.js';
import { MAX_REVIEW_DAYS, REVIEW_KPIS, type CoachingSummary, type PlanRow, type Recommendation, type ResultRow, type SavedReview, type SegmentTable, type ServiceReview } from '../../shared/review.js';
import { AccountError } from '../accounts/errors.js';
import type { DirectoryIndex } from '../access/policies.js';
import type { Clock } from '../clock.js';
import type { CaseStore } from '../coaching/case.store.js';
import { systemChart, type ChartInput } from '../flagging/charts.js';
import { wilson } from '../flagging/intervals.js';
import type { KpiService } from '../kpi/kpi.service.js';
import type { Store } from '../store/db.js';
import type { TargetService } from '../targets/target.service.js';
import { filterForScope, type VocService } from '../voc/voc.service.js';

const SOURCES: Record<(typeof REVIEW_KPIS)[number], string> = {
  csat: 'post-contact survey responses (survey.responded, csat 1–5)',
  fcrSurvey: 'post-contact survey "was it resolved?" (survey.responded, resolved)',
  aht: 'contact ends from the telephony and chat platforms (contact.ended: talk + hold + wrap)',
  serviceLevel: 'offers, answers and abandons from the platforms (contact.offered / answered / abandoned)',
  abandonRate: 'offers and abandons from the platforms (contact.offered / abandoned)',
};


export interface ReviewDeps {
  store: Store;
  kpis: KpiService;
  targets: TargetService;
  cases: CaseStore;
  voc: VocService;
  clock: Clock;
}

function scopeName(scope: Scope, dir: Directory): string {
  switch (scope.kind) {
    case 'centre':
      return 'Whole centre';
    case 'site':
      return `Site ${dir.sites.find((s) => s.id === scope.id)?.name ?? scope.id}`;
    case 'team':
      return `Team ${dir.teams.find((t) => t.id === scope.id)?.name ?? scope.id}`;
    case 'queue':
      return `Queue ${dir.queues.find((q) => q.id === scope.id)?.name ?? scope.id}`;
    case 'channel':
      return `Channel ${scope.id}`;
    case 'agent':
      return scope.id;
  }
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const fmt = (kpi: (typeof REVIEW_KPIS)[number], v: number | null) => (v === null ? '–' : KPI_DEFINITIONS[kpi].unit === 'seconds' ? `${Math.round(v)} s` : pct(v));

export class ReviewService {
  constructor(private readonly d: ReviewDeps) {}

  /** [from, to] local days (of `scope`'s zone) to instants; refuses periods in the future, reversed or too long. */
  period(from: string, to: string, scope = 'centre'): { fromMs: number; toMs: number; days: number } {
    const tz = this.d.kpis.zoneOf(scope);
    // Local midnights in the scope's zone. Not TZDate('…T00:00:00', tz): that parses the text in the server's own
    // zone, an hour off on a UTC server in British Summer Time.
    const midnight = (day: string) => {
      const [y, m, d] = day.split('-').map(Number) as [number, number, number];
      return new TZDate(y, m - 1, d, tz);
    };
    const start = midnight(from);
    const end = addDays(midnight(to), 1);
    const days = differenceInCalendarDays(end, start);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw new AccountError('invalid', 'from and to must be real dates');
    if (days < 1) throw new AccountError('invalid', 'to must be on or after from');
    if (days > MAX_REVIEW_DAYS) throw new AccountError('invalid', `a review covers at most ${MAX_REVIEW_DAYS} days`);
    if (start.getTime() > this.d.clock.now()) throw new AccountError('invalid', 'the period has not started yet');
    return { fromMs: start.getTime(), toMs: end.getTime(), days };
  }

  async build(scope: Scope, from: string, to: string, dir: Directory, dirIndex: DirectoryIndex): Promise<ServiceReview> {
    if (scope.kind === 'agent') throw new AccountError('invalid', 'a service review is for the centre, a site, team, queue or channel; agents are reviewed through coaching');
    const scopeText = formatScope(scope);
    const { fromMs, toMs, days } = this.period(from, to, scopeText);
    const { kpis, targets } = this.d;
    const tz = kpis.zoneOf(scopeText);
    const allTargets = await targets.list();
    const plan: PlanRow[] = [];
    const results: ResultRow[] = [];
    const [now, before] = await Promise.all([kpis.query(scopeText, fromMs, toMs), kpis.query(scopeText, fromMs - (toMs - fromMs), fromMs)]);
    for (const kpi of REVIEW_KPIS) {
      const def = KPI_DEFINITIONS[kpi];
      const t = await targets.applicable(kpi, scope, to, dirIndex, allTargets);
      plan.push({
        kpi,
        label: def.label,
        formula: def.formula,
        nIs: def.nIs,
        direction: def.direction,
        source: SOURCES[kpi],
        frequency: 'live (every few seconds on the dashboard and wallboards); daily points on the XmR chart; reviewed monthly',
        target: t ? { threshold: t.threshold, direction: t.direction, tolerance: t.tolerance, scope: t.scope, owner: t.owner } : null,
      });
      const trend = await kpis.trend(kpi, scopeText, fromMs, toMs, 'day');
      const input: ChartInput[] = [];
      for (const p of trend.points) if (p.value !== null && p.n > 0) input.push({ start: p.start, end: p.end, label: format(new TZDate(Date.parse(p.start), tz), 'yyyy-MM-dd'), value: p.value, n: p.n });
      const chart = systemChart(input, def.direction, t ? { threshold: t.threshold, direction: t.direction } : null);
      results.push({
        kpi,
        value: now[kpi].value,
        n: now[kpi].n,
        previous: before[kpi].value,
        status: statusOf(now[kpi].value, t),
        variation: chart.variation,
        assurance: chart.assurance,
        points: chart.points.map((p) => ({ day: p.label, value: p.value, mark: p.mark })),
        limits: chart.limits ? { mean: chart.limits.mean, upper: chart.limits.upper, lower: chart.limits.lower } : null,
        specialCauses: chart.points
          .filter((p) => p.high.length > 0 || p.low.length > 0)
          .map((p) => ({ day: p.label, start: p.start, end: p.end, side: p.high.length > 0 ? 'high' : 'low', rules: [...p.high, ...p.low].map((r) => RULE_SENTENCES[r]), kind: p.mark ?? 'neither' })),
      });
    }
    const segments = await this.segments(scope, dir, fromMs, toMs, now);
    const vocReply = await this.d.voc.themes(scopeText, filterForScope(scope, dir), fromMs, toMs);
    const themes = { comments: vocReply.comments, sentiment: vocReply.sentiment, top: vocReply.themes.filter((t) => t.count > 0).slice(0, 5) };
    const coaching = await this.coaching(scope, dir, fromMs, toMs);
    const review: ServiceReview = {
      scope: scopeText,
      scopeName: scopeName(scope, dir),
      from,
      to,
      fromAt: new Date(fromMs).toISOString(),
      toAt: new Date(toMs).toISOString(),
      days,
      generatedAt: new Date(this.d.clock.now()).toISOString(),
      plan,
      results,
      segments,
      themes,
      coaching,
      recommendations: [],
    };
    review.recommendations = recommend(review, vocReply.previousComments);
    return review;
  }

  private async segments(scope: Scope, dir: Directory, fromMs: number, toMs: number, whole: Awaited<ReturnType<KpiService['query']>>): Promise<SegmentTable[]> {
    const groups: { by: SegmentTable['by']; scopes: { scope: string; name: string }[] }[] = [];
    const siteTeams = (site: string | null) => dir.teams.filter((t) => site === null || t.siteId === site);
    if (scope.kind === 'centre' || scope.kind === 'site') {
      const site = scope.kind === 'site' ? scope.id : null;
      groups.push({ by: 'team', scopes: siteTeams(site).map((t) => ({ scope: `team:${t.id}`, name: t.name })) });
      groups.push({ by: 'queue', scopes: dir.queues.filter((q) => site === null || q.siteId === site || q.siteId === undefined).map((q) => ({ scope: `queue:${q.id}`, name: q.name })) });
    }
    if (scope.kind === 'centre') groups.push({ by: 'channel', scopes: [...new Set(dir.queues.map((q) => q.channel))].map((c) => ({ scope: `channel:${c}`, name: c })) });
    const out: SegmentTable[] = [];
    for (const g of groups) {
      const figures = await Promise.all(g.scopes.map((s) => this.d.kpis.query(s.scope, fromMs, toMs)));
      for (const kpi of ['csat', 'fcrSurvey'] as const) {
        const overall = whole[kpi].value;
        out.push({
          kpi,
          by: g.by,
          overall,
          rows: g.scopes.map((s, i) => {
            const v = figures[i]![kpi];
            const w = v.value === null ? null : wilson(Math.round(v.value * v.n), v.n);
            const differs = overall === null || !w ? null : w.lower > overall ? 'better' : w.upper < overall ? 'worse' : null;
            return { scope: s.scope, name: s.name, value: v.value, n: v.n, low: w?.lower ?? null, high: w?.upper ?? null, differs };
          }),
        });
      }
    }
    return out;
  }

  private async coaching(scope: Scope, dir: Directory, fromMs: number, toMs: number): Promise<CoachingSummary> {
    const teamSite = new Map(dir.teams.map((t) => [t.id, t.siteId]));
    const all = (await this.d.cases.list({ limit: 1000 })).filter((c) => {
      switch (scope.kind) {
        case 'centre':
          return true;
        case 'site':
          return c.teamId !== null && teamSite.get(c.teamId) === scope.id;
        case 'team':
          return c.teamId === scope.id;
        case 'queue':
          return c.scope === `queue:${scope.id}`;
        case 'channel':
        case 'agent':
          return false;
      }
    });
    const within = (iso: string | null) => iso !== null && Date.parse(iso) >= fromMs && Date.parse(iso) < toMs;
    const opened = { individual: 0, systemic: 0, recognition: 0 };
    for (const c of all) if (within(c.openedAt)) opened[c.kind]++;
    const closed: CoachingSummary['closed'] = [];
    for (const c of all.filter((x) => within(x.closedAt))) {
      const d = await this.d.cases.detail(c.id);
      closed.push({ caseId: c.id, kind: c.kind, scope: c.scope, kpi: c.kpi, outcome: c.outcome, reason: d?.outcomeReason ?? null, review: d?.review?.summary ?? null });
    }
    const ids = all.map((c) => c.id);
    let agreed = 0;
    let done = 0;
    let overdue = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.d.store.db
        .selectFrom('case_actions')
        .select(['status', 'created_ms', 'done_ms', 'due_ms'])
        .where(
          'case_id',
          'in',
          ids.slice(i, i + 500),
        )
        .execute();
      for (const a of rows) {
        if (Number(a.created_ms) >= fromMs && Number(a.created_ms) < toMs) agreed++;
        if (a.status === 'done' && a.done_ms !== null && Number(a.done_ms) >= fromMs && Number(a.done_ms) < toMs) done++;
        if (a.status === 'open' && Number(a.due_ms) < Math.min(toMs, this.d.clock.now())) overdue++;
      }
    }
    return { opened, closed, actions: { agreed, done, overdue } };
  }

  async save(review: ServiceReview, title: string, actor: string): Promise<string> {
    const id = `rev_${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;
    await this.d.store.db
      .insertInto('service_reviews')
      .values({ id, title, scope: review.scope, from_day: review.from, to_day: review.to, created_ms: this.d.clock.now(), created_by: actor, snapshot: JSON.stringify(review) })
      .execute();
    return id;
  }

  async list(): Promise<Omit<SavedReview, 'snapshot' | 'comments'>[]> {
    const rows = await this.d.store.db.selectFrom('service_reviews').select(['id', 'title', 'scope', 'from_day', 'to_day', 'created_ms', 'created_by']).orderBy('created_ms', 'desc').limit(500).execute();
    return rows.map((r) => ({ id: r.id, title: r.title, scope: r.scope, from: r.from_day, to: r.to_day, createdAt: new Date(Number(r.created_ms)).toISOString(), createdBy: r.created_by }));
  }

  async get(id: string, names: Map<string, string>): Promise<SavedReview | undefined> {
    const r = await this.d.store.db.selectFrom('service_reviews').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    const comments = await this.d.store.db.selectFrom('review_comments').selectAll().where('review_id', '=', id).orderBy('id').execute();
    return {
      id: r.id,
      title: r.title,
      scope: r.scope,
      from: r.from_day,
      to: r.to_day,
      createdAt: new Date(Number(r.created_ms)).toISOString(),
      createdBy: r.created_by,
      snapshot: JSON.parse(r.snapshot) as ServiceReview,
      comments: comments.map((c) => ({ id: Number(c.id), at: new Date(Number(c.at_ms)).toISOString(), author: c.author, authorName: names.get(c.author) ?? null, text: c.text })),
    };
  }

  async comment(id: string, author: string, text: string): Promise<void> {
    await this.d.store.db.insertInto('review_comments').values({ review_id: id, at_ms: this.d.clock.now(), author, text }).execute();
  }
}

/** Recommendations from the findings, system first: each says what to do, why, and where the evidence is. */
export function recommend(r: ServiceReview, previousComments: number): Recommendation[] {
  const out: Recommendation[] = [];
  const enc = encodeURIComponent;
  const chart = (kpi: string) => `/charts?scope=${enc(r.scope)}&kpi=${kpi}`;
  for (const res of r.results) {
    const label = KPI_DEFINITIONS[res.kpi].label;
    const hasTarget = r.plan.find((p) => p.kpi === res.kpi)?.target !== null;
    if (res.assurance === 'fail') {
      out.push({
        text: `Change the process behind ${label}: at its current capability it will not meet its target. Coaching individuals will not fix a system that cannot reach it.`,
        because: `${assuranceWords('fail', true)} (mean ${fmt(res.kpi, res.limits?.mean ?? null)}, limits ${fmt(res.kpi, res.limits?.lower ?? null)}–${fmt(res.kpi, res.limits?.upper ?? null)}).`,
        evidence: { label: `${label} XmR chart`, href: chart(res.kpi) },
      });
    } else if (res.assurance === 'hit-or-miss' && hasTarget) {
      out.push({
        text: `Reduce the day-to-day variation in ${label}: the target sits inside the process limits, so it will be hit and missed by chance.`,
        because: assuranceWords('hit-or-miss', true) + '.',
        evidence: { label: `${label} XmR chart`, href: chart(res.kpi) },
      });
    }
    const concerns = res.specialCauses.filter((s) => s.kind === 'concern');
    const last = concerns[concerns.length - 1];
    if (last) {
      // The day's own local bounds, so the contacts listed are exactly the point's.
      const fromAt = last.start;
      const toAt = last.end;
      out.push({
        text: `Find the cause of the ${label} special cause on ${last.day} (${concerns.length} day${concerns.length === 1 ? '' : 's'} of concern in the period) and act on it if it is still present.`,
        because: `${variationWords(res.variation)}; on ${last.day}: ${last.rules.join(', ')}.`,
        evidence: { label: `contacts behind ${label} on ${last.day}`, href: `/contacts?scope=${enc(r.scope)}&from=${enc(fromAt)}&to=${enc(toAt)}&kpi=${res.kpi}` },
      });
    }
  }
  for (const seg of r.segments) {
    for (const row of seg.rows.filter((x) => x.differs === 'worse')) {
      out.push({
        text: `Look at why ${seg.by} ${row.name} trails the rest on ${KPI_DEFINITIONS[seg.kpi].label}: compare its contact reasons, queue mix and comments before looking at people.`,
        because: `${pct(row.value)} (95% interval ${pct(row.low)}–${pct(row.high)}, n ${row.n}) against ${pct(seg.overall)} for ${r.scopeName}.`,
        evidence: { label: `${row.name} dashboard`, href: `/?scope=${enc(row.scope)}` },
      });
    }
  }
  for (const t of r.themes.top) {
    const before = previousComments === 0 ? null : t.previousCount / previousComments;
    if (t.negativeShare >= 0.1 && before !== null && t.share - before >= 0.02) {
      out.push({
        text: `Address "${t.label}": a growing share of comments, with ${Math.round(t.negativeShare * 100)}% of them negative.`,
        because: `${t.count} comments (${Math.round(t.share * 100)}% of all, up from ${Math.round(before * 100)}%); e.g. “${t.examples[0]?.text ?? ''}”`,
        evidence: { label: `comments on ${t.label}`, href: `/voice?scope=${enc(r.scope)}&theme=${t.id}` },
      });
    }
  }
  if (r.coaching.actions.overdue > 0) {
    out.push({
      text: `Follow up the ${r.coaching.actions.overdue} overdue coaching and improvement action${r.coaching.actions.overdue === 1 ? '' : 's'}.`,
      because: `${r.coaching.actions.done} of ${r.coaching.actions.agreed} actions agreed in the period are done.`,
      evidence: { label: 'coaching inbox', href: '/cases' },
    });
  }
  const short = r.results.filter((x) => x.variation === null);
  if (out.length === 0 && short.length > 0) {
    out.push({
      text: `Wait for more history before judging ${short.map((x) => KPI_DEFINITIONS[x.kpi].label).join(', ')}: their charts have fewer days with data than the 13 a special-cause or assurance judgement needs.`,
      because: 'A chart with too few points shows noise as readily as a signal; no finding here would be safe.',
      evidence: { label: 'charts', href: chart(short[0]!.kpi) },
    });
  } else if (out.length === 0) {
    out.push({
      text: 'Keep the current measures and targets: no special cause, failing assurance, trailing segment or growing complaint theme was found in the period.',
      because: 'Every KPI chart shows common-cause variation only, and segments sit within chance of the whole.',
      evidence: { label: 'charts', href: chart('csat') },
    });
  }
  return out;
}
