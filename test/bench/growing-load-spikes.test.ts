import { afterEach, describe, expect, it } from 'vitest';
import { growingLoadSpikes, spikeSizes } from '../../src/bench/experiments/growing-load-spikes.js';
import { type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';

/** growing-load-spikes against the stand-in lab, in virtual time: baselines, bursts, rows. */
let lab: FakeLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const params = (over: Record<string, unknown>) => growingLoadSpikes.params.parse(over);

describe('growing-load-spikes', () => {
  it("keeps the reference's parameters as defaults, and its code's spikes: 8 … 264 and back (66)", () => {
    const p = growingLoadSpikes.params.parse({});
    expect(p).toEqual({
      function_name: 'function1',
      throughput_time: 0.1,
      spike_start: 8,
      spike_increment: 8,
      number_of_spikes: 32,
      iterations: 2,
      baseline_seconds: 30,
      baseline_every: 0.3,
    });
    const sizes = spikeSizes(p);
    expect(sizes).toHaveLength(66);
    expect(sizes.slice(0, 3)).toEqual([8, 16, 24]);
    // Not the description's "by 16 until 128": the code goes by 8 to 264, the peak twice in a row.
    expect(sizes.slice(31, 35)).toEqual([256, 264, 264, 256]);
    expect(sizes.at(-1)).toBe(8);
  });

  it('for each spike, twice: a baseline of calls one at a time every 0.3 s, then N calls at once', async () => {
    // Calls in flight when each call arrives: the baseline's must be alone.
    let inFlight = 0;
    const alongside: number[] = [];
    lab = await startFakeLab(async (call) => {
      alongside[call.total - 1] = inFlight++;
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { instance: `i${call.total % 2}` };
    });
    const ctx = fakeContext(lab);
    const goCold = ctx.goCold;
    let colds = 0;
    ctx.goCold = async (fn) => {
      colds++;
      return goCold(fn);
    };
    const p = params({ spike_start: 2, spike_increment: 2, number_of_spikes: 1, baseline_seconds: 1.2 });
    await growingLoadSpikes.run(ctx, p);
    // Spikes 2, 4, 4, 2, twice each; each after 4 baseline calls 0.3 s apart; no cold wait at all.
    expect(colds).toBe(0);
    expect(ctx.time.waits).toHaveLength(8 * 4);
    for (const w of ctx.time.waits) expect(w).toBeCloseTo(0.3, 9);
    expect(lab.calls).toHaveLength(8 * 4 + 2 * (2 + 4 + 4 + 2));
    expect(lab.calls.every((c) => c.fn === 'function1' && c.body.throughput_time === 0.1)).toBe(true);
    expect(alongside.slice(0, 4)).toEqual([0, 0, 0, 0]);
    const bursts = ctx.bench.invocations.filter((r) => r.numb_threads > 1);
    expect(bursts).toHaveLength(24);
    const rows = ctx.recorded.get('Load_spike') ?? [];
    expect(rows.map((r) => [r.spike, r.iteration, r.numb_threads])).toEqual([
      [1, 0, 2],
      [1, 1, 2],
      [2, 0, 4],
      [2, 1, 4],
      [3, 0, 4],
      [3, 1, 4],
      [4, 0, 2],
      [4, 1, 2],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({
        errors: 0,
        success_rate: 1,
        instances: 2,
        new_instances: 0,
        baseline_calls: 4,
        baseline_errors: 0,
      });
    }
  });

  it('keeps the baseline rate under a time scale: 100 calls over 30 s become 2 over 0.5 s at 60', async () => {
    lab = await startFakeLab();
    const ctx = fakeContext(lab, { timeScale: 60 });
    await growingLoadSpikes.run(ctx, params({ spike_start: 3, spike_increment: 1, number_of_spikes: 0 }));
    // Spikes 3 and 3, twice each: 4 baselines of 2 calls, 15 reference seconds apart.
    expect(ctx.time.waits).toEqual(Array(8).fill(15));
    expect(lab.calls).toHaveLength(4 * 2 + 4 * 3);
    expect(lab.calls[0]?.body.throughput_time).toBeCloseTo(0.1 / 60, 12);
  });

  it("records each burst's errors and success rate, and the baseline's apart", async () => {
    // Every third request fails.
    lab = await startFakeLab((call) => (call.total % 3 === 0 ? { status: 500 } : {}));
    const ctx = fakeContext(lab);
    await growingLoadSpikes.run(
      ctx,
      params({
        spike_start: 6,
        spike_increment: 6,
        number_of_spikes: 1,
        iterations: 1,
        baseline_seconds: 0.9,
      }),
    );
    const rows = ctx.recorded.get('Load_spike') ?? [];
    const total = rows.reduce((a, r) => a + Number(r.errors) + Number(r.baseline_errors), 0);
    expect(total).toBe(Math.floor(lab.calls.length / 3));
    expect(ctx.bench.errors).toHaveLength(total);
    for (const r of rows)
      expect(r.success_rate).toBeCloseTo(1 - Number(r.errors) / Number(r.numb_threads), 12);
    // Calls 1-3 baseline (3rd fails), 4-9 the first burst of 6 (6th and 9th fail).
    expect(rows[0]).toMatchObject({ numb_threads: 6, baseline_calls: 3, baseline_errors: 1, errors: 2 });
    const summary = growingLoadSpikes.process?.(ctx.recorded, params({}));
    expect(summary).toMatchObject({ spikes: 4, errors: total });
  });
});
