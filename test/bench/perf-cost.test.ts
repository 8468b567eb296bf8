import { afterEach, describe, expect, it } from 'vitest';
import { Benchmarker, type InvocationRow } from '../../src/bench/benchmarker.js';
import { coldOf, perfCost, perfCostSummary, runPerfCostType } from '../../src/bench/experiments/perf-cost.js';
import type { StoreRow } from '../../src/bench/store/contract.js';
import { type FakeAnswer, type FakeCall, type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';

/**
 * perf-cost against the stand-in lab: a platform whose function answers cold once after each
 * forced cold start (one replica started per burst, as the embedded platform does) and on its
 * very first call, warm otherwise.
 */
let lab: FakeLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function setup(
  options: {
    answer?: (call: FakeCall, cold: boolean) => FakeAnswer;
    force?: boolean;
    coldStartHeader?: string;
  } = {},
) {
  const pendingCold = new Set<string>();
  const forced: number[] = [];
  lab = await startFakeLab((call) => {
    const cold = pendingCold.delete(call.fn) || call.n === 1;
    return options.answer ? options.answer(call, cold) : { fields: { is_cold: cold } };
  });
  const running = lab;
  const provider = {
    ...running.provider,
    ...(options.coldStartHeader ? { coldStartHeader: options.coldStartHeader } : {}),
    forceCold: async (fn: string) => {
      forced.push(running.calls.length);
      if (options.force !== false) pendingCold.add(fn);
    },
  };
  const ctx = fakeContext(running, {
    provider,
    bench: new Benchmarker({ provider, retryForMs: 0 }),
    tables: new Set(['Perf_cost', 'Perf_cost_statistics']),
  });
  return { ctx, forced, calls: running.calls };
}

const params = (over: Record<string, unknown>) => perfCost.params.parse(over);
const rowsOf = (ctx: { recorded: Map<string, StoreRow[]> }, table = 'Perf_cost') =>
  ctx.recorded.get(table) ?? [];

describe('perf-cost', () => {
  it("keeps SeBS's settings as defaults (example.json), memory as deployed", () => {
    expect(perfCost.params.parse({})).toEqual({
      function_name: 'function1',
      experiments: ['cold', 'warm', 'burst', 'sequential'],
      repetitions: 50,
      concurrent_invocations: 50,
      memory_sizes: [],
      throughput_time: 0,
      batch_wait: 5,
      max_empty_batches: 10,
    });
    expect(params({ experiments: 'warm, cold', memory_sizes: '' })).toMatchObject({
      experiments: ['warm', 'cold'],
      memory_sizes: [],
    });
    expect(params({ memory_sizes: '128,256' }).memory_sizes).toEqual([128, 256]);
    expect(() => params({ experiments: 'hot' })).toThrow();
    expect(perfCost.origin).toBe('sebs');
    expect(perfCost.tables?.map((t) => t.name)).toEqual(['Perf_cost', 'Perf_cost_statistics']);
  });

  it('refuses memory sizes before calling anything: no provider here can change a function’s memory', async () => {
    const { ctx, calls } = await setup();
    await expect(perfCost.prepare?.(ctx, params({ memory_sizes: [128, 256] }))).rejects.toThrow(
      /memory_sizes 128, 256: no provider here can change a function's memory/,
    );
    await expect(perfCost.prepare?.(ctx, params({}))).resolves.toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('cold: goes cold before each batch, discards the warm-up batch, keeps only cold calls (the rest incorrect)', async () => {
    const { ctx, forced, calls } = await setup();
    await runPerfCostType(ctx, params({ repetitions: 3, concurrent_invocations: 4 }), 'cold');
    // One cold call per batch of 4: the warm-up batch and then 3 batches for 3 samples.
    expect(forced).toEqual([0, 4, 8, 12]);
    expect(calls).toHaveLength(16);
    // 5 s before and after each batch; the cold starts are forced (no coldtime waited).
    expect(ctx.time.waits).toEqual(Array(8).fill(5));
    const rows = rowsOf(ctx);
    expect(rows).toHaveLength(16);
    expect(rows.filter((r) => r.batch === 0).every((r) => r.kept === false)).toBe(true);
    const kept = rows.filter((r) => r.kept);
    expect(kept.map((r) => [r.batch, r.is_cold])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    expect(kept[0]).toMatchObject({
      memory: null,
      type: 'cold',
      connection_time: null,
      provider_time: null,
      mem_used: null,
    });
    expect(kept[0]?.client_time).toBeGreaterThan(0);
    expect(kept[0]?.exec_time).toBeCloseTo(0.01, 6);
    expect(String(kept[0]?.invocation_id)).toMatch(/^function1-\d+$/);
    expect(rowsOf(ctx, 'Perf_cost_statistics')).toEqual([
      {
        memory: null,
        type: 'cold',
        concurrent_invocations: 4,
        batches: 4,
        invocations: 16,
        samples_generated: 3,
        failures: 0,
        incorrect: 9,
        dropped: 0,
        cold_count: 3,
        failure_messages: [],
        error: null,
      },
    ]);
  });

  it('warm: never goes cold, drops and counts cold calls (SeBS dropped them silently)', async () => {
    // The function's first call is cold (warm-up batch), and so is its 6th (a new replica in batch 1).
    const { ctx, forced, calls } = await setup({
      answer: (call) => ({ fields: { is_cold: call.n === 1 || call.n === 6 } }),
    });
    await runPerfCostType(ctx, params({ repetitions: 5, concurrent_invocations: 4 }), 'warm');
    expect(forced).toEqual([]);
    expect(calls).toHaveLength(12);
    const [stats] = rowsOf(ctx, 'Perf_cost_statistics');
    expect(stats).toMatchObject({
      batches: 3,
      samples_generated: 7,
      dropped: 1,
      incorrect: 0,
      cold_count: 0,
    });
    expect(rowsOf(ctx).filter((r) => r.kept && r.is_cold)).toEqual([]);
  });

  it('burst keeps cold and warm calls; sequential sends one call a batch after one warm-up call', async () => {
    const { ctx, forced, calls } = await setup();
    const p = params({ repetitions: 4, concurrent_invocations: 4 });
    await runPerfCostType(ctx, p, 'burst');
    expect(forced).toEqual([0, 4]);
    expect(rowsOf(ctx, 'Perf_cost_statistics')[0]).toMatchObject({
      batches: 2,
      samples_generated: 4,
      cold_count: 1,
    });
    const before = calls.length;
    const waits = ctx.time.waits.length;
    await runPerfCostType(ctx, params({ repetitions: 3, concurrent_invocations: 4 }), 'sequential');
    // The warm-up call, the warm-up batch, then 3 batches of 1.
    expect(calls.length - before).toBe(5);
    expect(ctx.time.waits.slice(waits)).toEqual(Array(8).fill(5));
    expect(forced).toHaveLength(2);
    expect(rowsOf(ctx, 'Perf_cost_statistics')[1]).toMatchObject({
      type: 'sequential',
      concurrent_invocations: 1,
      batches: 4,
      invocations: 5,
      samples_generated: 3,
    });
  });

  it('counts failed calls as failures with their messages, and goes on', async () => {
    const { ctx } = await setup({
      answer: (call, cold) => (call.total % 3 === 0 ? { status: 500 } : { fields: { is_cold: cold } }),
    });
    await runPerfCostType(ctx, params({ repetitions: 4, concurrent_invocations: 3 }), 'burst');
    const [stats] = rowsOf(ctx, 'Perf_cost_statistics');
    // Batches of 3 with one failure each: 2 samples a batch after the warm-up.
    expect(stats).toMatchObject({ batches: 3, invocations: 9, failures: 3, samples_generated: 4 });
    expect(stats?.failure_messages).toEqual(Array(3).fill('http 500: failed'));
  });

  it('stops with an error after 10 batches in a row without a sample (SeBS looped forever)', async () => {
    // A provider whose forced cold start does nothing: no call is ever cold after the first.
    const { ctx, calls } = await setup({ force: false });
    await expect(
      runPerfCostType(ctx, params({ repetitions: 2, concurrent_invocations: 2 }), 'cold'),
    ).rejects.toThrow(/perf-cost cold: 10 batches in a row kept no sample \(0 of 2 after 11 batches\)/);
    expect(calls).toHaveLength(22);
    expect(rowsOf(ctx, 'Perf_cost_statistics')[0]).toMatchObject({
      batches: 11,
      samples_generated: 0,
      incorrect: 20,
      error: expect.stringMatching(/can the provider force cold starts/),
    });
  });

  it('process: per run type, client and exec times in ms, cold apart from warm; the two cold signals compared', async () => {
    // The platform header is read but never sent: the platform says warm where the marker says cold.
    const { ctx } = await setup({ coldStartHeader: 'x-cold-start-ms' });
    await perfCost.run(ctx, params({ experiments: 'burst', repetitions: 8, concurrent_invocations: 8 }));
    const summary = perfCostSummary(ctx.recorded) as {
      types: Record<
        string,
        { samples: number; client_time_ms: Record<string, { count: number; mean: number }> }
      >;
      cold_signals: { calls: number; disagree: number };
    };
    expect(summary.types.burst?.samples).toBe(8);
    expect(summary.types.burst?.client_time_ms.cold?.count).toBe(1);
    expect(summary.types.burst?.client_time_ms.warm?.count).toBe(7);
    expect(summary.types.burst?.client_time_ms.warm?.mean).toBeGreaterThan(0);
    // 16 calls, 2 of them cold by the marker (one per batch) and none by the platform.
    expect(summary.cold_signals).toEqual({ calls: 16, disagree: 2 });
  });

  it('process: a run that failed part-way still has its last type, from its rows', async () => {
    const { ctx } = await setup();
    await runPerfCostType(ctx, params({ repetitions: 2, concurrent_invocations: 2 }), 'burst');
    ctx.recorded
      .get('Perf_cost')
      ?.push({ type: 'cold', batch: 1, kept: true, is_cold: true, client_time: 0.5 });
    const { types } = perfCostSummary(ctx.recorded) as { types: Record<string, Record<string, unknown>> };
    expect(Object.keys(types)).toEqual(['burst', 'cold']);
    expect(types.cold).toMatchObject({ samples: 1, complete: false });
    expect(types.burst).toMatchObject({ samples: 2, batches: 2 });
  });

  it('tells a call cold by its marker, else by the platform where it says', () => {
    const row = (fields: Partial<InvocationRow>) => fields as InvocationRow;
    expect(coldOf(row({ is_cold: false, platform_cold_start_ms: 120 }))).toBe(false);
    expect(coldOf(row({ platform_cold_start_ms: 120 }))).toBe(true);
    expect(coldOf(row({ platform_cold_start_ms: 0 }))).toBe(false);
    expect(coldOf(row({}))).toBeUndefined();
  });
});
