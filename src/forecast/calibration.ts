/**
 * Calibration of the served models on out-of-fold predictions of their own training data: the
 * training configurations are split in folds, each fold is predicted by models trained on the
 * others, and what those predictions get wrong sets
 * - the band's width: conformalized quantile regression (Romano, Patterson and Candès,
 *   "Conformalized Quantile Regression", NeurIPS 2019). Quantile trees fitted to a few hundred
 *   rows learn the spread of the rows they saw, which is narrower than the error on unseen
 *   configurations; the correction widens (or narrows) the 0.05–0.95 band by the amount that
 *   makes it hold 90% of out-of-fold values.
 * - the overload classifier and its decision threshold: the class is rare and its labels are noisy
 *   near the edge (the same rates overload a node in one configuration and not in the next), and
 *   a node that misses its overload is worse off than one that offloads a little early. Each
 *   candidate setting of the trees gets the threshold that brings its out-of-fold recall to
 *   RECALL_TARGET while out-of-fold accuracy stays at ACCURACY_FLOOR or more (lowered from 0.5
 *   only as far as needed), and the candidate with the best out-of-fold figures is kept: a deep
 *   model is sure of itself on this data, a shallow one grades the edge, and which serves better
 *   depends on the data.
 * Nothing of the held-out data (evaluate's split or fold) is seen: calibration runs inside the
 * training set.
 */
import { foldsByConfiguration, type GroupRow } from './dataset.js';

/** Folds of the calibration (fewer when the training set has fewer configurations). */
const CALIBRATION_FOLDS = 5;
/** The share of values the 0.05–0.95 band should hold. */
export const BAND_COVERAGE = 0.9;
/** Out-of-fold recall the overload threshold is lowered to reach... */
export const RECALL_TARGET = 0.9;
/** ...while out-of-fold accuracy stays at least this. */
export const ACCURACY_FLOOR = 0.95;
export const DEFAULT_THRESHOLD = 0.5;

/** What out-of-fold predictions of a classifier with a threshold got right. */
export interface ClassifierChoice {
  /** Index of the candidate chosen. */
  index: number;
  threshold: number;
  recall: number;
  accuracy: number;
}

/**
 * For each training row, in order, what `fitAndPredict` trained on the other folds predicts for
 * it; undefined when the rows hold fewer than 2 configurations (nothing to hold out).
 */
export function outOfFold<P>(
  rows: GroupRow[],
  seed: number,
  fitAndPredict: (train: GroupRow[], held: GroupRow[]) => P[],
): P[] | undefined {
  const configurations = new Set(rows.map((r) => r.configKey)).size;
  const k = Math.min(CALIBRATION_FOLDS, configurations);
  if (k < 2) return undefined;
  const out = new Map<GroupRow, P>();
  const folds = foldsByConfiguration(rows, k, seed);
  folds.forEach((held, f) => {
    const predictions = fitAndPredict(folds.filter((_, g) => g !== f).flat(), held);
    held.forEach((r, i) => {
      out.set(r, predictions[i] as P);
    });
  });
  return rows.map((r) => out.get(r) as P);
}

/**
 * The conformal correction of a 0.05–0.95 band: from the out-of-fold scores
 * max(low − y, y − high), the ⌈(n + 1)·BAND_COVERAGE⌉-th smallest (the largest when n is small).
 * Subtracted from the low end and added to the high end, it makes the band hold BAND_COVERAGE of
 * new values drawn like the training ones; negative when the quantile band was too wide.
 */
export function bandCorrection(actual: number[], low: number[], high: number[]): number {
  const scores = actual
    .map((y, i) => Math.max((low[i] as number) - y, y - (high[i] as number)))
    .sort((a, b) => a - b);
  if (scores.length === 0) return 0;
  const rank = Math.min(scores.length, Math.ceil((scores.length + 1) * BAND_COVERAGE));
  return scores[rank - 1] as number;
}

/**
 * The overload decision threshold from out-of-fold probabilities: DEFAULT_THRESHOLD if recall
 * there is already RECALL_TARGET; else the highest lower threshold that reaches it with accuracy
 * at least ACCURACY_FLOOR; else (no such threshold) DEFAULT_THRESHOLD.
 */
export function overloadThreshold(actual: number[], probability: number[]): number {
  const positives = actual.filter((y) => y === 1).length;
  if (positives === 0) return DEFAULT_THRESHOLD;
  const at = (t: number) => scoresAt(actual, probability, t);
  if (at(DEFAULT_THRESHOLD).recall >= RECALL_TARGET) return DEFAULT_THRESHOLD;
  // The candidates: each positive's probability (a threshold at it just takes that row in).
  const candidates = [...new Set(actual.flatMap((y, i) => (y === 1 ? [probability[i] as number] : [])))]
    .filter((t) => t < DEFAULT_THRESHOLD)
    .sort((a, b) => b - a);
  for (const t of candidates) {
    const s = at(t);
    if (s.accuracy < ACCURACY_FLOOR) break;
    if (s.recall >= RECALL_TARGET) return t;
  }
  return DEFAULT_THRESHOLD;
}

/**
 * Picks the candidate classifier and its threshold from each one's out-of-fold probabilities
 * (`probabilities[i]` for candidate i): the first that keeps accuracy at ACCURACY_FLOOR, then the
 * highest recall, then the highest accuracy, then the earliest candidate.
 */
export function chooseClassifier(actual: number[], probabilities: number[][]): ClassifierChoice {
  const scored = probabilities.map((p, index): ClassifierChoice => {
    const threshold = overloadThreshold(actual, p);
    return { index, threshold, ...scoresAt(actual, p, threshold) };
  });
  const rank = (c: ClassifierChoice) => [c.accuracy >= ACCURACY_FLOOR ? 1 : 0, c.recall, c.accuracy];
  return scored.reduce((best, c) => {
    const [a, b] = [rank(c), rank(best)];
    for (let i = 0; i < a.length; i++)
      if (a[i] !== b[i]) return (a[i] as number) > (b[i] as number) ? c : best;
    return best;
  });
}

/** Recall (1 when there is no positive) and accuracy of `probability >= threshold`. */
function scoresAt(actual: number[], probability: number[], threshold: number) {
  let tp = 0;
  let positives = 0;
  let correct = 0;
  actual.forEach((y, i) => {
    const predicted = (probability[i] as number) >= threshold ? 1 : 0;
    if (predicted === y) correct++;
    if (y === 1) {
      positives++;
      if (predicted === 1) tp++;
    }
  });
  return { recall: positives > 0 ? tp / positives : 1, accuracy: correct / actual.length };
}
