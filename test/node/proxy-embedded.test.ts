import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { startEmbeddedProxy } from '../../src/node/proxy/embedded/proxy.js';
import { freeLoopbackPort } from '../../src/platform/local/net.js';
import { proxyContractSuite } from './proxy-contract.js';

proxyContractSuite('embedded proxy', startEmbeddedProxy);

describe('embedded proxy, beyond the contract', () => {
  it('answers 502 naming the gateway when the gateway is down', async () => {
    const gateway = createServer((_req, res) => res.end('from the gateway'));
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const proxy = await startEmbeddedProxy({
      nodeId: 'node-self',
      host: '127.0.0.1',
      port: 0,
      gatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`,
      logger: silentLogger,
    });
    try {
      expect(await (await fetch(`${proxy.url}/function/f`)).text()).toBe('from the gateway');
      await new Promise<void>((r) => gateway.close(() => r()));
      gateway.closeAllConnections();
      const healthz = await fetch(`${proxy.url}/healthz`);
      expect(healthz.status).toBe(502);
      expect(await healthz.text()).toContain('gateway');
    } finally {
      await proxy.stop();
    }
  });

  it('answers 502 naming the peer when every peer it tries refuses the connection', async () => {
    const gateway = createServer((_req, res) => res.end('from the gateway'));
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const [p1, p2, p3] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    const proxy = await startEmbeddedProxy({
      nodeId: 'node-self',
      host: '127.0.0.1',
      port: 0,
      gatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`,
      logger: silentLogger,
    });
    try {
      await proxy.apply({
        functions: { f: { localLimit: 0, weights: { a: 1, b: 1, c: 1 }, limitsIn: {} } },
        peers: {
          a: { host: '127.0.0.1', port: p1 },
          b: { host: '127.0.0.1', port: p2 },
          c: { host: '127.0.0.1', port: p3 },
        },
      });
      // Three refusals: the first attempt and HAProxy's two retries.
      const res = await fetch(`${proxy.url}/function/f`);
      expect(res.status).toBe(502);
      expect(await res.text()).toMatch(/no answer from peer [abc]/);
      expect((await proxy.counters()).f).toMatchObject({ user: 1, local: 0, forwarded: {} });
    } finally {
      await proxy.stop();
      await new Promise<void>((r) => gateway.close(() => r()));
    }
  });
});
