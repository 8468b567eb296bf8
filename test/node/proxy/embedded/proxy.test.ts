import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/core/logger.js';
import { freeLoopbackPort } from '../../../../src/core/net.js';
import type { ProxyDriver } from '../../../../src/node/proxy/contract.js';
import { startEmbeddedProxy } from '../../../../src/node/proxy/embedded/proxy.js';
import { pipelinedPosts } from '../../../helpers/raw-http.js';
import { proxyContractSuite } from '../contract.js';

proxyContractSuite('embedded proxy', startEmbeddedProxy);

describe('embedded proxy, beyond the contract', () => {
  let gateway: Server | undefined;
  let proxy: ProxyDriver | undefined;
  afterEach(async () => {
    await proxy?.stop();
    if (gateway?.listening) await new Promise<void>((r) => gateway?.close(() => r()));
    gateway?.closeAllConnections();
  });

  /** A proxy in front of a gateway on loopback that answers "from the gateway". */
  async function start(): Promise<{ gateway: Server; proxy: ProxyDriver }> {
    gateway = createServer((_req, res) => res.end('from the gateway'));
    await new Promise<void>((r) => gateway?.listen(0, '127.0.0.1', r));
    proxy = await startEmbeddedProxy({
      nodeId: 'node-self',
      host: '127.0.0.1',
      port: 0,
      gatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`,
      logger: silentLogger,
    });
    return { gateway, proxy };
  }

  it('answers 502 naming the gateway when the gateway is down', async () => {
    const { gateway, proxy } = await start();
    expect(await (await fetch(`${proxy.url}/function/f`)).text()).toBe('from the gateway');
    await new Promise<void>((r) => gateway.close(() => r()));
    gateway.closeAllConnections();
    const healthz = await fetch(`${proxy.url}/healthz`);
    expect(healthz.status).toBe(502);
    expect(await healthz.text()).toContain('gateway');
  });

  it('answers 502 naming the peer when every peer it tries refuses the connection', async () => {
    const { proxy } = await start();
    const [p1, p2, p3] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    await proxy.apply({
      functions: { f: { localLimit: 0, weights: { a: 1, b: 1, c: 1 }, limitsIn: {} } },
      peers: {
        a: { host: '127.0.0.1', port: p1 },
        b: { host: '127.0.0.1', port: p2 },
        c: { host: '127.0.0.1', port: p3 },
      },
      tokens: { own: '', peers: {} },
    });
    // Three refusals: the first attempt and HAProxy's two retries.
    const res = await fetch(`${proxy.url}/function/f`);
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/no answer from peer [abc]/);
    expect((await proxy.counters()).f).toMatchObject({ user: 1, local: 0, forwarded: {} });
  });

  it('while it stops, answers a request that comes on a busy keep-alive connection 503, and finishes the one in flight', async () => {
    gateway = createServer((_req, res) => {
      setTimeout(() => res.end('from the gateway'), 300);
    });
    await new Promise<void>((r) => gateway?.listen(0, '127.0.0.1', r));
    const own = await startEmbeddedProxy({
      nodeId: 'node-self',
      host: '127.0.0.1',
      port: 0,
      gatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`,
      logger: silentLogger,
    });
    proxy = own;
    let stopped: Promise<void> | undefined;
    const answers = await pipelinedPosts(
      Number(new URL(own.url).port),
      '/function/f',
      async () => {
        await new Promise((r) => setTimeout(r, 100));
        stopped = own.stop();
      },
      '/function/f',
    );
    await stopped;
    expect(answers.map((a) => a.slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 503']);
    expect(answers[1]).toMatch(/\r\nretry-after: 1\r\nconnection: close\r\n/i);
  });
});
