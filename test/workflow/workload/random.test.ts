import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/core/random.js';
import { exponential, gamma, poisson, standardNormal } from '../../../src/workflow/workload/random.js';

/**
 * Checks the sample mean and variance of `count` draws against the distribution's, within 5
 * standard errors (the variance's error needs the kurtosis, E[(x−μ)⁴]/σ⁴). The seeds are fixed,
 * so the bounds only have to hold for these draws; they are tight enough to catch a bias of a
 * few standard errors.
 */
function expectMoments(
  count: number,
  draw: () => number,
  expected: { mean: number; variance: number; kurtosis: number },
): void {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / count;
  const variance = squares / count - mean * mean;
  expect(Math.abs(mean - expected.mean)).toBeLessThan(5 * Math.sqrt(expected.variance / count));
  expect(Math.abs(variance - expected.variance)).toBeLessThan(
    5 * expected.variance * Math.sqrt((expected.kurtosis - 1) / count),
  );
}

/** How often `k` occurs among the draws. */
function frequency(draws: number[], k: number): number {
  return draws.filter((x) => x === k).length / draws.length;
}

function poissonPmf(mean: number, k: number): number {
  let p = Math.exp(-mean);
  for (let i = 1; i <= k; i++) p *= mean / i;
  return p;
}

describe('exponential', () => {
  it('has mean m and variance m²', () => {
    const rng = seededRandom(1);
    expectMoments(50_000, () => exponential(rng, 2), { mean: 2, variance: 4, kurtosis: 9 });
  });

  it('rejects a mean that is not > 0', () => {
    expect(() => exponential(seededRandom(1), 0)).toThrow(RangeError);
  });
});

describe('standardNormal', () => {
  it('has mean 0 and variance 1', () => {
    const rng = seededRandom(2);
    expectMoments(50_000, () => standardNormal(rng), { mean: 0, variance: 1, kurtosis: 3 });
  });
});

describe('gamma', () => {
  it.each([
    [4, 0.375],
    [1, 2],
    [0.5, 2],
    [0.2, 1],
    [30, 0.1],
  ])('Gamma(%s, %s) has mean k·θ and variance k·θ²', (shape, scale) => {
    const rng = seededRandom(3);
    expectMoments(60_000, () => gamma(rng, shape, scale), {
      mean: shape * scale,
      variance: shape * scale * scale,
      kurtosis: 3 + 6 / shape,
    });
  });

  it('never draws a negative value', () => {
    const rng = seededRandom(4);
    for (let i = 0; i < 10_000; i++) expect(gamma(rng, 0.3, 1)).toBeGreaterThanOrEqual(0);
  });

  it('rejects a shape or scale that is not > 0', () => {
    expect(() => gamma(seededRandom(1), 0, 1)).toThrow(RangeError);
    expect(() => gamma(seededRandom(1), 1, -1)).toThrow(RangeError);
  });
});

describe('poisson', () => {
  it.each([0.5, 3, 9.9, 10, 20, 37.5, 150, 500])('Poisson(%s) has mean and variance equal to it', (m) => {
    const rng = seededRandom(5);
    expectMoments(40_000, () => poisson(rng, m), { mean: m, variance: m, kurtosis: 3 + 1 / m });
  });

  it.each([2, 20, 500])('Poisson(%s) gives integers whose frequencies follow the pmf', (m) => {
    const rng = seededRandom(6);
    const draws = Array.from({ length: 60_000 }, () => poisson(rng, m));
    expect(draws.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
    const centre = Math.floor(m);
    for (let k = Math.max(0, centre - 6); k <= centre + 6; k++) {
      expect(Math.abs(frequency(draws, k) - poissonPmf(m, k))).toBeLessThan(0.006);
    }
  });

  it('gives 0 for mean 0 without drawing', () => {
    let calls = 0;
    const rng = () => {
      calls++;
      return 0.5;
    };
    expect(poisson(rng, 0)).toBe(0);
    expect(calls).toBe(0);
  });

  it('rejects a negative or infinite mean', () => {
    expect(() => poisson(seededRandom(1), -1)).toThrow(RangeError);
    expect(() => poisson(seededRandom(1), Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('is the same for the same seed', () => {
    const a = seededRandom(9);
    const b = seededRandom(9);
    for (let i = 0; i < 100; i++) expect(poisson(a, 7.5)).toBe(poisson(b, 7.5));
  });
});
