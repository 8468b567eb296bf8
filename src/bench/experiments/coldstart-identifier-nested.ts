/**
 * coldstart-identifier-nested (faas-benchmarker): coldstart-identifier (./coldstart-identifier.ts)
 * measured function to function: function2 is called with one nested call of function3
 * (`invoke_nested`), and a probe is cold when the instance that answered the *nested* call
 * (function3's `instance_identifier`) is not the one that answered it the time before. Two
 * stages only, as the reference: idle 60 s steps, back one and 20 s steps at the first cold
 * probe, the cold probe at 20 s the candidate, confirmed by 5 cold probes in a row (a warm one:
 * +20 s and count again). The idle time counts from the start of the call before. One Coldstart
 * row per probe (`invo_id` the nested entry's identifier, benchmark 0, threads 1, `final` on the
 * last confirmation, which is a change of identity).
 *
 * Differences from the reference: both functions go cold first (the reference slept 65 min;
 * here `ctx.goCold`, one wait covering both, or each forced); the first call only sets the
 * identity to compare with (the reference also measured 50 warm calls to check that it was a
 * cold start, which an identity search does not need); and the final row is recorded on a
 * confirmed change of identity (the reference recorded final when the identifier was unchanged:
 * inverted).
 */
import { z } from 'zod';
import { coldstartRows, idleSearchSummary, nestedProbe } from './cold-probes.js';
import { searchByIdentity } from './coldstart-identifier.js';
import { defineExperiment } from './contract.js';
import { goColdBoth } from './latency-threshold.js';
import { count, functionName, numbers, seconds } from './params.js';

export const COLDSTART_IDENTIFIER_NESTED_STEPS = [60, 20] as const;

export const coldstartIdentifierNestedParams = z.object({
  function_name: functionName('function2'),
  /** The function `function_name` calls, whose instance is followed. */
  nested_function: functionName('function3'),
  steps: numbers(COLDSTART_IDENTIFIER_NESTED_STEPS),
  confirmations: count(5),
  /** Give up past this idle time (24 h). */
  max_seconds: seconds(24 * 3600),
});
export type ColdstartIdentifierNestedParams = z.infer<typeof coldstartIdentifierNestedParams>;

export const coldstartIdentifierNested = defineExperiment({
  name: 'coldstart-identifier-nested',
  origin: 'faas-benchmarker',
  description:
    "idle time until a nested function's instance is reclaimed, told by a new instance answering (60 → 20 s)",
  params: coldstartIdentifierNestedParams,
  async prepare(ctx, p) {
    await goColdBoth(ctx, p.nested_function, p.function_name);
  },
  async run(ctx, p) {
    const probe = nestedProbe(ctx, p);
    const search = await searchByIdentity(ctx, probe, p);
    ctx.record('Coldstart', coldstartRows(search, { threads: 1, benchmark: 0 }));
  },
  process: idleSearchSummary,
});
