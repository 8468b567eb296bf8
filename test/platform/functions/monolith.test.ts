import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/core/random.js';
import { HandlerInputError } from '../../../src/platform/functions/handler.js';
import {
  MONOLITH_FUNCTION_NAMES,
  MONOLITH_RESULT_CHARS,
  monolithMaxArg,
  multiplySquare,
  planMonolith,
  runMonolith,
} from '../../../src/platform/functions/monolith.js';

const fields = (name: string, arg: number, seed = 42) => runMonolith(planMonolith(name, arg, seed));
const run = (name: string, arg: number, seed = 42) => fields(name, arg, seed).monolith_result;
const list = (text: string) => JSON.parse(text) as number[];
const lists = (text: string) => JSON.parse(text) as number[][];

/** faas-benchmarker's twenty, in the reference's order. */
const REFERENCE_FUNCTIONS = [
  'matrix_mult',
  'fib',
  'makeTree',
  'isSymmetric',
  'levelOrder',
  'maxDepth',
  'levelOrderBottom',
  'sortedArrayToBST',
  'zigzagLevelOrder',
  'sortedListToBST',
  'isBalanced',
  'minDepth',
  'flatten',
  'maxPathSum',
  'preorderTraversal',
  'rightSideView',
  'dummie_webpage',
  'docker_documentation',
  'use_arrow',
  'pandas_numpy',
];

describe('monolith functions', () => {
  it("are the reference's twenty, in its order", () => {
    expect(MONOLITH_FUNCTION_NAMES).toEqual(REFERENCE_FUNCTIONS);
  });

  it('answer the same for a seed, every function but use_arrow: args 3, seed 42', () => {
    // All but matrix_mult and the two texts are what the reference's own functions (handler.py)
    // answer at args 3 when Python's random is replaced by this seeded stream.
    const answers = Object.fromEntries(MONOLITH_FUNCTION_NAMES.map((n) => [n, run(n, 3)]));
    expect(answers.use_arrow).toMatch(/ \| /);
    delete answers.use_arrow;
    expect(answers).toEqual({
      matrix_mult: '81099',
      fib: '144.00000000000006',
      makeTree: 'TreeNode [60, 45, 86, 67, 17, 53, 27, 63, 87, 47, 25, 89, 75, 31, 19]',
      isSymmetric: 'False',
      levelOrder: '[[6], [45, 87], [86, 53, 47, 75], [67, 17, 27, 63, 25, 89, 31, 19]]',
      maxDepth: '4',
      levelOrderBottom: '[[67, 17, 27, 63, 25, 89, 31, 19], [86, 53, 47, 75], [45, 87], [6]]',
      sortedArrayToBST: 'TreeNode [1, 0, 2]',
      zigzagLevelOrder: '[[6], [87, 45], [86, 53, 47, 75], [19, 31, 89, 25, 63, 27, 17, 67]]',
      sortedListToBST: 'TreeNode [86, 45, 60, 67]',
      isBalanced: 'True',
      minDepth: '4',
      flatten: 'TreeNode [6, 45, 86, 67, 17, 53, 27, 63, 87, 47, 25, 89, 75, 31, 19]',
      maxPathSum: '427',
      preorderTraversal: '[6, 45, 86, 67, 17, 53, 27, 63, 87, 47, 25, 89, 75, 31, 19]',
      rightSideView: '[6, 87, 75, 19]',
      dummie_webpage: run('dummie_webpage', 3),
      docker_documentation: run('docker_documentation', 3),
      pandas_numpy: '135',
    });
  });

  it('every function runs on a small argument and answers text, the same for a seed twice', () => {
    for (const name of MONOLITH_FUNCTION_NAMES) {
      for (const arg of [0, 1, 2]) {
        const result = run(name, arg, 5);
        expect(result, `${name} ${arg}`).not.toBe('');
        expect(result.length, `${name} ${arg}`).toBeLessThanOrEqual(MONOLITH_RESULT_CHARS);
        if (name !== 'use_arrow') expect(run(name, arg, 5), `${name} ${arg}`).toBe(result);
      }
    }
  });

  it('matrix_mult multiplies two matrices of integers 0..100 drawn from the seed, and answers the sum', () => {
    const rng = seededRandom(7);
    type Square = [number, number, number, number];
    const draw = () => Array.from({ length: 4 }, () => Math.floor(rng() * 101)) as Square;
    const [[a0, a1, a2, a3], [b0, b1, b2, b3]] = [draw(), draw()];
    const sum = [a0 * b0 + a1 * b2, a0 * b1 + a1 * b3, a2 * b0 + a3 * b2, a2 * b1 + a3 * b3];
    expect(run('matrix_mult', 2, 7)).toBe(String(sum.reduce((s, v) => s + v, 0)));
    expect(run('matrix_mult', 0)).toBe('0');
    expect([...multiplySquare(Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2)]).toEqual([
      19, 22, 43, 50,
    ]);
  });

  it('matrix_mult reports the CPU and wall seconds of its product; no other function does', () => {
    const small = fields('matrix_mult', 2);
    const large = fields('matrix_mult', 200);
    for (const f of [small, large]) {
      expect(f.process_time_matrix).toBeGreaterThanOrEqual(0);
      expect(f.running_time_matrix).toBeGreaterThanOrEqual(0);
    }
    // 8 million multiply-adds: measurable, and well under the 10 s a call may take.
    expect(large.running_time_matrix).toBeGreaterThan(small.running_time_matrix as number);
    expect(large.running_time_matrix).toBeLessThan(10);
    for (const name of MONOLITH_FUNCTION_NAMES.filter((n) => n !== 'matrix_mult')) {
      expect(Object.keys(fields(name, 2)), name).toEqual(['monolith_result']);
    }
  });

  it('fib is Binet’s formula for a Fibonacci number up to F(20), as a Python float', () => {
    const fibs = [0, 1];
    while (fibs.length <= 20) fibs.push((fibs.at(-1) as number) + (fibs.at(-2) as number));
    const answers = Array.from({ length: 40 }, (_, seed) => Number(run('fib', 0, seed)));
    for (const value of answers) expect(fibs.some((f) => Math.abs(f - value) < 1e-6)).toBe(true);
    expect(new Set(answers.map(Math.round)).size).toBeGreaterThan(5);
    expect(run('fib', 0, 1)).toBe('233.00000000000006');
    // args is ignored: the seed alone decides.
    expect(run('fib', 1_000_000, 1)).toBe(run('fib', 0, 1));
  });

  it('the tree functions take a full tree args levels under its root', () => {
    for (const n of [0, 1, 3]) {
      const levels = lists(run('levelOrder', n, 3));
      expect(levels.map((l) => l.length)).toEqual(Array.from({ length: n + 1 }, (_, i) => 2 ** i));
      expect(levels[0]?.[0]).toBeLessThanOrEqual(10);
      expect(levels.flat().every((v) => v >= 0 && v <= 100)).toBe(true);
      // The same seed draws the same tree for every function that takes one.
      expect(lists(run('levelOrderBottom', n, 3))).toEqual([...levels].reverse());
      expect(lists(run('zigzagLevelOrder', n, 3))).toEqual(
        levels.map((l, i) => (i % 2 === 1 ? [...l].reverse() : l)),
      );
      expect(list(run('rightSideView', n, 3))).toEqual(levels.map((l) => l.at(-1)));
      expect([run('maxDepth', n, 3), run('minDepth', n, 3), run('isBalanced', n, 3)]).toEqual([
        String(n + 1),
        String(n + 1),
        'True',
      ]);
    }
    const preorder = run('preorderTraversal', 3, 3);
    expect(run('flatten', 3, 3)).toBe(`TreeNode ${preorder}`);
    expect(run('isSymmetric', 0, 3)).toBe('True');
    // makeTree's root is 0..100, the others' 0..10.
    const seeds = Array.from({ length: 30 }, (_, seed) => seed);
    const treeRoots = seeds.map(
      (seed) => list(run('makeTree', 0, seed).slice('TreeNode '.length))[0] as number,
    );
    const levelRoots = seeds.map((seed) => lists(run('levelOrder', 0, seed))[0]?.[0] as number);
    expect(Math.max(...treeRoots)).toBeGreaterThan(10);
    expect(Math.max(...levelRoots)).toBeLessThanOrEqual(10);
  });

  it('maxPathSum is the largest sum along a path: on a tree of values ≥ 0, a leaf, the root, a leaf', () => {
    const levels = lists(run('levelOrder', 1, 8));
    const [[root], [left, right]] = levels as [[number], [number, number]];
    expect(run('maxPathSum', 1, 8)).toBe(String(root + left + right));
    expect(run('maxPathSum', 0, 8)).toBe(String(root));
  });

  it('sortedArrayToBST balances 0..n−1 (the middle at the root); sortedListToBST n + 1 drawn values', () => {
    expect(run('sortedArrayToBST', 7)).toBe('TreeNode [3, 1, 0, 2, 5, 4, 6]');
    expect(run('sortedArrayToBST', 0)).toBe('None');
    const values = list(run('sortedListToBST', 6, 4).slice('TreeNode '.length));
    expect(values).toHaveLength(7);
    expect(values.every((v) => Number.isInteger(v) && v >= 0 && v <= 100)).toBe(true);
  });

  it('dummie_webpage and docker_documentation answer a 100-character slice that moves with the seed', () => {
    for (const name of ['dummie_webpage', 'docker_documentation']) {
      const slices = Array.from({ length: 20 }, (_, seed) => run(name, 0, seed));
      for (const slice of slices) expect(slice).toHaveLength(100);
      expect(new Set(slices).size, name).toBeGreaterThan(15);
    }
    expect(run('dummie_webpage', 0, 1)).not.toBe(run('docker_documentation', 0, 1));
  });

  it('use_arrow answers now in UTC and in the local zone, ISO 8601 with offsets, as Arrow prints them', () => {
    const before = Date.now();
    const [utc, local] = run('use_arrow', 0).split(' | ') as [string, string];
    const after = Date.now();
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d$/;
    expect(utc).toMatch(iso);
    expect(local).toMatch(iso);
    expect(utc).toMatch(/\+00:00$/);
    for (const time of [utc, local]) {
      const ms = Date.parse(time);
      expect(ms).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(ms).toBeLessThanOrEqual(after);
    }
  });

  it('pandas_numpy sums a table of args columns of 0..9: 45 per column', () => {
    expect([0, 1, 3, 1000].map((n) => run('pandas_numpy', n))).toEqual(['0', '45', '135', '45000']);
  });

  it('cuts the result to 100 characters', () => {
    const preorder = run('preorderTraversal', 10);
    expect(preorder).toHaveLength(100);
    expect(preorder).toMatch(/^\[\d+, \d+, /);
    expect(run('sortedArrayToBST', 1000)).toBe(
      'TreeNode [500, 250, 125, 62, 31, 15, 7, 3, 1, 0, 2, 5, 4, 6, 11, 9, 8, 10, 13, 12, 14, 23, 19, 17, 1',
    );
    for (const name of ['makeTree', 'levelOrder', 'levelOrderBottom', 'zigzagLevelOrder', 'flatten']) {
      expect(run(name, 8), name).toHaveLength(100);
    }
  });

  it('random picks with the seed: the same seed, the same function and result; the seeds reach all twenty', () => {
    expect(planMonolith('random', 5, 1).name).toBe('flatten');
    expect(run('random', 5, 2)).toBe(run('random', 5, 2));
    expect(planMonolith('random', 5, 2).name).toBe(planMonolith('random', 5, 2).name);
    // The pick comes first in the stream: the function then draws as if called by name.
    const { name } = planMonolith('random', 5, 9);
    const rng = seededRandom(9);
    expect(MONOLITH_FUNCTION_NAMES[Math.floor(rng() * 20)]).toBe(name);
    const picked = new Set(Array.from({ length: 200 }, (_, seed) => planMonolith('random', 5, seed).name));
    expect([...picked].sort()).toEqual([...REFERENCE_FUNCTIONS].sort());
  });

  it('refuses an unknown function and args over the bound, naming the field', () => {
    expect(() => planMonolith('nope', 5, 1)).toThrow(
      new HandlerInputError(
        `run_function: unknown function "nope" (one of: random, ${REFERENCE_FUNCTIONS.join(', ')})`,
      ),
    );
    for (const name of ['primes', 'sort', 'string_hash', 'toString', 'constructor']) {
      expect(() => planMonolith(name, 5, 1)).toThrow(/^run_function: unknown function/);
    }
    expect(() => planMonolith('matrix_mult', 501, 1)).toThrow(/^args: at most 500 for matrix_mult, got 501$/);
    expect(() => planMonolith('levelOrder', 21, 1)).toThrow(/^args: at most 20 for levelOrder, got 21$/);
    expect(() => planMonolith('sortedListToBST', 2_000_001, 1)).toThrow(/^args: at most 2000000 for/);
    expect(() => planMonolith('pandas_numpy', 100_001, 1)).toThrow(/^args: at most 100000 for/);
    expect(() => planMonolith('random', 100, 1)).toThrow(
      'args: at most 20 for flatten (chosen by seed 1), got 100',
    );
    // Those that ignore args take any.
    for (const name of ['fib', 'dummie_webpage', 'docker_documentation', 'use_arrow']) {
      expect(monolithMaxArg(name)).toBeUndefined();
      expect(planMonolith(name, Number.MAX_SAFE_INTEGER, 1).arg).toBe(Number.MAX_SAFE_INTEGER);
    }
  });

  it('docs/platform.md lists every function with its bound on args', () => {
    const doc =
      readFileSync('docs/platform.md', 'utf8').split('| `run_function` | `args` at most |')[1] ?? '';
    const rows = [...doc.matchAll(/^\| `(\w+)` \| ([\d ]+|any) \|/gm)].map(
      (m) =>
        [m[1] as string, m[2] === 'any' ? undefined : Number((m[2] as string).replaceAll(' ', ''))] as const,
    );
    expect(rows.map(([name]) => name)).toEqual(MONOLITH_FUNCTION_NAMES);
    for (const [name, max] of rows) {
      expect(monolithMaxArg(name), name).toBe(max);
      if (max === undefined) continue;
      expect(planMonolith(name, max, 1).arg).toBe(max);
      expect(() => planMonolith(name, max + 1, 1)).toThrow(`args: at most ${max} for ${name}`);
    }
  });
});
