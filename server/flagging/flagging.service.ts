/**
 * Runs the flagger over the stored events and files what it opens as coaching cases, systemic reviews and
 * recognitions. It works in event time on closed local days, so it runs at start and again once each new day has
 * closed; re-running over the same days opens nothing twice (each case carries the flagger's key).
 */
import type { CaseKind } from '../../shared/access.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { KpiService } from '../kpi/kpi.service.js';
import { creditRuleOf } from '../kpi/engine.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import { scanEvents } from '../store/events.store.js';
import { scopeZones } from '../../shared/zones.js';
import { DailyCountsBuilder } from './daily.js';
import { FlaggerWorkerStartError, runFlagger, runFlaggerOffThread, type FlaggerJob } from './flagger-job.js';
import type { FlagCase } from './flagger.js';

const CHECK_MS = 15 * 60_000;
// Every lifecycle type: a higher revision of a contact resets it whichever of its events comes first.
const TYPES = ['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.abandoned', 'survey.responded'];

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
  /** The zones of the last run's directory: a day is closed once it has ended in every one of them. */
  private zones: { centre: string; all: string[] } | undefined;
  private running: Promise<FlaggingRun> | undefined;
  private queued: Promise<FlaggingRun> | undefined;
  private inThread = false;
  /** Aborts a run's worker thread when the service stops (shutdown, or this node losing the leader's duties). */
  private abort = new AbortController();
  lastRun: FlaggingRun | undefined;

  constructor(
    private readonly store: Store,
    private readonly directory: DirectoryService,
    private readonly kpis: KpiService,
    private readonly cases: CaseStore,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    await this.run();
    if (this.stopped) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (this.openFrom(this.kpis.now()) > this.lastDay) void this.run().catch((err: unknown) => this.logger.error({ err }, 'flagging run failed'));
    }, CHECK_MS);
    this.timer.unref();
  }

  /** The first day (key, daily.ts) not yet closed in every zone at `nowMs`. */
  private openFrom(nowMs: number): number {
    if (!this.zones) return this.kpis.today().fromMs;
    return new DailyCountsBuilder(this.zones.centre).openFrom(nowMs, this.zones.all);
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort(new Error('the flagging service stopped'));
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Flags every closed day held in the store at the time of the call; one run at a time. A call while a run is
   * under way gets the next run (shared by every caller meanwhile): the one under way may have read the store before
   * the caller's data arrived.
   */
  run(): Promise<FlaggingRun> {
    if (!this.running) {
      this.running = this.runOnce().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.run();
      });
    return this.queued;
  }

  /**
   * The flagger's calibration and CUSUMs take seconds of CPU: off the main thread, so live sockets and ingest on this
   * node never wait for them. If no worker thread can start here, the run happens on this thread, said in the log.
   */
  private async flag(job: FlaggerJob): Promise<FlagCase[]> {
    if (this.inThread) return runFlagger(job);
    try {
      return await runFlaggerOffThread(job, this.abort.signal);
    } catch (err) {
      if (!(err instanceof FlaggerWorkerStartError)) throw err;
      this.inThread = true;
      this.logger.warn({ err }, 'the flagger could not start its worker thread; it runs on the main thread, which pauses live updates during a run');
      return runFlagger(job);
    }
  }

  private async runOnce(): Promise<FlaggingRun> {
    const t0 = Date.now();
    const dir = await this.directory.get();
    const zones = scopeZones(dir);
    this.zones = { centre: zones.centre, all: zones.all() };
    const builder = new DailyCountsBuilder(zones.centre, (agentId) => zones.of(`agent:${agentId}`), creditRuleOf(dir));
    // Each agent's days are their site's; a date is flagged once it has closed at every site.
    const today = builder.openFrom(this.kpis.now(), this.zones.all);
    const events = await scanEvents(this.store.db, (q) => q.where('type', 'in', TYPES), (e) => builder.add(e));
    // Closed days only: today is still moving.
    for (const d of [...builder.days.keys()]) if (d >= today) builder.days.delete(d);
    const job: FlaggerJob = {
      directory: { agents: dir.agents.map((a) => ({ id: a.id, teamId: a.teamId })), teams: dir.teams.map((t) => ({ id: t.id })) },
      days: [...builder.days],
    };
    let found: FlagCase[];
    try {
      found = await this.flag(job);
    } catch (err) {
      // Stopped mid-run: nothing was filed, and the next leader (or the next start) runs these days again.
      if (this.stopped) return { days: builder.days.size, events, found: 0, opened: 0, ms: Date.now() - t0 };
      throw err;
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
