/**
 * basic-weakest-link (faas-benchmarker): a chain call's time in the steady state, link by link.
 * Every function of the chain monolith → function1 → function2 → function3 goes cold once
 * (ctx.goCold: forced where the provider can, else one coldtime wait), then the client calls the
 * chain 1000 times, one after the other; the nested payloads hold only the next call, as the
 * reference's (no sleep, no busy work). The first call starts every link cold, the rest find them
 * warm.
 *
 * Rows: the Benchmarker's Invocation rows, every link's entry of every call, and a Chain_link row
 * per link of every call (./chains.ts: its position, the replica's cold marker and its hop, from
 * its caller being ready to call it to its start). The summary, from those: per link, the calls,
 * the cold ones, the median hop over all, warm and cold calls, and the weakest link (the largest
 * median hop).
 *
 * As the reference, apart from: a failed call is an Error row and the run goes on (the reference
 * sent it again up to 5 times and then ended the experiment), and the chain's functions are
 * parameters.
 */
import { z } from 'zod';
import { CHAIN_LINK, chainArgs, chainLinkSummaries, goColdAll, recordChainCall } from './chains.js';
import { defineExperiment } from './contract.js';
import { count, functionNames } from './params.js';

export const basicWeakestLinkParams = z.object({
  /** The chain, the function the client calls first. */
  function_names: functionNames(['monolith', 'function1', 'function2', 'function3']),
  calls: count(1000),
});
export type BasicWeakestLinkParams = z.infer<typeof basicWeakestLinkParams>;

export const basicWeakestLink = defineExperiment({
  name: 'basic-weakest-link',
  origin: 'faas-benchmarker',
  description: '1000 sequential calls of the chain monolith→function1→function2→function3 after a cold wait',
  params: basicWeakestLinkParams,
  tables: [CHAIN_LINK],
  async prepare(ctx, p) {
    await goColdAll(ctx, p.function_names);
  },
  async run(ctx, p) {
    const chain = p.function_names;
    const args = chainArgs(chain);
    ctx.progress(`${p.calls} calls of ${chain.join('>')}`);
    for (let i = 0; i < p.calls; i++) recordChainCall(ctx, await ctx.bench.invoke(chain[0] as string, args));
  },
  process(recorded) {
    const chains = chainLinkSummaries(recorded.get(CHAIN_LINK.name) ?? []);
    return { chains };
  },
});
