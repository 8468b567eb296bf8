/**
 * weakest-link (faas-benchmarker): which link of a chain of functions dominates a chain call. The
 * chain function1 → function2 → function3 → monolith: the client calls function1 with one nested
 * call, and each nested payload asks `throughput_time` 1 s of busy work (at the run's time scale)
 * and holds the next call, as the reference's (the root itself does no work). For hot = 0, 1, 2,
 * 3 and 4, 5 iterations each: every function of the chain goes cold, the first `hot` links are
 * called once each on their own (pre-warmed), then the chain is called once. Then the same with
 * the reversed chain (monolith → function3 → function2 → function1) and hot = 1: 30 chain calls,
 * 30 cold waits.
 *
 * Rows: the Benchmarker's Invocation rows (every link's entry, pre-warming calls included), and a
 * Chain_link row per link of each chain call (./chains.ts): the chain, the link's position, the
 * replica's cold marker, when it started after the client's call (`start_offset`) and its `hop`
 * (from its caller being ready to call it to its start, i.e. the call's transport and any cold
 * start), with hot, iteration and whether the link was pre-warmed. The summary: per chain and
 * hot, each link's median hop and the weakest link, the one with the largest.
 *
 * What differs from the reference:
 * - Pre-warming `hot` calls warms the first `hot` links of the chain, one call each (function1,
 *   then function2, …). The reference called the root `hot` times (its loop logged
 *   `invoke_order[n]` but called `invoke_order[0]`), so every hot ≥ 1 warmed function1 alone
 *   and hot = 2, 3, 4 repeated hot = 1. Its own description says what was meant: "first invoking
 *   function 1 and function 2 such that they are hot … function3 … should be the only cold
 *   start", the first links; with hot = k the first cold link is the (k+1)-th.
 * - The functions go cold before each iteration, not after it: the first iteration starts cold
 *   as well (the reference's started from whatever state its deployment left), and no wait
 *   follows the last one. Every function of the chain goes cold (ctx.goCold: forced where the
 *   provider can, else one coldtime wait that they all idle through).
 * - A failed call is an Error row and the iteration goes on; the reference sent it again up to 5
 *   times (the later tries finding the chain's replicas warm) and then ended the experiment.
 */
import { z } from 'zod';
import type { StoreRow } from '../store/contract.js';
import {
  CHAIN_LINK,
  type ChainSummary,
  chainArgs,
  goColdAll,
  groupChainLinks,
  recordChainCall,
  summariseLinks,
} from './chains.js';
import { defineExperiment } from './contract.js';
import { amount, count, functionNames, numbers } from './params.js';

export const weakestLinkParams = z
  .object({
    /** The chain, the function the client calls first. */
    function_names: functionNames(['function1', 'function2', 'function3', 'monolith']),
    /** Seconds of busy work of each nested link. */
    throughput_time: amount(1),
    /** How many links are pre-warmed: one round of iterations for each. */
    hot: numbers([0, 1, 2, 3, 4]),
    iterations: count(5),
    /** How many links of the reversed chain are pre-warmed (its one round). */
    reversed_hot: count(1, 0),
  })
  .refine(
    (p) => [...p.hot, p.reversed_hot].every((h) => Number.isInteger(h) && h <= p.function_names.length),
    {
      message: 'hot and reversed_hot: whole numbers of links, at most the chain length',
      path: ['hot'],
    },
  );
export type WeakestLinkParams = z.infer<typeof weakestLinkParams>;

/** The rounds of the experiment: the chain and how many of its links are pre-warmed. */
export function weakestLinkRounds(p: WeakestLinkParams): { chain: string[]; hot: number }[] {
  return [
    ...p.hot.map((hot) => ({ chain: [...p.function_names], hot })),
    { chain: [...p.function_names].reverse(), hot: p.reversed_hot },
  ];
}

/** Per chain and hot, in the order they ran: each link's median hop and the weakest link. */
export function weakestLinkSummary(rows: readonly StoreRow[]): (ChainSummary & { hot: number })[] {
  const rounds = groupChainLinks(rows, (r) => `${String(r.chain)}|${Number(r.hot)}`);
  return [...rounds.entries()].map(([key, calls]) => {
    const [chain, hot] = key.split('|') as [string, string];
    return { hot: Number(hot), ...summariseLinks(chain, calls) };
  });
}

export const weakestLink = defineExperiment({
  name: 'weakest-link',
  origin: 'faas-benchmarker',
  description:
    'a chain function1→function2→function3→monolith from cold, its first 0..4 links pre-warmed: which link dominates',
  params: weakestLinkParams,
  tables: [CHAIN_LINK],
  async run(ctx, p) {
    for (const { chain, hot } of weakestLinkRounds(p)) {
      const args = chainArgs(chain, { throughput_time: ctx.work(p.throughput_time) });
      for (let iteration = 0; iteration < p.iterations; iteration++) {
        await goColdAll(ctx, chain);
        ctx.progress(`${chain.join('>')}, ${hot} pre-warmed: iteration ${iteration + 1} of ${p.iterations}`);
        for (const fn of chain.slice(0, hot)) await ctx.bench.invoke(fn);
        const result = await ctx.bench.invoke(chain[0] as string, args);
        recordChainCall(ctx, result, (link) => ({ hot, iteration, prewarmed: link.position < hot }));
      }
    }
  },
  process(recorded) {
    const rounds = weakestLinkSummary(recorded.get(CHAIN_LINK.name) ?? []);
    return { chain_calls: rounds.reduce((a, r) => a + r.calls, 0), rounds };
  },
});
