/** Evaluation figures of the forecasting models, on held-out configurations. */

export interface RegressionScores {
  mae: number;
  /** Mean absolute percentage error over the rows whose actual value is not 0 (NaN if none). */
  mape: number;
  r2: number;
}

export interface ClassificationScores {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
}

export function regressionScores(actual: number[], predicted: number[]): RegressionScores {
  const n = actual.length;
  const mean = actual.reduce((a, b) => a + b, 0) / n;
  let absolute = 0;
  let percent = 0;
  let nonZero = 0;
  let residual = 0;
  let total = 0;
  actual.forEach((y, i) => {
    const e = y - (predicted[i] as number);
    absolute += Math.abs(e);
    residual += e * e;
    total += (y - mean) ** 2;
    if (y !== 0) {
      percent += Math.abs(e / y);
      nonZero++;
    }
  });
  return {
    mae: absolute / n,
    mape: nonZero > 0 ? (percent / nonZero) * 100 : Number.NaN,
    // A constant target has no variance to explain: R² is 1 if it is predicted exactly, else NaN.
    r2: total > 0 ? 1 - residual / total : residual === 0 ? 1 : Number.NaN,
  };
}

/** Scores of 0/1 predictions against 0/1 labels, 1 being "overloaded" (the positive class). */
export function classificationScores(actual: number[], predicted: number[]): ClassificationScores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  actual.forEach((y, i) => {
    const p = predicted[i];
    if (y === 1 && p === 1) tp++;
    else if (y === 0 && p === 1) fp++;
    else if (y === 1) fn++;
    else tn++;
  });
  const precision = tp + fp > 0 ? tp / (tp + fp) : Number.NaN;
  const recall = tp + fn > 0 ? tp / (tp + fn) : Number.NaN;
  return {
    accuracy: (tp + tn) / actual.length,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : Number.NaN,
  };
}
