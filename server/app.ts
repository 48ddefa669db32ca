/**
 * createServer: wires the stores, services, HTTP routes and realtime layer. A factory, not a singleton, so tests can
 * build as many servers as they like with their own store and clock.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { DirectoryIndex } from './access/policies.js';
import { AccountService } from './accounts/account.service.js';
import { SessionService } from './accounts/session.service.js';
import { SetupService } from './accounts/setup.service.js';
import { ApiKeyService } from './apikeys/apikey.service.js';
import { AuditService } from './audit/audit.service.js';
import { CaseStore, type CaseChanged } from './coaching/case.store.js';
import { CoachingService } from './coaching/coaching.service.js';
import { FollowUpScheduler } from './coaching/follow-ups.js';
import type { Clock } from './clock.js';
import type { Platform } from '../shared/sources.js';
import type { Connector } from './connectors/types.js';
import type { Config } from './config.js';
import { DirectoryService } from './directory/directory.service.js';
import { DisplayService } from './displays/display.service.js';
import { createAuthenticator, handshakeIsSecure, RouteTable, type CookieOptions } from './http/access.js';
import { authRoutes } from './http/auth.routes.js';
import { caseRoutes } from './http/cases.routes.js';
import { kpiRoutes } from './http/kpis.routes.js';
import { chartRoutes } from './http/charts.routes.js';
import { boardRoutes } from './http/boards.routes.js';
import { wallRoutes } from './http/wall.routes.js';
import { BoardService } from './boards/board.service.js';
import { FlaggingService } from './flagging/flagging.service.js';
import { KpiService } from './kpi/kpi.service.js';
import { targetRoutes } from './http/targets.routes.js';
import { TargetService } from './targets/target.service.js';
import { directoryRoutes } from './http/directory.routes.js';
import { displayRoutes } from './http/displays.routes.js';
import { errorHandler, sendError } from './http/errors.js';
import { healthRoutes } from './http/health.routes.js';
import { ingestRoutes } from './http/ingest.routes.js';
import { sourceRoutes } from './http/sources.routes.js';
import { CONNECTORS } from './connectors/registry.js';
import { SourcePipeline } from './connectors/pipeline.js';
import { SecretBox } from './connectors/secrets.js';
import { SourceService } from './connectors/sources.service.js';
import { SourceStore } from './connectors/sources.store.js';
import { openApiRoutes } from './http/openapi.routes.js';
import { OrphanService } from './ingest/orphans.js';
import { privacyRoutes } from './http/privacy.routes.js';
import { userRoutes } from './http/users.routes.js';
import { ssoRoutes } from './http/sso.routes.js';
import { IdentityService } from './sso/identity.service.js';
import { OidcService } from './sso/oidc.service.js';
import { IngestService } from './ingest/ingest.service.js';
import { PulseService } from './live/pulse.service.js';
import type { Logger } from './logger.js';
import { PrivacyService } from './privacy/privacy.service.js';
import { attachRealtime, type Realtime } from './realtime/socket.js';
import { vocRoutes } from './http/voc.routes.js';
import { reviewRoutes } from './http/review.routes.js';
import { initiativeRoutes } from './http/initiatives.routes.js';
import { InitiativeService } from './improvement/initiative.service.js';
import { InitiativeStore } from './improvement/initiative.store.js';
import { ReviewService } from './review/review.service.js';
import { contactRoutes } from './http/contacts.routes.js';
import { qaEvaluationRoutes } from './http/qa-evaluations.routes.js';
import { EvaluationService } from './qa/evaluation.service.js';
import { EvaluationStore } from './qa/evaluation.store.js';
import { SamplingService } from './qa/sampling.service.js';
import { ScorecardStore } from './qa/scorecard.store.js';
import { ContactsService } from './drilldown/contacts.service.js';
import { agentProfileRoutes } from './http/agent-profile.routes.js';
import { AgentProfileService } from './drilldown/agent-profile.service.js';
import { segmentRoutes } from './http/segments.routes.js';
import { SegmentsService } from './segments/segments.service.js';
import { VocService } from './voc/voc.service.js';
import type { Store } from './store/db.js';
import { Cluster } from './cluster/cluster.js';
import type { AcceptedEvent } from './ingest/ingest.service.js';
import { FrontlineMetrics } from './metrics/frontline-metrics.js';
import { metricsRoutes } from './http/metrics.routes.js';
import { notificationRoutes } from './http/notifications.routes.js';
import { qaScorecardRoutes } from './http/qa-scorecards.routes.js';
import { qaCalibrationRoutes } from './http/qa-calibrations.routes.js';
import { ScorecardService } from './qa/scorecard.service.js';
import { CalibrationService } from './qa/calibration.service.js';
import { NotificationService } from './notifications/notification.service.js';
import { NotificationSender } from './notifications/sender.js';
import { createTransports } from './notifications/transports.js';
import { NotificationWatchers } from './notifications/watchers.js';

/** How often the sender looks for due notices, and the watchers at KPIs and sources. */
const NOTIFY_SEND_POLL_MS = 2_000;
const NOTIFY_WATCH_INTERVAL_MS = 30_000;
/** The delivery log keeps sent and failed notices this long. */
const NOTIFY_LOG_DAYS = 90;

/** On close, requests still running get this long to finish before their connections are cut. */
const CLOSE_GRACE_MS = 8_000;

export interface ServerDeps {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Folder of the built client; served when it exists. */
  clientDir?: string;
  /** How often live sockets' credentials are re-checked (tests shorten it). */
  socketSweepMs?: number;
  /** The platform connectors (default: all of server/connectors/registry.ts); tests may add a stand-in platform. */
  connectors?: Readonly<Partial<Record<Platform, Connector>>>;
}

export interface FrontlineServer {
  app: express.Express;
  httpServer: http.Server;
  realtime: Realtime;
  routes: RouteTable;
  ingest: IngestService;
  directory: DirectoryService;
  apiKeys: ApiKeyService;
  pulse: PulseService;
  accounts: AccountService;
  sessions: SessionService;
  setup: SetupService;
  displays: DisplayService;
  audit: AuditService;
  privacy: PrivacyService;
  cases: CaseStore;
  coaching: CoachingService;
  kpis: KpiService;
  flagging: FlaggingService;
  followUps: FollowUpScheduler;
  targets: TargetService;
  voc: VocService;
  /** Events held for a contact that has not arrived, and their expiry (server/ingest/orphans.ts). */
  orphans: OrphanService;
  /** This server's Prometheus metrics (GET /metrics). */
  metrics: FrontlineMetrics;
  /** Notifications: who is told what (service), the leader's sender loop and KPI/source watchers. */
  notifications: { service: NotificationService; sender: NotificationSender; watchers: NotificationWatchers };
  /** Set when this node is one of several (REDIS_URL and PostgreSQL). */
  cluster: Cluster | undefined;
  /** Platform sources (issue 16): push endpoints, pull polling, mapping, dead letters (server/connectors). */
  sources: SourceService;
  /** Loads state from the store; call before listen. */
  init(): Promise<void>;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export function createServer({ config, store, clock, logger, clientDir, socketSweepMs, connectors }: ServerDeps): FrontlineServer {
  // Per server, never prom-client's global registry: tests build many servers in one process.
  const metrics = new FrontlineMetrics(config.cluster ? { node: config.cluster.nodeId } : {});
  const offQueries = store.onQuery((q) => metrics.storeQueried(q));
  const applyStored = (events: AcceptedEvent[]): void => {
    metrics.eventsApplied();
    pulse.onStored(events);
    // Before the KPI engine re-dates a contact by a revised offer: the flagger reads the day it leaves again.
    flagging.beforeApplied(events);
    kpis.onStored(events);
    voc.onStored(events);
    // After the KPI engine, which dates each event's contact by its offer.
    flagging.onStored(events);
  };
  // Several nodes: every node applies every committed event from the change feed (server/cluster).
  const cluster =
    config.cluster && config.database.kind === 'postgres'
      ? new Cluster({ store, databaseUrl: config.database.url, redisUrl: config.cluster.redisUrl, nodeId: config.cluster.nodeId, logger, deliver: (events) => applyStored(events) })
      : undefined;
  const leads = (): boolean => cluster?.isLeader ?? true;
  const audit = new AuditService(store, clock, logger);
  const directory = new DirectoryService(store);
  const apiKeys = new ApiKeyService(store, clock, (key) => void audit.record({ actor: `key:${key.id}`, action: 'apikey.use', target: `key:${key.id}`, details: { name: key.name } }));
  const pulse = new PulseService(store, directory, clock, logger);
  const sessions = new SessionService(store, clock, config.session);
  const accounts = new AccountService(store, clock, sessions, directory, audit, { passwordSignIn: config.sso && !config.sso.allowPassword ? 'admins' : 'everyone' });
  const identities = new IdentityService(store, clock, accounts, directory, audit, config.sso);
  const oidc = config.sso ? new OidcService(config.sso, { store, clock, accounts, sessions, identities, audit, logger }) : null;
  const setup = new SetupService(accounts, audit, store, clock);
  const displays = new DisplayService(store, clock, audit);
  const cases = new CaseStore(store);
  cases.onChanged((e) => metrics.caseChanged(e.action));
  const privacy = new PrivacyService(store, clock, audit, directory, config.retention);
  const afterPrivacyChange = async (): Promise<void> => {
    await pulse.reload();
    await kpis.rebuild();
    await voc.afterPrivacyChange();
  };
  privacy.onChanged(async () => {
    await afterPrivacyChange();
    await cluster?.signal('privacy');
  });
  const voc = new VocService(store, clock, logger, leads);
  voc.onDictionaryChanged(() => void cluster?.signal('voc-dictionary').catch((err: unknown) => logger.error({ err }, 'cluster signal failed')));
  const kpis = new KpiService(store, directory, clock, logger, {
    eventRetentionDays: config.retention.eventDays,
    isWriter: leads,
    ...(cluster ? { deliveredSeq: () => cluster.feed.position } : {}),
  });
  const targets = new TargetService(store, clock, audit, kpis);
  const boards = new BoardService(store, clock, audit, displays);
  const flagging = new FlaggingService(store, directory, kpis, cases, logger, { lateQuietMs: config.flaggerLate.quietMs, lateMaxWaitMs: config.flaggerLate.maxWaitMs });
  flagging.onRun((o) => metrics.flaggerRan(o));
  const ingest = new IngestService({
    store,
    clock,
    logger,
    maxClockSkewMs: config.ingestMaxClockSkewMs,
    stateMap: config.agentStates,
    // One node: straight to the services. Several: the change feed delivers every node's commits, this one's too.
    onStored: cluster ? () => cluster.feed.wake() : applyStored,
    redactIncoming: (events) => privacy.redactIncoming(events),
    observer: metrics,
  });

  // Every node drops expired orphans from its engine; the leader marks them (server/ingest/orphans.ts).
  const orphans = new OrphanService(store, clock, logger, { ttlMs: config.orphanTtlMs, leads, forget: (ids) => kpis.forgetOrphans(ids), onExpired: (n) => metrics.orphansExpired(n) });

  let index: { dir: unknown; index: DirectoryIndex } | undefined;
  const dirIndex = async (): Promise<DirectoryIndex> => {
    const d = await directory.get();
    if (index?.dir !== d) index = { dir: d, index: new DirectoryIndex(d) };
    return index.index;
  };

  const coaching = new CoachingService(cases, accounts, kpis, dirIndex, clock);
  const followUps = new FollowUpScheduler(cases, clock, logger);

  // Notifications: filed on the node where the change happens (a case change, a watcher on the leader), sent by the
  // leader's sender loop from the outbox.
  const notify = config.notify;
  const transports = createTransports({ smtpUrl: notify.smtpUrl, from: notify.smtpFrom, webhookTimeoutMs: notify.webhookTimeoutMs });
  const notificationService = new NotificationService({ store, clock, logger, accounts, cases, directory, dirIndex, audit, emailAvailable: notify.smtpUrl !== null });
  const notificationSender = new NotificationSender(store, notificationService.outbox, transports, clock, logger, {
    maxAttempts: notify.maxAttempts,
    retryBaseMs: notify.retryBaseMs,
    retryCapMs: 6 * 3600_000,
    publicUrl: notify.publicUrl,
    pollMs: NOTIFY_SEND_POLL_MS,
  });
  const notificationWatchers = new NotificationWatchers(
    { store, clock, logger, kpis, targets, directory, dirIndex, notifications: notificationService },
    { breachSustainMs: notify.breachSustainMs, sourceSilentMs: notify.sourceSilentMs, checkMs: NOTIFY_WATCH_INTERVAL_MS },
  );
  cases.onChanged((e) => void notificationService.onCaseChanged(e).catch((err: unknown) => logger.error({ err, caseId: e.caseId }, 'filing case notifications failed')));
  const startNotifications = (): void => {
    notificationSender.start();
    notificationWatchers.start();
  };
  const stopNotifications = (): void => {
    notificationSender.stop();
    notificationWatchers.stop();
  };

  const authenticator = createAuthenticator(apiKeys, sessions, displays);
  const cookies: CookieOptions = { secure: config.secureCookies };
  const routes = new RouteTable({ authenticator, cookies, allowedOrigins: config.allowedOrigins, audit, logger });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'connect-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'style-src': ["'self'"],
          'script-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'none'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          // Not forced: on a LAN over plain HTTP (a wall screen at http://frontline.local) it would break every
          // request. Behind TLS, HSTS below does the job.
          'upgrade-insecure-requests': null,
        },
      },
      strictTransportSecurity: { maxAge: 365 * 86_400, includeSubDomains: true },
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use('/api', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Every request's duration, labelled with the declared route that answered it (set by the route's guard).
  app.use((req, res, next) => {
    const started = performance.now();
    res.once('finish', () => metrics.request(req.method, res.locals.route, res.statusCode, (performance.now() - started) / 1000));
    next();
  });
  if (cluster) {
    // Which node answered: for operators reading a proxy's logs, and for the multi-node tests.
    app.use((_req, res, next) => {
      res.set('X-Frontline-Node', cluster.nodeId);
      next();
    });
  }
  app.use(healthRoutes(routes, store, cluster));
  app.use(metricsRoutes(routes, metrics));
  app.use(ingestRoutes(routes, ingest, logger, orphans));
  // The directory's ids, for the mapping's defaults (a login or queue name that is a Frontline id maps to it).
  let knownFor: { dir: unknown; ids: { agents: Set<string>; queues: Set<string> } } | undefined;
  const knownIds = async () => {
    const dir = await directory.get();
    if (knownFor?.dir !== dir) knownFor = { dir, ids: { agents: new Set(dir.agents.map((a) => a.id)), queues: new Set(dir.queues.map((q) => q.id)) } };
    return knownFor.ids;
  };
  const secretBox = new SecretBox({ keyBase64: config.secrets.keyBase64, keyFile: config.secrets.keyFile, cluster: config.cluster !== null });
  const sources = new SourceService({
    sources: new SourceStore(store),
    pipeline: new SourcePipeline({ sources: new SourceStore(store), ingest, clock, logger, pseudonymizer: (id) => secretBox.pseudonymizer(id), known: knownIds }),
    secrets: secretBox,
    connectors: connectors ?? CONNECTORS,
    clock,
    logger,
    audit,
    orphans,
    leads,
    tickMs: config.sourcesTickMs,
  });
  app.use(sourceRoutes(routes, { sources, publicUrl: config.publicUrl }));
  app.use(authRoutes(routes, accounts, sessions, setup, cookies));
  app.use(userRoutes(routes, accounts, sessions, apiKeys, audit));
  app.use(ssoRoutes(routes, { oidc, identities, accounts, sessions, cookies, logger, setupNeeded: () => setup.needed() }));
  app.use(displayRoutes(routes, displays, dirIndex, cookies, accounts.throttle));
  app.use(
    directoryRoutes(routes, directory, dirIndex, pulse, audit, cases, async () => {
      await pulse.refreshDirectory();
      await kpis.rebuild();
      flagging.requestRun('directory changed');
      await cluster?.signal('directory');
    }),
  );
  const contactsService = new ContactsService(store);
  app.use(caseRoutes(routes, { cases, coaching, accounts, dirIndex, audit, contacts: contactsService, directory, clock }));
  app.use(kpiRoutes(routes, kpis, dirIndex, cases, targets));
  app.use(chartRoutes(routes, { kpis, targets, directory, dirIndex, cases }));
  app.use(targetRoutes(routes, targets, dirIndex, cases));
  app.use(privacyRoutes(routes, privacy));
  app.use(boardRoutes(routes, boards, displays, dirIndex));
  app.use(contactRoutes(routes, contactsService, directory, dirIndex, cases));
  {
    // Quality monitoring (issue 19): scorecards, evaluations feeding the QA KPI through ingest, samples, calibration.
    const scorecards = new ScorecardStore(store);
    const qaEvaluations = new EvaluationStore(store);
    const evaluationService = new EvaluationService({ evaluations: qaEvaluations, scorecards, cases, contacts: contactsService, directory, dirIndex, ingest, accounts, audit, clock });
    const sampling = new SamplingService(qaEvaluations, evaluationService, directory, audit, clock);
    app.use(qaScorecardRoutes(routes, new ScorecardService(scorecards, audit, clock)));
    app.use(qaCalibrationRoutes(routes, new CalibrationService({ store, scorecards, accounts, contacts: contactsService, directory, dirIndex, audit, clock })));
    app.use(qaEvaluationRoutes(routes, { evaluations: qaEvaluations, service: evaluationService, sampling, scorecards, contacts: contactsService, directory, cases, dirIndex, audit }));
  }
  app.use(agentProfileRoutes(routes, { profiles: new AgentProfileService(store, kpis, cases), directory, dirIndex, cases, targets, now: () => clock.now() }));
  app.use(segmentRoutes(routes, { segments: new SegmentsService(kpis), targets, directory, dirIndex, cases }));
  const reviews = new ReviewService({ store, kpis, targets, cases, voc, clock });
  app.use(reviewRoutes(routes, { reviews, directory, dirIndex, accounts, audit }));
  const initiatives = new InitiativeService({ store: new InitiativeStore(store), kpis, voc, reviews, cases, accounts, directory, dirIndex, clock });
  app.use(initiativeRoutes(routes, { initiatives, audit }));
  app.use(vocRoutes(routes, { voc, directory, dirIndex, cases, audit, clock }));
  app.use(notificationRoutes(routes, notificationService, dirIndex));
  app.use(wallRoutes(routes, { boards, displays, targets, kpis, pulse, cases, directory, store, dirIndex }));
  // After every other route: the description is built from the declarations on its first request.
  app.use(openApiRoutes(routes));
  app.use('/api', (req, res) => sendError(res, 404, 'not_found', `no such API route: ${req.method} ${req.originalUrl}`));
  if (clientDir && fs.existsSync(path.join(clientDir, 'index.html'))) {
    // The built client: public files (the app decides what to show after asking /api/v1/session).
    routes.declare({ method: 'get', path: '*static', audiences: 'public', summary: 'built client files' });
    routes.declare({ method: 'get', path: '*spa', audiences: 'public', summary: 'the single-page app shell' });
    // Source maps are never public: the build writes them outside this folder (vite.config.ts), and should one be
    // copied in by hand it is still not served.
    app.use((req, res, next) => (/\.map$/i.test(req.path) ? sendError(res, 404, 'not_found', 'source maps are not served') : next()));
    // Chunks are named by their content's hash, so they never change: cached for good. One that is not here (a tab
    // older than the last deploy asking for an old chunk) is a 404, not the app's HTML, so the client reloads.
    app.use('/assets', express.static(path.join(clientDir, 'assets'), { index: false, immutable: true, maxAge: '365d' }));
    app.use('/assets', (req, res) => sendError(res, 404, 'not_found', `no such client file: ${req.originalUrl}`));
    app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => res.sendFile(path.join(clientDir, 'index.html')));
  }
  app.use(errorHandler(logger));

  const httpServer = http.createServer(app);
  httpServer.requestTimeout = 60_000;
  // Idle keep-alive connections stay open longer than a load balancer's or client's own idle timeout (60 s on the
  // common cloud balancers; undici's 4 s): with Node's default 5 s, a client reusing a connection at the moment the
  // server drops it gets "other side closed" (a balancer answers 502).
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const realtime = attachRealtime(httpServer, {
    pulse,
    kpis,
    cases,
    accounts,
    clock,
    authenticator,
    sessions,
    displays,
    dirIndex,
    allowedOrigins: config.allowedOrigins,
    secureHandshake: (req) => handshakeIsSecure(req, cookies, config.trustProxy),
    keys: apiKeys,
    broadcastIntervalMs: config.liveBroadcastIntervalMs,
    onKpiTick: (sent) => metrics.kpiTick(sent),
    ...(socketSweepMs === undefined ? {} : { sweepIntervalMs: socketSweepMs }),
    ...(cluster ? { adapter: cluster.redis.adapter } : {}),
    logger,
  });

  metrics.watchSockets(() => {
    const counts = { person: 0, display: 0, key: 0 };
    for (const s of realtime.io.sockets.sockets.values()) {
      const kind = s.data.principal.kind;
      counts[kind === 'user' ? 'person' : kind === 'display' ? 'display' : 'key']++;
    }
    return counts;
  });

  if (cluster) {
    cluster.onResync((reason) => realtime.resync(reason));
    cases.onChanged((e) => void cluster.signal('case', e).catch((err: unknown) => logger.error({ err }, 'cluster signal failed')));
    cluster.onSignal('case', (e) => realtime.notifyCase(e as CaseChanged));
    cluster.onSignal('directory', async () => {
      directory.invalidate();
      await pulse.refreshDirectory();
      await kpis.rebuild();
      flagging.requestRun('directory changed');
    });
    cluster.onSignal('privacy', async () => {
      // A pseudonymisation renamed an agent in the directory too: the cached copy (names, the access index) goes first.
      directory.invalidate();
      await afterPrivacyChange();
    });
    cluster.onSignal('voc-dictionary', () => voc.reloadDictionary());
    // The link to the database came back: signals may have been missed meanwhile.
    cluster.onSignal('resync', async () => {
      const before = JSON.stringify(await directory.get());
      directory.invalidate();
      if (JSON.stringify(await directory.get()) !== before) {
        await pulse.refreshDirectory();
        await kpis.rebuild();
      }
      await voc.reloadDictionary();
    });
  }

  let housekeeping: NodeJS.Timeout | undefined;
  const hourly = async () => {
    await sessions.purgeExpired();
    await privacy.applyRetention();
    await notificationService.outbox.purge(clock.now() - NOTIFY_LOG_DAYS * 86_400_000);
  };
  const startHousekeeping = async () => {
    await hourly();
    housekeeping = setInterval(() => void hourly().catch((err: unknown) => logger.error({ err }, 'housekeeping failed')), 3600_000);
    housekeeping.unref();
  };
  const startFlagging = () => {
    // In the background: the server listens while the flagger reads the history; cases appear when it is done.
    void flagging.start().catch((err: unknown) => logger.error({ err }, 'flagging failed to start'));
  };
  return {
    app,
    httpServer,
    realtime,
    routes,
    ingest,
    directory,
    apiKeys,
    pulse,
    accounts,
    sessions,
    setup,
    displays,
    audit,
    privacy,
    cases,
    coaching,
    kpis,
    targets,
    flagging,
    followUps,
    voc,
    orphans,
    metrics,
    notifications: { service: notificationService, sender: notificationSender, watchers: notificationWatchers },
    cluster,
    sources,
    init: async () => {
      if (!cluster) {
        await pulse.start();
        await kpis.start();
        await voc.start();
        startFlagging();
        await followUps.start();
        await startHousekeeping();
        orphans.start();
        startNotifications();
        sources.start();
        return;
      }
      // Several nodes: join first (leadership, the feed's starting point), load, then take up the duties if leading.
      await cluster.start();
      const loadedAsLeader = cluster.isLeader;
      await pulse.start();
      await kpis.start();
      await voc.start();
      let first = loadedAsLeader;
      cluster.addDuty({
        name: 'kpi-rollups',
        // Taking over: resume from the checkpoint the last leader left (days it did not roll up, late events).
        start: async () => {
          if (!first) await Promise.all([kpis.rebuild('resume'), voc.catchUpFacts()]);
          first = false;
        },
        stop: () => undefined,
      });
      cluster.addDuty({ name: 'flagger', start: startFlagging, stop: () => flagging.stop() });
      cluster.addDuty({ name: 'follow-ups', start: () => followUps.start(), stop: () => followUps.stop() });
      cluster.addDuty({ name: 'notifications', start: startNotifications, stop: stopNotifications });
      cluster.addDuty({
        name: 'housekeeping',
        start: startHousekeeping,
        stop: () => {
          if (housekeeping) clearInterval(housekeeping);
          housekeeping = undefined;
        },
      });
      cluster.activate();
      orphans.start();
      // Every node ticks; only the leader polls (SourceService.tick asks leads()).
      sources.start();
    },
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const addr = httpServer.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      }),
    close: async () => {
      if (housekeeping) clearInterval(housekeeping);
      followUps.stop();
      orphans.stop();
      stopNotifications();
      await sources.stop();
      await Promise.all([notificationSender.idle(), notificationWatchers.idle()]);
      transports.close();
      await ingest.drain();
      // Node closes the connections idle at the moment of closing; one still answering becomes idle later and would
      // then stay open for keepAliveTimeout. Close those as they go idle, and whatever is left after a grace period.
      const idleSweep = setInterval(() => httpServer.closeIdleConnections(), 100);
      const force = setTimeout(() => httpServer.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await realtime.close();
      } finally {
        clearInterval(idleSweep);
        clearTimeout(force);
      }
      flagging.stop();
      await kpis.stop();
      await cluster?.stop();
      offQueries();
    },
  };
}
