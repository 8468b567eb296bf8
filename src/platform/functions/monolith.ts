/**
 * The monolith lab function's compute functions: small CPU-bound tasks over seeded data, a
 * representative handful of the reference monolith's twenty (faas-benchmarker's
 * cloud_functions/openfaas/monolith). `random` picks one with the seed, so a seed names one run.
 *
 * Imports only node built-ins, core/random and functions/handler: the OpenFaaS template in
 * deploy/openfaas/lab-functions/ runs the compiled file as it is.
 */
import { createHash } from 'node:crypto';
import { seededRandom } from '../../core/random.js';
import { HandlerInputError } from './handler.js';

interface MonolithFunction {
  /** The largest `args` it takes (docs/platform.md lists them). */
  maxArg: number;
  run(arg: number, rng: () => number): string;
}

/** An integer from lo to hi, both included. */
function randInt(rng: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** c = a × b for n×n matrices stored row by row (i-k-j order: the inner loop walks rows). */
export function multiplySquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k] as number;
      for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] as number) + aik * (b[k * n + j] as number);
    }
  }
  return c;
}

interface TreeNode {
  value: number;
  left?: TreeNode;
  right?: TreeNode;
}

/** A random binary tree at most `depth` levels deep: values -100..100, each child there with p = 0.75. */
function randomTree(depth: number, rng: () => number): TreeNode | undefined {
  if (depth === 0) return undefined;
  const node: TreeNode = { value: randInt(rng, -100, 100) };
  const left = rng() < 0.75 ? randomTree(depth - 1, rng) : undefined;
  const right = rng() < 0.75 ? randomTree(depth - 1, rng) : undefined;
  if (left) node.left = left;
  if (right) node.right = right;
  return node;
}

/** The largest sum along any path between two nodes (LeetCode 124, the reference's maxPathSum). */
function maxPathSum(root: TreeNode): number {
  let best = Number.NEGATIVE_INFINITY;
  const down = (node: TreeNode | undefined): number => {
    if (!node) return 0;
    const l = Math.max(0, down(node.left));
    const r = Math.max(0, down(node.right));
    best = Math.max(best, node.value + l + r);
    return node.value + Math.max(l, r);
  };
  down(root);
  return best;
}

const FUNCTIONS: Record<string, MonolithFunction> = {
  /** n: two n×n matrices of integers 0..100, multiplied; answers the sum of the product */
  matrix_mult: {
    maxArg: 500,
    run(n, rng) {
      const a = Float64Array.from({ length: n * n }, () => randInt(rng, 0, 100));
      const b = Float64Array.from({ length: n * n }, () => randInt(rng, 0, 100));
      return String(multiplySquare(a, b, n).reduce((s, v) => s + v, 0));
    },
  },
  /** n: the n-th Fibonacci number, exactly (big integers) */
  fib: {
    maxArg: 20_000,
    run(n) {
      let [a, b] = [0n, 1n];
      for (let i = 0; i < n; i++) [a, b] = [b, a + b];
      return a.toString();
    },
  },
  /** n: the primes up to n (sieve of Eratosthenes); answers their count and the largest */
  primes: {
    maxArg: 20_000_000,
    run(n) {
      const composite = new Uint8Array(n + 1);
      let count = 0;
      let largest = 0;
      for (let i = 2; i <= n; i++) {
        if (composite[i]) continue;
        count++;
        largest = i;
        for (let j = i * i; j <= n; j += i) composite[j] = 1;
      }
      return `${count} primes, largest ${largest}`;
    },
  },
  /** n: sorts n random numbers; answers the smallest, the median and the largest */
  sort: {
    maxArg: 5_000_000,
    run(n, rng) {
      const values = Float64Array.from({ length: n }, rng).sort();
      return n === 0 ? 'nothing to sort' : `${values[0]} ${values[n >> 1]} ${values[n - 1]}`;
    },
  },
  /** n: SHA-256 applied n times, from a random 64-character string; answers the last digest */
  string_hash: {
    maxArg: 1_000_000,
    run(n, rng) {
      let text = Array.from({ length: 64 }, () => String.fromCharCode(randInt(rng, 97, 122))).join('');
      for (let i = 0; i < n; i++) text = createHash('sha256').update(text).digest('hex');
      return text;
    },
  },
  /** depth: a random binary tree that deep; answers its maximum path sum */
  maxPathSum: {
    maxArg: 30,
    run(depth, rng) {
      const root = randomTree(depth, rng);
      return root ? String(maxPathSum(root)) : 'empty tree';
    },
  },
  /** depth: a random binary tree that deep; answers each level's sum, top down */
  levelOrder: {
    maxArg: 30,
    run(depth, rng) {
      const sums: number[] = [];
      let level = [randomTree(depth, rng)].filter((n): n is TreeNode => n !== undefined);
      while (level.length > 0) {
        sums.push(level.reduce((s, n) => s + n.value, 0));
        level = level.flatMap((n) => [n.left, n.right].filter((c): c is TreeNode => c !== undefined));
      }
      return sums.join(',');
    },
  },
};

/** The monolith's functions, in the order `random` picks from. */
export const MONOLITH_FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS);

/** What the monolith will run, decided (and its input checked) before the call does anything. */
export interface MonolithPlan {
  name: string;
  arg: number;
  /** The seeded stream, already past the `random` pick: the function's data comes next. */
  rng: () => number;
}

/** Resolves `random` with the seed and checks `args` against the chosen function's bound. */
export function planMonolith(runFunction: string, arg: number, seed: number): MonolithPlan {
  const rng = seededRandom(seed);
  const name =
    runFunction === 'random'
      ? (MONOLITH_FUNCTION_NAMES[Math.floor(rng() * MONOLITH_FUNCTION_NAMES.length)] as string)
      : runFunction;
  const fn = FUNCTIONS[name];
  if (!fn) {
    throw new HandlerInputError(
      `run_function: unknown function "${runFunction}" (one of: random, ${MONOLITH_FUNCTION_NAMES.join(', ')})`,
    );
  }
  if (arg > fn.maxArg) {
    const chosen = runFunction === 'random' ? ` (chosen by seed ${seed})` : '';
    throw new HandlerInputError(`args: at most ${fn.maxArg} for ${name}${chosen}, got ${arg}`);
  }
  return { name, arg, rng };
}

/** Runs a plan; the result is text, as the reference's `monolith_result`. */
export function runMonolith(plan: MonolithPlan): string {
  return (FUNCTIONS[plan.name] as MonolithFunction).run(plan.arg, plan.rng);
}
