/**
 * concurrency-benchmarking (faas-benchmarker): how the platform behaves when N requests arrive at
 * once. For each N (8, 16, 32, 64, 128, 256 by default) and repetition (2), the function is let
 * go cold (the experiment's wait: the platform's idle time, or a forced cold start), then N calls
 * are released together with `throughput_time` 0.3 s of work each (at the run's time scale). One Cc_bench row per burst:
 * the field-wise means of the successful calls' root entries (`acc_*`), the errors, and
 * success_rate = 1 − errors / N. The reference's `acc_execution_total` was always 0 (it summed a
 * field its rows did not have); here it is the mean of each call's execution_end − execution_start.
 */
import { z } from 'zod';
import type { InvocationRow } from '../benchmarker.js';
import type { StoreRow } from '../store/contract.js';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { amount, count, functionName, numbers } from './params.js';

export const concurrencyParams = z.object({
  function_name: functionName('function3'),
  /** Seconds of busy work per call. */
  throughput_time: amount(0.3),
  /** Requests released together, one burst each. */
  levels: numbers([8, 16, 32, 64, 128, 256]),
  repetitions: count(2),
});
export type ConcurrencyParams = z.infer<typeof concurrencyParams>;

/** One burst: the reference's Cc_bench row (without exp_id, which the store adds). */
export interface CcBenchRow extends StoreRow {
  function_name: string;
  numb_threads: number;
  /** The experiment's cold wait before the burst, seconds. */
  sleep: number;
  errors: number;
  success_rate: number;
  cores: number;
  acc_process_time: number;
  acc_throughput: number;
  acc_throughput_time: number;
  acc_throughput_process_time: number;
  acc_throughput_running_time: number;
  acc_execution_start: number;
  acc_execution_end: number;
  acc_invocation_start: number;
  acc_invocation_end: number;
  acc_execution_total: number;
  acc_invocation_total: number;
  acc_latency: number;
}

/** Field-wise means of the successful calls' root rows (NaN when none succeeded). */
export function means(roots: readonly InvocationRow[], fields: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    fields.map((f) => {
      const values = roots.map((r) => Number(r[f])).filter(Number.isFinite);
      return [f, values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN];
    }),
  );
}

const ACC_FIELDS = [
  'process_time',
  'throughput',
  'throughput_time',
  'throughput_process_time',
  'throughput_running_time',
  'execution_start',
  'execution_end',
  'invocation_start',
  'invocation_end',
  'execution_total',
  'invocation_total',
  'latency',
] as const;

/** The Cc_bench row of one burst: its calls' results, and the cold wait before it. */
export function ccBenchRow(
  functionName: string,
  results: readonly ({ ok: true; rows: InvocationRow[] } | { ok: false })[],
  sleep: number,
): CcBenchRow {
  const roots = results.flatMap((r) => (r.ok ? r.rows.slice(0, 1) : []));
  const errors = results.length - roots.length;
  const acc = means(roots, ACC_FIELDS);
  return {
    function_name: functionName,
    numb_threads: results.length,
    sleep,
    errors,
    success_rate: results.length === 0 ? Number.NaN : 1 - errors / results.length,
    cores: means(roots, ['function_cores']).function_cores as number,
    ...(Object.fromEntries(ACC_FIELDS.map((f) => [`acc_${f}`, acc[f] as number])) as Pick<
      CcBenchRow,
      `acc_${(typeof ACC_FIELDS)[number]}`
    >),
  };
}

export const concurrencyBenchmarking = defineExperiment({
  name: 'concurrency-benchmarking',
  origin: 'faas-benchmarker',
  description: 'N calls at once (8 … 256, twice each) after a cold wait: success rate and latency',
  params: concurrencyParams,
  async run(ctx: ExperimentContext, p) {
    for (const n of p.levels) {
      for (let rep = 0; rep < p.repetitions; rep++) {
        const sleep = await ctx.goCold(p.function_name);
        ctx.progress(`burst of ${n} (${rep + 1} of ${p.repetitions})`);
        const results = await ctx.bench.invokeConcurrently(p.function_name, n, {
          throughput_time: ctx.work(p.throughput_time),
        });
        ctx.record('Cc_bench', [ccBenchRow(p.function_name, results, sleep)]);
      }
    }
  },
  process(recorded) {
    const rows = recorded.get('Cc_bench') ?? [];
    return {
      bursts: rows.length,
      min_success_rate: Math.min(...rows.map((r) => Number(r.success_rate))),
    };
  },
});
