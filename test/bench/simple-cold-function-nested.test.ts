import { afterEach, describe, expect, it } from 'vitest';
import { loweredThreshold } from '../../src/bench/experiments/latency-threshold.js';
import { simpleColdFunctionNested } from '../../src/bench/experiments/simple-cold-function-nested.js';
import { type ReclaimingLab, startReclaimingLab } from './reclaiming-lab.js';

/**
 * simple-cold-function-nested against a fake platform on which function2 (the nested function)
 * is reclaimed after 437 s idle and function1 (the root) never; the root's calls always take
 * 2 s, so only the nested entry's latency can tell cold from warm.
 */
let platform: ReclaimingLab | undefined;
afterEach(() => platform?.close());

const DEFAULTS = simpleColdFunctionNested.params.parse({});

async function start() {
  platform = await startReclaimingLab({
    reclaimSeconds: { function2: 437 },
    latency: (fn, cold) => (fn === 'function1' ? 2 : cold ? 0.25 : 0.005),
  });
  return platform;
}

describe('simple-cold-function-nested', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({
      function_name: 'function1',
      nested_function: 'function2',
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

  it("calls function1 with one nested call of function2 and searches by the nested entry's latency", async () => {
    const lab = await start();
    const ctx = lab.context();
    await simpleColdFunctionNested.prepare?.(ctx, DEFAULTS);
    await simpleColdFunctionNested.run(ctx, DEFAULTS);

    // One wait of the coldtime covers both functions; then the 100 baseline waits of 1 s; then the
    // probes' idle times (299 … 480, then 440 × 6), waited at most 20 s at a time with a call of
    // the caller alone in between, which keeps it warm.
    const [coldWait, ...rest] = ctx.time.waits;
    expect(coldWait).toBe(1200);
    expect(rest.slice(0, 100)).toEqual(Array(100).fill(1));
    const idle = rest.slice(100);
    expect(Math.round(idle.reduce((a, b) => a + b, 0))).toBe(299 + 600 + 360 + 420 + 480 + 6 * 440);
    expect(Math.max(...idle)).toBeLessThanOrEqual(20.5);
    const probes = lab.lab.calls.filter((c) => c.body.invoke_nested);
    expect(probes).toHaveLength(112);
    for (const call of probes)
      expect(call).toMatchObject({
        fn: 'function1',
        body: { invoke_nested: [{ function_name: 'function2', invoke_payload: {} }] },
      });
    const keepWarm = lab.lab.calls.filter((c) => !c.body.invoke_nested);
    expect(keepWarm.length).toBeGreaterThan(200);
    for (const call of keepWarm) expect(call).toMatchObject({ fn: 'function1', body: {} });

    const rows = ctx.recorded.get('Coldstart') ?? [];
    expect(rows.map((r) => [Number(r.minutes) * 60 + Number(r.seconds), r.cold, r.final])).toEqual([
      [300, false, false],
      [600, true, false],
      [360, false, false],
      [420, false, false],
      [480, true, false],
      ...Array.from({ length: 5 }, () => [440, true, false]),
      [440, true, true],
    ]);
    // invo_id is the nested entry's identifier.
    expect(rows.map((r) => r.invo_id)).toEqual(
      probes.slice(101).map((c) => `function2-function1-${c.total}-0`),
    );
    // The threshold from the nested entries' latencies, not the root's (always 2 s here).
    const nested = ctx.bench.invocations.filter((r) => r.level === 1);
    expect(nested).toHaveLength(112);
    const latency = nested.map((r) => Number(r.execution_start) - Number(r.invocation_start));
    const [cold = 0, ...warm] = latency.slice(0, 101);
    expect(cold).toBeGreaterThanOrEqual(0.25);
    expect(cold).toBeLessThan(1);
    expect(Number(rows[0]?.benchmark)).toBeCloseTo(loweredThreshold(cold, warm), 12);
    expect(simpleColdFunctionNested.process?.(ctx.recorded, DEFAULTS)).toMatchObject({
      idle_seconds: 440,
      confirmed: true,
    });
  });

  it('forces both functions cold where the provider can', async () => {
    const lab = await start();
    const ctx = lab.context({ force: true });
    await simpleColdFunctionNested.prepare?.(ctx, DEFAULTS);
    expect(lab.forced).toEqual(['function2', 'function1']);
    expect(ctx.time.waits).toEqual([]);
  });
});
