import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.js';
import { type GbtModel, type GbtOptions, predictGbt, trainGbt } from '../../src/forecast/gbt.js';

/** Standard normal draws (Box-Muller). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

interface Data {
  x: number[][];
  y: number[];
}

/** count rows of 4 features uniform in [0, 2) (x2 and x3 are distractors), y = fn(row, random). */
function synth(count: number, seed: number, fn: (row: number[], random: () => number) => number): Data {
  const random = seededRandom(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < count; i++) {
    const row = [0, 1, 2, 3].map(() => 2 * random());
    x.push(row);
    y.push(fn(row, random));
  }
  return { x, y };
}

const mean = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
const share = (flags: boolean[]) => flags.filter(Boolean).length / flags.length;
const predictAll = (model: GbtModel, x: number[][]) => x.map((row) => predictGbt(model, row));

const smooth = (row: number[], random: () => number) =>
  3 * (row[0] as number) + (row[1] as number) ** 2 + 0.1 * normal(random);
/** Noise that grows with x0, so a constant offset from the mean cannot pass for a quantile. */
const heteroscedastic = (row: number[], random: () => number) =>
  3 * (row[0] as number) + (row[1] as number) ** 2 + (0.2 + (row[0] as number)) * normal(random);
const classOf = (row: number[]) => ((row[0] as number) + (row[1] as number) > 1 ? 1 : 0);

describe('gradient-boosted trees', () => {
  it('learns a smooth regression with squared loss', () => {
    const train = synth(2000, 1, smooth);
    const test = synth(1000, 2, smooth);
    const model = trainGbt(train.x, train.y, { loss: { kind: 'squared' } });
    const predicted = predictAll(model, test.x);
    const sse = test.y.reduce((s, y, i) => s + (y - (predicted[i] as number)) ** 2, 0);
    const trainMean = mean(train.y);
    const sseOfMean = test.y.reduce((s, y) => s + (y - trainMean) ** 2, 0);
    const yMean = mean(test.y);
    const sst = test.y.reduce((s, y) => s + (y - yMean) ** 2, 0);
    expect(1 - sse / sst).toBeGreaterThan(0.95);
    expect(sse).toBeLessThan(sseOfMean / 20);
    expect(model.base).toBeCloseTo(trainMean, 10);
    expect(model.trees).toHaveLength(200);
  });

  it('brackets the data between its 0.05 and 0.95 quantile models', () => {
    const train = synth(4000, 3, heteroscedastic);
    const test = synth(2000, 4, heteroscedastic);
    const q95 = predictAll(trainGbt(train.x, train.y, { loss: { kind: 'quantile', alpha: 0.95 } }), test.x);
    const q05 = predictAll(trainGbt(train.x, train.y, { loss: { kind: 'quantile', alpha: 0.05 } }), test.x);
    const below95 = share(test.y.map((y, i) => y < (q95[i] as number)));
    const below05 = share(test.y.map((y, i) => y < (q05[i] as number)));
    expect(below95).toBeGreaterThan(0.88);
    expect(below95).toBeLessThan(0.99);
    expect(below05).toBeGreaterThan(0.01);
    expect(below05).toBeLessThan(0.12);
    expect(share(q05.map((q, i) => q <= (q95[i] as number)))).toBeGreaterThan(0.97);
    // The band follows the noise: wider where x0 is large than where it is small.
    const width = (keep: (x0: number) => boolean) =>
      mean(
        test.x.flatMap((row, i) => (keep(row[0] as number) ? [(q95[i] as number) - (q05[i] as number)] : [])),
      );
    expect(width((x0) => x0 > 1.5)).toBeGreaterThan(2 * width((x0) => x0 < 0.5));
  });

  it('classifies with logistic loss', () => {
    const train = synth(2000, 5, classOf);
    const test = synth(1000, 6, classOf);
    const model = trainGbt(train.x, train.y, { loss: { kind: 'logistic' } });
    const p = predictAll(model, test.x);
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(share(test.y.map((y, i) => ((p[i] as number) > 0.5 ? 1 : 0) === y))).toBeGreaterThan(0.95);
    const positives = mean(train.y);
    expect(model.base).toBeCloseTo(Math.log(positives / (1 - positives)), 10);
  });

  it('round-trips through JSON and is deterministic per seed', () => {
    const train = synth(500, 7, smooth);
    const options: GbtOptions = { loss: { kind: 'squared' }, trees: 50, subsample: 0.5, seed: 3 };
    const model = trainGbt(train.x, train.y, options);
    const loaded = JSON.parse(JSON.stringify(model)) as GbtModel;
    const probe = synth(200, 8, smooth).x;
    expect(predictAll(loaded, probe)).toEqual(predictAll(model, probe));
    expect(trainGbt(train.x, train.y, options)).toEqual(model);
    const reseeded = trainGbt(train.x, train.y, { ...options, seed: 4 });
    expect(reseeded.trees).not.toEqual(model.trees);
    expect(predictAll(reseeded, probe)).not.toEqual(predictAll(model, probe));
  });

  it('keeps trees within maxDepth and leaves at minSamplesLeaf rows', () => {
    const train = synth(300, 9, smooth);
    const model = trainGbt(train.x, train.y, {
      loss: { kind: 'squared' },
      trees: 5,
      maxDepth: 2,
      minSamplesLeaf: 40,
    });
    for (const tree of model.trees) {
      const leafCounts = new Map<number, number>();
      for (const row of train.x) {
        let node = 0;
        let depth = 0;
        while ((tree.feature[node] as number) >= 0) {
          const f = tree.feature[node] as number;
          node = (
            (row[f] as number) <= (tree.threshold[node] as number) ? tree.left[node] : tree.right[node]
          ) as number;
          depth++;
        }
        expect(depth).toBeLessThanOrEqual(2);
        leafCounts.set(node, (leafCounts.get(node) ?? 0) + 1);
      }
      expect(leafCounts.size).toBeGreaterThan(1);
      expect(Math.min(...leafCounts.values())).toBeGreaterThanOrEqual(40);
    }
  });

  it('makes no split when the target is constant', () => {
    const x = [[1], [2], [3], [4], [5], [6], [7], [8], [9], [10], [11], [12]];
    const model = trainGbt(x, Array(12).fill(7), { loss: { kind: 'squared' }, trees: 3, minSamplesLeaf: 1 });
    expect(model.trees.every((t) => t.feature.length === 1)).toBe(true);
    expect(predictGbt(model, [100])).toBe(7);
  });

  it('splits between adjacent doubles', () => {
    const a = 1;
    const b = 1 + Number.EPSILON;
    const x = [[a], [a], [b], [b]];
    const model = trainGbt(x, [0, 0, 1, 1], {
      loss: { kind: 'squared' },
      trees: 1,
      learningRate: 1,
      minSamplesLeaf: 1,
    });
    expect(predictGbt(model, [a])).toBeCloseTo(0, 12);
    expect(predictGbt(model, [b])).toBeCloseTo(1, 12);
  });

  it('names each bad input', () => {
    const squared: GbtOptions = { loss: { kind: 'squared' } };
    const x = [
      [1, 2],
      [3, 4],
    ];
    const bad = (xs: number[][], ys: number[], options: GbtOptions) => () => trainGbt(xs, ys, options);
    expect(bad([], [], squared)).toThrow('x is empty');
    expect(bad(x, [1], squared)).toThrow('x has 2 rows but y has 1');
    expect(bad([[1, 2], [3]], [1, 2], squared)).toThrow('row 1 has 1 features, row 0 has 2');
    expect(bad([[], []], [1, 2], squared)).toThrow('row 0 has no features');
    expect(
      bad(
        [
          [1, 2],
          [3, Number.NaN],
        ],
        [1, 2],
        squared,
      ),
    ).toThrow('row 1 feature 1 is NaN');
    expect(
      bad(
        [
          [Number.POSITIVE_INFINITY, 2],
          [3, 4],
        ],
        [1, 2],
        squared,
      ),
    ).toThrow('row 0 feature 0 is Infinity');
    expect(bad(x, [1, Number.NaN], squared)).toThrow('y[1] is NaN');
    expect(bad(x, [0, 0.5], { loss: { kind: 'logistic' } })).toThrow(
      'y[1] is 0.5: logistic loss needs 0 or 1',
    );
    expect(bad(x, [0, 2], { loss: { kind: 'logistic' } })).toThrow('y[1] is 2');
    for (const alpha of [0, 1, -0.5, Number.NaN]) {
      expect(bad(x, [1, 2], { loss: { kind: 'quantile', alpha } })).toThrow(
        `quantile alpha must be in (0, 1), got ${alpha}`,
      );
    }
    expect(bad(x, [1, 2], { loss: { kind: 'huber' } as unknown as GbtOptions['loss'] })).toThrow(
      'unknown loss',
    );
    const option = (over: Partial<GbtOptions>) => bad(x, [1, 2], { ...squared, ...over });
    expect(option({ trees: 0 })).toThrow('trees must be a positive integer, got 0');
    expect(option({ trees: 2.5 })).toThrow('trees must be a positive integer, got 2.5');
    expect(option({ maxDepth: 0 })).toThrow('maxDepth must be a positive integer, got 0');
    expect(option({ minSamplesLeaf: -1 })).toThrow('minSamplesLeaf must be a positive integer, got -1');
    expect(option({ learningRate: 0 })).toThrow('learningRate must be a positive finite number, got 0');
    expect(option({ learningRate: Number.POSITIVE_INFINITY })).toThrow(
      'learningRate must be a positive finite',
    );
    expect(option({ subsample: 0 })).toThrow('subsample must be in (0, 1], got 0');
    expect(option({ subsample: 1.5 })).toThrow('subsample must be in (0, 1], got 1.5');
    expect(option({ seed: 0.5 })).toThrow('seed must be an integer, got 0.5');
    const model = trainGbt(x, [1, 2], squared);
    expect(() => predictGbt(model, [1])).toThrow('row has 1 features, the model expects 2');
    expect(() => predictGbt(model, [1, 2, 3])).toThrow('row has 3 features, the model expects 2');
  });
});
