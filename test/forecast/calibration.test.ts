import { describe, expect, it } from 'vitest';
import {
  bandCorrection,
  chooseClassifier,
  DEFAULT_THRESHOLD,
  overloadThreshold,
} from '../../src/forecast/calibration.js';

describe('calibration on out-of-fold predictions', () => {
  it('widens a band that misses by the conformal quantile of the misses, and narrows one that is too wide', () => {
    // Ten values, each 1..10 above a band of [0, 0]: the ⌈11·0.9⌉ = 10th smallest score is 10.
    const actual = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const zeros = actual.map(() => 0);
    expect(bandCorrection(actual, zeros, zeros)).toBe(10);
    // Each value 5 inside a band of ±5 around it: scores are all -5, the band may shrink by 5.
    expect(
      bandCorrection(
        actual,
        actual.map((y) => y - 5),
        actual.map((y) => y + 5),
      ),
    ).toBe(-5);
    // Twenty scores 1..20: the ⌈21·0.9⌉ = 19th smallest.
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(
      bandCorrection(
        twenty,
        twenty.map(() => 0),
        twenty.map(() => 0),
      ),
    ).toBe(19);
    expect(bandCorrection([], [], [])).toBe(0);
  });

  it('lowers the overload threshold until recall reaches 0.9, while accuracy stays 0.95', () => {
    // 40 rows, 10 overloaded; out of fold, 2 positives scored 0.3 and 0.1, every negative below 0.05.
    const actual = [...Array(10).fill(1), ...Array(30).fill(0)];
    const probability = [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.3, 0.1, ...Array(30).fill(0.01)];
    // Recall 0.8 at 0.5, 0.9 at 0.3 (accuracy 39/40).
    expect(overloadThreshold(actual, probability)).toBe(0.3);
    // Recall already 0.9 at 0.5: unchanged.
    const good = [...probability.slice(0, 9).map(() => 0.9), 0.1, ...Array(30).fill(0.01)];
    expect(overloadThreshold(actual, good)).toBe(DEFAULT_THRESHOLD);
    // Reaching 0.9 would take 4 negatives in with it (accuracy 35/40 < 0.95): unchanged.
    const mixed = [...probability.slice(0, 8), 0.3, 0.1, 0.35, 0.35, 0.35, 0.35, ...Array(26).fill(0.01)];
    expect(overloadThreshold(actual, mixed)).toBe(DEFAULT_THRESHOLD);
    // No overloaded row: nothing to reach.
    expect(overloadThreshold([0, 0], [0.7, 0.1])).toBe(DEFAULT_THRESHOLD);
  });
});

describe('choosing the overload classifier', () => {
  it('keeps accuracy first, then recall, then accuracy, then the earlier candidate', () => {
    const actual = [...Array(10).fill(1), ...Array(30).fill(0)];
    // Sure of itself and wrong on 2 positives: recall 0.8 whatever the threshold.
    const sure = [...Array(8).fill(1), 0, 0, ...Array(30).fill(0)];
    // Graded: those 2 positives at 0.3, every negative at 0.1: recall 1 at 0.3.
    const graded = [...Array(8).fill(0.9), 0.3, 0.3, ...Array(30).fill(0.1)];
    // Catches every positive only with half the negatives: accuracy below 0.95.
    const loose = [...Array(10).fill(0.9), ...Array(15).fill(0.95), ...Array(15).fill(0)];
    expect(chooseClassifier(actual, [sure, graded, loose])).toEqual({
      index: 1,
      threshold: 0.3,
      recall: 1,
      accuracy: 1,
    });
    expect(chooseClassifier(actual, [sure, sure]).index).toBe(0);
    expect(chooseClassifier(actual, [loose, sure]).index).toBe(1);
  });
});
