/**
 * Realtime layer: Socket.IO carrying the live pulse. A client subscribes and gets a snapshot in the ack; after that
 * the server pushes a coalesced snapshot at most every LIVE_BROADCAST_INTERVAL_MS, and only when something changed.
 * No per-event broadcast.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { PULSE_ROOM, type ClientToServerEvents, type ServerToClientEvents } from '../../shared/live.js';
import type { PulseService } from '../live/pulse.service.js';
import type { Logger } from '../logger.js';

export interface Realtime {
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  close(): Promise<void>;
}

export function attachRealtime(httpServer: HttpServer, pulse: PulseService, broadcastIntervalMs: number, logger: Logger): Realtime {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: false },
  });
  io.on('connection', (socket) => {
    socket.on('pulse:subscribe', (ack) => {
      if (typeof ack !== 'function') return;
      void socket.join(PULSE_ROOM);
      const snap = pulse.current();
      if (snap) ack(snap);
    });
  });
  const timer = setInterval(() => {
    try {
      const snap = pulse.tick();
      if (snap) io.to(PULSE_ROOM).emit('pulse:snapshot', snap);
    } catch (err) {
      logger.error({ err }, 'live pulse broadcast failed');
    }
  }, broadcastIntervalMs);
  timer.unref();
  return {
    io,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        void io.close(() => resolve());
      }),
  };
}
