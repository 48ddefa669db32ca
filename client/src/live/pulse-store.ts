/**
 * Live pulse store: one socket, a snapshot held outside React, read through useSyncExternalStore so a tick
 * re-renders only the components that read it. A sequence gap or a reconnect resyncs from a fresh snapshot.
 */
import { io, type Socket } from 'socket.io-client';
import { useSyncExternalStore } from 'react';
import type { ClientToServerEvents, PulseSnapshot, ServerToClientEvents } from '../../../shared/live.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface PulseState {
  snapshot: PulseSnapshot | null;
  connection: ConnectionState;
  /** Wall-clock time the last snapshot arrived, for "updated N s ago". */
  receivedAt: number | null;
}

type Listener = () => void;

class PulseStore {
  private state: PulseState = { snapshot: null, connection: 'connecting', receivedAt: null };
  private listeners = new Set<Listener>();
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    if (!this.socket) this.connect();
    return () => this.listeners.delete(listener);
  };

  getState = (): PulseState => this.state;

  private connect(): void {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket'], reconnectionDelayMax: 5_000, randomizationFactor: 0.5 });
    this.socket = socket;
    socket.on('connect', () => this.resync());
    socket.on('disconnect', () => this.set({ connection: 'reconnecting' }));
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
    this.socket?.emit('pulse:subscribe', (snap) => this.set({ snapshot: snap, connection: 'live', receivedAt: Date.now() }));
  }

  private set(patch: Partial<PulseState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}

const store = new PulseStore();

export function usePulse(): PulseState {
  return useSyncExternalStore(store.subscribe, store.getState);
}
