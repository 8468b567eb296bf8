import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import {
  generateInstance,
  instantBounds,
  maxOverloaded,
  PEAK_RATES,
  peakRate,
} from '../../../src/sim/instances/generator.js';
import {
  FRAMEWORK_GROUPS,
  FUNCTION_GROUPS,
  type FunctionGroup,
  type SimInstance,
} from '../../../src/sim/instances/instance.js';

const SEEDS = [1, 7, 701, 4096];
const SIZES = [1, 2, 10, 50];
const PROBS = [0, 0.1, 1];

function edges(inst: SimInstance): number {
  return inst.nodes.reduce((s, n) => s + n.neighbours.length, 0) / 2;
}

function connected(inst: SimInstance): boolean {
  const byId = new Map(inst.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>(['node_0']);
  const queue = ['node_0'];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const nb of byId.get(id)?.neighbours ?? []) {
      if (!seen.has(nb)) {
        seen.add(nb);
        queue.push(nb);
      }
    }
  }
  return seen.size === inst.nodes.length;
}

/** Overloaded or not, read from the peak instant: the two profiles' t = 3 ranges are disjoint. */
function isOverloaded(inst: SimInstance, i: number): boolean {
  const node = inst.nodes[i];
  if (!node) throw new Error('no node');
  const [group, g] = Object.entries(node.load[3] ?? {})[0] as [FunctionGroup, { totalRate: number }];
  const [lo] = instantBounds(3, peakRate(node.type, group, true));
  return g.totalRate >= lo;
}

describe('generateInstance: graph', () => {
  for (const seed of SEEDS)
    for (const n of SIZES)
      for (const p of PROBS)
        it(`seed ${seed}, N ${n}, p ${p}: connected, symmetric, edge count`, () => {
          const inst = generateInstance({ nodes: n, edgeProb: p, overloadedPercent: 60, seed });
          expect(inst.nodes.map((x) => x.id)).toEqual(Array.from({ length: n }, (_, i) => `node_${i}`));
          expect(connected(inst)).toBe(true);
          const e = edges(inst);
          expect(e).toBeGreaterThanOrEqual(n - 1);
          if (p === 1) expect(e).toBe((n * (n - 1)) / 2);
          if (p === 0) expect(e).toBe(n - 1);
          for (const node of inst.nodes) {
            expect(new Set(node.neighbours).size).toBe(node.neighbours.length);
            expect(node.neighbours).not.toContain(node.id);
            for (const nb of node.neighbours) {
              expect(inst.nodes.find((x) => x.id === nb)?.neighbours).toContain(node.id);
            }
          }
        });

  it('p = 0.1 adds extra edges beyond the spanning tree on a large graph', () => {
    const inst = generateInstance({ nodes: 50, edgeProb: 0.1, overloadedPercent: 60, seed: 3 });
    // E = 49 + 0.1·49·48/2 ≈ 166.6
    expect(edges(inst)).toBeGreaterThan(100);
    expect(edges(inst)).toBeLessThan(240);
  });
});

describe('generateInstance: nodes and loads', () => {
  it('node type shares are about 0.2 / 0.3 / 0.5', () => {
    const inst = generateInstance({ nodes: 2000, edgeProb: 0, overloadedPercent: 60, seed: 11 });
    const share = (t: string) => inst.nodes.filter((n) => n.type === t).length / 2000;
    expect(share('HEAVY')).toBeGreaterThan(0.16);
    expect(share('HEAVY')).toBeLessThan(0.24);
    expect(share('MID')).toBeGreaterThan(0.26);
    expect(share('MID')).toBeLessThan(0.34);
    expect(share('LIGHT')).toBeGreaterThan(0.45);
    expect(share('LIGHT')).toBeLessThan(0.55);
  });

  it('instantBounds is the framework triangle with the peak at t = 3', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((t) => instantBounds(t, 400))).toEqual([
      [0, 100],
      [100, 200],
      [200, 300],
      [300, 400],
      [200, 300],
      [100, 200],
      [0, 100],
    ]);
    // 15 % of LIGHT HIGH_USAGE (40) is 6: M/4 = 1.5.
    expect(instantBounds(0, 6)).toEqual([0, 2]);
    expect(instantBounds(3, 6)).toEqual([4, 6]);
    expect(instantBounds(6, 6)).toEqual([0, 2]);
  });

  it('a longer run stretches the triangle: T = 10 (m = 5) peaks at t = 4 and t = 5', () => {
    expect(Array.from({ length: 10 }, (_, t) => instantBounds(t, 500, 10))).toEqual([
      [0, 100],
      [100, 200],
      [200, 300],
      [300, 400],
      [400, 500],
      [400, 500],
      [300, 400],
      [200, 300],
      [100, 200],
      [0, 100],
    ]);
    const inst = generateInstance({ nodes: 4, edgeProb: 0.5, overloadedPercent: 50, seed: 3, instants: 10 });
    expect(inst.nodes.every((n) => n.load.length === 10)).toBe(true);
    expect(() =>
      generateInstance({ nodes: 4, edgeProb: 0.5, overloadedPercent: 50, seed: 3, instants: 0 }),
    ).toThrow(/instants/);
  });

  it('maxOverloaded rounds half to even, as Python', () => {
    expect(maxOverloaded(60, 10)).toBe(6);
    expect(maxOverloaded(50, 5)).toBe(2);
    expect(maxOverloaded(50, 3)).toBe(2);
    expect(maxOverloaded(30, 1)).toBe(0);
    expect(maxOverloaded(100, 7)).toBe(7);
  });

  for (const seed of SEEDS)
    for (const n of [1, 10, 50])
      for (const pct of [0, 30, 60, 90, 100])
        it(`seed ${seed}, N ${n}, ${pct} %: groups, bounds, splits, overload cap`, () => {
          const inst = generateInstance({ nodes: n, edgeProb: 0.1, overloadedPercent: pct, seed });
          let overloadedCount = 0;
          inst.nodes.forEach((node, i) => {
            expect(node.load).toHaveLength(7);
            const groups = Object.keys(node.load[0] ?? {}) as FunctionGroup[];
            expect(groups.length).toBeGreaterThanOrEqual(1);
            expect(groups.length).toBeLessThanOrEqual(3);
            const overloaded = isOverloaded(inst, i);
            if (overloaded) overloadedCount++;
            node.load.forEach((instant, t) => {
              // The same deployment at every instant.
              expect(Object.keys(instant)).toEqual(groups);
              for (const group of groups) {
                const g = instant[group];
                if (!g) throw new Error('missing group');
                expect(g.functions.map((f) => f.name)).toEqual(
                  node.load[0]?.[group]?.functions.map((f) => f.name),
                );
                const names = g.functions.map((f) => f.name);
                expect(names.length).toBeGreaterThanOrEqual(1);
                expect(new Set(names).size).toBe(names.length);
                for (const name of names) expect(FRAMEWORK_GROUPS[group]).toContain(name);
                const [lo, hi] = instantBounds(t, peakRate(node.type, group, overloaded));
                expect(g.totalRate).toBeGreaterThanOrEqual(lo);
                expect(g.totalRate).toBeLessThanOrEqual(hi);
                expect(Number.isInteger(g.totalRate)).toBe(true);
                for (const f of g.functions) {
                  expect(Number.isInteger(f.rate)).toBe(true);
                  expect(f.rate).toBeGreaterThanOrEqual(0);
                }
                expect(g.functions.reduce((s, f) => s + f.rate, 0)).toBe(g.totalRate);
              }
            });
          });
          expect(overloadedCount).toBeLessThanOrEqual(maxOverloaded(pct, n));
          if (pct === 0) expect(overloadedCount).toBe(0);
          if (pct === 100) expect(overloadedCount).toBe(n);
        });

  it('overloaded peaks reach the table; other nodes stay at 15 %', () => {
    const inst = generateInstance({ nodes: 200, edgeProb: 0, overloadedPercent: 50, seed: 5 });
    let over = 0;
    let under = 0;
    inst.nodes.forEach((node, i) => {
      const overloaded = isOverloaded(inst, i);
      if (overloaded) over++;
      else under++;
      for (const [group, g] of Object.entries(node.load[3] ?? {}) as [
        FunctionGroup,
        { totalRate: number },
      ][]) {
        const peak = PEAK_RATES[node.type][group];
        if (overloaded) expect(g.totalRate).toBeGreaterThanOrEqual(Math.floor((3 * peak) / 4));
        else expect(g.totalRate).toBeLessThanOrEqual(Math.ceil(peak * 0.15));
      }
    });
    expect(over).toBeGreaterThan(50);
    expect(over).toBeLessThanOrEqual(100);
    expect(under).toBeGreaterThanOrEqual(100);
  });

  it('every group and function shows up over many nodes', () => {
    const inst = generateInstance({ nodes: 300, edgeProb: 0, overloadedPercent: 60, seed: 9 });
    const seen = new Set<string>();
    for (const node of inst.nodes)
      for (const [group, g] of Object.entries(node.load[0] ?? {})) {
        seen.add(group);
        for (const f of g?.functions ?? []) seen.add(f.name);
      }
    for (const group of FUNCTION_GROUPS) {
      expect(seen).toContain(group);
      for (const f of FRAMEWORK_GROUPS[group]) expect(seen).toContain(f);
    }
  });

  it('custom groups replace the functions of each group', () => {
    const inst = generateInstance({
      nodes: 20,
      edgeProb: 0.1,
      overloadedPercent: 60,
      seed: 2,
      groups: { HIGH_USAGE: ['h'], LOW_USAGE: ['l1', 'l2'], MEDIUM_USAGE: ['m'] },
    });
    const names = new Set(
      inst.nodes.flatMap((n) =>
        Object.values(n.load[0] ?? {}).flatMap((g) => g?.functions.map((f) => f.name) ?? []),
      ),
    );
    for (const name of names) expect(['h', 'l1', 'l2', 'm']).toContain(name);
  });
});

describe('generateInstance: seeds and options', () => {
  it('the same seed gives the same instance, another seed another', () => {
    const opts = { nodes: 10, edgeProb: 0.1, overloadedPercent: 60 };
    const a = generateInstance({ ...opts, seed: 42 });
    expect(generateInstance({ ...opts, seed: 42 })).toEqual(a);
    expect(generateInstance({ ...opts, seed: 43 })).not.toEqual(a);
    expect(a).toMatchObject({ seed: 42, edgeProb: 0.1, overloadedPerc: 60 });
  });

  it('bad options are a ConfigError naming each field', () => {
    let err: unknown;
    try {
      generateInstance({ nodes: 0, edgeProb: 1.5, overloadedPercent: -1, seed: 1.5 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.field)).toEqual([
      'nodes',
      'edgeProb',
      'overloadedPercent',
      'seed',
    ]);
    expect((err as ConfigError).exitCode).toBe(2);
  });
});
