/**
 * The statistics of a benchmark's samples, after SeBS's method (sebs/statistics.py), with
 * percentiles beside it: count, mean, median, population standard deviation and CV; the Student-t
 * confidence interval of the mean (SEM with n − 1 degrees of freedom, as scipy's t.interval); and
 * the non-parametric confidence interval of the median (Le Boudec, "Performance Evaluation of
 * Computer and Communication Systems", 2010), defined only for more than 20 samples. The t
 * quantile is @stdlib's (the inverse of the regularised incomplete beta function).
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** The confidence levels reported, and the normal quantiles Le Boudec's interval uses for them. */
export const CONFIDENCE_LEVELS = [0.95, 0.99] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];
const Z: Record<ConfidenceLevel, number> = { 0.95: 1.96, 0.99: 2.576 };

/** The median interval needs more samples than this (SeBS's and Le Boudec's rule). */
export const MEDIAN_CI_MIN_SAMPLES = 21;

export interface Interval {
  low: number;
  high: number;
  /** Half the width, in percent of the centre (mean or median): "within X% of the mean". */
  withinPct: number;
}

export interface SampleStatistics {
  count: number;
  mean: number;
  median: number;
  /** Population standard deviation (ddof 0, numpy's default, as SeBS reports it). */
  std: number;
  /** Coefficient of variation, std / mean × 100. */
  cv: number;
  min: number;
  max: number;
  /** Percentiles by linear interpolation between the closest ranks (numpy's default). */
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  /** Student-t interval of the mean at each level; absent below 2 samples. */
  meanCi?: Record<ConfidenceLevel, Interval>;
  /** Le Boudec's interval of the median at each level; absent at 20 samples or fewer. */
  medianCi?: Record<ConfidenceLevel, Interval>;
}

/** The p-th percentile (0..100) of ascending `sorted` by linear interpolation (numpy's default). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = ((sorted.length - 1) * p) / 100;
  const below = Math.floor(rank);
  const above = Math.min(below + 1, sorted.length - 1);
  const lo = sorted[below] as number;
  return lo + ((sorted[above] as number) - lo) * (rank - below);
}

const within = (low: number, high: number, centre: number): Interval => ({
  low,
  high,
  withinPct: (100 * (high - low)) / centre / 2,
});

/** Student-t interval of the mean: mean ± t(level, n − 1) × sample std (ddof 1) / √n. */
export function meanInterval(values: readonly number[], level: ConfidenceLevel): Interval | undefined {
  const n = values.length;
  if (n < 2) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sampleStd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = tQuantile((1 + level) / 2, n - 1) * (sampleStd / Math.sqrt(n));
  return within(mean - half, mean + half, mean);
}

/**
 * Le Boudec's interval of the median of ascending `sorted`: the samples at 0-based ranks
 * ⌊(n − z√n)/2⌋ and ⌈1 + (n + z√n)/2⌉; undefined at 20 samples or fewer.
 */
export function medianInterval(sorted: readonly number[], level: ConfidenceLevel): Interval | undefined {
  const n = sorted.length;
  if (n < MEDIAN_CI_MIN_SAMPLES) return undefined;
  const spread = Z[level] * Math.sqrt(n);
  const low = sorted[Math.max(0, Math.floor((n - spread) / 2))] as number;
  const high = sorted[Math.min(n - 1, Math.ceil(1 + (n + spread) / 2))] as number;
  return within(low, high, percentile(sorted, 50));
}

/** Every statistic of a sample (NaN where it has none; the non-finite values are left out). */
export function sampleStatistics(values: readonly number[]): SampleStatistics {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n > 0 ? sorted.reduce((a, b) => a + b, 0) / n : Number.NaN;
  const std = n > 0 ? Math.sqrt(sorted.reduce((a, v) => a + (v - mean) ** 2, 0) / n) : Number.NaN;
  const byLevel = (f: (level: ConfidenceLevel) => Interval | undefined) => {
    const entries = CONFIDENCE_LEVELS.map((level) => [level, f(level)] as const);
    return entries.every(([, i]) => i !== undefined)
      ? (Object.fromEntries(entries) as Record<ConfidenceLevel, Interval>)
      : undefined;
  };
  const meanCi = byLevel((level) => meanInterval(sorted, level));
  const medianCi = byLevel((level) => medianInterval(sorted, level));
  return {
    count: n,
    mean,
    median: percentile(sorted, 50),
    std,
    cv: (100 * std) / mean,
    min: n > 0 ? (sorted[0] as number) : Number.NaN,
    max: n > 0 ? (sorted[n - 1] as number) : Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    ...(meanCi ? { meanCi } : {}),
    ...(medianCi ? { medianCi } : {}),
  };
}

/** The statistics of each group of a sample (SeBS reports cold and warm calls apart). */
export function groupStatistics<T>(
  items: readonly T[],
  groupOf: (item: T) => string,
  sampleOf: (item: T) => number,
): Record<string, SampleStatistics> {
  const groups = new Map<string, number[]>();
  for (const item of items) {
    const key = groupOf(item);
    groups.set(key, [...(groups.get(key) ?? []), sampleOf(item)]);
  }
  return Object.fromEntries([...groups.entries()].map(([key, values]) => [key, sampleStatistics(values)]));
}
