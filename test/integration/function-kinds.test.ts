import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionDeployment } from '../../src/config/function-deployment.js';
import { silentLogger } from '../../src/core/logger.js';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';
import { alive, waitFor } from '../helpers/wait.js';

const deployments: FunctionDeployment[] = [
  {
    service: 'hello',
    image: 'local/hello',
    annotations: { 'dfaas.handler': resolve('test/fixtures/hello.ts') },
  },
  {
    service: 'web',
    image: 'local/web',
    envProcess: `${process.execPath} ${resolve('test/fixtures/http-server.mjs')}`,
    envVars: { mode: 'http' },
    annotations: { 'com.openfaas.health.http.path': '/ready' },
  },
  { service: 'slow', image: 'dfaas/sleep', envVars: { exec_timeout: '300ms' } },
  { service: 'one-at-a-time', image: 'dfaas/sleep', envVars: { max_inflight: '1' } },
  { service: 'hog', image: 'dfaas/eat-memory', limits: { memory: '150Mi' } },
  {
    service: 'idle',
    image: 'dfaas/echo',
    labels: { 'com.openfaas.scale.zero': 'true', 'com.openfaas.scale.zero-duration': '500ms' },
  },
  { service: 'broken', image: 'local/broken', envProcess: 'exit 3', envVars: { mode: 'http' } },
  { service: 'talk', image: 'local/talk', envProcess: 'echo "heard $Http_Method" >&2; cat' },
  {
    service: 'hangs',
    image: 'local/hangs',
    envProcess: 'sleep 30 & echo $! >&2; wait',
    envVars: { exec_timeout: '500ms' },
  },
  {
    service: 'leaky',
    image: 'local/leaky',
    annotations: { 'dfaas.handler': resolve('test/fixtures/spawn-then-crash.mjs') },
  },
  {
    service: 'detaches',
    image: 'local/detaches',
    envProcess: 'sleep 3 & echo $! >&2',
    envVars: { exec_timeout: '500ms' },
  },
  {
    service: 'spin',
    image: 'local/spin',
    envProcess: 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo $i',
  },
  {
    service: 'queued',
    image: 'dfaas/sleep',
    envVars: { max_inflight: '1' },
    labels: { 'com.openfaas.scale.min': '0' },
  },
];

let gw: TestGateway;
const debugLines: { message: string; fields: Record<string, unknown> | undefined }[] = [];
beforeAll(async () => {
  gw = await startTestGateway({
    deployments,
    platform: {
      autoscaleIntervalMs: 200,
      sampleIntervalMs: 100,
      // Generous: a TypeScript module replica (tsx) starts in ~1 s alone but took 3.5 s on a loaded machine.
      startTimeoutMs: 10_000,
      logger: { ...silentLogger, debug: (message, fields) => debugLines.push({ message, fields }) },
    },
  });
});
afterAll(async () => {
  await gw?.close();
});

describe('function kinds', () => {
  it('runs a TypeScript module handler', async () => {
    const res = await gw.client.invoke('hello', { method: 'GET', path: '/a/b', query: 'name=dfaas' });
    expect(res.status).toBe(201);
    expect(res.headers['x-greeting']).toBe('yes');
    expect(JSON.parse(res.body.toString())).toEqual({ hello: 'dfaas', method: 'GET', path: '/a/b' });
  });

  it('runs an http-mode executable behind its health path', async () => {
    const res = await gw.client.invoke('web', { method: 'DELETE', path: '/x', query: 'q=1' });
    expect(res.status).toBe(200);
    const text = res.body.toString();
    expect(text).toMatch(/^http-mode pid \d+ DELETE \/x\?q=1$/);
    // The function's server is a process of the replica's group: it goes when the replica goes.
    const serverPid = Number(/pid (\d+)/.exec(text)?.[1]);
    await gw.client.scale('web', 0);
    await waitFor('http-mode server gone', () => !alive(serverPid));
  });

  it('runs a serializing-mode executable and logs what it writes to stderr', async () => {
    const res = await gw.client.invoke('talk', { method: 'PUT', body: 'stdin to stdout' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('stdin to stdout');
    await waitFor('stderr in the log', () => debugLines.find((l) => l.message === 'heard PUT'));
    expect(debugLines.find((l) => l.message === 'heard PUT')?.fields).toMatchObject({
      function: 'talk',
      stream: 'stderr',
    });
  });

  it('answers 504 with a message past exec_timeout', async () => {
    const res = await gw.client.invoke('slow', { body: '2000' });
    expect(res.status).toBe(504);
    expect(res.body.toString()).toMatch(/exec_timeout/);
    expect((await gw.client.invoke('slow', { body: '10' })).status).toBe(200);
  });

  it('kills what a serializing command started when it passes exec_timeout', async () => {
    const res = await gw.client.invoke('hangs');
    expect(res.status).toBe(504);
    const line = debugLines.find((l) => l.fields?.function === 'hangs' && /^\d+$/.test(l.message));
    const sleeper = Number(line?.message);
    expect(sleeper).toBeGreaterThan(0);
    await waitFor('the timed-out command tree gone', () => !alive(sleeper), 3000);
  });

  it('answers 504 at exec_timeout when a command exits but leaves a process holding its output', async () => {
    const res = await gw.client.invoke('detaches');
    expect(res.status).toBe(504);
    expect(res.body.toString()).toMatch(/^function exceeded exec_timeout \(500 ms\)/); // the replica's answer
    // Answered while the background process still holds the output (it would end 3 s later).
    const line = debugLines.find((l) => l.fields?.function === 'detaches' && /^\d+$/.test(l.message));
    expect(alive(Number(line?.message))).toBe(true);
  });

  it('leaves nothing a crashed replica started', async () => {
    const res = await gw.client.invoke('leaky');
    const child = Number(/child (\d+)/.exec(res.body.toString())?.[1]);
    expect(child).toBeGreaterThan(0);
    await waitFor(
      'the crashed replica replaced',
      () => gw.platform.snapshot().functions.leaky?.availableReplicas === 1,
    );
    await waitFor('its child gone', () => !alive(child), 3000);
  });

  it('queues requests behind a cold start and serves them as max_inflight slots free up', async () => {
    const calls = await Promise.all(
      Array.from({ length: 4 }, () => gw.client.invoke('queued', { body: '100' })),
    );
    expect(calls.map((c) => c.status)).toEqual([200, 200, 200, 200]);
  });

  it('counts the CPU of the processes a replica forks per request', async () => {
    const before = gw.platform.snapshot().functions.spin?.cpuSecondsTotal ?? 0;
    const started = process.cpuUsage();
    const res = await gw.client.invoke('spin');
    expect(res.body.toString().trim()).toBe('200000');
    // The loop runs in a short-lived /bin/sh: its CPU shows up in the replica once it has exited.
    const spent = await waitFor('CPU accounted', () => {
      const now = gw.platform.snapshot().functions.spin?.cpuSecondsTotal ?? 0;
      return now - before > 0.1 ? now - before : undefined;
    });
    expect(spent).toBeGreaterThan(0.1);
    expect(process.cpuUsage(started).user / 1e6).toBeLessThan(spent * 10); // not the test's own CPU
  });

  it('answers 429 when every replica is at max_inflight', async () => {
    const first = gw.client.invoke('one-at-a-time', { body: '500' });
    await waitFor(
      'first call in flight',
      () => gw.platform.snapshot().functions['one-at-a-time']?.inflight === 1,
    );
    const second = await gw.client.invoke('one-at-a-time', { body: '1' });
    expect(second.status).toBe(429);
    expect(second.body.toString()).toMatch(/max_inflight 1/);
    expect((await first).status).toBe(200);
  });

  it('restarts a replica that goes over limits.memory, and counts it', async () => {
    const [before] = gw.platform.replicaPids('hog');
    const res = await gw.client.invoke('hog', { body: '{"mib": 400, "ms": 3000}' });
    expect(res.status).toBe(502);
    await waitFor('hog replaced', () => {
      const pids = gw.platform.replicaPids('hog');
      return pids.length === 1 && pids[0] !== before;
    });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/dfaas_replica_restarts_total\{function_name="hog",reason="memory"\} 1/);
    expect((await gw.client.invoke('hog', { body: '{"mib": 16, "ms": 10}' })).status).toBe(200);
  });

  it('scales an idle function to zero, and the next call succeeds after a measured cold start', async () => {
    const coldStarts = async () => {
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      return Number(
        /dfaas_function_cold_start_seconds_count\{function_name="idle"\} (\d+)/.exec(metrics)?.[1] ?? 0,
      );
    };
    expect((await gw.client.invoke('idle', { body: 'warm' })).status).toBe(200);
    const before = await coldStarts();
    await waitFor(
      'idle at zero, its replica stopped',
      async () =>
        (await gw.client.get('idle')).replicas === 0 && gw.platform.replicaPids('idle').length === 0,
      5000,
    );
    const res = await gw.client.invoke('idle', { body: 'cold' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('cold');
    expect(res.coldStartMs).toBeGreaterThan(0);
    expect(await coldStarts()).toBe(before + 1);
  });

  it('fails fast with the replica error when a function cannot start', async () => {
    const res = await gw.client.invoke('broken');
    expect(res.status).toBe(503);
    expect(res.body.toString()).toMatch(/failed to start/);
  });

  it('runs async calls later and POSTs the result to X-Callback-Url', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    const callback = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => callback.listen(0, '127.0.0.1', r));
    const port = (callback.address() as AddressInfo).port;
    try {
      const res = await fetch(`${gw.url}/async-function/hello?name=async`, {
        method: 'POST',
        headers: { 'x-callback-url': `http://127.0.0.1:${port}/done` },
      });
      expect(res.status).toBe(202);
      const callId = res.headers.get('x-call-id');
      expect(callId).toBeTruthy();
      await waitFor('callback', () => received.length === 1);
      expect(received[0]?.headers['x-call-id']).toBe(callId);
      expect(received[0]?.headers['x-function-status']).toBe('201');
      expect(received[0]?.headers['x-function-name']).toBe('hello');
      expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({ hello: 'async' });
    } finally {
      callback.close();
    }
  });
});
