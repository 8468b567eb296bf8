/**
 * The forecasting datasets: sampler results.csv files (the legacy DFaaS columns), each labelled
 * with the node type it was sampled on, preprocessed into rows a model can learn from.
 *
 * Preprocessing, in order (each step is a function here, tested on its own):
 * 1. Reading (readSamplerResults): a function's success rate `nan` (it had no requests) is 1;
 *    its latency, CPU, RAM, power and replicas `nan` are 0; all of a function's resource figures
 *    are zeroed where its rate is 0 (the legacy notebooks' rule: an idle replica is the node's
 *    baseline, not load). A row whose node CPU or RAM is `nan` (a failed Prometheus query)
 *    is dropped and counted. Node power stays `nan` when not measured (no power target then).
 * 2. Outliers (replaceOutliers): inside each group of identical (rates, node type) rows of at
 *    least 3, a node figure outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR] of the group is replaced by the
 *    mean of the group's other values. Groups of 1 or 2 cannot tell an outlier, and are kept.
 * 3. Configuration overload (overloadPerConfiguration): a configuration is overloaded only if it
 *    was in all its iterations; every row of it gets that verdict.
 * 4. Group aggregation (aggregateGroups): per function group, rates, CPU, RAM, power and
 *    replicas are summed, overload is any, success and latency are the mean of the non-zero values.
 *
 * Reads results.csv with dataset's reader, the one definition of that format; the rows are
 * dataset's row types (FunctionResult, NodeResult) with the NaNs of step 1 replaced.
 */
import { seededRandom } from '../core/random.js';
import type { GroupList } from '../dataset/groups.js';
import { NODE_TYPES } from '../dataset/node-types.js';
import { type FunctionResult, type NodeResult, ratesOf, readResults } from '../dataset/results.js';
import { ForecastInputError, TrainingDataError } from './errors.js';

/** One results.csv row, preprocessed, labelled with its configuration and node type. */
export interface DatasetRow {
  /** The configuration: the same rates on the same node type (iterations share it). */
  configKey: string;
  nodeType: number;
  /** By name; no NaN left (see step 1). */
  functions: Record<string, FunctionResult>;
  /** Power NaN where not measured; the other figures measured. */
  node: NodeResult;
}

export interface ReadResult {
  rows: DatasetRow[];
  /** Rows dropped because the node's CPU or RAM was not measured. */
  dropped: number;
}

const or = (v: number, fallback: number) => (Number.isNaN(v) ? fallback : v);

export function configKeyOf(rates: Record<string, number>, nodeType: number): string {
  return `${Object.keys(rates)
    .sort()
    .map((n) => `${n}:${rates[n]}`)
    .join('|')}@${nodeType}`;
}

/**
 * A configuration key in words, for a person: `figlet 15, matmul 30 requests/s on a light node
 * (2)`. Functions at rate 0 stay: `matmul 40, shasum 0` (a pair, one of them idle) is another
 * configuration than `matmul 40` alone.
 */
export function configurationText(key: string): string {
  const at = key.lastIndexOf('@');
  const nodeType = Number(key.slice(at + 1));
  const rates = key.slice(0, at).replaceAll(':', ' ').replaceAll('|', ', ');
  const name = Object.entries(NODE_TYPES).find(([, code]) => code === nodeType)?.[0];
  return `${rates} requests/s on ${name ? `a ${name} node (${nodeType})` : `node type ${nodeType}`}`;
}

/** Step 1 for one function's figures: NaN success is 1, other NaN 0, resource figures 0 at rate 0. */
function preprocessFunction(f: FunctionResult): FunctionResult {
  const idle = f.rate === 0;
  return {
    name: f.name,
    rate: f.rate,
    successRate: or(f.successRate, 1),
    cpuPct: idle ? 0 : or(f.cpuPct, 0),
    ramBytes: idle ? 0 : or(f.ramBytes, 0),
    powerMicrowatts: idle ? 0 : or(f.powerMicrowatts, 0),
    replicas: idle ? 0 : or(f.replicas, 0),
    overloaded: f.overloaded,
    meanLatencyMs: or(f.meanLatencyMs, 0),
  };
}

/** Reads one sampler results.csv sampled on `nodeType` (step 1 of the preprocessing). */
export function readSamplerResults(path: string, nodeType: number): ReadResult {
  const rows: DatasetRow[] = [];
  let dropped = 0;
  for (const r of readResults(path)) {
    if (Number.isNaN(r.node.cpuPct) || Number.isNaN(r.node.ramBytes)) {
      dropped++;
      continue;
    }
    rows.push({
      configKey: configKeyOf(ratesOf(r), nodeType),
      nodeType,
      functions: Object.fromEntries(r.functions.map((f) => [f.name, preprocessFunction(f)])),
      node: { ...r.node, ramPct: or(r.node.ramPct, 0) },
    });
  }
  return { rows, dropped };
}

const byConfiguration = <T extends { configKey: string }>(rows: T[]): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const r of rows) groups.set(r.configKey, [...(groups.get(r.configKey) ?? []), r]);
  return groups;
};

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}

/** The indexes of the Tukey outliers (beyond 1.5 IQR of the quartiles) of a group of 3 or more values. */
export function tukeyOutliers(values: number[]): number[] {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length < 3) return [];
  const q1 = quantile(finite, 0.25);
  const q3 = quantile(finite, 0.75);
  const fence = 1.5 * (q3 - q1);
  return values.flatMap((v, i) => (Number.isFinite(v) && (v < q1 - fence || v > q3 + fence) ? [i] : []));
}

const NODE_FIGURES = ['cpuPct', 'ramBytes', 'ramPct', 'powerMicrowatts'] as const;

/** Step 2: node figures that are outliers within their configuration become the mean of the others. */
export function replaceOutliers(rows: DatasetRow[]): { rows: DatasetRow[]; replaced: number } {
  let replaced = 0;
  const out = rows.map((r) => ({ ...r, node: { ...r.node } }));
  for (const group of byConfiguration(out).values()) {
    for (const figure of NODE_FIGURES) {
      const values = group.map((r) => r.node[figure]);
      const outliers = new Set(tukeyOutliers(values));
      if (outliers.size === 0) continue;
      const kept = values.filter((v, i) => !outliers.has(i) && Number.isFinite(v));
      const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
      for (const i of outliers) (group[i] as DatasetRow).node[figure] = mean;
      replaced += outliers.size;
    }
  }
  return { rows: out, replaced };
}

/** Step 3: a configuration is overloaded only when every one of its iterations was. */
export function overloadPerConfiguration(rows: DatasetRow[]): DatasetRow[] {
  const verdict = new Map(
    [...byConfiguration(rows)].map(([key, group]) => [key, group.every((r) => r.node.overloaded)]),
  );
  return rows.map((r) => ({ ...r, node: { ...r.node, overloaded: verdict.get(r.configKey) ?? false } }));
}

/**
 * A group's figures in a configuration, aggregated from its functions' (step 4): rate, CPU, RAM,
 * power and replicas summed, overloaded if any is, success rate and latency the mean of the
 * non-zero values.
 */
export type GroupFigures = Omit<FunctionResult, 'name'>;

/** A row with its functions aggregated into groups (step 4), what the models learn from. */
export interface GroupRow {
  configKey: string;
  nodeType: number;
  /** Per function its rate (functions absent from the configuration are 0), for the per-function variant. */
  functionRates: Record<string, number>;
  groups: Record<string, GroupFigures>;
  node: NodeResult & {
    /** Mean of the non-zero function latencies (0 when none). */
    latencyMs: number;
  };
}

const meanOfNonZero = (xs: number[]) => {
  const nz = xs.filter((x) => x !== 0);
  return nz.length === 0 ? 0 : nz.reduce((a, b) => a + b, 0) / nz.length;
};

/** The group of each function; a TrainingDataError names a function that is in two groups. */
export function groupOf(groups: GroupList): Map<string, string> {
  const of = new Map<string, string>();
  for (const [group, names] of Object.entries(groups)) {
    for (const name of names) {
      const before = of.get(name);
      if (before !== undefined)
        throw new TrainingDataError(`function ${name} is in two groups: ${before} and ${group}`);
      of.set(name, group);
    }
  }
  return of;
}

/** Step 4: every function's figures summed (or averaged, or any-ed) into its group's. */
export function aggregateGroups(rows: DatasetRow[], groups: GroupList, allFunctions: string[]): GroupRow[] {
  const of = groupOf(groups);
  const names = Object.keys(groups).sort();
  return rows.map((r) => {
    const members = new Map(names.map((g) => [g, [] as FunctionResult[]]));
    for (const [fn, sample] of Object.entries(r.functions)) {
      const g = of.get(fn);
      if (g === undefined)
        throw new TrainingDataError(`function ${fn} is in no group of the group list: assign it first`);
      members.get(g)?.push(sample);
    }
    const sum = (xs: FunctionResult[], pick: (f: FunctionResult) => number) =>
      xs.reduce((a, f) => a + pick(f), 0);
    const groupFigures: Record<string, GroupFigures> = {};
    for (const [g, xs] of members) {
      groupFigures[g] = {
        rate: sum(xs, (f) => f.rate),
        cpuPct: sum(xs, (f) => f.cpuPct),
        ramBytes: sum(xs, (f) => f.ramBytes),
        powerMicrowatts: sum(xs, (f) => f.powerMicrowatts),
        replicas: sum(xs, (f) => f.replicas),
        overloaded: xs.some((f) => f.overloaded),
        successRate: meanOfNonZero(xs.map((f) => f.successRate)),
        meanLatencyMs: meanOfNonZero(xs.map((f) => f.meanLatencyMs)),
      };
    }
    return {
      configKey: r.configKey,
      nodeType: r.nodeType,
      functionRates: Object.fromEntries(allFunctions.map((f) => [f, r.functions[f]?.rate ?? 0])),
      groups: groupFigures,
      node: {
        ...r.node,
        latencyMs: meanOfNonZero(Object.values(r.functions).map((f) => f.meanLatencyMs)),
      },
    };
  });
}

function shuffled<T>(xs: T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

type Labelled = { configKey: string; node: { overloaded: boolean } };

/** The configurations of each overload verdict (not overloaded, then overloaded), each list in a seeded random order. */
function shuffledStrata<T extends Labelled>(rows: T[], seed: number): string[][] {
  const random = seededRandom(seed);
  const configs = [...byConfiguration(rows)];
  return [false, true].map((overloaded) =>
    shuffled(
      configs
        .filter(([, g]) => (g[0]?.node.overloaded ?? false) === overloaded)
        .map(([k]) => k)
        .sort(),
      random,
    ),
  );
}

/**
 * Train/test split by configuration, never by row: all iterations of a configuration fall on one
 * side. Stratified by the configuration's overload verdict, so both sides hold overloaded ones.
 */
export function splitByConfiguration<T extends Labelled>(
  rows: T[],
  testFraction: number,
  seed: number,
): { train: T[]; test: T[] } {
  if (!(testFraction > 0 && testFraction < 1))
    throw new ForecastInputError(`test fraction ${testFraction} is not in (0, 1)`);
  const test = new Set(
    shuffledStrata(rows, seed).flatMap((keys) => keys.slice(0, Math.round(keys.length * testFraction))),
  );
  return {
    train: rows.filter((r) => !test.has(r.configKey)),
    test: rows.filter((r) => test.has(r.configKey)),
  };
}

/**
 * k folds by configuration for cross-validation, stratified by overload as the split is: each
 * configuration is held out exactly once. Returns each fold's rows.
 */
export function foldsByConfiguration<T extends Labelled>(rows: T[], folds: number, seed: number): T[][] {
  if (!Number.isInteger(folds) || folds < 2)
    throw new ForecastInputError(`folds must be a whole number of 2 or more, got ${folds}`);
  const foldOf = new Map<string, number>();
  let next = 0;
  for (const keys of shuffledStrata(rows, seed)) for (const k of keys) foldOf.set(k, next++ % folds);
  if (foldOf.size < folds)
    throw new TrainingDataError(`${foldOf.size} configurations cannot make ${folds} folds`);
  return Array.from({ length: folds }, (_, f) => rows.filter((r) => foldOf.get(r.configKey) === f));
}
