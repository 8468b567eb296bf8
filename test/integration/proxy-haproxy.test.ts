import { lookup } from 'node:dns/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { type HaproxyProxy, startHaproxyProxy } from '../../src/node/proxy/haproxy/driver.js';
import { CliSocket } from '../../src/node/proxy/haproxy/runtime-api.js';
import {
  type FunctionRoute,
  LOCAL,
  NODE_ID_HEADER,
  NODE_TOKEN_HEADER,
  type NodeTokens,
  type PeerEndpoint,
  type ProxyCounters,
  type RoutingTable,
  SERVED_BY_HEADER,
} from '../../src/offload/routing.js';
import { serviceBinary } from '../helpers/services.js';
import { alive, waitFor } from '../helpers/wait.js';
import { proxyContractSuite } from '../node/proxy/contract.js';

const haproxy = serviceBinary('/usr/sbin/haproxy');

proxyContractSuite(
  'haproxy proxy',
  (options) => startHaproxyProxy({ ...options, binary: haproxy }),
  () => (haproxy ? undefined : '/usr/sbin/haproxy is not installed'),
);

const NODE_ID = 'node-self';
const PEER_IDS = ['peer-a', 'peer-b', 'peer-named', 'peer-nowhere'];
const tokenOf = (peer: string) => `token-of-${peer}`;
/** Every peer of these tests presents its token; the contract suite tests the refusals. */
const TOKENS: NodeTokens = {
  own: 'token-of-self',
  peers: Object.fromEntries(PEER_IDS.map((id) => [id, [tokenOf(id)]])),
};

interface Upstream {
  endpoint: PeerEndpoint;
  /** DFaaS-Node-ID of each request it got. */
  fromIds: (string | undefined)[];
  close(): Promise<void>;
}

/** Answers 200 at once; a fake peer proxy names itself in DFaaS-Served-By, the gateway does not. */
async function upstream(servedBy?: string, host = '127.0.0.1'): Promise<Upstream> {
  const fromIds: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    const from = req.headers[NODE_ID_HEADER.toLowerCase()];
    fromIds.push(typeof from === 'string' ? from : undefined);
    res.writeHead(200, servedBy ? { [SERVED_BY_HEADER]: servedBy } : {}).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    endpoint: { host, port: (server.address() as AddressInfo).port },
    fromIds,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const route = (over: Partial<FunctionRoute>): FunctionRoute => ({
  localLimit: null,
  weights: {},
  limitsIn: {},
  ...over,
});

describe.skipIf(!haproxy)('haproxy proxy driver', () => {
  let gateway: Upstream;
  let peerA: Upstream;
  let peerB: Upstream;
  const client = new Agent({ keepAliveTimeout: 1_000 });
  const running: HaproxyProxy[] = [];

  beforeAll(async () => {
    [gateway, peerA, peerB] = await Promise.all([upstream(), upstream('peer-a'), upstream('peer-b')]);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await client.close();
    await Promise.all([gateway, peerA, peerB].map((u) => u?.close()));
  });

  async function start(logger = silentLogger): Promise<HaproxyProxy> {
    const proxy = await startHaproxyProxy({
      nodeId: NODE_ID,
      host: '127.0.0.1',
      port: 0,
      gatewayUrl: `http://${gateway.endpoint.host}:${gateway.endpoint.port}`,
      logger,
      binary: haproxy,
    });
    running.push(proxy);
    return proxy;
  }

  /** `n` sequential requests; returns who served each (DFaaS-Served-By) or the status. */
  async function burst(proxy: HaproxyProxy, n: number, path: string, from?: string): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await request(`${proxy.url}${path}`, {
        dispatcher: client,
        headers: from ? { [NODE_ID_HEADER]: from, [NODE_TOKEN_HEADER]: tokenOf(from) } : {},
      });
      await res.body.text();
      const by = res.headers[SERVED_BY_HEADER.toLowerCase()];
      out.push(res.statusCode === 200 && typeof by === 'string' ? by : String(res.statusCode));
    }
    return out;
  }

  const tally = (served: string[]) => {
    const counts: Record<string, number> = {};
    for (const s of served) counts[s] = (counts[s] ?? 0) + 1;
    return counts;
  };

  function expectMonotonic(before: ProxyCounters, after: ProxyCounters): void {
    for (const [fn, b] of Object.entries(before)) {
      const a = after[fn];
      expect(a, fn).toBeDefined();
      expect(a?.user).toBeGreaterThanOrEqual(b.user);
      expect(a?.local).toBeGreaterThanOrEqual(b.local);
      for (const [peer, n] of Object.entries(b.forwarded))
        expect(a?.forwarded[peer]).toBeGreaterThanOrEqual(n);
    }
  }

  it('applies weights and limits through the Runtime API: the split changes, HAProxy never reloads', async () => {
    const proxy = await start();
    const peers = { 'peer-a': peerA.endpoint, 'peer-b': peerB.endpoint };
    const table = (f: FunctionRoute): RoutingTable => ({
      functions: { f, g: route({}) },
      peers,
      tokens: TOKENS,
    });
    await proxy.apply(table(route({ weights: { [LOCAL]: 1 } })));
    const master = proxy.masterPid;
    const worker = await proxy.workerPid();
    const reloads = proxy.reloads;
    const renders = proxy.renders;
    const config = readFileSync(proxy.configPath, 'utf8');

    // Each period: a table, 20 sequential requests, the split HAProxy's round robin gives.
    const periods: [FunctionRoute, Record<string, number>][] = [
      [route({ weights: { [LOCAL]: 1, 'peer-a': 1 } }), { [NODE_ID]: 10, 'peer-a': 10 }],
      [route({ weights: { [LOCAL]: 3, 'peer-b': 1 } }), { [NODE_ID]: 15, 'peer-b': 5 }],
      [
        route({ weights: { 'peer-a': 1, 'peer-b': 3 }, limitsIn: { 'peer-a': 2 } }),
        { 'peer-a': 5, 'peer-b': 15 },
      ],
      [route({ localLimit: 0, weights: { [LOCAL]: 1, 'peer-a': 1 } }), { 'peer-a': 20 }],
      [route({ weights: { [LOCAL]: 0, 'peer-a': 0 } }), { '503': 20 }],
    ];
    let sent = 0;
    let previous = await proxy.counters();
    for (const [f, expected] of periods) {
      await proxy.apply(table(f));
      expect(tally(await burst(proxy, 20, '/function/f/x'))).toEqual(expected);
      sent += 20;
      const counters = await proxy.counters();
      expect(counters.f?.user).toBe(sent);
      expectMonotonic(previous, counters);
      previous = counters;
    }
    expect(previous.f?.forwarded).toEqual({ 'peer-a': 35, 'peer-b': 20 });
    expect(previous.f?.local).toBe(25);
    expect(previous.f?.rejected.no_capacity).toBe(20);

    expect(proxy.reloads).toBe(reloads);
    expect(proxy.renders).toBe(renders);
    expect(proxy.masterPid).toBe(master);
    expect(await proxy.workerPid()).toBe(worker);
    expect(readFileSync(proxy.configPath, 'utf8')).toBe(config);
    // The master's own count of reloads: only the one that brought f and g.
    const masterCli = new CliSocket(proxy.configPath.replace(/haproxy\.cfg$/, 'master.sock'));
    expect(await masterCli.exchange('show proc')).toMatch(
      new RegExp(`^${master}\\s+master\\s+${reloads}\\s`, 'm'),
    );
  });

  it('forwards with DFaaS-Node-ID and passes the peer’s DFaaS-Served-By through', async () => {
    const proxy = await start();
    peerA.fromIds.length = 0;
    gateway.fromIds.length = 0;
    await proxy.apply({
      functions: { f: route({ weights: { 'peer-a': 1 } }) },
      peers: { 'peer-a': peerA.endpoint },
      tokens: TOKENS,
    });
    expect(await burst(proxy, 3, '/function/f')).toEqual(['peer-a', 'peer-a', 'peer-a']);
    expect(peerA.fromIds).toEqual([NODE_ID, NODE_ID, NODE_ID]);
    // A peer's request is served here, with our id.
    expect(await burst(proxy, 1, '/function/f', 'peer-a')).toEqual([NODE_ID]);
    expect(await burst(proxy, 1, '/healthz')).toEqual([NODE_ID]);
    // The gateway's API is not served through a node (the contract suite checks the rest).
    expect(await burst(proxy, 1, '/system/functions')).toEqual(['404']);
  });

  it('adds a peer that appears at run time without a reload, and retires one that leaves', async () => {
    const proxy = await start();
    const fn = (weights: Record<string, number>) => ({ f: route({ weights }), g: route({ weights }) });
    await proxy.apply({
      functions: fn({ 'peer-a': 1 }),
      peers: { 'peer-a': peerA.endpoint },
      tokens: TOKENS,
    });
    const worker = await proxy.workerPid();
    const { reloads, renders } = proxy;

    await proxy.apply({
      functions: fn({ 'peer-b': 1 }),
      peers: { 'peer-a': peerA.endpoint, 'peer-b': peerB.endpoint },
      tokens: TOKENS,
    });
    expect(await burst(proxy, 3, '/function/g')).toEqual(['peer-b', 'peer-b', 'peer-b']);
    expect(proxy.reloads).toBe(reloads);
    expect(await proxy.workerPid()).toBe(worker);
    // The file follows, so that a later reload keeps the new peer.
    expect(proxy.renders).toBe(renders + 1);
    expect(readFileSync(proxy.configPath, 'utf8')).toContain(
      `server peer_peer-b 127.0.0.1:${peerB.endpoint.port}`,
    );

    // Gone from the peers: its weight is void (no server left: 503) and its requests get 403.
    await proxy.apply({
      functions: fn({ 'peer-b': 1 }),
      peers: { 'peer-a': peerA.endpoint },
      tokens: TOKENS,
    });
    expect(await burst(proxy, 2, '/function/g')).toEqual(['503', '503']);
    expect(await burst(proxy, 1, '/function/g', 'peer-b')).toEqual(['403']);
    expect(await proxy.workerPid()).toBe(worker);
  });

  it('reaches a peer by host name, and routes around one whose name does not resolve', async () => {
    // HAProxy's Runtime API takes addresses only: the driver looks names up (here in /etc/hosts).
    const named = await upstream('peer-named', (await lookup('localhost')).address);
    try {
      const proxy = await start();
      await proxy.apply({
        functions: { f: route({ weights: { 'peer-named': 1, 'peer-nowhere': 1 } }) },
        peers: {
          'peer-named': { host: 'localhost', port: named.endpoint.port },
          'peer-nowhere': { host: 'nowhere.invalid', port: 1 }, // RFC 6761: never resolves
        },
        tokens: TOKENS,
      });
      expect(await burst(proxy, 4, '/function/f')).toEqual(Array(4).fill('peer-named'));
      // Still a known peer: its own requests are served here, not refused with 403.
      expect(await burst(proxy, 1, '/function/f', 'peer-nowhere')).toEqual([NODE_ID]);
    } finally {
      await named.close();
    }
  });

  /** The `reloaded` log lines' `taught` field, in order. */
  function reloadsTaught(lines: string[]): boolean[] {
    return lines.map((l) => JSON.parse(l)).flatMap((l) => (l.message.includes('reloaded') ? [l.taught] : []));
  }

  it('reloads once per new function; right after start the driver carries the counts over itself', async () => {
    const lines: string[] = [];
    const proxy = await start(createLogger({ level: 'info', json: true, write: (l) => lines.push(l) }));
    const peers = { 'peer-a': peerA.endpoint };
    const f = route({ weights: { 'peer-a': 1 } });
    await proxy.apply({ functions: { f }, peers, tokens: TOKENS });
    const master = proxy.masterPid;
    const first = await proxy.workerPid();
    await burst(proxy, 5, '/function/f');

    await proxy.apply({ functions: { f, g: route({}) }, peers, tokens: TOKENS });
    await proxy.apply({ functions: { f }, peers, tokens: TOKENS });
    await proxy.apply({ functions: { f, g: route({}) }, peers, tokens: TOKENS });
    const second = await proxy.workerPid();
    expect(second).not.toBe(first);
    expect(proxy.masterPid).toBe(master);
    expect(proxy.reloads).toBe(2);
    expect((await proxy.counters()).f).toMatchObject({ user: 5, forwarded: { 'peer-a': 5 } });
    await burst(proxy, 5, '/function/f');
    expect((await proxy.counters()).f).toMatchObject({ user: 10, forwarded: { 'peer-a': 10 } });
    expect(reloadsTaught(lines)).toEqual([false, false]);
  });

  it('once a worker has its tables complete, it teaches them to the next one (peers section)', async () => {
    const lines: string[] = [];
    const proxy = await start(createLogger({ level: 'info', json: true, write: (l) => lines.push(l) }));
    // HAProxy's fixed 5 s resync timeout after a start without a previous process.
    await waitFor(
      'the first worker to consider its tables complete',
      async () => {
        const peersFlags = await new CliSocket(proxy.socketPath).one('show peers');
        return (Number.parseInt(/flags=0x([0-9a-f]+)/.exec(peersFlags)?.[1] ?? '0', 16) & 3) === 3;
      },
      8_000,
    );
    const peers = { 'peer-a': peerA.endpoint };
    const f = route({ weights: { 'peer-a': 1 } });
    await proxy.apply({ functions: { f }, peers, tokens: TOKENS });
    await burst(proxy, 5, '/function/f');
    // A taught worker's tables are complete at once: the next reload teaches too.
    await proxy.apply({ functions: { f, g: route({}) }, peers, tokens: TOKENS });
    expect((await proxy.counters()).f).toMatchObject({ user: 5, forwarded: { 'peer-a': 5 } });
    await burst(proxy, 5, '/function/f');
    await proxy.apply({ functions: { f, g: route({}), h: route({}) }, peers, tokens: TOKENS });
    expect((await proxy.counters()).f).toMatchObject({ user: 10, forwarded: { 'peer-a': 10 } });
    expect(reloadsTaught(lines)).toEqual([true, true, true]);
  }, 20_000);

  it('applies 50 functions x 10 peers, then a change of every weight without a reload', async () => {
    const proxy = await start();
    const peers = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`p${i}`, { host: '127.0.0.1', port: peerA.endpoint.port }]),
    );
    const table = (shift: number): RoutingTable => ({
      functions: Object.fromEntries(
        Array.from({ length: 50 }, (_, f) => [
          `fn${f}`,
          route({
            localLimit: shift % 2 ? f + shift / 3 : null,
            weights: Object.fromEntries(Object.keys(peers).map((p, i) => [p, (f + i + shift) % 5])),
            limitsIn: Object.fromEntries(Object.keys(peers).map((p, i) => [p, i + shift])),
          }),
        ]),
      ),
      peers,
      tokens: {
        own: `own-${shift}`,
        peers: Object.fromEntries(Object.keys(peers).map((p) => [p, [`t-${shift}`]])),
      },
    });
    await proxy.apply(table(0));
    const reloads = proxy.reloads;
    for (const shift of [1, 2, 3]) await proxy.apply(table(shift));
    expect(proxy.reloads).toBe(reloads);
    // fn7 with shift 3: weights (7 + i + 3) % 5 -> p0..p9 = 0,1,2,3,4,0,1,2,3,4.
    const served = await burst(proxy, 20, '/function/fn7');
    expect(tally(served)).toEqual({ 'peer-a': 20 });
  });

  it('stop() leaves no HAProxy process and removes its temp dir', async () => {
    const proxy = await start();
    await proxy.apply({ functions: { f: route({}) }, peers: {}, tokens: TOKENS });
    const pids = [proxy.masterPid, await proxy.workerPid()];
    await proxy.stop();
    running.splice(running.indexOf(proxy), 1);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(existsSync(proxy.configPath)).toBe(false);
    await expect(proxy.apply({ functions: {}, peers: {}, tokens: TOKENS })).rejects.toThrow(/stopped/);
  });

  it("reports HAProxy's own error when it cannot start", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      await expect(
        startHaproxyProxy({
          nodeId: NODE_ID,
          host: '127.0.0.1',
          port: (busy.address() as AddressInfo).port,
          gatewayUrl: 'http://127.0.0.1:9',
          logger: silentLogger,
          binary: haproxy,
        }),
      ).rejects.toThrow(/cannot bind socket/);
    } finally {
      busy.close();
    }
  });
});
