/**
 * coldtime-large-functions (faas-benchmarker): whether a larger function (more code, more
 * dependencies) starts slower from cold. For `function1`, then the monolith (the reference's
 * "large function": 8 × the code and Arrow, pandas, numpy): 10 rounds of 10 calls one at a time,
 * the function let go cold after each round, so each round's first call is a cold start and the
 * other nine are warm; then the same with `throughput_time` 0.2 s of work per call. The functions
 * are let go cold before the first round too (the reference slept its coldtime first), and not
 * after a function's very last round (the reference waited there for nothing: the next function
 * has been idle, so cold, since the start). Payloads:
 * `throughput_times` 0 and 0.2; 0 sends no `throughput_time` at all (the reference's first pass
 * sent an empty payload, so the monolith runs a function of its choice on `args` 10).
 *
 * Time scale: throughput_time is work, divided by the time scale; cold waits are forced where the
 * provider can, else the coldtime (scaled). On the embedded platform both functions are the same
 * Node process, so the monolith's extra size is small: the comparison is meaningful on a platform
 * whose monolith image carries more.
 *
 * Rows: the Benchmarker's Invocation and Error rows, as the reference (which had no table of its
 * own), and one Cold_round row per round (this experiment's table): the first call's latency and
 * whether the instance and the platform said it was cold, the mean latency of the other calls,
 * and the round's errors. Differs from the reference: a failed call is an Error row and the round
 * goes on (the reference sent it again up to 5 times and ended the experiment when all failed).
 */
import { z } from 'zod';
import type { CallResult } from '../benchmarker.js';
import type { StoreRow, TableDefinition } from '../store/contract.js';
import { defineExperiment } from './contract.js';
import { goColdAll, summarizeCalls } from './load-shapes.js';
import { count, functionNames, numbers } from './params.js';

export const coldtimeLargeFunctionsParams = z.object({
  /** The standard function, then the large one. */
  function_names: functionNames(['function1', 'monolith']),
  /** A pass of rounds per value, per function; 0 sends no throughput_time. */
  throughput_times: numbers([0, 0.2]),
  rounds: count(10),
  calls_per_round: count(10),
});
export type ColdtimeLargeFunctionsParams = z.infer<typeof coldtimeLargeFunctionsParams>;

export const COLD_ROUND: TableDefinition = {
  name: 'Cold_round',
  description: 'coldtime-large-functions: one row per round of calls after a cold wait',
  columns: {
    exp_id: 'text',
    function_name: 'text',
    /** The reference's seconds of work per call (0: none sent). */
    throughput_time: 'real',
    /** 1 … rounds. */
    round: 'integer',
    calls: 'integer',
    errors: 'integer',
    /** The round's first call: latency, the instance's cold marker, the platform's cold-start ms. */
    first_latency: 'real',
    first_is_cold: 'boolean',
    first_platform_cold_start_ms: 'real',
    /** Mean latency of the round's other calls (NaN when none succeeded). */
    warm_mean_latency: 'real',
  },
};

/** A round's Cold_round row from its calls, in order. */
export function coldRoundRow(
  fn: string,
  throughputTime: number,
  round: number,
  results: readonly CallResult[],
): StoreRow {
  const [first, ...rest] = results;
  const firstRow = first?.ok ? first.rows[0] : undefined;
  const warm = summarizeCalls(rest);
  return {
    function_name: fn,
    throughput_time: throughputTime,
    round,
    calls: results.length,
    errors: results.filter((r) => !r.ok).length,
    first_latency: firstRow ? firstRow.latency : Number.NaN,
    first_is_cold: typeof firstRow?.is_cold === 'boolean' ? firstRow.is_cold : null,
    first_platform_cold_start_ms: firstRow?.platform_cold_start_ms ?? null,
    warm_mean_latency: warm.mean_latency,
  };
}

const mean = (xs: number[]) => {
  const finite = xs.filter(Number.isFinite);
  return finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : Number.NaN;
};

export const coldtimeLargeFunctions = defineExperiment({
  name: 'coldtime-large-functions',
  origin: 'faas-benchmarker',
  description:
    'cold-start latency of function1 against the larger monolith: 10 rounds of 10 calls after a cold wait',
  params: coldtimeLargeFunctionsParams,
  tables: [COLD_ROUND],
  async prepare(ctx, p) {
    await goColdAll(ctx, p.function_names);
  },
  async run(ctx, p) {
    for (const fn of p.function_names) {
      for (const [pass, t] of p.throughput_times.entries()) {
        const last = pass === p.throughput_times.length - 1;
        const payload = t > 0 ? { throughput_time: ctx.work(t) } : {};
        for (let round = 1; round <= p.rounds; round++) {
          ctx.progress(`${fn}${t > 0 ? ` (throughput_time ${t} s)` : ''}: round ${round} of ${p.rounds}`);
          const results: CallResult[] = [];
          for (let i = 0; i < p.calls_per_round; i++) results.push(await ctx.bench.invoke(fn, payload));
          ctx.record(COLD_ROUND.name, [coldRoundRow(fn, t, round, results)]);
          // After the function's last round nothing of it follows: the next function is cold already.
          if (!(last && round === p.rounds)) await ctx.goCold(fn);
        }
      }
    }
  },
  process(recorded) {
    const rows = recorded.get(COLD_ROUND.name) ?? [];
    const groups = new Map<string, StoreRow[]>();
    for (const r of rows) {
      const key = `${r.function_name}\u0000${r.throughput_time}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return {
      groups: [...groups.values()].map((g) => ({
        function_name: g[0]?.function_name,
        throughput_time: g[0]?.throughput_time,
        rounds: g.length,
        cold_mean_latency: mean(g.map((r) => Number(r.first_latency))),
        warm_mean_latency: mean(g.map((r) => Number(r.warm_mean_latency))),
        errors: g.reduce((a, r) => a + Number(r.errors), 0),
      })),
    };
  },
});
