import { afterEach, describe, expect, it } from 'vitest';
import { loweredThreshold } from '../../src/bench/experiments/latency-threshold.js';
import {
  burstProbe,
  simpleColdFunctionThreadedTwelve,
} from '../../src/bench/experiments/simple-cold-function-threaded-twelve.js';
import { type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';
import { type ReclaimingLab, startReclaimingLab } from './reclaiming-lab.js';

/**
 * simple-cold-function-threaded-twelve against a fake platform reclaiming an instance idle 437 s
 * or more: a burst's first call on a new instance takes 60 s (its cold start), the others 10 ms,
 * so a cold burst averages ~5 s and a warm one ~0.01 s (plus the loopback's own milliseconds,
 * tens of them for 12 calls at once).
 */
let platform: ReclaimingLab | undefined;
let lab: FakeLab | undefined;
afterEach(async () => {
  await platform?.close();
  await lab?.close();
  platform = undefined;
  lab = undefined;
});

const DEFAULTS = simpleColdFunctionThreadedTwelve.params.parse({});

describe('simple-cold-function-threaded-twelve', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({
      function_name: 'function2',
      threads: 12,
      throughput_time: 0.2,
      baseline_calls: 50,
      baseline_every: 1,
      threshold_floor: 1.0,
      threshold_rule: 'lowered',
      retry_sleep: 2400,
      retry_increment: 1200,
      retry_max: 7200,
      steps: [300, 60, 20],
      confirmations: 5,
      max_seconds: 86_400,
    });
  });

  it('probes with 12 concurrent calls (0.2 s of work at the time scale), 50 warm bursts, and records cold iff above the threshold', async () => {
    platform = await startReclaimingLab({ reclaimSeconds: 437, latency: (_fn, cold) => (cold ? 60 : 0.01) });
    const ctx = platform.context({ timeScale: 60 });
    await simpleColdFunctionThreadedTwelve.prepare?.(ctx, DEFAULTS);
    await simpleColdFunctionThreadedTwelve.run(ctx, DEFAULTS);

    expect(ctx.time.waits).toEqual([
      1200,
      ...Array(50).fill(1),
      299,
      600,
      360,
      420,
      480,
      ...Array(6).fill(440),
    ]);
    // 1 + 50 + 11 bursts of 12 calls, each with 0.2 / 60 s of work.
    expect(platform.lab.calls).toHaveLength(62 * 12);
    expect(platform.lab.calls.every((c) => c.fn === 'function2' && c.body.throughput_time === 0.2 / 60)).toBe(
      true,
    );
    const rows = ctx.recorded.get('Coldstart') ?? [];
    // Every row, confirmations included, says cold iff the platform had reclaimed the instance
    // (idle ≥ 437 s): the reference's twelve-thread verification recorded `L < threshold`.
    expect(rows.map((r) => [Number(r.minutes) * 60 + Number(r.seconds), r.cold, r.final])).toEqual([
      [300, false, false],
      [600, true, false],
      [360, false, false],
      [420, false, false],
      [480, true, false],
      ...Array.from({ length: 5 }, () => [440, true, false]),
      [440, true, true],
    ]);
    // The threshold from the bursts' mean latencies (bursts never overlap: 12 rows each, in order).
    const threshold = Number(rows[0]?.benchmark);
    const means = Array.from({ length: 51 }, (_, i) =>
      ctx.bench.invocations.slice(i * 12, i * 12 + 12).reduce((a, r) => a + r.latency / 12, 0),
    );
    const [coldBurst = 0, ...warmBursts] = means;
    expect(coldBurst).toBeGreaterThan(5);
    expect(threshold).toBeCloseTo(loweredThreshold(coldBurst, warmBursts), 9);
    for (const row of rows) expect(row).toMatchObject({ threads: 12, benchmark: threshold });
    // invo_id: a call of the probe's own burst (the first that answered).
    const ids = new Set(ctx.bench.invocations.slice(-11 * 12).map((r) => r.identifier));
    for (const row of rows) expect(ids.has(String(row.invo_id))).toBe(true);
    expect(simpleColdFunctionThreadedTwelve.process?.(ctx.recorded, DEFAULTS)).toMatchObject({
      idle_seconds: 440,
      confirmed: true,
      probes: 11,
      threshold,
    });
  });

  it("a burst's latency is the mean of its calls that answered; a burst with none answering fails", async () => {
    // Calls answer in 0.1 s × (their number mod 4), every 4th fails; calls 13 … 24 all fail.
    lab = await startFakeLab((c) =>
      c.n > 12 ? { status: 500 } : c.n % 4 === 0 ? { status: 500 } : { latency: 0.1 * (c.n % 4) },
    );
    const ctx = fakeContext(lab);
    const probe = burstProbe(ctx, 'function2', 12, { throughput_time: 0.2 });
    const burst = await probe.call();
    // 9 answers (three each of 0.1, 0.2, 0.3 s, and the loopback's time): their mean.
    const answered = ctx.bench.invocations;
    expect(answered).toHaveLength(9);
    expect(ctx.bench.errors).toHaveLength(3);
    expect(burst.latency).toBeCloseTo(answered.reduce((a, r) => a + r.latency, 0) / 9, 12);
    expect(burst.latency).toBeGreaterThanOrEqual(0.2);
    expect(answered.map((r) => r.identifier)).toContain(burst.invocation);
    await expect(probe.call()).rejects.toThrow(/all 12 calls of function2 failed \(http 500/);
    // The idle time counts from the start of the last burst.
    await ctx.time.wait(5);
    await probe.idleFor(300);
    expect(ctx.time.waits).toEqual([5, 295]);
  });
});
