/**
 * simple-cold-function-threaded-twelve (faas-benchmarker): simple-cold-function
 * (./simple-cold-function.ts) where every call is a burst of 12 concurrent calls of function2,
 * each with `throughput_time` 0.2 s of work (at the run's time scale), averaged field-wise: the
 * burst's latency is the mean of its successful calls' latencies (the mean execution_start − the
 * mean invocation_start, as the reference's field-wise average), its `invo_id` the first
 * successful call's identifier. The threshold phase: one burst on a fresh function (the
 * reference slept 45 min; here `ctx.goCold` in prepare), then 50 bursts 1 s apart, the mean of
 * ranks 10..39; threshold 2 × mean or the floor (lowered where cold starts are faster: see
 * ./latency-threshold.ts). The search: idle 300, 60, 20 s steps, 5 confirmations; one Coldstart row
 * per burst with threads 12.
 *
 * Differences from the reference: those of simple-cold-function; and every confirmation row says
 * cold iff the burst's latency is *above* the threshold. The reference's twelve-thread search
 * recorded `cold = L < threshold` in its verification (inverted; at the snapshot read, in
 * time-to-cold-start-twelve-threads, the variant this one replaced).
 */
import { z } from 'zod';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { type LatencyProbe, runLatencySearch, simpleColdParams } from './latency-threshold.js';
import { amount, count, functionName } from './params.js';
import { latencySearchSummary } from './simple-cold-function.js';

export const simpleColdFunctionThreadedTwelveParams = z.object({
  function_name: functionName('function2'),
  /** Concurrent calls per probe. */
  threads: count(12),
  /** Seconds of busy work per call (at the run's time scale). */
  throughput_time: amount(0.2),
  ...simpleColdParams(50),
});
export type SimpleColdFunctionThreadedTwelveParams = z.infer<typeof simpleColdFunctionThreadedTwelveParams>;

/**
 * `threads` concurrent calls of `fn` as one probe: their mean latency, and the first successful
 * call's identifier; throws when every call failed. Idle time counts from the burst's start.
 */
export function burstProbe(
  ctx: ExperimentContext,
  fn: string,
  threads: number,
  args: Record<string, unknown>,
): LatencyProbe {
  let lastStart = ctx.time.nowSeconds();
  return {
    async call() {
      lastStart = ctx.time.nowSeconds();
      const results = await ctx.bench.invokeConcurrently(fn, threads, args);
      const roots = results.flatMap((r) => (r.ok && r.rows[0] ? [r.rows[0]] : []));
      const first = roots[0];
      if (!first) {
        const failed = results.find((r) => !r.ok);
        const why = failed && !failed.ok ? `${failed.error.type}: ${failed.error.message}` : 'no answer';
        throw new Error(`all ${threads} calls of ${fn} failed (${why})`);
      }
      return {
        latency: roots.reduce((a, r) => a + r.latency, 0) / roots.length,
        invocation: first.identifier,
      };
    },
    async idleFor(idleSeconds) {
      await ctx.time.wait(Math.max(0, lastStart + idleSeconds - ctx.time.nowSeconds()));
    },
  };
}

export const simpleColdFunctionThreadedTwelve = defineExperiment({
  name: 'simple-cold-function-threaded-twelve',
  origin: 'faas-benchmarker',
  description:
    'idle time until reclaim, told by the mean latency of 12 concurrent calls above a threshold (300 → 60 → 20 s)',
  params: simpleColdFunctionThreadedTwelveParams,
  async prepare(ctx, p) {
    await ctx.goCold(p.function_name);
  },
  async run(ctx, p) {
    const probe = burstProbe(ctx, p.function_name, p.threads, {
      throughput_time: ctx.work(p.throughput_time),
    });
    await runLatencySearch(ctx, probe, p, p.threads);
  },
  process: latencySearchSummary,
});
