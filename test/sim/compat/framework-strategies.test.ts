import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { equal } from '../../../src/sim/compat/equal.js';
import { base } from '../../../src/sim/compat/framework-strategies.js';
import { frameworkView, type ModelCalls } from '../../../src/sim/compat/framework-view.js';
import { frameworkMargin, nodeMargin, powerSaving } from '../../../src/sim/compat/margin.js';
import type { SimInstance } from '../../../src/sim/instances/instance.js';
import type { NodeModel } from '../../../src/sim/model/node-model.js';
import { limits, linearModel, network, star } from './tiny-network.js';

// Model and thresholds: ./tiny-network.ts (s = idle + 10·HIGH + LOW + MEDIUM; limits(L): overloaded iff s > L).

function viewOf(instance: SimInstance, max: number, model: NodeModel = linearModel()) {
  const calls: ModelCalls = { count: 0 };
  return { view: frameworkView(instance, 0, model, limits(max), calls), calls };
}

const sum = (row: Record<string, number> | undefined) => Object.values(row ?? {}).reduce((s, w) => s + w, 0);

describe('base', () => {
  it('keeps everything, weight 1 to the node itself, without the model', () => {
    const { view, calls } = viewOf(star(), 190);
    expect(base(view, 'node_0')).toEqual({ figlet: { node_0: 1 } });
    expect(base(view, 'node_1')).toEqual({ curl: { node_1: 1 } });
    expect(calls.count).toBe(0);
  });
});

describe('equal', () => {
  it('sheds ceil(1 %) per turn and spreads it over all neighbours, the remainder to the first (D5)', () => {
    // node_0: s = 303 > 190. Turns: 303 −4 → 299 −3 → 296 … −2 → 190 (39 turns, 39 predictions,
    // plus its offered-load one). Removed 113 = 5·22 + 3: node_1 (first in adjacency order) gets
    // 25, the others 22, though none of them runs figlet (D5). 25/303 = 0.08250… → 0.0825,
    // 22/303 = 0.07260… → 0.0726, kept 190/303 = 0.62706… → 0.6271.
    const { view, calls } = viewOf(star(), 190);
    expect(equal(view, 'node_0')).toEqual({
      figlet: {
        node_1: 0.0825,
        node_2: 0.0726,
        node_3: 0.0726,
        node_4: 0.0726,
        node_5: 0.0726,
        node_0: 0.6271,
      },
    });
    expect(calls.count).toBe(40);
    // A node that is not overloaded keeps everything (weights to its neighbours 0.0).
    expect(equal(view, 'node_1')).toEqual({ curl: { node_0: 0, node_1: 1 } });
  });

  it('follows the adjacency order, and stops when nothing is left (the framework loops forever)', () => {
    // idle 150 > 100: node_0 is overloaded even at no load. figlet 3 → 2 → 1 → 0 (steps of
    // ceil(0.0x) = 1, 3 predictions), then the framework would spin; we stop. Removed 3 over
    // [node_2, node_1]: q = 1, r = 1 → node_2 2/3 = 0.6667, node_1 1/3 = 0.3333, kept 0.
    // env at rate 0: 0.0 everywhere.
    const inst = network(
      { neighbours: ['node_2', 'node_1'], load: { LOW_USAGE: { figlet: 3, env: 0 } } },
      { neighbours: ['node_0'], load: { LOW_USAGE: { figlet: 1 } } },
      { neighbours: ['node_0'], load: { LOW_USAGE: { figlet: 1 } } },
    );
    const { view, calls } = viewOf(inst, 100, linearModel(150));
    expect(equal(view, 'node_0')).toEqual({
      figlet: { node_2: 0.6667, node_1: 0.3333, node_0: 0 },
      env: { node_2: 0, node_1: 0, node_0: 0 },
    });
    expect(calls.count).toBe(1 + 3);
  });

  it('keeps everything on a node without neighbours (the framework divides by zero)', () => {
    const { view, calls } = viewOf(network({ neighbours: [], load: { LOW_USAGE: { figlet: 500 } } }), 100);
    expect(equal(view, 'node_0')).toEqual({ figlet: { node_0: 1 } });
    expect(calls.count).toBe(0);
  });
});

describe('node_margin', () => {
  it('D1: a rejected attempt takes back 1, not the step, so the weights sum to more than 1', () => {
    // node_1: s = 90, k = 2 (node_0 and node_2 share figlet) → margin (100 − 90)/2 = 5.
    // node_0: s = 120 > 100. Attempts to node_1 (accept iff its s after − 90 ≤ 5):
    //   step ceil(1.20) = 2 → sent 2, diff 2, accepted; left 118
    //   step ceil(1.18) = 2 → sent 4, diff 4, accepted; left 116
    //   step ceil(1.16) = 2 → sent 6, diff 6, rejected; sent 6 − 1 = 5 (a phantom 1); no candidate left.
    // Weights 5/120 = 0.04166… → 0.0417 and 116/120 = 0.96666… → 0.9667: Σ 1.0084.
    const inst = network(
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 120 } } },
      { neighbours: ['node_0', 'node_2'], load: { LOW_USAGE: { figlet: 90 } } },
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 1 } } },
    );
    const { view, calls } = viewOf(inst, 100);
    const w = nodeMargin(view, 'node_0');
    expect(w).toEqual({ figlet: { node_1: 0.0417, node_0: 0.9667 } });
    expect(sum(w.figlet)).toBeCloseTo(1.0084, 10);
    // node_0's and node_1's offered-load predictions, 3 attempts, 2 re-predictions of node_0.
    expect(calls.count).toBe(2 + 3 + 2);
  });

  it('a neighbour with k = 1 never refuses: pushed over a threshold it counts 100 %, its margin is 100 − usage', () => {
    // node_1: s = 95, k = 1 → margin 5. Any step that takes it over 100 tests 100 − 95 = 5 ≤ 5.
    // node_0 sheds 2 per step from 120 to 100 (10 steps, 20 sent); node_1 ends at 115.
    const inst = network(
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 120 } } },
      { neighbours: ['node_0'], load: { LOW_USAGE: { figlet: 95 } } },
    );
    const { view } = viewOf(inst, 100);
    // 20/120 = 0.1666… → 0.1667, 100/120 = 0.8333… → 0.8333
    expect(nodeMargin(view, 'node_0')).toEqual({ figlet: { node_1: 0.1667, node_0: 0.8333 } });
  });

  it('takes candidates in node index order, not the adjacency order Equal uses', () => {
    // limits(250): node_0 s = 251 > 250; one step of ceil(2.51) = 3 brings it to 248. Both
    // neighbours have margin 100 − 100·10/250 = 96; node_1 comes first by index although node_2 is
    // first in node_0's list. 3/251 = 0.01195… → 0.012, 248/251 = 0.98804… → 0.988.
    const inst = network(
      { neighbours: ['node_2', 'node_1'], load: { LOW_USAGE: { figlet: 251 } } },
      { neighbours: ['node_0'], load: { LOW_USAGE: { figlet: 10 } } },
      { neighbours: ['node_0'], load: { LOW_USAGE: { figlet: 10 } } },
    );
    const { view } = viewOf(inst, 250);
    expect(nodeMargin(view, 'node_0')).toEqual({ figlet: { node_2: 0, node_1: 0.012, node_0: 0.988 } });
    // Equal removes the same 3; node_2, first in adjacency order, gets 1 + the remainder 1:
    // 2/251 = 0.00796… → 0.008, node_1 1/251 = 0.00398… → 0.004.
    expect(equal(view, 'node_0')).toEqual({ figlet: { node_2: 0.008, node_1: 0.004, node_0: 0.988 } });
  });

  it('after a function leaves a neighbour’s list, offers it only the last one (the stuck pointer)', () => {
    // node_0: nmap 5 (HIGH, ×10), figlet 50, shasum 50 → s = 150, over all along.
    // node_1: nmap 0, figlet 45, shasum 45 → s = 90, k = 2 → margin 5.
    //   1. nmap: step 1 → node_1 s = 100, diff 10 > 5: rejected (undo 1 = the step); list
    //      [figlet, shasum], pointer −1.
    //   2–6. pointer −1 = shasum each time: diffs 1…5 accepted (shasum left 50 → 45).
    //   7. shasum: diff 6, rejected (sent 5); list [figlet]. 8. figlet: diff 6, rejected; none left.
    // A working round robin would have alternated figlet and shasum (3 + 2).
    const inst = network(
      { neighbours: ['node_1'], load: { HIGH_USAGE: { nmap: 5 }, LOW_USAGE: { figlet: 50, shasum: 50 } } },
      {
        neighbours: ['node_0', 'node_2'],
        load: { HIGH_USAGE: { nmap: 0 }, LOW_USAGE: { figlet: 45, shasum: 45 } },
      },
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 1 } } },
    );
    const { view, calls } = viewOf(inst, 100);
    expect(nodeMargin(view, 'node_0')).toEqual({
      nmap: { node_1: 0, node_0: 1 },
      figlet: { node_1: 0, node_0: 1 },
      shasum: { node_1: 0.1, node_0: 0.9 },
    });
    expect(calls.count).toBe(2 + 8 + 5);
  });

  it('margins: round((100 − mean usage %)/k, 4); 0 when overloaded or sharing nothing', () => {
    // node_1: s = 11, neighbours node_0/2/3 share figlet, node_4 (curl) does not → k = 3:
    // (100 − 11)/3 = 29.666… → 29.6667. node_0: s = 150, overloaded → 0. node_4: k = 0 → 0.
    // node_2: s = 70, k = 1 → 30 under NodeMargin; under PowerSaving 70 ≥ 0.7 × 100 → 0.
    // PowerSaving's node_1: (100 − 100·11/70)/3 = 28.0952…; node_3: (100 − 100·20/70)/1 = 71.4286.
    const inst = network(
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 150 } } },
      { neighbours: ['node_0', 'node_2', 'node_3', 'node_4'], load: { LOW_USAGE: { figlet: 11 } } },
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 70 } } },
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 20 } } },
      { neighbours: ['node_1'], load: { MEDIUM_USAGE: { curl: 5 } } },
    );
    const { view } = viewOf(inst, 100);
    const margins = (s: 'node_margin' | 'power_saving') =>
      inst.nodes.map((n) => frameworkMargin(view, n.id, s));
    expect(margins('node_margin')).toEqual([0, 29.6667, 30, 80, 0]);
    expect(margins('power_saving')).toEqual([0, 28.0952, 0, 71.4286, 0]);
  });
});

describe('power_saving', () => {
  // limits(1000): overloaded iff s > 1000; cap 0.7 × 1000 = 700 (power % = s/7).
  it('D2: counts each accepted transfer as 1 of relief, so it goes on sending', () => {
    // node_0: s = 710 > 700 (not overloaded). node_1: s = 10, k = 1 → margin 100 − 10/7 = 98.5714.
    // Steps of ceil(1 % of figlet left): 710 −8 → 702 −8 → 694 −7 → 687 … −7 → 638: 10 transfers,
    // 72 sent, while node_0's own group total falls 1 per transfer, 710 → 700, which ends it.
    // (Counting the steps, it would have stopped after two: 710 → 702 → 694.)
    // 72/710 = 0.10140… → 0.1014, 638/710 = 0.89859… → 0.8986.
    const inst = network(
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 710 } } },
      { neighbours: ['node_0'], load: { LOW_USAGE: { figlet: 10 } } },
    );
    const { view, calls } = viewOf(inst, 1000);
    expect(powerSaving(view, 'node_0')).toEqual({ figlet: { node_1: 0.1014, node_0: 0.8986 } });
    expect(calls.count).toBe(2 + 10 + 10);
    // NodeMargin: node_0 is not overloaded, it keeps everything.
    expect(nodeMargin(view, 'node_0')).toEqual({ figlet: { node_1: 0, node_0: 1 } });
  });

  it('takes back the whole step of a rejected attempt (no phantom)', () => {
    // node_1: s = 690 < 700, k = 1 → margin 100 − 690/7 = 1.42857… → 1.4286.
    // Step 8: (698 − 690)/7 = 1.1429 ≤ 1.4286, accepted (left 702, own total 709 > 700).
    // Step ceil(7.02) = 8: 16/7 = 2.2857, rejected; sent back to 8. 8/710 → 0.0113, 702/710 → 0.9887.
    const inst = network(
      { neighbours: ['node_1'], load: { LOW_USAGE: { figlet: 710 } } },
      { neighbours: ['node_0'], load: { LOW_USAGE: { figlet: 690 } } },
    );
    const { view } = viewOf(inst, 1000);
    const w = powerSaving(view, 'node_0');
    expect(w).toEqual({ figlet: { node_1: 0.0113, node_0: 0.9887 } });
    expect(sum(w.figlet)).toBeCloseTo(1, 10);
  });

  it('needs a model that predicts power', () => {
    const noPower: NodeModel = { name: 'cpu-only', predict: (_t, r) => ({ cpu_usage_node: r.LOW_USAGE }) };
    const inst = network({ neighbours: [], load: { LOW_USAGE: { figlet: 1 } } });
    const { view } = viewOf(inst, 100, noPower);
    expect(() => powerSaving(view, 'node_0')).toThrow(ConfigError);
  });
});
