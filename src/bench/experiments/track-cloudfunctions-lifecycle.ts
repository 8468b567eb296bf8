/**
 * track-cloudfunctions-lifecycle (faas-benchmarker): which instances serve a load that shrinks
 * step by step, and how many of them are the ones that served it first.
 *
 * For each N in 10, 20, 40, 80 (`levels`), after letting function2 go cold (`ctx.goCold`; the
 * reference slept its coldtime): a first burst of N concurrent calls with `throughput_time` 0.2 s
 * of work each (at the run's time scale); while that burst was not spread over distinct instances
 * (some instance answered two of its calls), the work grows by 0.1 s and the burst is sent again,
 * up to 1.0 s. The instances of the last of these bursts are the *original* ones. Then for
 * i = 0..9 the load N − i·⌊N/10⌋, 5 rounds each, every round preceded by a 30 s wait: a burst of
 * that many concurrent calls with the work found. One Function_lifecycle row per burst (the first
 * burst's, then one per round, so 1 + 10 × 5 per N), as the reference:
 * - numb_invokations: the burst's calls; numb_invocations_orig: N; throughput_time: the work
 *   (reference seconds); errors: the calls that failed (or answered an `error`);
 * - unique_instances: distinct instances among the answers; distribution: calls / unique
 *   instances (null when none answered: the reference divided by zero); error_dist: errors / calls;
 * - diff_from_orig: distinct instances that are not original ones; identifiers: every answer's
 *   instance, sorted, comma-separated (repeats kept); repeats_from_orig: the distinct original
 *   instances that answered again, sorted, comma-separated (the first burst's row compares with no
 *   original ones: all its instances count as new).
 *
 * Time scale: the bursts are released at once, so only the waits (30 s rounds, the cold waits)
 * shrink under `--time-scale`, and the work each call does (`ctx.work`).
 *
 * Fixed: the reference's "spread over distinct instances" check compared a list's length with
 * a set (`len(ids) == set(ids)`), never true, so the work always rose to 1.0 s; here it is
 * `len(ids) == len(set(ids))` (and at least one answer), so the work stops rising once it is.
 * (A platform whose replica takes many calls at once, as the embedded one with max_inflight
 * unbounded, spreads no burst: there the work still rises to 1.0 s.)
 */
import { z } from 'zod';
import type { CallResult, InvocationRow } from '../benchmarker.js';
import type { StoreRow } from '../store/contract.js';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { amount, count, functionName, numbers, seconds } from './params.js';

export const trackCloudfunctionsLifecycleParams = z.object({
  function_name: functionName('function2'),
  /** The first burst's work per call (seconds, at the run's time scale) … */
  throughput_time: amount(0.2),
  /** … raised by this while the burst was not spread over distinct instances … */
  throughput_step: amount(0.1),
  /** … up to this. */
  throughput_max: amount(1.0),
  /** The starting loads N, one sweep each (a cold wait before each). */
  levels: numbers([10, 20, 40, 80]),
  /** Load steps per sweep: N − i·⌊N/10⌋ for i = 0 … steps − 1. */
  steps: count(10),
  /** Bursts per load step. */
  rounds: count(5),
  /** Wait before each round. */
  round_wait: seconds(30),
});
export type TrackCloudfunctionsLifecycleParams = z.infer<typeof trackCloudfunctionsLifecycleParams>;

/** The reference's Function_lifecycle row (without exp_id, which the store adds). */
export interface FunctionLifecycleRow extends StoreRow {
  function_name: string;
  numb_invokations: number;
  numb_invocations_orig: number;
  throughput_time: number;
  errors: number;
  unique_instances: number;
  distribution: number | null;
  error_dist: number;
  diff_from_orig: number;
  identifiers: string;
  repeats_from_orig: string;
}

/** A burst's answers: the instances of the calls that succeeded (repeats kept), and the errors. */
export function burstInstances(results: readonly CallResult[]): { instances: string[]; errors: number } {
  const roots = results.flatMap((r): InvocationRow[] => (r.ok && r.rows[0] ? [r.rows[0]] : []));
  const answered = roots.filter((r) => r.error === undefined || r.error === null);
  const instances = answered
    .map((r) => r.instance_identifier)
    .filter((id): id is string => typeof id === 'string' && id !== '');
  return { instances, errors: results.length - answered.length };
}

/** Every call of the burst answered by an instance of its own (the reference meant this). */
export function spreadOverDistinctInstances(instances: readonly string[]): boolean {
  return instances.length > 0 && instances.length === new Set(instances).size;
}

export function lifecycleRow(
  fields: { function_name: string; load: number; orig_load: number; throughput_time: number },
  burst: { instances: readonly string[]; errors: number },
  original: readonly string[],
): FunctionLifecycleRow {
  const distinct = [...new Set(burst.instances)];
  const orig = new Set(original);
  return {
    function_name: fields.function_name,
    numb_invokations: fields.load,
    numb_invocations_orig: fields.orig_load,
    throughput_time: fields.throughput_time,
    errors: burst.errors,
    unique_instances: distinct.length,
    distribution: distinct.length > 0 ? fields.load / distinct.length : null,
    error_dist: fields.load > 0 ? burst.errors / fields.load : 0,
    diff_from_orig: distinct.filter((id) => !orig.has(id)).length,
    identifiers: [...burst.instances].sort().join(','),
    repeats_from_orig: distinct
      .filter((id) => orig.has(id))
      .sort()
      .join(','),
  };
}

/** The loads of one sweep from N: N − i·⌊N/10⌋ for i = 0 … steps − 1. */
export function loadSteps(n: number, steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => n - i * Math.floor(n / 10)).filter((l) => l > 0);
}

/** One sweep from `n`: the first bursts (work rising), then the shrinking load; records a row per burst. */
export async function runLifecycleSweep(
  ctx: ExperimentContext,
  p: TrackCloudfunctionsLifecycleParams,
  n: number,
): Promise<FunctionLifecycleRow[]> {
  const fn = p.function_name;
  const burst = async (load: number, work: number) =>
    burstInstances(await ctx.bench.invokeConcurrently(fn, load, { throughput_time: ctx.work(work) }));
  // The work in whole steps from the first value, so 0.2 + 8 × 0.1 is 1.0 and not 0.9999….
  const maxSteps =
    p.throughput_step > 0
      ? Math.max(0, Math.round((p.throughput_max - p.throughput_time) / p.throughput_step))
      : 0;
  const workAt = (k: number) => Math.round((p.throughput_time + k * p.throughput_step) * 1e9) / 1e9;
  let k = 0;
  ctx.progress(`${n} calls at once, ${workAt(k)} s of work each`);
  let first = await burst(n, workAt(k));
  while (!spreadOverDistinctInstances(first.instances) && k < maxSteps) {
    k++;
    ctx.progress(`${n} calls shared instances: again with ${workAt(k)} s of work each`);
    first = await burst(n, workAt(k));
  }
  const throughput = workAt(k);
  const original = first.instances;
  const fields = (load: number) => ({ function_name: fn, load, orig_load: n, throughput_time: throughput });
  const rows: FunctionLifecycleRow[] = [];
  const record = (row: FunctionLifecycleRow) => {
    rows.push(row);
    ctx.record('Function_lifecycle', [row]);
  };
  record(lifecycleRow(fields(n), first, []));
  for (const load of loadSteps(n, p.steps)) {
    for (let round = 1; round <= p.rounds; round++) {
      ctx.progress(`load ${load} of ${n}, round ${round} of ${p.rounds}`, p.round_wait);
      await ctx.time.wait(p.round_wait);
      record(lifecycleRow(fields(load), await burst(load, throughput), original));
    }
  }
  return rows;
}

export const trackCloudfunctionsLifecycle = defineExperiment({
  name: 'track-cloudfunctions-lifecycle',
  origin: 'faas-benchmarker',
  description:
    'which instances serve a shrinking load (N = 10 … 80, then 10 steps down, 5 bursts each), and how many are the first ones',
  params: trackCloudfunctionsLifecycleParams,
  async run(ctx, p) {
    for (const n of p.levels) {
      await ctx.goCold(p.function_name);
      await runLifecycleSweep(ctx, p, n);
    }
  },
  process(recorded) {
    const rows = recorded.get('Function_lifecycle') ?? [];
    return {
      bursts: rows.length,
      errors: rows.reduce((a, r) => a + Number(r.errors), 0),
      max_unique_instances: Math.max(0, ...rows.map((r) => Number(r.unique_instances))),
      /** The work each sweep settled on, by its N. */
      throughput_time: Object.fromEntries(
        rows.map((r) => [String(r.numb_invocations_orig), Number(r.throughput_time)]),
      ),
    };
  },
});
