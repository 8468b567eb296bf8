import { describe, expect, it } from 'vitest';
import { WeightedRoundRobin } from '../../../../src/node/proxy/embedded/weighted-round-robin.js';

function picks(rr: WeightedRoundRobin, n: number): (string | undefined)[] {
  return Array.from({ length: n }, () => rr.next());
}

describe('WeightedRoundRobin', () => {
  it('gives 3:1 as exactly 6 and 2 over 8 picks, interleaved', () => {
    expect(picks(new WeightedRoundRobin({ a: 3, b: 1 }), 8)).toEqual([
      'a',
      'a',
      'b',
      'a',
      'a',
      'a',
      'b',
      'a',
    ]);
  });

  it("spreads picks as nginx's smooth algorithm does", () => {
    expect(picks(new WeightedRoundRobin({ a: 5, b: 1, c: 1 }), 7)).toEqual([
      'a',
      'a',
      'b',
      'a',
      'c',
      'a',
      'a',
    ]);
  });

  it('is deterministic whatever the order of the weights', () => {
    const one = picks(new WeightedRoundRobin({ x: 2, y: 3, z: 1 }), 12);
    const other = picks(new WeightedRoundRobin({ z: 1, y: 3, x: 2 }), 12);
    expect(one).toEqual(other);
    expect(one.filter((k) => k === 'y')).toHaveLength(6);
  });

  it('leaves out weights ≤ 0, and picks nothing when none is left', () => {
    expect(picks(new WeightedRoundRobin({ a: 0, b: 2, c: -1 }), 3)).toEqual(['b', 'b', 'b']);
    expect(new WeightedRoundRobin({ a: 0 }).next()).toBeUndefined();
    expect(new WeightedRoundRobin({}).next()).toBeUndefined();
  });

  it('leaves skipped keys out of a pick and gives them their turn next', () => {
    const rr = new WeightedRoundRobin({ a: 1, b: 1, c: 1 });
    expect(rr.next()).toBe('a');
    expect(rr.next(new Set(['b']))).toBe('c');
    // b, skipped once, is picked next.
    expect(picks(rr, 3)).toEqual(['b', 'c', 'a']);
    expect(rr.next(new Set(['a', 'b', 'c']))).toBeUndefined();
  });

  it('knows whether it was built from given weights', () => {
    const rr = new WeightedRoundRobin({ a: 3, b: 1, c: 0 });
    expect(rr.hasWeights({ b: 1, a: 3 })).toBe(true);
    expect(rr.hasWeights({ a: 3, b: 2 })).toBe(false);
    expect(rr.hasWeights({ a: 3 })).toBe(false);
    expect(rr.hasWeights({ a: 3, b: 1, d: 1 })).toBe(false);
  });
});
