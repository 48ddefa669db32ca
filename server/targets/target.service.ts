/**
 * SMART targets: KPI, scope, threshold, direction, tolerance, effective dates, review date, owner, objective. The most
 * specific target in force applies (agent, then their team, then the site, then the centre; a queue falls back to
 * its site, then its channel). Each target reports how often it was met over the last 90 days, so an unachievable
 * target shows itself before anyone is judged against it.
 */
import { randomBytes } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { format, subDays } from 'date-fns';
import { scopeText, type Scope } from '../../shared/access.js';
import { statusOf, type Attainment, type KpiName, type Target } from '../../shared/kpis.js';
import type { DirectoryIndex } from '../access/policies.js';
import { AccountError } from '../accounts/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { KpiService } from '../kpi/kpi.service.js';
import type { Store } from '../store/db.js';
import type { TargetsTable } from '../store/schema.js';

export type NewTarget = Omit<Target, 'id'>;


export class TargetService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly kpis: KpiService,
  ) {}

  async list(): Promise<Target[]> {
    return (await this.store.db.selectFrom('targets').selectAll().orderBy('kpi').orderBy('scope').execute()).map(toTarget);
  }

  async get(id: string): Promise<Target> {
    const row = await this.store.db.selectFrom('targets').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no target '${id}'`);
    return toTarget(row);
  }

  async create(t: NewTarget, actor: string): Promise<Target> {
    check(t);
    const id = `tg_${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;
    const now = this.clock.now();
    await this.store.db.insertInto('targets').values({ id, ...toRow(t), created_ms: now, updated_ms: now }).execute();
    await this.audit.record({ actor, action: 'target.create', target: `target:${id}`, details: { kpi: t.kpi, scope: t.scope, threshold: t.threshold } });
    return this.get(id);
  }

  async update(id: string, t: NewTarget, actor: string): Promise<Target> {
    check(t);
    const before = await this.get(id);
    await this.store.db.updateTable('targets').set({ ...toRow(t), updated_ms: this.clock.now() }).where('id', '=', id).execute();
    await this.audit.record({ actor, action: 'target.update', target: `target:${id}`, details: { from: before.threshold, to: t.threshold, kpi: t.kpi, scope: t.scope } });
    return this.get(id);
  }

  async remove(id: string, actor: string): Promise<void> {
    const before = await this.get(id);
    await this.store.db.deleteFrom('targets').where('id', '=', id).execute();
    await this.audit.record({ actor, action: 'target.delete', target: `target:${id}`, details: { kpi: before.kpi, scope: before.scope } });
  }

  /** The target that applies to this KPI and scope on a local date (YYYY-MM-DD), or null. */
  async applicable(kpi: KpiName, scope: Scope, date: string, dir: DirectoryIndex, all?: Target[]): Promise<Target | null> {
    const chain = fallbackChain(scope, dir);
    const candidates = (all ?? (await this.list())).filter((t) => t.kpi === kpi && t.effectiveFrom <= date && (t.effectiveTo === null || t.effectiveTo >= date));
    for (const s of chain) {
      const hit = candidates.find((t) => t.scope === s);
      if (hit) return hit;
    }
    return null;
  }

  /** How often the target would have been met, day by day, over the last `days` local days. */
  async attainment(t: Target, days = 90): Promise<Attainment> {
    // The target's scope's own days (a site's zone for a site, its teams and agents).
    const tz = this.kpis.zoneOf(t.scope);
    const { fromMs: todayStart } = this.kpis.today(t.scope);
    const from = subDays(new TZDate(todayStart, tz), days).getTime();
    const trend = await this.kpis.trend(t.kpi, t.scope, from, todayStart, 'day');
    const out: Attainment = { days, daysWithData: 0, met: 0, within: 0, off: 0, metShare: null };
    for (const p of trend.points) {
      const s = statusOf(p.value, t);
      if (s === 'meets') out.met++;
      else if (s === 'within') out.within++;
      else if (s === 'off') out.off++;
      if (p.value !== null) out.daysWithData++;
    }
    out.metShare = out.daysWithData === 0 ? null : out.met / out.daysWithData;
    return out;
  }

  todayLocal(): string {
    return format(new TZDate(this.clock.now(), this.kpis.timeZone), 'yyyy-MM-dd');
  }
}

export function fallbackChain(scope: Scope, dir: DirectoryIndex): string[] {
  const chain: string[] = [];
  const site = (id: string | undefined | null) => (id ? [`site:${id}`] : []);
  switch (scope.kind) {
    case 'agent': {
      const team = dir.agentTeam.get(scope.id);
      chain.push(`agent:${scope.id}`, ...(team ? [`team:${team}`] : []), ...site(dir.siteOfAgent(scope.id)));
      break;
    }
    case 'team':
      chain.push(`team:${scope.id}`, ...site(dir.teamSite.get(scope.id)));
      break;
    case 'queue':
      chain.push(`queue:${scope.id}`, ...site(dir.queueSite.get(scope.id)), ...(dir.queueChannel.get(scope.id) ? [`channel:${dir.queueChannel.get(scope.id)}`] : []));
      break;
    case 'channel':
      chain.push(`channel:${scope.id}`);
      break;
    case 'site':
      chain.push(`site:${scope.id}`);
      break;
    case 'centre':
      break;
  }
  chain.push('centre');
  return chain;
}

function check(t: NewTarget): void {
  if (!scopeText.safeParse(t.scope).success) throw new AccountError('invalid', `scope '${t.scope}' is not valid`);
  if (t.effectiveTo !== null && t.effectiveTo < t.effectiveFrom) throw new AccountError('invalid', 'effectiveTo must not be before effectiveFrom');
  if (t.reviewDate < t.effectiveFrom) throw new AccountError('invalid', 'the review date must not be before the target takes effect');
}

function toRow(t: NewTarget): Omit<TargetsTable, 'id' | 'created_ms' | 'updated_ms'> {
  return {
    kpi: t.kpi,
    scope: t.scope,
    threshold: t.threshold,
    direction: t.direction,
    tolerance: t.tolerance,
    effective_from: t.effectiveFrom,
    effective_to: t.effectiveTo,
    review_date: t.reviewDate,
    owner: t.owner,
    objective: t.objective,
  };
}

function toTarget(r: TargetsTable): Target {
  return {
    id: r.id,
    kpi: r.kpi as KpiName,
    scope: r.scope,
    threshold: Number(r.threshold),
    direction: r.direction as 'up' | 'down',
    tolerance: Number(r.tolerance),
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
    reviewDate: r.review_date,
    owner: r.owner,
    objective: r.objective,
  };
}
