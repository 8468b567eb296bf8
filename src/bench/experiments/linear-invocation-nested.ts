/**
 * linear-invocation-nested (faas-benchmarker): linear-invocation measured from function to
 * function. For each function in turn (function1, function2, function3, monolith): it and the
 * function after it go cold (ctx.goCold: forced where the provider can, else one coldtime wait),
 * then the client calls it 1000 times, one after the other, each call making one nested call of
 * the next function, cyclically: function1 → function2, function2 → function3, function3 →
 * monolith, monolith → function1 (the nested payload is empty, as the reference's).
 *
 * Rows: the Benchmarker's Invocation rows, the nested entry of every call with its caller's, and
 * a Chain_link row per entry (./chains.ts): its position, the replica's cold marker and its hop;
 * the nested entry's hop runs from its caller being ready to call it to its start, the
 * function-to-function latency the reference measured. The summary, from those: per pair, each
 * link's calls, cold ones and median hop over all, warm and cold calls.
 *
 * What differs from the reference: it waited the coldtime once before the first function and
 * again at the start of each function's round, so twice before the first; here once per round. A
 * failed call is an Error row and the run goes on (the reference sent it again up to 5 times and
 * then ended the experiment).
 */
import { z } from 'zod';
import { CHAIN_LINK, chainArgs, chainLinkSummaries, goColdAll, recordChainCall } from './chains.js';
import { defineExperiment } from './contract.js';
import { count, functionNames } from './params.js';

export const linearInvocationNestedParams = z.object({
  /** Each calls the next, the last the first. */
  function_names: functionNames(['function1', 'function2', 'function3', 'monolith']),
  /** Calls of each function. */
  calls: count(1000),
});
export type LinearInvocationNestedParams = z.infer<typeof linearInvocationNestedParams>;

/** Each function and the one it calls: the next, the last calling the first. */
export function cyclicPairs(fns: readonly string[]): [string, string][] {
  return fns.map((fn, i) => [fn, fns[(i + 1) % fns.length] as string]);
}

export const linearInvocationNested = defineExperiment({
  name: 'linear-invocation-nested',
  origin: 'faas-benchmarker',
  description: 'for each function, from cold: 1000 sequential calls, each calling the next function (cyclic)',
  params: linearInvocationNestedParams,
  tables: [CHAIN_LINK],
  async run(ctx, p) {
    for (const pair of cyclicPairs(p.function_names)) {
      await goColdAll(ctx, pair);
      const args = chainArgs(pair);
      ctx.progress(`${p.calls} calls of ${pair.join('>')}`);
      for (let i = 0; i < p.calls; i++) recordChainCall(ctx, await ctx.bench.invoke(pair[0], args));
    }
  },
  process(recorded) {
    return { chains: chainLinkSummaries(recorded.get(CHAIN_LINK.name) ?? []) };
  },
});
