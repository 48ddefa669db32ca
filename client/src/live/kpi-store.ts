/**
 * Live KPIs for one (scope, window): a snapshot from the server, then deltas applied in order. A gap in the sequence
 * or a reconnect resubscribes for a fresh snapshot. Held outside React and read with useSyncExternalStore, so a delta
 * re-renders only the tiles that read this store.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { KpiSet } from '../../../shared/kpis.js';
import type { KpiDelta, KpiSubscription, LiveWindow } from '../../../shared/live.js';
import { subscriptionKey } from '../../../shared/live.js';
import { acquireSocket, releaseSocket, type LiveSocket } from './socket.js';

export interface LiveKpis {
  kpis: KpiSet | null;
  seq: number;
  from: string | null;
  to: string | null;
  receivedAt: number | null;
  /** When the server last confirmed this feed current: a message for it, or a heartbeat while subscribed. */
  confirmedAt: number | null;
  connection: 'connecting' | 'live' | 'reconnecting' | 'ended' | 'denied';
  reason: string | null;
}

type Listener = () => void;
const INITIAL: LiveKpis = { kpis: null, seq: 0, from: null, to: null, receivedAt: null, confirmedAt: null, connection: 'connecting', reason: null };

class KpiFeed {
  private state: LiveKpis = INITIAL;
  private readonly listeners = new Set<Listener>();
  private socket: LiveSocket | null = null;
  private off: (() => void) | null = null;

  constructor(private readonly sub: KpiSubscription) {}

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    if (!this.socket) this.connect();
    return () => {
      this.listeners.delete(l);
      if (this.listeners.size === 0) {
        this.off?.();
        this.off = null;
        this.socket?.emit('kpis:unsubscribe', this.sub, () => undefined);
        if (this.socket) releaseSocket();
        this.socket = null;
        this.state = INITIAL;
      }
    };
  };

  get = (): LiveKpis => this.state;

  private connect(): void {
    const socket = acquireSocket();
    this.socket = socket;
    const key = subscriptionKey(this.sub);
    const onConnect = () => this.resync();
    const onDisconnect = (reason: string) => {
      if (reason !== 'io server disconnect') this.set({ connection: 'reconnecting' });
    };
    const onRevoked = ({ reason }: { reason: string }) => this.set({ connection: 'ended', reason });
    const onDelta = (d: KpiDelta) => {
      if (d.key !== key || !this.state.kpis) return;
      if (d.seq !== this.state.seq + 1) {
        this.resync();
        return;
      }
      this.set({ kpis: { ...this.state.kpis, ...d.changed }, seq: d.seq, from: d.from, to: d.to, receivedAt: Date.now(), confirmedAt: Date.now(), connection: 'live' });
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('auth:revoked', onRevoked);
    const onEnded = (e: { key: string; reason: string }) => {
      if (e.key === key) this.set({ connection: 'denied', reason: e.reason });
    };
    const onHeartbeat = () => {
      if (this.state.connection === 'live') this.set({ confirmedAt: Date.now() });
    };
    socket.on('kpis:delta', onDelta);
    socket.on('kpis:ended', onEnded);
    socket.on('live:heartbeat', onHeartbeat);
    // The server lost touch with the other nodes for a while: start again from a fresh snapshot.
    const onResync = () => this.resync();
    socket.on('live:resync', onResync);
    this.off = () => {
      socket.off('live:resync', onResync);
      socket.off('live:heartbeat', onHeartbeat);
      socket.off('kpis:ended', onEnded);
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('auth:revoked', onRevoked);
      socket.off('kpis:delta', onDelta);
    };
    if (socket.connected) this.resync();
  }

  private resyncing = false;

  /** One resubscribe in flight at a time; a reply after everyone left is ignored. */
  private resync(): void {
    if (this.resyncing || !this.socket) return;
    this.resyncing = true;
    this.socket.emit('kpis:subscribe', this.sub, (reply) => {
      this.resyncing = false;
      if (this.listeners.size === 0) return;
      if (reply.ok) {
        const s = reply.snapshot;
        this.set({ kpis: s.kpis, seq: s.seq, from: s.from, to: s.to, receivedAt: Date.now(), confirmedAt: Date.now(), connection: 'live', reason: null });
      } else if (reply.error.code === 'forbidden') this.set({ connection: 'denied', reason: reply.error.message });
      else setTimeout(() => this.resync(), 2_000);
    });
  }

  private set(patch: Partial<LiveKpis>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}

const feeds = new Map<string, KpiFeed>();

export function useLiveKpis(scope: string, window: LiveWindow): LiveKpis {
  const key = subscriptionKey({ scope, window });
  let feed = feeds.get(key);
  if (!feed) {
    feed = new KpiFeed({ scope, window });
    feeds.set(key, feed);
  }
  return useSyncExternalStore(feed.subscribe, feed.get);
}

/** Seconds since a time, ticking once a second (for "updated N s ago"). */
export function useAge(since: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return since === null ? null : Math.max(0, Math.round((now - since) / 1000));
}
