/**
 * function-lifetime (faas-benchmarker): how long a busy instance lives. From a new instance (the
 * caller lets the function go cold first, where the reference slept its coldtime), the function
 * is called once every `baseline_every` for `baseline_seconds` (the reference: every
 * 10 s for 300 s), then every `coldtime / 2` (often enough never to be idle long enough to be
 * reclaimed) until the instance that answers changes, or for at most `max_seconds` (24 h). One
 * Function_lifetime row: the first instance, the one that replaced it (if any), how long the
 * first lived (hours, minutes, seconds since the first call), and whether it was reclaimed. Every
 * wait is in the reference's seconds (ctx.time); the clock is injected so the algorithm is tested without waiting.
 */
import { z } from 'zod';
import type { StoreRow } from '../store/contract.js';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { functionName, seconds } from './params.js';

export const functionLifetimeParams = z.object({
  function_name: functionName('function1'),
  baseline_seconds: seconds(300),
  baseline_every: seconds(10),
  max_seconds: seconds(24 * 3600),
});
export type FunctionLifetimeParams = z.infer<typeof functionLifetimeParams>;

/** The reference's Function_lifetime row (without exp_id, which the store adds). */
export interface FunctionLifetimeRow extends StoreRow {
  /** The instance that replaced the first one ('' when none did). */
  instance_identifier: string;
  orig_identifier: string;
  hours: number;
  minutes: number;
  seconds: number;
  /** The interval of the calls after the baseline, in the reference's seconds. */
  sleep_time: number;
  reclaimed: boolean;
}

export async function runFunctionLifetime(
  ctx: ExperimentContext,
  params: FunctionLifetimeParams,
): Promise<FunctionLifetimeRow> {
  const { time } = ctx;
  let lastStart = time.nowSeconds();
  const identity = async (): Promise<string> => {
    lastStart = time.nowSeconds();
    const result = await ctx.bench.invoke(params.function_name);
    if (!result.ok)
      throw new Error(`${params.function_name} failed (${result.error.type}): ${result.error.message}`);
    return String(result.rows[0]?.instance_identifier ?? '');
  };
  const every = ctx.coldtimeSeconds / 2;
  const start = time.nowSeconds();
  const orig = await identity();
  const since = () => time.nowSeconds() - start;
  const row = (instance: string, reclaimed: boolean): FunctionLifetimeRow => {
    const lived = reclaimed ? since() : params.max_seconds;
    return {
      instance_identifier: instance,
      orig_identifier: orig,
      hours: Math.floor(lived / 3600),
      minutes: Math.floor((lived % 3600) / 60),
      seconds: lived % 60,
      sleep_time: every,
      reclaimed,
    };
  };
  while (since() < params.max_seconds) {
    const inBaseline = since() < params.baseline_seconds;
    const wait = inBaseline ? params.baseline_every : every;
    ctx.progress(`calling ${params.function_name} every ${wait} s until its instance changes`, wait);
    // Counted from the start of the call before, as the platform counts idle time: a slow call
    // does not stretch the gap (the reference slept after the answer, so it did).
    await time.wait(Math.max(0, lastStart + wait - time.nowSeconds()));
    if (since() >= params.max_seconds) break;
    const now = await identity();
    if (now !== orig) return row(now, true);
  }
  return row('', false);
}

export const functionLifetime = defineExperiment({
  name: 'function-lifetime',
  origin: 'faas-benchmarker',
  description:
    'how long a busy instance lives: a call every 10 s, then every coldtime / 2, until it is replaced',
  params: functionLifetimeParams,
  async prepare(ctx, p) {
    await ctx.goCold(p.function_name);
  },
  async run(ctx, p) {
    ctx.record('Function_lifetime', [await runFunctionLifetime(ctx, p)]);
  },
  process(recorded) {
    const row = recorded.get('Function_lifetime')?.[0];
    return row
      ? {
          lifetime_seconds: Number(row.hours) * 3600 + Number(row.minutes) * 60 + Number(row.seconds),
          reclaimed: row.reclaimed,
        }
      : {};
  },
});
