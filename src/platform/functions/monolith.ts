/**
 * The monolith lab function's compute functions: faas-benchmarker's twenty
 * (cloud_functions/openfaas/monolith/handler.py), under their names, computing what the
 * reference's functions compute, on data drawn from the seed. `random` picks one of the twenty with the same
 * seeded stream (the reference's `random.seed(seed)`, then `randint` for the pick and the data),
 * so a seed names one run. The answer is the result as text cut to 100 characters, as the
 * reference's `str(result)[0:100]`; `matrix_mult` also reports the CPU and wall time of building
 * and multiplying its matrices (`process_time_matrix`, `running_time_matrix`).
 *
 * The large function: the reference's monolith is the "large function" of its cold-start-versus-
 * size experiment (coldtime-large-functions), about 8 × function1's code (2118 lines against
 * 270) plus Arrow, pandas and numpy. This file is about 1.4 × the lab code function1 runs
 * (lab.ts and lab-request.ts: about 420 lines and 17 kB, against 570 and 24 kB here) and needs
 * no library: `use_arrow` and `pandas_numpy` do the same work with Date/Intl and plain arrays. And lab.ts
 * imports this module for every lab function, so function1 loads it too (on the embedded platform
 * and on OpenFaaS, where the four functions share one image): the monolith is larger in what it
 * runs, not in what it loads, and a cold start does not tell the two apart by size.
 *
 * Differs from the reference: every function but those that ignore `args` (fib, dummie_webpage,
 * docker_documentation, use_arrow) has a bound on it, checked before the call does anything;
 * `args` 0 answers instead of raising (matrix_mult, pandas_numpy); matrix_mult answers the sum of
 * the whole product (the reference's nested `reduce` answers the last row's); a function that
 * answers a tree answers its values in preorder (the reference's `str` of a node is its address);
 * levelOrder's queue is not a list popped at its head (quadratic: the reference's levelOrder
 * cannot finish a tree 20 levels deep); dummie_webpage and docker_documentation cut our own text.
 *
 * Imports only node built-ins, core/random and functions/handler: the OpenFaaS template in
 * deploy/openfaas/lab-functions/ runs the compiled file as it is.
 */
import { seededRandom } from '../../core/random.js';
import { HandlerInputError } from './handler.js';

/** The reference keeps `str(result)[0:100]`. */
export const MONOLITH_RESULT_CHARS = 100;

type Rng = () => number;

/** What a monolith run adds to the call's entry (lab.ts). */
export interface MonolithFields {
  /** The result as text, at most MONOLITH_RESULT_CHARS characters. */
  monolith_result: string;
  /** matrix_mult only: CPU seconds (process.cpuUsage) of building and multiplying the matrices. */
  process_time_matrix?: number;
  /** matrix_mult only: wall seconds of the same. */
  running_time_matrix?: number;
}

interface MonolithFunction {
  /** The largest `args` it takes (docs/platform.md lists them); absent when it ignores `args`. */
  maxArg?: number;
  run(arg: number, rng: Rng): MonolithFields;
}

/** An integer from lo to hi, both included (Python's `random.randint`). */
function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

function pick<T>(rng: Rng, values: readonly T[]): T {
  return values[randInt(rng, 0, values.length - 1)] as T;
}

// ---------------------------------------------------------------------------------------------
// Results as text: Python's `str` of the reference's results, written only as far as it is kept.

class TreeNode {
  val: number;
  left: TreeNode | null = null;
  right: TreeNode | null = null;
  constructor(val: number) {
    this.val = val;
  }
}

/** A result: Python's None, bool, int or float, list, or a tree (written as its preorder values). */
type Shown = null | boolean | number | string | TreeNode | readonly Shown[];

/**
 * Python's `str` of a result, cut to MONOLITH_RESULT_CHARS: True/False/None, lists as `[1, 2]`, a
 * tree as `TreeNode [values in preorder]`. Stops writing once it has enough, so a list of two
 * million values costs a hundred characters.
 */
function show(value: Shown): string {
  let out = '';
  const full = () => out.length >= MONOLITH_RESULT_CHARS;
  const write = (v: Shown): void => {
    if (full()) return;
    if (v === null) out += 'None';
    else if (typeof v === 'boolean') out += v ? 'True' : 'False';
    else if (typeof v === 'number' || typeof v === 'string') out += String(v);
    else if (v instanceof TreeNode) {
      out += 'TreeNode ';
      write(preorderValues(v));
    } else {
      out += '[';
      for (let i = 0; i < v.length && !full(); i++) {
        if (i > 0) out += ', ';
        write(v[i] as Shown);
      }
      out += ']';
    }
  };
  write(value);
  return out.slice(0, MONOLITH_RESULT_CHARS);
}

/**
 * A tree's first values in preorder: MONOLITH_RESULT_CHARS of them, more than `show` can write
 * (each takes a digit and a separator at least), so a tree of millions costs a hundred steps.
 */
function preorderValues(root: TreeNode): readonly number[] {
  const values: number[] = [];
  const stack: TreeNode[] = [root];
  while (stack.length > 0 && values.length < MONOLITH_RESULT_CHARS) {
    const node = stack.pop() as TreeNode;
    values.push(node.val);
    if (node.right) stack.push(node.right);
    if (node.left) stack.push(node.left);
  }
  return values;
}

/** Python's `str` of a float: an integral value keeps its `.0`. */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

const answer = (value: Shown): MonolithFields => ({ monolith_result: show(value) });

// ---------------------------------------------------------------------------------------------
// matrix_mult

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

/** An n×n matrix of integers 0..100, row by row (the reference's make_matrix). */
function makeMatrix(n: number, rng: Rng): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < m.length; i++) m[i] = randInt(rng, 0, 100);
  return m;
}

function matrixMult(n: number, rng: Rng): MonolithFields {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const product = multiplySquare(makeMatrix(n, rng), makeMatrix(n, rng), n);
  let sum = 0;
  for (const v of product) sum += v;
  const cpu = process.cpuUsage(cpuStart);
  const runningSeconds = (performance.now() - wallStart) / 1000;
  return {
    monolith_result: show(sum),
    process_time_matrix: (cpu.user + cpu.system) / 1e6,
    running_time_matrix: runningSeconds,
  };
}

// ---------------------------------------------------------------------------------------------
// fib

/** Binet's formula for n = randint(0, 20), in floating point as the reference (`args` ignored). */
function fib(rng: Rng): string {
  const n = randInt(rng, 0, 20);
  const root5 = Math.sqrt(5);
  return pythonFloat(((1 + root5) ** n - (1 - root5) ** n) / (2 ** n * root5));
}

// ---------------------------------------------------------------------------------------------
// Binary trees (LeetCode problems, as the reference)

/**
 * A full binary tree: `root` and `levels` more levels under it (2^(levels+1) − 1 nodes), every
 * node below the root 0..100, drawn depth first, left before right (the reference's make_tree).
 */
function growTree(root: TreeNode, levels: number, rng: Rng): TreeNode {
  if (levels === 0) return root;
  root.left = growTree(new TreeNode(randInt(rng, 0, 100)), levels - 1, rng);
  root.right = growTree(new TreeNode(randInt(rng, 0, 100)), levels - 1, rng);
  return root;
}

/** The tree most tree functions take: a root of 0..`rootMax`, then `levels` levels. */
function randomTree(levels: number, rng: Rng, rootMax = 10): TreeNode {
  return growTree(new TreeNode(randInt(rng, 0, rootMax)), levels, rng);
}

function mirrors(a: TreeNode | null, b: TreeNode | null): boolean {
  if (!a || !b) return a === b;
  return a.val === b.val && mirrors(a.left, b.right) && mirrors(a.right, b.left);
}

function isSymmetric(root: TreeNode | null): boolean {
  return !root || mirrors(root.left, root.right);
}

/** The children of a level, left to right. */
function nextLevel(level: readonly TreeNode[]): TreeNode[] {
  const next: TreeNode[] = [];
  for (const node of level) {
    if (node.left) next.push(node.left);
    if (node.right) next.push(node.right);
  }
  return next;
}

/** Each level's values, top down. */
function levelOrder(root: TreeNode | null): number[][] {
  const levels: number[][] = [];
  for (let level = root ? [root] : []; level.length > 0; level = nextLevel(level)) {
    levels.push(level.map((n) => n.val));
  }
  return levels;
}

function maxDepth(root: TreeNode | null): number {
  return root ? Math.max(maxDepth(root.left), maxDepth(root.right)) + 1 : 0;
}

/** Each level's values, bottom up (gathered depth first, then reversed). */
function levelOrderBottom(root: TreeNode | null): number[][] {
  const levels: number[][] = [];
  const visit = (node: TreeNode | null, depth: number): void => {
    if (!node) return;
    if (depth === levels.length) levels.push([]);
    (levels[depth] as number[]).push(node.val);
    visit(node.left, depth + 1);
    visit(node.right, depth + 1);
  };
  visit(root, 0);
  return levels.reverse();
}

/** A height-balanced search tree of values[lo, hi): the middle (upper middle) at the root. */
function balancedFrom(values: readonly number[], lo: number, hi: number): TreeNode | null {
  if (lo >= hi) return null;
  const mid = lo + ((hi - lo) >> 1);
  const node = new TreeNode(values[mid] as number);
  node.left = balancedFrom(values, lo, mid);
  node.right = balancedFrom(values, mid + 1, hi);
  return node;
}

/** The reference builds it from `range(n)`. */
function sortedArrayToBST(nums: readonly number[]): TreeNode | null {
  return balancedFrom(nums, 0, nums.length);
}

/** Each level's values, top down, every other level right to left (the root's left to right). */
function zigzagLevelOrder(root: TreeNode | null): number[][] {
  return levelOrder(root).map((values, depth) => (depth % 2 === 1 ? values.reverse() : values));
}

interface ListNode {
  val: number;
  next: ListNode | null;
}

/** A linked list of n + 1 values 0..100 (the reference's makeListNode). */
function makeList(n: number, rng: Rng): ListNode {
  const head: ListNode = { val: randInt(rng, 0, 100), next: null };
  let tail = head;
  for (let i = 0; i < n; i++) {
    tail.next = { val: randInt(rng, 0, 100), next: null };
    tail = tail.next;
  }
  return head;
}

/** The list's values into an array, then a balanced tree of them (unsorted: as the reference). */
function sortedListToBST(head: ListNode | null): TreeNode | null {
  const values: number[] = [];
  for (let node = head; node; node = node.next) values.push(node.val);
  return balancedFrom(values, 0, values.length);
}

function isBalanced(root: TreeNode | null): boolean {
  /** The height under `node`, or -1 when some subtree is unbalanced. */
  const height = (node: TreeNode | null): number => {
    if (!node) return 0;
    const l = height(node.left);
    const r = height(node.right);
    return l < 0 || r < 0 || Math.abs(l - r) > 1 ? -1 : Math.max(l, r) + 1;
  };
  return height(root) >= 0;
}

/** Nodes on the shortest path from the root down to a leaf. */
function minDepth(root: TreeNode | null): number {
  if (!root) return 0;
  if (root.left && root.right) return Math.min(minDepth(root.left), minDepth(root.right)) + 1;
  return Math.max(minDepth(root.left), minDepth(root.right)) + 1;
}

/** Rewires the tree in place into its preorder, a chain of right children; answers the root. */
function flatten(root: TreeNode | null): TreeNode | null {
  if (!root) return null;
  const left = flatten(root.left);
  const right = flatten(root.right);
  root.left = null;
  root.right = left;
  let tail = root;
  while (tail.right) tail = tail.right;
  tail.right = right;
  return root;
}

/** The largest sum along a path between two nodes (LeetCode 124). */
function maxPathSum(root: TreeNode | null): number {
  let best = Number.NEGATIVE_INFINITY;
  /** The best sum of a path from `node` down. */
  const down = (node: TreeNode | null): number => {
    if (!node) return 0;
    const l = down(node.left);
    const r = down(node.right);
    const path = Math.max(node.val, node.val + l, node.val + r);
    best = Math.max(best, path, node.val + l + r);
    return path;
  };
  down(root);
  return best;
}

function preorderTraversal(root: TreeNode | null): number[] {
  const values: number[] = [];
  const visit = (node: TreeNode | null): void => {
    if (!node) return;
    values.push(node.val);
    visit(node.left);
    visit(node.right);
  };
  visit(root);
  return values;
}

/** The last value of each level, from the right subtree's view topped up with the left's. */
function rightSideView(root: TreeNode | null): number[] | null {
  if (!root) return null;
  const right = [root.val, ...(rightSideView(root.right) ?? [])];
  const left = [root.val, ...(rightSideView(root.left) ?? [])];
  return right.length >= left.length ? right : right.concat(left.slice(right.length));
}

// ---------------------------------------------------------------------------------------------
// Text: a random 100-character slice of an embedded text with random words in it.

function slice100(text: string, rng: Rng): string {
  const start = randInt(rng, 0, text.length - 100);
  return text.slice(start, start + 100);
}

const PAGE_WORDS = ['otter', 'quux', 'pangolin', 'zap', 'baz'];

function dummieWebpage(rng: Rng): string {
  const w = () => pick(rng, PAGE_WORDS);
  return slice100(
    `<html>
<!-- A stand-in page: a ${w()} of markup that no browser is ever asked to draw. Comments
like this one are skipped when the page is shown; only the body below is. -->
<head>
<title>A lab page about the ${w()}, served by nobody in particular</title>
</head>
<body>
<h1>The ${w()} pages</h1>
<p>This page exists so that a function has some text to cut up. It has a heading, two
paragraphs, a short list and a link, like a first web page written by hand.</p>
<ul>
<li>Item one: a ${w()} in a list</li>
<li>Item two: <em>emphasis</em> where none is needed</li>
</ul>
<hr>
<p>Read on at <a href="next.html">the next page</a>, where the ${w()} lives.</p>
<p>No rights reserved.</p>
</body>
</html>`,
    rng,
  );
}

const DOC_VALUES: readonly (string | number)[] = ['kestrel', 'plugh', 'xyzzy', 'wombat', 'qux', 7, 'lantern'];

function dockerDocumentation(rng: Rng): string {
  const v = () => String(pick(rng, DOC_VALUES));
  const counted = show(Array.from({ length: randInt(rng, 0, 100) }, (_, i) => i));
  return slice100(
    `Containers in brief
A few minutes of reading

A container image packs a program together with ${v()} the files, libraries and settings it
needs, so that it starts the same way on a laptop, a build server or a cluster node. A running
container is a process of the host, kept apart from the others by the kernel's namespaces and
held to its share of CPU and memory by control groups.

What you will do here ${v()}:

Write a small file that says how to build the image
Build it, tag it and push it to a registry your cluster can pull from
Run it locally first, then ${v()} deploy it as a function behind a gateway

Layers ${counted}

An image is a stack of read-only layers; a container adds one writable layer on top. Layers
are shared between images, so a second image that starts from the same base costs ${v()} only
what it adds. Keep the layers that change often near the top, and the build stays quick.

Where to go next
${v()}
    Building images
    Registries and tags

Stable and preview builds ${v()} are published side by side: the first for everyday use, the
second for trying what is coming, with the understanding that it may break.`,
    rng,
  );
}

// ---------------------------------------------------------------------------------------------
// use_arrow: the reference embeds the Arrow date library and prints utcnow() and now().

/** Now, in microseconds since the epoch. */
function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

const two = (n: number) => String(n).padStart(2, '0');

/** An instant as ISO 8601 in a time zone, with its offset (Arrow's `str`: `isoformat()`). */
function isoInZone(micros: number, timeZone: string): string {
  const ms = Math.floor(micros / 1000);
  const fields = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(ms)
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const [y, mo, d, h, mi, s] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map(
    (k) => fields[k] as number,
  ) as [number, number, number, number, number, number];
  // The zone's offset: its wall clock read as if it were UTC, less the instant (whole seconds).
  const offsetMinutes = Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - (ms - (ms % 1000))) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const micro = micros % 1_000_000;
  const fraction = micro === 0 ? '' : `.${String(micro).padStart(6, '0')}`;
  return `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}${fraction}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

function useArrow(): string {
  const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const utc = isoInZone(nowMicros(), 'UTC');
  const local = isoInZone(nowMicros(), localZone);
  return `${utc} | ${local}`;
}

// ---------------------------------------------------------------------------------------------
// pandas_numpy: the reference builds a DataFrame and reduces it with pandas and numpy.

/** `n` columns "value i" of 0..9, as rows (10 × n), flattened and summed: 45 n. */
function pandasNumpy(n: number): number {
  const columns: Record<string, number[]> = {};
  for (let i = 0; i < n; i++) columns[`value ${i}`] = Array.from({ length: 10 }, (_, r) => r);
  const table = Object.values(columns);
  const rows = Array.from({ length: 10 }, (_, r) => table.map((column) => column[r] as number));
  return rows.flat().reduce((sum, v) => sum + v, 0);
}

// ---------------------------------------------------------------------------------------------

/** Trees `args` levels under the root: 2^21 − 1 nodes at most (about 120 MB, a second or so). */
const TREE_LEVELS = 20;
/** Nodes of a tree built from a list: as many as the largest full tree. */
const LIST_NODES = 2_000_000;

/** The reference's twenty, in its order (the order `random` picks from). */
const FUNCTIONS: Record<string, MonolithFunction> = {
  /** n: two n×n matrices of integers 0..100, multiplied; the product's sum, and the time taken */
  matrix_mult: { maxArg: 500, run: matrixMult },
  /** a Fibonacci number by Binet's formula, n = randint(0, 20) */
  fib: { run: (_, rng) => ({ monolith_result: fib(rng) }) },
  /** n: a full tree n levels under a root of 0..100; the tree */
  makeTree: { maxArg: TREE_LEVELS, run: (n, rng) => answer(randomTree(n, rng, 100)) },
  isSymmetric: { maxArg: TREE_LEVELS, run: (n, rng) => answer(isSymmetric(randomTree(n, rng))) },
  levelOrder: { maxArg: TREE_LEVELS, run: (n, rng) => answer(levelOrder(randomTree(n, rng))) },
  maxDepth: { maxArg: TREE_LEVELS, run: (n, rng) => answer(maxDepth(randomTree(n, rng))) },
  levelOrderBottom: { maxArg: TREE_LEVELS, run: (n, rng) => answer(levelOrderBottom(randomTree(n, rng))) },
  /** n: a balanced search tree of 0..n−1 */
  sortedArrayToBST: {
    maxArg: LIST_NODES,
    run: (n) => answer(sortedArrayToBST(Array.from({ length: n }, (_, i) => i))),
  },
  zigzagLevelOrder: { maxArg: TREE_LEVELS, run: (n, rng) => answer(zigzagLevelOrder(randomTree(n, rng))) },
  /** n: a linked list of n + 1 values 0..100, made a balanced tree */
  sortedListToBST: { maxArg: LIST_NODES, run: (n, rng) => answer(sortedListToBST(makeList(n, rng))) },
  isBalanced: { maxArg: TREE_LEVELS, run: (n, rng) => answer(isBalanced(randomTree(n, rng))) },
  minDepth: { maxArg: TREE_LEVELS, run: (n, rng) => answer(minDepth(randomTree(n, rng))) },
  flatten: { maxArg: TREE_LEVELS, run: (n, rng) => answer(flatten(randomTree(n, rng))) },
  maxPathSum: { maxArg: TREE_LEVELS, run: (n, rng) => answer(maxPathSum(randomTree(n, rng))) },
  preorderTraversal: {
    maxArg: TREE_LEVELS,
    run: (n, rng) => answer(preorderTraversal(randomTree(n, rng))),
  },
  rightSideView: { maxArg: TREE_LEVELS, run: (n, rng) => answer(rightSideView(randomTree(n, rng))) },
  /** a 100-character slice of a small web page */
  dummie_webpage: { run: (_, rng) => ({ monolith_result: dummieWebpage(rng) }) },
  /** a 100-character slice of a page of documentation */
  docker_documentation: { run: (_, rng) => ({ monolith_result: dockerDocumentation(rng) }) },
  /** the time now, in UTC and in the local zone */
  use_arrow: { run: () => ({ monolith_result: useArrow() }) },
  /** n: a table of n columns × 10 rows, flattened and summed */
  pandas_numpy: { maxArg: 100_000, run: (n) => answer(pandasNumpy(n)) },
};

/** The monolith's functions, in the order `random` picks from. */
export const MONOLITH_FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS);

/** The largest `args` a function takes, or undefined when it ignores `args`. */
export function monolithMaxArg(name: string): number | undefined {
  return FUNCTIONS[name]?.maxArg;
}

/** What the monolith will run, decided (and its input checked) before the call does anything. */
export interface MonolithPlan {
  name: string;
  arg: number;
  /** The seeded stream, already past the `random` pick: the function's data comes next. */
  rng: Rng;
}

/** Resolves `random` with the seed and checks `args` against the chosen function's bound. */
export function planMonolith(runFunction: string, arg: number, seed: number): MonolithPlan {
  const rng = seededRandom(seed);
  const name = runFunction === 'random' ? pick(rng, MONOLITH_FUNCTION_NAMES) : runFunction;
  const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!fn) {
    throw new HandlerInputError(
      `run_function: unknown function "${runFunction}" (one of: random, ${MONOLITH_FUNCTION_NAMES.join(', ')})`,
    );
  }
  if (fn.maxArg !== undefined && arg > fn.maxArg) {
    const chosen = runFunction === 'random' ? ` (chosen by seed ${seed})` : '';
    throw new HandlerInputError(`args: at most ${fn.maxArg} for ${name}${chosen}, got ${arg}`);
  }
  return { name, arg, rng };
}

/** Runs a plan: the entry's monolith_result (cut to 100 characters) and, for matrix_mult, its times. */
export function runMonolith(plan: MonolithPlan): MonolithFields {
  const fields = (FUNCTIONS[plan.name] as MonolithFunction).run(plan.arg, plan.rng);
  return { ...fields, monolith_result: fields.monolith_result.slice(0, MONOLITH_RESULT_CHARS) };
}
