import type { CompatMode, RoundsInstant, RoundsRun } from '../../../src/sim/engines/rounds-result.js';
import type {
  FunctionGroup,
  InstantLoad,
  NodeType,
  SimInstance,
} from '../../../src/sim/instances/instance.js';
import type { NodeModel, NodeUsage, Thresholds } from '../../../src/sim/model/node-model.js';

/**
 * A node model simple enough to check by hand: CPU 10 % per request/s of any group, power
 * 1000 µW idle plus 100 µW per request/s. With TEST_THRESHOLDS (cpu 100 %, power 10,000 µW) a node
 * is overloaded above 10 req/s, and above 60 req/s its power passes 0.7 × 10,000 = 7,000 µW.
 */
export const TEST_MODEL: NodeModel = {
  name: 'test-linear',
  predict(_type, rates) {
    const total = rates.HIGH_USAGE + rates.LOW_USAGE + rates.MEDIUM_USAGE;
    return { cpu_usage_node: 10 * total, power_usage_node: 1000 + 100 * total };
  },
};

const MAX: NodeUsage = { cpu_usage_node: 100, power_usage_node: 10_000 };
export const TEST_THRESHOLDS: Thresholds = { HEAVY: MAX, MID: MAX, LIGHT: MAX };

export interface NodeSpec {
  type?: NodeType;
  /** The node's deployed functions and their groups. */
  functions: Record<string, FunctionGroup>;
  /** Per instant, what its users offer of each function (absent: 0). */
  load: Record<string, number>[];
}

/** An instance of node_0, node_1, … all linked to each other; every deployed function is listed
 * at every instant (rate 0 when the spec gives none). */
export function instanceOf(specs: NodeSpec[]): SimInstance {
  const ids = specs.map((_, i) => `node_${i}`);
  return {
    seed: 1,
    edgeProb: 1,
    overloadedPerc: 50,
    nodes: specs.map((spec, i) => ({
      id: ids[i] as string,
      type: spec.type ?? 'LIGHT',
      neighbours: ids.filter((_, j) => j !== i),
      load: spec.load.map((offered) => {
        const instant: InstantLoad = {};
        for (const [name, group] of Object.entries(spec.functions)) {
          const g = instant[group] ?? { functions: [], totalRate: 0 };
          const rate = offered[name] ?? 0;
          g.functions.push({ name, rate });
          g.totalRate += rate;
          instant[group] = g;
        }
        return instant;
      }),
    })),
  };
}

/** [function, from, to, requests/s]. */
export type Flow = [string, string, string, number];
/** [function, the sending node, requests/s refused by the proxies]. */
export type Refusal = [string, string, number];

export function runOf(
  strategy: string,
  compat: CompatMode,
  flows: Flow[][],
  refusals: Refusal[][] = [],
): RoundsRun {
  return {
    strategy,
    compat,
    modelCalls: 0,
    instants: flows.map((instantFlows, t): RoundsInstant => {
      const forwarding: RoundsInstant['forwarding'] = {};
      for (const [fn, from, to, amount] of instantFlows) {
        const matrix = forwarding[fn] ?? {};
        const row = matrix[from] ?? {};
        row[to] = (row[to] ?? 0) + amount;
        matrix[from] = row;
        forwarding[fn] = matrix;
      }
      const refused: RoundsInstant['refused'] = {};
      for (const [fn, from, amount] of refusals[t] ?? []) refused[fn] = { ...refused[fn], [from]: amount };
      return { forwarding, refused };
    }),
  };
}

/**
 * The worked 2-node, 7-instant run. node_0 deploys figlet, node_1 curl; all LIGHT, TEST_MODEL.
 *
 * | t | figlet: node_0 keeps | figlet: node_0 → node_1 | curl: node_1 keeps | what happens |
 * |---|---|---|---|---|
 * | 0 | 2 | | 2 | |
 * | 1 | 6 | | 4 | |
 * | 2 | 12 | | 10 | node_0 over 10: sheds 1 (12 × 0.05 → 1), then 1 (11 × 0.05 = 0.55 → 1) |
 * | 3 | 10 | 4 | 10 | node_1 lacks figlet: 4 rejected |
 * | 4 | 8 | | 11 | node_1 sheds 1 (0.55 → 1) |
 * | 5 | 4 | | 4 | |
 * | 6 | 0 | | 0 | nothing offered: S = 1 |
 *
 * S[figlet] = 1, 1, 10/12, 10/14, 1, 1, 1; S[curl] = 1, 1, 1, 1, 10/11, 1, 1; 7 rejected in all.
 * Power after shedding (1000 + 100 × served req/s), node_0 / node_1: 1200/1200, 1600/1400,
 * 2000/2000, 2000/2000, 1800/2000, 1400/1400, 1000/1000.
 */
export function twoNodeCase(strategy = 'equal'): { instance: SimInstance; run: RoundsRun } {
  const figlet = [2, 6, 12, 14, 8, 4, 0];
  const curl = [2, 4, 10, 10, 11, 4, 0];
  const instance = instanceOf([
    { functions: { figlet: 'LOW_USAGE' }, load: figlet.map((r) => ({ figlet: r })) },
    { functions: { curl: 'MEDIUM_USAGE' }, load: curl.map((r) => ({ curl: r })) },
  ]);
  const flows = figlet.map((f, t): Flow[] => {
    const kept = t === 3 ? f - 4 : f;
    const out: Flow[] = [
      ['figlet', 'node_0', 'node_0', kept],
      ['curl', 'node_1', 'node_1', curl[t] as number],
    ];
    if (t === 3) out.push(['figlet', 'node_0', 'node_1', 4]);
    return out;
  });
  return { instance, run: runOf(strategy, 'framework', flows) };
}
