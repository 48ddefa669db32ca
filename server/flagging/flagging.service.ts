/**
 * Runs the flagger over the stored events and files what it opens as coaching cases, systemic reviews and
 * recognitions. It works in event time on closed local days, so it runs at start, again once each new day has
 * closed, and soon after new data for a closed day arrives (a backfill, a late survey, a revision, a directory
 * change): such data asks for a run once it has been quiet for `lateQuietMs` (20 s), and at most `lateMaxWaitMs`
 * (60 s) after the first of it, so a centre that backfills its history sees its cases within about a minute plus the
 * run itself. Re-running over the same days opens nothing twice (each case carries the flagger's key). Each run reads
 * every stored day again (the same cases as a run at start, by construction); it does not yet re-read only the
 * affected days.
 */
import type { CaseKind } from '../../shared/access.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { KpiService } from '../kpi/kpi.service.js';
import { creditRuleOf } from '../kpi/engine.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import type { AcceptedEvent } from '../ingest/ingest.service.js';
import { contactIdOf } from '../../shared/events.js';
import { scanEvents } from '../store/events.store.js';
import { scopeZones } from '../../shared/zones.js';
import { DailyCountsBuilder } from './daily.js';
import { FlaggerWorkerStartError, runFlagger, runFlaggerOffThread, type FlaggerJob } from './flagger-job.js';
import type { FlagCase } from './flagger.js';

const CHECK_MS = 15 * 60_000;
// Every lifecycle type: a higher revision of a contact resets it whichever of its events comes first.
const TYPES: readonly string[] = ['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.abandoned', 'survey.responded'];

export interface FlaggingRun {
  days: number;
  events: number;
  found: number;
  opened: number;
  /** Signals added to an open case of the same scope, KPI and kind instead of opening another. */
  added: number;
  ms: number;
}

export function flagKey(c: FlagCase): string {
  return `${c.kind}|${c.agentId ?? c.teamId ?? c.queueId ?? c.scope}|${c.kpi}|${new Date(c.dayMs).toISOString().slice(0, 10)}`;
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
  /** Set while this node runs the flagger (start to stop): only then does late data ask for a run. */
  private active = false;
  private lateTimer: NodeJS.Timeout | undefined;
  /** When the first late data of the pending request came (Date.now()). */
  private lateSince: number | undefined;
  private lateReasons = new Set<string>();
  private openCache: { atMs: number; value: number } | undefined;
  lastRun: FlaggingRun | undefined;

  constructor(
    private readonly store: Store,
    private readonly directory: DirectoryService,
    private readonly kpis: KpiService,
    private readonly cases: CaseStore,
    private readonly logger: Logger,
    private readonly opts: { lateQuietMs?: number; lateMaxWaitMs?: number } = {},
  ) {}

  /**
   * Newly stored events: those that belong to a closed day (their contact was offered before the first day still
   * open in any zone) ask for a run. A contact the KPI engine holds is dated by its offer; any other by the event.
   */
  onStored(events: readonly AcceptedEvent[]): void {
    if (!this.active) return;
    const openFrom = this.openFromCached(this.kpis.now());
    for (const { event: e } of events) {
      if (!TYPES.includes(e.type)) continue;
      const cid = contactIdOf(e);
      const at = (cid === undefined ? undefined : this.kpis.contactTime(cid)) ?? Date.parse(e.occurredAt);
      if (at < openFrom) {
        this.requestRun('late or back-dated events for a closed day');
        return;
      }
    }
  }

  /**
   * Asks for a run soon (late data, a directory change): after `lateQuietMs` without another request, and at most
   * `lateMaxWaitMs` after the first one. Ignored on a node that does not run the flagger.
   */
  requestRun(reason: string): void {
    if (!this.active) return;
    const now = Date.now();
    this.lateSince ??= now;
    this.lateReasons.add(reason);
    if (this.lateTimer) clearTimeout(this.lateTimer);
    const quiet = this.opts.lateQuietMs ?? 20_000;
    const maxWait = this.opts.lateMaxWaitMs ?? 60_000;
    const wait = Math.max(0, Math.min(quiet, this.lateSince + maxWait - now));
    this.lateTimer = setTimeout(() => {
      const reasons = [...this.lateReasons];
      const waitedMs = Date.now() - (this.lateSince ?? Date.now());
      this.lateTimer = undefined;
      this.lateSince = undefined;
      this.lateReasons.clear();
      this.logger.info({ reasons, waitedMs }, 'flagger runs again for new data on closed days');
      void this.run().catch((err: unknown) => this.logger.error({ err }, 'flagging run failed'));
    }, wait);
    this.lateTimer.unref();
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.active = true;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    await this.run();
    if (this.stopped) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (this.openFrom(this.kpis.now()) > this.lastDay) void this.run().catch((err: unknown) => this.logger.error({ err }, 'flagging run failed'));
    }, CHECK_MS);
    this.timer.unref();
  }

  /**
   * openFrom for the ingest path, worked out at most once a minute (each live batch passes here): a day closing
   * within that minute is caught by the next minute's value or by the 15-minute check.
   */
  private openFromCached(nowMs: number): number {
    if (!this.openCache || nowMs - this.openCache.atMs >= 60_000 || nowMs < this.openCache.atMs) this.openCache = { atMs: nowMs, value: this.openFrom(nowMs) };
    return this.openCache.value;
  }

  /** The first day (key, daily.ts) not yet closed in every zone at `nowMs`. */
  private openFrom(nowMs: number): number {
    if (!this.zones) return this.kpis.today().fromMs;
    return new DailyCountsBuilder(this.zones.centre).openFrom(nowMs, this.zones.all);
  }

  stop(): void {
    this.stopped = true;
    this.active = false;
    if (this.lateTimer) clearTimeout(this.lateTimer);
    this.lateTimer = undefined;
    this.lateSince = undefined;
    this.lateReasons.clear();
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
    this.openCache = undefined;
    const builder = new DailyCountsBuilder(zones.centre, (agentId) => zones.of(`agent:${agentId}`), creditRuleOf(dir));
    // Each agent's days are their site's; a date is flagged once it has closed at every site.
    const today = builder.openFrom(this.kpis.now(), this.zones.all);
    const events = await scanEvents(this.store.db, (q) => q.where('type', 'in', TYPES), (e) => builder.add(e));
    // Closed days only: today is still moving.
    for (const d of [...builder.days.keys()]) if (d >= today) builder.days.delete(d);
    const job: FlaggerJob = {
      directory: { agents: dir.agents.map((a) => ({ id: a.id, teamId: a.teamId })), teams: dir.teams.map((t) => ({ id: t.id })), queues: dir.queues.map((q) => ({ id: q.id, channel: q.channel })) },
      days: [...builder.days],
    };
    let found: FlagCase[];
    try {
      found = await this.flag(job);
    } catch (err) {
      // Stopped mid-run: nothing was filed, and the next leader (or the next start) runs these days again.
      if (this.stopped) return { days: builder.days.size, events, found: 0, opened: 0, added: 0, ms: Date.now() - t0 };
      throw err;
    }
    let opened = 0;
    let added = 0;
    // Oldest first, so a scope's first signal opens its case and later ones join it.
    for (const c of [...found].sort((a, b) => a.dayMs - b.dayMs)) {
      const kind: CaseKind = c.kind;
      const filed = await this.cases.fileFlagged(
        {
          kind,
          scope: c.scope,
          agentId: c.agentId,
          teamId: c.teamId,
          kpi: c.kpi,
          rule: c.rule,
          figures: { ...c.figures, explanation: c.explanation, day: new Date(c.dayMs).toISOString().slice(0, 10), evidencePositive: c.evidence.positive, evidenceNegative: c.evidence.negative, ...(c.touched ? { touchedTeams: c.touched.teams, touchedAgents: c.touched.agents } : {}) },
          evidenceContactIds: [...c.evidence.negative, ...c.evidence.positive],
          assignedCoachId: null,
          openedMs: c.dayMs,
        },
        flagKey(c),
      );
      if (filed === 'opened') opened++;
      else if (filed === 'added') added++;
    }
    this.lastDay = today;
    this.lastRun = { days: builder.days.size, events, found: found.length, opened, added, ms: Date.now() - t0 };
    this.logger.info(this.lastRun, 'flagger ran over the closed days');
    return this.lastRun;
  }
}
