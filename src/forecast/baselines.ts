/**
 * The baselines `dfaas forecast evaluate` measures our gradient-boosted trees against, so the
 * choice of model is measured, not assumed: ordinary least squares with an intercept
 * (ml-regression-multivariate-linear; for the overload class, the same fit thresholded at 0.5)
 * and a random forest (ml-random-forest, seeded).
 */

import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';

export type Predictor = (x: number[][]) => number[];

export function trainLinear(x: number[][], y: number[], task: 'regression' | 'classification'): Predictor {
  const fit = new MultivariateLinearRegression(
    x,
    y.map((v) => [v]),
    { intercept: true, statistics: false },
  );
  return (rows) => fit.predict(rows).map(([v = 0]) => (task === 'classification' ? (v >= 0.5 ? 1 : 0) : v));
}

export function trainForest(
  x: number[][],
  y: number[],
  task: 'regression' | 'classification',
  seed: number,
): Predictor {
  const options = {
    nEstimators: 50,
    treeOptions: { maxDepth: 8, minNumSamples: 3 },
    maxFeatures: 1.0,
    replacement: true,
    useSampleBagging: true,
    noOOB: true,
    seed,
  };
  if (task === 'classification') {
    const forest = new RandomForestClassifier(options);
    forest.train(x, y);
    return (rows) => forest.predict(rows);
  }
  const forest = new RandomForestRegression(options);
  forest.train(x, y);
  return (rows) => forest.predict(rows);
}
