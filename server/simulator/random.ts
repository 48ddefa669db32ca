/**
 * Seeded random streams for the simulator: MT19937 (@stdlib) feeding @stdlib's distribution samplers, so a seed
 * replays exactly and no distribution is hand-rolled.
 */
import exponentialDist from '@stdlib/random-base-exponential';
import lognormalDist from '@stdlib/random-base-lognormal';
import mt19937 from '@stdlib/random-base-mt19937';
import normalDist from '@stdlib/random-base-normal';
import poissonDist from '@stdlib/random-base-poisson';

/** @stdlib's factory result has `normalized` at run time, but its type declarations omit it. */
type Mt19937 = ReturnType<typeof mt19937.factory> & { normalized: () => number };

/** Named streams, so e.g. agents' persistent traits do not shift when the contact flow draws more numbers. */
export const STREAMS = { flow: 1, agents: 2, scenarios: 3 } as const;

/** Splits a (possibly negative, possibly > 32-bit) integer into uint32 words for the MT19937 seed array. */
function seedWords(...values: number[]): number[] {
  const words: number[] = [];
  for (const v of values) {
    const lo = Math.abs(v) % 2 ** 32;
    const hi = Math.floor(Math.abs(v) / 2 ** 32) % 2 ** 21;
    words.push(lo >>> 0, (hi + (v < 0 ? 2 ** 21 : 0)) >>> 0);
  }
  return words;
}

export class Rng {
  private readonly mt: Mt19937;
  private readonly normalFn: (mu: number, sigma: number) => number;
  private readonly lognormalFn: (mu: number, sigma: number) => number;
  private readonly exponentialFn: (lambda: number) => number;
  private readonly poissonFn: (lambda: number) => number;

  /** `parts` identify the stream, e.g. (seed, STREAMS.flow, startMs). */
  constructor(...parts: number[]) {
    this.mt = mt19937.factory({ seed: seedWords(...parts) }) as Mt19937;
    const prng = this.mt.normalized;
    this.normalFn = normalDist.factory({ prng });
    this.lognormalFn = lognormalDist.factory({ prng });
    this.exponentialFn = exponentialDist.factory({ prng });
    this.poissonFn = poissonDist.factory({ prng });
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return this.mt.normalized();
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.mt.normalized();
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor((max - min + 1) * this.mt.normalized());
  }

  chance(p: number): boolean {
    return this.mt.normalized() < p;
  }

  normal(mean: number, sd: number): number {
    return this.normalFn(mean, sd);
  }

  /** Log-normal given its median (exp of mu) and the sd of its log. */
  lognormal(median: number, sdLog: number): number {
    return this.lognormalFn(Math.log(median), sdLog);
  }

  exponential(mean: number): number {
    return this.exponentialFn(1 / mean);
  }

  poisson(mean: number): number {
    return mean <= 0 ? 0 : this.poissonFn(mean);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(items.length * this.mt.normalized())];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Picks by relative weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.mt.normalized() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor((i + 1) * this.mt.normalized());
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  }
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
export const logit = (p: number): number => Math.log(p / (1 - p));
