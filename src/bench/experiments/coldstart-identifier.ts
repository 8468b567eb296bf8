/**
 * coldstart-identifier (faas-benchmarker): how long a function may stay idle before its instance
 * is reclaimed, told by identity: a call is cold when the instance that answers
 * (`instance_identifier`) is not the one that answered the call before. The search is
 * ./idle-search.ts with 300, 60 and 10 s steps and 5 confirmations, in the reference's seconds
 * (waited at the run's time scale). The first call, on a fresh instance, only sets the identity
 * to compare with (the reference's cold reference call). The idle time counts from the start of
 * the call before, as a platform counts it (the reference slept after the call returned, so a
 * slow call lengthened the idle time it meant). One Coldstart row per probe, `final` on the last
 * confirmation (the reference recorded final when the identifier was unchanged: inverted).
 */
import { z } from 'zod';
import { coldstartRows, type IdentityProbe, identityProbe, idleSearchSummary } from './cold-probes.js';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { COLDSTART_IDENTIFIER_STEPS, type IdleSearchResult, searchIdleTime } from './idle-search.js';
import { count, functionName, numbers, seconds } from './params.js';

export const coldstartIdentifierParams = z.object({
  function_name: functionName('function1'),
  steps: numbers(COLDSTART_IDENTIFIER_STEPS),
  confirmations: count(5),
  /** Give up past this idle time (24 h). */
  max_seconds: seconds(24 * 3600),
});
export type ColdstartIdentifierParams = z.infer<typeof coldstartIdentifierParams>;

/** Searches by identity through `probe` (calls `fn`, nested or not, and says who answered). */
export async function searchByIdentity(
  ctx: ExperimentContext,
  probe: IdentityProbe,
  params: { steps: readonly number[]; confirmations: number; max_seconds: number },
): Promise<IdleSearchResult & { invocations: string[] }> {
  // The reference gave a whole search 24 h (max_seconds), counted from its first call.
  const deadline = ctx.time.nowSeconds() + params.max_seconds;
  let last = await probe.call();
  const invocations: string[] = [];
  const search = await searchIdleTime(
    async (idleSeconds) => {
      ctx.progress(`idle ${idleSeconds} s`, idleSeconds);
      await probe.idleFor(idleSeconds);
      const now = await probe.call();
      invocations.push(now.invocation);
      const cold = now.instance !== last.instance;
      last = now;
      return cold;
    },
    {
      stepsSeconds: params.steps,
      confirmations: params.confirmations,
      maxSeconds: params.max_seconds,
      outOfTime: (idleSeconds) => ctx.time.nowSeconds() + idleSeconds > deadline,
    },
  );
  return { ...search, invocations };
}

export const coldstartIdentifier = defineExperiment({
  name: 'coldstart-identifier',
  origin: 'faas-benchmarker',
  description: 'idle time until an instance is reclaimed, told by a new instance answering (300 → 60 → 10 s)',
  params: coldstartIdentifierParams,
  async prepare(ctx, p) {
    await ctx.goCold(p.function_name);
  },
  async run(ctx, p) {
    const search = await searchByIdentity(ctx, identityProbe(ctx, p.function_name), p);
    ctx.record('Coldstart', coldstartRows(search, { threads: 1, benchmark: 0 }));
  },
  process: idleSearchSummary,
});
