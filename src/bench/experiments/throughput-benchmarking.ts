/**
 * throughput-benchmarking (faas-benchmarker): how much computing a function gets. After the
 * functions are let go cold, `function1` is called with throughput_time 0.1, 0.2, 0.4, 0.8, 1.2,
 * 1.6, 2.4, 5 and 8 s, 5 times each, one call at a time (its busy loop counts the iterations it
 * managed: `throughput`, with the CPU and wall time it spent), then with the first seven, 5 bursts
 * of 12 concurrent calls each. Then the monolith multiplies two n × n matrices
 * (`run_function: 'matrix_mult'`, args n = 100, 120, 140, 180, 200, 220), 5 times each with seed
 * 0 … 4, one call at a time, then with the first three sizes, 3 bursts of 12 concurrent calls
 * each with seed 0 … 2 (all 12 of a burst the same seed).
 *
 * Time scale: throughput_time is work, divided by the time scale (0.1 … 8 s become 1.7 … 133 ms
 * at 60, so `throughput` shrinks with it); the matrices are real CPU and keep their sizes (n =
 * 220 takes about 55 ms in the monolith's JavaScript, a call's execution about 95 ms on the
 * embedded platform, against seconds in the reference's pure Python).
 *
 * Rows: the Benchmarker's Invocation and Error rows (the reference wrote no table of its own),
 * and a Monolith row for every monolith entry (invo_id, seed, function_argument, function_called,
 * process_time_matrix, running_time_matrix, monolith_result), which the run writes for every
 * experiment as the reference's Benchmarker did (../run.ts), so none is recorded here; the
 * monolith's matrix_mult entries carry process_time_matrix and running_time_matrix (the CPU and
 * wall time of the product alone).
 *
 * Differs from the reference: a failed call is an Error row and the experiment goes on; the
 * reference sent a failed call again up to 5 times (`validate`), hiding the failure and adding
 * calls, and ended the experiment when all 5 failed.
 */
import { z } from 'zod';
import { defineExperiment } from './contract.js';
import { goColdAll } from './load-shapes.js';
import { count, functionName, numbers } from './params.js';

const THROUGHPUT_TIMES = [0.1, 0.2, 0.4, 0.8, 1.2, 1.6, 2.4, 5, 8];
const MATRIX_SIZES = [100, 120, 140, 180, 200, 220];

export const throughputBenchmarkingParams = z.object({
  function_name: functionName('function1'),
  monolith_name: functionName('monolith'),
  /** Seconds of busy work per call, each `repetitions` times one call at a time. */
  throughput_times: numbers(THROUGHPUT_TIMES),
  repetitions: count(5),
  /** Bursts of `threads` concurrent calls: these throughput times, `concurrent_repetitions` bursts each. */
  concurrent_throughput_times: numbers(THROUGHPUT_TIMES.slice(0, -2)),
  concurrent_repetitions: count(5),
  threads: count(12),
  /** Matrix sizes n (n × n), each `matrix_repetitions` times one call at a time, seed 0, 1 … */
  matrix_sizes: numbers(MATRIX_SIZES),
  matrix_repetitions: count(5),
  /** Bursts of `threads` calls: these sizes, `concurrent_matrix_repetitions` bursts each, seed 0, 1 … */
  concurrent_matrix_sizes: numbers(MATRIX_SIZES.slice(0, 3)),
  concurrent_matrix_repetitions: count(3),
});
export type ThroughputBenchmarkingParams = z.infer<typeof throughputBenchmarkingParams>;

export const throughputBenchmarking = defineExperiment({
  name: 'throughput-benchmarking',
  origin: 'faas-benchmarker',
  description: 'busy loops of 0.1 … 8 s and matrix products of n = 100 … 220, alone and 12 at once',
  params: throughputBenchmarkingParams,
  async prepare(ctx, p) {
    await goColdAll(ctx, [p.function_name, p.monolith_name]);
  },
  async run(ctx, p) {
    const fn = p.function_name;
    for (const t of p.throughput_times) {
      ctx.progress(`${fn}: throughput_time ${t} s, ${p.repetitions} calls one at a time`);
      for (let i = 0; i < p.repetitions; i++) await ctx.bench.invoke(fn, { throughput_time: ctx.work(t) });
    }
    for (const t of p.concurrent_throughput_times) {
      ctx.progress(`${fn}: throughput_time ${t} s, ${p.concurrent_repetitions} bursts of ${p.threads}`);
      for (let i = 0; i < p.concurrent_repetitions; i++)
        await ctx.bench.invokeConcurrently(fn, p.threads, { throughput_time: ctx.work(t) });
    }
    const matrix = (n: number, seed: number) => ({ run_function: 'matrix_mult', args: n, seed });
    for (const n of p.matrix_sizes) {
      ctx.progress(`${p.monolith_name}: ${n} × ${n} matrices, ${p.matrix_repetitions} calls one at a time`);
      for (let seed = 0; seed < p.matrix_repetitions; seed++)
        await ctx.bench.invoke(p.monolith_name, matrix(n, seed));
    }
    for (const n of p.concurrent_matrix_sizes) {
      ctx.progress(
        `${p.monolith_name}: ${n} × ${n} matrices, ${p.concurrent_matrix_repetitions} bursts of ${p.threads}`,
      );
      for (let seed = 0; seed < p.concurrent_matrix_repetitions; seed++)
        await ctx.bench.invokeConcurrently(p.monolith_name, p.threads, matrix(n, seed));
    }
  },
});
