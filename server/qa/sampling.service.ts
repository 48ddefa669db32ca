/**
 * Drawing the week's fair sample (server/qa/sampling.ts explains the draw) and reading it back as a worklist with
 * coverage per agent, for the agents the caller may view. Drawing is idempotent: the period's seed is stored on the
 * first draw and reused, and a contact already drawn for an agent is not drawn again.
 */
import { centreZoneOf } from '../../shared/zones.js';
import { kpiScore } from '../../shared/qa.js';
import type { CoverageRow, SampleItem, SamplesReply } from '../../shared/qa-evaluations.js';
import { AccountError } from '../accounts/errors.js';
import { actorOf, type Principal } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { EvaluationService } from './evaluation.service.js';
import type { EvaluationStore } from './evaluation.store.js';
import { bottomK, DEFAULT_SAMPLE_SIZE, isoWeekOf, newSeed, parsePeriod, type Period } from './sampling.js';

export class SamplingService {
  constructor(
    private readonly evaluations: EvaluationStore,
    private readonly service: EvaluationService,
    private readonly directory: DirectoryService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async period(id: string | undefined): Promise<Period> {
    const zone = centreZoneOf(await this.directory.get());
    if (id === undefined) return isoWeekOf(this.clock.now(), zone);
    const p = parsePeriod(id, zone);
    if (!p) throw new AccountError('invalid', `period: '${id}' is not an ISO week`);
    return p;
  }

  /** The agents the caller may view (and so sample and evaluate). */
  async agentsInScope(p: Principal | null): Promise<string[]> {
    const dir = await this.directory.get();
    const links = await this.service.linksFor(p);
    const out: string[] = [];
    for (const a of dir.agents) if (await this.service.canEvaluate(p, a.id, links)) out.push(a.id);
    return out;
  }

  /** Draws k contacts per agent in the caller's scope for the period; returns how many were added. */
  async draw(p: Principal | null, periodId: string | undefined, k: number | undefined): Promise<{ period: Period; added: number; k: number }> {
    if (p?.kind !== 'user' || !['admin', 'manager', 'team_leader'].includes(p.role)) throw new AccountError('forbidden', 'admins, managers and team leaders draw samples');
    const period = await this.period(periodId);
    if (period.fromMs > this.clock.now()) throw new AccountError('invalid', `period: ${period.id} has not started yet`);
    const size = k ?? (await this.evaluations.sampleSize()) ?? DEFAULT_SAMPLE_SIZE;
    if (k !== undefined && p.role !== 'team_leader') await this.evaluations.setSampleSize(k);
    const agents = await this.agentsInScope(p);
    const seed = await this.evaluations.seedFor(period.id, newSeed);
    const handled = await this.evaluations.handledIn(agents, period.fromMs, period.toMs);
    const already = await this.evaluations.samples(period.id, agents);
    const now = this.clock.now();
    const rows = [];
    for (const [agentId, contacts] of handled) {
      const have = already.filter((s) => s.agentId === agentId);
      // Drawing again adds nothing: an agent already drawn keeps their sample, unless a larger k is asked for, when
      // the next smallest keys (the same order) fill it up.
      const want = Math.max(0, size - have.length);
      if (want === 0) continue;
      const taken = new Set(have.map((s) => s.contactId));
      for (const pick of bottomK(seed, contacts, size).filter((x) => !taken.has(x.contactId)).slice(0, want)) {
        rows.push({ period: period.id, agentId, contactId: pick.contactId, key: pick.key, drawnMs: now, drawnBy: actorOf(p) });
      }
    }
    const added = await this.evaluations.addSamples(rows);
    await this.audit.record({ actor: actorOf(p), action: 'qa.sample.draw', target: `qa-period:${period.id}`, details: { k: size, agents: agents.length, added } });
    return { period, added, k: size };
  }

  /** The period's sample in the caller's scope with each contact's evaluation state, and coverage per agent. */
  async read(p: Principal | null, periodId: string | undefined): Promise<SamplesReply> {
    const period = await this.period(periodId);
    const agents = await this.agentsInScope(p);
    const dir = await this.directory.get();
    // By id: a large centre's sample is tens of thousands of contacts over thousands of agents.
    const names = new Map(dir.agents.map((a) => [a.id, a.name]));
    const name = (id: string) => names.get(id) ?? null;
    const [samples, handled, drawn, k] = await Promise.all([
      this.evaluations.samples(period.id, agents),
      this.evaluations.handledIn(agents, period.fromMs, period.toMs),
      this.evaluations.hasSeed(period.id),
      this.evaluations.sampleSize().then((x) => x ?? DEFAULT_SAMPLE_SIZE),
    ]);
    const evals = await this.evaluations.byIds(samples.map((s) => s.evaluationId).filter((x): x is string => x !== null));
    const items: SampleItem[] = samples.map((s) => {
      const e = s.evaluationId === null ? undefined : evals.get(s.evaluationId);
      return { sampleId: s.id, period: s.period, agentId: s.agentId, agentName: name(s.agentId), contactId: s.contactId, evaluationId: e?.id ?? null, evaluationStatus: e?.status ?? null };
    });
    const coverage: CoverageRow[] = agents.map((agentId) => {
      const mine = samples.filter((s) => s.agentId === agentId);
      const done = mine.map((s) => (s.evaluationId === null ? undefined : evals.get(s.evaluationId))).filter((e) => e?.status === 'submitted');
      const scores = done.map((e) => kpiScore({ score: e?.score ?? 0, criticalFail: e?.criticalFail ?? false }));
      return {
        agentId,
        agentName: name(agentId),
        handled: handled.get(agentId)?.length ?? 0,
        sampled: mine.length,
        evaluated: done.length,
        meanScore: scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length,
      };
    });
    return { period: period.id, from: new Date(period.fromMs).toISOString(), to: new Date(period.toMs).toISOString(), drawn, k, items, coverage };
  }
}
