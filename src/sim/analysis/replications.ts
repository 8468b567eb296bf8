import { INDEX_NAMES, type Indexes, type IndexName } from './indexes.js';

/**
 * Replications: the same (overload percentage, strategy) run on several instances (seeds), summed
 * up per index as a mean, a sample standard deviation and a 95 % confidence interval (Student's t
 * with n − 1 degrees of freedom). The mean is the one the framework's controller writes to
 * experiment_mean_results.csv (pandas' groupby mean: Kahan-compensated, missing values skipped),
 * so the same rows give the same digits; the groups come in its order too (groupby sorts by
 * percentage, then strategy).
 */

/** One row of experiment_results.csv: one strategy's indexes on one instance. */
export interface ExperimentRow {
  seed: number;
  /** The instance's most overloaded nodes, in percent ("Max overloaded percentage"). */
  percentage: number;
  strategy: string;
  indexes: Indexes;
}

export interface IndexStats {
  /** Values that are not NaN (a model without power gives NaN power indexes). */
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); NaN when n < 2. */
  std: number;
  /** Half-width of the 95 % confidence interval of the mean; undefined when n < 2. */
  halfWidth: number | undefined;
}

export interface ReplicationGroup {
  percentage: number;
  strategy: string;
  /** Rows (replications) in the group. */
  rows: number;
  indexes: Record<IndexName, IndexStats>;
}

/** pandas' groupby mean: Kahan-compensated sum of the values that are not NaN, over their count. */
export function pandasMean(xs: readonly number[]): number {
  let sum = 0;
  let compensation = 0;
  let n = 0;
  for (const x of xs) {
    if (Number.isNaN(x)) continue;
    n++;
    const y = x - compensation;
    const t = sum + y;
    compensation = t - sum - y;
    // An infinite value makes the compensation NaN; pandas resets it so that the mean is ±inf.
    if (Number.isNaN(compensation)) compensation = 0;
    sum = t;
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** Sample standard deviation of the values that are not NaN; NaN for fewer than 2. */
export function sampleStd(xs: readonly number[]): number {
  const values = xs.filter((x) => !Number.isNaN(x));
  if (values.length < 2) return Number.NaN;
  const mean = pandasMean(values);
  let squares = 0;
  for (const x of values) squares += (x - mean) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

// ln Γ(x), x > 0: Lanczos' approximation (g = 7, 9 terms), ~15 significant digits.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

// The continued fraction of the incomplete beta function (modified Lentz).
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const clamp = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / clamp(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const even = (m * (b - m) * x) / ((a - 1 + 2 * m) * (a + 2 * m));
    d = 1 / clamp(1 + even * d);
    c = clamp(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 1 + 2 * m));
    d = 1 / clamp(1 + odd * d);
    c = clamp(1 + odd / c);
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T > t) for Student's t with `df` degrees of freedom, t ≥ 0. */
function upperTail(t: number, df: number): number {
  return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The p-quantile (0.5 ≤ p < 1) of Student's t with df > 0 degrees of freedom, by bisection. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0.5 && p < 1) || !(df > 0)) throw new RangeError(`no t quantile for p = ${p}, df = ${df}`);
  const tail = 1 - p;
  let lo = 0;
  let hi = 1;
  while (upperTail(hi, df) > tail) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (upperTail(mid, df) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean, standard deviation and 95 % confidence half-width t(0.975, n−1)·s/√n of some values. */
export function indexStats(xs: readonly number[]): IndexStats {
  const n = xs.filter((x) => !Number.isNaN(x)).length;
  const std = sampleStd(xs);
  return {
    n,
    mean: pandasMean(xs),
    std,
    halfWidth: n < 2 ? undefined : (studentTQuantile(0.975, n - 1) * std) / Math.sqrt(n),
  };
}

/** Rows grouped by (percentage, strategy), sorted as pandas' groupby sorts them, then summed up. */
export function summarizeReplications(rows: readonly ExperimentRow[]): ReplicationGroup[] {
  const groups = new Map<string, ExperimentRow[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.percentage, row.strategy]);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()]
    .sort((a, b) => {
      const [x, y] = [a[0] as ExperimentRow, b[0] as ExperimentRow];
      if (x.percentage !== y.percentage) return x.percentage - y.percentage;
      return x.strategy < y.strategy ? -1 : x.strategy > y.strategy ? 1 : 0;
    })
    .map((group) => {
      const first = group[0] as ExperimentRow;
      const indexes = Object.fromEntries(
        INDEX_NAMES.map((name) => [name, indexStats(group.map((r) => r.indexes[name]))]),
      ) as Record<IndexName, IndexStats>;
      return { percentage: first.percentage, strategy: first.strategy, rows: group.length, indexes };
    });
}
