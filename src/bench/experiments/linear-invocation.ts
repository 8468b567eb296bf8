/**
 * linear-invocation (faas-benchmarker): how a function's calls spread between warm and cold when
 * it is called over and over. Every function goes cold once (ctx.goCold: forced where the
 * provider can, else one coldtime wait), then function1, function2, function3 and monolith are
 * called 1000 times each, one after the other, without arguments. A function waits, cold, while
 * the ones before it run, so the first call of each is a cold start.
 *
 * Rows: the Benchmarker's Invocation rows, and a Chain_link row per call (./chains.ts; a chain of
 * one link, whose hop is the call's latency, execution_start − invocation_start). The summary,
 * from those: per function, the calls, the cold ones (the replica's marker) and the median
 * latency over all, warm and cold calls.
 *
 * As the reference, apart from: a failed call is an Error row and the run goes on (the reference
 * sent it again up to 5 times and then ended the experiment), and the functions are parameters.
 */
import { z } from 'zod';
import { CHAIN_LINK, chainLinkSummaries, goColdAll, recordChainCall } from './chains.js';
import { defineExperiment } from './contract.js';
import { count, functionNames } from './params.js';

export const linearInvocationParams = z.object({
  function_names: functionNames(['function1', 'function2', 'function3', 'monolith']),
  /** Calls of each function. */
  calls: count(1000),
});
export type LinearInvocationParams = z.infer<typeof linearInvocationParams>;

export const linearInvocation = defineExperiment({
  name: 'linear-invocation',
  origin: 'faas-benchmarker',
  description:
    'after a cold wait, 1000 sequential calls of each of function1, function2, function3, monolith',
  params: linearInvocationParams,
  tables: [CHAIN_LINK],
  async prepare(ctx, p) {
    await goColdAll(ctx, p.function_names);
  },
  async run(ctx, p) {
    for (const fn of p.function_names) {
      ctx.progress(`${p.calls} calls of ${fn}`);
      for (let i = 0; i < p.calls; i++) recordChainCall(ctx, await ctx.bench.invoke(fn));
    }
  },
  process(recorded) {
    const functions = chainLinkSummaries(recorded.get(CHAIN_LINK.name) ?? []).flatMap((c) =>
      c.links.slice(0, 1).map((l) => ({
        function_name: l.function_name,
        calls: l.calls,
        cold: l.cold,
        median_latency: l.median_hop,
        median_latency_warm: l.median_hop_warm,
        median_latency_cold: l.median_hop_cold,
      })),
    );
    return { functions };
  },
});
