import { describe, expect, it } from 'vitest';
import { largestRemainder } from '../../../src/sim/engines/apportion.js';
import { runRounds } from '../../../src/sim/engines/rounds.js';
import type { RoundsInstant } from '../../../src/sim/engines/rounds-result.js';
import { generateInstance } from '../../../src/sim/instances/generator.js';
import type { SimInstance, SimNode } from '../../../src/sim/instances/instance.js';
import { frameworkAnalyticModel } from '../../../src/sim/model/analytic.js';
import { FRAMEWORK_THRESHOLDS, type NodeModel, type Thresholds } from '../../../src/sim/model/node-model.js';
import { figletNode } from '../figlet-node.js';

/** cpu % = 10 × the LOW_USAGE rate; overloaded above 100 (rate 10): numbers to work by hand. */
const linear: NodeModel = {
  name: 'linear',
  predict: (_type, rates) => ({ cpu_usage_node: 10 * rates.LOW_USAGE }),
};
const cpu100: Thresholds = {
  HEAVY: { cpu_usage_node: 100 },
  MID: { cpu_usage_node: 100 },
  LIGHT: { cpu_usage_node: 100 },
};

const node = figletNode;

/** A line node_0 – node_1 – node_2: node_0 offered 20 req/s (twice what it takes), the others 2. */
const line: SimInstance = {
  seed: 1,
  edgeProb: 0,
  overloadedPerc: 0,
  nodes: [
    node('node_0', ['node_1'], [20, 20]),
    node('node_1', ['node_0', 'node_2'], [2, 2]),
    node('node_2', ['node_1'], [2, 2]),
  ],
};

function totals(instant: RoundsInstant): { kept: number; forwarded: number; refused: number } {
  let kept = 0;
  let forwarded = 0;
  let refused = 0;
  for (const matrix of Object.values(instant.forwarding))
    for (const [from, row] of Object.entries(matrix))
      for (const [to, n] of Object.entries(row)) {
        if (from === to) kept += n;
        else forwarded += n;
      }
  for (const byNode of Object.values(instant.refused)) for (const n of Object.values(byNode)) refused += n;
  return { kept, forwarded, refused };
}

function offered(instance: SimInstance, t: number): number {
  return instance.nodes.reduce(
    (s, n) => s + Object.values(n.load[t] ?? {}).reduce((g, load) => g + (load?.totalRate ?? 0), 0),
    0,
  );
}

describe('largestRemainder', () => {
  it('splits an integer exactly, the leftover units to the largest remainders', () => {
    expect(largestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(largestRemainder(7, [60, 40])).toEqual([4, 3]); // 4.2 + 2.8: the 0.8 gets the unit
    expect(largestRemainder(0, [1, 2])).toEqual([0, 0]);
    expect(() => largestRemainder(3, [0, 0])).toThrow(/weight > 0/);
  });
});

describe('the rounds engine with the live strategies', () => {
  it('every request is kept, forwarded or refused, at every instant, for every strategy', async () => {
    const instance = generateInstance({ nodes: 12, edgeProb: 0.3, overloadedPercent: 60, seed: 701 });
    for (const strategy of ['all-local', 'static', 'recalc', 'node-margin', 'latency-aware'] as const) {
      const run = await runRounds(instance, {
        strategy,
        model: frameworkAnalyticModel,
        thresholds: FRAMEWORK_THRESHOLDS,
      });
      expect(run.instants).toHaveLength(7);
      run.instants.forEach((instant, t) => {
        const { kept, forwarded, refused } = totals(instant);
        expect(kept + forwarded + refused, `${strategy} t=${t}`).toBe(offered(instance, t));
      });
    }
  });

  it('all-local keeps everything; node-margin moves the overloaded node load to its linked neighbour only', async () => {
    const allLocal = await runRounds(line, { strategy: 'all-local', model: linear, thresholds: cpu100 });
    expect(allLocal.instants[0]?.forwarding.figlet).toEqual({
      node_0: { node_0: 20 },
      node_1: { node_1: 2 },
      node_2: { node_2: 2 },
    });
    const nm = await runRounds(line, { strategy: 'node-margin', model: linear, thresholds: cpu100 });
    // node_1 runs at 2 req/s = 20 % and shares figlet with 2 neighbours: its margin is (100−20)/2 =
    // 40 points. A step is 1 % of node_0's 20 req/s = 0.2 req/s = 2 points on node_1: 19 steps are
    // taken (38 < 40), the 20th is not (40 is not < 40). Weights 81/19 of 20 req/s: 16.2 and 3.8,
    // apportioned 16 and 4. node_2 is not linked to node_0 and gets nothing.
    expect(nm.instants[1]?.forwarding.figlet?.node_0).toEqual({ node_0: 16, node_1: 4 });
    expect(nm.modelCalls).toBeGreaterThan(0);
  });

  it('with one pass per instant news travels an instant a hop: node-margin moves load from the third instant', async () => {
    const longer: SimInstance = {
      ...line,
      nodes: line.nodes.map((n) => ({ ...n, load: [n.load[0], n.load[0], n.load[0]] as SimNode['load'] })),
    };
    const run = await runRounds(longer, {
      strategy: 'node-margin',
      model: linear,
      thresholds: cpu100,
      exchanges: 1,
    });
    // t=0: nobody has heard anyone. t=1: node_0 knows node_1 (nodeinfoNMS) but node_1, which had
    // heard nobody at t=0, published no margin yet. t=2: node_1's margin has arrived.
    expect(run.instants.map((i) => totals(i).forwarded)).toEqual([0, 0, 4]);
  });

  it('a peer takes up to its limit for the sender; the rest is refused (recalc with maxrate 10)', async () => {
    const run = await runRounds(line, {
      strategy: 'recalc',
      model: linear,
      thresholds: cpu100,
      maxRate: () => 10,
    });
    const instant = run.instants[1] as RoundsInstant;
    const row = instant.forwarding.figlet?.node_0 ?? {};
    expect(row.node_0).toBe(10);
    // node_1 keeps 2 of its 10 and offers the rest to its two neighbours: 4 for node_0.
    expect(row.node_1).toBeLessThanOrEqual(8);
    expect((row.node_0 ?? 0) + (row.node_1 ?? 0) + (instant.refused.figlet?.node_0 ?? 0)).toBe(20);
    expect(instant.refused.figlet?.node_0).toBeGreaterThan(0);
  });

  it('is deterministic', async () => {
    const instance = generateInstance({ nodes: 8, edgeProb: 0.4, overloadedPercent: 90, seed: 5 });
    const a = await runRounds(instance, {
      strategy: 'node-margin',
      model: frameworkAnalyticModel,
      thresholds: FRAMEWORK_THRESHOLDS,
    });
    const b = await runRounds(instance, {
      strategy: 'node-margin',
      model: frameworkAnalyticModel,
      thresholds: FRAMEWORK_THRESHOLDS,
    });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
