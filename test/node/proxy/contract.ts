import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { freeLoopbackPort } from '../../../src/core/net.js';
import type { ProxyDriver, ProxyOptions } from '../../../src/node/proxy/contract.js';
import {
  type FunctionRoute,
  LOCAL,
  NODE_ID_HEADER,
  NODE_TOKEN_HEADER,
  type NodeTokens,
  type PeerEndpoint,
  type RoutingTable,
  SERVED_BY_HEADER,
} from '../../../src/offload/routing.js';
import { portIsFree } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * The proxy contract of src/offload/routing.ts, run against any driver. The upstreams are fakes on
 * loopback: a gateway and two peers' proxies that answer at once and record what they got. Rates
 * are sliding windows, so where timing matters the cases assert ranges; bursts are short
 * sequential loops, well inside one second.
 */

const NODE_ID = 'node-self';
const PEER_A = 'peer-a';
const PEER_B = 'peer-b';
/** The tokens of every table here: peers present the last of theirs unless a test says otherwise. */
const TOKENS: NodeTokens = {
  own: 'token-of-self',
  peers: { [PEER_A]: ['token-a-previous', 'token-a'], [PEER_B]: ['token-b'] },
};
/** A /function/ path the fake gateway answers after this long (to have a request in flight). */
const SLOW_MS = 300;

interface Recorded {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface FakeUpstream {
  endpoint: PeerEndpoint;
  url: string;
  requests: Recorded[];
  /** Requests it got for function `fn`. */
  calls(fn: string): Recorded[];
  close(): Promise<void>;
}

/** Answers 200 with JSON naming itself (`by`), the URL and the body it got; /healthz answers OK. */
async function startFakeUpstream(name: string, servedBy?: string): Promise<FakeUpstream> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      requests.push({ url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (servedBy) headers[SERVED_BY_HEADER] = servedBy;
      const answer = () =>
        res
          .writeHead(200, headers)
          .end(JSON.stringify({ by: name, url, body: Buffer.concat(chunks).toString() }));
      if (url === '/healthz') res.writeHead(200, { 'content-type': 'text/plain' }).end('OK\n');
      else if (url.startsWith('/function/slow')) setTimeout(answer, SLOW_MS);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: { host: '127.0.0.1', port },
    url: `http://127.0.0.1:${port}`,
    requests,
    calls: (fn) =>
      requests.filter((r) => r.url === `/function/${fn}` || r.url.startsWith(`/function/${fn}/`)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function route(over: Partial<FunctionRoute>): FunctionRoute {
  return { localLimit: null, weights: {}, limitsIn: {}, ...over };
}

function count<T>(items: T[], pick: (item: T) => boolean): number {
  return items.filter(pick).length;
}

/**
 * Declares the contract cases for one driver. `skip` returns a reason when the driver cannot run
 * here (e.g. its program is not installed).
 */
export function proxyContractSuite(
  name: string,
  start: (options: ProxyOptions) => Promise<ProxyDriver>,
  skip?: () => string | undefined,
): void {
  const reason = skip?.();
  const declare = reason ? describe.skip : describe;

  declare(reason ? `${name} (skipped: ${reason})` : name, () => {
    let gateway: FakeUpstream;
    let peerA: FakeUpstream;
    let peerB: FakeUpstream;
    let client: Agent;
    const running: ProxyDriver[] = [];

    beforeAll(async () => {
      [gateway, peerA, peerB] = await Promise.all([
        startFakeUpstream('gateway'),
        startFakeUpstream(PEER_A, PEER_A),
        startFakeUpstream(PEER_B, PEER_B),
      ]);
      client = new Agent({ keepAliveTimeout: 1_000 });
    });
    afterAll(async () => {
      await client?.close();
      await Promise.all([gateway, peerA, peerB].map((u) => u?.close()));
    });
    beforeEach(() => {
      for (const upstream of [gateway, peerA, peerB]) upstream.requests.length = 0;
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((p) => p.stop()));
    });

    async function startProxy(table?: Omit<RoutingTable, 'tokens'>): Promise<ProxyDriver> {
      const proxy = await start({
        nodeId: NODE_ID,
        host: '127.0.0.1',
        port: 0,
        gatewayUrl: gateway.url,
        logger: silentLogger,
      });
      running.push(proxy);
      if (table) await proxy.apply({ ...table, tokens: TOKENS });
      return proxy;
    }

    const peers = () => ({ [PEER_A]: peerA.endpoint, [PEER_B]: peerB.endpoint });

    async function call(
      proxy: ProxyDriver,
      path: string,
      init: { method?: string; from?: string; token?: string; body?: string } = {},
    ) {
      const token = init.token ?? (init.from === undefined ? undefined : TOKENS.peers[init.from]?.at(-1));
      const res = await request(`${proxy.url}${path}`, {
        dispatcher: client,
        method: (init.method ?? 'GET') as 'GET',
        headers: {
          ...(init.from === undefined ? {} : { [NODE_ID_HEADER]: init.from }),
          ...(token === undefined ? {} : { [NODE_TOKEN_HEADER]: token }),
        },
        body: init.body ?? null,
      });
      const servedBy = res.headers[SERVED_BY_HEADER.toLowerCase()];
      return {
        status: res.statusCode,
        servedBy: typeof servedBy === 'string' ? servedBy : undefined,
        text: await res.body.text(),
      };
    }

    /** `n` requests one after another (a burst well inside one second on loopback). */
    async function burst(proxy: ProxyDriver, n: number, path: string, from?: string) {
      const out: Awaited<ReturnType<typeof call>>[] = [];
      for (let i = 0; i < n; i++) out.push(await call(proxy, path, from === undefined ? {} : { from }));
      return out;
    }

    it('serves a function with no route locally, passes /healthz to the gateway, and nothing else', async () => {
      const proxy = await startProxy({ functions: {}, peers: peers() });

      const get = await call(proxy, '/function/plain/sub/path?x=1&y=2');
      expect(get.status).toBe(200);
      expect(get.servedBy).toBe(NODE_ID);
      expect(JSON.parse(get.text)).toMatchObject({ by: 'gateway', url: '/function/plain/sub/path?x=1&y=2' });

      const body = 'x'.repeat(200_000);
      const post = await call(proxy, '/function/plain', { method: 'POST', body });
      expect(post.status).toBe(200);
      expect(JSON.parse(post.text).body).toBe(body);

      const health = await call(proxy, '/healthz');
      expect(health).toMatchObject({ status: 200, text: 'OK\n' });
      expect(gateway.requests.map((r) => r.url)).toContain('/healthz');

      // The gateway's API is not this node's public surface: deploying a function through a node's
      // proxy ran any command its caller liked (a function is a process). 404, and the gateway
      // never sees the request.
      const seen = gateway.requests.length;
      const deploy = JSON.stringify({ service: 'x', image: 'x', envProcess: 'id' });
      for (const [method, path, payload] of [
        ['POST', '/system/functions', deploy],
        ['PUT', '/system/functions', deploy],
        ['GET', '/system/functions?namespace=openfaas-fn', undefined],
        ['POST', '/system/scale-function/plain', '{"replicas":9}'],
        ['POST', '/async-function/plain', 'x'],
        ['GET', '/metrics', undefined],
        ['GET', '/', undefined],
        ['GET', '/function', undefined],
        ['GET', '/functions/plain', undefined],
        ['GET', '/healthz/../system/functions', undefined],
      ] as const) {
        const res = await call(proxy, path, { method, ...(payload === undefined ? {} : { body: payload }) });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.text).toMatch(/serves \/function\/NAME/);
      }
      expect(gateway.requests.length).toBe(seen);
      expect(peerA.requests.length + peerB.requests.length).toBe(0);
    });

    it('caps the local share at the local limit and sends the rest to the peers by weight', async () => {
      const fn = 'overflow';
      const proxy = await startProxy({
        functions: { [fn]: route({ localLimit: 5, weights: { [LOCAL]: 10, [PEER_A]: 3, [PEER_B]: 1 } }) },
        peers: peers(),
      });
      const results = await burst(proxy, 25, `/function/${fn}`);

      expect(results.every((r) => r.status === 200)).toBe(true);
      const local = count(results, (r) => r.servedBy === NODE_ID);
      const toA = count(results, (r) => r.servedBy === PEER_A);
      const toB = count(results, (r) => r.servedBy === PEER_B);
      expect(local).toBeGreaterThanOrEqual(4);
      expect(local).toBeLessThanOrEqual(6);
      expect(local + toA + toB).toBe(25);
      expect(Math.abs(toA - 3 * toB)).toBeLessThanOrEqual(4);
      expect(toB).toBeGreaterThan(0);

      expect(gateway.calls(fn)).toHaveLength(local);
      expect(peerA.calls(fn)).toHaveLength(toA);
      expect(peerB.calls(fn)).toHaveLength(toB);
      for (const forwarded of [...peerA.calls(fn), ...peerB.calls(fn)]) {
        expect(forwarded.headers[NODE_ID_HEADER.toLowerCase()]).toBe(NODE_ID);
        expect(forwarded.headers[NODE_TOKEN_HEADER.toLowerCase()]).toBe(TOKENS.own);
      }
    });

    it('without a local limit, splits by weight with LOCAL as one entry', async () => {
      const fn = 'halves';
      const proxy = await startProxy({
        functions: { [fn]: route({ weights: { [LOCAL]: 1, [PEER_A]: 1 } }) },
        peers: peers(),
      });
      const results = await burst(proxy, 20, `/function/${fn}`);
      const local = count(results, (r) => r.servedBy === NODE_ID);
      expect(local).toBeGreaterThanOrEqual(8);
      expect(local).toBeLessThanOrEqual(12);
      expect(count(results, (r) => r.servedBy === PEER_A)).toBe(20 - local);
    });

    it('answers 503 when over the local limit and no peer weight is > 0', async () => {
      const fn = 'saturated';
      const proxy = await startProxy({
        functions: {
          [fn]: route({ localLimit: 2, weights: { [LOCAL]: 1, [PEER_A]: 0 } }),
          nowhere: route({ weights: {} }),
        },
        peers: peers(),
      });
      const results = await burst(proxy, 8, `/function/${fn}`);
      const served = count(results, (r) => r.status === 200);
      expect(served).toBeGreaterThanOrEqual(2);
      expect(served).toBeLessThanOrEqual(3);
      const refused = results.filter((r) => r.status !== 200);
      expect(refused).toHaveLength(8 - served);
      for (const r of refused) {
        expect(r.status).toBe(503);
        expect(r.text).toContain(fn);
        expect(r.text).toMatch(/no neighbou?r/i);
      }

      const nowhere = await call(proxy, '/function/nowhere');
      expect(nowhere.status).toBe(503);
      expect(nowhere.text).toContain('nowhere');
      expect(peerA.requests).toHaveLength(0);
    });

    it('skips a peer that refuses the connection: the others serve its share, under the local limit', async () => {
      const fn = 'dead-peer';
      const gone = 'peer-gone';
      const closed = await freeLoopbackPort();
      const proxy = await startProxy({
        functions: { [fn]: route({ localLimit: 3, weights: { [LOCAL]: 1, [gone]: 1, [PEER_A]: 1 } }) },
        peers: { ...peers(), [gone]: { host: '127.0.0.1', port: closed } },
      });
      const results = [];
      for (let i = 0; i < 12; i++)
        results.push(await call(proxy, `/function/${fn}`, { method: 'POST', body: `payload-${i}` }));

      expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
      const local = count(results, (r) => r.servedBy === NODE_ID);
      expect(local).toBeGreaterThanOrEqual(2);
      expect(local).toBeLessThanOrEqual(4);
      expect(count(results, (r) => r.servedBy === PEER_A)).toBe(12 - local);
      // Bodies were sent again in full to whoever served after the refusal.
      const bodies = [...gateway.calls(fn), ...peerA.calls(fn)].map((r) => r.body).sort();
      expect(bodies).toEqual(Array.from({ length: 12 }, (_, i) => `payload-${i}`).sort());
      // Only who served is counted: the refused peer served nothing.
      const counters = (await proxy.counters())[fn];
      expect(counters?.user).toBe(12);
      expect(counters?.local).toBe(local);
      expect(counters?.forwarded[PEER_A]).toBe(12 - local);
      expect(counters?.forwarded[gone] ?? 0).toBe(0);
    });

    it('from peers: 403 when unknown, serves locally up to limitsIn, then 429', async () => {
      const fn = 'shared';
      const proxy = await startProxy({
        functions: {
          // Users of `fn` would all go to B: requests from peers must not.
          [fn]: route({ localLimit: 0, weights: { [PEER_B]: 1 }, limitsIn: { [PEER_A]: 3, [PEER_B]: 0 } }),
          open: route({ localLimit: 0, weights: { [PEER_B]: 1 }, limitsIn: { [PEER_B]: 5 } }),
        },
        peers: peers(),
      });

      const unknown = await call(proxy, `/function/${fn}`, { from: 'peer-unknown' });
      expect(unknown.status).toBe(403);

      const fromA = await burst(proxy, 7, `/function/${fn}`, PEER_A);
      expect(fromA.slice(0, 3).map((r) => [r.status, r.servedBy])).toEqual(Array(3).fill([200, NODE_ID]));
      const served = count(fromA, (r) => r.status === 200);
      expect(served).toBeLessThanOrEqual(4);
      expect(count(fromA, (r) => r.status === 429)).toBe(7 - served);

      expect((await call(proxy, `/function/${fn}`, { from: PEER_B })).status).toBe(429);

      // A is absent from limitsIn of `open`: unlimited.
      const open = await burst(proxy, 10, '/function/open', PEER_A);
      expect(open.every((r) => r.status === 200 && r.servedBy === NODE_ID)).toBe(true);

      expect(peerA.requests.length + peerB.requests.length).toBe(0);
      expect(gateway.calls(fn)).toHaveLength(served);
    });

    it('from peers: 403 for a copied id without its token, with a stale or another peer’s token; the token stays here', async () => {
      const fn = 'guarded';
      const proxy = await startProxy({
        functions: { [fn]: route({ weights: { [LOCAL]: 1 } }) },
        peers: peers(),
      });
      const path = `/function/${fn}`;
      // The id alone is public (DFaaS-Served-By, /agent/status): it proves nothing.
      expect((await call(proxy, path, { from: PEER_A, token: '' })).status).toBe(403);
      const noToken = await request(`${proxy.url}${path}`, { headers: { [NODE_ID_HEADER]: PEER_A } });
      expect([noToken.statusCode, await noToken.body.text()]).toEqual([403, expect.stringContaining(PEER_A)]);
      expect((await call(proxy, path, { from: PEER_A, token: 'token-b' })).status).toBe(403);
      expect((await call(proxy, path, { from: PEER_A, token: 'token-a-expired' })).status).toBe(403);
      // Both tokens of A in the table are good (rotation: the current one and the previous one).
      expect((await call(proxy, path, { from: PEER_A, token: 'token-a-previous' })).status).toBe(200);
      expect((await call(proxy, path, { from: PEER_A })).status).toBe(200);
      expect(gateway.calls(fn)).toHaveLength(2);
      for (const served of gateway.calls(fn))
        expect(served.headers[NODE_TOKEN_HEADER.toLowerCase()]).toBeUndefined();

      // Once A's tokens are rotated out, its old one is refused.
      await proxy.apply({
        functions: { [fn]: route({ weights: { [LOCAL]: 1 } }) },
        peers: peers(),
        tokens: { own: TOKENS.own, peers: { [PEER_A]: ['token-a-next'] } },
      });
      expect((await call(proxy, path, { from: PEER_A, token: 'token-a' })).status).toBe(403);
      expect((await call(proxy, path, { from: PEER_A, token: 'token-a-next' })).status).toBe(200);
      const counters = (await proxy.counters())[fn];
      expect(counters?.rejected.unknown_peer).toBe(5);
      expect(counters?.fromPeers[PEER_A]).toBe(3);
    });

    it('applies a new table without restarting, and counts what it did', async () => {
      const fn = 'moving';
      const proxy = await startProxy({
        functions: { [fn]: route({ weights: { [PEER_A]: 1 } }), idle: route({}) },
        peers: { [PEER_A]: peerA.endpoint },
      });
      const before = await burst(proxy, 4, `/function/${fn}`);
      expect(before.map((r) => r.servedBy)).toEqual(Array(4).fill(PEER_A));

      const table: RoutingTable = {
        functions: {
          [fn]: route({ weights: { [PEER_B]: 1 }, limitsIn: { [PEER_A]: 1 } }),
          full: route({ weights: {} }),
          idle: route({}),
        },
        peers: peers(),
        tokens: TOKENS,
      };
      await proxy.apply(table);
      await proxy.apply(structuredClone(table));
      const after = await burst(proxy, 4, `/function/${fn}`);
      expect(after.map((r) => r.servedBy)).toEqual(Array(4).fill(PEER_B));

      const fromA = await burst(proxy, 2, `/function/${fn}`, PEER_A);
      expect(fromA.map((r) => r.status)).toEqual([200, 429]);
      expect((await call(proxy, `/function/${fn}`, { from: 'peer-unknown' })).status).toBe(403);
      expect((await burst(proxy, 2, '/function/full')).map((r) => r.status)).toEqual([503, 503]);

      const counters = await proxy.counters();
      expect(counters[fn]).toMatchObject({
        user: 8,
        local: 1,
        forwarded: { [PEER_A]: 4, [PEER_B]: 4 },
        rejected: { unknown_peer: 1, peer_limit: 1, no_capacity: 0 },
      });
      expect(counters[fn]?.fromPeers[PEER_A]).toBe(2);
      expect(counters.full).toMatchObject({ user: 2, local: 0, rejected: { no_capacity: 2 } });
      expect(counters.idle).toMatchObject({ user: 0, local: 0, forwarded: {} });

      // A copy: changing it changes nothing in the proxy.
      (counters[fn] as { user: number }).user = 1000;
      expect((await proxy.counters())[fn]?.user).toBe(8);
    });

    it('stop() lets a request in flight finish and frees the port', async () => {
      const proxy = await startProxy({ functions: {}, peers: {} });
      const port = Number(new URL(proxy.url).port);
      const inFlight = call(proxy, '/function/slow');
      await waitFor('the slow request to reach the gateway', () => gateway.calls('slow').length > 0, 5_000);
      await proxy.stop();
      expect((await inFlight).status).toBe(200);
      expect(await portIsFree(port)).toBe(true);
    });
  });
}
