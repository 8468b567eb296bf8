import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { NodeConfigSchema } from '../../../src/node/config.js';
import { NeighbourTable } from '../../../src/offload/neighbours.js';
import {
  createStrategy,
  DEFAULT_STRATEGY,
  needsForecaster,
  needsRtt,
  neighbourTtlMs,
  STRATEGIES,
  STRATEGY_NAMES,
  STRATEGY_PARAMS,
  strategyDefinition,
} from '../../../src/offload/strategies/index.js';
import { expectValidMessages, fns, input, neighbour, selfNode } from './helpers.js';

describe('the registry', () => {
  it('lists each strategy once, by a unique name, with a description', () => {
    expect(STRATEGY_NAMES).toEqual([
      'all-local',
      'static',
      'recalc',
      'equal',
      'node-margin',
      'power-saving',
      'latency-aware',
    ]);
    expect(new Set(STRATEGY_NAMES).size).toBe(STRATEGIES.length);
    for (const definition of STRATEGIES) {
      expect(strategyDefinition(definition.name)).toBe(definition);
      expect(definition.description.length).toBeGreaterThan(10);
    }
  });

  it('is what the node configuration offers: its enum, its default and every parameter', () => {
    const agent = NodeConfigSchema.shape.agent.unwrap().shape;
    expect(agent.strategy.unwrap().options).toEqual(STRATEGY_NAMES);
    expect(NodeConfigSchema.parse({}).agent.strategy).toBe(DEFAULT_STRATEGY);
    for (const key of Object.keys(STRATEGY_PARAMS)) expect(agent).toHaveProperty(key);
  });

  it('gives each strategy its own parameter names, so that one configuration holds them all', () => {
    // latency-aware repeats its bases' parameters (to pass them through); nobody else shares a name.
    const owners = new Map<string, string>();
    for (const d of STRATEGIES.filter((d) => d.name !== 'latency-aware')) {
      for (const key of Object.keys(d.params.shape)) {
        expect(owners.get(key), key).toBeUndefined();
        owners.set(key, d.name);
      }
    }
  });

  it('fills the parameters’ defaults', () => {
    const defaults = Object.fromEntries(STRATEGIES.map((d) => [d.name, d.params.parse({})]));
    expect(defaults).toEqual({
      'all-local': {},
      static: { static_local_share: 0.6 },
      recalc: {},
      equal: {},
      'node-margin': {},
      'power-saving': { power_saving_share: 0.7 },
      'latency-aware': { latency_k: 2, latency_base: 'recalc' },
    });
  });

  it('rejects bad parameters as bad input naming them, and ignores other strategies’ parameters', () => {
    expect(() => createStrategy('latency-aware', { latency_k: 0 })).toThrow(ConfigError);
    expect(() => createStrategy('latency-aware', { latency_k: 1.5 })).toThrow(/latency_k/);
    expect(() => createStrategy('power-saving', { power_saving_share: 0 })).toThrow(/power_saving_share/);
    expect(() => createStrategy('power-saving', { power_saving_share: 1.2 })).toThrow(ConfigError);
    expect(() => createStrategy('recalc', { static_local_share: 0.2, latency_k: 3 })).not.toThrow();
  });
});

describe('createStrategy', () => {
  const everything = input({
    self: selfNode({
      functions: fns(['f', 10]),
      userRates: { f: 4 },
      thresholds: { cpu_usage_node: 100, power_usage_node: 100 },
    }),
    neighbours: [neighbour('A', { functions: ['f'], rttMs: 3 })],
    connectedPeers: ['A'],
    forecaster: { predict: async () => ({ cpu_usage_node: 10, power_usage_node: 10 }) },
    groups: { HIGH_USAGE: ['f'] },
  });

  it.each(STRATEGY_NAMES)('%s routes every function and publishes valid messages', async (name) => {
    const result = await createStrategy(name)(everything);
    expect(Object.keys(result.functions)).toEqual(['f']);
    expect(expectValidMessages(result).length).toBeGreaterThan(0);
  });

  it('passes the static share and the latency-aware parameters', async () => {
    const staticResult = await createStrategy('static', { static_local_share: 0.2 })(everything);
    expect(staticResult.functions.f?.weights).toEqual({ local: 20, A: 80 });
    const overNms = await createStrategy('latency-aware', { latency_base: 'node-margin', latency_k: 1 })(
      everything,
    );
    expect(overNms.messages.map((m) => m.MsgType)).toEqual(['nodeinfoNMS', 'nodemargininfoNMS']);
    const overRecalc = await createStrategy('latency-aware')(everything);
    expect(overRecalc.messages.map((m) => m.MsgType)).toEqual(['nodeinfoRecalc']);
  });
});

describe('neighbourTtlMs, needsForecaster and needsRtt', () => {
  it('lets recalc neighbours live 1.2 periods and the others 2', () => {
    expect(neighbourTtlMs('recalc', 5000)).toBe(6000);
    expect(neighbourTtlMs('latency-aware', 5000)).toBe(6000);
    expect(neighbourTtlMs('latency-aware', 5000, { latency_base: 'node-margin' })).toBe(10_000);
    expect(neighbourTtlMs('node-margin', 5000)).toBe(10_000);
    expect(neighbourTtlMs('power-saving', 5000)).toBe(10_000);
    expect(neighbourTtlMs('equal', 5000)).toBe(10_000);
    expect(neighbourTtlMs('static', 5000)).toBe(10_000);
    expect(neighbourTtlMs('all-local', 5000)).toBe(10_000);
  });

  it('asks for a forecaster for the predicting strategies only, node-margin also under latency-aware', () => {
    expect(STRATEGY_NAMES.filter((name) => needsForecaster(name))).toEqual([
      'equal',
      'node-margin',
      'power-saving',
    ]);
    expect(needsForecaster('latency-aware', { latency_base: 'node-margin' })).toBe(true);
  });

  it('pings the neighbours for latency-aware only, whatever its base', () => {
    expect(STRATEGY_NAMES.filter((name) => needsRtt(name))).toEqual(['latency-aware']);
    expect(needsRtt('latency-aware', { latency_base: 'node-margin' })).toBe(true);
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
