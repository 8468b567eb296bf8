import { describe, expect, it } from 'vitest';
import { INDEX_NAMES, type Indexes } from '../../../src/sim/analysis/indexes.js';
import {
  type ExperimentRow,
  indexStats,
  pandasMean,
  sampleStd,
  studentTQuantile,
  summarizeReplications,
} from '../../../src/sim/analysis/replications.js';

function row(seed: number, percentage: number, strategy: string, value: number): ExperimentRow {
  const indexes = Object.fromEntries(INDEX_NAMES.map((name) => [name, value])) as Indexes;
  return { seed, percentage, strategy, indexes };
}

describe('studentTQuantile', () => {
  it('has the closed forms for 1 and 2 degrees of freedom', () => {
    // df = 1 (Cauchy): tan(π(p − ½)); df = 2: (2p − 1)/√(2p(1 − p)) = 0.95/√0.04875 = 4.302653.
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(Math.tan(Math.PI * 0.475), 9);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(0.95 / Math.sqrt(2 * 0.975 * 0.025), 10);
  });

  it("matches the tables (scipy's t.ppf(0.975, df))", () => {
    const table: [number, number][] = [
      [3, 3.1824463052837078],
      [4, 2.7764451051977934],
      [5, 2.5705818356363146],
      [9, 2.262157162798205],
      [10, 2.228138851986274],
      [29, 2.045229642132703],
      [30, 2.0422724563012378],
      [100, 1.9839715185235518],
      [1000, 1.9623390808264083],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 10);
  });

  it('refuses a p below the median or no degrees of freedom', () => {
    expect(() => studentTQuantile(0.2, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
  });
});

describe('indexStats', () => {
  it('mean, sample std and 95 % half-width of 1..5', () => {
    // mean 3; s² = (4 + 1 + 0 + 1 + 4)/4 = 2.5, s = 1.5811388; half = t(0.975, 4) · s/√5
    // = 2.7764451 × 0.7071068 = 1.9632432.
    const s = indexStats([1, 2, 3, 4, 5]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(3);
    expect(s.std).toBeCloseTo(Math.sqrt(2.5), 14);
    expect(s.halfWidth).toBeCloseTo(1.9632432, 6);
  });

  it('gives no interval for one replication and skips NaN', () => {
    const one = indexStats([42]);
    expect(one).toMatchObject({ n: 1, mean: 42, halfWidth: undefined });
    expect(one.std).toBeNaN();
    // NaN skipped: [10, 14] → mean 12, s = √8 = 2.8284271, half = 12.7062047 × 2.8284271/√2 = 25.4124095.
    const two = indexStats([10, Number.NaN, 14]);
    expect(two).toMatchObject({ n: 2, mean: 12 });
    expect(two.halfWidth).toBeCloseTo(25.4124095, 6);
    expect(indexStats([Number.NaN]).mean).toBeNaN();
  });

  it("pandas' mean is Kahan-compensated", () => {
    // 1e16 + 1 is lost (ties to 1e16) but the compensation carries it: the sum reaches 1e16 + 2.
    expect(pandasMean([1e16, 1, 1])).toBe((1e16 + 2) / 3);
    expect((1e16 + 1 + 1) / 3).not.toBe((1e16 + 2) / 3);
    expect(pandasMean([1, Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
    expect(sampleStd([1])).toBeNaN();
  });
});

describe('summarizeReplications', () => {
  it('groups by (percentage, strategy) in groupby order', () => {
    const groups = summarizeReplications([
      row(1, 60, 'node_margin_strategy', 80),
      row(1, 30, 'equal_strategy', 90),
      row(2, 60, 'node_margin_strategy', 84),
      row(1, 30, 'base_strategy', 70),
      row(1, 60, 'base_strategy', 60),
    ]);
    expect(groups.map((g) => [g.percentage, g.strategy, g.rows])).toEqual([
      [30, 'base_strategy', 1],
      [30, 'equal_strategy', 1],
      [60, 'base_strategy', 1],
      [60, 'node_margin_strategy', 2],
    ]);
    // 80 and 84: mean 82, s = √8, half-width t(0.975, 1) · √8/√2 = 12.7062047 × 2 = 25.4124095.
    const nm = groups[3]?.indexes['Mean success rate'];
    expect(nm?.mean).toBe(82);
    expect(nm?.halfWidth).toBeCloseTo(25.4124095, 6);
    expect(groups[0]?.indexes['Tot. rejected requests'].halfWidth).toBeUndefined();
  });
});
