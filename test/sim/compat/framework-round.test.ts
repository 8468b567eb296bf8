import { describe, expect, it } from 'vitest';
import { frameworkRound } from '../../../src/sim/compat/framework-round.js';
import { FRAMEWORK_STRATEGY_NAMES } from '../../../src/sim/compat/framework-strategies.js';
import type { ModelCalls } from '../../../src/sim/compat/framework-view.js';
import { generateInstance } from '../../../src/sim/instances/generator.js';
import { frameworkAnalyticModel } from '../../../src/sim/model/analytic.js';
import { FRAMEWORK_THRESHOLDS } from '../../../src/sim/model/node-model.js';
import { limits, linearModel, network, star } from './tiny-network.js';

// Model and thresholds: ./tiny-network.ts (s = 10·HIGH + LOW + MEDIUM; limits(L): overloaded iff s > L).

const total = (row: Record<string, number> | undefined) =>
  Object.values(row ?? {}).reduce((s, n) => s + n, 0);

describe('frameworkRound', () => {
  it('base: every node keeps its offered rate, no model call, nothing refused', () => {
    const calls: ModelCalls = { count: 0 };
    const round = frameworkRound(star(), 0, 'base', linearModel(), limits(190), calls);
    expect(round.forwarding.figlet).toEqual({ node_0: { node_0: 303 } });
    expect(round.forwarding.curl?.node_3).toEqual({ node_3: 10 });
    expect(Object.keys(round.forwarding.curl ?? {})).toEqual([
      'node_1',
      'node_2',
      'node_3',
      'node_4',
      'node_5',
    ]);
    expect(round.refused).toEqual({});
    expect(calls.count).toBe(0);
  });

  it('equal, D4 and D5: int() truncation sends 298 of 303, to nodes without figlet', () => {
    // Weights 0.0825 / 4 × 0.0726 / 0.6271 (see framework-strategies.test.ts): 0.0825 × 303 =
    // 24.9975 → 24, 0.0726 × 303 = 21.9978 → 21, 0.6271 × 303 = 190.0113 → 190: 24 + 84 + 190 = 298.
    const calls: ModelCalls = { count: 0 };
    const round = frameworkRound(star(), 0, 'equal', linearModel(), limits(190), calls);
    const row = round.forwarding.figlet?.node_0;
    expect(row).toEqual({ node_1: 24, node_2: 21, node_3: 21, node_4: 21, node_5: 21, node_0: 190 });
    expect(total(row)).toBe(298);
    // The leaves keep their curl (10 ≤ 190): a row each, 0 to node_0.
    expect(round.forwarding.curl?.node_2).toEqual({ node_0: 0, node_2: 10 });
    // 6 offered-load predictions (every node's Equal asks for its own) + node_0's 39 turns.
    expect(calls.count).toBe(6 + 39);
  });

  it('node_margin, D1: the phantom forward makes a node send more than it is offered', () => {
    // Weights 0.0417 and 0.9667 of 120 (framework-strategies.test.ts): 5.004 → 5 and 116.004 → 116.
    const inst = network(
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 120 } } },
      { neighbours: ['node_0', 'node_2'], load: { LOW_USAGE: { figlet: 90 } } },
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 1 } } },
    );
    const round = frameworkRound(inst, 0, 'node_margin', linearModel(), limits(100));
    expect(round.forwarding.figlet?.node_0).toEqual({ node_1: 5, node_0: 116 });
    expect(total(round.forwarding.figlet?.node_0)).toBe(121);
  });

  it('gives a row to a function offered at rate 0', () => {
    const inst = network({ neighbours: [], load: { LOW_USAGE: { figlet: 4, env: 0 } } });
    const round = frameworkRound(inst, 0, 'equal', linearModel(), limits(100));
    expect(round.forwarding).toEqual({ figlet: { node_0: { node_0: 4 } }, env: { node_0: { node_0: 0 } } });
  });

  it('is deterministic, and only node_margin sends more than offered', () => {
    // A framework-sized instance (10 nodes, p 0.3, 60 % overloaded, seed 701), the built-in model.
    const inst = generateInstance({ nodes: 10, edgeProb: 0.3, overloadedPercent: 60, seed: 701 });
    const run = () => {
      const calls: ModelCalls = { count: 0 };
      const rounds = FRAMEWORK_STRATEGY_NAMES.map((s) =>
        inst.nodes[0]?.load.map((_, t) =>
          frameworkRound(inst, t, s, frameworkAnalyticModel, FRAMEWORK_THRESHOLDS, calls),
        ),
      );
      return { rounds, calls: calls.count };
    };
    const first = run();
    expect(run()).toEqual(first);

    FRAMEWORK_STRATEGY_NAMES.forEach((s, i) => {
      let sent = 0;
      for (const [t, round] of (first.rounds[i] ?? []).entries())
        for (const [fn, matrix] of Object.entries(round.forwarding))
          for (const [from, row] of Object.entries(matrix)) {
            const load = inst.nodes.find((n) => n.id === from)?.load[t] ?? {};
            const offered = Object.values(load)
              .flatMap((g) => g?.functions ?? [])
              .find((f) => f.name === fn)?.rate;
            if (s !== 'node_margin') expect(total(row)).toBeLessThanOrEqual(offered ?? Number.NaN);
            sent += total(row) - (row[from] ?? 0);
          }
      // Base forwards nothing; the others forward something on this instance.
      if (s === 'base') expect(sent).toBe(0);
      else expect(sent).toBeGreaterThan(0);
    });
  });
});
