/**
 * growing-load-spikes (faas-benchmarker): how the platform absorbs sudden spikes over a steady
 * base load, as the spikes grow and then shrink. The spikes are N = 8, 16 … 264 (`spike_start`
 * plus `number_of_spikes` = 32 increments of 8: 33 values, the reference's `increment_list`),
 * then 264 … 8 again (66 spikes, the peak twice in a row). For each spike, twice (`iterations`):
 * a 30 s baseline of calls to `function1` one every 0.3 s, one at a time (the next waits for the
 * answer, as the reference's), then one burst of N concurrent calls, awaited. Every call does
 * `throughput_time` 0.1 s of work. No cold wait first (the reference slept none either).
 * The reference's description says the spikes grow "by 16 until 128"; its code, followed here,
 * grows them by 8 to 264.
 *
 * Time scale: the baseline keeps its rate (a call every 0.3 real seconds) over 30 / time_scale
 * real seconds: max(1, round(100 / time_scale)) calls, evenly spaced (2 at 60). A burst is
 * instantaneous and keeps its N. The reference slept 0.3 s after each answer, so its baseline's
 * period was 0.3 s plus the call (about 0.4 s at 0.1 s of work: ~70 calls per 30 s, not 100);
 * here the calls keep a 0.3 s period (a late answer makes the next call go at once), so the
 * rate does not depend on the call's duration, which a time scale does not shrink.
 *
 * Rows: the Benchmarker's Invocation and Error rows, as the reference (it had no table of its
 * own), and one Load_spike row per burst (this experiment's table): the burst's errors, success
 * rate, latency and distinct instances, and how many of those had not answered the baseline just
 * before (the instances the spike made the platform start), with the baseline's calls and errors.
 */
import { z } from 'zod';
import type { CallResult } from '../benchmarker.js';
import type { StoreRow, TableDefinition } from '../store/contract.js';
import { defineExperiment } from './contract.js';
import { paced, rootsOf, scaledCount, summarizeCalls } from './load-shapes.js';
import { amount, count, functionName, seconds } from './params.js';

export const growingLoadSpikesParams = z.object({
  function_name: functionName('function1'),
  /** Seconds of busy work per call, baseline and spikes alike. */
  throughput_time: amount(0.1),
  /** The first (smallest) spike, what each next one adds, and how many times. */
  spike_start: count(8),
  spike_increment: count(8, 0),
  number_of_spikes: count(32, 0),
  /** Baseline and spike per spike size. */
  iterations: count(2),
  baseline_seconds: seconds(30),
  baseline_every: seconds(0.3),
});
export type GrowingLoadSpikesParams = z.infer<typeof growingLoadSpikesParams>;

/** The spike sizes: start, start + increment … (n increments), then back down. */
export function spikeSizes(
  p: Pick<GrowingLoadSpikesParams, 'spike_start' | 'spike_increment' | 'number_of_spikes'>,
): number[] {
  const up = Array.from({ length: p.number_of_spikes + 1 }, (_, i) => p.spike_start + i * p.spike_increment);
  return [...up, ...[...up].reverse()];
}

export const LOAD_SPIKE: TableDefinition = {
  name: 'Load_spike',
  description: 'growing-load-spikes: one row per burst over the base load',
  columns: {
    exp_id: 'text',
    /** 1 for the first spike, up to 66. */
    spike: 'integer',
    iteration: 'integer',
    numb_threads: 'integer',
    errors: 'integer',
    success_rate: 'real',
    mean_latency: 'real',
    max_latency: 'real',
    instances: 'integer',
    /** Instances of the burst that had not answered the baseline before it. */
    new_instances: 'integer',
    baseline_calls: 'integer',
    baseline_errors: 'integer',
  },
};

export const growingLoadSpikes = defineExperiment({
  name: 'growing-load-spikes',
  origin: 'faas-benchmarker',
  description: 'bursts of 8 … 264 calls and back down, each after 30 s of a call every 0.3 s',
  params: growingLoadSpikesParams,
  tables: [LOAD_SPIKE],
  async run(ctx, p) {
    const payload = { throughput_time: ctx.work(p.throughput_time) };
    const sizes = spikeSizes(p);
    const baselineCalls = scaledCount(p.baseline_seconds / p.baseline_every, ctx.timeScale);
    for (const [s, n] of sizes.entries()) {
      for (let iteration = 0; iteration < p.iterations; iteration++) {
        ctx.progress(
          `spike ${s + 1} of ${sizes.length} (${n} calls, ${iteration + 1} of ${p.iterations}): baseline`,
          p.baseline_seconds,
        );
        const baseline: CallResult[] = [];
        await paced(ctx, p.baseline_seconds, baselineCalls, async () => {
          baseline.push(await ctx.bench.invoke(p.function_name, payload));
        });
        ctx.progress(`spike ${s + 1} of ${sizes.length}: ${n} calls at once`);
        const burst = await ctx.bench.invokeConcurrently(p.function_name, n, payload);
        const seen = new Set(rootsOf(baseline).map((r) => String(r.instance_identifier ?? '')));
        const summary = summarizeCalls(burst);
        const burstInstances = new Set(rootsOf(burst).map((r) => String(r.instance_identifier ?? '')));
        const row: StoreRow = {
          spike: s + 1,
          iteration,
          numb_threads: n,
          errors: summary.errors,
          success_rate: 1 - summary.errors / n,
          mean_latency: summary.mean_latency,
          max_latency: summary.max_latency,
          instances: summary.instances,
          new_instances: [...burstInstances].filter((i) => !seen.has(i)).length,
          baseline_calls: baseline.length,
          baseline_errors: baseline.filter((r) => !r.ok).length,
        };
        ctx.record(LOAD_SPIKE.name, [row]);
      }
    }
  },
  process(recorded) {
    const rows = recorded.get(LOAD_SPIKE.name) ?? [];
    const worst = rows.reduce<StoreRow | undefined>(
      (w, r) => (w === undefined || Number(r.success_rate) < Number(w.success_rate) ? r : w),
      undefined,
    );
    return {
      spikes: rows.length,
      errors: rows.reduce((a, r) => a + Number(r.errors) + Number(r.baseline_errors), 0),
      min_success_rate: worst ? Number(worst.success_rate) : Number.NaN,
      worst_spike: worst ? Number(worst.numb_threads) : undefined,
      max_instances: Math.max(0, ...rows.map((r) => Number(r.instances))),
    };
  },
});
