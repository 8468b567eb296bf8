import { describe, expect, it } from 'vitest';
import {
  type Evaluation,
  evaluatedModels,
  evaluateTarget,
  heldOutText,
} from '../../src/forecast/evaluation.js';

describe('the evaluation of held-out predictions', () => {
  it('keeps one prediction per held-out configuration: the mean of its rows, in the order held out', () => {
    const e = evaluateTarget('regression', {
      configurations: ['b@0', 'a@0', 'b@0', 'a@0', 'c@2'],
      actual: [10, 20, 14, 22, 5],
      gbt: [11, 21, 11, 21, 6],
      linear: [9, 19, 9, 19, 4],
      low: [8, 18, 8, 18, 4],
      high: [13, 23, 13, 23, 7],
    });
    expect(e.heldOut).toEqual([
      { configuration: 'b@0', rows: 2, actual: 12, gbt: 11, linear: 9, low: 8, high: 13 },
      { configuration: 'a@0', rows: 2, actual: 21, gbt: 21, linear: 19, low: 18, high: 23 },
      { configuration: 'c@2', rows: 1, actual: 5, gbt: 6, linear: 4, low: 4, high: 7 },
    ]);
    // The scores stay over the rows: 14 is outside its band [8, 13], the other four inside.
    expect(e.intervalCoverage).toBeCloseTo(4 / 5);
    expect(e.gbt).toMatchObject({ mae: (1 + 1 + 3 + 1 + 1) / 5 });
    expect(evaluatedModels(e)).toEqual(['gbt', 'linear']);
  });

  it('says what was held out: one split, or every configuration once', () => {
    const evaluation: Evaluation = {
      rows: { train: 362, test: 90 },
      configurations: { train: 181, test: 45 },
      features: ['node_type'],
      targets: {},
    };
    expect(heldOutText(evaluation)).toBe('held out: 45 configurations (90 rows); trained on 181 (362 rows)');
    expect(
      heldOutText({
        ...evaluation,
        folds: 5,
        rows: { train: 362, test: 452 },
        configurations: { train: 181, test: 226 },
      }),
    ).toBe(
      '5-fold cross-validation: each of the 226 configurations (452 rows) held out once, by models trained on about 181',
    );
  });
});
