/**
 * Runs the flagger over the stored events and files what it opens as coaching cases, systemic reviews and
 * recognitions. It works in event time on closed local days, so it runs at start and again once each new day has
 * closed; re-running over the same days opens nothing twice (each case carries the flagger's key).
 */
import type { CaseKind } from '../../shared/access.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { KpiService } from '../kpi/kpi.service.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import { scanEvents } from '../store/events.store.js';
import { DailyCountsBuilder } from './daily.js';
import { Flagger, type FlagCase } from './flagger.js';

const CHECK_MS = 15 * 60_000;
const TYPES = ['contact.offered', 'contact.answered', 'contact.ended', 'survey.responded'];

export interface FlaggingRun {
  days: number;
  events: number;
  found: number;
  opened: number;
  ms: number;
}

export function flagKey(c: FlagCase): string {
  return `${c.kind}|${c.agentId ?? c.teamId ?? c.queueId ?? '-'}|${c.kpi}|${new Date(c.dayMs).toISOString().slice(0, 10)}`;
}

export class FlaggingService {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastDay = 0;
  private running: Promise<FlaggingRun> | undefined;
  lastRun: FlaggingRun | undefined;

  constructor(
    private readonly store: Store,
    private readonly directory: DirectoryService,
    private readonly kpis: KpiService,
    private readonly cases: CaseStore,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.run();
    if (this.stopped) return;
    this.timer = setInterval(() => {
      if (this.kpis.today().fromMs > this.lastDay) void this.run().catch((err: unknown) => this.logger.error({ err }, 'flagging run failed'));
    }, CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Flags every closed day held in the store; one run at a time. */
  run(): Promise<FlaggingRun> {
    this.running ??= this.runOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runOnce(): Promise<FlaggingRun> {
    const t0 = Date.now();
    const dir = await this.directory.get();
    const today = this.kpis.today().fromMs;
    const builder = new DailyCountsBuilder(this.kpis.timeZone);
    const events = await scanEvents(this.store.db, (q) => q.where('type', 'in', TYPES), (e) => builder.add(e));
    // Closed days only: today is still moving.
    for (const d of [...builder.days.keys()]) if (d >= today) builder.days.delete(d);
    const flagger = new Flagger(dir);
    const found: FlagCase[] = [];
    // Day by day, yielding between days, so a long history does not hold up live traffic.
    for (const d of [...builder.days.keys()].sort((a, b) => a - b)) {
      found.push(...flagger.run(new Map([[d, builder.days.get(d) as NonNullable<ReturnType<typeof builder.days.get>>]])));
      await new Promise((r) => setImmediate(r));
    }
    let opened = 0;
    for (const c of found) {
      const kind: CaseKind = c.kind;
      const isNew = await this.cases.insertFlagged(
        {
          kind,
          scope: c.agentId ? `agent:${c.agentId}` : c.teamId ? `team:${c.teamId}` : `queue:${c.queueId ?? '-'}`,
          agentId: c.agentId,
          teamId: c.teamId,
          kpi: c.kpi,
          rule: c.rule,
          figures: { ...c.figures, explanation: c.explanation, day: new Date(c.dayMs).toISOString().slice(0, 10), evidencePositive: c.evidence.positive, evidenceNegative: c.evidence.negative },
          evidenceContactIds: [...c.evidence.negative, ...c.evidence.positive],
          assignedCoachId: null,
          openedMs: c.dayMs,
        },
        flagKey(c),
      );
      if (isNew) opened++;
    }
    this.lastDay = today;
    this.lastRun = { days: builder.days.size, events, found: found.length, opened, ms: Date.now() - t0 };
    this.logger.info(this.lastRun, 'flagger ran over the closed days');
    return this.lastRun;
  }
}
