import { afterEach, describe, expect, it } from 'vitest';
import type { ChainSummary } from '../../src/bench/experiments/chains.js';
import { cyclicPairs, linearInvocationNested } from '../../src/bench/experiments/linear-invocation-nested.js';
import { type LabStandIn, labContext, startLabStandIn } from './lab-stand-in.js';

let lab: LabStandIn | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const DEFAULTS = linearInvocationNested.params.parse({});
const FUNCTIONS = ['function1', 'function2', 'function3', 'monolith'];
const PAIRS = [
  ['function1', 'function2'],
  ['function2', 'function3'],
  ['function3', 'monolith'],
  ['monolith', 'function1'],
];

describe('linear-invocation-nested', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({ function_names: FUNCTIONS, calls: 1000 });
    expect(cyclicPairs(FUNCTIONS)).toEqual(PAIRS);
  });

  // 50 calls stand for the 1000 (the same loop; a call of the stand-in costs milliseconds).
  const params = linearInvocationNested.params.parse({ calls: 50 });

  it('for each function: it and the next go cold, then `calls` calls each calling the next', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab);
    const forcedBefore: string[][] = [];
    const goCold = ctx.goCold;
    ctx.goCold = async (fn) => {
      forcedBefore.push([fn, String(lab?.calls.length)]);
      return goCold(fn);
    };
    await linearInvocationNested.run(ctx, params);
    expect(lab.forced).toEqual(PAIRS.flat());
    // Each pair goes cold before its round: after 0, 100, 200 and 300 calls (client and nested).
    expect(forcedBefore.map(([, n]) => Number(n))).toEqual([0, 0, 100, 100, 200, 200, 300, 300]);
    const client = lab.calls.filter((c) => c.from === 'client');
    expect(client).toHaveLength(200);
    PAIRS.forEach(([fn, next], i) => {
      for (const c of client.slice(i * 50, (i + 1) * 50))
        expect(c).toEqual({
          fn,
          body: { invoke_nested: [{ function_name: next, invoke_payload: {} }] },
          from: 'client',
        });
    });
    // Both entries of every call are kept.
    expect(ctx.bench.invocations).toHaveLength(400);
    expect(ctx.bench.invocations.filter((r) => r.level === 1)).toHaveLength(200);

    const { chains } = (linearInvocationNested.process?.(ctx.recorded, params) ?? {}) as {
      chains: ChainSummary[];
    };
    expect(chains.map((c) => [c.chain, c.calls])).toEqual(PAIRS.map((p) => [p.join('>'), 50]));
    // The first call of each round starts both cold.
    expect(chains.map((c) => c.links.map((l) => l.cold))).toEqual(PAIRS.map(() => [1, 1]));
    for (const c of chains) expect(c.links[1]?.median_hop_warm).toEqual(expect.any(Number));
  });

  it('waits the coldtime once per function, not twice before the first (as the reference did)', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab, { cold: 'wait' });
    await linearInvocationNested.run(ctx, linearInvocationNested.params.parse({ calls: 2 }));
    expect(ctx.time.waits).toEqual([1200, 1200, 1200, 1200]);
    expect(lab.forced).toEqual([]);
  });
});
