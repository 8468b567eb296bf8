/**
 * What the load-shaped experiments (scenario-pyramid, growing-load-spikes) and the repeated-call
 * ones (throughput-benchmarking, coldtime-large-functions) share: ticks paced over a duration at
 * the run's time scale, a pool bounding the calls in flight, cold waits for several functions,
 * and a summary of a group of calls.
 *
 * Time scale: a load keeps its rate while its duration shrinks. A phase of `seconds` (the
 * reference's) with `ticks` ticks in the reference lasts `seconds / timeScale` real seconds and
 * has max(1, round(ticks / timeScale)) ticks, evenly spaced over it: the real time between two
 * ticks stays the reference's, and a phase is never empty. Ticks keep their times by deadlines
 * from the phase's start (a tick that returns late makes the next one go at once), not by a sleep
 * after each one, so the calls' own time does not stretch the phase.
 */
import type { CallResult, InvocationRow } from '../benchmarker.js';
import type { ExperimentContext } from './contract.js';

/** Ticks of a phase at the run's time scale: the reference's `ticks` divided by it, rounded, at least 1. */
export function scaledCount(ticks: number, timeScale: number): number {
  return Math.max(1, Math.round(ticks / timeScale));
}

/**
 * Runs `tick(0)` … `tick(count − 1)` evenly over `seconds` (the reference's): tick i at
 * i × seconds / count from the start, then waits until the phase's end. A tick that returns a
 * promise is awaited before the next (sequential calls); one that only starts calls returns
 * nothing. Stops (throws) when the run is aborted.
 */
export async function paced(
  ctx: ExperimentContext,
  seconds: number,
  count: number,
  tick: (i: number) => unknown,
): Promise<void> {
  const start = ctx.time.nowSeconds();
  const every = seconds / count;
  for (let i = 0; i < count; i++) {
    ctx.signal.throwIfAborted();
    await tick(i);
    const wait = start + (i + 1) * every - ctx.time.nowSeconds();
    if (wait > 0) await ctx.time.wait(wait);
  }
}

/**
 * At most `size` tasks running at once; the others wait their turn, in order (the reference's
 * ThreadPoolExecutor: work submitted to a full pool is queued, not dropped). A task is one tick:
 * one call, or one burst of concurrent calls.
 */
export class CallPool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Tasks that had to wait for a free slot. */
  delayed = 0;
  /** The most tasks running at once. */
  peak = 0;

  constructor(readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.size) this.running++;
    else {
      this.delayed++;
      // The slot is handed over by the task that ends (running stays as it is).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.peak = Math.max(this.peak, this.running);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * Lets every function of `fns` go cold: forced one by one where the provider can, else one wait
 * of the coldtime for all (they idle together). Returns the reference seconds waited.
 */
export async function goColdAll(ctx: ExperimentContext, fns: readonly string[]): Promise<number> {
  let waited = 0;
  for (const fn of new Set(fns)) {
    if (waited > 0) break;
    waited += await ctx.goCold(fn);
  }
  return waited;
}

/** The root row (the call answered) of each successful call. */
export function rootsOf(results: readonly CallResult[]): InvocationRow[] {
  return results.flatMap((r) => (r.ok && r.rows[0] ? [r.rows[0]] : []));
}

export interface CallsSummary {
  calls: number;
  errors: number;
  /** Mean and largest execution_start − invocation_start of the successful calls (NaN if none). */
  mean_latency: number;
  max_latency: number;
  /** Distinct instances that answered. */
  instances: number;
}

export function summarizeCalls(results: readonly CallResult[]): CallsSummary {
  const roots = rootsOf(results);
  const latencies = roots.map((r) => r.latency).filter(Number.isFinite);
  return {
    calls: results.length,
    errors: results.length - roots.length,
    mean_latency: latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : Number.NaN,
    max_latency: latencies.length > 0 ? Math.max(...latencies) : Number.NaN,
    instances: new Set(roots.map((r) => String(r.instance_identifier ?? ''))).size,
  };
}
