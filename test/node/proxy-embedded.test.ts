import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { startEmbeddedProxy } from '../../src/node/proxy/embedded/proxy.js';
import { SERVED_BY_HEADER } from '../../src/node/routing.js';
import { freeLoopbackPort } from '../../src/platform/local/net.js';
import { proxyContractSuite } from './proxy-contract.js';

proxyContractSuite('embedded proxy', startEmbeddedProxy);

describe('embedded proxy, beyond the contract', () => {
  it('serves here a request whose peer refuses the connection, and answers 502 when the gateway is down', async () => {
    const closedPort = await freeLoopbackPort();
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
      await proxy.apply({
        functions: { f: { localLimit: null, weights: { gone: 1 }, limitsIn: {} } },
        peers: { gone: { host: '127.0.0.1', port: closedPort } },
      });
      const res = await fetch(`${proxy.url}/function/f`, { method: 'POST', body: 'payload' });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(res.headers.get(SERVED_BY_HEADER)).toBe('node-self');
      expect(await res.text()).toBe('from the gateway');
      expect((await proxy.counters()).f).toMatchObject({ user: 1, local: 1, forwarded: { gone: 1 } });

      await new Promise<void>((r) => gateway.close(() => r()));
      gateway.closeAllConnections();
      const healthz = await fetch(`${proxy.url}/healthz`);
      expect(healthz.status).toBe(502);
      expect(await healthz.text()).toContain('gateway');
    } finally {
      await proxy.stop();
    }
  });
});
