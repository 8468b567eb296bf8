import { afterEach, describe, expect, it } from 'vitest';
import { CallPool } from '../../src/bench/experiments/load-shapes.js';
import {
  pyramidLevels,
  pyramidShape,
  runPyramid,
  scaledLevel,
  scenarioPyramid,
} from '../../src/bench/experiments/scenario-pyramid.js';
import { type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';

/** scenario-pyramid against the stand-in lab, in virtual time: levels, ticks, alternation, rows. */
let lab: FakeLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const params = (over: Record<string, unknown>) => scenarioPyramid.params.parse(over);
const byFunction = (l: FakeLab) => {
  const counts: Record<string, number> = {};
  for (const c of l.calls) counts[c.fn] = (counts[c.fn] ?? 0) + 1;
  return counts;
};

describe('scenario-pyramid', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(scenarioPyramid.params.parse({})).toEqual({
      pyramids: [
        { functions: ['function1', 'function2'], step: 5, peak: 200, seconds: 300 },
        { functions: ['function2', 'function3'], step: 5, peak: 200, seconds: 180 },
        { functions: ['function3', 'function1'], step: 5, peak: 200, seconds: 60 },
        { functions: ['function1', 'function3'], step: 10, peak: 1000, seconds: 600 },
      ],
      throughput_time: 0.05,
      baseline_seconds: 60,
      baseline_every: 0.333,
      pool_size: 50,
    });
    expect(scenarioPyramid.params.parse({ pyramids: 'a+b:2:6:3; c:1:2:10' }).pyramids).toEqual([
      { functions: ['a', 'b'], step: 2, peak: 6, seconds: 3 },
      { functions: ['c'], step: 1, peak: 2, seconds: 10 },
    ]);
    expect(() => scenarioPyramid.params.parse({ pyramids: 'a:5:2:10' })).toThrow();
  });

  it("plans the reference's levels: sleep = level time / x − 0.0016, k calls per tick below 0.1 s", () => {
    const up = pyramidLevels({ step: 5, peak: 200, seconds: 300 });
    expect(up).toHaveLength(40);
    expect(up.map((l) => l.level)).toEqual(Array.from({ length: 40 }, (_, i) => 5 * (i + 1)));
    const at = (x: number) => up.find((l) => l.level === x);
    expect(at(5)).toMatchObject({ seconds: 7.5, threads: 1, ticks: 5 });
    expect(at(5)?.sleep).toBeCloseTo(1.4984, 9);
    // 7.5 / 70 − 0.0016 = 0.1055: one call per tick; 7.5 / 75 − 0.0016 = 0.0984: two, over 37 ticks.
    expect(at(70)).toMatchObject({ threads: 1, ticks: 70 });
    expect(at(75)).toMatchObject({ threads: 2, ticks: 37 });
    // 200: k = 2 gives 7.5 / 100 − 0.0016 < 0.1; k = 3: 66 ticks, 0.1120 s apart (198 calls).
    expect(at(200)).toMatchObject({ threads: 3, ticks: 66 });
    expect(at(200)?.sleep).toBeCloseTo(7.5 / 66 - 0.0016, 9);
    const top = pyramidLevels({ step: 10, peak: 1000, seconds: 600 }).at(-1);
    expect(top).toMatchObject({ level: 1000, seconds: 6, threads: 17, ticks: 58 });
    // Up then down, the peak once.
    expect(
      pyramidShape(pyramidLevels({ step: 1, peak: 3, seconds: 30 })).map((s) => [s.plan.level, s.direction]),
    ).toEqual([
      [1, 'up'],
      [2, 'up'],
      [3, 'peak'],
      [2, 'down'],
      [1, 'down'],
    ]);
  });

  it('scales a level: ticks ÷ time scale (at least 1), calls ≈ ticks · k ÷ time scale, at most k per tick', () => {
    const at = (p: { step: number; peak: number; seconds: number }, x: number) => {
      const plan = pyramidLevels(p).find((l) => l.level === x);
      if (!plan) throw new Error(`no level ${x}`);
      return plan;
    };
    const first = { step: 5, peak: 200, seconds: 300 };
    // At time scale 1 the reference's plan, whole.
    expect(scaledLevel(at(first, 200), 1)).toEqual({ ticks: 66, perTick: 3 });
    expect(scaledLevel(at(first, 70), 1)).toEqual({ ticks: 70, perTick: 1 });
    // At 60: 70 calls → 1; 198 → one tick of 3; 5 → still 1 (at least one call a level).
    expect(scaledLevel(at(first, 70), 60)).toEqual({ ticks: 1, perTick: 1 });
    expect(scaledLevel(at(first, 200), 60)).toEqual({ ticks: 1, perTick: 3 });
    expect(scaledLevel(at(first, 5), 60)).toEqual({ ticks: 1, perTick: 1 });
    // The third pyramid's peak: 14 ticks of 14 over 1.5 s; at 60, one tick of 196 / 60 ≈ 3, not 14.
    const third = at({ step: 5, peak: 200, seconds: 60 }, 200);
    expect(third).toMatchObject({ threads: 14, ticks: 14 });
    expect(scaledLevel(third, 60)).toEqual({ ticks: 1, perTick: 3 });
    // The fourth's peak: 58 ticks of 17 → one tick of 986 / 60 ≈ 16; at 10, 6 ticks of 16.
    const fourth = at({ step: 10, peak: 1000, seconds: 600 }, 1000);
    expect(scaledLevel(fourth, 60)).toEqual({ ticks: 1, perTick: 16 });
    expect(scaledLevel(fourth, 10)).toEqual({ ticks: 6, perTick: 16 });
  });

  it('stops k at x: a level too short for any spacing is one tick of every call (the reference divided by zero)', () => {
    expect(pyramidLevels({ step: 5, peak: 5, seconds: 0.05 })).toEqual([
      { level: 5, seconds: 0.05, threads: 5, ticks: 1, sleep: 0.05 - 0.0016 },
    ]);
  });

  it('runs baseline, levels up and down, baseline; ticks alternate the functions from the first in each phase', async () => {
    lab = await startFakeLab();
    const ctx = fakeContext(lab);
    const p = params({ pyramids: 'a+b+c:2:6:3', baseline_seconds: 1, baseline_every: 0.25 });
    await scenarioPyramid.run(ctx, p);
    // Baselines: 4 ticks 0.25 s apart; levels 2, 4, 6, 4, 2 (1 s each), one call per tick.
    const level = (x: number) => Array(x).fill(1 / x);
    const expected = [...Array(4).fill(0.25), ...[2, 4, 6, 4, 2].flatMap(level), ...Array(4).fill(0.25)];
    expect(ctx.time.waits).toEqual(expected.map((w) => expect.closeTo(w, 9)));
    // Tick i calls functions[i mod 3], each phase from a: baselines a b c a; 2: a b; 4: a b c a; 6: a b c a b c.
    //            baseline, 2, 4, 6, 4, 2, baseline
    expect(byFunction(lab)).toEqual({
      a: 2 + 1 + 2 + 2 + 2 + 1 + 2,
      b: 1 + 1 + 1 + 2 + 1 + 1 + 1,
      c: 1 + 0 + 1 + 2 + 1 + 0 + 1,
    });
    expect(lab.calls.every((c) => c.body.throughput_time === 0.05)).toBe(true);
    const rows = ctx.recorded.get('Pyramid') ?? [];
    expect(rows.map((r) => r.invocations_for_increment)).toEqual([2, 4, 6, 4, 2]);
    for (const row of rows) {
      expect(row).toMatchObject({
        provider: 'openfaas',
        total_runtime: 3,
        total_invocations: 18,
        total_errors: 0,
        increment: 2,
        peak_invocations: 6,
        functions: 'a,b,c',
        increment_runtime: 1,
        threads_per_invocation: 1,
      });
    }
    expect(rows.map((r) => r.sleep_time)).toEqual([0.5, 0.25, 1 / 6, 0.25, 0.5]);
    const levels = ctx.recorded.get('Pyramid_level') ?? [];
    expect(levels.map((r) => [r.level, r.direction, r.calls, r.errors, r.delayed])).toEqual([
      [2, 'up', 2, 0, 0],
      [4, 'up', 4, 0, 0],
      [6, 'peak', 6, 0, 0],
      [4, 'down', 4, 0, 0],
      [2, 'down', 2, 0, 0],
    ]);
    expect(levels[0]).toMatchObject({ pyramid: 1, functions: 'a,b,c', instances: 1 });
  });

  it('sends k calls at once per tick, and records the calls sent (the reference wrote x)', async () => {
    lab = await startFakeLab();
    const ctx = fakeContext(lab);
    // Levels of 0.2 s: x = 4 needs k = 3 (one tick), x = 8 needs k = 5 (one tick).
    await scenarioPyramid.run(
      ctx,
      params({ pyramids: 'f:4:8:0.4', baseline_seconds: 1, baseline_every: 0.5 }),
    );
    const rows = ctx.recorded.get('Pyramid') ?? [];
    expect(rows.map((r) => [r.threads_per_invocation, r.invocations_for_increment])).toEqual([
      [3, 3],
      [5, 5],
      [3, 3],
    ]);
    expect(rows[0]?.total_invocations).toBe(11);
    const bursts = ctx.bench.invocations.map((r) => r.numb_threads).sort((x, y) => x - y);
    expect(bursts).toEqual([1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 5, 5, 5, 5, 5]);
  });

  it('keeps the rate under a time scale: every level scaled, the baselines 3 calls 20 s apart', async () => {
    lab = await startFakeLab();
    const ctx = fakeContext(lab, { timeScale: 60 });
    const p = params({ pyramids: 'function1+function2:5:200:300' });
    const [first] = p.pyramids;
    if (!first) throw new Error('no pyramid');
    const { pyramid } = await runPyramid(ctx, p, first, 1);
    const up = pyramidLevels({ step: 5, peak: 200, seconds: 300 });
    const sent = pyramidShape(up).map(({ plan }) => {
      const { ticks, perTick } = scaledLevel(plan, 60);
      return ticks * perTick;
    });
    expect(pyramid.map((r) => r.invocations_for_increment)).toEqual(sent);
    // Level 5: one call in the level's 7.5 / 60 s; level 200: 66 ticks ÷ 60 → 1 tick of 3.
    expect(pyramid[0]).toMatchObject({ invocations_for_increment: 1, sleep_time: 0.125 });
    expect(pyramid[39]).toMatchObject({ threads_per_invocation: 3, invocations_for_increment: 3 });
    // Baselines: 180 ticks ÷ 60 = 3 each, 20 reference seconds apart.
    expect(ctx.time.waits.slice(0, 3)).toEqual([20, 20, 20]);
    const total = sent.reduce((a, b) => a + b, 0);
    expect(lab.calls).toHaveLength(total + 6);
    expect(pyramid[0]?.total_invocations).toBe(total);
    expect(lab.calls[0]?.body.throughput_time).toBeCloseTo(0.05 / 60, 12);
    // The whole pyramid takes its reference time: 60 + 79 × 7.5 + 60 s.
    expect(ctx.time.nowSeconds()).toBeCloseTo(60 + 79 * 7.5 + 60, 6);
  });

  it("counts each pyramid's own errors (the reference's total_errors ran on over every pyramid)", async () => {
    lab = await startFakeLab((call) => (call.fn === 'bad' ? { status: 500 } : {}));
    const ctx = fakeContext(lab);
    await scenarioPyramid.run(
      ctx,
      params({ pyramids: 'bad+good:1:2:2; good:1:2:2', baseline_seconds: 1, baseline_every: 0.5 }),
    );
    const rows = ctx.recorded.get('Pyramid') ?? [];
    // Pyramid 1: levels 1, 2, 1 → ticks a; a b; a: 3 calls of bad, 1 of good.
    expect(rows.map((r) => [r.functions, r.total_invocations, r.total_errors])).toEqual([
      ['bad,good', 4, 3],
      ['bad,good', 4, 3],
      ['bad,good', 4, 3],
      ['good', 4, 0],
      ['good', 4, 0],
      ['good', 4, 0],
    ]);
    const levels = ctx.recorded.get('Pyramid_level') ?? [];
    expect(levels.map((r) => r.errors)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(ctx.bench.errors).toHaveLength(3 + 2); // and the first baselines' calls of bad
    expect(scenarioPyramid.process?.(ctx.recorded, params({}))).toMatchObject({
      pyramids: [
        { pyramid: 1, calls: 4, errors: 3 },
        { pyramid: 2, calls: 4, errors: 0 },
      ],
    });
  });

  it('lets the functions go cold before each pyramid: each forced, or one coldtime wait for all', async () => {
    lab = await startFakeLab();
    const forced: string[] = [];
    const provider = { ...lab.provider, forceCold: async (fn: string) => void forced.push(fn) };
    const p = params({ pyramids: 'a+b:1:1:1; b+c:1:1:1', baseline_seconds: 1, baseline_every: 1 });
    const ctx = fakeContext(lab, { provider });
    await scenarioPyramid.prepare?.(ctx, p);
    await scenarioPyramid.run(ctx, p);
    expect(forced).toEqual(['a', 'b', 'b', 'c']);

    const waiting = fakeContext(lab, { coldtimeSeconds: 900 });
    await scenarioPyramid.prepare?.(waiting, p);
    await scenarioPyramid.run(waiting, p);
    // prepare: 900; pyramid 1: 1 + 1 + 1; then 900 once for b and c; pyramid 2: 1 + 1 + 1.
    expect(waiting.time.waits).toEqual([900, 1, 1, 1, 900, 1, 1, 1]);
  });

  it('runs at most pool_size ticks at once; the others wait their turn and are counted', async () => {
    let inFlight = 0;
    let most = 0;
    lab = await startFakeLab(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return {};
    });
    const ctx = fakeContext(lab);
    await scenarioPyramid.run(
      ctx,
      params({ pyramids: 'f:4:8:0.4', baseline_seconds: 1, baseline_every: 0.25, pool_size: 1 }),
    );
    // In virtual time every tick is due at once: one tick (of up to 5 calls) runs at a time.
    expect(most).toBeLessThanOrEqual(5);
    expect(lab.calls).toHaveLength(4 + 3 + 5 + 3 + 4);
    const levels = ctx.recorded.get('Pyramid_level') ?? [];
    expect(levels.map((r) => r.delayed)).toEqual([1, 1, 1]);
  });

  it('CallPool: at most size tasks at once, the rest in order', async () => {
    const pool = new CallPool(2);
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const tasks = [0, 1, 2, 3, 4].map((i) =>
      pool.run(async () => {
        order.push(i);
        await new Promise<void>((r) => gates.push(r));
        return i;
      }),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual([0, 1]);
    expect(pool.delayed).toBe(3);
    for (let n = 0; n < 5; n++) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(pool.peak).toBe(2);
  });
});
