import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Logger, silentLogger } from '../../src/core/logger.js';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';
import { alive, waitFor } from '../helpers/wait.js';

let gw: TestGateway;
/** When the platform saw each replica end (it logs "replica ended"), by replica pid. */
const endedAt = new Map<string, number>();
const logger: Logger = {
  ...silentLogger,
  warn(message, fields) {
    if (message.startsWith('replica ended')) endedAt.set(String(fields?.replica), performance.now());
  },
};

beforeAll(async () => {
  gw = await startTestGateway({
    deployments: [{ service: 'work', image: 'dfaas/sleep', labels: { 'com.openfaas.scale.min': '2' } }],
    platform: { logger },
  });
  await waitFor('2 replicas', async () => (await gw.client.get('work')).availableReplicas === 2);
});
afterAll(async () => {
  await gw?.close();
});

describe('a replica killed under load', () => {
  it('fails only the requests routed to it before its death was seen; the gateway keeps serving and replaces it', async () => {
    const calls: { startedAt: number; status: number }[] = [];
    const [victim, survivor] = gw.platform.replicaPids('work') as [number, number];
    const workers = 8;
    // Bounded load: 8 workers, each call sleeps 20 ms in the function, for at most 3 s.
    const deadline = performance.now() + 3000;
    const load = Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        const startedAt = performance.now();
        const res = await fetch(`${gw.url}/function/work`, { method: 'POST', body: '20' });
        await res.arrayBuffer();
        calls.push({ startedAt, status: res.status });
      }
    });
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(victim, 'SIGKILL');
    await Promise.all(load);

    expect(calls.length).toBeGreaterThan(100);
    const seenDead = endedAt.get('work-1') ?? endedAt.get('work-2');
    expect(seenDead).toBeDefined();
    const failed = calls.filter((c) => c.status !== 200);
    // At most the requests that could be in flight; all 502; none started after the death was seen.
    expect(failed.length).toBeLessThanOrEqual(workers);
    expect(failed.every((c) => c.status === 502)).toBe(true);
    expect(failed.every((c) => c.startedAt < (seenDead as number))).toBe(true);
    expect(calls.filter((c) => c.startedAt > (seenDead as number)).length).toBeGreaterThan(10);

    await waitFor('replacement ready', async () => (await gw.client.get('work')).availableReplicas === 2);
    const pids = gw.platform.replicaPids('work');
    expect(pids).toContain(survivor);
    expect(pids).not.toContain(victim);
    expect(alive(victim)).toBe(false);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/dfaas_replica_restarts_total\{function_name="work",reason="crash"\} 1/);
  });

  it('sends the requests still queued for a replica that dies to another replica', async () => {
    await waitFor('2 replicas', async () => (await gw.client.get('work')).availableReplicas === 2);
    const [victim] = gw.platform.replicaPids('work') as [number];
    // More requests than a replica's connections (128): those beyond wait in its pool, unsent.
    const total = 320;
    const agent = new Agent({ connections: total });
    try {
      const calls = Array.from({ length: total }, async () => {
        const res = await request(`${gw.url}/function/work?ms=1500`, { method: 'POST', dispatcher: agent });
        await res.body.dump();
        return res.statusCode;
      });
      await waitFor(
        'requests queued at both replicas',
        () => gw.platform.snapshot().functions.work?.inflight === total,
      );
      process.kill(victim, 'SIGKILL');
      const statuses = await Promise.all(calls);
      const failed = statuses.filter((s) => s !== 200);
      // Only what the victim had on its connections fails; its queue goes to the survivor or the replacement.
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.length).toBeLessThanOrEqual(128);
      expect(failed.every((s) => s === 502)).toBe(true);
    } finally {
      await agent.close();
    }
  });
});
