/**
 * CentreSimulator: a discrete-event simulation of a contact centre emitting public-contract events
 * (shared/events.ts). Everything that happens is a timed event in one priority queue, processed in (time,
 * insertion) order with seeded random streams, so a (seed, startMs) pair replays exactly however advanceTo is
 * chunked: nothing depends on untilMs except where processing stops.
 */
import type { Directory, Site } from '../../shared/directory.js';
import { assertNever, type FrontlineEvent } from '../../shared/events.js';
import { buildProfiles, planShifts, resolveSkills, siteOf } from './agents.js';
import { DEFAULT_QUEUE_VOLUMES, defaultCentreDirectory } from './centre.js';
import { queueTemplate } from './centres.js';
import { offerContact, onAbandon, releaseContact, onBreakEnd, onBreakStart, onShiftEnd, onShiftStart, onTalkEnd, onWrapEnd } from './flow.js';
import { buildGroundTruth, type GroundTruth } from './ground-truth.js';
import {
  ALL_REASONS, arrivalShape, CHANNEL_PARAMS, DEFAULT_TUNING, QUEUE_EFFECT, QUEUE_REASONS, SHAPE_MAX, shapeIntegralHours,
  WEEKDAY_FACTOR, type SimulatorTuning,
} from './model.js';
import { Rng, STREAMS } from './random.js';
import { arrivalFactorAt, centreScenarios, maxArrivalFactor, validateScenarios, type ScenarioSpec } from './scenarios.js';
import { SimContext, type AgentRt, type QueueRt, type SimEvent } from './state.js';
import { addDays, dayNumber, HOUR_MS, localParts, MINUTE_MS, openingWindow, zonedEpoch, type LocalDate, type OpeningWindow } from './zoned-time.js';

export interface SimulatorOptions {
  seed: number;
  startMs: number;
  directory?: Directory;
  /** Injected scenarios; default: one of each kind placed in the first scenarioWindowDays. Pass [] for none. */
  scenarios?: ScenarioSpec[];
  /** Days from startMs in which the default scenarios are placed (default 21, the default backfill). */
  scenarioWindowDays?: number;
  tuning?: Partial<SimulatorTuning>;
}

/** Reference weekday for queue volumes: 08:00-20:00. */
const REFERENCE_DAY_SHAPE_HOURS = shapeIntegralHours(8 * 60, 20 * 60);

export class CentreSimulator {
  readonly directory: Directory;
  private readonly ctx: SimContext;
  private readonly seed: number;
  private readonly startMs: number;
  private readonly skills: Map<string, string[]>;
  private simulatedUntilMs: number;

  constructor(options: SimulatorOptions) {
    const { seed, startMs } = options;
    if (!Number.isInteger(seed)) throw new Error('seed must be an integer');
    if (!Number.isFinite(startMs)) throw new Error('startMs must be a finite epoch time in ms');
    this.seed = seed;
    this.startMs = Math.round(startMs);
    this.simulatedUntilMs = this.startMs;
    this.directory = options.directory ?? defaultCentreDirectory();
    const tuning: SimulatorTuning = { ...DEFAULT_TUNING, queueVolumes: { ...DEFAULT_QUEUE_VOLUMES }, skills: {}, ...options.tuning };
    this.skills = resolveSkills(this.directory, tuning.skills);

    // Agents' traits depend on the seed only, so the same people stay strong or weak across restarts.
    const traits = new Rng(seed, STREAMS.agents);
    const profiles = buildProfiles(this.directory, this.skills, tuning, traits);
    const evaluators = Array.from({ length: Math.max(1, tuning.qaEvaluators) }, (_, i) => ({ id: `qa-${i + 1}`, effect: traits.normal(0, 2) }));

    const scenarios = options.scenarios ?? centreScenarios(this.startMs, options.scenarioWindowDays ?? 21, new Rng(seed, STREAMS.scenarios, this.startMs), this.directory);
    validateScenarios(scenarios, this.directory);

    const queues: QueueRt[] = this.directory.queues.map((queue) => ({
      queue,
      channel: queue.channel,
      params: CHANNEL_PARAMS[queue.channel],
      site: siteOf(this.directory, queue.siteId),
      baseRatePerHour: 0,
      reasons: QUEUE_REASONS[queueTemplate(queue.id)] ?? ALL_REASONS,
      effect: QUEUE_EFFECT[queueTemplate(queue.id)] ?? { csat: 0, fcr: 0 },
      shock: { csat: 0, fcr: 0, ahtLog: 0, volume: 1 },
      waiting: [],
      head: 0,
      priority: [],
      agents: [],
    }));
    const byId = new Map(queues.map((q) => [q.queue.id, q]));
    const agents: AgentRt[] = profiles.map((profile) => ({
      profile,
      queues: profile.skills.map((id) => byId.get(id)).filter((q): q is QueueRt => q !== undefined),
      state: 'offline',
      onShift: false,
      idleSince: 0,
      breakDueMs: 0,
      breakSeq: 0,
      contact: undefined,
    }));
    for (const a of agents) for (const q of a.queues) q.agents.push(a);
    for (const q of queues) {
      const volume = tuning.queueVolumes[q.queue.id] ?? derivedVolume(q);
      q.baseRatePerHour = (volume * tuning.volumeScale) / REFERENCE_DAY_SHAPE_HOURS;
    }

    // The start time is in the id prefix so runs with other start times never reuse an id.
    const prefix = `sim${seed}-${this.startMs.toString(36)}`;
    this.ctx = new SimContext(prefix, this.startMs, new Rng(seed, STREAMS.flow, this.startMs), tuning, scenarios, queues, agents);
    this.ctx.evaluators = evaluators;
    for (const site of this.directory.sites) {
      const { year, month, day } = localParts(this.startMs, site.timeZone);
      this.ctx.at(this.startMs, { kind: 'day', site, date: { year, month, day } });
    }
  }

  /** Runs up to untilMs inclusive; returns the events that fell due, ordered by occurredAt. */
  advanceTo(untilMs: number): FrontlineEvent[] {
    // Infinity would never return: the calendar schedules a new day forever.
    if (!Number.isFinite(untilMs)) throw new Error('untilMs must be a finite epoch time in ms');
    const ctx = this.ctx;
    const timeline = ctx.timeline;
    while (timeline.peekTime() <= untilMs) {
      const next = timeline.pop();
      if (!next) break;
      this.dispatch(next.item, next.at);
    }
    if (untilMs > this.simulatedUntilMs) this.simulatedUntilMs = untilMs;
    const out = ctx.out;
    ctx.out = [];
    return out;
  }

  groundTruth(): GroundTruth {
    return buildGroundTruth({
      seed: this.seed, startMs: this.startMs, untilMs: this.simulatedUntilMs, prefix: this.ctx.prefix,
      directory: this.directory, skills: this.skills, scenarios: this.ctx.scenarios, tuning: this.ctx.tuning,
      agents: this.ctx.agents.map((a) => a.profile), evaluators: this.ctx.evaluators,
    });
  }

  private dispatch(e: SimEvent, t: number): void {
    const ctx = this.ctx;
    switch (e.kind) {
      case 'day':
        return this.planDay(e.site, e.date, t);
      case 'arrival':
        offerContact(ctx, e.queue, ctx.newCustomerId(), ctx.rng.weighted(e.queue.reasons), t);
        return this.scheduleArrival(e.queue, e.window, e.rateMaxPerHour, e.dayFactor, t);
      case 'return':
        return offerContact(ctx, e.queue, e.customerId, e.reason, t);
      case 'abandon':
        return onAbandon(ctx, e.contact, t);
      case 'release':
        return releaseContact(ctx, e.contact, t);
      case 'shiftStart':
        return onShiftStart(ctx, e.agent, t);
      case 'shiftEnd':
        return onShiftEnd(ctx, e.agent, t);
      case 'breakStart':
        return onBreakStart(ctx, e.agent, e.durationMs, t);
      case 'breakEnd':
        return onBreakEnd(ctx, e.agent, e.seq, t);
      case 'talkEnd':
        return onTalkEnd(ctx, e.agent, e.contact, t);
      case 'wrapEnd':
        return onWrapEnd(ctx, e.agent, e.contact, t);
      case 'emit':
        return ctx.emit(t, e.body);
      default:
        return assertNever(e);
    }
  }

  /** At each local midnight (and at the start): queue-day shocks, the rota, and the first arrival per queue. */
  private planDay(site: Site, date: LocalDate, t: number): void {
    const ctx = this.ctx;
    const { rng, tuning } = ctx;
    const nextDate = addDays(date, 1);
    ctx.at(zonedEpoch(nextDate, 0, site.timeZone), { kind: 'day', site, date: nextDate });
    const queues = ctx.queues.filter((q) => q.site === site);
    for (const q of queues) {
      q.shock = {
        csat: rng.normal(0, tuning.dayShockSd),
        fcr: rng.normal(0, tuning.dayShockSd),
        ahtLog: rng.normal(0, tuning.ahtDayShockSdLog),
        volume: rng.lognormal(1, 0.08),
      };
    }
    const window = openingWindow(site, date);
    if (!window || window.closeMs <= t) return;

    const week = Math.floor((dayNumber(date) + 3) / 7); // Monday-based week number (1970-01-01 was a Thursday)
    const staff = ctx.agents.filter((a) => siteOf(this.directory, a.profile.siteId) === site).map((a) => a.profile);
    const byId = new Map(ctx.agents.map((a) => [a.profile.id, a]));
    for (const shift of planShifts(staff, window, week, tuning.absenceRate, rng)) {
      const agent = byId.get(shift.agent.id);
      if (!agent || shift.endMs <= t) continue;
      ctx.at(Math.max(shift.startMs, t), { kind: 'shiftStart', agent });
      for (const b of shift.breaks) if (b.startMs >= t) ctx.at(b.startMs, { kind: 'breakStart', agent, durationMs: b.endMs - b.startMs });
      ctx.at(shift.endMs, { kind: 'shiftEnd', agent });
    }

    for (const q of queues) {
      const from = Math.max(window.openMs, t);
      const dayFactor = WEEKDAY_FACTOR[window.weekday] * q.shock.volume;
      const rateMax = q.baseRatePerHour * dayFactor * SHAPE_MAX * maxArrivalFactor(ctx.scenarios, from, window.closeMs, q.queue.id);
      this.scheduleArrival(q, window, rateMax, dayFactor, from);
    }
  }

  /** Next arrival of a non-homogeneous Poisson process by thinning (Lewis-Shedler) within the opening window. */
  private scheduleArrival(q: QueueRt, window: OpeningWindow, rateMaxPerHour: number, dayFactor: number, from: number): void {
    if (!(rateMaxPerHour > 0)) return;
    const { rng, scenarios } = this.ctx;
    const meanGapMs = HOUR_MS / rateMaxPerHour;
    for (let t = from; ; ) {
      t += rng.exponential(meanGapMs);
      if (t >= window.closeMs) return;
      const minute = window.openMinute + (t - window.openMs) / MINUTE_MS;
      const rate = q.baseRatePerHour * dayFactor * arrivalShape(minute) * arrivalFactorAt(scenarios, t, q.queue.id);
      if (rng.uniform() * rateMaxPerHour < rate) {
        this.ctx.at(Math.round(t), { kind: 'arrival', queue: q, window, rateMaxPerHour, dayFactor });
        return;
      }
    }
  }
}

/** For queues without a configured volume: enough work to keep their share of skilled agents about 70% busy. */
function derivedVolume(q: QueueRt): number {
  let share = 0;
  for (const a of q.agents) share += 1 / Math.max(1, a.queues.length);
  const p = q.params;
  const meanHandleS =
    p.talkMedianS * Math.exp(p.talkSdLog ** 2 / 2) + p.holdShare * p.holdMedianS * Math.exp(p.holdSdLog ** 2 / 2) + p.wrapMedianS * Math.exp(p.wrapSdLog ** 2 / 2);
  // 80% rostered on a weekday, 7.25 productive hours, 70% occupancy, and about a fifth of volume from repeats.
  return (share * 0.8 * 7.25 * 3600 * 0.7) / meanHandleS / 1.2;
}
