import { afterEach, describe, expect, it } from 'vitest';
import { coldtimeLargeFunctions } from '../../src/bench/experiments/coldtime-large-functions.js';
import { type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';

/** coldtime-large-functions against the stand-in lab: rounds, cold waits, Cold_round rows. */
let lab: FakeLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const DEFAULTS = coldtimeLargeFunctions.params.parse({});

describe('coldtime-large-functions', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({
      function_names: ['function1', 'monolith'],
      throughput_times: [0, 0.2],
      rounds: 10,
      calls_per_round: 10,
    });
  });

  it('calls each function 10 × 10 per payload, going cold after each round but its last', async () => {
    const log: string[] = [];
    // Each round's first call (after a forced cold start) is slow and says it was cold.
    const coldNext = new Set<string>();
    lab = await startFakeLab((call) => {
      log.push(call.fn);
      const cold = coldNext.delete(call.fn);
      return { latency: cold ? 0.5 : 0, fields: { is_cold: cold } };
    });
    const provider = {
      ...lab.provider,
      forceCold: async (fn: string) => {
        log.push(`cold ${fn}`);
        coldNext.add(fn);
      },
    };
    const ctx = fakeContext(lab, { provider, timeScale: 60 });
    await coldtimeLargeFunctions.prepare?.(ctx, DEFAULTS);
    await coldtimeLargeFunctions.run(ctx, DEFAULTS);
    const round = (fn: string) => [...Array(10).fill(fn), `cold ${fn}`];
    const passes = (fn: string) =>
      Array.from({ length: 20 }, () => round(fn))
        .flat()
        .slice(0, -1);
    expect(log).toEqual(['cold function1', 'cold monolith', ...passes('function1'), ...passes('monolith')]);
    // The first pass sends no throughput_time; the second 0.2 s of work, at the time scale.
    const bodies = lab.calls.map((c) => c.body);
    expect(bodies.slice(0, 100).every((b) => Object.keys(b).length === 0)).toBe(true);
    expect(bodies.slice(100, 200).every((b) => b.throughput_time === 0.2 / 60)).toBe(true);
    expect(bodies.slice(200, 300).every((b) => Object.keys(b).length === 0)).toBe(true);

    const rows = ctx.recorded.get('Cold_round') ?? [];
    expect(rows).toHaveLength(40);
    expect(rows.map((r) => [r.function_name, r.throughput_time, r.round]).slice(8, 12)).toEqual([
      ['function1', 0, 9],
      ['function1', 0, 10],
      ['function1', 0.2, 1],
      ['function1', 0.2, 2],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({
        calls: 10,
        errors: 0,
        first_is_cold: true,
        first_platform_cold_start_ms: null,
      });
      expect(row.first_latency).toBeGreaterThan(0.4);
      expect(row.warm_mean_latency).toBeLessThan(0.1);
    }
    const summary = coldtimeLargeFunctions.process?.(ctx.recorded, DEFAULTS) as {
      groups: { function_name: string; rounds: number; cold_mean_latency: number }[];
    };
    expect(summary.groups.map((g) => [g.function_name, g.rounds])).toEqual([
      ['function1', 10],
      ['function1', 10],
      ['monolith', 10],
      ['monolith', 10],
    ]);
    expect(summary.groups[0]?.cold_mean_latency).toBeGreaterThan(0.4);
  });

  it('waits the coldtime where the provider cannot force a cold start', async () => {
    lab = await startFakeLab();
    const ctx = fakeContext(lab, { coldtimeSeconds: 600 });
    const p = coldtimeLargeFunctions.params.parse({ rounds: 2, calls_per_round: 3 });
    await coldtimeLargeFunctions.prepare?.(ctx, p);
    await coldtimeLargeFunctions.run(ctx, p);
    // Once for both first, then after each round but each function's last: 2 × (2 × 2 − 1).
    expect(ctx.time.waits).toEqual(Array(1 + 6).fill(600));
    expect(lab.calls).toHaveLength(2 * 2 * 2 * 3);
  });

  it("records a failed call in its round's errors and goes on", async () => {
    lab = await startFakeLab((call) => (call.total === 1 ? { status: 500 } : {}));
    const ctx = fakeContext(lab);
    const p = coldtimeLargeFunctions.params.parse({
      function_names: 'function1',
      throughput_times: '0',
      rounds: 1,
    });
    await coldtimeLargeFunctions.run(ctx, p);
    const [row] = ctx.recorded.get('Cold_round') ?? [];
    expect(row).toMatchObject({ calls: 10, errors: 1, first_is_cold: null });
    expect(Number.isNaN(row?.first_latency)).toBe(true);
  });
});
