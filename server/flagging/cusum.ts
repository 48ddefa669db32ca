/**
 * One-sided CUSUMs for individual change detection (DOMAIN.md section 5, flagging-methods.md section 3.4).
 *
 * Bernoulli CUSUM on bad outcomes (a dissatisfied survey, a contact not resolved first time):
 *   S = max(0, S + y·ln(p1/p0) + (1−y)·ln((1−p1)/(1−p0))), signal when S > h,
 * with p0 the peers' bad rate and p1 the rate worth detecting (risk-adjusted: p0 per observation).
 * Normal CUSUM on standardised values (log handle time against peers): S = max(0, S + z − k), signal when S > h.
 *
 * h is chosen from a stated false-flag budget: the in-control average run length (ARL0) is computed with the
 * Brook & Evans Markov chain, and h is the smallest value whose ARL0 keeps false flags within budget.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface BernoulliWeights {
  /** Added for a bad outcome. */
  bad: number;
  /** Added for a good outcome (negative). */
  good: number;
}

export function bernoulliWeights(p0: number, p1: number): BernoulliWeights {
  if (!(p0 > 0 && p0 < 1 && p1 > 0 && p1 < 1)) throw new RangeError('p0 and p1 must lie strictly between 0 and 1');
  return { bad: Math.log(p1 / p0), good: Math.log((1 - p1) / (1 - p0)) };
}

export class BernoulliCusum {
  s = 0;
  private readonly w: BernoulliWeights;

  constructor(
    readonly p0: number,
    readonly p1: number,
    readonly h: number,
  ) {
    this.w = bernoulliWeights(p0, p1);
  }

  /** Adds one outcome (true = bad); returns whether the CUSUM signals. `p0` overrides the baseline for this one (risk adjustment). */
  add(bad: boolean, p0?: number): boolean {
    const w = p0 === undefined ? this.w : riskAdjusted(p0, this.p1 / (1 - this.p1) / (this.p0 / (1 - this.p0)));
    this.s = Math.max(0, this.s + (bad ? w.bad : w.good));
    return this.s > this.h;
  }

  reset(): void {
    this.s = 0;
  }
}

/** Steiner et al. (2000): the weights for an observation with expected bad rate p against an odds ratio R. */
export function riskAdjusted(p: number, oddsRatio: number): BernoulliWeights {
  const denom = Math.log(1 - p + oddsRatio * p);
  return { bad: Math.log(oddsRatio) - denom, good: -denom };
}

export class NormalCusum {
  s = 0;
  constructor(
    readonly k: number,
    readonly h: number,
  ) {}

  add(z: number): boolean {
    this.s = Math.max(0, this.s + z - this.k);
    return this.s > this.h;
  }

  reset(): void {
    this.s = 0;
  }
}

/**
 * ARL of a Bernoulli CUSUM (in observations) when the true bad rate is `p`: Brook & Evans Markov chain on a grid whose
 * step divides the good-outcome weight exactly (`perGood` steps), so only the bad weight is rounded (by < 0.5%).
 */
export function bernoulliArl(p0: number, p1: number, h: number, p = p0, perGood = 40): number {
  const w = bernoulliWeights(p0, p1);
  const step = Math.abs(w.good) / perGood;
  const cells = Math.ceil(h / step);
  const up = Math.round(w.bad / step);
  return markovArl(cells, (i) => [
    [i + up, p],
    [Math.max(0, i - perGood), 1 - p],
  ]);
}

/**
 * ARL of a one-sided normal CUSUM (in observations) for standardised values with mean `shift`: Brook & Evans with
 * `cells` states, state j standing for S near j·w, w = 2h / (2·cells − 1).
 */
export function normalArl(k: number, h: number, shift = 0, cells = 300): number {
  const w = (2 * h) / (2 * cells - 1);
  return markovArl(cells, (i) => {
    const s = i * w;
    const out: [number, number][] = [[0, normalCdf(w / 2 - s + k - shift, 0, 1)]];
    for (let j = 1; j < cells; j++) out.push([j, normalCdf((j + 0.5) * w - s + k - shift, 0, 1) - normalCdf((j - 0.5) * w - s + k - shift, 0, 1)]);
    return out;
  });
}

/**
 * Expected steps to leave [0, cells) starting in state 0, for a chain whose transitions from state i are given as
 * (next state, probability) pairs; a next state at or beyond `cells` is a signal. Solves (I − Q) L = 1.
 */
function markovArl(cells: number, from: (i: number) => [number, number][]): number {
  const n = cells;
  const a: Float64Array[] = Array.from({ length: n }, () => new Float64Array(n + 1));
  for (let i = 0; i < n; i++) {
    const row = a[i] as Float64Array;
    row[i] = 1;
    row[n] = 1;
    for (const [j, prob] of from(i)) if (j < n && j >= 0) row[j] = (row[j] as number) - prob;
  }
  // Gaussian elimination with partial pivoting.
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs((a[r] as Float64Array)[c] as number) > Math.abs((a[pivot] as Float64Array)[c] as number)) pivot = r;
    [a[c], a[pivot]] = [a[pivot] as Float64Array, a[c] as Float64Array];
    const pr = a[c] as Float64Array;
    const pv = pr[c] as number;
    for (let r = c + 1; r < n; r++) {
      const row = a[r] as Float64Array;
      const f = (row[c] as number) / pv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) row[k] = (row[k] as number) - f * (pr[k] as number);
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    const row = a[r] as Float64Array;
    let s = row[n] as number;
    for (let k = r + 1; k < n; k++) s -= (row[k] as number) * (x[k] as number);
    x[r] = s / (row[r] as number);
  }
  return x[0] as number;
}

/**
 * The decision interval h for a Bernoulli CUSUM whose false flags stay within `per100Days` per 100 agent-days at
 * `obsPerDay` observations a day: the smallest h (to 0.05) with ARL0 ≥ 100 × obsPerDay / per100Days.
 */
export function bernoulliHForBudget(p0: number, p1: number, obsPerDay: number, per100Days: number): number {
  const needed = (100 * obsPerDay) / per100Days;
  let lo = 0.5;
  let hi = 20;
  while (hi - lo > 0.05) {
    const mid = (lo + hi) / 2;
    if (bernoulliArl(p0, p1, mid) >= needed) hi = mid;
    else lo = mid;
  }
  return Math.round(hi * 20) / 20;
}
