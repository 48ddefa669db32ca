/**
 * Funnel plots of agents (or teams) by volume (Spiegelhalter 2005; flagging-methods.md section 2): limits around the
 * peer rate θ0 at each volume n, at 95% (z 1.96) and 99.8% (z 3.09), from the exact binomial with interpolation (or
 * the normal approximation), widened for overdispersion by the DerSimonian–Laird additive random effect τ² (or the
 * multiplicative φ) estimated from winsorised z-scores, as FunnelPlotR does.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import binomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

export const FUNNEL_LEVELS = { '95': 0.025, '99.8': 0.001 } as const;
export type FunnelLevel = keyof typeof FUNNEL_LEVELS;

export interface FunnelLimits {
  lower: number;
  upper: number;
}

/** Normal-approximation limits θ0 ± z·√(θ0(1−θ0)/n + τ²) (τ² = 0: unadjusted). */
export function normalFunnel(theta0: number, n: number, level: FunnelLevel, tau2 = 0): FunnelLimits {
  const z = -normalQuantile(FUNNEL_LEVELS[level], 0, 1);
  const se = Math.sqrt((theta0 * (1 - theta0)) / n + tau2);
  return { lower: Math.max(0, theta0 - z * se), upper: Math.min(1, theta0 + z * se) };
}

/** Exact binomial limits with Spiegelhalter's interpolation: (r_p − α)/n, α = (F(r_p) − p)/(F(r_p) − F(r_p − 1)). */
export function exactFunnel(theta0: number, n: number, level: FunnelLevel): FunnelLimits {
  const p = FUNNEL_LEVELS[level];
  const limit = (q: number) => {
    const r = binomialQuantile(q, n, theta0);
    const f = binomialCdf(r, n, theta0);
    const below = r > 0 ? binomialCdf(r - 1, n, theta0) : 0;
    const alpha = f === below ? 0 : (f - q) / (f - below);
    return Math.min(1, Math.max(0, (r - alpha) / n));
  };
  return { lower: limit(p), upper: limit(1 - p) };
}

export interface Overdispersion {
  /** Dispersion ratio: mean squared winsorised z-score. */
  phi: number;
  /** DerSimonian–Laird between-unit variance (0 when the spread is no more than binomial noise). */
  tau2: number;
  /** Each unit's unadjusted z-score. */
  z: number[];
}

/** φ and τ² from units' counts (y bad-or-good of n), against θ0; z-scores winsorised at `trim` and 1 − trim. */
export function overdispersion(units: { y: number; n: number }[], theta0: number, trim = 0.1): Overdispersion {
  const used = units.filter((u) => u.n > 0);
  const s = used.map((u) => Math.sqrt((theta0 * (1 - theta0)) / u.n));
  const z = used.map((u, i) => (u.y / u.n - theta0) / (s[i] as number));
  const sorted = [...z].sort((a, b) => a - b);
  const lo = quantile7(sorted, trim);
  const hi = quantile7(sorted, 1 - trim);
  const zw = z.map((x) => Math.min(hi, Math.max(lo, x)));
  const count = zw.length;
  const phi = count === 0 ? 1 : zw.reduce((acc, x) => acc + x * x, 0) / count;
  const w = s.map((x) => 1 / (x * x));
  const sw = w.reduce((a, b) => a + b, 0);
  const sw2 = w.reduce((a, b) => a + b * b, 0);
  const tau2 = count * phi <= count - 1 || sw === 0 ? 0 : (count * phi - (count - 1)) / (sw - sw2 / sw);
  return { phi, tau2, z };
}

/** Quantile by linear interpolation between order statistics (R's default, type 7). */
export function quantile7(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(sorted.length - 1, lo + 1)] as number;
  return a + (h - lo) * (b - a);
}
