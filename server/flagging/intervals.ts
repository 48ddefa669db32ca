/**
 * Honest figures for small numbers (flagging-methods.md sections 3.1 and 3.2): the Wilson score interval for a rate,
 * and empirical-Bayes beta-binomial shrinkage, so an agent with 3 of 4 cannot top or bottom a table by chance.
 */
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';

/** Wilson score interval for x of n (z 1.96: 95%); null when n is 0. */
export function wilson(x: number, n: number, z = 1.959964): { lower: number; upper: number } | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

export interface BetaPrior {
  alpha: number;
  beta: number;
}

/**
 * A beta prior for units' rates by the method of moments: m = Σy/Σn; between-unit variance = observed variance of
 * the rates less the mean binomial variance (floored); α + β = m(1−m)/v − 1. Null without at least 2 units with data.
 */
export function betaPriorFromUnits(units: { y: number; n: number }[], minVariance = 1e-4): BetaPrior | null {
  const used = units.filter((u) => u.n > 0);
  if (used.length < 2) return null;
  const m = used.reduce((s, u) => s + u.y, 0) / used.reduce((s, u) => s + u.n, 0);
  if (m <= 0 || m >= 1) return null;
  const rates = used.map((u) => u.y / u.n);
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  const observed = rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (rates.length - 1);
  const binomial = used.reduce((a, u) => a + (m * (1 - m)) / u.n, 0) / used.length;
  const v = Math.max(minVariance, observed - binomial);
  const strength = Math.max(1e-6, (m * (1 - m)) / v - 1);
  return { alpha: m * strength, beta: (1 - m) * strength };
}

export interface Shrunken {
  /** Posterior mean (α + y) / (α + β + n). */
  mean: number;
  /** Weight on the unit's own rate, n / (n + α + β). */
  weight: number;
  lower: number;
  upper: number;
}

/** The posterior Beta(α + y, β + n − y): its mean, the weight on the raw rate and a 95% credible interval. */
export function shrink(y: number, n: number, prior: BetaPrior): Shrunken {
  const a = prior.alpha + y;
  const b = prior.beta + n - y;
  return { mean: a / (a + b), weight: n / (n + prior.alpha + prior.beta), lower: betaQuantile(0.025, a, b), upper: betaQuantile(0.975, a, b) };
}

/** Posterior probability that the unit's true rate is below `threshold`. */
export function probabilityBelow(y: number, n: number, prior: BetaPrior, threshold: number): number {
  return betaCdf(threshold, prior.alpha + y, prior.beta + n - y);
}

/**
 * Newcombe's hybrid score interval (method 10) for the difference of two independent rates, x2/n2 − x1/n1, built
 * from the two Wilson intervals; null when either side has no observations.
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, z = 1.959964): { diff: number; lower: number; upper: number } | null {
  const w1 = wilson(x1, n1, z);
  const w2 = wilson(x2, n2, z);
  if (!w1 || !w2) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const diff = p2 - p1;
  return {
    diff,
    lower: diff - Math.sqrt((p2 - w2.lower) ** 2 + (w1.upper - p1) ** 2),
    upper: diff + Math.sqrt((w2.upper - p2) ** 2 + (p1 - w1.lower) ** 2),
  };
}
