/** Network helpers every layer needs: an http origin, a free loopback port, waiting for a server. */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { pollUntil } from './poll.js';

/** The http:// origin of a host and port, an IPv6 address in brackets. */
export function httpOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Whether a listen address is on loopback only: 127.0.0.0/8, ::1 or localhost. Any other name or
 * address (0.0.0.0, a LAN address, a host name) may be reachable from elsewhere.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Lowest port freeLoopbackPort hands out: above the well-known and most registered services. */
const LOWEST_PORT = 10_000;

/**
 * A free loopback port, for where the program to start must be told its port before it binds
 * ($PORT of an http-mode function, a cluster node's libp2p address that its peers dial).
 *
 * The port is picked below the kernel's ephemeral range (ip_local_port_range): a port the kernel
 * picks for `listen(0)` is from that range, which is also where every outgoing connection gets its
 * local port, so on a busy machine a client socket could take it between this call and the bind
 * (seen: a cluster node failing with EADDRINUSE while other tests ran). Below the range only an
 * explicit bind can take it. Falls back to the kernel's choice when the range leaves no room.
 */
export async function freeLoopbackPort(): Promise<number> {
  const below = ephemeralRangeStart();
  for (let attempt = 0; below - LOWEST_PORT > 1000 && attempt < 50; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (below - LOWEST_PORT));
    if ((await bindLoopback(port)) !== undefined) return port;
  }
  const port = await bindLoopback(0);
  // Internal invariant: the kernel always has a port for listen(0) on loopback.
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}

/** The first port of Linux's ephemeral range (32768 by default). */
function ephemeralRangeStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** Binds `port` (0: any) on 127.0.0.1 and closes it again; the port bound, or undefined if taken. */
function bindLoopback(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
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

/** Whether GET http://127.0.0.1:port/path answers below 500 within `timeoutMs`; never rejects. */
export function answersBelow500(port: number, path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Why nothing answers at a URL's host and port (a TCP connect, no request sent, so a function
 * behind it is not called), or undefined when something accepts the connection.
 */
export function whyNoAnswer(url: string, timeoutMs = 3000): Promise<string | undefined> {
  const u = new URL(url);
  const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer from ${host}:${port} within ${timeoutMs} ms`);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(
        `${host}:${port}: ${err.code ?? err.message}${err.code === 'ECONNREFUSED' ? ' (nothing listens there)' : ''}`,
      );
    });
  });
}
