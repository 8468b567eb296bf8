import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort, httpOrigin, isLoopbackHost } from '../../src/core/net.js';

const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);

describe('net helpers', () => {
  it('puts IPv6 hosts in brackets in an origin', () => {
    expect(httpOrigin('127.0.0.1', 80)).toBe('http://127.0.0.1:80');
    expect(httpOrigin('::1', 8080)).toBe('http://[::1]:8080');
  });

  it('tells loopback listen addresses from ones others may reach', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '192.168.1.2',
      'node-1.example',
      '127.0.0.1.nip.io',
      '1270.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('hands out free ports below the ephemeral range, where no outgoing connection can take them', async () => {
    const ports = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const port = await freeLoopbackPort();
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralStart);
      ports.add(port);
    }
    expect(ports.size).toBeGreaterThan(1); // picked at random, not one fixed port
    const port = await freeLoopbackPort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((r) => server.close(r));
  });
});
