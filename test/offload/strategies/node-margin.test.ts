import { describe, expect, it } from 'vitest';
import { StrategyInputError } from '../../../src/offload/errors.js';
import { isOverloaded, nodeMarginDefinition, usagePct } from '../../../src/offload/strategies/node-margin.js';
import type { Neighbour, NodeForecaster, StrategyInput } from '../../../src/offload/strategies/types.js';
import { expectValidMessages, fns, input, load, neighbour, selfNode } from './helpers.js';

const nodeMargin = nodeMarginDefinition.create({});

/**
 * A forecaster simple enough to compute by hand:
 *   cpu = factor · (10·high + 5·medium + 1·low), factor 2 for node type 1 and 1 otherwise;
 *   ram = 2·cpu + 10 (so a ram threshold below 10 can never be met).
 */
const linear: NodeForecaster = {
  async predict(nodeType, load) {
    const cpu =
      (nodeType === 1 ? 2 : 1) * (10 * load.RateHighUsage + 5 * load.RateMediumUsage + load.RateLowUsage);
    return { cpu_usage_node: cpu, ram_usage_node: 2 * cpu + 10 };
  },
};

const groups = { HIGH_USAGE: ['fh', 'f'], MEDIUM_USAGE: ['fm'], LOW_USAGE: ['fl', 'fz'] };

/** A neighbour that published nodeinfoNMS and nodemargininfoNMS. */
const target = (id: string, over: Partial<Neighbour>): Neighbour =>
  neighbour(id, { nodeType: 0, maxValues: { cpu_usage_node: 100 }, load: load(), ...over });

function nmsInput(over: Partial<StrategyInput>): StrategyInput {
  return input({ forecaster: linear, groups, ...over });
}

describe('usagePct and isOverloaded', () => {
  it('average prediction·100/threshold over the metrics having both', () => {
    // cpu 50/100 = 50%, ram 15/60 = 25%; power has no prediction, and no threshold is not compared.
    const thresholds = { cpu_usage_node: 100, ram_usage_node: 60, power_usage_node: 10 };
    expect(usagePct({ cpu_usage_node: 50, ram_usage_node: 15 }, thresholds)).toBe(37.5);
    expect(usagePct({ cpu_usage_node: 50 }, {})).toBe(0);
    expect(isOverloaded({ cpu_usage_node: 50, ram_usage_node: 61 }, thresholds)).toBe(true);
    expect(isOverloaded({ cpu_usage_node: 100 }, thresholds)).toBe(false);
    expect(isOverloaded({ power_usage_node: 1e6 }, { cpu_usage_node: 1 })).toBe(false);
  });
});

describe('node-margin, not overloaded', () => {
  it('offers (100 − usage) / common neighbours and publishes its load', async () => {
    // Load: high 2 (fh), medium 4 (fm), low 10 (fl); fx is in no group and adds nothing.
    // cpu = 20 + 20 + 10 = 50 → 50% of 100; ram = 110 → 25% of 440; usage 37.5%.
    // Common neighbours: A (fh) and B (fm); C shares nothing. Margin (100 − 37.5) / 2 = 31.25.
    const result = await nodeMargin(
      nmsInput({
        self: selfNode({
          functions: fns(['fh', null], ['fm', null], ['fl', null], ['fx', null]),
          userRates: { fh: 2, fm: 4, fl: 10, fx: 7 },
          thresholds: { cpu_usage_node: 100, ram_usage_node: 440 },
        }),
        neighbours: [
          neighbour('A', { functions: ['fh'] }),
          neighbour('B', { functions: ['zz', 'fm'] }),
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
        MaxValues: { cpu_usage_node: 100, ram_usage_node: 440 },
        Functions: ['fh', 'fm', 'fl', 'fx'],
      },
      { MsgType: 'nodemargininfoNMS', Margin: 31.25, Load: load(2, 4, 10) },
    ]);
    expect(result.decisions).toEqual({
      load: load(2, 4, 10),
      predictions: { cpu_usage_node: 50, ram_usage_node: 110 },
      overloaded: false,
      usagePct: 37.5,
      margin: 31.25,
      moved: {},
    });
    const here = { localLimit: null, weights: { local: 100 }, limitsIn: {} };
    expect(result.functions).toEqual({ fh: here, fm: here, fl: here, fx: here });
  });

  it('publishes no margin message without a common neighbour', async () => {
    const result = await nodeMargin(
      nmsInput({
        self: selfNode({
          functions: fns(['fh', null]),
          userRates: { fh: 1 },
          thresholds: { cpu_usage_node: 100 },
        }),
        neighbours: [neighbour('C', { functions: ['zz'] })],
      }),
    );
    expect(expectValidMessages(result).map((m) => m.MsgType)).toEqual(['nodeinfoNMS']);
    expect(result.decisions.margin).toBe(0);
  });

  it('at exactly its threshold is not overloaded but offers 0, and then publishes a zero load', async () => {
    // cpu = 10·5 = 50 = threshold: usage 100%, margin max(0, 0 / 1) = 0.
    const result = await nodeMargin(
      nmsInput({
        self: selfNode({
          functions: fns(['fh', null]),
          userRates: { fh: 5 },
          thresholds: { cpu_usage_node: 50 },
        }),
        neighbours: [neighbour('A', { functions: ['fh'] })],
      }),
    );
    expect(result.decisions).toMatchObject({ overloaded: false, usagePct: 100, margin: 0 });
    expect(expectValidMessages(result)[1]).toEqual({ MsgType: 'nodemargininfoNMS', Margin: 0, Load: load() });
  });
});

describe('node-margin, overloaded', () => {
  const overloadedSelf = selfNode({
    functions: fns(['fh', null]),
    userRates: { fh: 12 },
    thresholds: { cpu_usage_node: 100 },
  });

  it('moves 1% steps round robin until no longer overloaded', async () => {
    // Self: cpu = 10·12 = 120 > 100. A step is 0.12 req/s of fh, 1.2 cpu.
    // Kept cpu ≤ 100 needs kept ≤ 10 req/s: after 16 steps 10.08 (100.8), after 17 steps 9.96 (99.6).
    // A (margin 10, empty): n steps raise its usage by 1.2·n, so it takes 8 (9.6) and refuses the 9th (10.8).
    // B (margin 50, already at 10%): takes any step here.
    // A1 B1 … A8 B8 (16 steps), A refuses, B9 (17th step): not overloaded any more.
    const result = await nodeMargin(
      nmsInput({
        self: overloadedSelf,
        neighbours: [
          target('B', { functions: ['fh'], margin: 50, load: load(1) }),
          target('A', { functions: ['fh'], margin: 10 }),
        ],
      }),
    );
    expect(result.functions.fh).toEqual({
      localLimit: null,
      weights: { local: 83, A: 8, B: 9 },
      limitsIn: {},
    });
    expect(result.decisions).toMatchObject({ overloaded: true, usagePct: 120, margin: 0 });
    const moved = result.decisions.moved as Record<string, Record<string, number>>;
    expect(moved.A?.fh).toBeCloseTo(0.96, 10);
    expect(moved.B?.fh).toBeCloseTo(1.08, 10);
    expect(expectValidMessages(result)[1]).toEqual({ MsgType: 'nodemargininfoNMS', Margin: 0, Load: load() });
  });

  it('stops when no target is left, predicting each target with its own node type', async () => {
    // B is node type 1 (cpu doubled) at 20% with margin 20: n steps raise it by 2.4·n,
    // so it takes 8 (19.2) and refuses the 9th (21.6), like A. 16 steps: still overloaded.
    const result = await nodeMargin(
      nmsInput({
        self: overloadedSelf,
        neighbours: [
          target('A', { functions: ['fh'], margin: 10 }),
          target('B', { functions: ['fh'], margin: 20, nodeType: 1, load: load(1) }),
        ],
      }),
    );
    expect(result.functions.fh?.weights).toEqual({ local: 84, A: 8, B: 8 });
  });

  it('goes through a target’s functions in turn, each step 1% of that function’s rate', async () => {
    // Self: fh 10 (cpu 100) + fm 4 (cpu 20) = 120. Steps: fh 0.1 (−1 cpu), fm 0.04 (−0.2 cpu).
    // Alternating fh, fm: 16 pairs remove 19.2 (100.8), the 17th fh 20.2 (99.8): fh 17, fm 16.
    const result = await nodeMargin(
      nmsInput({
        self: selfNode({
          functions: fns(['fh', null], ['fm', null]),
          userRates: { fh: 10, fm: 4 },
          thresholds: { cpu_usage_node: 100 },
        }),
        neighbours: [
          target('A', { functions: ['fm', 'fh'], margin: 100, maxValues: { cpu_usage_node: 1000 } }),
        ],
      }),
    );
    expect(result.functions.fh?.weights).toEqual({ local: 83, A: 17 });
    expect(result.functions.fm?.weights).toEqual({ local: 84, A: 16 });
  });

  it('never moves more than the whole rate, and skips functions with nothing to move', async () => {
    // ram = 2·cpu + 10 > 5 whatever moves: always overloaded. f (rate 1) goes entirely, 50 steps
    // to each of A and B in turn; fz (rate 0) has nothing to move.
    const result = await nodeMargin(
      nmsInput({
        self: selfNode({
          functions: fns(['fz', null], ['f', null]),
          userRates: { f: 1 },
          thresholds: { ram_usage_node: 5 },
        }),
        neighbours: [
          target('A', { functions: ['fz', 'f'], margin: 1000 }),
          target('B', { functions: ['fz', 'f'], margin: 1000 }),
        ],
      }),
    );
    expect(result.functions.f?.weights).toEqual({ local: 0, A: 50, B: 50 });
    expect(result.functions.fz?.weights).toEqual({ local: 100 });
    const moved = result.decisions.moved as Record<string, Record<string, number>>;
    expect(moved).toEqual({ A: { f: 0.5 }, B: { f: 0.5 } });
  });

  it('moves nothing to neighbours without a margin, without a common function, or never heard on nodeinfoNMS', async () => {
    const result = await nodeMargin(
      nmsInput({
        self: overloadedSelf,
        neighbours: [
          target('A', { functions: ['fh'], margin: 0 }),
          target('B', { functions: ['fh'] }),
          target('C', { functions: ['zz'], margin: 50 }),
          neighbour('D', { functions: ['fh'], margin: 50, load: load() }),
        ],
      }),
    );
    expect(result.functions.fh?.weights).toEqual({ local: 100 });
    expect(result.decisions.moved).toEqual({});
  });
});

describe('node-margin inputs', () => {
  it('needs a forecaster and the function groups', async () => {
    const self = selfNode({ functions: fns(['fh', null]) });
    await expect(nodeMargin(input({ self, groups }))).rejects.toThrow(StrategyInputError);
    await expect(nodeMargin(input({ self, groups }))).rejects.toThrow(/forecaster/);
    await expect(nodeMargin(input({ self, forecaster: linear }))).rejects.toThrow(/group_list\.json/);
  });
});
