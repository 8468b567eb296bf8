import { afterEach, describe, expect, it } from 'vitest';
import { throughputBenchmarking } from '../../src/bench/experiments/throughput-benchmarking.js';
import { type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';

/** throughput-benchmarking against the stand-in lab: the calls, their payloads, the cold wait first. */
let lab: FakeLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const DEFAULTS = throughputBenchmarking.params.parse({});

describe('throughput-benchmarking', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({
      function_name: 'function1',
      monolith_name: 'monolith',
      throughput_times: [0.1, 0.2, 0.4, 0.8, 1.2, 1.6, 2.4, 5, 8],
      repetitions: 5,
      concurrent_throughput_times: [0.1, 0.2, 0.4, 0.8, 1.2, 1.6, 2.4],
      concurrent_repetitions: 5,
      threads: 12,
      matrix_sizes: [100, 120, 140, 180, 200, 220],
      matrix_repetitions: 5,
      concurrent_matrix_sizes: [100, 120, 140],
      concurrent_matrix_repetitions: 3,
    });
  });

  it('calls function1 5 × 9 alone and 5 × 7 bursts of 12, then the monolith 5 × 6 alone and 3 × 3 bursts of 12', async () => {
    lab = await startFakeLab();
    const ctx = fakeContext(lab, { timeScale: 60 });
    await throughputBenchmarking.run(ctx, DEFAULTS);
    const fn1 = lab.calls.filter((c) => c.fn === 'function1');
    const mono = lab.calls.filter((c) => c.fn === 'monolith');
    expect(fn1).toHaveLength(45 + 7 * 5 * 12);
    expect(mono).toHaveLength(30 + 3 * 3 * 12);
    expect(lab.calls.slice(0, 45).every((c) => c.fn === 'function1')).toBe(true);
    // The busy loop is work: divided by the time scale.
    const sequential = fn1.slice(0, 45).map((c) => Number(c.body.throughput_time) * 60);
    const expected = DEFAULTS.throughput_times.flatMap((t) => Array(5).fill(t));
    expect(sequential).toEqual(expected.map((t) => expect.closeTo(t, 9)));
    const concurrent = fn1.slice(45).map((c) => Number(c.body.throughput_time) * 60);
    const expectedConcurrent = DEFAULTS.concurrent_throughput_times.flatMap((t) => Array(60).fill(t));
    expect(concurrent).toEqual(expectedConcurrent.map((t) => expect.closeTo(t, 9)));
    // Matrix sizes are not scaled; seeds 0 … 4 alone, 0 … 2 for the bursts (all 12 the same).
    expect(mono.slice(0, 30).map((c) => c.body)).toEqual(
      DEFAULTS.matrix_sizes.flatMap((n) =>
        [0, 1, 2, 3, 4].map((seed) => ({ run_function: 'matrix_mult', args: n, seed })),
      ),
    );
    expect(mono.slice(30).map((c) => [c.body.args, c.body.seed])).toEqual(
      [100, 120, 140].flatMap((n) => [0, 1, 2].flatMap((seed) => Array(12).fill([n, seed]))),
    );
    const bursts = ctx.bench.invocations.filter((r) => r.numb_threads === 12);
    expect(bursts).toHaveLength(7 * 5 * 12 + 3 * 3 * 12);
    // No rows of its own: Invocation and Error rows only (the run writes the Monolith rows).
    expect(ctx.recorded.size).toBe(0);
    expect(ctx.time.waits).toEqual([]);
  });

  it('goes on after a failed call, which is an Error row (the reference sent it again up to 5 times)', async () => {
    lab = await startFakeLab((call) => (call.total === 1 ? { status: 500 } : {}));
    const ctx = fakeContext(lab);
    await throughputBenchmarking.run(
      ctx,
      throughputBenchmarking.params.parse({
        throughput_times: [0.1],
        concurrent_throughput_times: [0.1],
        concurrent_repetitions: 1,
        matrix_sizes: [10],
        concurrent_matrix_sizes: [10],
        concurrent_matrix_repetitions: 1,
      }),
    );
    expect(lab.calls).toHaveLength(5 + 12 + 5 + 12);
    expect(ctx.bench.errors).toHaveLength(1);
  });

  it('lets both functions go cold first: each forced, or one coldtime wait', async () => {
    lab = await startFakeLab();
    const forced: string[] = [];
    const provider = { ...lab.provider, forceCold: async (fn: string) => void forced.push(fn) };
    await throughputBenchmarking.prepare?.(fakeContext(lab, { provider }), DEFAULTS);
    expect(forced).toEqual(['function1', 'monolith']);
    const waiting = fakeContext(lab);
    await throughputBenchmarking.prepare?.(waiting, DEFAULTS);
    expect(waiting.time.waits).toEqual([1200]);
  });
});
