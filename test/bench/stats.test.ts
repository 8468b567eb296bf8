import { describe, expect, it } from 'vitest';
import {
  groupStatistics,
  MEDIAN_CI_MIN_SAMPLES,
  meanInterval,
  medianInterval,
  percentile,
  sampleStatistics,
} from '../../src/bench/stats.js';

/** Worked cases: each expected figure computed by hand from its definition (and the t table). */
const oneToTen = [3, 1, 4, 10, 5, 9, 2, 6, 8, 7];
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("a benchmark's statistics (SeBS's method)", () => {
  it('mean, median, population std, CV and percentiles (numpy linear) of 1..10', () => {
    const s = sampleStatistics(oneToTen);
    expect(s).toMatchObject({ count: 10, mean: 5.5, median: 5.5, min: 1, max: 10, p50: 5.5 });
    expect(s.std).toBeCloseTo(Math.sqrt(8.25), 12); // Σ(x − 5.5)² / 10 = 82.5 / 10
    expect(s.cv).toBeCloseTo((100 * Math.sqrt(8.25)) / 5.5, 10); // 52.22 %
    expect(s.p90).toBeCloseTo(9.1, 12); // rank 0.9 × 9 = 8.1: 9 + 0.1 × (10 − 9)
    expect(s.p95).toBeCloseTo(9.55, 12);
    expect(s.p99).toBeCloseTo(9.91, 12);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("Student-t interval of the mean: n − 1 degrees of freedom, the sample's SEM", () => {
    // sd (ddof 1) = √(82.5 / 9) = 3.0277, SEM = 0.95743; t(0.975, 9) = 2.262157, t(0.995, 9) = 3.249836
    const sem = Math.sqrt(82.5 / 9) / Math.sqrt(10);
    const ci95 = meanInterval(oneToTen, 0.95);
    expect(ci95?.low).toBeCloseTo(5.5 - 2.262157 * sem, 5);
    expect(ci95?.high).toBeCloseTo(5.5 + 2.262157 * sem, 5);
    expect(ci95?.withinPct).toBeCloseTo((100 * 2.262157 * sem) / 5.5, 4); // 39.38 %
    const ci99 = meanInterval(oneToTen, 0.99);
    expect(ci99?.high).toBeCloseTo(5.5 + 3.249836 * sem, 5);
    // Two samples: t(0.975, 1) = 12.7062
    expect(meanInterval([1, 3], 0.95)?.high).toBeCloseTo(2 + 12.706205 * (Math.SQRT2 / Math.SQRT2), 4);
    expect(meanInterval([1], 0.95)).toBeUndefined();
  });

  it("Le Boudec's interval of the median: ranks ⌊(n − z√n)/2⌋ and ⌈1 + (n + z√n)/2⌉, only above 20 samples", () => {
    const sorted = oneTo(25);
    // z√n = 1.96 × 5 = 9.8: ranks ⌊7.6⌋ = 7 and ⌈18.4⌉ = 19, the values 8 and 20
    expect(medianInterval(sorted, 0.95)).toEqual({ low: 8, high: 20, withinPct: (100 * 12) / 13 / 2 });
    // z√n = 2.576 × 5 = 12.88: ranks ⌊6.06⌋ = 6 and ⌈19.94⌉ = 20, the values 7 and 21
    expect(medianInterval(sorted, 0.99)).toMatchObject({ low: 7, high: 21 });
    expect(MEDIAN_CI_MIN_SAMPLES).toBe(21);
    expect(medianInterval(oneTo(20), 0.95)).toBeUndefined();
    // n = 21: z√n = 8.982: ranks 6 and 16
    expect(medianInterval(oneTo(21), 0.95)).toMatchObject({ low: 7, high: 17 });
    const s = sampleStatistics(oneTo(25).reverse());
    expect(s.medianCi?.[0.95]).toMatchObject({ low: 8, high: 20 });
    expect(sampleStatistics(oneToTen).medianCi).toBeUndefined();
  });

  it('leaves out what is not a number, and groups (cold apart from warm)', () => {
    expect(sampleStatistics([1, Number.NaN, 3, Number.POSITIVE_INFINITY])).toMatchObject({
      count: 2,
      mean: 2,
    });
    const empty = sampleStatistics([]);
    expect(empty.count).toBe(0);
    expect(empty.mean).toBeNaN();
    expect(empty.meanCi).toBeUndefined();
    const calls = [
      { cold: true, ms: 300 },
      { cold: false, ms: 5 },
      { cold: false, ms: 7 },
      { cold: true, ms: 340 },
    ];
    const groups = groupStatistics(
      calls,
      (c) => (c.cold ? 'cold' : 'warm'),
      (c) => c.ms,
    );
    expect(groups.cold).toMatchObject({ count: 2, mean: 320, median: 320 });
    expect(groups.warm).toMatchObject({ count: 2, mean: 6 });
  });
});
