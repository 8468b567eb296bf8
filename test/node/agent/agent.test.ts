import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import {
  Agent,
  type AgentOptions,
  type AgentPeers,
  type DecisionRecord,
} from '../../../src/node/agent/agent.js';
import { nodeMetrics } from '../../../src/node/agent/metrics.js';
import { ratesBetween } from '../../../src/node/agent/rates.js';
import type { TokenGrant } from '../../../src/node/peers/tokens.js';
import type { ProxyDriver } from '../../../src/node/proxy/contract.js';
import { DROP_REASONS, type PeerMessage } from '../../../src/offload/messages.js';
import { emptyCounters, type ProxyCounters, type RoutingTable } from '../../../src/offload/routing.js';
import { recalcDefinition } from '../../../src/offload/strategies/recalc.js';

describe('rates over a period', () => {
  it('divides counter differences by the period, and counts a reset counter from zero', () => {
    const before: ProxyCounters = { f: { ...emptyCounters(), user: 100, local: 80, forwarded: { A: 20 } } };
    const after: ProxyCounters = {
      f: { ...emptyCounters(), user: 150, local: 110, forwarded: { A: 40, B: 5 } },
      g: { ...emptyCounters(), user: 7 },
    };
    const rates = ratesBetween(before, after, 5);
    expect(rates.f).toMatchObject({ user: 10, local: 6, forwarded: { A: 4, B: 1 } });
    expect(rates.g?.user).toBe(1.4);
    expect(ratesBetween(after, before, 5).f?.user).toBe(20);
  });
});

/** A proxy that records what it was given and reports counters the test sets. */
function fakeProxy(): ProxyDriver & { tables: RoutingTable[]; counts: ProxyCounters } {
  const tables: RoutingTable[] = [];
  const state = { counts: {} as ProxyCounters };
  return {
    kind: 'embedded',
    url: 'http://127.0.0.1:1',
    tables,
    get counts() {
      return state.counts;
    },
    set counts(c) {
      state.counts = c;
    },
    apply: async (t) => {
      tables.push(structuredClone(t));
    },
    counters: async () => structuredClone(state.counts),
    stop: async () => {},
  };
}

function fakePeers(): AgentPeers & {
  published: PeerMessage[];
  /** The grants this node sent, in order. */
  granted: { peer: string; grant: TokenGrant }[];
  deliver: (from: string, m: PeerMessage) => void;
  disconnect: (p: string) => void;
  /** A peer's grant arrives; resolves when the agent would acknowledge it. */
  grantFrom: (from: string, grant: TokenGrant) => Promise<void>;
} {
  const handlers: ((from: string, m: PeerMessage) => void)[] = [];
  const gone: ((p: string) => void)[] = [];
  const published: PeerMessage[] = [];
  const granted: { peer: string; grant: TokenGrant }[] = [];
  let onGrant: ((from: string, grant: TokenGrant) => Promise<void>) | undefined;
  return {
    peerId: 'SELF',
    published,
    granted,
    grantToken: async (peer, grant) => {
      granted.push({ peer, grant });
      return true;
    },
    onTokenGrant: (h) => {
      onGrant = h;
    },
    grantFrom: async (from, grant) => onGrant?.(from, grant),
    connectedPeers: () => ['A'],
    publish: async (m) => {
      published.push(m);
    },
    rtt: async () => 1,
    onMessage: (h) => handlers.push(h),
    onPeerDisconnect: (h) => gone.push(h),
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as AgentPeers['dropped'],
    received: 0,
    deliver: (from, m) => {
      for (const h of handlers) h(from, m);
    },
    disconnect: (p) => {
      for (const h of gone) h(p);
    },
  };
}

/** A recalc agent named n1 whose proxy listens on 127.0.0.1:8001, period 1 s. */
function recalcAgent(
  options: Pick<AgentOptions, 'peers' | 'proxy' | 'listFunctions'> & Partial<AgentOptions>,
): Agent {
  return new Agent({
    name: 'n1',
    proxyEndpoint: { host: '127.0.0.1', port: 8001 },
    strategyName: 'recalc',
    strategy: recalcDefinition.create({}),
    periodMs: 1000,
    neighbourTtlMs: 1200,
    nodeType: 0,
    thresholds: {},
    measureRtt: false,
    logger: silentLogger,
    ...options,
  });
}

/** A recalc agent serving f (at most 10 requests/s) on a clock the test sets with setNow(ms). */
function agentOnClock() {
  let now = 0;
  const proxy = fakeProxy();
  const peers = fakePeers();
  const agent = recalcAgent({
    peers,
    proxy,
    listFunctions: async () => [{ name: 'f', maxRate: 10 }],
    clock: { monotonic: () => now, now: () => now },
  });
  return {
    agent,
    proxy,
    peers,
    setNow: (ms: number) => {
      now = ms;
    },
  };
}

describe('agent period', () => {
  it('turns counters into period rates, runs the strategy, applies the routes with the neighbours and publishes', async () => {
    let now = 0;
    const proxy = fakeProxy();
    const peers = fakePeers();
    const decisions: DecisionRecord[] = [];
    const agent = recalcAgent({
      peers,
      proxy,
      listFunctions: async () => [{ name: 'f', maxRate: 10 }],
      onDecision: (d) => decisions.push(d),
      clock: { monotonic: () => now, now: () => now },
    });
    await agent.tick();
    // A offers us 5 requests/s of f.
    peers.deliver('A', {
      MsgType: 'nodeinfoRecalc',
      HAProxyHost: '127.0.0.1',
      HAProxyPort: 8002,
      FuncLimits: { SELF: { f: 5 } },
    });
    proxy.counts = { f: { ...emptyCounters(), user: 15, local: 10 } };
    now = 1000;
    await agent.tick();

    const table = proxy.tables.at(-1) as RoutingTable;
    expect(table.peers).toEqual({ A: { host: '127.0.0.1', port: 8002 } });
    // 15 requests/s over the period, maxrate 10: keep 67%, send 33% to A.
    expect(table.functions.f).toEqual({ localLimit: 10, weights: { local: 67, A: 33 }, limitsIn: { A: 0 } });
    expect(peers.published.at(-1)).toMatchObject({
      MsgType: 'nodeinfoRecalc',
      HAProxyPort: 8001,
      FuncLimits: { A: { f: 0 } },
    });
    expect(decisions.at(-1)).toMatchObject({
      node: 'n1',
      period: 2,
      rates: { f: { user: 15 } },
      neighbours: ['A'],
    });

    const status = agent.status();
    expect(status.peers.map((p) => p.id)).toEqual(['A']);
    expect(status.functions.f?.rates?.user).toBe(15);
    const text = await nodeMetrics(() => agent.status()).metrics();
    expect(text).toContain('dfaas_node_user_rate{function="f"} 15');
    expect(text).toContain('dfaas_node_weight{function="f",target="A"} 33');
    expect(text).toContain('dfaas_node_local_limit{function="f"} 10');

    // A's connection closes: the next period no longer sends it anything.
    peers.disconnect('A');
    now = 2000;
    await agent.tick();
    expect(proxy.tables.at(-1)?.peers).toEqual({});
    expect(proxy.tables.at(-1)?.functions.f?.weights).toEqual({ local: 100 });
  });

  it('keeps the routes in force and still publishes when the proxy refuses a table', async () => {
    let now = 0;
    const proxy = fakeProxy();
    const peers = fakePeers();
    let maxRate = 10;
    const agent = recalcAgent({
      peers,
      proxy,
      listFunctions: async () => [{ name: 'f', maxRate }],
      clock: { monotonic: () => now, now: () => now },
    });
    await agent.tick();
    const applied = agent.status().functions.f?.route;
    expect(applied?.localLimit).toBe(10);

    proxy.apply = async () => {
      throw new Error('runtime API refused');
    };
    maxRate = 20;
    now = 1000;
    await agent.tick();
    expect(agent.status().lastError).toBe('runtime API refused');
    expect(agent.status().functions.f?.route).toEqual(applied);
    expect(peers.published).toHaveLength(2);
  });

  it('reports the error when a period fails before deciding anything', async () => {
    const proxy = fakeProxy();
    const agent = recalcAgent({
      peers: fakePeers(),
      proxy,
      listFunctions: async () => {
        throw new Error('gateway down');
      },
    });
    await agent.tick();
    expect(proxy.tables).toHaveLength(0);
    expect(agent.status().lastError).toBe('gateway down');
  });

  it('grants every connected neighbour a fresh token each period, then presents it', async () => {
    const { agent, proxy, peers, setNow } = agentOnClock();
    // Connected but not (yet) a neighbour: A has no use for this node's token.
    await agent.tick();
    expect(peers.granted).toEqual([]);
    const offer = {
      MsgType: 'nodeinfoRecalc',
      HAProxyHost: '127.0.0.1',
      HAProxyPort: 8002,
      FuncLimits: { SELF: { f: 5 } },
    } as const;
    peers.deliver('A', offer);
    setNow(1000);
    await agent.tick();
    peers.deliver('A', offer);
    setNow(2000);
    await agent.tick();
    expect(peers.granted.map((g) => g.peer)).toEqual(['A', 'A']);
    const [first, second] = peers.granted.map((g) => g.grant) as [TokenGrant, TokenGrant];
    expect(first.token).toMatch(/^[0-9a-f]{64}$/);
    expect(second.token).not.toBe(first.token);
    expect(first.validForMs).toBe(3000);
    expect(proxy.tables.slice(1).map((t) => t.tokens.own)).toEqual([first.token, second.token]);
  });

  it('puts a peer’s token in force at the proxy before acknowledging it, until it expires', async () => {
    const { agent, proxy, peers, setNow } = agentOnClock();
    await agent.tick();
    const routes = proxy.tables.at(-1)?.functions;
    const token = 'a'.repeat(64);
    await peers.grantFrom('A', { token, validForMs: 3000 });
    // Applied with the routes in force, before the grant's promise (the acknowledgement) resolved.
    expect(proxy.tables.at(-1)).toMatchObject({ functions: routes, tokens: { peers: { A: [token] } } });

    setNow(2999);
    await agent.tick();
    expect(proxy.tables.at(-1)?.tokens.peers).toEqual({ A: [token] });
    setNow(3000);
    await agent.tick();
    expect(proxy.tables.at(-1)?.tokens.peers).toEqual({});
  });
});
