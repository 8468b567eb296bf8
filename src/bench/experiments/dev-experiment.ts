/**
 * dev-experiment (faas-benchmarker): the framework's self-test, against the provider the run
 * targets. It calls the lab functions the ways the other experiments do and checks every answer
 * against the lab functions' contract (src/platform/functions/lab.ts): each entry has the
 * contract's fields, the call tree is the one asked for (levels, parents, function names), and
 * the client's fields are there (root_identifier, invocation_start/end, latency, thread_id,
 * numb_threads). The checks, each a Dev_check row (its name, passed, calls, what was wrong):
 * - sequential: function1 without arguments; function2 with `sleep` 0.5 s (it lasts that long);
 *   function3 with `throughput_time` 1 s (its loop ran that long and counted iterations);
 * - nested: function1 → function2, function2 → function3, function3 → function2 (each nested
 *   payload `sleep` 0.1 s, with the reference's ignored `StatusCode: 200`), and function1 →
 *   function2 → function3 twice (four entries, three levels);
 * - concurrent: 1, 2 and 3 calls of function1 released together; 7 with `throughput_time` 0.2 s;
 *   7 with that and `sleep` 0.1 s; 7 each calling function2 (sleep 0.1 s): every call answers,
 *   tagged thread_id 0..n−1 and numb_threads n;
 * - monolith: `random` with seed 2 and args 8, twice (the same function and result: a seed names
 *   a run), 6 concurrent `matrix_mult`, and every function of the monolith once
 *   (src/platform/functions/monolith.ts), each answering its function_called, function_argument,
 *   seed and a monolith_result.
 * Sleeps and busy work are at the run's time scale (ctx.work). Every check runs; then the run
 * fails (throws) if any did, naming each failed check and what was wrong. The summary: each
 * check's outcome (pass or fail) and the counts.
 *
 * What differs from the reference: its self-test, as committed, ran nothing (every call at its
 * end was commented out) and checked nothing (it printed the answers for a person to read). Its
 * round-trips through the MySQL interface and its five Benchmarkers at once test code dfaas does
 * not have (the results store has its own tests), so they are not here; its list of 19 monolith
 * functions is the reference monolith's, here the one this monolith has.
 */
import { z } from 'zod';
import type { LabEntry } from '../../platform/functions/lab.js';
import { MONOLITH_FUNCTION_NAMES } from '../../platform/functions/monolith.js';
import type { CallResult, InvocationRow } from '../benchmarker.js';
import type { StoreRow, TableDefinition } from '../store/contract.js';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { amount, count, numbers } from './params.js';

export const devExperimentParams = z.object({
  /** Seconds function2 sleeps in the sequential check. */
  sleep: amount(0.5),
  /** Seconds of function3's busy loop in the sequential check. */
  throughput_time: amount(1),
  /** Seconds each nested call sleeps. */
  nested_sleep: amount(0.1),
  /** Calls of function1 released together, one check each. */
  threads: numbers([1, 2, 3]),
  /** Calls released together in the loaded concurrent checks. */
  loaded_threads: count(7),
  /** Seconds of busy work of each loaded concurrent call. */
  loaded_throughput_time: amount(0.2),
  /** Calls of the monolith released together. */
  monolith_threads: count(6),
  monolith_args: count(8, 0),
  monolith_seed: count(2, 0),
});
export type DevExperimentParams = z.infer<typeof devExperimentParams>;

export const DEV_CHECK: TableDefinition = {
  name: 'Dev_check',
  description: 'one row per check of dev-experiment: passed or not, and what was wrong',
  columns: { exp_id: 'text', check_name: 'text', passed: 'boolean', calls: 'integer', detail: 'text' },
};

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/** Every field a lab function's entry has (the type says when the contract gains one). */
const ENTRY_FIELDS: Record<RequiredKeys<LabEntry>, true> = {
  identifier: true,
  uuid: true,
  function_name: true,
  function_cores: true,
  parent: true,
  level: true,
  sleep: true,
  throughput: true,
  throughput_time: true,
  throughput_process_time: true,
  throughput_running_time: true,
  random_seed: true,
  instance_identifier: true,
  memory: true,
  cpu: true,
  process_time: true,
  execution_start: true,
  execution_end: true,
  is_cold: true,
  container_id: true,
};
/** What the Benchmarker adds to every entry. */
const CLIENT_FIELDS = [
  'root_identifier',
  'invocation_start',
  'invocation_end',
  'latency',
  'thread_id',
  'numb_threads',
] as const;
const MONOLITH_FIELDS = ['function_argument', 'seed', 'function_called', 'monolith_result'] as const;

/** A call tree as it should come back: each node's function, values of its entry, its nested calls. */
export interface ExpectedCall {
  fn: string;
  fields?: Record<string, unknown>;
  /** Its entry lasted at least this long (seconds: a sleep or a busy loop). */
  lastsAtLeast?: number;
  nested?: ExpectedCall[];
}

/** Timestamps are whole milliseconds on some clocks: a duration may read this much short. */
const CLOCK_SLACK = 0.002;

const same = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number'
    ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))
    : a === b;

function entryProblems(row: InvocationRow, expected: ExpectedCall, where: string): string[] {
  const problems: string[] = [];
  const missing = [...Object.keys(ENTRY_FIELDS), ...CLIENT_FIELDS].filter((f) => row[f] === undefined);
  if (missing.length > 0) problems.push(`${where}: no ${missing.join(', ')}`);
  for (const [field, value] of Object.entries({ function_name: expected.fn, ...expected.fields })) {
    if (!same(row[field], value))
      problems.push(`${where}: ${field} is ${JSON.stringify(row[field])}, not ${JSON.stringify(value)}`);
  }
  const lasted = Number(row.execution_end) - Number(row.execution_start);
  if (!(lasted >= 0)) problems.push(`${where}: execution_end is before execution_start`);
  if (expected.lastsAtLeast !== undefined && !(lasted >= expected.lastsAtLeast - CLOCK_SLACK))
    problems.push(`${where}: lasted ${lasted} s, less than ${expected.lastsAtLeast} s`);
  return problems;
}

/** What is wrong with one call's answer, against the call tree it should be. */
export function answerProblems(result: CallResult, expected: ExpectedCall): string[] {
  if (!result.ok)
    return [`${expected.fn} failed (${result.error.type}): ${result.error.message.slice(0, 200)}`];
  const { rows } = result;
  const root = rows[0] as InvocationRow;
  const problems: string[] = [];
  let count = 0;
  const walk = (row: InvocationRow, node: ExpectedCall, level: number, parent: string, where: string) => {
    count++;
    problems.push(...entryProblems(row, { ...node, fields: { level, parent, ...node.fields } }, where));
    const children = rows.filter((r) => r.parent === row.identifier && r !== row);
    const nested = node.nested ?? [];
    if (children.length !== nested.length)
      problems.push(`${where}: ${children.length} nested entries, not ${nested.length}`);
    nested.forEach((child, i) => {
      const entry = children[i];
      if (entry) walk(entry, child, level + 1, row.identifier, `${where} > ${child.fn}`);
    });
  };
  walk(root, expected, 0, 'root', expected.fn);
  if (rows.length !== count) problems.push(`${rows.length} entries in the answer, not ${count}`);
  if (rows.some((r) => r.root_identifier !== root.identifier))
    problems.push(`an entry's root_identifier is not ${root.identifier}`);
  return problems;
}

/** What is wrong with a burst's answers: each call's, and the burst's thread tags. */
export function burstProblems(results: readonly CallResult[], expected: ExpectedCall): string[] {
  const n = results.length;
  const problems = results.flatMap((r, i) => answerProblems(r, expected).map((p) => `call ${i}: ${p}`));
  const tags = results.flatMap((r) => (r.ok ? [r.rows[0] as InvocationRow] : []));
  const threads = tags.map((r) => r.thread_id).sort((a, b) => a - b);
  if (tags.length === n && threads.some((t, i) => t !== i))
    problems.push(`thread_id ${threads.join(',')}, not 0..${n - 1}`);
  if (tags.some((r) => r.numb_threads !== n)) problems.push(`numb_threads is not ${n} on every call`);
  return problems;
}

function monolithProblems(result: CallResult, run: string, p: DevExperimentParams): string[] {
  const fields: Record<string, unknown> = { function_argument: p.monolith_args, seed: p.monolith_seed };
  if (run !== 'random') fields.function_called = run;
  const problems = answerProblems(result, { fn: 'monolith', fields });
  if (!result.ok) return problems;
  const root = result.rows[0] as InvocationRow;
  const missing = MONOLITH_FIELDS.filter((f) => root[f] === undefined);
  if (missing.length > 0) problems.push(`monolith: no ${missing.join(', ')}`);
  if (!MONOLITH_FUNCTION_NAMES.includes(String(root.function_called)))
    problems.push(
      `monolith: function_called ${JSON.stringify(root.function_called)} is not one of its functions`,
    );
  if (typeof root.monolith_result !== 'string' || root.monolith_result === '')
    problems.push('monolith: no monolith_result');
  return problems;
}

/** One check: what it calls, and what it found wrong (nothing when it passes). */
export interface DevCheck {
  name: string;
  run(): Promise<{ calls: number; problems: string[] }>;
}

/** The checks, in the order they run. */
export function devChecks(ctx: ExperimentContext, p: DevExperimentParams): DevCheck[] {
  const { bench } = ctx;
  const one = (
    name: string,
    fn: string,
    args: Record<string, unknown>,
    expected: ExpectedCall,
  ): DevCheck => ({
    name,
    run: async () => ({ calls: 1, problems: answerProblems(await bench.invoke(fn, args), expected) }),
  });
  const burst = (
    name: string,
    fn: string,
    n: number,
    args: Record<string, unknown>,
    expected: ExpectedCall,
  ) => ({
    name,
    run: async () => ({
      calls: n,
      problems: burstProblems(await bench.invokeConcurrently(fn, n, args), expected),
    }),
  });
  const sleep = ctx.work(p.sleep);
  const work = ctx.work(p.throughput_time);
  const nestedSleep = ctx.work(p.nested_sleep);
  const loadedWork = ctx.work(p.loaded_throughput_time);
  const calling = (callee: string) => ({
    invoke_nested: [{ function_name: callee, invoke_payload: { StatusCode: 200, sleep: nestedSleep } }],
  });
  const sleeper = (fn: string): ExpectedCall => ({
    fn,
    fields: { sleep: nestedSleep },
    lastsAtLeast: nestedSleep,
  });
  const nestedPair = (caller: string, callee: string) =>
    one(`${caller} calls ${callee}`, caller, calling(callee), { fn: caller, nested: [sleeper(callee)] });
  const monolithArgs = (run: string) => ({ run_function: run, args: p.monolith_args, seed: p.monolith_seed });

  return [
    one(
      'function1 without arguments',
      'function1',
      {},
      {
        fn: 'function1',
        fields: { sleep: 0, throughput: 0, throughput_time: null },
      },
    ),
    one(
      'function2 sleeps',
      'function2',
      { sleep },
      { fn: 'function2', fields: { sleep }, lastsAtLeast: sleep },
    ),
    {
      name: 'function3 spins its busy loop',
      run: async () => {
        const result = await bench.invoke('function3', { throughput_time: work });
        const problems = answerProblems(result, {
          fn: 'function3',
          fields: { throughput_time: work, random_seed: work * 100 },
          lastsAtLeast: work,
        });
        const root = result.ok ? (result.rows[0] as InvocationRow) : undefined;
        if (root && !(Number(root.throughput) > 0))
          problems.push('function3: no loop iterations (throughput)');
        if (root && !(Number(root.throughput_running_time) >= work - CLOCK_SLACK))
          problems.push(`function3: its loop ran ${root.throughput_running_time} s, less than ${work} s`);
        return { calls: 1, problems };
      },
    },
    nestedPair('function1', 'function2'),
    nestedPair('function2', 'function3'),
    nestedPair('function3', 'function2'),
    one('function1 calls function2, which calls function3 twice', 'function1', chainTwice(), {
      fn: 'function1',
      nested: [{ fn: 'function2', nested: [{ fn: 'function3' }, { fn: 'function3' }] }],
    }),
    ...p.threads.map((n) =>
      burst(`${n} concurrent calls of function1`, 'function1', n, {}, { fn: 'function1' }),
    ),
    burst(
      `${p.loaded_threads} concurrent calls of function1 with throughput_time`,
      'function1',
      p.loaded_threads,
      { throughput_time: loadedWork },
      { fn: 'function1', fields: { throughput_time: loadedWork }, lastsAtLeast: loadedWork },
    ),
    burst(
      `${p.loaded_threads} concurrent calls of function1 with throughput_time and sleep`,
      'function1',
      p.loaded_threads,
      { throughput_time: loadedWork, sleep: nestedSleep },
      {
        fn: 'function1',
        fields: { throughput_time: loadedWork, sleep: nestedSleep },
        lastsAtLeast: loadedWork + nestedSleep,
      },
    ),
    burst(
      `${p.loaded_threads} concurrent calls of function1 calling function2`,
      'function1',
      p.loaded_threads,
      calling('function2'),
      { fn: 'function1', nested: [sleeper('function2')] },
    ),
    {
      name: 'monolith random, the same seed twice',
      run: async () => {
        const first = await bench.invoke('monolith', monolithArgs('random'));
        const second = await bench.invoke('monolith', monolithArgs('random'));
        const problems = [...monolithProblems(first, 'random', p), ...monolithProblems(second, 'random', p)];
        if (first.ok && second.ok) {
          const [a, b] = [first.rows[0] as InvocationRow, second.rows[0] as InvocationRow];
          if (a.function_called !== b.function_called || a.monolith_result !== b.monolith_result)
            problems.push(
              `seed ${p.monolith_seed} ran ${a.function_called} then ${b.function_called}, or answered differently`,
            );
        }
        return { calls: 2, problems };
      },
    },
    {
      name: `${p.monolith_threads} concurrent calls of monolith matrix_mult`,
      run: async () => {
        const results = await bench.invokeConcurrently(
          'monolith',
          p.monolith_threads,
          monolithArgs('matrix_mult'),
        );
        const problems = burstProblems(results, { fn: 'monolith' });
        problems.push(
          ...results.flatMap((r, i) => monolithProblems(r, 'matrix_mult', p).map((m) => `call ${i}: ${m}`)),
        );
        return { calls: p.monolith_threads, problems: [...new Set(problems)] };
      },
    },
    ...MONOLITH_FUNCTION_NAMES.map(
      (fn): DevCheck => ({
        name: `monolith runs ${fn}`,
        run: async () => ({
          calls: 1,
          problems: monolithProblems(await bench.invoke('monolith', monolithArgs(fn)), fn, p),
        }),
      }),
    ),
  ];
}

/** function1 → function2 → function3, function3 (the reference's double nesting). */
function chainTwice(): Record<string, unknown> {
  const leaf = { function_name: 'function3', invoke_payload: { StatusCode: 200 } };
  return {
    invoke_nested: [
      { function_name: 'function2', invoke_payload: { StatusCode: 200, invoke_nested: [leaf, leaf] } },
    ],
  };
}

export const devExperiment = defineExperiment({
  name: 'dev-experiment',
  origin: 'faas-benchmarker',
  description:
    "the framework's self-test: sequential, nested, concurrent and monolith calls checked against the lab contract",
  params: devExperimentParams,
  tables: [DEV_CHECK],
  async run(ctx, p) {
    const failed: string[] = [];
    const checks = devChecks(ctx, p);
    for (const [i, check] of checks.entries()) {
      ctx.progress(`check ${i + 1} of ${checks.length}: ${check.name}`);
      let outcome: { calls: number; problems: string[] };
      try {
        outcome = await check.run();
      } catch (err) {
        outcome = { calls: 0, problems: [`threw: ${(err as Error).message}`] };
      }
      const detail = outcome.problems.join('; ');
      ctx.record(DEV_CHECK.name, [
        { check_name: check.name, passed: outcome.problems.length === 0, calls: outcome.calls, detail },
      ]);
      if (outcome.problems.length > 0) failed.push(`"${check.name}": ${detail}`);
    }
    if (failed.length > 0)
      throw new Error(
        `dev-experiment: ${failed.length} of ${checks.length} checks failed: ${failed.join(' | ')}`,
      );
  },
  process(recorded) {
    const rows: readonly StoreRow[] = recorded.get(DEV_CHECK.name) ?? [];
    return {
      checks: rows.length,
      passed: rows.filter((r) => r.passed === true).length,
      failed: rows.filter((r) => r.passed !== true).map((r) => String(r.check_name)),
      outcome: Object.fromEntries(
        rows.map((r) => [String(r.check_name), r.passed === true ? 'pass' : 'fail']),
      ),
    };
  },
});
