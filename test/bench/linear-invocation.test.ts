import { afterEach, describe, expect, it } from 'vitest';
import { linearInvocation } from '../../src/bench/experiments/linear-invocation.js';
import { type LabStandIn, labContext, startLabStandIn } from './lab-stand-in.js';

let lab: LabStandIn | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const DEFAULTS = linearInvocation.params.parse({});
const FUNCTIONS = ['function1', 'function2', 'function3', 'monolith'];

describe('linear-invocation', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({ function_names: FUNCTIONS, calls: 1000 });
  });

  // 50 calls stand for the 1000 (the same loop; a call of the stand-in costs milliseconds).
  const params = linearInvocation.params.parse({ calls: 50 });

  it('after every function goes cold: `calls` calls of each in turn, the first of each cold', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab);
    await linearInvocation.prepare?.(ctx, params);
    expect(lab.forced).toEqual(FUNCTIONS);
    await linearInvocation.run(ctx, params);
    expect(lab.calls.map((c) => c.fn)).toEqual(FUNCTIONS.flatMap((fn) => Array(50).fill(fn)));
    expect(lab.calls.every((c) => c.from === 'client' && Object.keys(c.body).length === 0)).toBe(true);
    expect(ctx.bench.invocations).toHaveLength(200);
    expect(ctx.recorded.get('Chain_link')).toHaveLength(200);

    const { functions } = (linearInvocation.process?.(ctx.recorded, params) ?? {}) as {
      functions: Record<string, unknown>[];
    };
    expect(functions.map((f) => [f.function_name, f.calls, f.cold])).toEqual(
      FUNCTIONS.map((fn) => [fn, 50, 1]),
    );
    for (const f of functions) {
      expect(f.median_latency_warm).toEqual(expect.any(Number));
      expect(f.median_latency_cold).toEqual(expect.any(Number));
    }
  });

  it('waits the coldtime once where cold starts cannot be forced', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab, { cold: 'wait' });
    await linearInvocation.prepare?.(ctx, DEFAULTS);
    expect(ctx.time.waits).toEqual([1200]);
    expect(lab.forced).toEqual([]);
  });
});
