import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ForecastInputError, ModelFileError } from '../../src/forecast/errors.js';
import { type GbtOptions, trainGbt } from '../../src/forecast/gbt.js';
import {
  answerModel,
  answersType,
  loadModels,
  MODEL_FORMAT,
  type ModelFile,
  modelPath,
  predictModel,
  predictRegression,
} from '../../src/forecast/model.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const x = [[0], [1], [2], [3], [4], [5], [6], [7]];
const y = x.map(([v]) => 10 * (v as number));
const gbt = (loss: GbtOptions['loss']) =>
  trainGbt(x, y, { loss, trees: 20, learningRate: 0.5, minSamplesLeaf: 1 });

const file = (target: string, models: ModelFile['models']): ModelFile => ({
  format: MODEL_FORMAT,
  version: 1,
  target,
  task: 'classifier' in models ? 'classification' : 'regression',
  features: ['rate'],
  variant: 'groups',
  groups: {},
  nodeTypes: {},
  training: {
    fingerprint: '',
    rows: 8,
    configurations: 8,
    heldOutConfigurations: 0,
    files: [],
    testFraction: 0.2,
    seed: 1,
  },
  models,
  evaluation: { r2: 1, mae: 0, mape: 0 },
});

describe('the model file', () => {
  it('loads every model of a folder by target, leaving evaluation.json out', () => {
    const models = join(dir, 'models');
    mkdirSync(models);
    const cpu = file('cpu_usage_node', { regression: gbt({ kind: 'squared' }) });
    writeFileSync(modelPath(models, cpu.target), JSON.stringify(cpu));
    writeFileSync(join(models, 'evaluation.json'), '{}');
    const loaded = loadModels(models);
    expect([...loaded.keys()]).toEqual(['cpu_usage_node']);
    expect(predictModel(loaded.get('cpu_usage_node') as ModelFile, [3])).toBeCloseTo(30, 0);
  });

  it('skips the files dfaas writes beside the models (profile, train, evaluate --out), not any other', () => {
    const models = join(dir, 'beside');
    mkdirSync(models);
    const cpu = file('cpu_usage_node', { regression: gbt({ kind: 'squared' }) });
    writeFileSync(modelPath(models, cpu.target), JSON.stringify(cpu));
    for (const name of [
      'group_list.json',
      'group_model.json',
      'evaluation.json',
      'evaluation-5-fold.json',
      'evaluation.html',
      'evaluation-5-fold.html',
      'notes.txt',
    ])
      writeFileSync(join(models, name), '{"LOW_USAGE": ["figlet"]}');
    expect([...loadModels(models).keys()]).toEqual(['cpu_usage_node']);
    writeFileSync(join(models, 'group_list.old.json'), '{"LOW_USAGE": ["figlet"]}');
    expect(() => loadModels(models)).toThrow(/group_list\.old\.json: not a dfaas forecast model/);
  });

  it('refuses a folder without models and a JSON file that is not one', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(() => loadModels(empty)).toThrow(ModelFileError);
    expect(() => loadModels(empty)).toThrow(/no model files/);
    writeFileSync(join(empty, 'other.json'), '{"format":"x"}');
    expect(() => loadModels(empty)).toThrow(/other.json: not a dfaas forecast model/);
  });

  it('keeps the quantiles on their side of the regression, and names a missing one', () => {
    const regression = gbt({ kind: 'squared' });
    const models = {
      regression,
      // Crossed on purpose: the "0.05" model is the 0.95 one and the other way round.
      quantile005: gbt({ kind: 'quantile', alpha: 0.95 }),
      quantile095: gbt({ kind: 'quantile', alpha: 0.05 }),
    };
    for (const [v] of x) {
      const expected = predictRegression(models, 'regression', [v as number]);
      expect(predictRegression(models, 'quantile005', [v as number])).toBeLessThanOrEqual(expected);
      expect(predictRegression(models, 'quantile095', [v as number])).toBeGreaterThanOrEqual(expected);
    }
    expect(() => predictRegression({ regression }, 'quantile095', [1], 'latency_node')).toThrow(
      ForecastInputError,
    );
    expect(() => predictRegression({ regression }, 'quantile095', [1], 'latency_node')).toThrow(
      'latency_node has no quantile095 model',
    );
  });

  it('predicts the probability with a classifier', () => {
    const classifier = trainGbt(
      x,
      y.map((v) => (v > 35 ? 1 : 0)),
      { loss: { kind: 'logistic' }, trees: 20, learningRate: 0.5, minSamplesLeaf: 1 },
    );
    const over = file('overloaded_node', { classifier, threshold: 0.5 });
    expect(predictModel(over, [7])).toBeGreaterThan(0.5);
    expect(predictModel(over, [0])).toBeLessThan(0.5);
  });
});

describe("a model file's answer", () => {
  it('is {TARGET: value} for a regression, by the model type asked for', () => {
    const cpu = file('cpu_usage_node', {
      regression: gbt({ kind: 'squared' }),
      quantile095: gbt({ kind: 'quantile', alpha: 0.95 }),
    });
    expect(answerModel(cpu, [3])).toEqual({ cpu_usage_node: predictModel(cpu, [3]) });
    expect(answerModel(cpu, [3], 'quantile095')).toEqual({
      cpu_usage_node: predictModel(cpu, [3], 'quantile095'),
    });
    expect(answersType(cpu, 'quantile095')).toBe(true);
    expect(answersType(cpu, 'quantile005')).toBe(false);
  });

  it('is the class by the stored threshold and the probability for a classifier, whatever the type', () => {
    const classifier = trainGbt(
      x,
      y.map((v) => (v > 35 ? 1 : 0)),
      { loss: { kind: 'logistic' }, trees: 20, learningRate: 0.5, minSamplesLeaf: 1 },
    );
    const p = (threshold: number) => file('overloaded_node', { classifier, threshold });
    const probability = predictModel(p(0.5), [0]);
    expect(probability).toBeLessThan(0.5);
    expect(answerModel(p(0.5), [0])).toEqual({
      overloaded_node: 0,
      overloaded_node_probability: probability,
    });
    // A threshold lowered by calibration turns the same probability into an overload.
    expect(answerModel(p(probability), [0], 'quantile095')).toEqual({
      overloaded_node: 1,
      overloaded_node_probability: probability,
    });
    expect(answersType(p(0.5), 'quantile005')).toBe(true);
  });
});
