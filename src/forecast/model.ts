/**
 * The model file format (TARGET.json, one per predicted figure), loading a models folder, and
 * prediction with a loaded model. Training (train.ts) writes these files; the forecaster
 * (in-process, served over HTTP, or called by the node agent and the simulator) reads them. Both
 * depend on this module, and neither on the other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupList } from '../dataset/groups.js';
import { NODE_METRICS, type NodeMetric } from '../dataset/node-metrics.js';
import { ForecastInputError, ModelFileError } from './errors.js';
import type { FeatureVariant } from './features.js';
import { type GbtModel, predictGbt } from './gbt.js';
import type { ClassificationScores, RegressionScores } from './scores.js';

/** Which of a target's models answers: the regression, or its 0.05 or 0.95 quantile. */
export const MODEL_TYPES = ['regression', 'quantile005', 'quantile095'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** The node figures the DFaaS forecaster serves; they get quantile models too. */
export const NODE_TARGETS = NODE_METRICS;
export type NodeTarget = NodeMetric;

/** A model file's `format`; with `version` 1, what tells a model file from any other JSON. */
export const MODEL_FORMAT = 'dfaas-forecast-model';
/** The scores file written beside the models, not a model. */
export const EVALUATION_FILE = 'evaluation.json';
/**
 * The other files dfaas writes where the models may be, which loading skips: `profile`'s
 * group_list.json and group_model.json (README's flow gives `profile` and `train` the same
 * `--out`), `train`'s evaluation.json, and `evaluate --out` files named evaluation-NAME.json (as
 * examples/forecast/make-models.sh names them). Any other JSON file must be a model. (The reports
 * beside the evaluations, evaluation.html and evaluation-NAME.html, are not JSON: never read.)
 */
const NOT_MODELS = /^(group_list|group_model|evaluation(-.+)?)\.json$/;

export type RegressionModels = {
  regression: GbtModel;
  quantile005?: GbtModel;
  quantile095?: GbtModel;
  /**
   * Subtracted from the 0.05 quantile and added to the 0.95 one: the conformal correction that
   * makes the band hold 90% of out-of-fold values (calibration.ts). Absent in files of dfaas
   * before it (their band is the quantile models' alone).
   */
  bandCorrection?: number;
};

/** One target's model file: everything needed to predict, and where it came from. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: 1;
  target: string;
  task: 'regression' | 'classification';
  /** Feature names, in the order a feature vector must have. Trees need no scaling. */
  features: string[];
  variant: FeatureVariant;
  groups: GroupList;
  nodeTypes: Record<string, number>;
  training: {
    /** sha256 of the training rows' features and target values. */
    fingerprint: string;
    rows: number;
    configurations: number;
    heldOutConfigurations: number;
    files: { file: string; nodeType: number }[];
    testFraction: number;
    seed: number;
  };
  models: RegressionModels | { classifier: GbtModel; threshold: number };
  /** Scores of `models` on the held-out configurations. */
  evaluation: RegressionScores | ClassificationScores;
}

/** The path of a target's model file in a models folder. */
export function modelPath(dir: string, target: string): string {
  return join(dir, `${target}.json`);
}

/**
 * Every model file of `dir`, by target. A ModelFileError names a JSON file that is not a model
 * file (other than the ones dfaas writes beside the models, NOT_MODELS), or a folder without any.
 */
export function loadModels(dir: string): Map<string, ModelFile> {
  const models = new Map<string, ModelFile>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new ModelFileError(`${dir}: cannot read the models folder: ${(err as Error).message}`);
  }
  for (const name of names.filter((f) => f.endsWith('.json') && !NOT_MODELS.test(f))) {
    const path = join(dir, name);
    let parsed: Partial<ModelFile>;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ModelFile>;
    } catch (err) {
      throw new ModelFileError(`${path}: not a dfaas forecast model: ${(err as Error).message}`);
    }
    if (parsed.format !== MODEL_FORMAT || parsed.version !== 1 || !parsed.target) {
      throw new ModelFileError(`${path}: not a dfaas forecast model (format ${MODEL_FORMAT}, version 1)`);
    }
    models.set(parsed.target, parsed as ModelFile);
  }
  if (models.size === 0)
    throw new ModelFileError(`${dir}: no model files (TARGET.json); run dfaas forecast train`);
  return models;
}

/**
 * A regression target's prediction by the chosen model. The quantiles are widened by the band's
 * conformal correction, then rearranged around the
 * regression (the 0.05 one at most, the 0.95 one at least the regression's value): separately
 * fitted quantile models can cross, and a band that misses the expected value is no band
 * (Chernozhukov, Fernández-Val and Galichon, "Quantile and probability curves without crossing", 2010).
 */
export function predictRegression(
  models: RegressionModels,
  type: ModelType,
  x: number[],
  target = 'target',
): number {
  const expected = predictGbt(models.regression, x);
  if (type === 'regression') return expected;
  const quantile = models[type];
  if (!quantile)
    throw new ForecastInputError(`${target} has no ${type} model (only the node targets have quantiles)`);
  const correction = models.bandCorrection ?? 0;
  const value = predictGbt(quantile, x);
  return type === 'quantile005'
    ? Math.min(value - correction, expected)
    : Math.max(value + correction, expected);
}

/** A model file's prediction for a feature vector: the regression's (by `type`), or the overload probability. */
export function predictModel(file: ModelFile, x: number[], type: ModelType = 'regression'): number {
  if ('classifier' in file.models) return predictGbt(file.models.classifier, x);
  return predictRegression(file.models, type, x, file.target);
}

/** Whether `type` of a model file answers: a regression's quantiles may be absent; a class has one model for every type. */
export function answersType(file: ModelFile, type: ModelType): boolean {
  return 'classifier' in file.models || type === 'regression' || file.models[type] !== undefined;
}

/**
 * A model file's answer to a feature vector, keyed as the DFaaS forecaster keys its answers:
 * `{TARGET: value}` for a regression; for a class, `{TARGET: 0 or 1, TARGET_probability: p}`,
 * the class being 1 when the probability reaches the threshold stored with the model (lowered by
 * calibration so that overloads are rarely missed, docs/forecast.md), so a caller needs neither
 * the threshold nor its own cut-off.
 */
export function answerModel(
  file: ModelFile,
  x: number[],
  type: ModelType = 'regression',
): Record<string, number> {
  if (!('classifier' in file.models))
    return { [file.target]: predictRegression(file.models, type, x, file.target) };
  const probability = predictGbt(file.models.classifier, x);
  return {
    [file.target]: probability >= file.models.threshold ? 1 : 0,
    [`${file.target}_probability`]: probability,
  };
}
