/**
 * Realtime layer: Socket.IO carrying the live pulse, behind the same access layer as REST.
 *
 * - The handshake checks the Origin (allowRequest; Uptime Kuma CVE-2023-49805) and the credential: a session
 *   cookie, a paired display's cookie, or a read API key in `auth.apiKey`. No credential, no socket.
 * - Each socket joins rooms for its session / user / display / API key, so revoking any of them disconnects its
 *   sockets at once (sign-out, password or role change, display or key revoked); a sweep every few seconds re-checks every socket's
 *   credential against the store as a backstop (a revocation made on another node without a shared adapter).
 * - Every client event is declared in SOCKET_POLICIES with who may send it and the predicate that guards it; the
 *   authorisation matrix test fails when a handler has no declaration.
 * - After subscribing, the server pushes a coalesced snapshot at most every LIVE_BROADCAST_INTERVAL_MS, and only when
 *   something changed. No per-event broadcast.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { z } from 'zod';
import { formatScope, scopeText } from '../../shared/access.js';
import type { ApiError } from '../../shared/api.js';
import {
  KPI_DELTA_INTERVAL_MS,
  LIVE_HEARTBEAT_MS,
  LIVE_WINDOWS,
  PULSE_ROOM,
  SOCKET_REFUSALS,
  subscriptionKey,
  type CLIENT_EVENT_NAMES,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../../shared/live.js';
import { audiencesOf, type Audience, type Principal } from '../access/principal.js';
import { canViewCase, canViewPulse, canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { Clock } from '../clock.js';
import { caseRef, type CaseChanged, type CaseStore } from '../coaching/case.store.js';
import type { AccountService } from '../accounts/account.service.js';
import type { CaseChangedNotice } from '../../shared/coaching.js';
import type { KpiService } from '../kpi/kpi.service.js';
import { KpiLive } from './kpi-live.js';
import type { SessionService } from '../accounts/session.service.js';
import type { ApiKeyService } from '../apikeys/apikey.service.js';
import type { DisplayService } from '../displays/display.service.js';
import { originAllowed, type Authenticator } from '../http/access.js';
import type { PulseService } from '../live/pulse.service.js';
import type { Logger } from '../logger.js';

interface SocketData {
  principal: Principal;
}

type FrontlineSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type ClientEventName = (typeof CLIENT_EVENT_NAMES)[number];

export interface SocketPolicy {
  audiences: readonly Audience[];
  summary: string;
}

/** Who may send each client event (function level); handlers add the object-level predicate. */
export const SOCKET_POLICIES: Record<ClientEventName, SocketPolicy> = {
  'pulse:subscribe': { audiences: ['admin', 'manager', 'team_leader', 'coach', 'agent', 'display', 'key:read'], summary: "today's centre-wide pulse" },
  'kpis:subscribe': { audiences: ['admin', 'manager', 'team_leader', 'coach', 'agent', 'display', 'key:read'], summary: 'live KPIs for a scope the caller can see' },
  'kpis:unsubscribe': { audiences: ['admin', 'manager', 'team_leader', 'coach', 'agent', 'display', 'key:read'], summary: 'stop live KPIs for a scope' },
};

const subscription = z.strictObject({ scope: scopeText, window: z.enum(LIVE_WINDOWS) });

export interface Realtime {
  io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  /** Tells this node's sockets about a case change made on another node (cluster signal). */
  notifyCase(e: CaseChanged): Promise<void>;
  /** Asks this node's clients to fetch fresh snapshots (after Redis or the cluster link came back). */
  resync(reason: string): void;
  close(): Promise<void>;
}

export interface RealtimeDeps {
  pulse: PulseService;
  kpis: KpiService;
  cases: CaseStore;
  /** Names for case notifications. */
  accounts: AccountService;
  clock: Clock;
  authenticator: Authenticator;
  keys: ApiKeyService;
  /** Whether a handshake came over TLS (then only __Host- cookies count). */
  secureHandshake: (req: IncomingMessage) => boolean;
  sessions: SessionService;
  displays: DisplayService;
  dirIndex: () => Promise<DirectoryIndex>;
  allowedOrigins: readonly string[];
  broadcastIntervalMs: number;
  /** How often every socket's credential is re-checked against the store. */
  sweepIntervalMs?: number;
  /** Told after each live KPI tick with how many deltas it sent (the live delta latency metric). */
  onKpiTick?: (deltasSent: number) => void;
  /** The cross-node adapter (cluster mode): room broadcasts from this node reach sockets on every node. */
  adapter?: ServerOptions['adapter'];
  logger: Logger;
}

const denied = (message: string): ApiError => ({ ok: false, error: { code: 'forbidden', message } });
const invalid = (message: string): ApiError => ({ ok: false, error: { code: 'invalid_input', message } });

export function attachRealtime(httpServer: HttpServer, deps: RealtimeDeps): Realtime {
  const { pulse, logger } = deps;
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    serveClient: false,
    // WebSocket only, as the client connects: no long-polling, so any node can take any connection and a load
    // balancer needs no sticky sessions (README, "Running several nodes").
    transports: ['websocket'],
    maxHttpBufferSize: 64 * 1024,
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
    cors: { origin: false },
    allowRequest: (req: IncomingMessage, cb) => {
      const ok = originAllowed(req.headers.origin, req.headers.host, deps.allowedOrigins);
      if (!ok) logger.warn({ log: 'security', event: 'socket_origin_refused', origin: req.headers.origin }, 'socket from a foreign origin refused');
      cb(ok ? null : SOCKET_REFUSALS.origin, ok);
    },
  });

  io.use((socket, next) => {
    const apiKey: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.apiKey;
    deps.authenticator
      .fromHeaders({
        cookie: socket.request.headers.cookie,
        authorization: typeof apiKey === 'string' ? `Bearer ${apiKey}` : undefined,
        secure: deps.secureHandshake(socket.request),
      })
      .then((principal) => {
        if (!principal) return next(new Error(SOCKET_REFUSALS.unauthenticated));
        socket.data.principal = principal;
        next();
      })
      .catch(() => next(new Error(SOCKET_REFUSALS.unauthenticated)));
  });

  /** Registers a client event handler behind its declared policy. */
  function handle<E extends ClientEventName>(socket: FrontlineSocket, event: E, handler: (principal: Principal, ...args: Parameters<ClientToServerEvents[E]>) => void | Promise<void>): void {
    const policy = SOCKET_POLICIES[event];
    socket.on(event, ((...args: Parameters<ClientToServerEvents[E]>) => {
      const principal = socket.data.principal;
      const ack = args[args.length - 1];
      if (!audiencesOf(principal).some((a) => policy.audiences.includes(a))) {
        if (typeof ack === 'function') (ack)(denied('you do not have access to this'));
        return;
      }
      Promise.resolve(handler(principal, ...args)).catch((err: unknown) => logger.error({ err, event }, 'socket handler failed'));
    }) as never);
  }

  io.on('connection', (socket) => {
    const p = socket.data.principal;
    if (p.kind === 'user') void socket.join([`session:${p.sessionId}`, `user:${p.userId}`]);
    if (p.kind === 'display') void socket.join(`display:${p.displayId}`);
    if (p.kind === 'apikey') void socket.join(`key:${p.keyId}`);

    handle(socket, 'pulse:subscribe', async (principal, ack) => {
      if (typeof ack !== 'function') return;
      if (!canViewPulse(principal, await deps.dirIndex())) return ack(denied('you do not have access to the centre pulse'));
      await socket.join(PULSE_ROOM);
      const snap = pulse.current();
      if (snap) ack({ ok: true, snapshot: snap });
      else ack({ ok: false, error: { code: 'not_ready', message: 'the live pulse is still loading; retry in a moment' } });
    });

    handle(socket, 'kpis:subscribe', async (principal, sub, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = subscription.safeParse(sub);
      if (!parsed.success) return ack(invalid(`send { scope, window }: scope as centre or kind:ID, window one of ${LIVE_WINDOWS.join(', ')}`));
      const links = principal.kind === 'user' && principal.role === 'coach' ? await deps.cases.linksFor(principal.userId) : undefined;
      if (!canViewScope(principal, parsed.data.scope, await deps.dirIndex(), links)) return ack(denied(`you do not have access to ${formatScope(parsed.data.scope)}`));
      const key = { scope: formatScope(parsed.data.scope), window: parsed.data.window };
      try {
        const snapshot = kpiLive.snapshot(key, new Date(deps.clock.now()).toISOString());
        await socket.join(KpiLive.room(snapshot.key));
        ack({ ok: true, snapshot });
      } catch {
        ack({ ok: false, error: { code: 'not_ready', message: 'the KPI engine is still loading; retry in a moment' } });
      }
    });

    handle(socket, 'kpis:unsubscribe', async (_principal, sub, ack) => {
      const parsed = subscription.safeParse(sub);
      if (!parsed.success) {
        if (typeof ack === 'function') ack(invalid('send the { scope, window } you subscribed with'));
        return;
      }
      await socket.leave(KpiLive.room(subscriptionKey({ scope: formatScope(parsed.data.scope), window: parsed.data.window })));
      if (typeof ack === 'function') ack({ ok: true });
    });
  });

  /**
   * Case notifications: after a change commits, each signed-in person who may see the case hears about it (the
   * coach, the agent it is about, the team's leader, the manager), with `forYou` set for the people it concerns.
   */
  async function notifyCase(e: CaseChanged): Promise<void> {
    const c = await deps.cases.get(e.caseId);
    if (!c) return;
    const dir = await deps.dirIndex();
    const by = e.actor === 'system:flagger' ? 'Frontline flagger' : e.actor === 'system:scheduler' ? 'Frontline scheduler' : await deps.accounts.get(e.actor.replace(/^user:/, '')).then((u) => u.displayName, () => 'someone');
    const ref = caseRef(c);
    for (const s of io.sockets.sockets.values()) {
      const sp = s.data.principal as Principal | undefined;
      if (sp?.kind !== 'user' || !canViewCase(sp, ref, dir)) continue;
      const concerned = c.assignedCoachId === sp.userId || (sp.role === 'agent' && sp.agentId === c.agentId) || (c.assignedCoachId === null && sp.role === 'coach' && e.action === 'flagged');
      const notice: CaseChangedNotice = { caseId: c.id, kind: c.kind, scope: c.scope, kpi: c.kpi, action: e.action, by, at: new Date(e.atMs).toISOString(), forYou: concerned && e.actor !== `user:${sp.userId}` };
      s.emit('case:changed', notice);
    }
  }
  const offCases = deps.cases.onChanged((e) => void notifyCase(e).catch((err: unknown) => logger.error({ err }, 'case notification failed')));

  const kpiLive = new KpiLive(deps.kpis);
  let lastHeartbeat = 0;
  const kpiTimer = setInterval(() => {
    try {
      const asOf = new Date(deps.clock.now()).toISOString();
      deps.onKpiTick?.(kpiLive.tick(io, asOf));
      // Sent only after a tick that worked: if deltas stop being computed, screens see their tiles go stale.
      if (Date.now() - lastHeartbeat >= LIVE_HEARTBEAT_MS) {
        lastHeartbeat = Date.now();
        io.local.emit('live:heartbeat', { asOf });
      }
    } catch (err) {
      logger.error({ err }, 'live KPI deltas failed');
    }
  }, KPI_DELTA_INTERVAL_MS);
  kpiTimer.unref();

  const kick = (room: string, reason: string) => {
    io.to(room).emit('auth:revoked', { reason });
    io.in(room).disconnectSockets(true);
  };
  const offSessions = deps.sessions.onRevoked((r) => {
    for (const sid of r.sessionIds) kick(`session:${sid}`, r.reason);
  });
  const offDisplays = deps.displays.onRevoked((id) => kick(`display:${id}`, 'this screen was revoked'));
  const offKeys = deps.keys.onRevoked((id) => kick(`key:${id}`, 'this API key was revoked'));
  // A screen whose layout changed reconnects, so its socket carries its new scopes.
  const offLayouts = deps.displays.onChanged((ids) => {
    for (const id of ids) {
      io.to(`display:${id}`).emit('wall:changed');
      io.in(`display:${id}`).disconnectSockets(true);
    }
  });

  /**
   * Access to a scope can end without the credential ending: an agent moved to another team, a coach's case
   * reassigned. Each live subscription is checked again and dropped, with a `kpis:ended`, once it is no longer allowed.
   */
  async function recheckSubscriptions(s: FrontlineSocket, p: Principal): Promise<void> {
    const rooms = [...s.rooms].filter((r) => r.startsWith('kpis:'));
    if (rooms.length === 0) return;
    const dir = await deps.dirIndex();
    const links = p.kind === 'user' && p.role === 'coach' ? await deps.cases.linksFor(p.userId) : undefined;
    for (const room of rooms) {
      const key = room.slice('kpis:'.length);
      const scope = scopeText.safeParse(key.split('|')[0]);
      if (scope.success && canViewScope(p, scope.data, dir, links)) continue;
      await s.leave(room);
      s.emit('kpis:ended', { key, reason: `you no longer have access to ${key.split('|')[0] ?? 'this scope'}` });
    }
  }

  // Backstop: re-check every connected socket's credential against the store, and its live subscriptions.
  let sweeping = false;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    void (async () => {
      const sockets = [...io.sockets.sockets.values()];
      const sids = new Set<string>();
      const dids = new Set<string>();
      const kids = new Set<string>();
      for (const s of sockets) {
        const sp = s.data.principal as Principal | undefined;
        if (sp?.kind === 'user') sids.add(sp.sessionId);
        if (sp?.kind === 'display') dids.add(sp.displayId);
        if (sp?.kind === 'apikey') kids.add(sp.keyId);
      }
      const [validSessions, validDisplays, validKeys] = await Promise.all([
        deps.sessions.stillValid([...sids]),
        deps.displays.stillValid([...dids]),
        deps.keys.stillValid([...kids]),
      ]);
      for (const s of sockets) {
        const sp = s.data.principal as Principal | undefined;
        const gone =
          (sp?.kind === 'user' && !validSessions.has(sp.sessionId)) ||
          (sp?.kind === 'display' && !validDisplays.has(sp.displayId)) ||
          (sp?.kind === 'apikey' && !validKeys.has(sp.keyId));
        if (gone) {
          s.emit('auth:revoked', { reason: 'credential no longer valid' });
          s.disconnect(true);
          continue;
        }
        if (sp) await recheckSubscriptions(s, sp);
      }
    })()
      .catch((err: unknown) => logger.error({ err }, 'socket credential sweep failed'))
      .finally(() => (sweeping = false));
  }, deps.sweepIntervalMs ?? 5_000);
  sweep.unref();

  const timer = setInterval(() => {
    try {
      const snap = pulse.tick();
      // Local: every node computes the same pulse from the change feed and sends it to its own sockets.
      if (snap) io.local.to(PULSE_ROOM).emit('pulse:snapshot', snap);
    } catch (err) {
      logger.error({ err }, 'live pulse broadcast failed');
    }
  }, deps.broadcastIntervalMs);
  timer.unref();
  if (deps.adapter) {
    // An adapter error must never become an unhandled `error` event (it would kill the process).
    io.of('/').adapter.on('error', (err: unknown) => logger.error({ log: 'cluster', err }, 'socket adapter error'));
  }
  return {
    io,
    notifyCase,
    resync: (reason) => {
      logger.info({ log: 'cluster', sockets: io.sockets.sockets.size, reason }, 'asking clients to resync');
      io.local.emit('live:resync', { reason });
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        clearInterval(sweep);
        clearInterval(kpiTimer);
        offSessions();
        offDisplays();
        offLayouts();
        offKeys();
        offCases();
        void io.close(() => resolve());
      }),
  };
}
