/** Funnel limits, with and without overdispersion, and the honest-uncertainty helpers: Wilson intervals and shrinkage. */
import { describe, expect, it } from 'vitest';
import { exactFunnel, normalFunnel, overdispersion, quantile7 } from '../../../server/flagging/funnel.js';
import { betaPriorFromUnits, probabilityBelow, shrink, wilson } from '../../../server/flagging/intervals.js';

describe('funnel limits', () => {
  it('normal approximation: θ0 ± z·√(θ0(1−θ0)/n)', () => {
    const f = normalFunnel(0.85, 100, '95');
    const half = 1.959964 * Math.sqrt((0.85 * 0.15) / 100);
    expect(f.lower).toBeCloseTo(0.85 - half, 6);
    expect(f.upper).toBeCloseTo(0.85 + half, 6);
    const wide = normalFunnel(0.85, 100, '99.8');
    expect(wide.lower).toBeCloseTo(0.85 - 3.090232 * Math.sqrt((0.85 * 0.15) / 100), 6);
  });

  it('exact binomial with interpolation: θ0 0.5, n 10, 95%', () => {
    // r = 2: F(1) = 11/1024, F(2) = 56/1024; α = (F(2) − 0.025)/(F(2) − F(1)).
    const lowAlpha = (56 / 1024 - 0.025) / (56 / 1024 - 11 / 1024);
    // r = 8: F(7) = 968/1024, F(8) = 1013/1024.
    const highAlpha = (1013 / 1024 - 0.975) / (1013 / 1024 - 968 / 1024);
    const f = exactFunnel(0.5, 10, '95');
    expect(f.lower).toBeCloseTo((2 - lowAlpha) / 10, 9);
    expect(f.upper).toBeCloseTo((8 - highAlpha) / 10, 9);
  });

  it('limits narrow as volume grows', () => {
    const a = exactFunnel(0.85, 20, '99.8');
    const b = exactFunnel(0.85, 400, '99.8');
    expect(b.lower).toBeGreaterThan(a.lower);
    expect(b.upper).toBeLessThan(a.upper);
  });

  it('overdispersion: φ from winsorised z-scores and the DerSimonian–Laird τ²', () => {
    // θ0 0.5, n 100 (s = 0.05): z-scores −3, −2, −1, −1, 0, 0, 1, 1, 2, 3.
    const units = [35, 40, 45, 45, 50, 50, 55, 55, 60, 65].map((y) => ({ y, n: 100 }));
    const plain = overdispersion(units, 0.5, 0);
    expect(plain.phi).toBeCloseTo(3, 9);
    // w = 400 each: Σw − Σw²/Σw = 4000 − 400.
    expect(plain.tau2).toBeCloseTo((10 * 3 - 9) / 3600, 9);
    const trimmed = overdispersion(units, 0.5, 0.1);
    // Type-7 10th and 90th percentiles: −2.1 and 2.1.
    expect(trimmed.phi).toBeCloseTo((2 * 2.1 ** 2 + 2 * 4 + 4) / 10, 9);
    expect(trimmed.tau2).toBeCloseTo((10 * trimmed.phi - 9) / 3600, 9);
    // Adjusted limits are wider.
    expect(normalFunnel(0.5, 100, '95', plain.tau2).lower).toBeLessThan(normalFunnel(0.5, 100, '95').lower);
  });

  it('no more spread than binomial noise gives τ² = 0', () => {
    const units = [49, 50, 51, 50, 50].map((y) => ({ y, n: 100 }));
    expect(overdispersion(units, 0.5, 0).tau2).toBe(0);
  });

  it('type-7 quantiles', () => {
    expect(quantile7([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile7([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.1)).toBeCloseTo(1.9, 12);
  });
});

describe('Wilson interval', () => {
  it.each([
    [3, 4, 0.3006, 0.9544],
    [0, 10, 0, 0.2775],
    [10, 10, 0.7225, 1],
    [85, 100, 0.7672, 0.9069],
  ])('%i of %i: %f to %f', (x, n, lo, hi) => {
    const w = wilson(x, n);
    expect(w?.lower).toBeCloseTo(lo, 4);
    expect(w?.upper).toBeCloseTo(hi, 4);
  });

  it('is null with no data', () => {
    expect(wilson(0, 0)).toBeNull();
  });
});

describe('empirical-Bayes shrinkage', () => {
  it('posterior mean and weight for 3 of 5 against a prior worth 40 responses at 85%', () => {
    const s = shrink(3, 5, { alpha: 34, beta: 6 });
    expect(s.mean).toBeCloseTo(37 / 45, 12);
    expect(s.weight).toBeCloseTo(5 / 45, 12);
    expect(s.lower).toBeLessThan(s.mean);
    expect(s.upper).toBeGreaterThan(s.mean);
    // A 3-of-4 agent does not top a table: shrunk towards 85%, not 75%.
    expect(shrink(3, 4, { alpha: 34, beta: 6 }).mean).toBeGreaterThan(0.83);
  });

  it('method-of-moments prior from units', () => {
    const prior = betaPriorFromUnits([80, 90, 80, 90].map((y) => ({ y, n: 100 })));
    const v = (4 * 0.05 ** 2) / 3 - (0.85 * 0.15) / 100;
    const strength = (0.85 * 0.15) / v - 1;
    expect(prior?.alpha).toBeCloseTo(0.85 * strength, 6);
    expect(prior?.beta).toBeCloseTo(0.15 * strength, 6);
    expect(betaPriorFromUnits([{ y: 5, n: 10 }])).toBeNull();
  });

  it('probability the true rate is below a threshold', () => {
    const prior = { alpha: 34, beta: 6 };
    expect(probabilityBelow(60, 100, prior, 0.8)).toBeGreaterThan(0.99);
    expect(probabilityBelow(95, 100, prior, 0.8)).toBeLessThan(0.01);
  });
});
