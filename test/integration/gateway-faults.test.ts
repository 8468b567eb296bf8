/**
 * The gateway under HTTP faults (issue 11 §2): large bodies with Expect: 100-continue, bodies over
 * the limit or slower than read_timeout (the status must arrive, not a reset), repeated
 * Set-Cookie, hop-by-hop headers, a replica that hangs, and shutdown under keep-alive load.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionDeployment } from '../../src/config/function-deployment.js';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';
import { pipelinedPosts, rawRequest } from '../helpers/raw-http.js';
import { serviceBinary } from '../helpers/services.js';
import { alive, waitFor } from '../helpers/wait.js';

const MAX_BODY = 32 * 2 ** 20;
const deployments: FunctionDeployment[] = [
  { service: 'echo', image: 'dfaas/echo' },
  { service: 'patient', image: 'dfaas/echo', envVars: { read_timeout: '400ms' } },
  {
    service: 'web',
    image: 'local/web',
    envProcess: `${process.execPath} ${resolve('test/fixtures/http-server.mjs')}`,
    envVars: { mode: 'http' },
    annotations: { 'com.openfaas.health.http.path': '/ready' },
  },
  {
    service: 'spin',
    image: 'local/spin',
    annotations: { 'dfaas.handler': resolve('test/fixtures/spin.mjs') },
    envVars: { exec_timeout: '500ms' },
  },
];

let gw: TestGateway;
let port: number;

beforeAll(async () => {
  gw = await startTestGateway({
    deployments,
    platform: { livenessPeriodMs: 200 },
    gateway: { maxBodyBytes: MAX_BODY },
  });
  port = gw.gateway.port;
});
afterAll(async () => {
  await gw?.close();
});

describe('request bodies', () => {
  const curl = serviceBinary('/usr/bin/curl');

  it.runIf(curl)('a 20 MB body sent by curl (Expect: 100-continue) is echoed whole', async () => {
    const out = await promisify(execFile)(
      'bash',
      [
        '-c',
        `head -c 20000000 /dev/urandom | ${curl} -sS --data-binary @- -o /dev/null -w '%{http_code} %{size_download} %{size_upload}' ${gw.url}/function/echo`,
      ],
      { encoding: 'utf8' },
    );
    expect(out.stdout).toBe('200 20000000 20000000');
  });

  it('answers 100 Continue to a body within the limit, and 413 at once to one declared over it', async () => {
    const small = await rawRequest({
      port,
      path: '/function/echo',
      headers: { expect: '100-continue', 'content-length': 5 },
      chunks: [Buffer.from('hello')],
    });
    expect(small).toMatchObject({ status: 200, body: 'hello', continued: true, closed: false });

    const big = await rawRequest({
      port,
      path: '/function/echo',
      headers: { expect: '100-continue', 'content-length': MAX_BODY + 1 },
      chunks: [Buffer.alloc(1024)],
    });
    expect(big.status).toBe(413);
    expect(big.continued).toBe(false);
    expect(big.headers.connection).toBe('close');
    expect(big.closed).toBe(true);
  });

  it('delivers 413 for a body that grows over the limit while it is sent, reads the rest, then closes', async () => {
    const chunk = Buffer.alloc(2 ** 20, 1);
    const answer = await rawRequest({
      port,
      path: '/function/echo',
      headers: { 'transfer-encoding': 'chunked' },
      chunks: Array.from({ length: 48 }, () => chunk),
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain(`over ${MAX_BODY} bytes`);
    expect(answer.headers.connection).toBe('close');
    expect(answer.closed).toBe(true);
  });

  it('delivers 504 for a body slower than read_timeout, then closes', async () => {
    const answer = await rawRequest({
      port,
      path: '/function/patient',
      headers: { 'content-length': 100 },
      chunks: [Buffer.from('only part of it')],
      stall: true,
    });
    expect(answer.status).toBe(504);
    expect(answer.body).toContain('read_timeout (400 ms)');
    expect(answer.headers.connection).toBe('close');
    expect(answer.closed).toBe(true);
  });
});

describe('headers', () => {
  it('keeps a function’s Set-Cookie lines separate', async () => {
    const answer = await rawRequest({ port, method: 'GET', path: '/function/web/cookies' });
    expect(answer.status).toBe(200);
    const cookies = answer.rawHeaders.filter((_, i) => i % 2 === 0 && answer.rawHeaders[i] === 'set-cookie');
    expect(cookies).toHaveLength(2);
    expect(answer.headers['set-cookie']).toEqual([
      'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT',
      'b=2; Expires=Thu, 22 Oct 2026 07:28:00 GMT',
    ]);
  });

  it('does not forward hop-by-hop headers, nor those the Connection header names', async () => {
    const answer = await rawRequest({
      port,
      method: 'GET',
      path: '/function/web/headers',
      headers: { connection: 'keep-alive, x-hop', 'x-hop': 'secret', 'x-end': 'kept', te: 'trailers' },
    });
    const seen = JSON.parse(answer.body) as Record<string, string>;
    expect(seen['x-end']).toBe('kept');
    expect(seen['x-hop']).toBeUndefined();
    expect(seen.te).toBeUndefined();
  });
});

describe('a replica that hangs', () => {
  it('is found by its liveness probe, replaced, and counted as restarted for "hung"', async () => {
    await waitFor('spin ready', async () => (await gw.client.get('spin')).availableReplicas === 1);
    const [hung] = gw.platform.replicaPids('spin') as [number];
    // exec_timeout cannot fire inside a spinning replica: the probe must end it (502).
    const stuck = await fetch(`${gw.url}/function/spin/spin`, { method: 'POST' });
    expect(stuck.status).toBe(502);
    await waitFor('a new spin replica', async () => {
      const pids = gw.platform.replicaPids('spin');
      return pids.length === 1 && pids[0] !== hung && (await gw.client.get('spin')).availableReplicas === 1;
    });
    expect(alive(hung)).toBe(false);
    const ok = await fetch(`${gw.url}/function/spin`, { method: 'POST' });
    expect(await ok.text()).toBe('alive\n');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/dfaas_replica_restarts_total\{function_name="spin",reason="hung"\} 1/);
  });
});

describe('shutdown under keep-alive load', () => {
  it('finishes requests in flight, answers new ones 503 with Retry-After and Connection: close, never 404', async () => {
    const own = await startTestGateway({
      deployments: [{ service: 'sleep', image: 'dfaas/sleep', labels: { 'com.openfaas.scale.min': '2' } }],
    });
    const agent = new Agent({ connections: 4, keepAliveTimeout: 60_000 });
    const statuses: number[] = [];
    let closing = false;
    try {
      await waitFor('2 replicas', async () => (await own.client.get('sleep')).availableReplicas === 2);
      // Four keep-alive connections calling in a loop (bounded: 50 calls each, 10 s). Once the
      // gateway closes, a connection it closed while idle ends that loop.
      const deadline = performance.now() + 10_000;
      const load = Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 50 && performance.now() < deadline; i++) {
          try {
            const res = await request(`${own.url}/function/sleep?ms=100`, {
              method: 'POST',
              dispatcher: agent,
            });
            await res.body.dump();
            statuses.push(res.statusCode);
          } catch (err) {
            if (!closing) throw err;
            return;
          }
        }
      });
      // One more connection, busy when the signal comes, sends its next request after it
      // (pipelined): that one must be refused, not served and not dropped.
      let closed: Promise<void> | undefined;
      const answers = await pipelinedPosts(
        own.gateway.port,
        '/function/sleep?ms=400',
        async () => {
          await new Promise((r) => setTimeout(r, 200));
          closing = true;
          closed = own.gateway.close();
        },
        '/function/sleep?ms=10',
      );
      await Promise.all([closed, ...load]);

      expect(answers).toHaveLength(2);
      expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
      expect(answers[1]).toMatch(/^HTTP\/1\.1 503 /);
      expect(answers[1]).toMatch(/\r\nretry-after: 1\r\n/i);
      expect(answers[1]).toMatch(/\r\nconnection: close\r\n/i);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    } finally {
      closing = true;
      await agent.close();
      await own.close();
    }
  });
});
