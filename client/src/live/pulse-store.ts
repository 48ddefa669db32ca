/**
 * Live pulse store: one socket, a snapshot held outside React, read through useSyncExternalStore so a tick
 * re-renders only the components that read it. A sequence gap or a reconnect resyncs from a fresh snapshot.
 * When the server says the credential ended (sign-out elsewhere, role change, screen revoked) the store stops
 * and reports it, so the page can go back to sign-in or pairing.
 */
import { useSyncExternalStore } from 'react';
import { SOCKET_REFUSALS, type PulseSnapshot } from '../../../shared/live.js';
import { acquireSocket, releaseSocket, type LiveSocket } from './socket.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'denied';

export interface PulseState {
  snapshot: PulseSnapshot | null;
  connection: ConnectionState;
  /** Wall-clock time the last snapshot arrived, for "updated N s ago". */
  receivedAt: number | null;
  /** Why the connection ended or was refused, in plain words. */
  reason: string | null;
}

type Listener = () => void;

const INITIAL: PulseState = { snapshot: null, connection: 'connecting', receivedAt: null, reason: null };

class PulseStore {
  private state: PulseState = INITIAL;
  private listeners = new Set<Listener>();
  private socket: LiveSocket | null = null;
  private off: (() => void) | null = null;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    if (!this.socket) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  };

  getState = (): PulseState => this.state;

  /** Lets go of the socket (sign-out, or nobody watching); the next subscriber starts afresh. */
  stop(): void {
    this.off?.();
    this.off = null;
    if (this.socket) releaseSocket();
    this.socket = null;
    this.state = INITIAL;
  }

  private connect(): void {
    const socket = acquireSocket();
    this.socket = socket;
    const onConnect = () => this.resync();
    const onDisconnect = (reason: string) => {
      if (reason === 'io server disconnect') return; // ended on purpose: auth:revoked says why
      this.set({ connection: 'reconnecting' });
    };
    const onError = (err: Error) => {
      if (err.message === SOCKET_REFUSALS.unauthenticated || err.message === SOCKET_REFUSALS.origin) {
        this.set({ connection: 'ended', reason: err.message === SOCKET_REFUSALS.origin ? 'this page is not on an allowed address' : 'signed out' });
      } else this.set({ connection: 'reconnecting' });
    };
    const onRevoked = ({ reason }: { reason: string }) => this.set({ connection: 'ended', reason });
    const onSnapshot = (snap: PulseSnapshot) => {
      const prev = this.state.snapshot;
      if (prev && snap.seq !== prev.seq + 1) {
        this.resync();
        return;
      }
      this.set({ snapshot: snap, connection: 'live', receivedAt: Date.now() });
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onError);
    socket.on('auth:revoked', onRevoked);
    socket.on('pulse:snapshot', onSnapshot);
    socket.on('live:resync', onConnect);
    this.off = () => {
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onError);
      socket.off('auth:revoked', onRevoked);
      socket.off('pulse:snapshot', onSnapshot);
      socket.off('live:resync', onConnect);
    };
    if (socket.connected) this.resync();
  }

  private resync(): void {
    this.socket?.emit('pulse:subscribe', (reply) => {
      if (reply.ok) this.set({ snapshot: reply.snapshot, connection: 'live', receivedAt: Date.now(), reason: null });
      else if (reply.error.code === 'forbidden') this.set({ connection: 'denied', reason: reply.error.message });
      else setTimeout(() => this.resync(), 2_000);
    });
  }

  private set(patch: Partial<PulseState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}

export const pulseStore = new PulseStore();

export function usePulse(): PulseState {
  return useSyncExternalStore(pulseStore.subscribe, pulseStore.getState);
}
