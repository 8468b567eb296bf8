/**
 * concurrency-benchmarking (faas-benchmarker): how the platform behaves when N requests arrive at
 * once. For each N (8, 16, 32, 64, 128, 256 by default) and repetition (2), the function is let
 * go cold (the experiment's wait: the platform's idle time, or a forced cold start), then N calls
 * are released together with `throughput_time` 0.3 s of work each. One Cc_bench row per burst:
 * the field-wise means of the successful calls' root entries (`acc_*`), the errors, and
 * success_rate = 1 − errors / N. The reference's `acc_execution_total` was always 0 (it summed a
 * field its rows did not have); here it is the mean of each call's execution_end − execution_start.
 */
import type { Benchmarker, InvocationRow } from '../benchmarker.js';

export interface ConcurrencyParams {
  functionName: string;
  /** Seconds of busy work per call. */
  throughputTime: number;
  /** Requests released together, one burst each. */
  levels: readonly number[];
  repetitions: number;
}

export const CONCURRENCY_DEFAULTS: ConcurrencyParams = {
  functionName: 'function3',
  throughputTime: 0.3,
  levels: [8, 16, 32, 64, 128, 256],
  repetitions: 2,
};

/** One burst: the reference's Cc_bench row (without exp_id, which the store adds). */
export interface CcBenchRow {
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
function means(roots: readonly InvocationRow[], fields: readonly string[]): Record<string, number> {
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

/**
 * Runs the bursts through `bench`, after `goCold()` before each (it returns the seconds it waited,
 * recorded as `sleep`), and returns a row per burst.
 */
export async function runConcurrency(
  bench: Benchmarker,
  params: ConcurrencyParams,
  goCold: () => Promise<number>,
): Promise<CcBenchRow[]> {
  const rows: CcBenchRow[] = [];
  for (const n of params.levels) {
    for (let rep = 0; rep < params.repetitions; rep++) {
      const sleep = await goCold();
      const results = await bench.invokeConcurrently(params.functionName, n, {
        throughput_time: params.throughputTime,
      });
      const roots = results.flatMap((r) => (r.ok ? r.rows.slice(0, 1) : []));
      const errors = results.length - roots.length;
      const acc = means(roots, ACC_FIELDS);
      rows.push({
        function_name: params.functionName,
        numb_threads: n,
        sleep,
        errors,
        success_rate: 1 - errors / n,
        cores: means(roots, ['function_cores']).function_cores as number,
        ...(Object.fromEntries(ACC_FIELDS.map((f) => [`acc_${f}`, acc[f] as number])) as Pick<
          CcBenchRow,
          `acc_${(typeof ACC_FIELDS)[number]}`
        >),
      });
    }
  }
  return rows;
}
