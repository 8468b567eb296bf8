import { seededRandom } from '../core/random.js';
import { ForecastInputError, TrainingDataError } from './errors.js';
/**
 * Gradient-boosted regression trees, our own: no maintained gradient-boosting library exists for
 * JavaScript (the reference Python system used LightGBM). Sized for the forecaster: a node's CPU,
 * RAM and power from 3-8 per-group request rates and up to ~10,000 rows, the 0.05 and 0.95
 * quantiles of those, and the binary "overloaded" class.
 *
 * Each tree is grown greedily and exactly: every distinct value of every feature is a candidate,
 * the threshold is the midpoint to the next distinct value, and a split is taken when it reduces
 * the squared error of the fitted gradients, down to maxDepth or minSamplesLeaf. Rows are presorted
 * once per feature; a node's rows stay sorted as the node is partitioned, so a tree costs
 * O(rows × features × depth). Models are plain data, saved with JSON.stringify and loaded with
 * JSON.parse.
 */

/**
 * What a model predicts: `squared` the mean, `quantile` the alpha-quantile (pinball loss),
 * `logistic` the probability that y is 1 (y must be 0 or 1).
 */
export type GbtLoss = { kind: 'squared' } | { kind: 'quantile'; alpha: number } | { kind: 'logistic' };

/** Training settings; everything but the loss has a default suited to a few thousand rows. */
export interface GbtOptions {
  loss: GbtLoss;
  /** Number of boosting rounds (default 200). */
  trees?: number;
  /** Shrinkage of each tree's contribution (default 0.05). */
  learningRate?: number;
  /** Levels of splits per tree (default 4, at most 16 leaves). */
  maxDepth?: number;
  /** Fewest training rows a leaf may hold (default 5). */
  minSamplesLeaf?: number;
  /** Fraction of rows each tree is grown on, drawn without replacement (default 1: all rows). */
  subsample?: number;
  /** Seed of the row sampling (default 1); the same seed and data give the same model. */
  seed?: number;
}

/** A trained model: plain JSON data, so JSON.parse(JSON.stringify(model)) predicts the same. */
export interface GbtModel {
  kind: 'gbt';
  loss: GbtLoss;
  featureCount: number;
  /** The prediction before any tree: the mean, the alpha-quantile or the log-odds of y. */
  base: number;
  learningRate: number;
  trees: GbtTree[];
}

/**
 * One tree as parallel arrays indexed by node, root at 0, so a prediction is a few array reads per
 * level. A row goes left when row[feature] <= threshold. A leaf has feature -1 and its value
 * (unscaled by the learning rate); an inner node has value 0.
 */
export interface GbtTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** The mean of y is clamped to [P_CLAMP, 1 − P_CLAMP] before the log-odds, so one class alone is finite. */
const P_CLAMP = 1e-6;
/** A logistic leaf whose summed p(1 − p) is below this is treated as having this much curvature. */
const MIN_HESSIAN = 1e-12;
/** Largest logistic leaf step in log-odds: one confidently misclassified row must not blow up a leaf. */
const MAX_LOGIT_STEP = 10;

interface Settings {
  loss: GbtLoss;
  trees: number;
  learningRate: number;
  maxDepth: number;
  minSamplesLeaf: number;
  subsample: number;
  seed: number;
}

/**
 * Trains a model on rows x (all of the same length, finite) and targets y. Throws an Error naming
 * the first bad input or option.
 */
export function trainGbt(x: number[][], y: number[], options: GbtOptions): GbtModel {
  const settings = resolveOptions(options);
  const d = validateData(x, y, settings.loss);
  const n = x.length;
  const { loss, learningRate } = settings;

  // Column-major features and, per feature, the row indices in ascending value order.
  const cols = new Float64Array(n * d);
  x.forEach((row, i) => {
    for (let f = 0; f < d; f++) cols[f * n + i] = row[f] as number;
  });
  const presorted = new Int32Array(n * d);
  for (let f = 0; f < d; f++) {
    const order = presorted.subarray(f * n, (f + 1) * n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => (cols[f * n + a] as number) - (cols[f * n + b] as number));
  }

  const target = Float64Array.from(y);
  const base = initialPrediction(target, loss);
  const pred = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const hess = new Float64Array(loss.kind === 'logistic' ? n : 0);

  const m = settings.subsample < 1 ? Math.max(1, Math.round(settings.subsample * n)) : n;
  const grower: Grower = {
    cols,
    n,
    d,
    m,
    rows: new Int32Array(m * d),
    scratch: new Int32Array(m),
    residuals: new Float64Array(loss.kind === 'quantile' ? m : 0),
    goesLeft: new Uint8Array(n),
    grad,
    hess,
    target,
    pred,
    loss,
    maxDepth: settings.maxDepth,
    minLeaf: settings.minSamplesLeaf,
  };
  const random = seededRandom(settings.seed);
  const permutation = Int32Array.from({ length: n }, (_, i) => i);
  const inSample = new Uint8Array(n);

  const trees: GbtTree[] = [];
  for (let t = 0; t < settings.trees; t++) {
    for (let i = 0; i < n; i++) {
      const yi = target[i] as number;
      const fi = pred[i] as number;
      if (loss.kind === 'squared') grad[i] = yi - fi;
      else if (loss.kind === 'quantile') grad[i] = yi > fi ? loss.alpha : loss.alpha - 1;
      else {
        const p = sigmoid(fi);
        grad[i] = yi - p;
        hess[i] = p * (1 - p);
      }
    }
    if (m === n) grower.rows.set(presorted);
    else {
      // Partial Fisher-Yates: the first m entries of the permutation are this tree's rows.
      inSample.fill(0);
      for (let k = 0; k < m; k++) {
        const j = k + Math.floor(random() * (n - k));
        const picked = permutation[j] as number;
        permutation[j] = permutation[k] as number;
        permutation[k] = picked;
        inSample[picked] = 1;
      }
      for (let f = 0; f < d; f++) {
        let out = f * m;
        for (let k = f * n; k < (f + 1) * n; k++) {
          const row = presorted[k] as number;
          if (inSample[row]) grower.rows[out++] = row;
        }
      }
    }
    const tree: GbtTree = { feature: [], threshold: [], left: [], right: [], value: [] };
    grow(grower, tree, 0, m, 0);
    for (let i = 0; i < n; i++) {
      let node = 0;
      while ((tree.feature[node] as number) >= 0) {
        const value = cols[(tree.feature[node] as number) * n + i] as number;
        node = (value <= (tree.threshold[node] as number) ? tree.left[node] : tree.right[node]) as number;
      }
      pred[i] = (pred[i] as number) + learningRate * (tree.value[node] as number);
    }
    trees.push(tree);
  }
  return { kind: 'gbt', loss: { ...loss }, featureCount: d, base, learningRate, trees };
}

/**
 * The model's prediction for one row: the mean or quantile for regression losses, the probability
 * of class 1 for `logistic`. Throws if the row's length is not the model's feature count.
 */
export function predictGbt(model: GbtModel, row: number[]): number {
  if (row.length !== model.featureCount) {
    throw new ForecastInputError(`row has ${row.length} features, the model expects ${model.featureCount}`);
  }
  let sum = model.base;
  const rate = model.learningRate;
  for (const tree of model.trees) {
    const { feature, threshold, left, right, value } = tree;
    let node = 0;
    let f = feature[0] as number;
    while (f >= 0) {
      node = ((row[f] as number) <= (threshold[node] as number) ? left[node] : right[node]) as number;
      f = feature[node] as number;
    }
    sum += rate * (value[node] as number);
  }
  return model.loss.kind === 'logistic' ? sigmoid(sum) : sum;
}

function resolveOptions(options: GbtOptions): Settings {
  const loss = options.loss;
  if (loss?.kind === 'quantile') {
    if (!(loss.alpha > 0 && loss.alpha < 1)) {
      throw new ForecastInputError(`quantile alpha must be in (0, 1), got ${loss.alpha}`);
    }
  } else if (loss?.kind !== 'squared' && loss?.kind !== 'logistic') {
    throw new ForecastInputError(
      `unknown loss ${JSON.stringify(loss)}: expected squared, quantile or logistic`,
    );
  }
  const settings: Settings = {
    loss,
    trees: options.trees ?? 200,
    learningRate: options.learningRate ?? 0.05,
    maxDepth: options.maxDepth ?? 4,
    minSamplesLeaf: options.minSamplesLeaf ?? 5,
    subsample: options.subsample ?? 1,
    seed: options.seed ?? 1,
  };
  for (const key of ['trees', 'maxDepth', 'minSamplesLeaf'] as const) {
    const v = settings[key];
    if (!Number.isInteger(v) || v < 1)
      throw new ForecastInputError(`${key} must be a positive integer, got ${v}`);
  }
  if (!(Number.isFinite(settings.learningRate) && settings.learningRate > 0)) {
    throw new ForecastInputError(
      `learningRate must be a positive finite number, got ${settings.learningRate}`,
    );
  }
  if (!(settings.subsample > 0 && settings.subsample <= 1)) {
    throw new ForecastInputError(`subsample must be in (0, 1], got ${settings.subsample}`);
  }
  if (!Number.isInteger(settings.seed))
    throw new ForecastInputError(`seed must be an integer, got ${settings.seed}`);
  return settings;
}

/** Checks the training data; returns the feature count. */
function validateData(x: number[][], y: number[], loss: GbtLoss): number {
  if (x.length === 0) throw new TrainingDataError('x is empty: no training rows');
  if (x.length !== y.length) throw new TrainingDataError(`x has ${x.length} rows but y has ${y.length}`);
  const d = (x[0] as number[]).length;
  if (d === 0) throw new TrainingDataError('row 0 has no features');
  x.forEach((row, i) => {
    if (row.length !== d) throw new TrainingDataError(`row ${i} has ${row.length} features, row 0 has ${d}`);
    row.forEach((v, f) => {
      if (!Number.isFinite(v)) throw new TrainingDataError(`row ${i} feature ${f} is ${v}`);
    });
  });
  y.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new TrainingDataError(`y[${i}] is ${v}`);
    if (loss.kind === 'logistic' && v !== 0 && v !== 1) {
      throw new TrainingDataError(`y[${i}] is ${v}: logistic loss needs 0 or 1`);
    }
  });
  return d;
}

function initialPrediction(y: Float64Array, loss: GbtLoss): number {
  if (loss.kind === 'quantile') return quantileOfSorted(y.slice().sort(), loss.alpha);
  let sum = 0;
  for (const v of y) sum += v;
  const mean = sum / y.length;
  if (loss.kind === 'squared') return mean;
  const p = Math.min(Math.max(mean, P_CLAMP), 1 - P_CLAMP);
  return Math.log(p / (1 - p));
}

/** The alpha-quantile of ascending values, interpolating linearly between ranks (numpy's default). */
function quantileOfSorted(sorted: Float64Array, alpha: number): number {
  const pos = alpha * (sorted.length - 1);
  const lo = Math.floor(pos);
  const low = sorted[lo] as number;
  return lo + 1 < sorted.length ? low + ((sorted[lo + 1] as number) - low) * (pos - lo) : low;
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/**
 * The buffers of one tree's growth. `rows` holds, for each feature f, this tree's m rows at
 * [f·m, (f+1)·m) in ascending order of that feature; a node is a range [start, end) that is the
 * same set of rows in every feature's segment.
 */
interface Grower {
  cols: Float64Array;
  n: number;
  d: number;
  m: number;
  rows: Int32Array;
  scratch: Int32Array;
  residuals: Float64Array;
  goesLeft: Uint8Array;
  grad: Float64Array;
  hess: Float64Array;
  target: Float64Array;
  pred: Float64Array;
  loss: GbtLoss;
  maxDepth: number;
  minLeaf: number;
}

/** Grows the subtree of rows [start, end) into tree; returns its node index. */
function grow(g: Grower, tree: GbtTree, start: number, end: number, depth: number): number {
  const id = tree.feature.length;
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.value.push(0);
  const split = depth < g.maxDepth && end - start >= 2 * g.minLeaf ? bestSplit(g, start, end) : undefined;
  if (split === undefined) {
    tree.value[id] = leafValue(g, start, end);
    return id;
  }
  partition(g, split.feature, start, end, split.leftCount);
  tree.feature[id] = split.feature;
  tree.threshold[id] = split.threshold;
  tree.left[id] = grow(g, tree, start, start + split.leftCount, depth + 1);
  tree.right[id] = grow(g, tree, start + split.leftCount, end, depth + 1);
  return id;
}

/**
 * The split of [start, end) that most reduces the squared error of the gradients, or undefined if
 * none leaves minLeaf rows on both sides with a gain above rounding noise. Gradients are centred
 * on the node's mean, so the gain is sL² · count / (nL · nR) with sL the left sum.
 */
function bestSplit(
  g: Grower,
  start: number,
  end: number,
): { feature: number; threshold: number; leftCount: number } | undefined {
  const { cols, rows, grad, n, m, minLeaf } = g;
  const count = end - start;
  let sum = 0;
  let sumSq = 0;
  for (let k = start; k < end; k++) {
    const v = grad[rows[k] as number] as number;
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / count;
  let bestGain = 1e-14 * sumSq;
  let bestFeature = -1;
  let bestLeft = 0;
  let bestThreshold = 0;
  for (let f = 0; f < g.d; f++) {
    const seg = f * m;
    const col = f * n;
    let left = 0;
    let row = rows[seg + start] as number;
    let value = cols[col + row] as number;
    // Position k is the last row on the left; the right side keeps at least minLeaf rows.
    for (let k = start; k < end - minLeaf; k++) {
      left += (grad[row] as number) - mean;
      const nextRow = rows[seg + k + 1] as number;
      const next = cols[col + nextRow] as number;
      const nLeft = k - start + 1;
      if (nLeft >= minLeaf && next > value) {
        const gain = (left * left * count) / (nLeft * (count - nLeft));
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestLeft = nLeft;
          bestThreshold = midpoint(value, next);
        }
      }
      row = nextRow;
      value = next;
    }
  }
  return bestFeature < 0
    ? undefined
    : { feature: bestFeature, threshold: bestThreshold, leftCount: bestLeft };
}

/** A threshold in [a, b), so `<=` sends a left and b right, even when a and b are adjacent doubles. */
function midpoint(a: number, b: number): number {
  const mid = a / 2 + b / 2;
  return mid >= a && mid < b ? mid : a;
}

/**
 * Splits [start, end) of every feature's segment into the split feature's first leftCount rows and
 * the rest, keeping each segment's order (a stable partition through the scratch buffer).
 */
function partition(g: Grower, feature: number, start: number, end: number, leftCount: number): void {
  const { rows, scratch, goesLeft, m } = g;
  const seg = feature * m;
  for (let k = start; k < end; k++) goesLeft[rows[seg + k] as number] = k < start + leftCount ? 1 : 0;
  for (let f = 0; f < g.d; f++) {
    if (f === feature) continue;
    let out = f * m + start;
    let right = 0;
    for (let k = f * m + start; k < f * m + end; k++) {
      const row = rows[k] as number;
      if (goesLeft[row]) rows[out++] = row;
      else scratch[right++] = row;
    }
    rows.set(scratch.subarray(0, right), out);
  }
}

/**
 * A leaf's value for rows [start, end): the mean residual (squared), the alpha-quantile of the
 * residuals y − prediction (quantile, as scikit-learn does), or one Newton step
 * Σ(y − p) / Σp(1 − p) (logistic).
 */
function leafValue(g: Grower, start: number, end: number): number {
  const { rows, grad, loss } = g;
  if (loss.kind === 'quantile') {
    const residuals = g.residuals.subarray(0, end - start);
    for (let k = start; k < end; k++) {
      const row = rows[k] as number;
      residuals[k - start] = (g.target[row] as number) - (g.pred[row] as number);
    }
    return quantileOfSorted(residuals.sort(), loss.alpha);
  }
  let sum = 0;
  let curvature = 0;
  for (let k = start; k < end; k++) {
    const row = rows[k] as number;
    sum += grad[row] as number;
    if (loss.kind === 'logistic') curvature += g.hess[row] as number;
  }
  if (loss.kind === 'squared') return sum / (end - start);
  const step = sum / Math.max(curvature, MIN_HESSIAN);
  return Math.min(Math.max(step, -MAX_LOGIT_STEP), MAX_LOGIT_STEP);
}
