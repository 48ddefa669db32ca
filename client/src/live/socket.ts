/**
 * One Socket.IO connection per tab, shared by every live store (pulse, KPI feeds). Stores acquire it and release it;
 * the last release closes it. Reconnection uses exponential backoff with jitter so a restarted server is not hit by
 * every screen at once.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../shared/live.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | null = null;
let users = 0;

export function acquireSocket(): LiveSocket {
  socket ??= io({ transports: ['websocket'], reconnectionDelayMax: 5_000, randomizationFactor: 0.5 });
  users++;
  return socket;
}

export function releaseSocket(): void {
  users = Math.max(0, users - 1);
  if (users === 0 && socket) {
    socket.disconnect();
    socket = null;
  }
}
