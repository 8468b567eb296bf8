import { request } from 'node:http';
import { createServer } from 'node:net';

/** The http:// origin of a host and port, an IPv6 address in brackets. */
export function httpOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Asks the kernel for a free loopback port. Another process may take it before it is used, so
 *  only use it where the program to start must be told its port ($PORT of an http-mode function). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Polls until http://127.0.0.1:PORT/PATH answers (any status below 500), every 25 ms. The caller
 *  bounds the wait: the gateway kills a replica that is not ready within its start timeout. */
export async function waitForHttp(port: number, path = '/'): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 1000 }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}
