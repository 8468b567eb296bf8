import { afterEach, describe, expect, it } from 'vitest';
import { basicWeakestLink } from '../../src/bench/experiments/basic-weakest-link.js';
import type { ChainSummary } from '../../src/bench/experiments/chains.js';
import { type LabStandIn, labContext, startLabStandIn } from './lab-stand-in.js';

let lab: LabStandIn | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const DEFAULTS = basicWeakestLink.params.parse({});
const CHAIN = ['monolith', 'function1', 'function2', 'function3'];

describe('basic-weakest-link', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({ function_names: CHAIN, calls: 1000 });
  });

  // 100 calls stand for the 1000 (the same loop; a call of the stand-in costs milliseconds).
  const params = basicWeakestLink.params.parse({ calls: 100 });

  it('lets the chain go cold, then calls monolith→function1→function2→function3 `calls` times in a row', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab);
    await basicWeakestLink.prepare?.(ctx, params);
    expect(lab.forced).toEqual(CHAIN);
    expect(lab.calls).toEqual([]);
    await basicWeakestLink.run(ctx, params);
    const client = lab.calls.filter((c) => c.from === 'client');
    expect(client).toHaveLength(100);
    // The reference's payload: each nested call holds only the next.
    const leaf = { function_name: 'function3', invoke_payload: {} };
    const f2 = { function_name: 'function2', invoke_payload: { invoke_nested: [leaf] } };
    const f1 = { function_name: 'function1', invoke_payload: { invoke_nested: [f2] } };
    for (const c of client)
      expect(c).toEqual({ fn: 'monolith', body: { invoke_nested: [f1] }, from: 'client' });
    expect(ctx.bench.invocations).toHaveLength(400);

    const { chains } = (basicWeakestLink.process?.(ctx.recorded, params) ?? {}) as { chains: ChainSummary[] };
    expect(chains).toHaveLength(1);
    expect(chains[0]?.chain).toBe('monolith>function1>function2>function3');
    expect(chains[0]?.calls).toBe(100);
    // Only the first call started cold, at every link.
    expect(chains[0]?.links.map((l) => [l.function_name, l.calls, l.cold])).toEqual(
      CHAIN.map((fn) => [fn, 100, 1]),
    );
    expect(CHAIN).toContain(chains[0]?.weakest);
  });

  it('waits the coldtime once where cold starts cannot be forced', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab, { cold: 'wait', coldtimeSeconds: 900 });
    await basicWeakestLink.prepare?.(ctx, DEFAULTS);
    expect(ctx.time.waits).toEqual([900]);
    expect(lab.forced).toEqual([]);
  });
});
