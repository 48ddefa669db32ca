/**
 * Live pulse store: one socket, a snapshot held outside React, read through useSyncExternalStore so a tick
 * re-renders only the components that read it. A sequence gap or a reconnect resyncs from a fresh snapshot.
 * When the server says the credential ended (sign-out elsewhere, role change, screen revoked) the store stops
 * and reports it, so the page can go back to sign-in or pairing.
 */
import { io, type Socket } from 'socket.io-client';
import { useSyncExternalStore } from 'react';
import { SOCKET_REFUSALS, type ClientToServerEvents, type PulseSnapshot, type ServerToClientEvents } from '../../../shared/live.js';

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
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    if (!this.socket) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  };

  getState = (): PulseState => this.state;

  /** Drops the socket (sign-out); the next subscriber connects afresh with the new credential. */
  stop(): void {
    this.socket?.disconnect();
    this.socket = null;
    this.state = INITIAL;
  }

  private connect(): void {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket'], reconnectionDelayMax: 5_000, randomizationFactor: 0.5 });
    this.socket = socket;
    socket.on('connect', () => this.resync());
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') return; // ended on purpose: auth:revoked says why
      this.set({ connection: 'reconnecting' });
    });
    socket.on('connect_error', (err) => {
      if (err.message === SOCKET_REFUSALS.unauthenticated || err.message === SOCKET_REFUSALS.origin) {
        socket.disconnect();
        this.set({ connection: 'ended', reason: err.message === SOCKET_REFUSALS.origin ? 'this page is not on an allowed address' : 'signed out' });
      } else this.set({ connection: 'reconnecting' });
    });
    socket.on('auth:revoked', ({ reason }) => {
      socket.disconnect();
      this.set({ connection: 'ended', reason });
    });
    socket.on('pulse:snapshot', (snap) => {
      const prev = this.state.snapshot;
      if (prev && snap.seq !== prev.seq + 1) {
        this.resync();
        return;
      }
      this.set({ snapshot: snap, connection: 'live', receivedAt: Date.now() });
    });
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
