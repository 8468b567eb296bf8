import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';
import { waitFor } from '../helpers/wait.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    deployments: [
      {
        service: 'busy',
        image: 'dfaas/sleep',
        labels: {
          // one replica per request in flight, up to 4, any step; back down after a 1 s window
          'com.openfaas.scale.type': 'capacity',
          'com.openfaas.scale.target': '1',
          'com.openfaas.scale.target-proportion': '1',
          'com.openfaas.scale.max': '4',
          'com.openfaas.scale.factor': '100',
          'dfaas.scale.down-window': '1s',
        },
      },
    ],
    platform: { autoscaleIntervalMs: 200 },
  });
});
afterAll(async () => {
  await gw?.close();
});

describe('target autoscaling (capacity)', () => {
  it('adds replicas under load and returns to min after the down window', async () => {
    expect((await gw.client.get('busy')).replicas).toBe(1);
    // 4 requests in flight for 2 s: the autoscaler sees a mean concurrency near 4.
    const calls = Array.from({ length: 4 }, () => gw.client.invoke('busy', { body: '2000' }));
    await waitFor('scaled up', async () => ((await gw.client.get('busy')).replicas ?? 0) >= 3, 5000);
    expect((await Promise.all(calls)).every((r) => r.status === 200)).toBe(true);
    await waitFor('back to 1', async () => (await gw.client.get('busy')).replicas === 1, 5000);
  });
});
