/**
 * The process's own metrics (CPU, memory, heap, GC, event-loop lag, handles): prom-client's default metrics, under
 * their standard names (`process_*`, `nodejs_*`) so any Node.js dashboard reads them.
 *
 * Collected once per process, into a registry of our own (never prom-client's global one), and shown by every
 * server's /metrics beside its product metrics. Once because they describe the process, not a server, and because
 * prom-client cannot stop what it starts for them (a GC observer and an event-loop delay monitor): collecting them per
 * server would leak one of each for every server a test process builds.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

/** Event-loop delay sampling resolution (ms): prom-client's default, fine enough for a p99 of a few ms. */
const EVENT_LOOP_RESOLUTION_MS = 10;

let processRegistry: Registry | undefined;

export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
  }
  return processRegistry;
}
