import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Benchmarker } from '../../src/bench/benchmarker.js';
import { coldAgreement } from '../../src/bench/cold.js';
import { type EmbeddedProvider, startEmbeddedProvider } from '../../src/bench/embedded-provider.js';
import { sampleStatistics } from '../../src/bench/stats.js';

/**
 * The Benchmarker against the embedded provider: the lab functions on dfaas's own platform, cold
 * starts forced through its scale API, and the three cold-start signals agreeing on every call.
 * The idle-time searches against it are test/integration/bench-cli-embedded.test.ts's.
 */
describe('the Benchmarker on the embedded provider', () => {
  let provider: EmbeddedProvider;
  beforeAll(async () => {
    provider = await startEmbeddedProvider();
  });
  afterAll(() => provider?.close());

  it('tells cold from warm three ways that agree on every call, nested calls included', async () => {
    const bench = new Benchmarker({ provider, retryForMs: 0 });
    for (let round = 0; round < 3; round++) {
      await provider.forceCold('function1');
      // cold, then warm on the same replica
      expect((await bench.invoke('function1', { sleep: 0 })).ok).toBe(true);
      expect((await bench.invoke('function1', { sleep: 0 })).ok).toBe(true);
    }
    const chain = await bench.invoke('function2', {
      invoke_nested: [{ function_name: 'function3', invoke_payload: { throughput_time: 0.05 } }],
    });
    expect(chain.ok).toBe(true);
    const { invocations, errors, retries } = bench.end();
    expect(errors).toEqual([]);
    expect(retries).toBe(0);
    const roots = invocations.filter(
      (r) => r.identifier === r.root_identifier && r.function_name === 'function1',
    );
    expect(roots.map((r) => r.is_cold)).toEqual([true, false, true, false, true, false]);
    expect(roots.map((r) => (r.platform_cold_start_ms ?? 0) > 0)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    const agreement = coldAgreement(invocations);
    expect(agreement).toMatchObject({
      calls: 7,
      agreement: 1,
      cold: { identity: 4, marker: 4, platform: 4 },
    });
    // The nested call went through the gateway and is a row of its own, one level down.
    const nested = invocations.filter(
      (r) => r.root_identifier === (chain.ok ? chain.rows[0]?.identifier : ''),
    );
    expect(nested.map((r) => [r.function_name, r.level])).toEqual([
      ['function2', 0],
      ['function3', 1],
    ]);
    // Cold calls start a replica: their latency (execution_start − invocation_start) is the
    // larger, whatever the machine's speed.
    const cold = sampleStatistics(roots.filter((r) => r.is_cold).map((r) => r.latency));
    const warm = sampleStatistics(roots.filter((r) => !r.is_cold).map((r) => r.latency));
    expect(cold.median).toBeGreaterThan(warm.median);
  });

  it('releases a burst together, each call tagged, the new replicas told cold the three ways', async () => {
    const bench = new Benchmarker({ provider, retryForMs: 0 });
    await provider.forceCold('function3');
    const results = await bench.invokeConcurrently('function3', 16, { sleep: 0.05 });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(bench.invocations.map((r) => r.thread_id).sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
    // From zero replicas: each replica the burst started is one cold call, by every signal (the
    // calls queued behind a starting replica waited, but are not its cold start).
    const agreement = coldAgreement(bench.invocations);
    expect(agreement.agreement).toBe(1);
    expect(agreement.cold.platform).toBeGreaterThanOrEqual(1);
    expect(agreement.cold.platform).toBe(agreement.cold.marker);
  });
});
