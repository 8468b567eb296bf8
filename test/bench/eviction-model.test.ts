import { afterEach, describe, expect, it } from 'vitest';
import { Benchmarker } from '../../src/bench/benchmarker.js';
import { experimentContext } from '../../src/bench/context.js';
import { type ScaledTime, scaledTime } from '../../src/bench/experiments/contract.js';
import {
  EVICTION_TIMES,
  evictionModel,
  evictionSchedule,
  evictionSummary,
} from '../../src/bench/experiments/eviction-model.js';
import { type FakeAnswer, type FakeCall, type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';

/**
 * eviction-model against the stand-in lab playing a platform that reclaims an instance idle for
 * `evictAfter` reference seconds (idle counted from the start of its last call) and starts a new
 * one on a forced cold start: a new instance answers cold, with a new instance_identifier.
 */
let lab: FakeLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

interface Platform {
  evictAfter: number;
  /** Reference seconds a cold call lasts (advanced on the virtual time). */
  coldCallSeconds?: number;
  fail?: (call: FakeCall) => boolean;
}

/** The stand-in platform; it reads the experiment's clock, set in `clock.time` once the context exists. */
async function platform(spec: Platform) {
  const last = new Map<string, number>();
  const forced = new Set<string>();
  const instances = new Map<string, number>();
  const clock: { time: ScaledTime } = { time: { nowSeconds: () => 0, wait: async () => {} } };
  lab = await startFakeLab(async (call): Promise<FakeAnswer> => {
    if (spec.fail?.(call)) return { status: 500 };
    const now = clock.time.nowSeconds();
    const before = last.get(call.fn);
    const cold = forced.delete(call.fn) || before === undefined || now - before >= spec.evictAfter;
    last.set(call.fn, now);
    if (cold) instances.set(call.fn, (instances.get(call.fn) ?? 0) + 1);
    if (cold && spec.coldCallSeconds) await clock.time.wait(spec.coldCallSeconds);
    return { instance: `${call.fn}-${instances.get(call.fn)}`, fields: { is_cold: cold } };
  });
  const running = lab;
  const provider = {
    ...running.provider,
    forceCold: async (fn: string) => {
      forced.add(fn);
    },
  };
  return { lab: running, provider, clock, calls: running.calls };
}

/** The platform on the fake context's virtual time. */
async function virtualPlatform(spec: Platform) {
  const p = await platform(spec);
  const ctx = fakeContext(p.lab, { provider: p.provider, tables: new Set(['Eviction']) });
  p.clock.time = ctx.time;
  return { ctx, calls: p.calls };
}

const params = (over: Record<string, unknown>) => evictionModel.params.parse(over);

describe('eviction-model', () => {
  it("keeps SeBS's original grid and repetitions, spread over the four lab functions", () => {
    expect(evictionModel.params.parse({})).toEqual({
      function_names: ['function1', 'function2', 'function3', 'monolith'],
      times: [1, 2, 4, 8, 15, 30, 60, 120, 180, 240, 300, 360, 480, 600, 720, 900, 1080, 1200],
      repetitions: 5,
    });
    expect(EVICTION_TIMES.reduce((a, b) => a + b, 0)).toBe(6300);
    expect(evictionModel.origin).toBe('sebs');
    expect(evictionModel.tables?.map((t) => t.name)).toEqual(['Eviction']);
  });

  it('spreads the (t, repetition) pairs so that each function idles 7,875 s: 131 s at time scale 60', () => {
    const p = evictionModel.params.parse({});
    const schedule = evictionSchedule(p.function_names, p.times, p.repetitions);
    const loads = [...schedule.values()].map((pairs) => pairs.reduce((a, x) => a + x.idle, 0));
    expect(loads).toEqual([7875, 7875, 7875, 7875]);
    const all = [...schedule.values()].flat();
    expect(all).toHaveLength(90);
    expect(new Set(all.map((x) => `${x.idle}/${x.repetition}`)).size).toBe(90);
    // Longest first on each function.
    expect(schedule.get('function1')?.[0]).toEqual({ idle: 1200, repetition: 0 });
    expect(evictionSchedule(['f'], [1, 5], 2).get('f')).toEqual([
      { idle: 5, repetition: 0 },
      { idle: 5, repetition: 1 },
      { idle: 1, repetition: 0 },
      { idle: 1, repetition: 1 },
    ]);
  });

  it('one function: cold, a call, t idle from its start, a call; survived when the second is warm', async () => {
    const { ctx, calls } = await virtualPlatform({ evictAfter: 100 });
    await evictionModel.run(
      ctx,
      params({ function_names: 'function1', times: '1,60,120,300', repetitions: 2 }),
    );
    expect(ctx.time.waits).toEqual([300, 300, 120, 120, 60, 60, 1, 1]);
    expect(calls).toHaveLength(16);
    const rows = ctx.recorded.get('Eviction') ?? [];
    expect(rows.map((r) => [r.idle, r.repetition, r.survived])).toEqual([
      [300, 0, false],
      [300, 1, false],
      [120, 0, false],
      [120, 1, false],
      [60, 0, true],
      [60, 1, true],
      [1, 0, true],
      [1, 1, true],
    ]);
    expect(rows[0]).toMatchObject({
      function_name: 'function1',
      idle_actual: 300,
      first_cold: true,
      second_cold: true,
      same_instance: false,
      first_instance: 'function1-1',
      second_instance: 'function1-2',
    });
    expect(rows[0]?.error).toBeUndefined();
    expect(rows[4]).toMatchObject({ first_cold: true, second_cold: false, same_instance: true });
    expect(String(rows[0]?.first_invocation)).toMatch(/^function1-\d+$/);
    expect(evictionSummary(ctx.recorded)).toEqual({
      pairs: 8,
      smallest_evicted: 120,
      largest_survived: 60,
      consistent: true,
      first_not_cold: 0,
      failed: 0,
      by_idle: [
        { idle: 1, survived: 2, evicted: 0, unknown: 0 },
        { idle: 60, survived: 2, evicted: 0, unknown: 0 },
        { idle: 120, survived: 0, evicted: 2, unknown: 0 },
        { idle: 300, survived: 0, evicted: 2, unknown: 0 },
      ],
    });
  });

  it('counts the idle time from the first call’s start (SeBS counted from its end), never waiting less than 0', async () => {
    const { ctx } = await virtualPlatform({ evictAfter: 100, coldCallSeconds: 20 });
    await evictionModel.run(ctx, params({ function_names: 'function1', times: '90,8', repetitions: 1 }));
    // Each first call is cold and lasts 20 s: 70 s more make 90 from its start; for 8 s, none.
    expect(ctx.time.waits).toEqual([20, 70, 20, 0]);
    const rows = ctx.recorded.get('Eviction') ?? [];
    expect(rows.map((r) => [r.idle, r.idle_actual, r.survived])).toEqual([
      [90, 90, true],
      [8, 20, true],
    ]);
  });

  it('records a failed call as a row with its error, and goes on', async () => {
    const { ctx, calls } = await virtualPlatform({
      evictAfter: 100,
      fail: (c) => c.total === 2 || c.total === 3,
    });
    await evictionModel.run(ctx, params({ function_names: 'function1', times: '50', repetitions: 3 }));
    // Repetition 0: the second call fails; repetition 1: the first fails (no second call).
    expect(calls).toHaveLength(5);
    const rows = ctx.recorded.get('Eviction') ?? [];
    expect(rows[0]).toMatchObject({
      first_cold: true,
      idle_actual: 50,
      error: 'second call: http 500: failed',
    });
    expect(rows[0]?.survived).toBeUndefined();
    expect(rows[1]).toEqual({
      function_name: 'function1',
      idle: 50,
      repetition: 1,
      error: 'first call: http 500: failed',
    });
    expect(rows[2]).toMatchObject({ survived: true });
    expect(evictionSummary(ctx.recorded)).toMatchObject({
      failed: 2,
      largest_survived: 50,
      smallest_evicted: null,
    });
  });

  it('runs the functions at once, each through its own pairs (real time, 1 reference second = 10 ms)', async () => {
    const { provider, clock, calls } = await platform({ evictAfter: 30 });
    clock.time = scaledTime(100, (ms) => new Promise((r) => setTimeout(r, ms)));
    const bench = new Benchmarker({ provider, retryForMs: 0 });
    const ctx = experimentContext({ bench, provider, time: clock.time, tables: new Set(['Eviction']) });
    await evictionModel.run(
      ctx,
      params({ function_names: 'function1,function2', times: '5,60', repetitions: 2 }),
    );
    const rows = ctx.recorded.get('Eviction') ?? [];
    const by = (fn: string) => rows.filter((r) => r.function_name === fn).map((r) => [r.idle, r.survived]);
    // 50 ms and 600 ms idle against a 300 ms reclaim: wide of the loopback's jitter.
    expect(by('function1')).toEqual([
      [60, false],
      [5, true],
    ]);
    expect(by('function2')).toEqual([
      [60, false],
      [5, true],
    ]);
    // Both functions' first calls went before either's second call.
    expect(
      calls
        .slice(0, 2)
        .map((c) => c.fn)
        .sort(),
    ).toEqual(['function1', 'function2']);
  });
});
