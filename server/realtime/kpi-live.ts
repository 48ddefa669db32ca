/**
 * Live KPIs over Socket.IO: a client subscribes to (scope, window) and gets a snapshot with a sequence number; then,
 * at most every KPI_DELTA_INTERVAL_MS, the server sends only the KPIs that changed, and only for subscriptions whose
 * scope was touched by new events (or whose window moved on). No per-event broadcast: a burst of 1,000 events is one
 * delta per subscription. Each subscription is a room on this node: with several nodes, each one computes the same
 * figures from the shared change feed and sends them to its own sockets (the adapter is not in the KPI path).
 */
import type { Server } from 'socket.io';
import { KPI_NAMES, type KpiSet } from '../../shared/kpis.js';
import { subscriptionKey, type KpiSnapshot, type KpiSubscription } from '../../shared/live.js';
import type { KpiService } from '../kpi/kpi.service.js';

interface Room {
  sub: KpiSubscription;
  seq: number;
  last: KpiSet;
  from: number;
  to: number;
}

export class KpiLive {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly kpis: KpiService) {}

  static room(key: string): string {
    return `kpis:${key}`;
  }

  /** The snapshot a new subscriber starts from (creates the room's state on first use). */
  snapshot(sub: KpiSubscription, nowIso: string): KpiSnapshot {
    const key = subscriptionKey(sub);
    let room = this.rooms.get(key);
    if (!room) {
      const { fromMs, toMs } = this.kpis.windowRange(sub.window, sub.scope);
      room = { sub, seq: 1, last: this.kpis.queryLive(sub.scope, fromMs, toMs), from: fromMs, to: toMs };
      this.rooms.set(key, room);
    }
    return { key, seq: room.seq, asOf: nowIso, from: new Date(room.from).toISOString(), to: new Date(room.to).toISOString(), kpis: room.last };
  }

  /**
   * One tick: deltas for touched or moved subscriptions; rooms nobody listens to any more are dropped. Returns how
   * many deltas it sent (the live delta latency metric counts ticks that sent one).
   */
  tick(io: Server, nowIso: string): number {
    const touched = this.kpis.takeTouched();
    let sent = 0;
    for (const [key, room] of this.rooms) {
      const roomName = KpiLive.room(key);
      if ((io.sockets.adapter.rooms.get(roomName)?.size ?? 0) === 0) {
        this.rooms.delete(key);
        continue;
      }
      const { fromMs, toMs } = this.kpis.windowRange(room.sub.window, room.sub.scope);
      const moved = fromMs !== room.from || toMs !== room.to;
      if (!moved && touched !== 'all' && !touched.has(room.sub.scope)) continue;
      const next = this.kpis.queryLive(room.sub.scope, fromMs, toMs);
      const changed: Partial<KpiSet> = {};
      let any = false;
      for (const k of KPI_NAMES) {
        if (moved || JSON.stringify(next[k]) !== JSON.stringify(room.last[k])) {
          (changed as Record<string, unknown>)[k] = next[k];
          any = true;
        }
      }
      if (!any) continue;
      room.seq++;
      room.last = next;
      room.from = fromMs;
      room.to = toMs;
      // Local only: every node computes the same figures from the change feed, each room's seq is this node's own.
      io.local.to(roomName).emit('kpis:delta', { key, seq: room.seq, asOf: nowIso, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), changed });
      sent++;
    }
    return sent;
  }
}
