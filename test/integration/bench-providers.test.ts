import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Benchmarker } from '../../src/bench/benchmarker.js';
import { coldAgreement } from '../../src/bench/cold.js';
import { startEmbeddedProvider } from '../../src/bench/embedded-provider.js';
import { openProvider } from '../../src/bench/provider-spec.js';
import { type BenchProvider, dfaasNodeProvider, httpProvider } from '../../src/bench/providers.js';
import { silentLogger } from '../../src/core/logger.js';
import { startNode } from '../../src/node/agent/node.js';
import { NodeConfigSchema } from '../../src/node/config.js';
import { LAB_FUNCTION_NAMES } from '../../src/platform/functions/lab.js';
import { startTestGateway } from '../helpers/embedded-gateway.js';

/**
 * The providers' contract, run against each: the embedded one; `openfaas` against dfaas's
 * OpenFaaS-compatible gateway with basic auth, cold starts forced through its /system API (a real
 * OpenFaaS cannot run here); `dfaas-node`
 * against a DFaaS node's proxy (`dfaas node up`'s, its platform behind it); `http` by URL
 * template. Each must reach every lab function, carry nested calls, release a burst, make a
 * missing function an error row (never retried into a success), and, where it can force a cold
 * start, make the next call cold by every signal it has.
 */
const dir = mkdtempSync(join(tmpdir(), 'dfaas-bench-providers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Subject {
  provider: BenchProvider & { forceCold?: (fn: string) => Promise<void> };
  close(): Promise<void>;
}

const LAB_STACK = `functions:\n${LAB_FUNCTION_NAMES.map((n) => `  ${n}:\n    lang: builtin\n    handler: ${n}\n`).join('')}`;

/** Name, whether it forces cold starts, how to start it. */
const subjects: [string, boolean, () => Promise<Subject>][] = [
  [
    'embedded',
    true,
    async () => {
      const provider = await startEmbeddedProvider();
      return { provider, close: () => provider.close() };
    },
  ],
  [
    'openfaas',
    true,
    async () => {
      const auth = { username: 'admin', password: 'lab-secret' };
      writeFileSync(join(dir, 'stack.yml'), LAB_STACK);
      const gw = await startTestGateway({ stack: join(dir, 'stack.yml'), auth });
      const opened = await openProvider({ name: 'openfaas', url: gw.url, auth }, 1);
      return {
        provider: opened.provider,
        close: async () => {
          await opened.close();
          await gw.close();
        },
      };
    },
  ],
  [
    'dfaas-node',
    false,
    async () => {
      writeFileSync(join(dir, 'stack.yml'), LAB_STACK);
      const node = await startNode(
        NodeConfigSchema.parse({
          node_id: 'bench-contract',
          identity_file: 'bench.key',
          proxy: { driver: 'embedded' },
          platform: { stack: 'stack.yml' },
          agent: { strategy: 'all-local', period: '1s' },
        }),
        dir,
        silentLogger,
      );
      return { provider: dfaasNodeProvider(node.proxyUrl), close: () => node.stop() };
    },
  ],
  [
    'http',
    false,
    async () => {
      writeFileSync(join(dir, 'stack.yml'), LAB_STACK);
      const gw = await startTestGateway({ stack: join(dir, 'stack.yml') });
      return { provider: httpProvider(`${gw.url}/function/{function}`), close: () => gw.close() };
    },
  ],
];

describe.each(subjects)('the bench provider contract: %s', (_name, forcesCold, start) => {
  let subject: Subject;
  beforeAll(async () => {
    subject = await start();
  }, 60_000);
  afterAll(() => subject?.close());

  it('reaches every lab function, with its entry as the root row', async () => {
    const bench = new Benchmarker({ provider: subject.provider, retryForMs: 30_000, retryEveryMs: 100 });
    for (const fn of LAB_FUNCTION_NAMES) {
      const result = await bench.invoke(fn, { sleep: 0 });
      expect(result.ok, fn).toBe(true);
      if (!result.ok) continue;
      const [root] = result.rows;
      expect(root).toMatchObject({ function_name: fn, level: 0, parent: 'root' });
      expect(String(root?.instance_identifier).length).toBeGreaterThan(0);
      expect(root?.latency).toBeGreaterThanOrEqual(0);
    }
  });

  it('carries nested calls through its platform, and releases a burst tagged thread by thread', async () => {
    const bench = new Benchmarker({ provider: subject.provider, retryForMs: 30_000, retryEveryMs: 100 });
    const chain = await bench.invoke('function1', {
      invoke_nested: [{ function_name: 'function2', invoke_payload: {} }],
    });
    expect(chain.ok && chain.rows.map((r) => [r.function_name, r.level])).toEqual([
      ['function1', 0],
      ['function2', 1],
    ]);
    const burst = await bench.invokeConcurrently('function3', 8, { sleep: 0.01 });
    expect(burst.every((r) => r.ok)).toBe(true);
    expect(burst.map((r) => (r.ok ? r.rows[0]?.thread_id : -1)).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('makes a missing function an error row, not retried into a success', async () => {
    const bench = new Benchmarker({ provider: subject.provider, retryForMs: 2000, retryEveryMs: 100 });
    const result = await bench.invoke('no-such-function');
    expect(result.ok).toBe(false);
    expect(bench.end().errors).toMatchObject([{ function_name: 'no-such-function', type: 'http 404' }]);
  });

  it.runIf(forcesCold)('forces a cold start: the next call is cold by every signal it has', async () => {
    expect(subject.provider.forceCold).toBeTypeOf('function');
    const bench = new Benchmarker({ provider: subject.provider, retryForMs: 0 });
    await subject.provider.forceCold?.('function2');
    await bench.invoke('function2');
    await bench.invoke('function2');
    const rows = bench.end().invocations;
    expect(rows.map((r) => r.is_cold)).toEqual([true, false]);
    expect(coldAgreement(rows).agreement).toBe(1);
  });
});
