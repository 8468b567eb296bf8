import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { seededRandom } from '../../../src/core/random.js';
import { generateInstance } from '../../../src/sim/instances/generator.js';
import { InstanceJsonSchema, instanceToJson } from '../../../src/sim/instances/instance.js';
import {
  buildTopology,
  DEFAULT_BA_LINKS,
  defaultRadius,
  edgeDensity,
  type Topology,
  type TopologyOptions,
  topologyIssues,
} from '../../../src/sim/instances/topologies.js';

const SEEDS = [1, 7, 701];
const SIZES = [1, 2, 10, 200];
const KINDS: TopologyOptions[] = [
  { kind: 'framework', edgeProb: 0.1 },
  { kind: 'scale-free' },
  { kind: 'scale-free', m: 3 },
  { kind: 'geometric' },
  { kind: 'geometric', radius: 0 },
];

const build = (options: TopologyOptions, n: number, seed: number) =>
  buildTopology(options, n, seededRandom(seed));

function edgeCount(t: Topology): number {
  return t.neighbours.reduce((s, nbs) => s + nbs.length, 0) / 2;
}

function connected(t: Topology): boolean {
  const seen = new Set<number>([0]);
  const queue = [0];
  for (let k = 0; k < queue.length; k++)
    for (const nb of t.neighbours[queue[k] as number] ?? [])
      if (!seen.has(nb)) {
        seen.add(nb);
        queue.push(nb);
      }
  return seen.size === t.neighbours.length;
}

/**
 * What is wrong with a graph's lists (none expected): a self-loop, a link twice, a neighbour out of
 * range, a link one way only, latencies not aligned or not the same both ways. Plain checks and one
 * assertion, so that 1,000-node graphs stay quick.
 */
function defects(t: Topology, n: number): string[] {
  const out: string[] = [];
  if (t.neighbours.length !== n) out.push(`${t.neighbours.length} lists for ${n} nodes`);
  const sets = t.neighbours.map((nbs) => new Set(nbs));
  t.neighbours.forEach((nbs, i) => {
    if ((sets[i] as Set<number>).size !== nbs.length) out.push(`${i}: a neighbour twice`);
    if (sets[i]?.has(i)) out.push(`${i}: its own neighbour`);
    for (const j of nbs)
      if (!(j >= 0 && j < n)) out.push(`${i}: neighbour ${j} out of range`);
      else if (!sets[j]?.has(i)) out.push(`${i}–${j} one way only`);
    if (t.latencyMs && t.latencyMs[i]?.length !== nbs.length) out.push(`${i}: latencies not aligned`);
  });
  if (t.latencyMs)
    for (const [i, j] of ends(t))
      if (latencyOf(t, i, j) !== latencyOf(t, j, i)) out.push(`${i}–${j}: latency not symmetric`);
  return out;
}

function expectWellFormed(t: Topology, n: number): void {
  expect(defects(t, n)).toEqual([]);
}

/** Every link, once from each end: [a, b] for each b in a's list. */
function ends(t: Topology): [number, number][] {
  return t.neighbours.flatMap((nbs, a) => nbs.map((b): [number, number] => [a, b]));
}

function latencyOf(t: Topology, a: number, b: number): number {
  return t.latencyMs?.[a]?.[t.neighbours[a]?.indexOf(b) ?? -1] as number;
}

describe('buildTopology: every kind', () => {
  for (const options of KINDS)
    for (const seed of SEEDS)
      for (const n of SIZES)
        it(`${JSON.stringify(options)}, seed ${seed}, N ${n}: connected, symmetric, no loops or twins`, () => {
          const t = build(options, n, seed);
          expectWellFormed(t, n);
          expect(connected(t)).toBe(true);
          expect(edgeCount(t)).toBeGreaterThanOrEqual(n - 1);
        });

  for (const options of KINDS)
    it(`${JSON.stringify(options)}, N 1000: connected and symmetric`, () => {
      const t = build(options, 1000, 3);
      expectWellFormed(t, 1000);
      expect(connected(t)).toBe(true);
    });

  for (const options of KINDS)
    it(`${JSON.stringify(options)}: the same seed gives the same graph, another seed another`, () => {
      const a = build(options, 50, 42);
      expect(build(options, 50, 42)).toEqual(a);
      expect(build(options, 50, 43)).not.toEqual(a);
    });

  it('only the geometric graph has latencies unless latencyMs is given; then every link has it', () => {
    expect(build({ kind: 'framework', edgeProb: 0.2 }, 10, 1).latencyMs).toBeUndefined();
    expect(build({ kind: 'scale-free' }, 10, 1).latencyMs).toBeUndefined();
    for (const options of [
      { kind: 'framework', edgeProb: 0.2, latencyMs: 7 },
      { kind: 'scale-free', m: 2, latencyMs: 7 },
    ] as TopologyOptions[]) {
      const t = build(options, 30, 1);
      expectWellFormed(t, 30);
      expect(t.latencyMs?.flat().every((ms) => ms === 7)).toBe(true);
      expect(t.latencyMs?.flat()).toHaveLength(2 * edgeCount(t));
    }
  });

  it('the framework kind is the generator’s graph: the same draws as generateInstance', () => {
    for (const seed of SEEDS) {
      const t = build({ kind: 'framework', edgeProb: 0.1 }, 40, seed);
      const inst = generateInstance({ nodes: 40, edgeProb: 0.1, overloadedPercent: 60, seed });
      expect(inst.nodes.map((n) => n.neighbours)).toEqual(
        t.neighbours.map((nbs) => nbs.map((j) => `node_${j}`)),
      );
    }
  });

  it('edgeDensity is 2E/(N(N−1)) to 4 decimals', () => {
    // 4 nodes, 5 links: 10/12 = 0.83333… → 0.8333. A path of 3: 4/6 → 0.6667. One node: 0.
    expect(
      edgeDensity({
        neighbours: [
          [1, 2, 3],
          [0, 2],
          [0, 1, 3],
          [0, 2],
        ],
      }),
    ).toBe(0.8333);
    expect(edgeDensity({ neighbours: [[1], [0, 2], [1]] })).toBe(0.6667);
    expect(edgeDensity({ neighbours: [[]] })).toBe(0);
  });
});

describe('buildTopology: scale-free (Barabási–Albert)', () => {
  /** m(m+1)/2 links in the complete core of m+1 nodes, then m per later node; K_N below m+1 nodes. */
  const expectedEdges = (n: number, m: number) =>
    n <= m + 1 ? (n * (n - 1)) / 2 : (m * (m + 1)) / 2 + m * (n - m - 1);

  it('worked counts: m = 2 on 4 nodes is K3 plus 2 links (5); m = 1 is a tree; N ≤ m+1 is complete', () => {
    expect(expectedEdges(4, 2)).toBe(5);
    expect(edgeCount(build({ kind: 'scale-free', m: 2 }, 4, 1))).toBe(5);
    expect(edgeCount(build({ kind: 'scale-free', m: 1 }, 50, 1))).toBe(49);
    expect(edgeCount(build({ kind: 'scale-free', m: 5 }, 4, 1))).toBe(6);
    expect(DEFAULT_BA_LINKS).toBe(2);
    expect(build({ kind: 'scale-free' }, 30, 9)).toEqual(build({ kind: 'scale-free', m: 2 }, 30, 9));
  });

  for (const m of [1, 2, 3, 5])
    for (const n of [1, 2, 3, 6, 10, 200, 1000])
      it(`m ${m}, N ${n}: edge count by the formula, core complete, later nodes of degree ≥ m`, () => {
        const t = build({ kind: 'scale-free', m }, n, 11);
        expect(edgeCount(t)).toBe(expectedEdges(n, m));
        const core = Math.min(n, m + 1);
        for (let i = 0; i < core; i++)
          for (let j = 0; j < core; j++) if (i !== j) expect(t.neighbours[i]).toContain(j);
        for (let v = core; v < n; v++) {
          expect(t.neighbours[v]?.length).toBeGreaterThanOrEqual(m);
          // Its own m links go to earlier nodes; any other link came from a later node.
          expect(t.neighbours[v]?.slice(0, m).every((j) => j < v)).toBe(true);
          expect(t.neighbours[v]?.slice(m).every((j) => j > v)).toBe(true);
        }
      });

  it('has hubs: on 1000 nodes the largest degree is far above m (a uniform attachment would not)', () => {
    for (const seed of SEEDS) {
      const t = build({ kind: 'scale-free', m: 2 }, 1000, seed);
      // BA's largest degree grows as m·√N ≈ 63 here; a random graph with mean degree 4 stays near 12.
      expect(Math.max(...t.neighbours.map((nbs) => nbs.length))).toBeGreaterThan(25);
    }
  });
});

describe('buildTopology: geometric', () => {
  it('the default radius is √(4/(π(N−1))): a mean degree near 4', () => {
    // N = 10: √(4/(9π)) = √0.14147 = 0.37613.
    expect(defaultRadius(10)).toBeCloseTo(0.37613, 5);
    expect(defaultRadius(1)).toBe(1);
    for (const seed of SEEDS) {
      const t = build({ kind: 'geometric' }, 1000, seed);
      // 4 inside the square, less near the border (about 4·(1 − 8r/(3π)) ≈ 3.8), plus the joins.
      const mean = (2 * edgeCount(t)) / 1000;
      expect(mean).toBeGreaterThan(3.2);
      expect(mean).toBeLessThan(4.6);
    }
  });

  it('latencies are baseMs + distance × msPerUnit: within [base, base + √2·scale], the defaults 1 and 50', () => {
    for (const seed of SEEDS) {
      const t = build({ kind: 'geometric' }, 200, seed);
      expectWellFormed(t, 200);
      for (const ms of t.latencyMs?.flat() ?? []) {
        expect(ms).toBeGreaterThanOrEqual(1);
        expect(ms).toBeLessThanOrEqual(1 + Math.SQRT2 * 50);
      }
      const custom = build({ kind: 'geometric', msPerUnit: 10, baseMs: 3 }, 200, seed);
      expect(custom.neighbours).toEqual(t.neighbours);
      // The same distances on another scale: (t − 1)/50 = (custom − 3)/10, up to the µs rounding.
      for (const [i, j] of ends(custom))
        expect((latencyOf(custom, i, j) - 3) / 10).toBeCloseTo((latencyOf(t, i, j) - 1) / 50, 4);
    }
  });

  it('with baseMs 0, latencies are distances: in-radius links stay within the radius, triangles hold', () => {
    const r = 0.15;
    const t = build({ kind: 'geometric', radius: r, msPerUnit: 1, baseMs: 0 }, 200, 5);
    let longer = 0;
    for (const [a, b] of ends(t)) {
      if (latencyOf(t, a, b) > r + 0.001) longer++;
      for (const c of t.neighbours[b] ?? [])
        if (c !== a && t.neighbours[a]?.includes(c))
          expect(latencyOf(t, a, c)).toBeLessThanOrEqual(latencyOf(t, a, b) + latencyOf(t, b, c) + 0.002);
    }
    // Only the joining links may be longer than the radius; few at this density.
    expect(longer / 2).toBeLessThan(10);
  });

  it('msPerUnit 0 gives every link baseMs', () => {
    const t = build({ kind: 'geometric', msPerUnit: 0, baseMs: 2.5 }, 50, 1);
    expect(t.latencyMs?.flat().every((ms) => ms === 2.5)).toBe(true);
  });

  it('radius 0 links nothing: the joins alone make a spanning tree (N − 1 links); radius √2 is complete', () => {
    for (const n of [2, 10, 200]) {
      const tree = build({ kind: 'geometric', radius: 0 }, n, 4);
      expect(connected(tree)).toBe(true);
      expect(edgeCount(tree)).toBe(n - 1);
      expect(edgeCount(build({ kind: 'geometric', radius: Math.SQRT2 }, n, 4))).toBe((n * (n - 1)) / 2);
    }
  });

  it('the joins of isolated points make the minimum spanning tree (3 points: the shortest of the three paths)', () => {
    // Radius 0 on 3 points: Borůvka's joins give the minimum spanning tree, so its total length is
    // at most that of any other spanning tree, e.g. the path 0–1–2.
    for (const seed of [1, 2, 3, 4, 5]) {
      const t = build({ kind: 'geometric', radius: 0, msPerUnit: 1, baseMs: 0 }, 3, seed);
      const full = build({ kind: 'geometric', radius: 2, msPerUnit: 1, baseMs: 0 }, 3, seed);
      const d = (a: number, b: number) => latencyOf(full, a, b);
      const treeLength = ends(t).reduce((s, [a, b]) => s + d(a, b), 0) / 2;
      const best = Math.min(d(0, 1) + d(1, 2), d(0, 1) + d(0, 2), d(0, 2) + d(1, 2));
      expect(treeLength).toBeCloseTo(best, 6);
    }
  });
});

describe('topology options', () => {
  it('bad options are a ConfigError naming each one', () => {
    const fields = (options: TopologyOptions) => topologyIssues(options).map((i) => i.field);
    expect(fields({ kind: 'framework', edgeProb: 1.5, latencyMs: -1 })).toEqual([
      'topology.edgeProb',
      'topology.latencyMs',
    ]);
    expect(fields({ kind: 'scale-free', m: 0 })).toEqual(['topology.m']);
    expect(fields({ kind: 'scale-free', m: 1.5, latencyMs: Number.NaN })).toEqual([
      'topology.m',
      'topology.latencyMs',
    ]);
    expect(
      fields({ kind: 'geometric', radius: -0.1, msPerUnit: Number.POSITIVE_INFINITY, baseMs: -1 }),
    ).toEqual(['topology.radius', 'topology.msPerUnit', 'topology.baseMs']);
    expect(fields({ kind: 'ring' } as unknown as TopologyOptions)).toEqual(['topology.kind']);
    expect(fields({ kind: 'geometric' })).toEqual([]);
    expect(() => build({ kind: 'scale-free', m: 0 }, 10, 1)).toThrow(ConfigError);
  });
});

describe('generateInstance with a topology', () => {
  const base = { nodes: 30, overloadedPercent: 60, seed: 77 };

  it('the framework graph with edgeProb stays the default', () => {
    expect(generateInstance({ ...base, edgeProb: 0.1 })).toEqual(
      generateInstance({ ...base, topology: { kind: 'framework', edgeProb: 0.1 } }),
    );
  });

  for (const topology of [{ kind: 'scale-free', m: 2 }, { kind: 'geometric' }] as TopologyOptions[])
    it(`${topology.kind}: the same types and loads, other links, edge_prob the realised density, a valid file`, () => {
      const framework = generateInstance({ ...base, edgeProb: 0.1 });
      const other = generateInstance({ ...base, topology });
      expect(other.nodes.map((n) => [n.id, n.type, n.load])).toEqual(
        framework.nodes.map((n) => [n.id, n.type, n.load]),
      );
      expect(other.nodes.map((n) => n.neighbours)).not.toEqual(framework.nodes.map((n) => n.neighbours));
      const links = other.nodes.reduce((s, n) => s + n.neighbours.length, 0) / 2;
      expect(other.edgeProb).toBe(Math.round(((2 * links) / (30 * 29)) * 10_000) / 10_000);
      expect(InstanceJsonSchema.safeParse(instanceToJson(other)).success).toBe(true);
      if (topology.kind === 'geometric')
        for (const node of other.nodes)
          expect(Object.keys(node.linkLatencyMs ?? {})).toEqual(node.neighbours);
      else for (const node of other.nodes) expect(node.linkLatencyMs).toBeUndefined();
    });

  it('edgeProb and topology together, or neither, are a ConfigError; topology errors are named', () => {
    const fields = (options: Parameters<typeof generateInstance>[0]) => {
      try {
        generateInstance(options);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).issues.map((i) => i.field);
      }
      return [];
    };
    expect(fields({ ...base, edgeProb: 0.1, topology: { kind: 'scale-free' } })).toEqual(['edgeProb']);
    expect(fields({ ...base })).toEqual(['edgeProb']);
    expect(fields({ ...base, topology: { kind: 'geometric', radius: -1 } })).toEqual(['topology.radius']);
  });
});
