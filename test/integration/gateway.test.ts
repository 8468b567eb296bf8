import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';
import { alive, waitFor } from '../helpers/wait.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({ stack: 'examples/stack.yml' });
});
afterAll(async () => {
  await gw?.close();
});

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${gw.url}${path}`, init);
}

describe('embedded gateway with examples/stack.yml', () => {
  it('lists the stack functions', async () => {
    const res = await call('/system/functions');
    expect(res.status).toBe(200);
    const names = ((await res.json()) as { name: string }[]).map((f) => f.name).sort();
    expect(names).toEqual(['eat-memory', 'echo', 'env', 'figlet', 'hello', 'matmul', 'shasum', 'sleep']);
  });

  it('POST /function/figlet with hello returns ASCII art', async () => {
    const res = await call('/function/figlet', { method: 'POST', body: 'hello' });
    expect(res.status).toBe(200);
    const art = await res.text();
    expect(art.split('\n').length).toBeGreaterThanOrEqual(5);
    expect(art).toContain('| |__   ___| | | ___');
    expect(Number(res.headers.get('x-duration-seconds'))).toBeGreaterThan(0);
  });

  it('passes method, path, query and headers through to the function', async () => {
    const res = await call('/function/echo/some/path?x=1', {
      method: 'PUT',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"a":1}');
    const sha = await call('/function/shasum', { method: 'POST', body: 'hello' });
    expect((await sha.text()).trim()).toBe(
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    );
    const env = await (await call('/function/env', { method: 'GET' })).text();
    expect(env).toContain('GREETING=hello from stack.yml');
    expect(env).not.toContain('DFAAS_REPLICA_BOOT');
  });

  it('scaling figlet to 3 gives availableReplicas 3 and three replica processes', async () => {
    const scale = await call('/system/scale-function/figlet', {
      method: 'POST',
      body: JSON.stringify({ serviceName: 'figlet', replicas: 3 }),
    });
    expect(scale.status).toBe(202);
    const status = await waitFor('3 figlet replicas', async () => {
      const s = (await (await call('/system/function/figlet')).json()) as {
        availableReplicas: number;
        replicas: number;
      };
      return s.availableReplicas === 3 ? s : undefined;
    });
    expect(status.replicas).toBe(3);
    const pids = gw.platform.replicaPids('figlet');
    expect(pids).toHaveLength(3);
    for (const pid of pids) {
      expect(alive(pid)).toBe(true);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('replica-main');
    }
    // Requests spread over the replicas: least in flight first.
    const bodies = await Promise.all(
      Array.from({ length: 30 }, () => call('/function/figlet', { method: 'POST', body: 'x' })),
    );
    expect(bodies.every((r) => r.status === 200)).toBe(true);
    const usage = gw.platform.snapshot().functions.figlet;
    expect(usage?.availableReplicas).toBe(3);
  });

  it('answers 404 for an unknown function, 400 for a malformed deployment', async () => {
    expect((await call('/function/nope', { method: 'POST' })).status).toBe(404);
    expect((await call('/system/function/nope')).status).toBe(404);
    const notJson = await call('/system/functions', { method: 'POST', body: '{"service": ' });
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toMatch(/not JSON/);
    const noImage = await call('/system/functions', {
      method: 'POST',
      body: JSON.stringify({ service: 'x' }),
    });
    expect(noImage.status).toBe(400);
    expect(await noImage.text()).toMatch(/image/);
    const badLabel = await call('/system/functions', {
      method: 'POST',
      body: JSON.stringify({
        service: 'x',
        image: 'dfaas/echo',
        labels: { 'com.openfaas.scale.max': 'lots' },
      }),
    });
    expect(badLabel.status).toBe(400);
    expect(await badLabel.text()).toMatch(/labels\.com\.openfaas\.scale\.max/);
    // Each replica is a process: a deployment may not ask for more than the platform allows (50).
    const tooMany = await call('/system/functions', {
      method: 'POST',
      body: JSON.stringify({
        service: 'many',
        image: 'dfaas/echo',
        labels: { 'com.openfaas.scale.min': '30', 'com.openfaas.scale.max': '500' },
      }),
    });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toMatch(/labels\.com\.openfaas\.scale\.max: at most 50/);
    expect((await gw.platform.list()).map((f) => f.name)).not.toContain('many');
    const badScale = await call('/system/scale-function/echo', { method: 'POST', body: '{"replicas": -1}' });
    expect(badScale.status).toBe(400);
    expect((await call('/function/%E0', { method: 'POST' })).status).toBe(400);
    // In-process too, an unknown function is a 404 answer, as through a gateway.
    expect((await gw.platform.invoke('nope')).status).toBe(404);
  });

  it('deploys a FunctionDeployment at run time, serves it, and DELETE removes it and its processes', async () => {
    const deploy = await call('/system/functions', {
      method: 'POST',
      body: JSON.stringify({
        service: 'upper',
        image: 'local/upper:latest',
        envProcess: "tr 'a-z' 'A-Z'",
        labels: { 'com.openfaas.scale.min': '2' },
      }),
    });
    expect(deploy.status).toBe(202);
    const res = await call('/function/upper', { method: 'POST', body: 'shout' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('SHOUT');
    await waitFor('2 upper replicas', () => gw.platform.replicaPids('upper').length === 2);
    const pids = gw.platform.replicaPids('upper');
    const del = await call('/system/functions', {
      method: 'DELETE',
      body: JSON.stringify({ functionName: 'upper' }),
    });
    expect(del.status).toBe(200);
    expect((await call('/function/upper', { method: 'POST' })).status).toBe(404);
    await waitFor('upper processes gone', () => pids.every((p) => !alive(p)));
  });

  it('exposes the OpenFaaS metric names and the dfaas resource metrics', async () => {
    await call('/function/echo', { method: 'POST', body: 'm' });
    await new Promise((r) => setTimeout(r, 1100)); // one /proc sampling interval
    const text = await (await call('/metrics')).text();
    expect(text).toMatch(/gateway_function_invocation_total\{function_name="echo",code="200"\} \d+/);
    expect(text).toMatch(/gateway_functions_seconds_bucket\{le="0\.1",function_name="echo",code="200"\}/);
    expect(text).toMatch(/gateway_function_invocation_started\{function_name="echo"\} \d+/);
    expect(text).toMatch(/gateway_service_count\{function_name="echo"\} 2/);
    const memory = /dfaas_function_memory_bytes\{function_name="echo"\} (\d+)/.exec(text);
    expect(Number(memory?.[1])).toBeGreaterThan(10 * 1024 * 1024);
    expect(text).toMatch(/dfaas_function_cpu_seconds_total\{function_name="echo"\} [\d.]+/);
    expect(text).toMatch(/dfaas_node_memory_total_bytes \d+/);
    expect(text).toMatch(/dfaas_node_cpu_utilisation [\d.e-]+/);
    const status = await gw.client.get('echo');
    expect(status.usage?.totalMemoryBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(status.invocationCount).toBeGreaterThan(0);
    expect(new Date(status.createdAt ?? '').getTime()).toBeLessThanOrEqual(Date.now());
  });
});
