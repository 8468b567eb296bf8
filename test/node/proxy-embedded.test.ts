import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import { startEmbeddedProxy } from '../../src/node/proxy/embedded/proxy.js';
import { freeLoopbackPort } from '../../src/platform/local/net.js';
import { proxyContractSuite } from './proxy-contract.js';

proxyContractSuite('embedded proxy', startEmbeddedProxy);

describe('embedded proxy, beyond the contract', () => {
  it('answers 502 naming a peer that cannot be reached, and counts it as forwarded', async () => {
    const closedPort = await freeLoopbackPort();
    const gatewayPort = await freeLoopbackPort();
    const proxy = await startEmbeddedProxy({
      nodeId: 'node-self',
      host: '127.0.0.1',
      port: 0,
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      logger: silentLogger,
    });
    try {
      await proxy.apply({
        functions: { f: { localLimit: null, weights: { gone: 1 }, limitsIn: {} } },
        peers: { gone: { host: '127.0.0.1', port: closedPort } },
      });
      const res = await fetch(`${proxy.url}/function/f`);
      expect(res.status).toBe(502);
      expect(await res.text()).toContain('peer gone');
      expect((await proxy.counters()).f?.forwarded).toEqual({ gone: 1 });

      const healthz = await fetch(`${proxy.url}/healthz`);
      expect(healthz.status).toBe(502);
      expect(await healthz.text()).toContain('gateway');
    } finally {
      await proxy.stop();
    }
  });
});
