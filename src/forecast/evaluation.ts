/**
 * The evaluation of the models on held-out configurations, as `evaluate` and `train` keep it
 * (evaluation.json): per target the scores of our trees and the baselines, the band's coverage,
 * and what each model predicted for each held-out configuration, from which the report draws its
 * charts (evaluation-report.ts). Training (train.ts) makes the predictions; this module scores
 * them, so the report needs nothing of training.
 */
import { writeFileAtomic } from '../core/files.js';
import {
  type ClassificationScores,
  classificationScores,
  type RegressionScores,
  regressionScores,
} from './scores.js';

/** The models an evaluation measures, by their key in it, and their names for people. */
export const EVALUATED_MODELS = { gbt: 'boosted trees', linear: 'linear', forest: 'random forest' } as const;
export type EvaluatedModel = keyof typeof EVALUATED_MODELS;

/** The models evaluated for a target, in EVALUATED_MODELS's order (the baselines only when asked for). */
export const evaluatedModels = (e: Pick<TargetEvaluation, EvaluatedModel>): EvaluatedModel[] =>
  (Object.keys(EVALUATED_MODELS) as EvaluatedModel[]).filter((m) => e[m] !== undefined);

/** What a target's models predicted for held-out rows, beside the actual values, row by row. */
export interface HeldOutRows {
  /** Each row's configuration (dataset.ts, configKeyOf). */
  configurations: string[];
  actual: number[];
  /** Our trees: values, or 0/1 classes. */
  gbt: number[];
  linear?: number[];
  forest?: number[];
  /** The band: the 0.05 and 0.95 quantile predictions (node targets). */
  low?: number[];
  high?: number[];
}

/**
 * One held-out configuration of a target: the mean of its rows' actual values and each model's
 * prediction. A configuration's rows share their features, so each model predicted the same for
 * all of them; only the actual values differ from iteration to iteration.
 */
export interface HeldOutPrediction {
  /** dataset.ts's configuration key: `fn:rate|…@nodeType`. */
  configuration: string;
  rows: number;
  actual: number;
  gbt: number;
  linear?: number;
  forest?: number;
  low?: number;
  high?: number;
}

export interface TargetEvaluation {
  task: 'regression' | 'classification';
  gbt: RegressionScores | ClassificationScores;
  /** The baselines, when asked for (`evaluate`; `train` skips them: the forest is slow). */
  linear?: RegressionScores | ClassificationScores;
  forest?: RegressionScores | ClassificationScores;
  /** Share of held-out rows between the 0.05 and 0.95 quantile predictions (regression). */
  intervalCoverage?: number;
  /** Each held-out configuration, in the order they were held out. */
  heldOut: HeldOutPrediction[];
}

export interface Evaluation {
  /** With cross-validation: rows and configurations per training fold (about), and all held out. */
  rows: { train: number; test: number };
  configurations: { train: number; test: number };
  /** k of a k-fold cross-validation; absent for one split. */
  folds?: number;
  features: string[];
  targets: Record<string, TargetEvaluation>;
}

/** A target's scores on its held-out rows, and its predictions per configuration. */
export function evaluateTarget(task: TargetEvaluation['task'], held: HeldOutRows): TargetEvaluation {
  const score = task === 'classification' ? classificationScores : regressionScores;
  const { low, high, actual } = held;
  return {
    task,
    gbt: score(actual, held.gbt),
    ...(held.linear ? { linear: score(actual, held.linear) } : {}),
    ...(held.forest ? { forest: score(actual, held.forest) } : {}),
    ...(low && high
      ? {
          intervalCoverage:
            actual.filter((y, i) => y >= (low[i] as number) && y <= (high[i] as number)).length /
            actual.length,
        }
      : {}),
    heldOut: byConfiguration(held),
  };
}

/** The held-out rows gathered by configuration, each figure the mean over its rows. */
function byConfiguration(held: HeldOutRows): HeldOutPrediction[] {
  const rowsOf = new Map<string, number[]>();
  held.configurations.forEach((c, i) => {
    const rows = rowsOf.get(c);
    if (rows) rows.push(i);
    else rowsOf.set(c, [i]);
  });
  return [...rowsOf].map(([configuration, rows]) => {
    const mean = (values: number[]) => rows.reduce((sum, i) => sum + (values[i] as number), 0) / rows.length;
    const prediction: HeldOutPrediction = {
      configuration,
      rows: rows.length,
      actual: mean(held.actual),
      gbt: mean(held.gbt),
    };
    for (const key of ['linear', 'forest', 'low', 'high'] as const) {
      const values = held[key];
      if (values) prediction[key] = mean(values);
    }
    return prediction;
  });
}

/** What was held out, in a sentence: one split, or every configuration once by k-fold cross-validation. */
export function heldOutText(evaluation: Evaluation): string {
  const { configurations, rows, folds } = evaluation;
  return folds
    ? `${folds}-fold cross-validation: each of the ${configurations.test} configurations (${rows.test} rows) held out once, by models trained on about ${configurations.train}`
    : `held out: ${configurations.test} configurations (${rows.test} rows); trained on ${configurations.train} (${rows.train} rows)`;
}

/** Writes the evaluation as JSON (evaluation.json, or `evaluate --out`), atomically. */
export function writeEvaluation(path: string, evaluation: Evaluation): void {
  writeFileAtomic(path, `${JSON.stringify(evaluation, null, 2)}\n`);
}
