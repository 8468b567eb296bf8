import { describe, expect, it } from 'vitest';
import { StrategyInputError } from '../../../src/offload/errors.js';
import { equalDefinition } from '../../../src/offload/strategies/equal.js';
import type { NodeForecaster, StrategyInput } from '../../../src/offload/strategies/types.js';
import { expectValidMessages, fns, input, neighbour, selfNode } from './helpers.js';

const equal = equalDefinition.create({});

/**
 * A forecaster simple enough to compute by hand:
 *   cpu = 10·high + 5·medium + 1·low;  ram = 2·cpu + 10 (so a ram threshold below 10 is never met).
 */
const linear: NodeForecaster = {
  async predict(_nodeType, load) {
    const cpu = 10 * load.RateHighUsage + 5 * load.RateMediumUsage + load.RateLowUsage;
    return { cpu_usage_node: cpu, ram_usage_node: 2 * cpu + 10 };
  },
};

const groups = { HIGH_USAGE: ['fh', 'f'], MEDIUM_USAGE: ['fm'], LOW_USAGE: ['fl', 'fz'] };

function equalInput(over: Partial<StrategyInput>): StrategyInput {
  return input({ forecaster: linear, groups, ...over });
}

/** Self: fh 10 req/s (cpu 100) + fm 4 (cpu 20) = 120 > 100. A deploys both, B fh, C neither. */
const threeNodes = (order: string[]) =>
  equalInput({
    self: selfNode({
      functions: fns(['fh', null], ['fm', null]),
      userRates: { fh: 10, fm: 4 },
      thresholds: { cpu_usage_node: 100 },
    }),
    neighbours: order.map((id) =>
      neighbour(id, { functions: { A: ['fm', 'fh'], B: ['fh'], C: ['zz'] }[id] as string[] }),
    ),
  });

describe('equal, overloaded', () => {
  it('sheds 1% of every function a round until not overloaded, split equally among its holders', async () => {
    // A round sheds 0.1 req/s of fh (−1 cpu) and 0.04 of fm (−0.2 cpu): cpu 120 − 1.2·r.
    // r = 16: 100.8, still over; r = 17: 99.6. So 17 steps of each function are shed.
    // fh's 17 steps over its holders A, B (sorted): A 9, B 8. fm's 17 all go to A, its only holder.
    // C deploys neither and gets nothing, nor does B get any fm.
    const result = await equal(threeNodes(['C', 'B', 'A']));
    expect(result.functions).toEqual({
      fh: { localLimit: null, weights: { local: 83, A: 9, B: 8 }, limitsIn: {} },
      fm: { localLimit: null, weights: { local: 83, A: 17 }, limitsIn: {} },
    });
    expect(result.decisions).toMatchObject({
      load: { RateHighUsage: 10, RateMediumUsage: 4, RateLowUsage: 0 },
      predictions: { cpu_usage_node: 120, ram_usage_node: 250 },
      overloaded: true,
      rounds: 17,
      overloadedAfter: false,
      holders: { fh: ['A', 'B'], fm: ['A'] },
    });
    // Moved requests/s: A fh 9 steps of 0.1, fm 17 of 0.04; B fh 8 steps of 0.1.
    const moved = result.decisions.moved as Record<string, Record<string, number>>;
    expect(Object.keys(moved).sort()).toEqual(['A', 'B']);
    expect(moved.A?.fh).toBeCloseTo(0.9, 10);
    expect(moved.A?.fm).toBeCloseTo(0.68, 10);
    expect(moved.B?.fh).toBeCloseTo(0.8, 10);
  });

  it('decides the same whatever order the neighbours come in', async () => {
    const first = await equal(threeNodes(['A', 'B', 'C']));
    for (const order of [
      ['C', 'B', 'A'],
      ['B', 'C', 'A'],
    ]) {
      expect(await equal(threeNodes(order))).toEqual(first);
    }
  });

  it('gives a lone step to the first holder by id', async () => {
    // cpu 10·10 = 100 > 99.5; one round sheds 0.1 req/s (cpu 99): one step, to A (first of A, B, C).
    const result = await equal(
      equalInput({
        self: selfNode({
          functions: fns(['fh', null]),
          userRates: { fh: 10 },
          thresholds: { cpu_usage_node: 99.5 },
        }),
        neighbours: ['C', 'A', 'B'].map((id) => neighbour(id, { functions: ['fh'] })),
      }),
    );
    expect(result.functions.fh?.weights).toEqual({ local: 99, A: 1 });
    expect(result.decisions).toMatchObject({ rounds: 1, overloadedAfter: false });
  });

  it('stops when nothing is left to shed, though still overloaded', async () => {
    // ram = 2·cpu + 10 > 5 whatever is shed: overloaded for ever (the framework looped for ever).
    // f (rate 1) sheds all its 100 steps in 100 rounds: A 34, B 33, C 33. fx has no holder and
    // fz no rate: both stay here entirely.
    const result = await equal(
      equalInput({
        self: selfNode({
          functions: fns(['fz', null], ['f', null], ['fx', null]),
          userRates: { f: 1, fx: 3 },
          thresholds: { ram_usage_node: 5 },
        }),
        neighbours: [
          neighbour('B', { functions: ['f', 'fz'] }),
          neighbour('A', { functions: ['f', 'fz'] }),
          neighbour('C', { functions: ['f'] }),
        ],
      }),
    );
    expect(result.functions.f?.weights).toEqual({ local: 0, A: 34, B: 33, C: 33 });
    expect(result.functions.fx?.weights).toEqual({ local: 100 });
    expect(result.functions.fz?.weights).toEqual({ local: 100 });
    expect(result.decisions).toMatchObject({ overloaded: true, rounds: 100, overloadedAfter: true });
    for (const route of Object.values(result.functions)) {
      expect(Object.values(route.weights).reduce((a, b) => a + b, 0)).toBe(100);
    }
  });

  it('stops at once when no function has a holder', async () => {
    const result = await equal(
      equalInput({
        self: selfNode({
          functions: fns(['fh', null]),
          userRates: { fh: 12 },
          thresholds: { cpu_usage_node: 100 },
        }),
        neighbours: [neighbour('A', { functions: ['zz'] })],
      }),
    );
    expect(result.functions.fh?.weights).toEqual({ local: 100 });
    expect(result.decisions).toMatchObject({ overloaded: true, rounds: 0, overloadedAfter: true, moved: {} });
  });
});

describe('equal, not overloaded', () => {
  it('serves everything here and publishes where it is and what it deploys', async () => {
    // cpu 10·2 + 5·4 = 40 ≤ 100.
    const result = await equal(
      equalInput({
        self: selfNode({
          functions: fns(['fh', null], ['fm', null]),
          userRates: { fh: 2, fm: 4 },
          thresholds: { cpu_usage_node: 100 },
        }),
        neighbours: [neighbour('A', { functions: ['fh', 'fm'] })],
      }),
    );
    const here = { localLimit: null, weights: { local: 100 }, limitsIn: {} };
    expect(result.functions).toEqual({ fh: here, fm: here });
    expect(expectValidMessages(result)).toEqual([
      { MsgType: 'nodeinfoStatic', HAProxyHost: '10.0.0.1', HAProxyPort: 8001, Functions: ['fh', 'fm'] },
    ]);
    expect(result.decisions).toMatchObject({
      overloaded: false,
      rounds: 0,
      overloadedAfter: false,
      moved: {},
    });
  });
});

describe('equal inputs', () => {
  it('needs a forecaster and the function groups', async () => {
    const self = selfNode({ functions: fns(['fh', null]) });
    await expect(equal(input({ self, groups }))).rejects.toThrow(StrategyInputError);
    await expect(equal(input({ self, groups }))).rejects.toThrow(/equal needs a forecaster/);
    await expect(equal(input({ self, forecaster: linear }))).rejects.toThrow(/group_list\.json/);
  });
});
