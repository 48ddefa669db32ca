/**
 * Streams the simulator live: every tick of wall time, advance to the clock's now and hand the new events to the
 * sink, one batch at a time. A slow sink delays the next tick instead of overlapping it, so batches stay in order.
 */
import type { FrontlineEvent } from '../../shared/events.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CentreSimulator } from './engine.js';

export interface LiveSimulationOptions {
  simulator: Pick<CentreSimulator, 'advanceTo'>;
  clock: Clock;
  sink: (events: FrontlineEvent[]) => Promise<unknown>;
  /** Wall-clock ms between ticks (default 1000). */
  tickMs?: number;
  logger?: Pick<Logger, 'error'>;
}

export interface LiveSimulation {
  /** Stops ticking; resolves once a batch in flight has been handed over. */
  stop(): Promise<void>;
}

export function startLiveSimulation(o: LiveSimulationOptions): LiveSimulation {
  const tickMs = o.tickMs ?? 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    try {
      const events = o.simulator.advanceTo(o.clock.now());
      if (events.length > 0) await o.sink(events);
    } catch (err) {
      // Events already taken from the simulator are not retried: the sink owns retries; the stream goes on.
      o.logger?.error({ err }, 'live simulation: sink or simulator failed; continuing');
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      inFlight = tick().then(schedule);
    }, tickMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}
