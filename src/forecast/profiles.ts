/**
 * Function profiles: each function's resource use measured alone (profiles/NAME.csv, read with
 * dataset's reader), reduced to a few features, and functions grouped by them (min-max scaling,
 * PCA, k-means, as the reference system's notebook does) so that a forecasting model per group
 * can serve functions it never saw. The group model (GroupModelSchema) is this module's file format.
 */
import { kmeans } from 'ml-kmeans';
import { Matrix } from 'ml-matrix';
import { PCA, type PCAModel } from 'ml-pca';
import { z } from 'zod';
import type { GroupList } from '../dataset/groups.js';
import type { ProfileRow } from '../dataset/profiles.js';
import { ForecastInputError, ModelFileError, TrainingDataError } from './errors.js';

/**
 * A profile row as the features see it: a `nan` success rate is 1 (a rate without requests had
 * no failed requests), any other `nan` is 0 (nothing measured).
 */
function preprocess(r: ProfileRow): ProfileRow {
  const orZero = (v: number) => (Number.isNaN(v) ? 0 : v);
  return {
    name: r.name,
    rate: r.rate,
    successRate: Number.isNaN(r.successRate) ? 1 : r.successRate,
    cpuPct: orZero(r.cpuPct),
    ramBytes: orZero(r.ramBytes),
    powerMicrowatts: orZero(r.powerMicrowatts),
    overloaded: r.overloaded,
    meanLatencyMs: orZero(r.meanLatencyMs),
  };
}

const METRICS: [string, (r: ProfileRow) => number][] = [
  ['success', (r) => r.successRate],
  ['cpu', (r) => r.cpuPct],
  ['ram', (r) => r.ramBytes],
  ['power', (r) => r.powerMicrowatts],
  ['overloaded', (r) => (r.overloaded ? 1 : 0)],
  ['latency', (r) => r.meanLatencyMs],
];

/** The names of profileFeatures' values, in order: mean, max and min per metric. */
export const PROFILE_FEATURES: readonly string[] = METRICS.flatMap(([m]) => [
  `${m}_mean`,
  `${m}_max`,
  `${m}_min`,
]);

const CPU_MEAN = PROFILE_FEATURES.indexOf('cpu_mean');
const RAM_MEAN = PROFILE_FEATURES.indexOf('ram_mean');

/**
 * One function's features: per metric, the mean, max and min over its per-rate means, from the
 * rows as dataset reads them (`nan` preprocessed here). Iterations are averaged per rate first,
 * so a rate measured more often does not weigh more.
 */
export function profileFeatures(rows: ProfileRow[]): number[] {
  const first = rows[0];
  if (!first) throw new TrainingDataError('profile has no rows');
  const other = rows.find((r) => r.name !== first.name);
  if (other) throw new TrainingDataError(`profile mixes functions ${first.name} and ${other.name}`);
  const byRate = new Map<number, ProfileRow[]>();
  for (const r of rows.map(preprocess)) byRate.set(r.rate, [...(byRate.get(r.rate) ?? []), r]);
  const features = METRICS.flatMap(([, get]) => {
    const means = [...byRate.values()].map((rs) => rs.reduce((s, r) => s + get(r), 0) / rs.length);
    return [means.reduce((s, v) => s + v, 0) / means.length, Math.max(...means), Math.min(...means)];
  });
  const bad = features.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new TrainingDataError(`profile of ${first.name}: ${PROFILE_FEATURES[bad]} is not finite`);
  return features;
}

/** ml-pca's toJSON() with the eigenvector matrix as plain arrays (what JSON.stringify makes of it). */
export type PcaJson = Omit<PCAModel, 'U'> & { U: number[][] };

/**
 * The group model `dfaas forecast profile` writes (group_model.json) and `assign` reads:
 * everything assignGroup needs to place a new function, as plain JSON.
 */
export const GroupModelSchema = z.object({
  version: z.literal(1),
  features: z.array(z.string()).min(1),
  /** Per feature, the range over the training functions. */
  scaler: z.object({ min: z.array(z.number()), max: z.array(z.number()) }),
  pca: z.custom<PcaJson>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object'),
  /** The principal components kept. */
  components: z.number().int().min(1),
  /** Per cluster, its centre in the kept components. */
  centroids: z.array(z.array(z.number())).min(1),
  /** Per cluster, its group name. */
  groupNames: z.array(z.string()).min(1),
  /** Per kept component, its share of the total variance. */
  explainedVariance: z.array(z.number()),
});
export type GroupModel = z.infer<typeof GroupModelSchema>;

/** Share of the variance the kept principal components explain at least. */
const VARIANCE_KEPT = 0.95;
/** k-means runs per fit (from seed, seed + 1, ...); the lowest inertia wins, as scikit-learn's n_init. */
const RESTARTS = 10;

/**
 * Groups functions by their profiles: features min-max scaled across functions (a constant
 * feature scales to 0), PCA keeping the fewest components that explain 95% of the variance,
 * k-means++ on the projection (seed 42 unless given). k is 3 unless given; 'auto' picks k in
 * 2..min(6, n - 1) by the best mean silhouette (the smallest k on a tie). Groups are named by
 * resource use, not by membership: clusters ordered by their functions' mean scaled cpu_mean +
 * ram_mean are LOW_USAGE, MEDIUM_USAGE (or MEDIUM_USAGE_1, _2, ... for k > 3), HIGH_USAGE.
 */
export function fitGroups(
  profiles: Record<string, ProfileRow[]>,
  options: { k?: number | 'auto'; seed?: number } = {},
): { model: GroupModel; groups: GroupList } {
  const { k = 3, seed = 42 } = options;
  // Sorted names: the fit does not depend on the order the caller listed the functions in.
  const names = Object.keys(profiles).sort();
  const n = names.length;
  if (k === 'auto' && n < 3) throw new ForecastInputError(`k 'auto' needs at least 3 functions, got ${n}`);
  if (k !== 'auto' && (!Number.isInteger(k) || k < 2))
    throw new ForecastInputError(`k must be an integer >= 2, got ${k}`);
  if (k !== 'auto' && k > n)
    throw new ForecastInputError(`k = ${k} is more than the ${n} functions to group`);

  const features = names.map((name) => profileFeatures(profiles[name] as ProfileRow[]));
  const scaler = {
    min: PROFILE_FEATURES.map((_, j) => Math.min(...features.map((f) => f[j] as number))),
    max: PROFILE_FEATURES.map((_, j) => Math.max(...features.map((f) => f[j] as number))),
  };
  const scaled = features.map((f) => scale(scaler, f));

  const pca = new PCA(scaled, { center: true, scale: false });
  // Identical functions have no variance at all: the shares are 0/0, and one component is kept.
  const shares = pca.getExplainedVariance().map((v) => (Number.isFinite(v) ? v : 0));
  let components = 1;
  let total = shares[0] ?? 0;
  while (total > 0 && total < VARIANCE_KEPT - 1e-9 && components < shares.length) {
    total += shares[components++] as number;
  }
  const points = pca.predict(scaled, { nComponents: components }).to2DArray();

  let best = cluster(points, k === 'auto' ? 2 : k, seed);
  if (k === 'auto') {
    let bestScore = silhouette(points, best.clusters);
    for (let kk = 3; kk <= Math.min(6, n - 1); kk++) {
      const candidate = cluster(points, kk, seed);
      const score = silhouette(points, candidate.clusters);
      if (score > bestScore) [best, bestScore] = [candidate, score];
    }
  }
  const { clusters, centroids } = best;

  // Order clusters by use; an empty cluster has no functions, so its centre mapped back is used.
  const score = (f: number[]) => (f[CPU_MEAN] as number) + (f[RAM_MEAN] as number);
  const uses = centroids.map((centroid, c) => {
    const members = scaled.filter((_, i) => clusters[i] === c);
    if (members.length > 0) return members.reduce((s, f) => s + score(f), 0) / members.length;
    const padded = [...centroid, ...Array(pca.getEigenvectors().columns - centroid.length).fill(0)];
    return score(pca.invert(new Matrix([padded])).getRow(0));
  });
  const byUse = centroids.map((_, c) => c).sort((a, b) => (uses[a] as number) - (uses[b] as number) || a - b);
  const rankNames = groupNames(centroids.length);
  const clusterNames = Array<string>(centroids.length);
  byUse.forEach((c, rank) => {
    clusterNames[c] = rankNames[rank] as string;
  });

  const json = pca.toJSON();
  const model: GroupModel = {
    version: 1,
    features: [...PROFILE_FEATURES],
    scaler,
    pca: { ...json, U: json.U.to2DArray() },
    components,
    centroids,
    groupNames: clusterNames,
    explainedVariance: shares.slice(0, components),
  };
  const groups: GroupList = Object.fromEntries(rankNames.map((g) => [g, []]));
  names.forEach((name, i) => {
    groups[clusterNames[clusters[i] as number] as string]?.push(name);
  });
  return { model, groups: sortedList(groups) };
}

function groupNames(k: number): string[] {
  if (k === 2) return ['LOW_USAGE', 'HIGH_USAGE'];
  if (k === 3) return ['LOW_USAGE', 'MEDIUM_USAGE', 'HIGH_USAGE'];
  return ['LOW_USAGE', ...Array.from({ length: k - 2 }, (_, i) => `MEDIUM_USAGE_${i + 1}`), 'HIGH_USAGE'];
}

function scale(scaler: GroupModel['scaler'], features: number[]): number[] {
  return features.map((v, j) => {
    const min = scaler.min[j] as number;
    const range = (scaler.max[j] as number) - min;
    return range === 0 ? 0 : (v - min) / range;
  });
}

function cluster(points: number[][], k: number, seed: number): { clusters: number[]; centroids: number[][] } {
  let best: { clusters: number[]; centroids: number[][] } | undefined;
  let bestInertia = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RESTARTS; r++) {
    const { clusters, centroids } = kmeans(points, k, { initialization: 'kmeans++', seed: seed + r });
    const inertia = points.reduce(
      (s, p, i) => s + distance(p, centroids[clusters[i] as number] as number[]) ** 2,
      0,
    );
    if (inertia < bestInertia) [best, bestInertia] = [{ clusters, centroids }, inertia];
  }
  return best as { clusters: number[]; centroids: number[][] };
}

function distance(a: number[], b: number[]): number {
  return Math.sqrt(a.reduce((s, v, i) => s + (v - (b[i] as number)) ** 2, 0));
}

/**
 * Mean silhouette of a clustering (Euclidean): per point (b - a) / max(a, b), a its mean distance
 * to the rest of its cluster, b the least mean distance to another non-empty cluster; 0 for a
 * point alone in its cluster, as scikit-learn.
 */
export function silhouette(points: number[][], clusters: number[]): number {
  const ids = [...new Set(clusters)];
  if (ids.length < 2) return 0;
  const values = points.map((p, i) => {
    const meanTo = (c: number) => {
      const others = points.filter((_, j) => clusters[j] === c && j !== i);
      return others.length === 0
        ? Number.NaN
        : others.reduce((s, q) => s + distance(p, q), 0) / others.length;
    };
    const own = clusters[i] as number;
    const a = meanTo(own);
    if (Number.isNaN(a)) return 0;
    const b = Math.min(...ids.filter((c) => c !== own).map((c) => meanTo(c)));
    const m = Math.max(a, b);
    return m === 0 ? 0 : (b - a) / m;
  });
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Places a new function into a fitted group from its profile alone: scaled with the training
 * ranges (values outside them are fine), projected with the stored PCA, nearest centroid. Returns
 * the Euclidean distance to every group's centroid too.
 */
export function assignGroup(
  model: GroupModel,
  rows: ProfileRow[],
): { group: string; distances: Record<string, number> } {
  if (model.version !== 1) throw new ModelFileError(`group model version ${model.version}, expected 1`);
  if (model.features.join() !== PROFILE_FEATURES.join())
    throw new ModelFileError('group model has other features');
  const pca = PCA.load({ ...model.pca, U: new Matrix(model.pca.U) });
  const point = pca.predict([scale(model.scaler, profileFeatures(rows))], { nComponents: model.components });
  const distances = model.centroids.map((c) => distance(point.getRow(0), c));
  const nearest = distances.indexOf(Math.min(...distances));
  return {
    group: model.groupNames[nearest] as string,
    distances: Object.fromEntries(model.groupNames.map((g, c) => [g, distances[c] as number])),
  };
}

/** A new list with `name` in `group` and in no other group; throws for an unknown group. */
export function addToGroupList(groups: GroupList, name: string, group: string): GroupList {
  if (!Object.hasOwn(groups, group))
    throw new ForecastInputError(`unknown group ${group}: ${Object.keys(groups).join(', ')}`);
  const moved = Object.fromEntries(
    Object.entries(groups).map(([g, names]) => [g, names.filter((n) => n !== name)]),
  );
  moved[group]?.push(name);
  return sortedList(moved);
}

function sortedList(groups: GroupList): GroupList {
  return Object.fromEntries(
    Object.keys(groups)
      .sort()
      .map((g) => [g, [...(groups[g] as string[])].sort()]),
  );
}
