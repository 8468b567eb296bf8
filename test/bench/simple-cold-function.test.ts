import { afterEach, describe, expect, it } from 'vitest';
import {
  COLD_START_SPREAD,
  latencyThreshold,
  loweredThreshold,
  trimmedMean,
} from '../../src/bench/experiments/latency-threshold.js';
import { simpleColdFunction } from '../../src/bench/experiments/simple-cold-function.js';
import { type ReclaimingLab, type ReclaimingLabOptions, startReclaimingLab } from './reclaiming-lab.js';

/**
 * simple-cold-function against a fake platform that reclaims an instance idle 437 s or more (on
 * virtual time), whose calls take the latencies the test says. Latencies measured over loopback
 * carry a millisecond or so of the real call: thresholds are checked within that.
 */
let platform: ReclaimingLab | undefined;
afterEach(() => platform?.close());

const DEFAULTS = simpleColdFunction.params.parse({});
const idleOf = (r: Record<string, unknown>) => Number(r.minutes) * 60 + Number(r.seconds);

async function run(
  latency: ReclaimingLabOptions['latency'],
  options: { force?: boolean } = {},
  params: Record<string, unknown> = {},
) {
  platform = await startReclaimingLab({ reclaimSeconds: 437, ...(latency ? { latency } : {}) });
  const ctx = platform.context(options);
  const p = simpleColdFunction.params.parse(params);
  await simpleColdFunction.prepare?.(ctx, p);
  await simpleColdFunction.run(ctx, p);
  return ctx;
}

describe('the latency threshold (simple-cold-function and its variants)', () => {
  it('is the mean of ranks 20..79 of 100 (10..39 of 50)', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 99 - i); // 99 … 0
    expect(trimmedMean(hundred)).toBe(49.5); // ranks 20..79: values 20 … 79
    const fifty = Array.from({ length: 50 }, (_, i) => i);
    expect(trimmedMean(fifty)).toBe(24.5); // ranks 10..39
    expect(() => trimmedMean([1])).toThrow(RangeError);
  });

  it("keeps the reference's rule: 2 × the warm mean above 0.22 s, else the 1.0 s floor", () => {
    const warm = (s: number) => Array(100).fill(s) as number[];
    const twice = latencyThreshold(1.5, warm(0.3), 1.0);
    expect(twice).toMatchObject({ coldLatency: 1.5, rule: 'twice-warm-mean', coldReferenceIsCold: true });
    expect(twice.threshold).toBeCloseTo(0.6, 12);
    expect(twice.warmMean).toBeCloseTo(0.3, 12);
    // Twice the warm mean even when the cold reference is not above it (the reference then retries).
    expect(latencyThreshold(0.5, warm(0.3), 1.0)).toMatchObject({ coldReferenceIsCold: false });
    // The reference's rule: the floor, whatever the cold reference.
    expect(latencyThreshold(1.5, warm(0.01), 1.0, 'reference')).toMatchObject({
      threshold: 1.0,
      rule: 'floor',
      coldReferenceIsCold: true,
    });
    expect(latencyThreshold(0.25, warm(0.005), 1.0, 'reference')).toMatchObject({
      threshold: 1.0,
      coldReferenceIsCold: false,
    });
    // Lowered only below the floor: a fifth of the warm calls at 1.2 s (w = 1.2 s), and
    // min(√(60 × 1.2), 60 / 8) = 7.5 s is above it.
    expect(latencyThreshold(60, [...warm(0.01).slice(20), ...Array(20).fill(1.2)], 1.0)).toMatchObject({
      threshold: 1.0,
      rule: 'floor',
    });
  });

  it('lowers the floor to the geometric midpoint of the cold reference and the warm bound, within [warm bound, cold / 8]', () => {
    // Single calls of 1.3 ms and a cold reference of 0.38 s (a run of the whole suite): the warm
    // bound alone (2.6 ms) took warm calls on the busy machine as cold; the midpoint is 31 ms.
    const quick = Array(100).fill(0.0013) as number[];
    expect(loweredThreshold(0.38, quick)).toBeCloseTo(Math.sqrt(0.38 * 0.0026), 12);
    expect(loweredThreshold(0.38, quick)).toBeGreaterThan(10 * 0.0026);
    // Warm calls of 5 ms, a fifth of them 30 ms: the trimmed mean 5 ms, the 90th percentile
    // 30 ms, the warm bound 30 ms.
    const warm = [...Array(80).fill(0.005), ...Array(20).fill(0.03)] as number[];
    // A slow cold reference (0.6 s): √(0.6 × 0.03) ≈ 0.13 would take a cold start of 0.1 s as
    // warm; cold starts 8 × faster than the reference are still cold (0.075 s).
    expect(loweredThreshold(0.6, warm)).toBeCloseTo(0.6 / COLD_START_SPREAD, 12);
    // A fast cold reference (0.05 s): never below the warm bound.
    expect(loweredThreshold(0.05, warm)).toBeCloseTo(0.03, 12);
    // Warm calls all alike: the warm bound is twice their mean. One slow warm call among them
    // does not count: √(1.0 × 0.01) = 0.1 either way.
    expect(loweredThreshold(1.0, [...Array(99).fill(0.005), 0.3])).toBeCloseTo(0.1, 12);
    expect(loweredThreshold(1.0, Array(100).fill(0.005))).toBeCloseTo(0.1, 12);
    const t = latencyThreshold(0.25, warm, 1.0);
    expect(t).toMatchObject({ rule: 'lowered-floor', coldReferenceIsCold: true });
    expect(t.threshold).toBeCloseTo(0.25 / COLD_START_SPREAD, 12);
    // Also when the cold reference is above the floor (a slow first cold start on a busy machine):
    // the later, faster cold starts must still be above the threshold.
    expect(latencyThreshold(1.05, Array(100).fill(0.004), 1.0).threshold).toBeCloseTo(
      Math.sqrt(1.05 * 0.008),
      12,
    );
    // A cold reference no slower than a warm call is not cold: the threshold stays at or above it.
    expect(latencyThreshold(0.008, Array(100).fill(0.005), 1.0)).toMatchObject({
      rule: 'lowered-floor',
      coldReferenceIsCold: false,
    });
  });
});

describe('simple-cold-function', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({
      function_name: 'function3',
      baseline_calls: 100,
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

  it('measures the threshold (1 cold + 100 warm calls 1 s apart), then searches 300 → 60 → 20 s by latency', async () => {
    // A replica starting in 0.25 s, warm calls of 5 ms: the floor lowered (loweredThreshold).
    const ctx = await run((_fn, cold) => (cold ? 0.25 : 0.005));
    // The coldtime (no forcing), 100 waits of 1 s, then each probe's idle time counted from the
    // start of the call before: the first, 300 s after the last warm call began, 1 s ago.
    expect(ctx.time.waits).toEqual([
      1200,
      ...Array(100).fill(1),
      299,
      600,
      360,
      420,
      480,
      440,
      440,
      440,
      440,
      440,
      440,
    ]);
    expect(platform?.lab.calls).toHaveLength(101 + 11);
    expect(platform?.lab.calls.every((c) => c.fn === 'function3' && Object.keys(c.body).length === 0)).toBe(
      true,
    );

    const rows = ctx.recorded.get('Coldstart') ?? [];
    expect(rows.map((r) => [idleOf(r), r.granularity, r.cold, r.final])).toEqual([
      [300, 300, false, false],
      [600, 300, true, false], // back to 300, on by 60
      [360, 60, false, false],
      [420, 60, false, false],
      [480, 60, true, false], // back to 420, on by 20
      [440, 20, true, false], // the candidate
      [440, 20, true, false],
      [440, 20, true, false],
      [440, 20, true, false],
      [440, 20, true, false],
      [440, 20, true, true],
    ]);
    expect(rows.map((r) => r.invo_id)).toEqual(Array.from({ length: 11 }, (_, i) => `function3-${102 + i}`));
    // The floor lowered from the cold reference's latency and the warm calls', as measured (each
    // with the loopback call's own milliseconds).
    const threshold = Number(rows[0]?.benchmark);
    const measured = ctx.bench.invocations.map((r) => r.latency);
    const [coldReference = 0, ...warm] = measured.slice(0, 101);
    expect(coldReference).toBeGreaterThanOrEqual(0.25);
    expect(trimmedMean(warm)).toBeLessThan(0.02);
    expect(threshold).toBeCloseTo(loweredThreshold(coldReference, warm), 12);
    for (const row of rows) expect(row).toMatchObject({ threads: 1, benchmark: threshold });
    expect(simpleColdFunction.process?.(ctx.recorded, DEFAULTS)).toEqual({
      idle_seconds: 440,
      confirmed: true,
      probes: 11,
      threshold,
    });
  });

  it("keeps the reference's threshold with threshold_rule reference, and 2 × the warm mean above 0.22 s", async () => {
    const floor = await run((_fn, cold) => (cold ? 1.5 : 0.01), {}, { threshold_rule: 'reference' });
    expect(floor.recorded.get('Coldstart')?.map((r) => r.benchmark)).toEqual(Array(11).fill(1.0));
    await platform?.close();
    const slow = await run((_fn, cold) => (cold ? 1.5 : 0.3));
    const threshold = Number(slow.recorded.get('Coldstart')?.[0]?.benchmark);
    // 2 × the warm mean (0.3 s slept by the stand-in, as measured: a timer and the loopback call
    // move it by a few ms either way), well apart from the 1.0 s floor.
    expect(threshold).toBeGreaterThan(0.59);
    expect(threshold).toBeLessThan(0.9);
    expect(slow.recorded.get('Coldstart')?.map((r) => r.cold)).toEqual([
      false,
      true,
      false,
      false,
      true,
      ...Array(6).fill(true),
    ]);
  });

  it('gives up max_seconds after the threshold phase began, keeping the rows of its probes', async () => {
    // A platform that never reclaims: every probe is warm; with 1 h, the probes at 300, 600,
    // 900 and 1200 s fit (the last ends at 3099 s), the next (1500 s) would not.
    platform = await startReclaimingLab({ reclaimSeconds: {} });
    const ctx = platform.context();
    const p = { ...DEFAULTS, max_seconds: 3600 };
    await simpleColdFunction.run(ctx, p);
    expect(ctx.time.waits).toEqual([...Array(100).fill(1), 299, 600, 900, 1200]);
    const rows = ctx.recorded.get('Coldstart') ?? [];
    expect(rows.map((r) => [idleOf(r), r.granularity, r.cold, r.final])).toEqual([
      [300, 300, false, false],
      [600, 300, false, false],
      [900, 300, false, false],
      [1200, 300, false, false],
    ]);
    expect(simpleColdFunction.process?.(ctx.recorded, p)).toMatchObject({
      idle_seconds: 1200,
      confirmed: false,
    });
  });

  it('forces the cold start where the provider can', async () => {
    const ctx = await run(undefined, { force: true });
    expect(platform?.forced).toEqual(['function3']);
    expect(ctx.time.waits.slice(0, 2)).toEqual([1, 1]);
  });

  it('sleeps 40 min and measures again when the cold reference is not cold, comparing the new cold reference (the reference kept the first)', async () => {
    // Warm calls of 0.3 s (threshold 0.6 s); the first replica answers as fast, the second in 1.5 s.
    const ctx = await run((_fn, cold, start) => (cold && start >= 2 ? 1.5 : 0.3));
    expect(ctx.time.waits.slice(0, 202)).toEqual([1200, ...Array(100).fill(1), 2400, ...Array(100).fill(1)]);
    expect(ctx.time.waits).not.toContain(3600);
    expect(platform?.lab.calls).toHaveLength(2 * 101 + 11);
    expect(ctx.recorded.get('Coldstart')?.at(-1)).toMatchObject({ final: true, cold: true });
  });

  it('fails once the sleep would pass 2 h: after sleeps of 40, 60, 80, 100 and 120 min', async () => {
    platform = await startReclaimingLab({ reclaimSeconds: 437, latency: () => 0.3 });
    const ctx = platform.context();
    const p = { ...DEFAULTS, baseline_calls: 10 };
    await expect(simpleColdFunction.run(ctx, p)).rejects.toThrow(/never above the threshold/);
    expect(ctx.time.waits.filter((w) => w > 1)).toEqual([2400, 3600, 4800, 6000, 7200]);
    expect(platform.lab.calls).toHaveLength(6 * 11);
    expect(ctx.recorded.get('Coldstart')).toBeUndefined();
  });
});
