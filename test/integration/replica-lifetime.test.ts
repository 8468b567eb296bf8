import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/core/poll.js';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';

/**
 * dfaas.replica.max-lifetime: a replica older than it is retired, as cloud platforms recycle
 * instances. Without scale to zero a new one starts first and the old one drains once it is
 * ready, so no call waits or fails; with scale to zero the idle old one goes, and the next call
 * starts a new one (a cold start the gateway reports).
 */
let gw: TestGateway;
beforeAll(async () => {
  const labels = { 'dfaas.replica.max-lifetime': '1500ms' };
  gw = await startTestGateway({
    deployments: [
      { service: 'steady', image: 'dfaas/function1', labels },
      {
        service: 'scaling',
        image: 'dfaas/function2',
        labels: { ...labels, 'com.openfaas.scale.zero': 'true' },
      },
    ],
    platform: { autoscaleIntervalMs: 50 },
  });
});
afterAll(() => gw?.close());

/** The instance that answered a call, and whether the gateway says the call waited for it. */
async function call(fn: string): Promise<{ status: number; instance: string; cold: boolean }> {
  const res = await fetch(`${gw.url}/function/${fn}`, { method: 'POST', body: '{}' });
  const body = (await res.json()) as Record<string, { instance_identifier?: string }> & {
    root_identifier: string;
  };
  return {
    status: res.status,
    instance: String(body[body.root_identifier]?.instance_identifier),
    cold: res.headers.has('x-dfaas-cold-start-ms'),
  };
}

describe('dfaas.replica.max-lifetime', () => {
  it('replaces an aged replica of a function with replicas before retiring it: no call waits or fails', async () => {
    const first = await call('steady');
    const seen = new Set([first.instance]);
    // Called every 100 ms for 4 s: the first replica is retired after 1.5 s, and so on.
    for (let i = 0; i < 40; i++) {
      const next = await call('steady');
      expect(next.status).toBe(200);
      expect(next.cold).toBe(false);
      seen.add(next.instance);
      await sleep(100);
    }
    expect(seen.size).toBeGreaterThanOrEqual(2);
  });

  it('retires an aged idle replica of a scale-to-zero function: the next call is a cold start', async () => {
    const first = await call('scaling');
    await sleep(2500);
    const next = await call('scaling');
    expect(next.status).toBe(200);
    expect(next.instance).not.toBe(first.instance);
    expect(next.cold).toBe(true);
  });
});
