import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PEAK_RATES } from '../../../src/sim/instances/generator.js';
import { CPU_AT_PEAK, frameworkAnalyticModel } from '../../../src/sim/model/analytic.js';
import { chooseModel, chooseThresholds } from '../../../src/sim/model/choose.js';
import {
  asForecaster,
  FRAMEWORK_THRESHOLDS,
  type NodeModel,
  overloaded,
  soloCapacity,
  TESTBED_THRESHOLDS,
  zeroRates,
} from '../../../src/sim/model/node-model.js';
import { configError } from '../../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-node-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the overload rule and capacities', () => {
  it('overloaded: some metric with a threshold above it; metrics without one do not count', () => {
    expect(overloaded({ cpu_usage_node: 151 }, { cpu_usage_node: 150 })).toBe(true);
    expect(overloaded({ cpu_usage_node: 150 }, { cpu_usage_node: 150 })).toBe(false);
    expect(overloaded({ power_usage_node: 9e9 }, { cpu_usage_node: 150 })).toBe(false);
    expect(overloaded({}, FRAMEWORK_THRESHOLDS.LIGHT)).toBe(false);
  });

  it('soloCapacity is the highest rate of a group alone that is not overloaded', () => {
    // cpu = 10 + 3 × rate, threshold 100: 30 req/s → 100 (not over), 31 → 103.
    const model: NodeModel = { name: 'm', predict: (_t, r) => ({ cpu_usage_node: 10 + 3 * r.LOW_USAGE }) };
    expect(soloCapacity(model, { cpu_usage_node: 100 }, 'MID', 'LOW_USAGE')).toBe(30);
    expect(soloCapacity(model, { cpu_usage_node: 5 }, 'MID', 'LOW_USAGE')).toBe(0);
    expect(soloCapacity(model, { ram_usage_node: 5 }, 'MID', 'LOW_USAGE', 500)).toBe(500);
  });

  it('asForecaster answers the strategies with the model, by node type code, and counts the calls', async () => {
    const calls = { count: 0 };
    const forecaster = asForecaster(frameworkAnalyticModel, calls);
    const load = { RateHighUsage: 0, RateLowUsage: 100, RateMediumUsage: 0 };
    expect(await forecaster.predict(2, load)).toEqual(
      frameworkAnalyticModel.predict('LIGHT', { ...zeroRates(), LOW_USAGE: 100 }),
    );
    expect(calls.count).toBe(1);
    await expect(forecaster.predict(3, load)).rejects.toThrow(/node type code 3/);
  });
});

describe('the framework-analytic model', () => {
  it('one group alone at its peak uses CPU_AT_PEAK of the room to the cpu threshold; two peaks overload', () => {
    for (const type of ['HEAVY', 'MID', 'LIGHT'] as const) {
      const max = FRAMEWORK_THRESHOLDS[type];
      const idle = frameworkAnalyticModel.predict(type, zeroRates()).cpu_usage_node as number;
      const one = frameworkAnalyticModel.predict(type, {
        ...zeroRates(),
        LOW_USAGE: PEAK_RATES[type].LOW_USAGE,
      });
      expect(one.cpu_usage_node).toBeCloseTo(idle + CPU_AT_PEAK * ((max.cpu_usage_node as number) - idle), 6);
      expect(overloaded(one, max)).toBe(false);
      const two = {
        ...zeroRates(),
        LOW_USAGE: PEAK_RATES[type].LOW_USAGE,
        HIGH_USAGE: PEAK_RATES[type].HIGH_USAGE,
      };
      expect(overloaded(frameworkAnalyticModel.predict(type, two), max)).toBe(true);
      // 15 % of every peak (a node not chosen as overloaded) is far from it.
      const under = {
        HIGH_USAGE: 0.15 * PEAK_RATES[type].HIGH_USAGE,
        LOW_USAGE: 0.15 * PEAK_RATES[type].LOW_USAGE,
        MEDIUM_USAGE: 0.15 * PEAK_RATES[type].MEDIUM_USAGE,
      };
      expect(overloaded(frameworkAnalyticModel.predict(type, under), max)).toBe(false);
    }
  });

  it('power grows with the CPU and crosses 0.7 × Pmax before the CPU crosses its threshold', () => {
    const max = FRAMEWORK_THRESHOLDS.MID;
    const cap = soloCapacity(frameworkAnalyticModel, max, 'MID', 'MEDIUM_USAGE');
    const atCap = frameworkAnalyticModel.predict('MID', { ...zeroRates(), MEDIUM_USAGE: cap });
    expect(atCap.power_usage_node).toBeGreaterThan(0.7 * (max.power_usage_node as number));
    expect(atCap.ram_usage_node).toBeLessThan(max.ram_usage_node as number);
  });
});

describe('choosing the model and thresholds', () => {
  it('names the framework and test bed sets, or reads a file; a bad file names the field', () => {
    expect(chooseThresholds('framework')).toBe(FRAMEWORK_THRESHOLDS);
    expect(chooseThresholds('testbed').LIGHT.cpu_usage_node).toBe(104);
    const good = join(dir, 'thresholds.yaml');
    writeFileSync(
      good,
      'HEAVY: {cpu_usage_node: 400}\nMID: {cpu_usage_node: 300}\nLIGHT: {cpu_usage_node: 100}\n',
    );
    expect(chooseThresholds(good).MID).toEqual({ cpu_usage_node: 300 });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'HEAVY: {cpu_usage_node: -1}\nMID: {}\nLIGHT: {}\n');
    expect(configError(() => chooseThresholds(bad)).issues[0]?.field).toBe('HEAVY.cpu_usage_node');
    expect(TESTBED_THRESHOLDS.MID.power_usage_node).toBe(2.1e6);
  });

  it('the models dfaas trained (examples/forecast/models) predict the node; a target without a model is left out', () => {
    const model = chooseModel('examples/forecast/models');
    const usage = model.predict('HEAVY', { HIGH_USAGE: 5, LOW_USAGE: 10, MEDIUM_USAGE: 0 });
    expect(usage.cpu_usage_node).toBeGreaterThan(0);
    expect(usage.ram_usage_node).toBeGreaterThan(0);
    expect('power_usage_node' in usage).toBe(false);
    expect(chooseModel(undefined)).toBe(frameworkAnalyticModel);
  });
});
