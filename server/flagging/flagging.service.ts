/**
 * Runs the flagger over the stored events and files what it opens as coaching cases, systemic reviews and
 * recognitions. It works in event time on closed local days, so it runs at start, again once each new day has
 * closed, and soon after new data for a closed day arrives (a backfill, a late survey, a revision, a directory
 * change): such data asks for a run once it has been quiet for `lateQuietMs` (20 s), and at most `lateMaxWaitMs`
 * (60 s) after the first of it, so a centre that backfills its history sees its cases within about a minute plus the
 * run itself. Re-running over the same days opens nothing twice (each case carries the flagger's key).
 *
 * Reading: the first run reads every stored day (day-reader.ts). Later runs keep the closed days' counts and read
 * again only the days that changed: those holding an offer of a contact whose events arrived since (late or
 * back-dated), and the days that have closed since. The counts are then those of a full read, so the cases are too
 * (test/integration/flagging-incremental.test.ts). A directory change that moves an agent's zone or the survey
 * credit rule, a run that failed, or a backfill touching more than `MAX_DIRTY_CONTACTS` contacts reads everything
 * again. The flagger's pass over the counts (calibration and CUSUMs, off the main thread) still covers every day:
 * a CUSUM is a running sum, so a changed day changes every day after it.
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
import { scopeZones } from '../../shared/zones.js';
import { DailyCountsBuilder, type DailyCounts } from './daily.js';
import { COUNTED_TYPES, readAllDays, readChangedDays } from './day-reader.js';
import { FlaggerWorkerStartError, runFlagger, runFlaggerOffThread, type FlaggerJob } from './flagger-job.js';
import type { FlagCase } from './flagger.js';

const CHECK_MS = 15 * 60_000;
/** Past this many changed contacts a run reads every day again (one pass beats a read per contact chunk). */
const MAX_DIRTY_CONTACTS = 50_000;

export interface FlaggingRun {
  days: number;
  /** How the counts were read: every day, or only the days that changed since the previous run. */
  read: 'full' | 'changed';
  /** Days counted again from the store (every closed day on a full read). */
  daysRead: number;
  events: number;
  /** Reading the counts from the store (of `ms`). */
  readMs: number;
  /** Whether the flagger ran over the counts (not when no closed day and nothing in the directory changed). */
  flagged: boolean;
  found: number;
  opened: number;
  /** Signals added to an open case of the same scope, KPI and kind instead of opening another. */
  added: number;
  ms: number;
}

/** What a run came to, for its listeners (the metrics): its figures, or how long it took to fail. */
export type FlaggingOutcome = { ok: true; run: FlaggingRun } | { ok: false; ms: number };

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
  /**
   * The closed days' counts from the last run: `basis` names the zones and credit rule they were counted under,
   * `until` the first day not yet closed then.
   */
  private held: { basis: string; days: DailyCounts; until: number } | undefined;
  /** Contacts with events stored for a closed day since the last run started reading. */
  private changed = new Set<string>();
  private changedOverflow = false;
  /** Contacts were noted as changed since the last request for a run. */
  private unrequested = false;
  /** The directory the last run flagged with (teams, queues, agents' teams): a change asks the flagger again. */
  private flaggedWith: string | undefined;
  /** The calibrations the last worker thread held (flagger.ts): the next run's thread starts with them. */
  private calibration: [string, number][] = [];
  lastRun: FlaggingRun | undefined;
  private readonly runListeners = new Set<(o: FlaggingOutcome) => void>();

  /** The closed days' counts the last run flagged (tests and diagnostics; read-only). */
  get heldCounts(): DailyCounts | undefined {
    return this.held?.days;
  }

  constructor(
    private readonly store: Store,
    private readonly directory: DirectoryService,
    private readonly kpis: KpiService,
    private readonly cases: CaseStore,
    private readonly logger: Logger,
    private readonly opts: { lateQuietMs?: number; lateMaxWaitMs?: number } = {},
  ) {}

  /**
   * Before the KPI engine applies newly stored events: a higher revision of a contact's offer may move it off a
   * closed day, which the engine then no longer tells (it dates the contact by the new offer). Such contacts are read
   * again. An offer moved from a day older than the engine's hot window (nine days) is read at the next full read.
   */
  beforeApplied(events: readonly AcceptedEvent[]): void {
    if (!this.active) return;
    let openFrom: number | undefined;
    for (const { event: e } of events) {
      if (e.type !== 'contact.offered' || e.revision === undefined) continue;
      const was = this.kpis.contactTime(e.contactId);
      if (was === undefined) continue;
      openFrom ??= this.openFromCached(this.kpis.now());
      if (was < openFrom) this.noteChanged(e.contactId);
    }
  }

  /**
   * Newly stored events, after the KPI engine applied them: a contact offered on a closed day (dated by the engine,
   * else by the event) is read again, and so is one the engine does not hold (an event for a contact older than its
   * hot window, or an orphan whose contact has not arrived: the run finds out which from the store, and skips the
   * flagger if no day changed). Either asks for a run.
   */
  onStored(events: readonly AcceptedEvent[]): void {
    if (!this.active) return;
    const openFrom = this.openFromCached(this.kpis.now());
    for (const { event: e } of events) {
      if (!COUNTED_TYPES.includes(e.type)) continue;
      const cid = contactIdOf(e);
      if (cid === undefined) continue;
      const at = this.kpis.contactTime(cid);
      if (at === undefined || at < openFrom || Date.parse(e.occurredAt) < openFrom) this.noteChanged(cid);
    }
    if (this.unrequested) {
      this.unrequested = false;
      this.requestRun('late or back-dated events for a closed day');
    }
  }

  private noteChanged(contactId: string): void {
    this.unrequested = true;
    if (this.changedOverflow) return;
    this.changed.add(contactId);
    if (this.changed.size > MAX_DIRTY_CONTACTS) {
      this.changedOverflow = true;
      this.changed.clear();
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
    // Not noting changes from here on: the next start reads every day again.
    this.held = undefined;
    this.changed = new Set();
    this.changedOverflow = false;
    this.abort.abort(new Error('the flagging service stopped'));
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Told after every run that finished or failed (not one cut short by stop()). */
  onRun(fn: (o: FlaggingOutcome) => void): () => void {
    this.runListeners.add(fn);
    return () => this.runListeners.delete(fn);
  }

  private tell(o: FlaggingOutcome): void {
    for (const fn of this.runListeners) {
      try {
        fn(o);
      } catch (err) {
        this.logger.error({ err }, 'a flagging run listener failed');
      }
    }
  }

  /**
   * Flags every closed day held in the store at the time of the call; one run at a time. A call while a run is
   * under way gets the next run (shared by every caller meanwhile): the one under way may have read the store before
   * the caller's data arrived.
   */
  run(): Promise<FlaggingRun> {
    if (!this.running) {
      const t0 = Date.now();
      this.running = this.runOnce()
        .then(
          (run) => {
            // A run cut short by stop() filed nothing: it is neither a finished run nor a failure.
            if (!this.stopped) this.tell({ ok: true, run });
            return run;
          },
          (err: unknown) => {
            this.tell({ ok: false, ms: Date.now() - t0 });
            throw err;
          },
        )
        .finally(() => (this.running = undefined));
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
      return await runFlaggerOffThread({ ...job, calibration: this.calibration }, this.abort.signal, (c) => (this.calibration = c));
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
    const credit = creditRuleOf(dir);
    const newBuilder = () => new DailyCountsBuilder(zones.centre, (agentId) => zones.of(`agent:${agentId}`), credit);
    // Each agent's days are their site's; a date is flagged once it has closed at every site.
    const today = newBuilder().openFrom(this.kpis.now(), this.zones.all);
    const basis = JSON.stringify([zones.centre, credit, dir.agents.map((a) => [a.id, zones.of(`agent:${a.id}`)]).sort()]);
    // What arrives from here on is read by the next run (this one may or may not see it).
    const changed = this.changed;
    const overflow = this.changedOverflow;
    this.changed = new Set();
    this.changedOverflow = false;
    const held = this.held;
    this.held = undefined;
    const incremental = held !== undefined && held.basis === basis && !overflow && today >= held.until;
    const read = incremental
      ? await readChangedDays(this.store.db, newBuilder, zones.centre, this.zones.all, held.days, held.until, today, changed)
      : await readAllDays(this.store.db, newBuilder(), today);
    const { days, events, daysRead } = read;
    const readMs = Date.now() - t0;
    const job: FlaggerJob = {
      directory: { agents: dir.agents.map((a) => ({ id: a.id, teamId: a.teamId })), teams: dir.teams.map((t) => ({ id: t.id })), queues: dir.queues.map((q) => ({ id: q.id, channel: q.channel })) },
      days: [...days],
    };
    const flaggedWith = JSON.stringify(job.directory);
    if (incremental && daysRead === 0 && flaggedWith === this.flaggedWith && held) {
      // Nothing the flagger reads has changed (an orphan, say, whose contact has not arrived): its cases stand.
      this.held = { basis, days, until: today };
      this.lastRun = { days: days.size, read: 'changed', daysRead, events, readMs, flagged: false, found: 0, opened: 0, added: 0, ms: Date.now() - t0 };
      this.logger.debug(this.lastRun, 'flagger: no closed day changed');
      return this.lastRun;
    }
    let found: FlagCase[];
    try {
      found = await this.flag(job);
    } catch (err) {
      // Stopped mid-run: nothing was filed, and the next leader (or the next start) runs these days again.
      if (this.stopped) return { days: days.size, read: incremental ? 'changed' : 'full', daysRead, events, readMs, flagged: false, found: 0, opened: 0, added: 0, ms: Date.now() - t0 };
      throw err;
    }
    // Counted and flagged: the next run starts from these counts (a run that failed above reads everything again).
    this.held = { basis, days, until: today };
    this.flaggedWith = flaggedWith;
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
    this.lastRun = { days: days.size, read: incremental ? 'changed' : 'full', daysRead, events, readMs, flagged: true, found: found.length, opened, added, ms: Date.now() - t0 };
    this.logger.info(this.lastRun, 'flagger ran over the closed days');
    return this.lastRun;
  }
}
