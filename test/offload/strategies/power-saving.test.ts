import { describe, expect, it } from 'vitest';
import { StrategyInputError } from '../../../src/offload/errors.js';
import { powerSavingDefinition } from '../../../src/offload/strategies/power-saving.js';
import type { Neighbour, NodeForecaster, StrategyInput } from '../../../src/offload/strategies/types.js';
import { expectValidMessages, fns, input, load, neighbour, selfNode } from './helpers.js';

const powerSaving = (share = 0.7) => powerSavingDefinition.create({ power_saving_share: share });

/**
 * A forecaster simple enough to compute by hand:
 *   cpu = factor · (10·high + 5·medium + 1·low), factor 2 for node type 1 and 1 otherwise;
 *   power = 2·cpu.
 */
const linear: NodeForecaster = {
  async predict(nodeType, load) {
    const cpu =
      (nodeType === 1 ? 2 : 1) * (10 * load.RateHighUsage + 5 * load.RateMediumUsage + load.RateLowUsage);
    return { cpu_usage_node: cpu, power_usage_node: 2 * cpu };
  },
};

const groups = { HIGH_USAGE: ['fh'], MEDIUM_USAGE: ['fm'], LOW_USAGE: ['fl'] };

/** A neighbour that published nodeinfoNMS (with a power threshold of 1000) and nodemargininfoNMS. */
const target = (id: string, over: Partial<Neighbour>): Neighbour =>
  neighbour(id, { nodeType: 0, maxValues: { power_usage_node: 1000 }, load: load(), ...over });

function psInput(over: Partial<StrategyInput>): StrategyInput {
  return input({ forecaster: linear, groups, ...over });
}

describe('power-saving, below its power budget', () => {
  it('offers (100 − power in percent of share·Pmax) / common neighbours', async () => {
    // cpu 10·2 + 5·4 = 40 (threshold 100), power 80 (threshold 200): not overloaded.
    // Budget 0.5·200 = 100: usage 80%, below it. Common neighbours A and B: margin (100 − 80) / 2 = 10
    // (node-margin would offer (100 − mean(40%, 40%)) / 2 = 30).
    const result = await powerSaving(0.5)(
      psInput({
        self: selfNode({
          functions: fns(['fh', null], ['fm', null]),
          userRates: { fh: 2, fm: 4 },
          thresholds: { cpu_usage_node: 100, power_usage_node: 200 },
        }),
        neighbours: [
          neighbour('A', { functions: ['fh'] }),
          neighbour('B', { functions: ['fm'] }),
          neighbour('C', { functions: ['zz'] }),
        ],
      }),
    );
    expect(expectValidMessages(result)).toEqual([
      {
        MsgType: 'nodeinfoNMS',
        HAProxyHost: '10.0.0.1',
        HAProxyPort: 8001,
        NodeType: 0,
        MaxValues: { cpu_usage_node: 100, power_usage_node: 200 },
        Functions: ['fh', 'fm'],
      },
      { MsgType: 'nodemargininfoNMS', Margin: 10, Load: load(2, 4, 0) },
    ]);
    expect(result.decisions).toEqual({
      load: load(2, 4, 0),
      predictions: { cpu_usage_node: 40, power_usage_node: 80 },
      overloaded: false,
      powerBudget: 100,
      relieve: false,
      usagePct: 80,
      margin: 10,
      moved: {},
    });
    const here = { localLimit: null, weights: { local: 100 }, limitsIn: {} };
    expect(result.functions).toEqual({ fh: here, fm: here });
  });

  it('at exactly its budget neither moves load nor offers any', async () => {
    // power 2·10·7 = 140 = 0.7·200: not above the budget, usage 100%, margin 0.
    const result = await powerSaving()(
      psInput({
        self: selfNode({
          functions: fns(['fh', null]),
          userRates: { fh: 7 },
          thresholds: { power_usage_node: 200 },
        }),
        neighbours: [target('A', { functions: ['fh'], margin: 50 })],
      }),
    );
    expect(result.decisions).toMatchObject({ relieve: false, usagePct: 100, margin: 0, moved: {} });
    expect(result.functions.fh?.weights).toEqual({ local: 100 });
    expect(expectValidMessages(result)[1]).toEqual({ MsgType: 'nodemargininfoNMS', Margin: 0, Load: load() });
  });
});

describe('power-saving, relief', () => {
  /**
   * Self: fl 300 req/s → cpu 300, power 600, under its threshold 1000 (not overloaded) but above
   * its budget 0.5·1000 = 500. A step is 3 req/s: −6 power. 16 steps leave 504, 17 leave 498: it
   * moves 17 steps, counting each one's whole relief (the framework counted 1 request a step, so
   * it would have moved (600 − 500) / 2 = 50 steps).
   * A and B have budgets 0.5·1000 = 500; a step raises their power by 6, i.e. their usage by 1.2
   * points. B (margin 5, at 50 low → 20%) takes 4 steps (4.8) and refuses the 5th (6.0); A
   * (margin 50) takes the rest: A1 B1 … A4 B4, A5, B refuses, A6 … A13. C published no power
   * threshold: its usage cannot be measured, so it takes nothing.
   */
  const relief = (order: string[]) =>
    powerSaving(0.5)(
      psInput({
        self: selfNode({
          functions: fns(['fl', null]),
          userRates: { fl: 300 },
          thresholds: { power_usage_node: 1000 },
        }),
        neighbours: order.map(
          (id) =>
            ({
              A: target('A', { functions: ['fl'], margin: 50 }),
              B: target('B', { functions: ['fl'], margin: 5, load: load(0, 0, 50) }),
              C: target('C', { functions: ['fl'], margin: 50, maxValues: { cpu_usage_node: 1000 } }),
            })[id] as Neighbour,
        ),
      }),
    );

  it('moves load while above its budget, to the neighbours whose margin covers their power increase', async () => {
    const result = await relief(['C', 'B', 'A']);
    expect(result.functions.fl).toEqual({
      localLimit: null,
      weights: { local: 83, A: 13, B: 4 },
      limitsIn: {},
    });
    expect(result.decisions).toMatchObject({
      overloaded: false,
      powerBudget: 500,
      relieve: true,
      usagePct: 120,
      margin: 0,
      moved: { A: { fl: 39 }, B: { fl: 12 } },
    });
    expect(expectValidMessages(result)[1]).toEqual({ MsgType: 'nodemargininfoNMS', Margin: 0, Load: load() });
  });

  it('decides the same whatever order the neighbours come in', async () => {
    const first = await relief(['A', 'B', 'C']);
    expect(await relief(['C', 'A', 'B'])).toEqual(first);
    expect(await relief(['B', 'C', 'A'])).toEqual(first);
  });

  it('moves load while overloaded, even under its power budget', async () => {
    // fh 12 → cpu 120 > 100: overloaded; power 240 < 0.7·1000 = 700. A step is 0.12 req/s
    // (−1.2 cpu): 17 steps leave cpu 99.6. A's usage rises 2.4/700 = 0.34 points a step: it takes all.
    const result = await powerSaving()(
      psInput({
        self: selfNode({
          functions: fns(['fh', null]),
          userRates: { fh: 12 },
          thresholds: { cpu_usage_node: 100, power_usage_node: 1000 },
        }),
        neighbours: [target('A', { functions: ['fh'], margin: 50 })],
      }),
    );
    expect(result.functions.fh?.weights).toEqual({ local: 83, A: 17 });
    expect(result.decisions).toMatchObject({ overloaded: true, relieve: true, margin: 0 });
  });
});

describe('power-saving inputs', () => {
  const self = selfNode({ functions: fns(['fh', null]), userRates: { fh: 1 } });

  it('needs a forecaster, the function groups, a power threshold and a power prediction', async () => {
    await expect(powerSaving()(input({ self, groups }))).rejects.toThrow(/power-saving needs a forecaster/);
    await expect(powerSaving()(input({ self, forecaster: linear }))).rejects.toThrow(/group_list\.json/);
    const noThreshold = psInput({ self: { ...self, thresholds: { cpu_usage_node: 100 } } });
    await expect(powerSaving()(noThreshold)).rejects.toThrow(StrategyInputError);
    await expect(powerSaving()(noThreshold)).rejects.toThrow(/power threshold/);
    const noPower = psInput({
      self: { ...self, thresholds: { power_usage_node: 100 } },
      forecaster: { predict: async () => ({ cpu_usage_node: 10 }) },
    });
    await expect(powerSaving()(noPower)).rejects.toThrow(/power prediction/);
  });
});
