/**
 * eviction-model (SeBS, sebs/experiments/eviction_model.py): whether an instance left idle for t
 * seconds is still there. For each idle time t of `times` and each of `repetitions`: the function
 * is let go cold (`ctx.goCold`, forced where the provider can), called (the first call, expected
 * cold: it starts a new instance), and called again t seconds after the first call started; the
 * second call's cold flag says whether the instance survived t. A call is told cold by the
 * replica's marker `is_cold` (SeBS's), else by the platform's cold-start wait where it says (see
 * perf-cost.ts, `coldOf`); where neither says, by whether the same instance answered.
 *
 * Numbers: SeBS's original grid of idle times, 1, 2, 4, 8, 15, 30, 60, 120, 180, 240, 300, 360,
 * 480, 600, 720, 900, 1080, 1200 s (commit 58970278; its current code keeps only t = 1 s, one
 * copy, a "temporal fix"), and its `repetitions` 5.
 *
 * Parallel copies: SeBS deployed one function copy per t and ran them all at once, so a
 * repetition lasted its longest t. A function's instance can only be measured by one (t, repetition)
 * pair at a time (any other call would reset its idle time), so here the pairs are spread over
 * `function_names`, by default the four lab functions, each function running its pairs one after
 * the other, all functions at once (longest t first, each pair to the function with the least
 * idle time so far). The grid sums to 6,300 s per repetition; over four functions, five
 * repetitions take 31,500 / 4 = 7,875 s of idle time per function, 131 s at `--time-scale 60`,
 * plus about 1 s per pair on the embedded platform (a forced cold start and a cold first call):
 * about 2.5 minutes in all (155 s measured), against 525 s + 90 pairs one function after the
 * other. It stays at SeBS's 5 repetitions because the run is almost all waiting, which overlaps
 * with other experiments at no cost; `repetitions=4` takes about 2 minutes.
 *
 * The copies are different functions, so an instance's idle time is only its own function's
 * calls'; what they share is the machine (cold starts at
 * the same moment compete for CPU, which slows them but does not reclaim instances) and, on a
 * platform that reclaims by memory pressure rather than by idle time, its memory. The monolith
 * has the same lab contract; its cold start is not what is measured. `function_names=function1`
 * runs the pairs one after the other on one function.
 *
 * Against the embedded platform with scale-to-zero after 5 s (300 reference seconds at time
 * scale 60, decided every 0.25 s), every instance survived up to 240 s, 4 of 5 at 300 s, none from
 * 360 s on.
 *
 * Table Eviction: one row per (t, repetition): the function, the idle time asked (`idle`) and the
 * one there was (`idle_actual`, reference seconds from the first call's start to the second's),
 * the two calls' cold flags, whether the same instance answered, `survived`, and both calls'
 * instance, container and invocation ids. `process` gives the smallest t at which an eviction
 * was seen and the largest at which an instance survived, and the counts per t.
 *
 * What differs from SeBS, and why:
 * - The idle time counts from the first call's start, as a platform counts an instance's idle
 *   time (the embedded platform and coldstart-identifier here do too): SeBS slept t minus the time
 *   since the first call had returned (≈ 0), so it counted from the call's end. When the first call
 *   lasts longer than t (at `--time-scale 60` a 0.2 s cold start is 12 reference seconds) the
 *   second call follows at once and `idle_actual` says how long it was; SeBS's `time.sleep` of a
 *   negative time raised instead.
 * - The function is let go cold before each first call. SeBS's enforcement is commented out, so
 *   its first call was cold only on a fresh deployment (it logged an error otherwise); here a
 *   first call that is not cold is still recorded (`first_cold` false) and counted in `process`.
 * - A failed second call is a row with the error (SeBS's `second_res` was then unbound: the
 *   repetition ended in a NameError); a failed first call is a row without a second call.
 * - SeBS's TCP "server reply" check that all copies were alive at once (040.server-reply) is not
 *   needed: the copies here run on one platform the experiment observes directly.
 *
 * Time: every t is in the reference's seconds, waited at the run's time scale; the calls are the
 * platform's, so at a high time scale the short t's end before the first call does (above).
 */
import { z } from 'zod';
import type { CallResult, InvocationRow } from '../benchmarker.js';
import type { StoreRow, TableDefinition } from '../store/contract.js';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { count, functionNames, numbers } from './params.js';
import { coldOf } from './perf-cost.js';

/** SeBS's original idle times, seconds. */
export const EVICTION_TIMES = [
  1, 2, 4, 8, 15, 30, 60, 120, 180, 240, 300, 360, 480, 600, 720, 900, 1080, 1200,
] as const;

export const evictionModelParams = z.object({
  /** Functions measured at once, each with its share of the (t, repetition) pairs. */
  function_names: functionNames(['function1', 'function2', 'function3', 'monolith']),
  /** Idle times, seconds. */
  times: numbers(EVICTION_TIMES),
  repetitions: count(5),
});
export type EvictionModelParams = z.infer<typeof evictionModelParams>;

export const EVICTION: TableDefinition = {
  name: 'Eviction',
  description:
    'eviction-model: one row per (idle time, repetition): a call, t seconds idle, a call; survived when the second was warm',
  columns: {
    function_name: 'text',
    idle: 'real',
    repetition: 'integer',
    idle_actual: 'real',
    first_cold: 'boolean',
    second_cold: 'boolean',
    same_instance: 'boolean',
    survived: 'boolean',
    first_instance: 'text',
    second_instance: 'text',
    first_container: 'text',
    second_container: 'text',
    first_invocation: 'text',
    second_invocation: 'text',
    error: 'text',
  },
};

export interface EvictionPair {
  idle: number;
  repetition: number;
}

/**
 * The pairs each function measures, in order: longest idle time first, each to the function
 * with the least idle time so far (the first such one), so that all end about together.
 */
export function evictionSchedule(
  functions: readonly string[],
  times: readonly number[],
  repetitions: number,
): Map<string, EvictionPair[]> {
  const pairs = Array.from({ length: repetitions }, (_, repetition) =>
    times.map((idle) => ({ idle, repetition })),
  )
    .flat()
    .sort((a, b) => b.idle - a.idle || a.repetition - b.repetition);
  const names = [...new Set(functions)];
  const schedule = new Map(names.map((f) => [f, [] as EvictionPair[]]));
  const load = new Map(names.map((f) => [f, 0]));
  for (const pair of pairs) {
    const fn = names.reduce((best, f) => ((load.get(f) ?? 0) < (load.get(best) ?? 0) ? f : best));
    schedule.get(fn)?.push(pair);
    load.set(fn, (load.get(fn) ?? 0) + pair.idle);
  }
  return schedule;
}

const text = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const failure = (r: CallResult & { ok: false }) => `${r.error.type}: ${r.error.message}`.slice(0, 500);

/** One pair: cold, a call, idle `idle` from its start, a call. */
export async function measureEviction(
  ctx: ExperimentContext,
  fn: string,
  pair: EvictionPair,
): Promise<StoreRow> {
  await ctx.goCold(fn);
  const start = ctx.time.nowSeconds();
  const first = await ctx.bench.invoke(fn);
  const row: StoreRow = { function_name: fn, idle: pair.idle, repetition: pair.repetition };
  if (!first.ok) return { ...row, error: `first call: ${failure(first)}` };
  const a = first.rows[0] as InvocationRow;
  Object.assign(row, {
    first_cold: coldOf(a) ?? null,
    first_instance: text(a.instance_identifier),
    first_container: text(a.container_id),
    first_invocation: a.identifier,
  });
  const wait = Math.max(0, start + pair.idle - ctx.time.nowSeconds());
  ctx.progress(`eviction-model: ${fn} idle ${pair.idle} s (repetition ${pair.repetition + 1})`, wait);
  await ctx.time.wait(wait);
  const secondStart = ctx.time.nowSeconds();
  const second = await ctx.bench.invoke(fn);
  row.idle_actual = secondStart - start;
  if (!second.ok) return { ...row, error: `second call: ${failure(second)}` };
  const b = second.rows[0] as InvocationRow;
  const cold = coldOf(b);
  const same =
    a.instance_identifier === undefined || b.instance_identifier === undefined
      ? undefined
      : a.instance_identifier === b.instance_identifier;
  return {
    ...row,
    second_cold: cold ?? null,
    same_instance: same ?? null,
    survived: cold !== undefined ? !cold : (same ?? null),
    second_instance: text(b.instance_identifier),
    second_container: text(b.container_id),
    second_invocation: b.identifier,
  };
}

/** What the rows say: where evictions begin, where instances still survive, and the counts per t. */
export function evictionSummary(recorded: ReadonlyMap<string, readonly StoreRow[]>): Record<string, unknown> {
  const rows = recorded.get(EVICTION.name) ?? [];
  const idles = (survived: boolean) => rows.filter((r) => r.survived === survived).map((r) => Number(r.idle));
  const evicted = idles(false);
  const survived = idles(true);
  const smallestEvicted = evicted.length > 0 ? Math.min(...evicted) : null;
  const largestSurvived = survived.length > 0 ? Math.max(...survived) : null;
  const byIdle = [...new Set(rows.map((r) => Number(r.idle)))]
    .sort((a, b) => a - b)
    .map((idle) => {
      const at = rows.filter((r) => Number(r.idle) === idle);
      return {
        idle,
        survived: at.filter((r) => r.survived === true).length,
        evicted: at.filter((r) => r.survived === false).length,
        unknown: at.filter((r) => typeof r.survived !== 'boolean').length,
      };
    });
  return {
    pairs: rows.length,
    smallest_evicted: smallestEvicted,
    largest_survived: largestSurvived,
    /** Every survival below every eviction: one idle timeout explains the rows. */
    consistent:
      smallestEvicted === null || largestSurvived === null ? true : largestSurvived < smallestEvicted,
    first_not_cold: rows.filter((r) => r.first_cold === false).length,
    failed: rows.filter((r) => r.error).length,
    by_idle: byIdle,
  };
}

export const evictionModel = defineExperiment({
  name: 'eviction-model',
  origin: 'sebs',
  description:
    'does an instance survive t s idle (t = 1 s … 1200 s, 5 times each)? a cold call, t s, a call: warm means it survived',
  params: evictionModelParams,
  tables: [EVICTION],
  async run(ctx, p) {
    const schedule = evictionSchedule(p.function_names, p.times, p.repetitions);
    const chains = [...schedule.entries()].map(async ([fn, pairs]) => {
      for (const pair of pairs) {
        if (ctx.signal.aborted) return;
        ctx.record(EVICTION.name, [await measureEviction(ctx, fn, pair)]);
      }
    });
    // Every chain ends before the run does, even when one fails.
    const failed = (await Promise.allSettled(chains)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  },
  process: evictionSummary,
});
