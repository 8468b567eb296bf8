import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainingDataError } from '../../src/forecast/errors.js';
import { featureVector } from '../../src/forecast/features.js';
import { Forecaster } from '../../src/forecast/forecaster.js';
import type { ModelFile } from '../../src/forecast/model.js';
import type { RegressionScores } from '../../src/forecast/scores.js';
import { classificationScores, regressionScores } from '../../src/forecast/scores.js';
import {
  crossValidate,
  FEW_CONFIGURATIONS,
  prepareData,
  trainAndEvaluate,
  trainingDataWarnings,
  writeModels,
} from '../../src/forecast/train.js';
import { SYNTHETIC_GROUPS, syntheticOptions, writeSyntheticResults } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-train-'));
const files = [
  { path: writeSyntheticResults(dir, 'heavy', 1), nodeType: 0 },
  { path: writeSyntheticResults(dir, 'light', 2), nodeType: 2 },
];

describe('node-usage models', () => {
  it('scores regressions and classes', () => {
    expect(regressionScores([1, 2, 3], [1, 2, 3])).toEqual({ mae: 0, mape: 0, r2: 1 });
    const s = regressionScores([0, 2, 4], [1, 2, 3]);
    expect(s.mae).toBeCloseTo(2 / 3);
    expect(s.mape).toBeCloseTo(12.5); // |2-2|/2 and |4-3|/4 over the 2 non-zero actuals
    expect(s.r2).toBeCloseTo(1 - 2 / 8);
    expect(classificationScores([1, 1, 0, 0], [1, 0, 1, 0])).toEqual({
      accuracy: 0.5,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    });
  });

  it('learn the known relationship of a synthetic dataset, on held-out configurations', () => {
    const data = prepareData(files, SYNTHETIC_GROUPS);
    expect(data.rows).toHaveLength(400);
    expect(data.functions).toEqual(['heavy', 'light']);
    const { models, evaluation } = trainAndEvaluate(data, { ...syntheticOptions(files), baselines: true });
    expect(evaluation.features).toEqual([
      'rate_group_HIGH_USAGE',
      'rate_group_LOW_USAGE',
      'rate_group_MEDIUM_USAGE',
      'node_type',
    ]);
    expect(evaluation.configurations).toEqual({ train: 160, test: 40 });
    // Every target the data supports, and none it does not (MEDIUM_USAGE is empty: no usage).
    expect(Object.keys(evaluation.targets)).toEqual([
      'cpu_usage_node',
      'ram_usage_node',
      'power_usage_node',
      'cpu_usage_group_HIGH_USAGE',
      'ram_usage_group_HIGH_USAGE',
      'cpu_usage_group_LOW_USAGE',
      'ram_usage_group_LOW_USAGE',
      'latency_node',
      'overloaded_node',
    ]);
    const scores = (t: string, model: 'gbt' | 'linear' = 'gbt') =>
      evaluation.targets[t]?.[model] as RegressionScores & { accuracy?: number };
    const r2 = (t: string) => scores(t)?.r2;
    expect(r2('cpu_usage_node')).toBeGreaterThan(0.97);
    expect(r2('ram_usage_node')).toBeGreaterThan(0.95);
    expect(r2('power_usage_node')).toBeGreaterThan(0.97);
    expect(evaluation.targets.cpu_usage_node?.intervalCoverage).toBeGreaterThan(0);
    // Held-out configurations next to the boundary (within the noise) are the ones missed.
    expect(scores('overloaded_node')?.accuracy).toBeGreaterThan(0.85);
    // The baselines are measured beside it: linear is exact on this linear data's CPU, too.
    expect(scores('cpu_usage_node', 'linear')?.r2).toBeGreaterThan(0.9);

    writeModels(join(dir, 'models'), models, evaluation);
    const cpu = JSON.parse(readFileSync(join(dir, 'models', 'cpu_usage_node.json'), 'utf8')) as ModelFile;
    expect(cpu).toMatchObject({
      format: 'dfaas-forecast-model',
      target: 'cpu_usage_node',
      features: evaluation.features,
      training: {
        rows: 320,
        configurations: 160,
        heldOutConfigurations: 40,
        files: [{ file: 'heavy.csv' }, { file: 'light.csv' }],
      },
    });
    expect(cpu.training.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(cpu.models)).toEqual(['regression', 'quantile005', 'quantile095', 'bandCorrection']);

    // Loaded back, the models predict the relationship: 1·light + 4·heavy (+2), doubled on a light node.
    const forecaster = Forecaster.load(join(dir, 'models'));
    const at = (heavy: number, light: number, nodeType: number) =>
      forecaster.nodeUsage({
        rate_group_HIGH_USAGE: heavy,
        rate_group_LOW_USAGE: light,
        rate_group_MEDIUM_USAGE: 0,
        node_type: nodeType,
      });
    expect(at(50, 20, 0).cpu_usage_node).toBeGreaterThan(200 * 0.9);
    expect(at(50, 20, 0).cpu_usage_node).toBeLessThan(224 * 1.1);
    expect(at(20, 20, 2).cpu_usage_node).toBeGreaterThan(at(20, 20, 0).cpu_usage_node as number);
    // The 0.05–0.95 band holds most of the node CPU figures it learnt from.
    const inside = data.rows.filter((r) => {
      const x = featureVector(r, evaluation.features);
      const input = Object.fromEntries(evaluation.features.map((f, i) => [f, x[i]]));
      const low = forecaster.nodeUsage(input, 'quantile005').cpu_usage_node as number;
      const high = forecaster.nodeUsage(input, 'quantile095').cpu_usage_node as number;
      return low < high && low <= r.node.cpuPct && r.node.cpuPct <= high;
    });
    expect(inside.length / data.rows.length).toBeGreaterThan(0.7);
    expect(at(60, 0, 0).ram_usage_node).toBeGreaterThan(at(10, 0, 0).ram_usage_node as number);
    expect(() => forecaster.nodeUsage({ rate_group_HIGH_USAGE: 1 })).toThrow(/rate_group_LOW_USAGE/);
    expect(() => forecaster.nodeUsage({ ...{ rate_group_HIGH_USAGE: -1 } })).toThrow(/rate_group_HIGH_USAGE/);
  });

  it('cross-validates by configuration: every configuration held out once', () => {
    const data = prepareData(files, SYNTHETIC_GROUPS);
    const evaluation = crossValidate(data, { ...syntheticOptions(files), folds: 4 });
    expect(evaluation.folds).toBe(4);
    expect(evaluation.rows.test).toBe(400);
    expect(evaluation.configurations).toEqual({ train: 150, test: 200 });
    const cpu = evaluation.targets.cpu_usage_node;
    expect((cpu?.gbt as RegressionScores | undefined)?.r2).toBeGreaterThan(0.97);
    // The band, calibrated on out-of-fold residuals of each training fold, holds about 90% of the
    // held-out values (the noise is the same everywhere here, as conformal calibration assumes).
    expect(cpu?.intervalCoverage).toBeGreaterThan(0.8);
    expect(evaluation.targets.ram_usage_node?.intervalCoverage).toBeGreaterThan(0.8);
  });

  it('refuses a split that leaves nothing to train or to test', () => {
    const data = prepareData([files[0] as (typeof files)[0]], SYNTHETIC_GROUPS);
    const tiny = { ...data, rows: data.rows.slice(0, 2) };
    expect(() => trainAndEvaluate(tiny, syntheticOptions(files))).toThrow(TrainingDataError);
    expect(() => trainAndEvaluate(tiny, syntheticOptions(files))).toThrow(/too few/);
  });

  it('warns about data too small, or without both overloaded and coping configurations', () => {
    const data = prepareData(files, SYNTHETIC_GROUPS);
    expect(trainingDataWarnings(data)).toEqual([]);
    // 2 rows per configuration: the first 2·(FEW_CONFIGURATIONS − 1) rows are one configuration too few.
    const few = { ...data, rows: data.rows.slice(0, 2 * (FEW_CONFIGURATIONS - 1)) };
    expect(trainingDataWarnings(few)).toEqual([
      expect.stringMatching(/^only 29 configurations \(fewer than 30\)/),
    ]);
    expect(
      trainingDataWarnings({ ...data, rows: data.rows.slice(0, 2 * FEW_CONFIGURATIONS) }),
    ).not.toContainEqual(expect.stringMatching(/^only/));
    const calm = { ...data, rows: data.rows.filter((r) => !r.node.overloaded) };
    expect(trainingDataWarnings(calm)).toEqual([expect.stringMatching(/^no overloaded configuration/)]);
    const busy = { ...data, rows: data.rows.filter((r) => r.node.overloaded) };
    expect(trainingDataWarnings(busy)).toEqual([
      expect.stringMatching(/^every one of the \d+ configurations is overloaded/),
    ]);
  });
});
