/**
 * simple-cold-function-nested (faas-benchmarker): simple-cold-function (./simple-cold-function.ts)
 * measured function to function: function1 is called with one nested call of function2
 * (`invoke_nested`), and the nested entry's latency (execution_start − invocation_start of
 * function2's entry, as ./cold-probes.ts reads it: the reference's invocation_start there is the
 * moment function1 called it) is the one compared with the threshold, in the threshold phase and
 * in the search alike. Otherwise identical: 100 warm calls, ranks 20..79, threshold 2 × mean or the
 * floor (lowered where cold starts are faster: see ./latency-threshold.ts), idle steps 300, 60, 20 s,
 * 5 confirmations; one Coldstart row per probe, its `invo_id` the nested entry's identifier.
 *
 * Differences from the reference: those of simple-cold-function; and both functions go cold
 * before the measurement (one wait covers both; forced, each is forced), as the reference's first
 * 65-min sleep did.
 */
import { z } from 'zod';
import { nestedProbe } from './cold-probes.js';
import { defineExperiment } from './contract.js';
import { goColdBoth, runLatencySearch, simpleColdParams } from './latency-threshold.js';
import { functionName } from './params.js';
import { latencySearchSummary } from './simple-cold-function.js';

export const simpleColdFunctionNestedParams = z.object({
  function_name: functionName('function1'),
  /** The function `function_name` calls, whose latency is measured. */
  nested_function: functionName('function2'),
  ...simpleColdParams(100),
});
export type SimpleColdFunctionNestedParams = z.infer<typeof simpleColdFunctionNestedParams>;

export const simpleColdFunctionNested = defineExperiment({
  name: 'simple-cold-function-nested',
  origin: 'faas-benchmarker',
  description:
    'idle time until a nested function is reclaimed, told by its function-to-function latency (300 → 60 → 20 s)',
  params: simpleColdFunctionNestedParams,
  async prepare(ctx, p) {
    await goColdBoth(ctx, p.nested_function, p.function_name);
  },
  async run(ctx, p) {
    const probe = nestedProbe(ctx, p);
    await runLatencySearch(ctx, probe, p, 1);
  },
  process: latencySearchSummary,
});
