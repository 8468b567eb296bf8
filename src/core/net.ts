/** Network helpers every layer needs: an http origin, a free loopback port, waiting for a server. */
import { request } from 'node:http';
import { createServer } from 'node:net';
import { pollUntil } from './poll.js';

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
        // Internal invariant: a TCP server listening has an address object.
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface WaitForHttpOptions {
  /** Path to ask (default /). */
  path?: string;
  /** Give up after this many ms (a TimeoutError). */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Polls until http://127.0.0.1:PORT/PATH answers (any status below 500), every 25 ms. */
export async function waitForHttp(port: number, { path = '/', timeoutMs, signal }: WaitForHttpOptions) {
  await pollUntil(() => answersBelow500(port, path), {
    timeoutMs,
    signal,
    what: `http://127.0.0.1:${port}${path} to answer`,
  });
}

function answersBelow500(port: number, path: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
