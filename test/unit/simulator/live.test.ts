/** Live streaming: ticks advance the simulator to the clock, batches go to the sink one at a time, errors don't stop it. */
import { describe, expect, it, vi } from 'vitest';
import type { FrontlineEvent } from '../../../shared/events.js';
import { ManualClock } from '../../../server/clock.js';
import { CentreSimulator, startLiveSimulation } from '../../../server/simulator/index.js';
import { MONDAY } from './support.js';

const NINE_AM = MONDAY + 9 * 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A clock that moves on a simulated half-minute every time it is read (once per tick). */
function steppingClock(stepMs = 30_000): ManualClock {
  const clock = new ManualClock(NINE_AM);
  const read = clock.now.bind(clock);
  clock.now = () => {
    clock.advance(stepMs);
    return read();
  };
  return clock;
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await sleep(5);
  }
}

describe('live simulation', () => {
  it('streams the same events as one big advance, batch by batch, skipping empty ticks', async () => {
    const clock = steppingClock(60_000);
    const simulator = new CentreSimulator({ seed: 2, startMs: NINE_AM });
    let reached = NINE_AM;
    const batches: FrontlineEvent[][] = [];
    const live = startLiveSimulation({
      simulator: {
        advanceTo: (ms) => {
          reached = ms;
          return simulator.advanceTo(ms);
        },
      },
      clock,
      tickMs: 2,
      sink: (events) => {
        batches.push(events);
        return Promise.resolve();
      },
    });
    await until(() => reached >= NINE_AM + 30 * 60_000);
    await live.stop();
    expect(batches.length).toBeGreaterThan(10);
    expect(batches.every((b) => b.length > 0)).toBe(true);
    const expected = new CentreSimulator({ seed: 2, startMs: NINE_AM }).advanceTo(reached);
    expect(batches.flat()).toEqual(expected);
  });

  it('passes only non-empty batches to the sink', async () => {
    let ticks = 0;
    const sent: number[] = [];
    const event: FrontlineEvent = { id: 'e', type: 'contact.abandoned', occurredAt: new Date(NINE_AM).toISOString(), contactId: 'c' };
    const live = startLiveSimulation({
      simulator: { advanceTo: () => (++ticks % 2 === 0 ? [event] : []) },
      clock: new ManualClock(NINE_AM),
      tickMs: 1,
      sink: (events) => {
        sent.push(events.length);
        return Promise.resolve();
      },
    });
    await until(() => ticks >= 8);
    await live.stop();
    expect(sent.length).toBe(Math.floor(ticks / 2));
    expect(sent.every((n) => n === 1)).toBe(true);
  });

  it('never overlaps sink calls: a slow sink delays the next tick', async () => {
    const clock = steppingClock();
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const live = startLiveSimulation({
      simulator: new CentreSimulator({ seed: 2, startMs: NINE_AM }),
      clock,
      tickMs: 1,
      sink: async () => {
        inFlight++;
        calls++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(25);
        inFlight--;
      },
    });
    await until(() => calls >= 4);
    await live.stop();
    expect(maxInFlight).toBe(1);
    expect(inFlight).toBe(0);
  });

  it('logs a failing sink and carries on with the next batch', async () => {
    const clock = steppingClock();
    const error = vi.fn();
    let calls = 0;
    const live = startLiveSimulation({
      simulator: new CentreSimulator({ seed: 2, startMs: NINE_AM }),
      clock,
      tickMs: 1,
      logger: { error },
      sink: () => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('store down')) : Promise.resolve();
      },
    });
    await until(() => calls >= 3);
    await live.stop();
    expect(error).toHaveBeenCalledTimes(1);
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it('stop() waits for the batch in flight and then nothing more is sent', async () => {
    const clock = steppingClock();
    let calls = 0;
    let finished = 0;
    const live = startLiveSimulation({
      simulator: new CentreSimulator({ seed: 2, startMs: NINE_AM }),
      clock,
      tickMs: 1,
      sink: async () => {
        calls++;
        await sleep(30);
        finished++;
      },
    });
    await until(() => calls >= 1);
    await live.stop();
    expect(finished).toBe(calls);
    const after = calls;
    clock.advance(3_600_000);
    await sleep(30);
    expect(calls).toBe(after);
  });
});
