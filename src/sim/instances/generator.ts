import { ConfigError, type ConfigIssue } from '../../core/errors.js';
import { seededRandom } from '../../core/random.js';
import { roundHalfEven } from '../python-round.js';
import {
  FRAMEWORK_GROUPS,
  FUNCTION_GROUPS,
  type FunctionGroup,
  type InstantLoad,
  NODE_TYPES,
  type NodeType,
  SIMULATION_INSTANTS,
  type SimInstance,
  type SimNode,
} from './instance.js';
import { buildTopology, edgeDensity, type TopologyOptions, topologyIssues } from './topologies.js';

/**
 * The DFaaS simulation framework's instance generator (framework/instance_generator.py), model for
 * model, drawn with dfaas's seeded RNG (core/random.ts, mulberry32) instead of numpy's and Python's.
 * The same seed always gives the same instance here, but NOT the instance the framework gives for
 * that seed: bit-exactness with numpy/Python streams is not a goal. Like the framework, three
 * generators start from the same seed: one for the node types and deployments (its net_gen), one
 * for the loads (its load_gen, a separate object with an identical stream) and one for the graph
 * (its Python `random`).
 *
 * The model:
 * 1. Node types drawn with shares HEAVY 0.2, MID 0.3, LIGHT 0.5, all N first.
 * 2. Per node, in index order: 1–3 groups without replacement, then 1..|group| functions of each
 *    group without replacement (the node's deployment, the same at every instant).
 * 3. Per node: overloaded when a uniform draw ≤ pct/100, capped at round(pct/100·N) overloaded
 *    nodes (Python's round, half to even). Overloaded nodes peak at PEAK_RATES, the others at 15 %.
 * 4. A triangle over T instants (the framework's 7 by default): the group load at t is an integer uniform on instantBounds(t, M).
 * 5. The group load is split among the group's functions: x_i ~ U{0..load}, f_i = ⌊x_i·load/Σx⌋,
 *    remainder to the first function; all of it to the first when Σx = 0.
 * 6. The graph (a StackOverflow "connected G(n,p)" recipe): for each node i in index order, one pair
 *    (i, j>i) chosen uniformly is always added, then each pair (i, j>i) with probability p. So the
 *    graph is connected with ≥ N−1 edges; p ≥ 1 gives the complete graph. Neighbour lists keep
 *    insertion order, as networkx's adjacency. This is the default; the `topology` option draws
 *    another graph instead (topologies.ts), from the same graph stream, so the same seed with
 *    another topology changes only the links. The header's edge_prob is then the realised
 *    density 2E/(N(N−1)) to 4 decimals, since those graphs have no edge probability.
 *
 * One deliberate difference: the framework returns an edgeless graph for p ≤ 0 (an early return
 * before the recipe); here p = 0 still gets the forced edges, a random spanning tree, so every
 * instance is connected.
 */

/** Shares of HEAVY, MID, LIGHT (the framework's NODES_TYPE_PROBABILITY_DISTRIBUTION). */
export const NODE_TYPE_SHARES: Readonly<Record<NodeType, number>> = { HEAVY: 0.2, MID: 0.3, LIGHT: 0.5 };

/** Peak group rates (req/s) of an overloaded node (the framework's max_rates_o). */
export const PEAK_RATES: Readonly<Record<NodeType, Readonly<Record<FunctionGroup, number>>>> = {
  HEAVY: { LOW_USAGE: 400, HIGH_USAGE: 90, MEDIUM_USAGE: 200 },
  MID: { LOW_USAGE: 570, HIGH_USAGE: 80, MEDIUM_USAGE: 200 },
  LIGHT: { LOW_USAGE: 330, HIGH_USAGE: 40, MEDIUM_USAGE: 180 },
};

/** Share of PEAK_RATES a node that is not overloaded peaks at (the framework's max_rates_u). */
export const UNDERLOADED_SHARE = 0.15;

/** The peak rate of a group on a node: PEAK_RATES, or 15 % of it for a node that is not overloaded. */
export function peakRate(type: NodeType, group: FunctionGroup, overloaded: boolean): number {
  const peak = PEAK_RATES[type][group];
  return overloaded ? peak : peak * UNDERLOADED_SHARE;
}

/**
 * Inclusive integer bounds of a group's load at instant t of T for peak M, the framework's
 * expressions with m = ceil(T/2): [⌊t·M/m⌋, ⌈(t+1)·M/m⌉] rising, [⌊(T−1−t)·M/m⌋, ⌈(T−t)·M/m⌉]
 * falling. For the framework's T = 7 (m = 4): [0,M/4], [M/4,M/2], [M/2,3M/4], [3M/4,M], [M/2,3M/4],
 * [M/4,M/2], [0,M/4]. A longer T stretches the same triangle (the framework has T = 7 alone).
 */
export function instantBounds(t: number, peak: number, instants = SIMULATION_INSTANTS): [number, number] {
  const m = Math.ceil(instants / 2);
  if (t < m) return [Math.floor(t * (peak / m)), Math.ceil((t + 1) * (peak / m))];
  return [Math.floor((instants - (t + 1)) * (peak / m)), Math.ceil((instants - t) * (peak / m))];
}

/** Most overloaded nodes: round(pct/100·N) with Python's round (half to even), as the framework. */
export function maxOverloaded(overloadedPercent: number, nodes: number): number {
  return roundHalfEven(overloadedPercent * 0.01 * nodes);
}

export interface GenerateOptions {
  /** Number of nodes, ≥ 1. */
  nodes: number;
  /** Probability of each extra edge of the framework's graph, in [0, 1]; required unless `topology` is given. */
  edgeProb?: number;
  /** Another graph than the framework's with edgeProb (not both: a framework topology carries its own edgeProb). */
  topology?: TopologyOptions;
  /** Most overloaded nodes, in percent of the nodes, in [0, 100]. */
  overloadedPercent: number;
  /** An integer in [0, 2³²). */
  seed: number;
  /** The functions of each group (default: the framework's group_list.json). */
  groups?: Readonly<Record<FunctionGroup, readonly string[]>>;
  /** Number of instants T ≥ 1 (default the framework's 7): the triangle spans them all. */
  instants?: number;
}

type Rng = () => number;

/** Uniform integer in [lo, hi], both included. */
function integer(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** k items of `items` without replacement, in draw order (a partial Fisher–Yates shuffle). */
function sample<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const pool = [...items];
  for (let i = 0; i < k; i++) {
    const j = integer(rng, i, pool.length - 1);
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, k);
}

function checkOptions(o: GenerateOptions): void {
  const issues: ConfigIssue[] = [];
  if (!Number.isInteger(o.nodes) || o.nodes < 1) issues.push({ field: 'nodes', message: 'an integer ≥ 1' });
  if (o.topology === undefined && !(o.edgeProb !== undefined && o.edgeProb >= 0 && o.edgeProb <= 1))
    issues.push({ field: 'edgeProb', message: 'a probability in [0, 1]' });
  if (o.topology !== undefined && o.edgeProb !== undefined)
    issues.push({
      field: 'edgeProb',
      message: "the framework graph's, not given with a topology (a framework topology has its own edgeProb)",
    });
  if (!(o.overloadedPercent >= 0 && o.overloadedPercent <= 100))
    issues.push({ field: 'overloadedPercent', message: 'a percentage in [0, 100]' });
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed >= 2 ** 32)
    issues.push({ field: 'seed', message: 'an integer in [0, 2^32)' });
  if (o.instants !== undefined && !(Number.isInteger(o.instants) && o.instants >= 1))
    issues.push({ field: 'instants', message: 'an integer ≥ 1' });
  for (const g of FUNCTION_GROUPS) {
    const fns = o.groups?.[g];
    if (fns !== undefined && (fns.length === 0 || new Set(fns).size !== fns.length))
      issues.push({ field: `groups.${g}`, message: 'at least one function, none twice' });
  }
  if (o.topology !== undefined) issues.push(...topologyIssues(o.topology));
  if (issues.length > 0) throw new ConfigError('instance generator', issues);
}

function drawType(rng: Rng): NodeType {
  const u = rng();
  let cdf = 0;
  for (const type of NODE_TYPES) {
    cdf += NODE_TYPE_SHARES[type];
    if (u < cdf) return type;
  }
  return 'LIGHT';
}

/** Splits a group's load among its functions: integers summing to `load`, remainder to the first. */
function split(rng: Rng, load: number, count: number): number[] {
  const xs = Array.from({ length: count }, () => integer(rng, 0, load));
  const sum = xs.reduce((s, x) => s + x, 0);
  const rates = sum === 0 ? xs.map(() => 0) : xs.map((x) => Math.floor((x * load) / sum));
  rates[0] = (rates[0] ?? 0) + load - rates.reduce((s, r) => s + r, 0);
  return rates;
}

/** A random instance in the framework's model; the same options always give the same instance. */
export function generateInstance(options: GenerateOptions): SimInstance {
  checkOptions(options);
  const { nodes: n, overloadedPercent, seed } = options;
  // checkOptions made sure edgeProb is given when topology is not.
  const topology = options.topology ?? { kind: 'framework', edgeProb: options.edgeProb as number };
  const groupList = options.groups ?? FRAMEWORK_GROUPS;
  const instants = options.instants ?? SIMULATION_INSTANTS;
  const netRng = seededRandom(seed);
  const loadRng = seededRandom(seed);
  const graphRng = seededRandom(seed);

  const cap = maxOverloaded(overloadedPercent, n);
  const share = overloadedPercent * 0.01;
  let overloadedCount = 0;

  const types = Array.from({ length: n }, () => drawType(netRng));
  const nodes: SimNode[] = types.map((type, i) => {
    const groups = sample(netRng, FUNCTION_GROUPS, integer(netRng, 1, 3));
    const deployment = groups.map((g) => {
      const fns = groupList[g];
      return { group: g, functions: sample(netRng, fns, integer(netRng, 1, fns.length)) };
    });
    // The draw happens for every node, the cap only decides (as the framework).
    const drawn = loadRng() <= share;
    const overloaded = drawn && overloadedCount < cap;
    if (overloaded) overloadedCount++;
    const load: InstantLoad[] = [];
    for (let t = 0; t < instants; t++) {
      const instant: InstantLoad = {};
      for (const { group, functions } of deployment) {
        const [lo, hi] = instantBounds(t, peakRate(type, group, overloaded), instants);
        const total = integer(loadRng, lo, hi);
        const rates = split(loadRng, total, functions.length);
        instant[group] = {
          functions: functions.map((name, k) => ({ name, rate: rates[k] ?? 0 })),
          totalRate: total,
        };
      }
      load.push(instant);
    }
    return { id: `node_${i}`, type, neighbours: [], load };
  });

  const graph = buildTopology(topology, n, graphRng);
  graph.neighbours.forEach((nbs, i) => {
    const node = nodes[i] as SimNode;
    node.neighbours = nbs.map((j) => `node_${j}`);
    const latencies = graph.latencyMs?.[i];
    if (latencies)
      node.linkLatencyMs = Object.fromEntries(nbs.map((j, k) => [`node_${j}`, latencies[k] as number]));
  });
  const edgeProb = topology.kind === 'framework' ? topology.edgeProb : edgeDensity(graph);
  return { seed, edgeProb, overloadedPerc: overloadedPercent, nodes };
}
