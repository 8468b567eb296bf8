import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/core/random.js';
import { HandlerInputError } from '../../../src/platform/functions/handler.js';
import {
  MONOLITH_FUNCTION_NAMES,
  multiplySquare,
  planMonolith,
  runMonolith,
} from '../../../src/platform/functions/monolith.js';

const run = (name: string, arg: number, seed = 42) => runMonolith(planMonolith(name, arg, seed));

describe('monolith functions', () => {
  it('answer the same for a seed, every function: args 5, seed 42', () => {
    expect(Object.fromEntries(MONOLITH_FUNCTION_NAMES.map((n) => [n, run(n, 5)]))).toEqual({
      matrix_mult: '236768',
      fib: '5',
      primes: '3 primes, largest 5',
      sort: '0.17481389874592423 0.6011037519201636 0.8524657934904099',
      string_hash: '89dfaa86ec199b82d3304cadb8a8d4572ce69f9aa9e5095a2fe9e10ff53ef4ca',
      maxPathSum: '282',
      levelOrder: '20,143,-218,-136,225',
    });
  });

  it('matrix_mult multiplies two matrices of integers 0..100 drawn from the seed', () => {
    const rng = seededRandom(7);
    type Square = [number, number, number, number];
    const draw = () => Array.from({ length: 4 }, () => Math.floor(rng() * 101)) as Square;
    const [[a0, a1, a2, a3], [b0, b1, b2, b3]] = [draw(), draw()];
    const sum = [a0 * b0 + a1 * b2, a0 * b1 + a1 * b3, a2 * b0 + a3 * b2, a2 * b1 + a3 * b3];
    expect(run('matrix_mult', 2, 7)).toBe(String(sum.reduce((s, v) => s + v, 0)));
    expect([...multiplySquare(Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2)]).toEqual([
      19, 22, 43, 50,
    ]);
  });

  it('fib is exact: 0 → 0, 10 → 55, 90 → 2880067194370816120', () => {
    expect([run('fib', 0), run('fib', 10), run('fib', 90)]).toEqual(['0', '55', '2880067194370816120']);
  });

  it('primes counts the primes up to n: 100 → 25 (largest 97), 1 000 000 → 78 498 (largest 999 983)', () => {
    expect(run('primes', 100)).toBe('25 primes, largest 97');
    expect(run('primes', 1_000_000)).toBe('78498 primes, largest 999983');
  });

  it('sort answers the smallest, the median and the largest, in order', () => {
    const [min, median, max] = run('sort', 1001, 3).split(' ').map(Number) as [number, number, number];
    expect(min).toBeLessThanOrEqual(median);
    expect(median).toBeLessThanOrEqual(max);
    expect(run('sort', 1001, 3)).not.toBe(run('sort', 1001, 4));
  });

  it('string_hash chains SHA-256: n = 1 is the digest of n = 0', () => {
    expect(run('string_hash', 0)).toMatch(/^[a-z]{64}$/);
    expect(run('string_hash', 1)).toBe(createHash('sha256').update(run('string_hash', 0)).digest('hex'));
  });

  it('a tree one level deep is one node: maxPathSum and levelOrder agree', () => {
    expect(run('maxPathSum', 1, 9)).toBe(run('levelOrder', 1, 9));
    expect(run('levelOrder', 6, 9).split(',').length).toBeLessThanOrEqual(6);
  });

  it('random picks with the seed: the same seed, the same function and result; the seeds reach every function', () => {
    expect(planMonolith('random', 5, 1).name).toBe('string_hash');
    expect(run('random', 5, 2)).toBe(run('random', 5, 2));
    const picked = new Set(Array.from({ length: 200 }, (_, seed) => planMonolith('random', 5, seed).name));
    expect([...picked].sort()).toEqual([...MONOLITH_FUNCTION_NAMES].sort());
  });

  it('refuses an unknown function and args over the bound, naming the field', () => {
    expect(() => planMonolith('nope', 5, 1)).toThrow(
      new HandlerInputError(
        'run_function: unknown function "nope" (one of: random, matrix_mult, fib, primes, sort, string_hash, maxPathSum, levelOrder)',
      ),
    );
    expect(() => planMonolith('matrix_mult', 501, 1)).toThrow(/^args: at most 500 for matrix_mult, got 501$/);
    expect(() => planMonolith('random', 100, 2)).toThrow(
      'args: at most 30 for maxPathSum (chosen by seed 2), got 100',
    );
  });

  it('docs/platform.md lists every function with its bound on args', () => {
    const doc =
      readFileSync('docs/platform.md', 'utf8').split('| `run_function` | `args` at most |')[1] ?? '';
    const rows = [...doc.matchAll(/^\| `(\w+)` \| ([\d ]+) \|/gm)].map(
      (m) => [m[1] as string, Number((m[2] as string).replaceAll(' ', ''))] as const,
    );
    expect(rows.map(([name]) => name)).toEqual(MONOLITH_FUNCTION_NAMES);
    for (const [name, max] of rows) {
      expect(planMonolith(name, max, 1).arg).toBe(max);
      expect(() => planMonolith(name, max + 1, 1)).toThrow(`args: at most ${max} for ${name}`);
    }
  });
});
