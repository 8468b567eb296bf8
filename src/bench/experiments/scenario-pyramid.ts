/**
 * scenario-pyramid (faas-benchmarker): how the platform follows a load that ramps up step by step
 * to a peak and back down. Four pyramids by default (functions, step, peak, seconds):
 * (function1+function2, 5, 200, 300), (function2+function3, 5, 200, 180),
 * (function3+function1, 5, 200, 60), (function1+function3, 10, 1000, 600); every call does
 * `throughput_time` 0.05 s of work, and the functions are let go cold before each pyramid.
 *
 * A pyramid: a 60 s baseline (a call every 0.333 s, ~3 per second), then the levels x = step,
 * 2·step … peak (⌊peak/step⌋ levels) up, then back down (the peak once), each for
 * seconds / levels (the level time), then the 60 s baseline again. At level x the reference sends
 * x calls over the level time, one per tick with sleep = level_time / x − 0.0016 s between ticks;
 * when that sleep is not above 0.1 s, each tick sends k calls at once, k the smallest (from 2)
 * for which level_time / ⌊x / k⌋ − 0.0016 ≥ 0.1, over ⌊x / k⌋ ticks (k stops at x: one tick of
 * all x, where the reference divided by zero). Tick i of a phase calls functions[i mod n], so the
 * functions alternate tick by tick, every phase starting with the first (the reference's
 * `baseline`). Ticks never wait for calls: a pool (the reference's ThreadPoolExecutor(50)) runs
 * at most `pool_size` ticks at once, and a tick that finds it full waits its turn (counted as
 * delayed): at most pool_size × k calls are in flight (850 at the defaults' largest k, 17).
 *
 * Time scale: a level lasts level_time / time_scale real seconds and keeps its rate: its ticks
 * (x, or ⌊x / k⌋) become max(1, round(ticks / time_scale)), evenly spaced over it, and its calls
 * (ticks · k) become ticks · k / time_scale shared among them, rounded, at least 1 and at most k
 * per tick. So x calls become ≈ x / time_scale (at least 1), and a tick keeps its k calls while the
 * scaled level still has whole ticks (level 200 of the first pyramid at 60: 198 / 60 → one tick
 * of 3 calls; of the third, 14 ticks of 14 → one tick of 3, not 14). The baselines the same (180
 * calls become 3 at 60). Ticks go by deadlines from the level's start, so the 0.0016 s the
 * reference subtracted (its cost of submitting a call) is not needed: it only decides k.
 *
 * Rows: one Pyramid row per level, up then down (2·levels − 1 per pyramid), after the pyramid's
 * calls have all ended: `increment_runtime` the level time (reference seconds), `sleep_time` the
 * real seconds between ticks, `threads_per_invocation` the calls per tick,
 * `invocations_for_increment` the calls the level sent, `total_invocations` / `total_errors` the
 * calls / failed calls of the pyramid's levels (baselines not counted). One Pyramid_level row per
 * level too (this experiment's table): calls, errors, delayed ticks, latency and distinct
 * instances of the level's calls.
 *
 * Fixed from the reference: `total_errors` counted every error since the experiment began (its
 * reset bound a local name), and missed calls that had not ended within 10 s of being looked at
 * after the tail: here each pyramid's own errors, every call awaited. `invocations_for_increment`
 * was x even where ⌊x / k⌋ · k calls were sent (198 at level 200 of the first pyramid): here
 * what was sent.
 */
import { z } from 'zod';
import type { CallResult } from '../benchmarker.js';
import type { StoreRow, TableDefinition } from '../store/contract.js';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { CallPool, goColdAll, paced, scaledCount, summarizeCalls } from './load-shapes.js';
import { amount, count, seconds } from './params.js';

/** The reference's estimate of the time to submit one call to its pool, seconds. */
export const SUBMIT_OVERHEAD = 0.0016;
/** Ticks closer than this send several calls at once (the reference's 0.1 s). */
export const MIN_SLEEP = 0.1;

export interface Pyramid {
  functions: string[];
  step: number;
  peak: number;
  seconds: number;
}

const DEFAULT_PYRAMIDS: readonly Pyramid[] = [
  { functions: ['function1', 'function2'], step: 5, peak: 200, seconds: 300 },
  { functions: ['function2', 'function3'], step: 5, peak: 200, seconds: 180 },
  { functions: ['function3', 'function1'], step: 5, peak: 200, seconds: 60 },
  { functions: ['function1', 'function3'], step: 10, peak: 1000, seconds: 600 },
];

const pyramidSchema = z
  .object({
    functions: z.array(z.string().min(1)).min(1),
    step: z.number().int().positive(),
    peak: z.number().int().positive(),
    seconds: z.number().positive(),
  })
  .refine((p) => p.peak >= p.step, { message: 'peak must be at least step' });

/** `function1+function2:5:200:300; function2+function3:5:200:180` as pyramids (else as it is). */
function pyramidsFromText(text: string): unknown {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [fns = '', step, peak, secs] = s.split(':').map((p) => p.trim());
      return {
        functions: fns.split('+').map((f) => f.trim()),
        step: Number(step),
        peak: Number(peak),
        seconds: Number(secs),
      };
    });
}

/** Pyramids: an array of {functions, step, peak, seconds}, or text as `fnA+fnB:step:peak:seconds; …`. */
function pyramids(defaults: readonly Pyramid[]) {
  return z
    .preprocess((v) => (typeof v === 'string' ? pyramidsFromText(v) : v), z.array(pyramidSchema).min(1))
    .default(defaults.map((p) => ({ ...p, functions: [...p.functions] })));
}

export const scenarioPyramidParams = z.object({
  pyramids: pyramids(DEFAULT_PYRAMIDS),
  /** Seconds of busy work per call. */
  throughput_time: amount(0.05),
  /** The baseline before and after each pyramid, and the time between its calls. */
  baseline_seconds: seconds(60),
  baseline_every: seconds(0.333),
  /** Ticks (one call, or k at once) running at most at once; the reference's pool of 50 threads. */
  pool_size: count(50),
});
export type ScenarioPyramidParams = z.infer<typeof scenarioPyramidParams>;

/** One level's plan, in the reference's terms (time scale 1). */
export interface PyramidLevel {
  /** x: the calls the level is for. */
  level: number;
  /** seconds / levels. */
  seconds: number;
  /** Calls per tick (k). */
  threads: number;
  /** Ticks over the level: x, or ⌊x / k⌋. */
  ticks: number;
  /** The reference's sleep between ticks: seconds / ticks − 0.0016. */
  sleep: number;
}

/** The levels of a pyramid going up (step, 2·step … peak), each with its k and ticks. */
export function pyramidLevels(p: Pick<Pyramid, 'step' | 'peak' | 'seconds'>): PyramidLevel[] {
  const levels = Math.floor(p.peak / p.step);
  const seconds = p.seconds / levels;
  return Array.from({ length: levels }, (_, i) => {
    const x = (i + 1) * p.step;
    let threads = 1;
    let ticks = x;
    let sleep = seconds / x - SUBMIT_OVERHEAD;
    // Bounded: k stops at x (one tick of every call), where the reference divided by zero.
    while (sleep < MIN_SLEEP && threads < x) {
      threads++;
      ticks = Math.floor(x / threads);
      sleep = seconds / ticks - SUBMIT_OVERHEAD;
    }
    return { level: x, seconds, threads, ticks, sleep };
  });
}

/**
 * A level at the run's time scale: its ticks ÷ time scale (rounded, at least 1), and its calls
 * (ticks · k) ÷ time scale shared among them (rounded, at least 1, at most k per tick).
 */
export function scaledLevel(plan: PyramidLevel, timeScale: number): { ticks: number; perTick: number } {
  const ticks = scaledCount(plan.ticks, timeScale);
  const perTick = Math.min(plan.threads, scaledCount((plan.ticks * plan.threads) / ticks, timeScale));
  return { ticks, perTick };
}

/** Up, then down without the peak again. */
export function pyramidShape(up: readonly PyramidLevel[]): { plan: PyramidLevel; direction: string }[] {
  return [
    ...up.map((plan, i) => ({ plan, direction: i === up.length - 1 ? 'peak' : 'up' })),
    ...up
      .slice(0, -1)
      .reverse()
      .map((plan) => ({ plan, direction: 'down' })),
  ];
}

export const PYRAMID_LEVEL: TableDefinition = {
  name: 'Pyramid_level',
  description: 'scenario-pyramid: what each level of a pyramid sent and got back',
  columns: {
    exp_id: 'text',
    /** 1 for the run's first pyramid. */
    pyramid: 'integer',
    functions: 'text',
    /** up, peak or down. */
    direction: 'text',
    level: 'integer',
    calls: 'integer',
    errors: 'integer',
    /** Ticks that waited for a free slot of the pool (the client, not the platform, was behind). */
    delayed: 'integer',
    mean_latency: 'real',
    max_latency: 'real',
    instances: 'integer',
  },
};

interface LevelRun {
  plan: PyramidLevel;
  direction: string;
  ticks: number;
  perTick: number;
  delayed: number;
  results: Promise<CallResult[]>[];
}

/** Runs one pyramid; returns its Pyramid and Pyramid_level rows. */
export async function runPyramid(
  ctx: ExperimentContext,
  p: ScenarioPyramidParams,
  pyramid: Pyramid,
  index: number,
): Promise<{ pyramid: StoreRow[]; levels: StoreRow[] }> {
  const pool = new CallPool(p.pool_size);
  const payload = { throughput_time: ctx.work(p.throughput_time) };
  const fns = pyramid.functions;
  const label = `pyramid ${index} (${fns.join(', ')})`;
  const started: Promise<CallResult[]>[] = [];
  /** Starts one tick of `k` calls of the phase's i-th function, through the pool. */
  const tick = (i: number, k: number, into: Promise<CallResult[]>[]) => {
    const fn = fns[i % fns.length] as string;
    const call = pool.run(() =>
      k === 1 ? ctx.bench.invoke(fn, payload).then((r) => [r]) : ctx.bench.invokeConcurrently(fn, k, payload),
    );
    // Awaited after the tail; until then a failure must not go unhandled.
    call.catch(() => {});
    into.push(call);
    started.push(call);
  };
  const baseline = async (which: string) => {
    ctx.progress(`${label}: ${which} baseline, a call every ${p.baseline_every} s`, p.baseline_seconds);
    const n = scaledCount(p.baseline_seconds / p.baseline_every, ctx.timeScale);
    await paced(ctx, p.baseline_seconds, n, (i) => tick(i, 1, []));
  };

  await baseline('first');
  const runs: LevelRun[] = [];
  for (const { plan, direction } of pyramidShape(pyramidLevels(pyramid))) {
    ctx.progress(`${label}: level ${plan.level} (${direction})`, plan.seconds);
    const { ticks, perTick } = scaledLevel(plan, ctx.timeScale);
    const run: LevelRun = { plan, direction, ticks, perTick, delayed: pool.delayed, results: [] };
    await paced(ctx, plan.seconds, ticks, (i) => tick(i, perTick, run.results));
    run.delayed = pool.delayed - run.delayed;
    runs.push(run);
  }
  await baseline('tail');
  ctx.progress(`${label}: waiting for the calls still running`);
  await Promise.all(started);

  const levels = await Promise.all(
    runs.map(async (run) => ({ run, summary: summarizeCalls((await Promise.all(run.results)).flat()) })),
  );
  const totalCalls = levels.reduce((a, l) => a + l.summary.calls, 0);
  const totalErrors = levels.reduce((a, l) => a + l.summary.errors, 0);
  return {
    pyramid: levels.map(({ run }) => ({
      provider: ctx.provider.name,
      total_runtime: pyramid.seconds,
      total_invocations: totalCalls,
      total_errors: totalErrors,
      increment: pyramid.step,
      peak_invocations: pyramid.peak,
      functions: fns.join(','),
      increment_runtime: run.plan.seconds,
      sleep_time: run.plan.seconds / run.ticks / ctx.timeScale,
      threads_per_invocation: run.perTick,
      invocations_for_increment: run.ticks * run.perTick,
    })),
    levels: levels.map(({ run, summary }) => ({
      pyramid: index,
      functions: fns.join(','),
      direction: run.direction,
      level: run.plan.level,
      delayed: run.delayed,
      ...summary,
    })),
  };
}

export const scenarioPyramid = defineExperiment({
  name: 'scenario-pyramid',
  origin: 'faas-benchmarker',
  description: 'load ramped up step by step to a peak and back down, four pyramids over pairs of functions',
  params: scenarioPyramidParams,
  tables: [PYRAMID_LEVEL],
  async prepare(ctx, p) {
    await goColdAll(ctx, p.pyramids[0]?.functions ?? []);
  },
  async run(ctx, p) {
    for (const [i, pyramid] of p.pyramids.entries()) {
      if (i > 0) await goColdAll(ctx, pyramid.functions);
      const rows = await runPyramid(ctx, p, pyramid, i + 1);
      ctx.record('Pyramid', rows.pyramid);
      ctx.record(PYRAMID_LEVEL.name, rows.levels);
    }
  },
  process(recorded) {
    const levels = recorded.get(PYRAMID_LEVEL.name) ?? [];
    const byPyramid = new Map<number, StoreRow[]>();
    for (const row of levels) {
      const n = Number(row.pyramid);
      byPyramid.set(n, [...(byPyramid.get(n) ?? []), row]);
    }
    return {
      pyramids: [...byPyramid.entries()].map(([pyramid, rows]) => ({
        pyramid,
        functions: rows[0]?.functions,
        calls: rows.reduce((a, r) => a + Number(r.calls), 0),
        errors: rows.reduce((a, r) => a + Number(r.errors), 0),
        delayed: rows.reduce((a, r) => a + Number(r.delayed), 0),
        max_instances: Math.max(...rows.map((r) => Number(r.instances))),
      })),
    };
  },
});
