import { describe, expect, it } from 'vitest';
import {
  createStrategy,
  NeighbourTable,
  needsForecaster,
  neighbourTtlMs,
  STRATEGY_NAMES,
} from '../../../src/offload/strategies/index.js';
import { expectValidMessages, fns, input, neighbour, selfNode } from './helpers.js';

describe('createStrategy', () => {
  const everything = input({
    self: selfNode({ functions: fns(['f', 10]), userRates: { f: 4 }, thresholds: { cpu_usage_node: 100 } }),
    neighbours: [neighbour('A', { functions: ['f'], rttMs: 3 })],
    connectedPeers: ['A'],
    forecaster: { predict: async () => ({ cpu_usage_node: 10 }) },
    groups: { HIGH_USAGE: ['f'] },
  });

  it.each(STRATEGY_NAMES)('%s routes every function and publishes valid messages', async (name) => {
    const result = await createStrategy(name)(everything);
    expect(Object.keys(result.functions)).toEqual(['f']);
    expect(expectValidMessages(result).length).toBeGreaterThan(0);
  });

  it('passes the static share and the latency-aware parameters', async () => {
    const staticResult = await createStrategy('static', { staticLocalShare: 0.2 })(everything);
    expect(staticResult.functions.f?.weights).toEqual({ local: 20, A: 80 });
    const overNms = await createStrategy('latency-aware', { latencyBase: 'node-margin', latencyK: 1 })(
      everything,
    );
    expect(overNms.messages.map((m) => m.MsgType)).toEqual(['nodeinfoNMS', 'nodemargininfoNMS']);
    const overRecalc = await createStrategy('latency-aware')(everything);
    expect(overRecalc.messages.map((m) => m.MsgType)).toEqual(['nodeinfoRecalc']);
  });
});

describe('neighbourTtlMs and needsForecaster', () => {
  it('lets recalc neighbours live 1.2 periods and the others 2', () => {
    expect(neighbourTtlMs('recalc', 5000)).toBe(6000);
    expect(neighbourTtlMs('latency-aware', 5000)).toBe(6000);
    expect(neighbourTtlMs('latency-aware', 5000, { latencyBase: 'node-margin' })).toBe(10_000);
    expect(neighbourTtlMs('node-margin', 5000)).toBe(10_000);
    expect(neighbourTtlMs('static', 5000)).toBe(10_000);
    expect(neighbourTtlMs('all-local', 5000)).toBe(10_000);
  });

  it('asks for a forecaster for node-margin only, directly or under latency-aware', () => {
    expect(STRATEGY_NAMES.filter((name) => needsForecaster(name))).toEqual(['node-margin']);
    expect(needsForecaster('latency-aware', { latencyBase: 'node-margin' })).toBe(true);
  });
});

describe('the neighbour table feeding a strategy', () => {
  it('turns a peer’s recalc message into the offer a recalc node forwards by', async () => {
    const table = new NeighbourTable('self');
    table.update(
      'A',
      { MsgType: 'nodeinfoRecalc', HAProxyHost: 'a', HAProxyPort: 1, FuncLimits: { self: { f: 2 } } },
      0,
    );
    const result = await createStrategy('recalc')(
      input({
        self: selfNode({ functions: fns(['f', 10]), userRates: { f: 15 } }),
        neighbours: table.live(0, 1000),
      }),
    );
    expect(result.functions.f?.weights).toEqual({ local: 67, A: 33 });
  });
});
