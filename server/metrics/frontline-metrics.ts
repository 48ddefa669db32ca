/**
 * Frontline's product metrics for Prometheus (README, "Metrics"): one registry per server (createServer is a factory
 * and tests build many servers in one process), shown at GET /metrics together with the process's own metrics
 * (process-metrics.ts). Every label has a bounded set of values: an outcome, a reason, a declared route path, an API
 * key's name, a socket kind; never a contact, event, case or person id.
 *
 * The services know nothing of prom-client: they tell small observer interfaces (IngestObserver, the store's query
 * listener, the flagger's run listener, the live layer's tick hook) and this class turns that into metrics.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FlaggingOutcome } from '../flagging/flagging.service.js';
import { INGEST_REJECT_REASONS, type IngestObserver, type IngestRejectReason } from '../ingest/ingest.service.js';
import type { StoreQuery } from '../store/db.js';
import { processMetrics } from './process-metrics.js';

export const SOCKET_KINDS = ['person', 'display', 'key'] as const;
export type SocketKind = (typeof SOCKET_KINDS)[number];

/** Batches stored but not yet followed by a KPI tick, at most (a tick comes every 250 ms; this is a backstop). */
const MAX_PENDING_DELTAS = 10_000;

const FAST = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const REQUEST = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** The live layer ticks every KPI_DELTA_INTERVAL_MS (250 ms): finer around that, coarse past a second. */
const LIVE = [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10];
const FLAGGER = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export interface FrontlineMetricsOptions {
  /** This node's name (several nodes): every series gets a `node` label. Absent: Prometheus's `instance` tells them apart. */
  node?: string;
}

export class FrontlineMetrics implements IngestObserver {
  readonly registry = new Registry();
  private readonly labels: Record<string, string>;
  private sockets: () => Record<SocketKind, number> = () => ({ person: 0, display: 0, key: 0 });
  /** performance.now() of each stored batch not yet followed by a KPI tick. */
  private pendingDeltas: number[] = [];

  private readonly httpDuration = new Histogram({
    name: 'frontline_http_request_duration_seconds',
    help: 'HTTP requests by declared route path (unmatched: no route), method and status class, from arrival to the last byte sent.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: REQUEST,
    registers: [this.registry],
  });
  private readonly ingestEvents = new Counter({
    name: 'frontline_ingest_events_total',
    help: 'Events received by ingest, by source (key:<API key name>, simulator, internal) and outcome (accepted, duplicate, rejected; failed: its batch could not be committed).',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly ingestRejected = new Counter({
    name: 'frontline_ingest_events_rejected_total',
    help: 'Events rejected by ingest, by source and reason (invalid: fails the contract; clock_skew: too far in the future; id_conflict: id already stored with other content).',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly ingestBatch = new Histogram({
    name: 'frontline_ingest_batch_duration_seconds',
    help: 'One ingest call (an API request body or a simulator batch): validation, masking and the durable commit.',
    labelNames: ['source'] as const,
    buckets: REQUEST,
    registers: [this.registry],
  });
  private readonly ingestCommit = new Histogram({
    name: 'frontline_ingest_commit_duration_seconds',
    help: 'One group-commit transaction writing events (several batches may share it), on both stores.',
    buckets: FAST,
    registers: [this.registry],
  });
  private readonly storeQuery = new Histogram({
    name: 'frontline_store_query_duration_seconds',
    help: 'Queries run through Kysely, by root operation (select, insert, update, delete, other); the raw SQLite event write is in frontline_ingest_commit_duration_seconds.',
    labelNames: ['operation'] as const,
    buckets: FAST,
    registers: [this.registry],
  });
  private readonly storeErrors = new Counter({
    name: 'frontline_store_query_errors_total',
    help: 'Queries run through Kysely that failed, by root operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly liveDelta = new Histogram({
    name: 'frontline_live_delta_latency_seconds',
    help: 'From a batch of events being applied after its commit to the first live KPI tick that sent deltas to sockets.',
    buckets: LIVE,
    registers: [this.registry],
  });
  private readonly flaggerRuns = new Counter({
    name: 'frontline_flagger_runs_total',
    help: 'Flagger runs on this node, by outcome (ok, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly flaggerDuration = new Histogram({
    name: 'frontline_flagger_run_duration_seconds',
    help: 'Finished flagger runs, reading the counts and flagging, by how the counts were read (full, changed).',
    labelNames: ['read'] as const,
    buckets: FLAGGER,
    registers: [this.registry],
  });
  private readonly flaggerOpened = new Counter({ name: 'frontline_flagger_cases_opened_total', help: 'Cases the flagger opened (coaching, systemic reviews, recognitions).', registers: [this.registry] });
  private readonly flaggerAdded = new Counter({ name: 'frontline_flagger_signals_added_total', help: 'Signals the flagger added to an already open case.', registers: [this.registry] });
  private readonly flaggerLastRead = new Gauge({
    name: 'frontline_flagger_last_run_read',
    help: 'How the last finished run read the counts: 1 on its mode (full: every day; changed: only the days that changed), 0 on the other.',
    labelNames: ['read'] as const,
    registers: [this.registry],
  });
  private readonly flaggerLastDaysRead = new Gauge({ name: 'frontline_flagger_last_run_days_read', help: 'Days the last finished run counted again from the store.', registers: [this.registry] });
  private readonly flaggerLastDays = new Gauge({ name: 'frontline_flagger_last_run_days', help: 'Closed days the last finished run flagged over.', registers: [this.registry] });
  private readonly followUpsDueCount = new Counter({
    name: 'frontline_follow_ups_due_total',
    help: 'Coaching follow-ups that came due (the coach and agent were told), on the node running the scheduler.',
    registers: [this.registry],
  });
  private readonly orphansExpiredCount = new Counter({
    name: 'frontline_orphans_expired_total',
    help: 'Orphan events (a survey, evaluation or complaint whose contact never arrived) expired after ORPHAN_TTL_DAYS, on the node that marks them.',
    registers: [this.registry],
  });
  private readonly flaggerLastAt = new Gauge({ name: 'frontline_flagger_last_run_timestamp_seconds', help: 'When the last flagger run finished (Unix time).', registers: [this.registry] });

  constructor(options: FrontlineMetricsOptions = {}) {
    this.labels = options.node ? { node: options.node } : {};
    const sockets: Gauge<'kind'> = new Gauge({
      name: 'frontline_live_sockets',
      help: 'Live sockets open on this node, by kind (person: a signed-in session; display: a paired screen; key: an API key).',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect: () => {
        const counts = this.sockets();
        for (const kind of SOCKET_KINDS) sockets.set({ kind }, counts[kind]);
      },
    });
    for (const read of ['full', 'changed'] as const) this.flaggerLastRead.set({ read }, 0);
  }

  /** The exposition: product and process metrics, in Prometheus text format. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    // Merged per scrape: cheap (a few dozen metric objects), and the node label applies to the process metrics too.
    const all = Registry.merge([processMetrics(), this.registry]);
    all.setDefaultLabels(this.labels);
    return { contentType: all.contentType, body: await all.metrics() };
  }

  /** An HTTP request answered: `route` is the declared path that answered it, if any (never the raw URL). */
  request(method: string, route: string | undefined, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route: route ?? 'unmatched', status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }

  batch(o: { source: string; accepted: number; duplicate: number; rejected: Partial<Record<IngestRejectReason, number>>; seconds: number }): void {
    this.ingestEvents.inc({ source: o.source, outcome: 'accepted' }, o.accepted);
    this.ingestEvents.inc({ source: o.source, outcome: 'duplicate' }, o.duplicate);
    let rejected = 0;
    for (const reason of INGEST_REJECT_REASONS) {
      const n = o.rejected[reason] ?? 0;
      rejected += n;
      if (n > 0) this.ingestRejected.inc({ source: o.source, reason }, n);
    }
    this.ingestEvents.inc({ source: o.source, outcome: 'rejected' }, rejected);
    this.ingestBatch.observe({ source: o.source }, o.seconds);
  }

  failed(o: { source: string; events: number; seconds: number }): void {
    this.ingestEvents.inc({ source: o.source, outcome: 'failed' }, o.events);
    this.ingestBatch.observe({ source: o.source }, o.seconds);
  }

  commit(o: { events: number; seconds: number }): void {
    this.ingestCommit.observe(o.seconds);
  }

  storeQueried(q: StoreQuery): void {
    this.storeQuery.observe({ operation: q.operation }, q.ms / 1000);
    if (q.failed) this.storeErrors.inc({ operation: q.operation });
  }

  /** A batch of events was applied to the live services (after its commit, or as the change feed delivered it). */
  eventsApplied(): void {
    if (this.pendingDeltas.length < MAX_PENDING_DELTAS) this.pendingDeltas.push(performance.now());
  }

  /**
   * A live KPI tick ran. When it sent deltas, each batch applied since the previous tick counts with its wait; when it
   * sent none (nobody follows what changed), those batches have no delta to wait for and are not counted.
   */
  kpiTick(deltasSent: number): void {
    const now = performance.now();
    if (deltasSent > 0) for (const t of this.pendingDeltas) this.liveDelta.observe((now - t) / 1000);
    this.pendingDeltas = [];
  }

  flaggerRan(o: FlaggingOutcome): void {
    if (!o.ok) {
      this.flaggerRuns.inc({ outcome: 'failed' });
      return;
    }
    const { run } = o;
    this.flaggerRuns.inc({ outcome: 'ok' });
    this.flaggerDuration.observe({ read: run.read }, run.ms / 1000);
    this.flaggerOpened.inc(run.opened);
    this.flaggerAdded.inc(run.added);
    this.flaggerLastRead.set({ read: 'full' }, run.read === 'full' ? 1 : 0);
    this.flaggerLastRead.set({ read: 'changed' }, run.read === 'changed' ? 1 : 0);
    this.flaggerLastDaysRead.set(run.daysRead);
    this.flaggerLastDays.set(run.days);
    this.flaggerLastAt.set(Date.now() / 1000);
  }

  /** A coaching case changed on this node (CaseStore): counts the follow-ups that came due. */
  caseChanged(action: string): void {
    if (action === 'follow_up_due') this.followUpsDueCount.inc();
  }

  orphansExpired(n: number): void {
    this.orphansExpiredCount.inc(n);
  }

  /** Where the live socket gauge reads its counts from at each scrape (the realtime layer, once attached). */
  watchSockets(count: () => Record<SocketKind, number>): void {
    this.sockets = count;
  }
}
