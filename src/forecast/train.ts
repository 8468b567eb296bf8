/**
 * Training and evaluation of the node-usage models: sampler datasets → preprocessed group rows →
 * a split by configuration → per target, gradient-boosted trees (the regression and its 0.05 and
 * 0.95 quantiles, or the overload class) trained on the training configurations and scored on
 * the held-out ones beside the linear and random-forest baselines.
 *
 * The models are trained on the training configurations only, so the figures stored with them
 * are the figures of those very models.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import type { GroupList } from '../dataset/groups.js';
import { NODE_TYPES } from '../dataset/node-types.js';
import { trainForest, trainLinear } from './baselines.js';
import { bandCorrection, chooseClassifier, DEFAULT_THRESHOLD, outOfFold } from './calibration.js';
import {
  aggregateGroups,
  foldsByConfiguration,
  type GroupRow,
  overloadPerConfiguration,
  readSamplerResults,
  replaceOutliers,
  splitByConfiguration,
} from './dataset.js';
import { TrainingDataError } from './errors.js';
import {
  type Evaluation,
  evaluateTarget,
  type HeldOutRows,
  type TargetEvaluation,
  writeEvaluation,
} from './evaluation.js';
import { type FeatureVariant, featureNames, featureVector, type Target, targetsFor } from './features.js';
import { type GbtModel, type GbtOptions, predictGbt, trainGbt } from './gbt.js';
import {
  EVALUATION_FILE,
  MODEL_FORMAT,
  type ModelFile,
  modelPath,
  NODE_TARGETS,
  predictRegression,
  type RegressionModels,
} from './model.js';

/** The evaluation's format is evaluation.ts's; re-exported for the library's entry (src/index.ts). */
export type { Evaluation } from './evaluation.js';

export interface DataFile {
  path: string;
  /** Numeric node type (heavy 0, mid 1, light 2, or a capacity). */
  nodeType: number;
}

export interface PreparedData {
  rows: GroupRow[];
  functions: string[];
  /** Rows dropped for an unmeasured node CPU or RAM. */
  dropped: number;
  /** Node figures replaced as outliers. */
  replaced: number;
}

/** Reads and preprocesses the datasets (dataset.ts, steps 1 to 4). */
export function prepareData(files: DataFile[], groups: GroupList): PreparedData {
  let dropped = 0;
  const all = files.flatMap((f) => {
    const read = readSamplerResults(f.path, f.nodeType);
    dropped += read.dropped;
    return read.rows;
  });
  if (all.length === 0) throw new TrainingDataError('the datasets hold no usable row');
  const functions = [...new Set(all.flatMap((r) => Object.keys(r.functions)))].sort();
  const { rows: cleaned, replaced } = replaceOutliers(all);
  return {
    rows: aggregateGroups(overloadPerConfiguration(cleaned), groups, functions),
    functions,
    dropped,
    replaced,
  };
}

export interface TrainOptions {
  variant: FeatureVariant;
  groups: GroupList;
  files: DataFile[];
  testFraction: number;
  seed: number;
  /** Also score the linear and random-forest baselines. */
  baselines: boolean;
  /** Called before each target, for progress. */
  onTarget?: (target: string, index: number, count: number) => void;
}

const GBT: Omit<GbtOptions, 'loss'> = { trees: 200, learningRate: 0.15, maxDepth: 4, minSamplesLeaf: 3 };
/**
 * The overload classifier's candidate settings, from sure of itself to graded: one is chosen per
 * training set by out-of-fold figures (calibration.ts, chooseClassifier).
 */
const CLASSIFIERS: Omit<GbtOptions, 'loss'>[] = [
  GBT,
  { trees: 100, learningRate: 0.1, maxDepth: 3, minSamplesLeaf: 10 },
  { trees: 50, learningRate: 0.1, maxDepth: 2, minSamplesLeaf: 10 },
];

/**
 * The targets the forecaster serves get their 0.05 and 0.95 quantile models too (a DFaaS agent
 * asks for them per request); the others (per group, latency) are the regression alone.
 */
const WITH_QUANTILES = new Set<string>(NODE_TARGETS);
/** The pinball loss moves each leaf by a quantile of its residuals: slower to converge, so more and bigger steps. */
const QUANTILE_TREES = 300;
const QUANTILE_LEARNING_RATE = 0.2;

const configurationsOf = (rows: GroupRow[]) => new Set(rows.map((r) => r.configKey)).size;

/**
 * Below this many configurations the models still train, but a 20% hold-out or a calibration
 * fold (a fifth of the training configurations, calibration.ts) is a handful of configurations:
 * the figures and the band's correction rest on too little to mean much.
 */
export const FEW_CONFIGURATIONS = 30;

/**
 * What makes the data a weak basis for the models, one sentence each, for `train` and `evaluate`
 * to warn about: few configurations (FEW_CONFIGURATIONS), or overload in none or in all of them
 * (the classifier then has one class to learn, and answers it whatever the rates).
 */
export function trainingDataWarnings(data: PreparedData): string[] {
  const configurations = configurationsOf(data.rows);
  const overloaded = configurationsOf(data.rows.filter((r) => r.node.overloaded));
  const warnings: string[] = [];
  if (configurations < FEW_CONFIGURATIONS)
    warnings.push(
      `only ${configurations} configurations (fewer than ${FEW_CONFIGURATIONS}): the figures and the calibration rest on a handful each; sample more`,
    );
  if (overloaded === 0)
    warnings.push(
      `no overloaded configuration among the ${configurations}: overloaded_node cannot learn when the node overloads and always answers 0; sample higher rates`,
    );
  else if (overloaded === configurations)
    warnings.push(
      `every one of the ${configurations} configurations is overloaded: overloaded_node cannot learn when the node copes and always answers 1; sample lower rates`,
    );
  return warnings;
}

export function trainAndEvaluate(
  data: PreparedData,
  options: TrainOptions,
): { models: ModelFile[]; evaluation: Evaluation } {
  const { train, test } = splitByConfiguration(data.rows, options.testFraction, options.seed);
  if (train.length === 0 || test.length === 0) {
    throw new TrainingDataError(
      `${configurationsOf(data.rows)} configurations are too few to hold out ${options.testFraction * 100}%`,
    );
  }
  const features = featureNames(options.variant, Object.keys(options.groups), data.functions);
  const xTrain = train.map((r) => featureVector(r, features));
  const xTest = test.map((r) => featureVector(r, features));
  const targets = targetsFor(data.rows, Object.keys(options.groups));
  const models: ModelFile[] = [];
  const evaluation: Evaluation = {
    rows: { train: train.length, test: test.length },
    configurations: { train: configurationsOf(train), test: configurationsOf(test) },
    features,
    targets: {},
  };
  targets.forEach((target, i) => {
    options.onTarget?.(target.name, i, targets.length);
    const { file, scores } = trainTarget(target, { train, test, xTrain, xTest, features, options });
    models.push(file);
    evaluation.targets[target.name] = scores;
  });
  return { models, evaluation };
}

/**
 * k-fold cross-validation by configuration: every configuration is held out once, by models
 * trained on the other folds, and the scores are over all those held-out predictions. Steadier
 * than one split when the data is small or a class is rare (few overloaded configurations).
 */
export function crossValidate(data: PreparedData, options: TrainOptions & { folds: number }): Evaluation {
  const folds = foldsByConfiguration(data.rows, options.folds, options.seed);
  const features = featureNames(options.variant, Object.keys(options.groups), data.functions);
  const targets = targetsFor(data.rows, Object.keys(options.groups));
  const pooled = new Map<string, HeldOutRows>(
    targets.map((t) => [t.name, { configurations: [], actual: [], gbt: [] }]),
  );
  folds.forEach((test, f) => {
    const train = folds.filter((_, g) => g !== f).flat();
    const xTrain = train.map((r) => featureVector(r, features));
    const xTest = test.map((r) => featureVector(r, features));
    targets.forEach((target, i) => {
      options.onTarget?.(`${target.name} (fold ${f + 1}/${folds.length})`, i, targets.length);
      const { predicted } = fitTarget(target, { rows: train, x: xTrain, features }, xTest, options);
      const into = pooled.get(target.name) as HeldOutRows;
      into.configurations.push(...test.map((r) => r.configKey));
      into.actual.push(...test.map((r) => target.of(r)));
      for (const key of ['gbt', 'linear', 'forest', 'low', 'high'] as const) {
        const values = predicted[key];
        if (values) into[key] = [...(into[key] ?? []), ...values];
      }
    });
  });
  const configurations = configurationsOf(data.rows);
  return {
    rows: { train: data.rows.length - Math.round(data.rows.length / folds.length), test: data.rows.length },
    configurations: {
      train: configurations - Math.round(configurations / folds.length),
      test: configurations,
    },
    folds: folds.length,
    features,
    targets: Object.fromEntries(
      targets.map((t) => [t.name, evaluateTarget(t.task, pooled.get(t.name) as HeldOutRows)]),
    ),
  };
}

/** What a target's models predicted for held-out rows. */
type Predicted = Omit<HeldOutRows, 'configurations' | 'actual'>;

/** Trains a target's models on the training rows and predicts xTest with them and the baselines. */
function fitTarget(
  target: Target,
  train: { rows: GroupRow[]; x: number[][]; features: string[] },
  xTest: number[][],
  options: TrainOptions,
): { models: ModelFile['models']; predicted: Predicted } {
  const xTrain = train.x;
  const yTrain = train.rows.map((r) => target.of(r));
  const predict = (m: GbtModel) => xTest.map((x) => predictGbt(m, x));
  const baselines = options.baselines
    ? {
        linear: trainLinear(xTrain, yTrain, target.task)(xTest),
        forest: trainForest(xTrain, yTrain, target.task, options.seed)(xTest),
      }
    : {};
  const vectors = (rows: GroupRow[]) => rows.map((r) => featureVector(r, train.features));
  if (target.task === 'classification') {
    const classify = (settings: Omit<GbtOptions, 'loss'>, x: number[][], y: number[]) =>
      trainGbt(x, y, { ...settings, loss: { kind: 'logistic' }, seed: options.seed });
    // The candidate settings and the decision threshold, from out-of-fold probabilities of the
    // training rows (calibration.ts).
    const probabilities = CLASSIFIERS.map((settings) =>
      outOfFold(train.rows, options.seed, (fit, held) => {
        const m = classify(
          settings,
          vectors(fit),
          fit.map((r) => target.of(r)),
        );
        return vectors(held).map((x) => predictGbt(m, x));
      }),
    );
    const choice = probabilities.every((p) => p !== undefined)
      ? chooseClassifier(yTrain, probabilities as number[][])
      : { index: 0, threshold: DEFAULT_THRESHOLD };
    const classifier = classify(CLASSIFIERS[choice.index] as Omit<GbtOptions, 'loss'>, xTrain, yTrain);
    const threshold = choice.threshold;
    return {
      models: { classifier, threshold },
      predicted: { gbt: predict(classifier).map((p) => (p >= threshold ? 1 : 0)), ...baselines },
    };
  }
  const regression = boost(xTrain, yTrain, { kind: 'squared' }, options.seed);
  const predicted = { gbt: predict(regression), ...baselines };
  if (!WITH_QUANTILES.has(target.name)) return { models: { regression }, predicted };
  const bandOf = (x: number[][], y: number[]): RegressionModels => ({
    regression: boost(x, y, { kind: 'squared' }, options.seed),
    quantile005: boost(x, y, { kind: 'quantile', alpha: 0.05 }, options.seed),
    quantile095: boost(x, y, { kind: 'quantile', alpha: 0.95 }, options.seed),
  });
  // The band's conformal correction, from out-of-fold bands of the training rows (calibration.ts).
  const oof = outOfFold(train.rows, options.seed, (fit, held) => {
    const m = bandOf(
      vectors(fit),
      fit.map((r) => target.of(r)),
    );
    return vectors(held).map((x) => ({
      low: predictRegression(m, 'quantile005', x),
      high: predictRegression(m, 'quantile095', x),
    }));
  });
  const models: RegressionModels = {
    regression,
    quantile005: boost(xTrain, yTrain, { kind: 'quantile', alpha: 0.05 }, options.seed),
    quantile095: boost(xTrain, yTrain, { kind: 'quantile', alpha: 0.95 }, options.seed),
    bandCorrection: oof
      ? bandCorrection(
          yTrain,
          oof.map((b) => b.low),
          oof.map((b) => b.high),
        )
      : 0,
  };
  return {
    models,
    predicted: {
      ...predicted,
      low: xTest.map((x) => predictRegression(models, 'quantile005', x)),
      high: xTest.map((x) => predictRegression(models, 'quantile095', x)),
    },
  };
}

/** One gradient-boosted model: quantile losses get more trees and bigger steps (see QUANTILE_TREES). */
function boost(x: number[][], y: number[], loss: GbtOptions['loss'], seed: number): GbtModel {
  return trainGbt(x, y, {
    ...GBT,
    ...(loss.kind === 'quantile' ? { trees: QUANTILE_TREES, learningRate: QUANTILE_LEARNING_RATE } : {}),
    loss,
    seed,
  });
}

function trainTarget(
  target: Target,
  on: {
    train: GroupRow[];
    test: GroupRow[];
    xTrain: number[][];
    xTest: number[][];
    features: string[];
    options: TrainOptions;
  },
): { file: ModelFile; scores: TargetEvaluation } {
  const { xTrain, xTest, options } = on;
  const yTrain = on.train.map((r) => target.of(r));
  const { models, predicted } = fitTarget(
    target,
    { rows: on.train, x: xTrain, features: on.features },
    xTest,
    options,
  );
  const scores = evaluateTarget(target.task, {
    configurations: on.test.map((r) => r.configKey),
    actual: on.test.map((r) => target.of(r)),
    ...predicted,
  });
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ x: xTrain, y: yTrain }))
    .digest('hex');
  return {
    file: {
      format: MODEL_FORMAT,
      version: 1,
      target: target.name,
      task: target.task,
      features: on.features,
      variant: options.variant,
      groups: options.groups,
      nodeTypes: NODE_TYPES,
      training: {
        fingerprint,
        rows: on.train.length,
        configurations: configurationsOf(on.train),
        heldOutConfigurations: configurationsOf(on.test),
        files: options.files.map((f) => ({ file: basename(f.path), nodeType: f.nodeType })),
        testFraction: options.testFraction,
        seed: options.seed,
      },
      models,
      evaluation: scores.gbt,
    },
    scores,
  };
}

/** Writes one TARGET.json per model and evaluation.json, each atomically. */
export function writeModels(dir: string, models: ModelFile[], evaluation: Evaluation): string[] {
  const written = models.map((m) => {
    const path = modelPath(dir, m.target);
    writeFileAtomic(path, `${JSON.stringify(m)}\n`);
    return path;
  });
  writeEvaluation(join(dir, EVALUATION_FILE), evaluation);
  return written;
}
