import { type RunAnalysis, rejected } from './success.js';

/**
 * The simulation framework's seven indexes (analyzer.py; names as its INDEX_TO_COMPARE writes them
 * in the CSV files), for any number of instants T ≥ 1. With S[f][t] the success rate of function f
 * at instant t (./success.ts), f over the whole function list:
 * - Mean success rate = 100 · mean_f(mean_t S[f][t]);
 * - Success rate median = 100 · median of all S[f][t];
 * - the same two over the stress period, the instants of Python's slice [⌊T/2⌋−1 : ⌊T/2⌋+1]:
 *   2 and 3 for the framework's T = 7 (not the three peak instants: its defect D7, kept as the
 *   index's definition);
 * - Mean node power consumption = mean_t(mean_n P[n][t]), µW, P the power after shedding;
 * - Max node power consumption = max_{t,n} P[n][t] (from 0, as the framework's);
 * - Tot. rejected requests = Σ_{t,f} rejected.
 *
 * Means, sums and medians are computed as numpy computes them (pairwise summation), so the indexes
 * equal the framework's to the last bit on the same per-instant figures.
 */

export const INDEX_NAMES = [
  'Mean success rate',
  'Success rate median',
  'Mean success rate (stress period)',
  'Success rate median (stress period)',
  'Mean node power consumption',
  'Max node power consumption',
  'Tot. rejected requests',
] as const;

export type IndexName = (typeof INDEX_NAMES)[number];
export type Indexes = Record<IndexName, number>;

/** The stress period's instants [start, end): Python's slice [⌊T/2⌋−1 : ⌊T/2⌋+1] of T instants. */
export function stressWindow(instants: number): { start: number; end: number } {
  const mid = Math.floor(instants / 2);
  // A negative slice start counts from the end: T = 1 gives [-1:1], i.e. [0:1].
  const start = mid - 1 < 0 ? Math.max(0, mid - 1 + instants) : mid - 1;
  return { start, end: Math.min(mid + 1, instants) };
}

/** numpy's float sum (np.add.reduce): pairwise, 8 accumulators per block of ≤ 128 values. */
export function npSum(xs: readonly number[], from = 0, to = xs.length): number {
  const n = to - from;
  const at = (i: number) => xs[i] as number;
  if (n < 8) {
    let res = -0;
    for (let i = from; i < to; i++) res += at(i);
    return res;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => at(from + j));
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = (r[j] as number) + at(from + i + j);
    const [r0, r1, r2, r3, r4, r5, r6, r7] = r as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += at(from + i);
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return npSum(xs, from, from + half) + npSum(xs, from + half, to);
}

/** np.mean: npSum / n (NaN for no values). */
export function npMean(xs: readonly number[]): number {
  return npSum(xs) / xs.length;
}

/** np.median: the middle value, or the mean of the two middle ones. */
export function npMedian(xs: readonly number[]): number {
  if (xs.some(Number.isNaN)) return Number.NaN;
  const sorted = Float64Array.from(xs).sort();
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  if (n % 2 === 1) return sorted[mid] as number;
  return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The seven indexes of an analysed run. */
export function computeIndexes(analysis: RunAnalysis): Indexes {
  const { functions, instants } = analysis;
  const { start, end } = stressWindow(instants.length);
  const success = functions.map((f) => instants.map((i) => i.functions[f]?.success ?? 1.0));
  const stress = success.map((s) => s.slice(start, end));
  const rejects = functions.map((f) =>
    instants.map((i) => {
      const tally = i.functions[f];
      return tally === undefined ? 0 : rejected(tally);
    }),
  );
  // Python's sum() over the per-instant means: sequential.
  let powerSum = 0;
  for (const i of instants) powerSum += i.meanPower;
  let maxPower = 0;
  for (const i of instants) maxPower = Math.max(maxPower, i.maxPower); // NaN (no power model) wins
  return {
    'Mean success rate': npMean(success.map(npMean)) * 100,
    'Success rate median': npMedian(success.flat()) * 100,
    'Mean success rate (stress period)': npMean(stress.map(npMean)) * 100,
    'Success rate median (stress period)': npMedian(stress.flat()) * 100,
    'Mean node power consumption': powerSum / instants.length,
    'Max node power consumption': maxPower,
    'Tot. rejected requests': npSum(rejects.map((r) => npSum(r))),
  };
}
