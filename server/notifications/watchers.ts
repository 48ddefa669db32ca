/**
 * Watchers that raise notices from state rather than from a change: a team's or the centre's KPI going off target
 * (red) and back, and an ingest key that was delivering events falling silent and coming back. A change must hold
 * for `sustainMs` before anyone is told, so a value hovering at its threshold does not flap. What was last told is
 * kept in notification_state, so a restart (or a new leader) neither repeats a notice nor forgets a breach.
 * Runs on the leader only.
 */
import { PLATFORM_INFO, type Platform } from '../../shared/sources.js';
import { KPI_DEFINITIONS, KPI_NAMES, statusOf } from '../../shared/kpis.js';
import { formatKpi } from '../../shared/kpi-format.js';
import { scopeText } from '../../shared/access.js';
import type { Clock } from '../clock.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { DirectoryIndex } from '../access/policies.js';
import type { KpiService } from '../kpi/kpi.service.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import type { TargetService } from '../targets/target.service.js';
import type { NotificationService } from './notification.service.js';

/** What a watcher last told people about one thing, and a different state it is waiting to see hold. */
export interface WatchState<S extends string> {
  told: S;
  /** When `told` began (the first moment of the change that was announced). */
  since: number;
  pending: { state: S; since: number } | null;
}

/**
 * One step of the anti-flapping rule: the observed state must differ from what was told for `sustainMs` in a row.
 * Returns the new state and whether to announce it. Pure, for the unit tests.
 */
export function step<S extends string>(prev: WatchState<S>, observed: S | null, nowMs: number, sustainMs: number): { next: WatchState<S>; announce: boolean } {
  if (observed === null || observed === prev.told) return { next: { ...prev, pending: null }, announce: false };
  const pending = prev.pending?.state === observed ? prev.pending : { state: observed, since: nowMs };
  if (nowMs - pending.since >= sustainMs) return { next: { told: observed, since: pending.since, pending: null }, announce: true };
  return { next: { ...prev, pending }, announce: false };
}

/** How far back each read of the case trail reaches before the last one's end. */
const CASE_TRAIL_OVERLAP_MS = 10 * 60_000;

export interface WatcherOptions {
  breachSustainMs: number;
  sourceSilentMs: number;
  checkMs: number;
}

export class NotificationWatchers {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly d: { store: Store; clock: Clock; logger: Logger; kpis: KpiService; targets: TargetService; directory: DirectoryService; dirIndex: () => Promise<DirectoryIndex>; notifications: NotificationService },
    private readonly opts: WatcherOptions,
  ) {}

  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.check().catch((err: unknown) => this.d.logger.error({ err }, 'notification watchers failed')), this.opts.checkMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves when a check in flight has finished (shutdown). */
  async idle(): Promise<void> {
    await this.running.catch(() => undefined);
  }

  /** One look at every watched thing; one at a time. */
  check(): Promise<void> {
    this.running = this.running.catch(() => undefined).then(async () => {
      await this.checkKpis();
      await this.checkSources();
      await this.checkCaseTrail();
    });
    return this.running;
  }

  /** Today's value of every KPI with a target, for the centre and each team, against that target. */
  private async checkKpis(): Promise<void> {
    const now = this.d.clock.now();
    const dir = await this.d.directory.get();
    const index = await this.d.dirIndex();
    const all = await this.d.targets.list();
    const date = this.d.targets.todayLocal();
    const scopes: { scope: string; name: string }[] = [{ scope: 'centre', name: 'the whole centre' }, ...dir.teams.map((t) => ({ scope: `team:${t.id}`, name: `team ${t.name}` }))];
    for (const { scope, name } of scopes) {
      const today = this.d.kpis.today(scope);
      const set = this.d.kpis.queryLive(scope, today.fromMs, today.toMs);
      for (const kpi of KPI_NAMES) {
        const target = await this.d.targets.applicable(kpi, scopeText.parse(scope), date, index, all);
        if (!target) continue;
        const status = statusOf(set[kpi].value, target);
        // No data yet (a new day) says nothing either way: the last told state stands.
        const observed = status === 'off' ? 'breach' : status === 'meets' || status === 'within' ? 'ok' : null;
        const key = `kpi:${scope}:${kpi}`;
        const prev = await this.load<'ok' | 'breach'>(key, 'ok');
        const { next, announce } = step(prev, observed, now, this.opts.breachSustainMs);
        if (JSON.stringify(next) !== JSON.stringify(prev)) await this.save(key, next, now);
        if (!announce) continue;
        const data = {
          scope,
          scopeName: name,
          kpi,
          kpiLabel: KPI_DEFINITIONS[kpi].label,
          value: set[kpi].value,
          valueText: formatKpi(kpi, set[kpi].value),
          threshold: target.threshold,
          thresholdText: formatKpi(kpi, target.threshold),
          direction: target.direction,
          since: new Date(next.since).toISOString(),
        };
        await this.d.notifications.raise({ kind: next.told === 'breach' ? 'kpi_breach' : 'kpi_recovered', data }, `${key}:${next.told}:${next.since}`, { kind: 'scope', scope });
      }
    }
  }

  /** Ingest keys that have delivered: silent past the threshold is unhealthy; a use after that is healthy again. */
  private async checkSources(): Promise<void> {
    const now = this.d.clock.now();
    const keys = await this.d.store.db.selectFrom('api_keys').select(['id', 'name', 'scopes', 'last_used_ms']).where('revoked_ms', 'is', null).where('last_used_ms', 'is not', null).execute();
    for (const k of keys) {
      if (!k.scopes.split(',').includes('ingest')) continue;
      const last = Number(k.last_used_ms);
      const observed = now - last > this.opts.sourceSilentMs ? 'silent' : 'healthy';
      const key = `source:${k.id}`;
      const prev = await this.load<'healthy' | 'silent'>(key, 'healthy');
      // Silence is already sustained by its threshold; coming back is announced at once.
      const { next, announce } = step(prev, observed, now, 0);
      if (JSON.stringify(next) !== JSON.stringify(prev)) await this.save(key, next, now);
      if (!announce) continue;
      const data = { keyId: k.id, keyName: k.name, lastEventAt: new Date(last).toISOString(), silentMinutes: Math.round((now - last) / 60_000) };
      await this.d.notifications.raise({ kind: next.told === 'silent' ? 'source_unhealthy' : 'source_healthy', data }, `${key}:${next.told}:${next.since}`, { kind: 'admins' });
    }
    await this.checkPlatformSources(now);
  }

  /**
   * Platform sources (issue 16) that have delivered: silent past the threshold, or (pull sources) polls failing, is
   * unhealthy; a delivery or a good poll after that is healthy again.
   */
  private async checkPlatformSources(now: number): Promise<void> {
    const rows = await this.d.store.db.selectFrom('sources').select(['id', 'name', 'platform', 'last_record_ms', 'last_error', 'last_poll_ms']).where('deleted_ms', 'is', null).where('enabled', '=', 1).execute();
    for (const r of rows) {
      const last = r.last_record_ms === null ? null : Number(r.last_record_ms);
      // A source that never delivered is "waiting" on its page, not silent; a failing poll counts at once.
      if (last === null && r.last_error === null) continue;
      const failing = r.last_error !== null;
      const observed = failing || (last !== null && now - last > this.opts.sourceSilentMs) ? 'silent' : 'healthy';
      const key = `platform-source:${r.id}`;
      const prev = await this.load<'healthy' | 'silent'>(key, 'healthy');
      const { next, announce } = step(prev, observed, now, 0);
      if (JSON.stringify(next) !== JSON.stringify(prev)) await this.save(key, next, now);
      if (!announce) continue;
      const data = {
        keyId: r.id,
        keyName: r.name,
        platform: PLATFORM_INFO[r.platform as Platform]?.label ?? r.platform,
        lastEventAt: last === null ? 'never' : new Date(last).toISOString(),
        silentMinutes: last === null ? 0 : Math.round((now - last) / 60_000),
        ...(failing && next.told === 'silent' ? { pollError: (r.last_error ?? '').slice(0, 300) } : {}),
      };
      await this.d.notifications.raise({ kind: next.told === 'silent' ? 'source_unhealthy' : 'source_healthy', data }, `${key}:${next.told}:${next.since}`, { kind: 'admins' });
    }
  }

  /**
   * Case notices are filed right after a case change commits, on the node that made it; a crash in between would lose
   * one. The case's own trail (case_events) is written in the change's transaction, so the leader re-reads its recent
   * entries and files them again: the dedupe key is the same, so a notice already filed is not filed twice. The
   * window overlaps the last read by a few minutes, for trail rows committed late.
   */
  private async checkCaseTrail(): Promise<void> {
    const now = this.d.clock.now();
    const key = 'case-trail';
    const row = await this.d.store.db.selectFrom('notification_state').select('value').where('key', '=', key).executeTakeFirst();
    const readTo = row ? (JSON.parse(row.value) as { readToMs: number }).readToMs : now;
    const entries = await this.d.store.db
      .selectFrom('case_events')
      .select(['case_id', 'at_ms', 'actor', 'action', 'details'])
      .where('at_ms', '>=', readTo - CASE_TRAIL_OVERLAP_MS)
      .where('at_ms', '<=', now)
      .where('action', 'in', ['assigned', 'responded', 'follow_up_due'])
      .orderBy('at_ms')
      .execute();
    for (const e of entries) {
      const details = JSON.parse(e.details) as { to?: unknown };
      const assigneeId = e.action === 'assigned' && typeof details.to === 'string' ? details.to : undefined;
      await this.d.notifications.onCaseChanged({ caseId: e.case_id, action: e.action, actor: e.actor, atMs: Number(e.at_ms), ...(assigneeId ? { assigneeId } : {}) });
    }
    const text = JSON.stringify({ readToMs: now });
    await this.d.store.db
      .insertInto('notification_state')
      .values({ key, value: text, updated_ms: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_ms: now }))
      .execute();
  }

  private async load<S extends string>(key: string, initial: S): Promise<WatchState<S>> {
    const row = await this.d.store.db.selectFrom('notification_state').select('value').where('key', '=', key).executeTakeFirst();
    return row ? (JSON.parse(row.value) as WatchState<S>) : { told: initial, since: 0, pending: null };
  }

  private async save(key: string, value: WatchState<string>, nowMs: number): Promise<void> {
    const text = JSON.stringify(value);
    await this.d.store.db
      .insertInto('notification_state')
      .values({ key, value: text, updated_ms: nowMs })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_ms: nowMs }))
      .execute();
  }
}
