import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchClock, Benchmarker } from '../../src/bench/benchmarker.js';
import { dfaasNodeProvider, httpProvider, openfaasProvider } from '../../src/bench/providers.js';
import { freeLoopbackPort } from '../../src/core/net.js';

/**
 * The Benchmarker against an in-process stand-in of a lab function's answers (flat entries keyed
 * by identifier, root_identifier): what is tested is the client side, the rows it records.
 */
let notReadyLeft = 0;
let lastAuth: string | undefined;
const answer = (req: IncomingMessage, res: ServerResponse, body: string) => {
  lastAuth = req.headers.authorization;
  const fn = (req.url ?? '').split('/').at(-1) ?? '';
  if (fn === 'starting' && notReadyLeft-- > 0) return res.writeHead(502).end('no replica ready');
  if (fn === 'broken') return res.writeHead(500).end('handler threw');
  if (fn === 'garbled') return res.end('<html>');
  // Answers nothing until the client gives up (the socket is closed with the server).
  if (fn === 'silent') return;
  // The embedded gateway's header: this call waited 123.4 ms for its replica.
  if (fn === 'function1') res.setHeader('x-dfaas-cold-start-ms', '123.4');
  const args = JSON.parse(body || '{}') as { nested?: boolean };
  const entry = (name: string, id: string, start: number, parent: string | null, level: number) => ({
    identifier: id,
    function_name: name,
    parent,
    level,
    execution_start: start,
    execution_end: start + 0.25,
    instance_identifier: `${name}-replica`,
  });
  const root = entry(fn, `${fn}-1`, 2_000, null, 0);
  const nested = args.nested
    ? { 'function2-2': entry('function2', 'function2-2', 2_000.1, root.identifier, 1) }
    : {};
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ [root.identifier]: root, ...nested, root_identifier: root.identifier }));
};
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => answer(req, res, body));
});
let gateway = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

/** A clock whose epoch is 1,000 s at its origin, advancing 10 ms each time it is read. */
function steppingClock(): BenchClock {
  let t = 0;
  return { epochMs: 1_000_000, origin: 0, now: () => (t += 10) };
}

describe('the Benchmarker', () => {
  it("records the answer's entries flat, the root first, with the client's times from one clock", async () => {
    const bench = new Benchmarker({ provider: openfaasProvider(gateway), clock: steppingClock() });
    const result = await bench.invoke('function1', { nested: true, sleep: 0 });
    expect(result.ok).toBe(true);
    const [root, nested] = bench.invocations;
    expect(bench.invocations).toHaveLength(2);
    expect(root).toMatchObject({
      identifier: 'function1-1',
      root_identifier: 'function1-1',
      thread_id: 0,
      numb_threads: 1,
      retries: 0,
    });
    expect(nested).toMatchObject({
      identifier: 'function2-2',
      root_identifier: 'function1-1',
      parent: 'function1-1',
      level: 1,
    });
    // The client's times are epoch seconds from the run's clock; latency = execution_start − invocation_start.
    expect(root?.invocation_start).toBeGreaterThan(1_000);
    expect(root?.invocation_end).toBeGreaterThan(root?.invocation_start as number);
    expect(root?.latency).toBeCloseTo(2_000 - (root?.invocation_start as number), 9);
    expect(root?.invocation_total).toBeCloseTo(
      (root?.invocation_end as number) - (root?.invocation_start as number),
      9,
    );
    expect(root?.execution_total).toBeCloseTo(0.25, 9);
    expect(nested).not.toHaveProperty('invocation_total');
    // A provider whose platform says when a call waited for a replica: the root row records it.
    expect(root).not.toHaveProperty('platform_cold_start_ms');
    const told = new Benchmarker({
      provider: { ...openfaasProvider(gateway), coldStartHeader: 'x-dfaas-cold-start-ms' },
    });
    await told.invoke('function1');
    await told.invoke('function3');
    expect(told.invocations.map((r) => r.platform_cold_start_ms)).toEqual([123.4, 0]);
  });

  it('tags a burst thread_id 0..n−1 and numb_threads n (the reference swapped them)', async () => {
    const bench = new Benchmarker({ provider: httpProvider(`${gateway}/function/{function}`) });
    const results = await bench.invokeConcurrently('function3', 8);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(bench.invocations.map((r) => r.thread_id).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(bench.invocations.every((r) => r.numb_threads === 8)).toBe(true);
  });

  it('sends "not ready yet" answers again and counts it; past the window, or not such an answer, it is an error row', async () => {
    const sleeps: number[] = [];
    const bench = new Benchmarker({
      provider: openfaasProvider(gateway, { username: 'admin', password: 'secret' }),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    notReadyLeft = 2;
    const cold = await bench.invoke('starting');
    expect(cold.ok).toBe(true);
    expect(bench.invocations[0]).toMatchObject({ identifier: 'starting-1', retries: 2 });
    expect(sleeps).toEqual([1000, 1000]);
    expect(lastAuth).toBe(`Basic ${Buffer.from('admin:secret').toString('base64')}`);
    // No time left to wait: the 502 is the error it is.
    const impatient = new Benchmarker({ provider: openfaasProvider(gateway), retryForMs: 0 });
    notReadyLeft = 1;
    expect(await impatient.invoke('starting')).toMatchObject({
      ok: false,
      error: { type: 'http 502', retries: 0 },
    });
    // A node's 500 is not a cold start: not retried.
    const node = new Benchmarker({ provider: dfaasNodeProvider(gateway), sleep: async () => {} });
    expect(await node.invoke('broken')).toMatchObject({
      ok: false,
      error: { function_name: 'broken', type: 'http 500', message: 'handler threw', retries: 0 },
    });
    expect(node.end()).toMatchObject({ invocations: [], retries: 0 });
    expect(node.errors).toHaveLength(1);
  });

  it('turns a transport failure or an answer that is no lab entry into an error row with its cause', async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const bench = new Benchmarker({ provider: httpProvider(`${closed}/{function}`) });
    const refused = await bench.invoke('function1');
    expect(refused).toMatchObject({
      ok: false,
      error: { type: 'connection refused', trace: expect.any(String) },
    });
    const garbled = await new Benchmarker({ provider: openfaasProvider(gateway) }).invoke('garbled');
    expect(garbled).toMatchObject({ ok: false, error: { type: 'bad answer', message: 'not JSON: <html>' } });
    // The call's own timeout, as long as it is (global fetch cut any call at 300 s).
    const patient = new Benchmarker({ provider: openfaasProvider(gateway), timeoutMs: 200 });
    expect(await patient.invoke('silent')).toMatchObject({ ok: false, error: { type: 'timeout' } });
    await patient.close();
  });
});
