/**
 * simple-cold-function (faas-benchmarker): how long a function may stay idle before its instance
 * is reclaimed, told by latency: a call is cold when L = execution_start − invocation_start is
 * above a threshold measured first.
 *
 * Algorithm (./latency-threshold.ts): function3 is let go cold (the reference slept 65 min; here
 * `ctx.goCold` in prepare). The threshold: one call on the fresh instance (the cold reference),
 * then 100 calls 1 s apart; the mean of their latencies' ranks 20..79; threshold = 2 × that mean
 * if it is above 0.22 s, else 1.0 s. While the cold reference is not above the threshold: sleep
 * 40 min and measure again, 20 min longer each time, failing past 2 h. Then the idle-time search
 * (./idle-search.ts): idle 300 s steps, back one and 60 s steps at the first cold probe, back one
 * and 20 s steps at the next, the cold probe at 20 s the candidate, confirmed by 5 cold probes in
 * a row (a warm one: +20 s and count again). The idle time counts from the start of the call
 * before, as a platform counts it. One Coldstart row per probe (`benchmark` = the threshold,
 * threads 1, `final` on the last confirmation); the summary is the idle time found.
 *
 * Differences from the reference, deliberate:
 * - Where warm calls are faster than 0.22 s, the 1.0 s floor is lowered to the geometric midpoint
 *   of the cold reference's latency and the warm calls' bound, when that is below it:
 *   dfaas's embedded platform starts a replica in ~0.1–0.3 s (0.5–2.5 s on a busy machine, varying
 *   within a run), so under the floor few or no calls would be cold. `threshold_floor` sets the
 *   floor, `threshold_rule: reference` keeps the reference's rule (./latency-threshold.ts says why).
 * - Each retry compares its own cold reference with its threshold (the reference compared the
 *   first attempt's cold latency with every later threshold).
 * - The search gives up 24 h after the threshold phase began, as the reference, keeping its rows.
 * - All durations are the reference's seconds, waited at the run's time scale.
 */
import { z } from 'zod';
import type { StoreRow } from '../store/contract.js';
import { identityProbe, idleSearchSummary } from './cold-probes.js';
import { defineExperiment } from './contract.js';
import { runLatencySearch, simpleColdParams } from './latency-threshold.js';
import { functionName } from './params.js';

export const simpleColdFunctionParams = z.object({
  function_name: functionName('function3'),
  ...simpleColdParams(100),
});
export type SimpleColdFunctionParams = z.infer<typeof simpleColdFunctionParams>;

/** The idle time found, and the threshold the search used. */
export function latencySearchSummary(recorded: ReadonlyMap<string, readonly StoreRow[]>) {
  const threshold = recorded.get('Coldstart')?.[0]?.benchmark;
  return { ...idleSearchSummary(recorded), threshold: threshold === undefined ? null : Number(threshold) };
}

export const simpleColdFunction = defineExperiment({
  name: 'simple-cold-function',
  origin: 'faas-benchmarker',
  description:
    'idle time until an instance is reclaimed, told by latency above a measured threshold (300 → 60 → 20 s)',
  params: simpleColdFunctionParams,
  async prepare(ctx, p) {
    await ctx.goCold(p.function_name);
  },
  async run(ctx, p) {
    await runLatencySearch(ctx, identityProbe(ctx, p.function_name), p, 1);
  },
  process: latencySearchSummary,
});
