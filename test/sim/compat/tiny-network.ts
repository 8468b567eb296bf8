import type { FunctionGroup, NodeType, SimInstance } from '../../../src/sim/instances/instance.js';
import type { NodeModel, Thresholds } from '../../../src/sim/model/node-model.js';

/**
 * Hand-computable fixtures for the framework strategies' tests.
 *
 * The model: cpu = ram = power = s = idle + 10·HIGH + LOW + MEDIUM, for every node type. With
 * `limits(100)` (every metric's threshold 100 on every type) a node is overloaded iff s > 100, its
 * mean usage % is s itself (3·(100·s/100) / 3) and PowerSaving's cap is 0.7 × 100 = 70.
 */
export function linearModel(idle = 0): NodeModel {
  return {
    name: 'tiny-linear',
    predict(_type, r) {
      const s = idle + 10 * r.HIGH_USAGE + r.LOW_USAGE + r.MEDIUM_USAGE;
      return { cpu_usage_node: s, ram_usage_node: s, power_usage_node: s };
    },
  };
}

export function limits(max: number): Thresholds {
  const usage = { cpu_usage_node: max, ram_usage_node: max, power_usage_node: max };
  return { HEAVY: usage, MID: usage, LIGHT: usage };
}

export interface TinyNode {
  neighbours: string[];
  /** By group, function → rate (the order is the node's function order). */
  load: Partial<Record<FunctionGroup, Record<string, number>>>;
  type?: NodeType;
}

/** A one-instant instance of nodes node_0, node_1, … (links must be listed on both sides). */
export function network(...nodes: TinyNode[]): SimInstance {
  return {
    seed: 1,
    edgeProb: 0,
    overloadedPerc: 0,
    nodes: nodes.map((n, i) => ({
      id: `node_${i}`,
      type: n.type ?? 'LIGHT',
      neighbours: n.neighbours,
      load: [
        Object.fromEntries(
          Object.entries(n.load).map(([group, fns]) => {
            const functions = Object.entries(fns ?? {}).map(([name, rate]) => ({ name, rate }));
            return [group, { functions, totalRate: functions.reduce((s, f) => s + f.rate, 0) }];
          }),
        ),
      ],
    })),
  };
}

/** node_0 offers figlet 303 (LOW) to five neighbours that only run curl (the anchors' D4 shape). */
export function star(): SimInstance {
  const leaf = { neighbours: ['node_0'], load: { MEDIUM_USAGE: { curl: 10 } } };
  return network(
    { neighbours: ['node_1', 'node_2', 'node_3', 'node_4', 'node_5'], load: { LOW_USAGE: { figlet: 303 } } },
    leaf,
    leaf,
    leaf,
    leaf,
    leaf,
  );
}
