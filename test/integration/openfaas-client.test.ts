import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FunctionNotFoundError,
  InvalidDeploymentError,
  PlatformUnavailableError,
  UnauthorizedError,
} from '../../src/platform/errors.js';
import { OpenFaaSClient } from '../../src/platform/openfaas/client.js';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';
import { waitFor } from '../helpers/wait.js';

const auth = { username: 'admin', password: 'pw' };
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    auth,
    deployments: [{ service: 'echo', image: 'dfaas/echo' }],
    platform: { startTimeoutMs: 5000 },
  });
});
afterAll(async () => {
  await gw?.close();
});

describe('OpenFaaS client against a gateway', () => {
  it('deploys, lists, gets, scales, invokes, updates and removes', async () => {
    const c = gw.client;
    await c.deploy({ service: 'sha', image: 'dfaas/shasum:latest', labels: { team: 'a' } });
    expect((await c.list()).map((f) => f.name).sort()).toEqual(['echo', 'sha']);
    const res = await c.invoke('sha', { body: 'hello' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toMatch(/^2cf24dba/);
    await c.scale('sha', 2);
    await waitFor('2 replicas', async () => (await c.get('sha')).availableReplicas === 2);
    await c.update({ service: 'sha', image: 'dfaas/shasum:latest', labels: { team: 'b' } });
    expect((await c.get('sha')).labels).toEqual({ team: 'b' });
    await c.remove('sha');
    await expect(c.get('sha')).rejects.toBeInstanceOf(FunctionNotFoundError);
    expect((await c.info()).provider.provider).toBe('dfaas');
    expect(await c.health()).toBe(true);
  });

  it('updates as a rolling update: old replicas serve until new ones are ready, and stay if the new ones fail', async () => {
    const c = gw.client;
    await c.deploy({ service: 'roll', image: 'local/roll', envProcess: 'echo v1' });
    expect((await c.invoke('roll')).body.toString()).toBe('v1\n');
    await c.update({ service: 'roll', image: 'local/roll', envProcess: 'echo v2' });
    // No request waits for a cold start during the update: v1 serves until v2 is ready.
    const during = await c.invoke('roll');
    expect(during.coldStartMs).toBeUndefined();
    await waitFor('v2 serving', async () => (await c.invoke('roll')).body.toString() === 'v2\n');
    // A broken update (its replicas cannot start) leaves v2 serving.
    await c.update({
      service: 'roll',
      image: 'local/roll',
      envProcess: 'exit 1',
      envVars: { mode: 'http' },
    });
    for (let i = 0; i < 5; i++) expect((await c.invoke('roll')).body.toString()).toBe('v2\n');
    // An update that lowers the replica count retires every old replica all the same.
    await c.update({
      service: 'roll',
      image: 'local/roll',
      envProcess: 'echo v3',
      labels: { 'com.openfaas.scale.min': '3' },
    });
    await waitFor('3 v3 replicas', async () => (await c.get('roll')).availableReplicas === 3);
    await c.update({
      service: 'roll',
      image: 'local/roll',
      envProcess: 'echo v4',
      labels: { 'com.openfaas.scale.min': '1', 'com.openfaas.scale.max': '1' },
    });
    await waitFor('only v4 left', async () => {
      const status = await c.get('roll');
      const answers = await Promise.all(Array.from({ length: 6 }, () => c.invoke('roll')));
      return status.availableReplicas === 1 && answers.every((a) => a.body.toString() === 'v4\n');
    });
    await c.remove('roll');
  });

  it('throws typed errors', async () => {
    const c = gw.client;
    await expect(c.get('nope')).rejects.toBeInstanceOf(FunctionNotFoundError);
    await expect(c.scale('nope', 1)).rejects.toBeInstanceOf(FunctionNotFoundError);
    await expect(c.deploy({ service: 'echo', image: 'dfaas/echo' })).rejects.toThrow(/already exists/);
    const bad = c.deploy({ service: 'x', image: 'dfaas/echo', labels: { 'com.openfaas.scale.min': 'one' } });
    await expect(bad).rejects.toBeInstanceOf(InvalidDeploymentError);
    await expect(c.invokeAsync('nope')).rejects.toBeInstanceOf(FunctionNotFoundError);
    // Invocations answer with the status whatever it is, like a load generator needs.
    expect((await c.invoke('nope')).status).toBe(404);

    const anonymous = new OpenFaaSClient({ gateway: gw.url });
    await expect(anonymous.list()).rejects.toBeInstanceOf(UnauthorizedError);
    expect((await anonymous.invoke('echo', { body: 'open' })).body.toString()).toBe('open');
    await anonymous.close();

    const nobody = new OpenFaaSClient({ gateway: 'http://127.0.0.1:9', timeoutMs: 2000 });
    await expect(nobody.list()).rejects.toBeInstanceOf(PlatformUnavailableError);
    expect(await nobody.health()).toBe(false);
    await nobody.close();
  });

  it('retries 502/503 while a function scales from zero, when asked to', async () => {
    // The gateway lets a request wait 300 ms for a replica; this one needs 1.5 s to start.
    const impatient = await startTestGateway({
      deployments: [
        {
          service: 'slow-start',
          image: 'local/slow-start',
          envProcess: `sleep 1.5 && exec ${process.execPath} -e "require('http').createServer((q,s)=>s.end('up')).listen(process.env.PORT,'127.0.0.1')"`,
          envVars: { mode: 'http' },
          labels: { 'com.openfaas.scale.min': '0' },
        },
      ],
      platform: { startTimeoutMs: 300 },
    });
    const patient = new OpenFaaSClient({ gateway: impatient.url, coldStartRetryMs: 10_000 });
    try {
      const once = await impatient.client.invoke('slow-start');
      expect(once.status).toBe(503);
      expect(once.body.toString()).toMatch(/no replica became ready within 300 ms/);
      const res = await patient.invoke('slow-start');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('up');
    } finally {
      await patient.close();
      await impatient.close();
    }
  });
});
