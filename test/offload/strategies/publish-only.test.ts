import { describe, expect, it } from 'vitest';
import { createStrategy, STRATEGY_NAMES, type StrategyName } from '../../../src/offload/strategies/index.js';
import type { NodeForecaster, StrategyInput } from '../../../src/offload/strategies/types.js';
import { fns, input, neighbour, selfNode } from './helpers.js';

/** cpu = 10 × the LOW_USAGE rate, power = 2 × cpu: this node, at 20 req/s, is overloaded (> 100). */
const linear: NodeForecaster = {
  async predict(_type, load) {
    return { cpu_usage_node: 10 * load.RateLowUsage, power_usage_node: 20 * load.RateLowUsage };
  },
};

const thresholds = { cpu_usage_node: 100, power_usage_node: 400 };
const peer = (id: string) =>
  neighbour(id, {
    functions: ['f'],
    nodeType: 0,
    maxValues: thresholds,
    margin: 40,
    load: { RateHighUsage: 0, RateMediumUsage: 0, RateLowUsage: 2 },
    limitsOut: { f: 5 },
  });

const overloaded = (publishOnly?: boolean): StrategyInput =>
  input({
    self: selfNode({ functions: fns(['f', 10]), userRates: { f: 20 }, thresholds }),
    neighbours: [peer('A'), peer('B')],
    connectedPeers: ['A', 'B'],
    forecaster: linear,
    groups: { HIGH_USAGE: [], MEDIUM_USAGE: [], LOW_USAGE: ['f'] },
    ...(publishOnly === undefined ? {} : { publishOnly }),
  });

describe('publishOnly (the simulator’s exchange passes)', () => {
  it.each(STRATEGY_NAMES.map((n) => [n]))(
    '%s publishes the same messages with or without it',
    async (name) => {
      const strategy = createStrategy(name as StrategyName);
      const full = await strategy(overloaded());
      const messagesOnly = await strategy(overloaded(true));
      expect(messagesOnly.messages).toEqual(full.messages);
    },
  );

  it('the margin strategies and equal skip their loop: nothing moves, where without it load moves', async () => {
    for (const name of ['node-margin', 'power-saving', 'equal'] as const) {
      const strategy = createStrategy(name);
      expect((await strategy(overloaded())).functions.f?.weights.local, name).toBeLessThan(100);
      expect((await strategy(overloaded(true))).functions.f?.weights, name).toEqual({ local: 100 });
    }
  });
});
