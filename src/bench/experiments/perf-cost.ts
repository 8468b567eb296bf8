/**
 * perf-cost (SeBS, sebs/experiments/perf_cost.py): a function's client, execution and cold-start
 * times in four kinds of runs, each summarised apart, cold calls apart from warm ones.
 *
 * For each run type of `experiments` (cold, warm, burst, sequential; all four by default, in the
 * order given) batches are sent until `repetitions` (50) samples are kept: before a batch, a cold
 * or burst run lets the function go cold (`ctx.goCold`: forced where the provider can); then
 * `batch_wait` (SeBS's 5 s), `concurrent_invocations` (50) calls released together (one call in a
 * sequential run, which also makes one warm-up call before its first batch), and `batch_wait`
 * again. The first batch of every type is a warm-up: its calls are recorded (`batch` 0, not
 * kept) and never count. After it, a cold run keeps only the calls told cold (the others are
 * `incorrect`), a warm run only the calls told warm (the others are `dropped`), burst and
 * sequential runs keep both; failed calls are `failures` (and Error rows). A call is told cold by
 * the replica's marker `is_cold` on the root entry (SeBS's), or where it has none by the
 * platform's `platform_cold_start_ms` (> 0); the other signal is kept beside it (`platform_cold`)
 * and `process` reports where the two disagree.
 *
 * Tables: one Perf_cost row per call after the warm-up batches (SeBS's result.csv: memory, type,
 * is_cold, exec_time, connection_time, client_time, provider_time, mem_used, plus the batch, the
 * call's identifiers and the platform's signal), and one Perf_cost_statistics row per run type
 * (SeBS's `statistics`: samples_generated, failures, incorrect, cold_count, with the calls sent,
 * the batches and the first 20 failure messages). Times are seconds (SeBS writes µs): exec_time = execution_end −
 * execution_start, client_time = invocation_end − invocation_start, latency = execution_start −
 * invocation_start. connection_time (SeBS: curl's PRETRANSFER), provider_time (the cloud's log
 * or billing time) and mem_used (the cloud's report) are not measured here and stay NULL.
 * `process` gives SeBS's statistics (./stats.ts) of client_time and exec_time in ms per run type,
 * cold and warm apart.
 *
 * Memory sizes: SeBS reruns everything for each of `memory-sizes` ([128, 256] in its example),
 * updating the function's memory first. No provider here can change a function's memory, so
 * `memory_sizes` is empty by default (the function as deployed, `memory` NULL; SeBS writes 0), and
 * a run asking for sizes is refused before it calls anything.
 *
 * What differs from SeBS, and why:
 * - SeBS's loop has no bound: a cold run on a platform that cannot force cold starts (SeBS's
 *   issues #104, #172: local and OpenWhisk), or a function that always fails, loops forever. Here a
 *   run type stops with an error after `max_empty_batches` (10) batches in a row that kept no
 *   sample, so a type makes at most 1 + repetitions × (1 + max_empty_batches) batches. The bound
 *   counts batches without progress rather than batches in all, because how many samples a batch
 *   gives is the platform's: the embedded platform starts one replica for a burst from zero, so a
 *   cold batch of 50 calls gives one cold sample and a cold run needs 51 batches.
 * - SeBS's statistics put the kept samples under `samples_generated` (its own variable of that
 *   name, the calls sent, is never written); here samples_generated is the kept samples, as SeBS
 *   writes it, and `invocations` the calls sent.
 * - A warm run's cold calls are counted (`dropped`); SeBS left them out silently.
 * - The warm-up batch's calls are recorded (not kept), so what was discarded can be seen.
 *
 * Time: `batch_wait` is in the reference's seconds, waited at the run's time scale; the calls
 * themselves are the platform's. With the defaults against the embedded platform at
 * `--time-scale 60`: 64 s measured (cold: 51 batches of 50 calls, one cold each, ~50 s; warm and
 * burst: 2 batches; sequential: 51 single calls). On a provider that cannot force cold starts each
 * cold or burst batch waits the coldtime (1200 s, 20 s at 60): a platform starting one instance
 * per burst then needs 51 of them for the cold run.
 */
import { z } from 'zod';
import type { CallResult, InvocationRow } from '../benchmarker.js';
import { groupStatistics } from '../stats.js';
import type { StoreRow, TableDefinition } from '../store/contract.js';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { amount, count, functionName, seconds } from './params.js';

export const PERF_COST_TYPES = ['cold', 'warm', 'burst', 'sequential'] as const;
export type PerfCostType = (typeof PERF_COST_TYPES)[number];

const listFromText = (v: unknown) => {
  const t = typeof v === 'string' ? v.trim() : v;
  if (typeof t !== 'string') return t;
  return t === '' ? [] : t.split(',').map((s) => s.trim());
};

export const perfCostParams = z.object({
  function_name: functionName('function1'),
  /** Run types, in order: a list, or text as `cold,warm`. */
  experiments: z
    .preprocess(listFromText, z.array(z.enum(PERF_COST_TYPES)).min(1))
    .default([...PERF_COST_TYPES]),
  /** Samples kept per run type. */
  repetitions: count(50),
  /** Calls released together per batch (1 in a sequential run). */
  concurrent_invocations: count(50),
  /**
   * Memory sizes (MB) to rerun everything with; empty (the default) is the function as deployed.
   * SeBS's example has [128, 256]; no provider here can change a function's memory.
   */
  memory_sizes: z
    .preprocess((v) => {
      const list = listFromText(v);
      return Array.isArray(list) ? list.map((s) => (typeof s === 'string' ? Number(s) : s)) : list;
    }, z.array(z.number().int().positive()))
    .default([]),
  /** Seconds of busy work per call (SeBS's benchmark input; 0: none, the bare call). */
  throughput_time: amount(0),
  /** Wait before and after each batch (SeBS: 5 s). */
  batch_wait: seconds(5),
  /** Batches in a row that keep no sample before a run type gives up. */
  max_empty_batches: count(10),
});
export type PerfCostParams = z.infer<typeof perfCostParams>;

export const PERF_COST: TableDefinition = {
  name: 'Perf_cost',
  description:
    "perf-cost: one row per call (SeBS's result.csv), times in seconds; kept = counted as a sample of its run type",
  columns: {
    memory: 'integer',
    type: 'text',
    batch: 'integer',
    thread_id: 'integer',
    is_cold: 'boolean',
    platform_cold: 'boolean',
    kept: 'boolean',
    exec_time: 'real',
    connection_time: 'real',
    client_time: 'real',
    provider_time: 'real',
    mem_used: 'real',
    latency: 'real',
    platform_cold_start_ms: 'real',
    invocation_id: 'text',
    instance_identifier: 'text',
    container_id: 'text',
  },
};

export const PERF_COST_STATISTICS: TableDefinition = {
  name: 'Perf_cost_statistics',
  description: "perf-cost: one row per run type (SeBS's statistics), with the calls sent and the batches",
  columns: {
    memory: 'integer',
    type: 'text',
    concurrent_invocations: 'integer',
    batches: 'integer',
    invocations: 'integer',
    samples_generated: 'integer',
    failures: 'integer',
    incorrect: 'integer',
    dropped: 'integer',
    cold_count: 'integer',
    failure_messages: 'json',
    error: 'text',
  },
};

/**
 * Whether a call was cold: the root entry's marker `is_cold` (SeBS's), else the platform's
 * cold-start wait (> 0 ms) where it says; undefined when neither says.
 */
export function coldOf(root: InvocationRow): boolean | undefined {
  if (typeof root.is_cold === 'boolean') return root.is_cold;
  return platformCold(root);
}

/** The platform's signal alone: it waited for a replica to start (undefined where it does not say). */
export function platformCold(root: InvocationRow): boolean | undefined {
  return root.platform_cold_start_ms === undefined ? undefined : root.platform_cold_start_ms > 0;
}

/** Failure messages kept per run type (SeBS kept them all; the count is `failures`). */
const MAX_FAILURE_MESSAGES = 20;

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** One run type's counts (a Perf_cost_statistics row without memory, type and error). */
interface TypeCounts {
  batches: number;
  invocations: number;
  samples: number;
  failures: number;
  incorrect: number;
  dropped: number;
  cold: number;
  messages: string[];
}

/** Runs one type until `repetitions` samples are kept; records its rows and its statistics. */
export async function runPerfCostType(
  ctx: ExperimentContext,
  p: PerfCostParams,
  type: PerfCostType,
  memory: number | null = null,
): Promise<void> {
  const fn = p.function_name;
  const n = type === 'sequential' ? 1 : p.concurrent_invocations;
  const args = p.throughput_time > 0 ? { throughput_time: ctx.work(p.throughput_time) } : {};
  const counts: TypeCounts = {
    batches: 0,
    invocations: 0,
    samples: 0,
    failures: 0,
    incorrect: 0,
    dropped: 0,
    cold: 0,
    messages: [],
  };
  const fail = (r: CallResult & { ok: false }) => {
    counts.failures++;
    if (counts.messages.length < MAX_FAILURE_MESSAGES)
      counts.messages.push(`${r.error.type}: ${r.error.message}`.slice(0, 500));
  };
  const statistics = (error?: string): StoreRow => ({
    memory,
    type,
    concurrent_invocations: n,
    batches: counts.batches,
    invocations: counts.invocations,
    samples_generated: counts.samples,
    failures: counts.failures,
    incorrect: counts.incorrect,
    dropped: counts.dropped,
    cold_count: counts.cold,
    failure_messages: counts.messages,
    error: error ?? null,
  });

  if (type === 'sequential') {
    ctx.progress(`perf-cost ${type}: warm-up call`);
    const warmup = await ctx.bench.invoke(fn, args);
    counts.invocations++;
    if (!warmup.ok) fail(warmup);
  }
  let empty = 0;
  while (counts.samples < p.repetitions) {
    if (empty >= p.max_empty_batches) {
      const why =
        type === 'cold'
          ? 'no call was cold: can the provider force cold starts, and does the function say is_cold?'
          : type === 'warm'
            ? 'no call was warm'
            : 'every call failed';
      const error = `perf-cost ${type}: ${empty} batches in a row kept no sample (${counts.samples} of ${p.repetitions} after ${counts.batches} batches): ${why}`;
      ctx.record(PERF_COST_STATISTICS.name, [statistics(error)]);
      throw new Error(error);
    }
    const batch = counts.batches;
    if (type === 'cold' || type === 'burst') await ctx.goCold(fn);
    ctx.progress(
      `perf-cost ${type}: batch ${batch}${batch === 0 ? ' (warm-up)' : ''}, ${counts.samples} of ${p.repetitions} samples`,
      p.batch_wait,
    );
    await ctx.time.wait(p.batch_wait);
    const results =
      n === 1 ? [await ctx.bench.invoke(fn, args)] : await ctx.bench.invokeConcurrently(fn, n, args);
    counts.batches++;
    counts.invocations += results.length;
    const rows: StoreRow[] = [];
    let kept = 0;
    for (const [thread, result] of results.entries()) {
      if (!result.ok) {
        fail(result);
        continue;
      }
      const root = result.rows[0] as InvocationRow;
      const cold = coldOf(root);
      let keep = batch > 0;
      if (keep && type === 'cold' && cold !== true) {
        keep = false;
        counts.incorrect++;
      } else if (keep && type === 'warm' && cold !== false) {
        keep = false;
        counts.dropped++;
      }
      if (keep) {
        kept++;
        counts.samples++;
        if (cold) counts.cold++;
      }
      rows.push({
        memory,
        type,
        batch,
        thread_id: thread,
        is_cold: cold ?? null,
        platform_cold: platformCold(root) ?? null,
        kept: keep,
        exec_time: finiteOrNull(Number(root.execution_end) - Number(root.execution_start)),
        connection_time: null,
        client_time: root.invocation_end - root.invocation_start,
        provider_time: null,
        mem_used: null,
        latency: finiteOrNull(root.latency),
        platform_cold_start_ms: root.platform_cold_start_ms ?? null,
        invocation_id: root.identifier,
        instance_identifier: root.instance_identifier === undefined ? null : String(root.instance_identifier),
        container_id: root.container_id === undefined ? null : String(root.container_id),
      });
    }
    if (rows.length > 0) ctx.record(PERF_COST.name, rows);
    if (batch > 0) empty = kept === 0 ? empty + 1 : 0;
    ctx.progress(
      `perf-cost ${type}: batch ${batch} done, ${counts.samples} of ${p.repetitions} samples`,
      p.batch_wait,
    );
    await ctx.time.wait(p.batch_wait);
  }
  ctx.record(PERF_COST_STATISTICS.name, [statistics()]);
}

/** SeBS's statistics of the kept samples (ms), per run type, cold apart from warm. */
export function perfCostSummary(recorded: ReadonlyMap<string, readonly StoreRow[]>): Record<string, unknown> {
  const rows = recorded.get(PERF_COST.name) ?? [];
  const kept = rows.filter((r) => r.kept === true);
  const group = (r: StoreRow) => (r.is_cold === true ? 'cold' : r.is_cold === false ? 'warm' : 'unknown');
  const types: Record<string, unknown> = {};
  const statistics = recorded.get(PERF_COST_STATISTICS.name) ?? [];
  // A run that failed part-way has rows of its last type but no statistics row for it.
  const names = [...new Set([...statistics, ...rows].map((r) => String(r.type)))];
  for (const type of names) {
    const s = statistics.find((r) => r.type === type);
    const ofType = kept.filter((r) => r.type === type);
    types[type] = {
      samples: s?.samples_generated ?? ofType.length,
      ...(s
        ? {
            invocations: s.invocations,
            batches: s.batches,
            failures: s.failures,
            incorrect: s.incorrect,
            dropped: s.dropped,
            cold_count: s.cold_count,
          }
        : { complete: false }),
      ...(s?.error ? { error: s.error } : {}),
      client_time_ms: groupStatistics(ofType, group, (r) => Number(r.client_time) * 1000),
      exec_time_ms: groupStatistics(ofType, group, (r) => Number(r.exec_time) * 1000),
    };
  }
  const both = rows.filter((r) => typeof r.is_cold === 'boolean' && typeof r.platform_cold === 'boolean');
  return {
    memory: rows[0]?.memory ?? null,
    types,
    cold_signals: {
      calls: both.length,
      disagree: both.filter((r) => r.is_cold !== r.platform_cold).length,
    },
  };
}

export const perfCost = defineExperiment({
  name: 'perf-cost',
  origin: 'sebs',
  description:
    'cold, warm, burst and sequential runs of 50 samples (bursts of 50): client and execution times, cold apart from warm',
  params: perfCostParams,
  tables: [PERF_COST, PERF_COST_STATISTICS],
  async prepare(_ctx, p) {
    if (p.memory_sizes.length > 0) {
      throw new Error(
        `memory_sizes ${p.memory_sizes.join(', ')}: no provider here can change a function's memory (SeBS updates the function for each size); leave memory_sizes empty to measure the function as deployed`,
      );
    }
  },
  async run(ctx, p) {
    for (const type of p.experiments) await runPerfCostType(ctx, p, type);
  },
  process: perfCostSummary,
});
