import { ConfigError, type ConfigIssue } from '../../core/errors.js';

/**
 * The graphs an instance's nodes may be linked by. Every one is drawn from an injected seeded
 * generator (core/random.ts), so the same options and stream give the same graph, and every one is
 * connected, with symmetric neighbour lists, no self-loops and no link twice:
 *
 * - `framework`: the DFaaS simulation framework's graph (instance_generator.py's "connected
 *   G(n,p)" recipe; see generator.ts): for each node i in index order one pair (i, j>i) chosen
 *   uniformly is always added, then each pair (i, j>i) with probability edgeProb.
 * - `scale-free`: Barabási–Albert preferential attachment. The first m+1 nodes form a complete
 *   core; each later node links to m distinct earlier nodes, each drawn with probability
 *   proportional to its degree. E = m(m+1)/2 + m·(N−m−1) for N > m+1, the complete graph below.
 * - `geometric`: a random geometric graph: nodes placed uniformly on the unit square, linked when
 *   within `radius` of each other. Components left apart are joined Borůvka-style: each component
 *   links its node nearest to a node of another component to that node, until one is left. Links
 *   carry a latency of baseMs + distance × msPerUnit.
 *
 * Only the geometric graph has latencies of its own; the others get `latencyMs` on every link when
 * that option is given, and none otherwise (the engine's default applies).
 */
export type TopologyOptions =
  | { kind: 'framework'; edgeProb: number; latencyMs?: number }
  | {
      kind: 'scale-free';
      /** Links each new node makes (default 2). */
      m?: number;
      latencyMs?: number;
    }
  | {
      kind: 'geometric';
      /** Link radius on the unit square (default defaultRadius(N), an expected degree near 4). */
      radius?: number;
      /** Latency of a unit of distance, ms (default 50: the square's side is ~50 ms). */
      msPerUnit?: number;
      /** Latency of a link of length 0, ms (default 1). */
      baseMs?: number;
    };

/** The topologies by name (a CLI flag's values). */
export type TopologyKind = TopologyOptions['kind'];

/** A drawn graph on nodes 0..N−1. */
export interface Topology {
  /** Each node's neighbours, in the order the links were made (the framework's Equal uses it). */
  neighbours: number[][];
  /** One-way latency of each link, ms, aligned with `neighbours` (the same both ways); absent: none. */
  latencyMs?: number[][];
}

type Rng = () => number;

export const DEFAULT_BA_LINKS = 2;
export const DEFAULT_MS_PER_UNIT = 50;
export const DEFAULT_BASE_MS = 1;

/**
 * The geometric graph's default radius for N nodes: √(4/(π(N−1))), so that a node away from the
 * square's border has (N−1)·πr² = 4 neighbours on average (fewer near the border). N = 1: any radius.
 */
export function defaultRadius(nodes: number): number {
  return nodes > 1 ? Math.sqrt(4 / (Math.PI * (nodes - 1))) : 1;
}

/** The share of node pairs that are linked, 2E/(N(N−1)), to 4 decimals; 0 for one node. */
export function edgeDensity(topology: Topology): number {
  const n = topology.neighbours.length;
  if (n < 2) return 0;
  const degrees = topology.neighbours.reduce((s, nbs) => s + nbs.length, 0);
  return Math.round((degrees / (n * (n - 1))) * 10_000) / 10_000;
}

const nonNegative = (v: number | undefined) => v === undefined || (Number.isFinite(v) && v >= 0);

/** What is wrong with topology options, fields named `topology.<option>`. */
export function topologyIssues(options: TopologyOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const bad = (option: string, message: string) => issues.push({ field: `topology.${option}`, message });
  switch (options.kind) {
    case 'framework':
      if (!(options.edgeProb >= 0 && options.edgeProb <= 1)) bad('edgeProb', 'a probability in [0, 1]');
      if (!nonNegative(options.latencyMs)) bad('latencyMs', 'a latency ≥ 0 (ms)');
      break;
    case 'scale-free':
      if (options.m !== undefined && !(Number.isInteger(options.m) && options.m >= 1))
        bad('m', 'an integer ≥ 1');
      if (!nonNegative(options.latencyMs)) bad('latencyMs', 'a latency ≥ 0 (ms)');
      break;
    case 'geometric':
      if (!nonNegative(options.radius)) bad('radius', 'a distance ≥ 0 (the square is 1 × 1)');
      if (!nonNegative(options.msPerUnit)) bad('msPerUnit', 'a latency ≥ 0 (ms per unit of distance)');
      if (!nonNegative(options.baseMs)) bad('baseMs', 'a latency ≥ 0 (ms)');
      break;
    default:
      bad('kind', 'one of framework, scale-free, geometric');
  }
  return issues;
}

/** A graph of `nodes` nodes drawn from `rng`; bad options are a ConfigError naming each one. */
export function buildTopology(options: TopologyOptions, nodes: number, rng: Rng): Topology {
  const issues = topologyIssues(options);
  if (issues.length > 0) throw new ConfigError('topology', issues);
  switch (options.kind) {
    case 'framework':
      return withLatency(frameworkGraph(rng, nodes, options.edgeProb), options.latencyMs);
    case 'scale-free':
      return withLatency(scaleFreeGraph(rng, nodes, options.m ?? DEFAULT_BA_LINKS), options.latencyMs);
    case 'geometric':
      return geometricGraph(rng, nodes, {
        radius: options.radius ?? defaultRadius(nodes),
        msPerUnit: options.msPerUnit ?? DEFAULT_MS_PER_UNIT,
        baseMs: options.baseMs ?? DEFAULT_BASE_MS,
      });
  }
}

/** Index in [0, k): one uniform draw. */
function below(rng: Rng, k: number): number {
  return Math.floor(rng() * k);
}

/** Undirected links kept as insertion-ordered sets, so a repeat changes nothing. */
function emptyGraph(n: number): { adj: Set<number>[]; link: (a: number, b: number) => void } {
  const adj = Array.from({ length: n }, () => new Set<number>());
  return {
    adj,
    link: (a, b) => {
      adj[a]?.add(b);
      adj[b]?.add(a);
    },
  };
}

function withLatency(neighbours: number[][], latencyMs: number | undefined): Topology {
  if (latencyMs === undefined) return { neighbours };
  return { neighbours, latencyMs: neighbours.map((nbs) => nbs.map(() => latencyMs)) };
}

/** The framework's graph (see the module comment); p ≥ 1 gives the complete graph without draws. */
function frameworkGraph(rng: Rng, n: number, p: number): number[][] {
  const { adj, link } = emptyGraph(n);
  if (p >= 1) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) link(i, j);
  } else {
    for (let i = 0; i < n - 1; i++) {
      link(i, i + 1 + below(rng, n - 1 - i));
      for (let j = i + 1; j < n; j++) if (rng() < p) link(i, j);
    }
  }
  return adj.map((s) => [...s]);
}

/** Barabási–Albert: a complete core of m+1 nodes, then m degree-weighted links per node. */
function scaleFreeGraph(rng: Rng, n: number, m: number): number[][] {
  const { adj, link } = emptyGraph(n);
  // Every link's two ends: a uniform draw from it picks a node with probability ∝ its degree.
  const ends: number[] = [];
  const core = Math.min(n, m + 1);
  for (let i = 0; i < core; i++)
    for (let j = i + 1; j < core; j++) {
      link(i, j);
      ends.push(i, j);
    }
  for (let v = core; v < n; v++) {
    // Draws repeat until m distinct targets (there are v ≥ m+1 candidates); links are made after,
    // so the new node's own links do not weigh in its draws.
    const targets = new Set<number>();
    while (targets.size < m) targets.add(ends[below(rng, ends.length)] as number);
    for (const t of targets) {
      link(v, t);
      ends.push(v, t);
    }
  }
  return adj.map((s) => [...s]);
}

interface GeometricParams {
  radius: number;
  msPerUnit: number;
  baseMs: number;
}

/** A random geometric graph on the unit square, joined into one component, with link latencies. */
function geometricGraph(rng: Rng, n: number, { radius, msPerUnit, baseMs }: GeometricParams): Topology {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(rng());
    ys.push(rng());
  }
  // Squared distances order pairs as distances do, without a square root per pair.
  const squared = (a: number, b: number) =>
    ((xs[a] as number) - (xs[b] as number)) ** 2 + ((ys[a] as number) - (ys[b] as number)) ** 2;
  const { adj, link } = emptyGraph(n);
  const r2 = radius * radius;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (squared(i, j) <= r2) link(i, j);
  joinComponents(adj, link, squared);
  const neighbours = adj.map((s) => [...s]);
  // Rounded to the microsecond for a readable file; both ends compute the same number.
  const latency = (a: number, b: number) =>
    Math.round((baseMs + Math.sqrt(squared(a, b)) * msPerUnit) * 1000) / 1000;
  return { neighbours, latencyMs: neighbours.map((nbs, i) => nbs.map((j) => latency(i, j))) };
}

/**
 * Borůvka rounds until the graph is connected: every component links its closest pair to a node of
 * another component (ties: the first pair found, components and nodes in index order). Each round
 * at least halves the number of components and compares every pair of nodes in different
 * components once: O(N²) at worst.
 */
function joinComponents(
  adj: Set<number>[],
  link: (a: number, b: number) => void,
  squared: (a: number, b: number) => number,
): void {
  for (;;) {
    const { label, count } = components(adj);
    if (count <= 1) return;
    const members: number[][] = Array.from({ length: count }, () => []);
    for (const [i, c] of label.entries()) members[c]?.push(i);
    // Per component: the squared length of its shortest link out, and that link's two ends.
    const shortest = new Float64Array(count).fill(Number.POSITIVE_INFINITY);
    const from = new Int32Array(count);
    const to = new Int32Array(count);
    for (let c = 0; c < count; c++)
      for (const a of members[c] as number[])
        for (let o = c + 1; o < count; o++)
          for (const b of members[o] as number[]) {
            const d = squared(a, b);
            if (d < (shortest[c] as number)) [shortest[c], from[c], to[c]] = [d, a, b];
            if (d < (shortest[o] as number)) [shortest[o], from[o], to[o]] = [d, b, a];
          }
    for (let c = 0; c < count; c++) link(from[c] as number, to[c] as number);
  }
}

/** Each node's component label, 0..count−1 in order of each component's lowest node. */
function components(adj: Set<number>[]): { label: number[]; count: number } {
  const label = adj.map(() => -1);
  let next = 0;
  for (let start = 0; start < adj.length; start++) {
    if (label[start] !== -1) continue;
    label[start] = next;
    const queue = [start];
    for (let k = 0; k < queue.length; k++)
      for (const nb of adj[queue[k] as number] ?? [])
        if (label[nb] === -1) {
          label[nb] = next;
          queue.push(nb);
        }
    next++;
  }
  return { label, count: next };
}
