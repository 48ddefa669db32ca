/** Injectable clock: everything time-bucketed reads time from here, so tests and the simulator run days in seconds. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that runs `speed` times faster than wall time from `startMs` (simulated time, e.g. 50x for soak tests). */
export function scaledClock(speed: number, startMs: number = Date.now(), wall: Clock = systemClock): Clock {
  const wallStart = wall.now();
  return { now: () => startMs + (wall.now() - wallStart) * speed };
}

/** A clock that only moves when told: for tests. */
export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
