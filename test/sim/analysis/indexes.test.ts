import { describe, expect, it } from 'vitest';
import {
  computeIndexes,
  INDEX_NAMES,
  npMedian,
  npSum,
  stressWindow,
} from '../../../src/sim/analysis/indexes.js';
import { analyzeRun } from '../../../src/sim/analysis/success.js';
import { type Flow, instanceOf, runOf, TEST_MODEL, TEST_THRESHOLDS, twoNodeCase } from './fixtures.js';

const OPTIONS = { model: TEST_MODEL, thresholds: TEST_THRESHOLDS };

describe('stressWindow', () => {
  it("is Python's slice [⌊T/2⌋−1 : ⌊T/2⌋+1]", () => {
    expect(stressWindow(7)).toEqual({ start: 2, end: 4 }); // instants 2 and 3 (D7)
    expect(stressWindow(8)).toEqual({ start: 3, end: 5 });
    expect(stressWindow(10)).toEqual({ start: 4, end: 6 });
    expect(stressWindow(3)).toEqual({ start: 0, end: 2 });
    expect(stressWindow(2)).toEqual({ start: 0, end: 2 });
    expect(stressWindow(1)).toEqual({ start: 0, end: 1 }); // [-1:1] of one item: the item
  });
});

describe('numpy arithmetic', () => {
  it('sums pairwise as np.sum does', () => {
    // 8 values: accumulators r = the values, then ((1e16 + 1) + (1 + 1)) + ((1 + 1) + (1 + 1)):
    // 1e16 + 1 ties back to 1e16, + 2 → 1e16 + 2, + 4 → 1e16 + 6. Left to right every + 1 is lost.
    expect(npSum([1e16, 1, 1, 1, 1, 1, 1, 1])).toBe(10000000000000006);
    expect([1e16, 1, 1, 1, 1, 1, 1, 1].reduce((a, b) => a + b)).toBe(1e16);
    // A 9th value is added after the block: 1e16 + 7 ties to the even 1e16 + 8.
    expect(npSum([1e16, 1, 1, 1, 1, 1, 1, 1, 1])).toBe(10000000000000008);
  });

  it('takes the median of an odd count, the mean of the two middle ones of an even count', () => {
    expect(npMedian([3, 1, 2])).toBe(2);
    expect(npMedian([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('computeIndexes', () => {
  it('the seven indexes on the worked 2-node, 7-instant run', () => {
    const { instance, run } = twoNodeCase();
    const x = computeIndexes(analyzeRun(run, instance, OPTIONS));
    expect(Object.keys(x)).toEqual([...INDEX_NAMES]);
    // Per function, mean over t: figlet (5 + 10/12 + 10/14)/7 = 0.93537, curl (6 + 10/11)/7 = 0.98701,
    // the 4 others 1 (they count, D8): (4 + 0.93537 + 0.98701)/6 × 100 = 98.70645.
    const figlet = (1 + 1 + 10 / 12 + 10 / 14 + 1 + 1 + 1) / 7;
    const curl = (1 + 1 + 1 + 1 + 10 / 11 + 1 + 1) / 7;
    expect(x['Mean success rate']).toBe(((1 + 1 + 1 + figlet + 1 + curl) / 6) * 100);
    expect(x['Mean success rate']).toBeCloseTo(98.70645, 5);
    // 42 values, 3 of them below 1: the median is 1.
    expect(x['Success rate median']).toBe(100);
    // Instants 2 and 3: figlet (10/12 + 10/14)/2 = 0.77381, all else 1: (5 + 0.77381)/6 × 100 = 96.23016.
    expect(x['Mean success rate (stress period)']).toBe(
      ((1 + 1 + 1 + (10 / 12 + 10 / 14) / 2 + 1 + 1) / 6) * 100,
    );
    expect(x['Success rate median (stress period)']).toBe(100);
    // Per-instant means 1200, 1500, 2000, 2000, 1900, 1400, 1000: 11,000/7; max 2000.
    expect(x['Mean node power consumption']).toBe(11000 / 7);
    expect(x['Max node power consumption']).toBe(2000);
    // 2 shed at t = 2, 4 missing at t = 3, 1 shed at t = 4.
    expect(x['Tot. rejected requests']).toBe(7);
  });

  it('medians over a two-function list', () => {
    // Functions figlet and curl only. All 14 values: 11 ones → median 1. Stress period:
    // [10/12, 10/14, 1, 1] → (10/12 + 1)/2 = 0.91667.
    const { instance, run } = twoNodeCase();
    const groups = { HIGH_USAGE: [], LOW_USAGE: ['figlet'], MEDIUM_USAGE: ['curl'] };
    const x = computeIndexes(analyzeRun(run, instance, { ...OPTIONS, groups }));
    expect(x['Success rate median']).toBe(100);
    expect(x['Success rate median (stress period)']).toBe(((10 / 12 + 1) / 2) * 100);
    expect(x['Mean success rate']).toBe(
      ((1 + 1 + 10 / 12 + 10 / 14 + 1 + 1 + 1) / 7 + (6 + 10 / 11) / 7) * 50,
    );
  });

  it('a 10-instant run: the stress period is instants 4 and 5', () => {
    // figlet only; node_0's users offer 10 at every instant; it sends 4 at t = 4 and 2 at t = 5
    // to node_1, which deploys nothing: S = 1 except S4 = 0.6, S5 = 0.8.
    const sent = [0, 0, 0, 0, 4, 2, 0, 0, 0, 0];
    const instance = instanceOf([
      { functions: { figlet: 'LOW_USAGE' }, load: sent.map(() => ({ figlet: 10 })) },
      { functions: {}, load: sent.map(() => ({})) },
    ]);
    const flows = sent.map((s): Flow[] => [
      ['figlet', 'node_0', 'node_0', 10 - s],
      ['figlet', 'node_0', 'node_1', s],
    ]);
    const groups = { HIGH_USAGE: [], LOW_USAGE: ['figlet'], MEDIUM_USAGE: [] };
    const x = computeIndexes(
      analyzeRun(runOf('equal', 'framework', flows), instance, { ...OPTIONS, groups }),
    );
    expect(x['Mean success rate (stress period)']).toBeCloseTo(70, 12);
    expect(x['Success rate median (stress period)']).toBeCloseTo(70, 12);
    expect(x['Mean success rate']).toBeCloseTo(94, 12); // (8 + 0.6 + 0.8)/10
    expect(x['Success rate median']).toBe(100);
    expect(x['Tot. rejected requests']).toBe(6);
  });

  it('power indexes are NaN when the model predicts no power', () => {
    const { instance, run } = twoNodeCase();
    const cpuOnly = { name: 'cpu', predict: () => ({ cpu_usage_node: 0 }) };
    const x = computeIndexes(analyzeRun(run, instance, { ...OPTIONS, model: cpuOnly }));
    expect(x['Mean node power consumption']).toBeNaN();
    expect(x['Max node power consumption']).toBeNaN();
  });
});
