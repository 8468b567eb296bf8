import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import { runEvents } from '../../../../src/sim/engines/events/engine.js';
import type { EventsResult } from '../../../../src/sim/engines/events/result.js';
import type { EventsOptionsInput } from '../../../../src/sim/engines/events/scenario.js';
import { generateInstance } from '../../../../src/sim/instances/generator.js';
import type { SimInstance, SimNode } from '../../../../src/sim/instances/instance.js';
import { frameworkAnalyticModel } from '../../../../src/sim/model/analytic.js';
import { FRAMEWORK_THRESHOLDS, type NodeModel } from '../../../../src/sim/model/node-model.js';
import { figletNode } from '../../figlet-node.js';

/** A node that is never busy: cpu 0, so services are never slowed down. */
const idle: NodeModel = { name: 'idle', predict: () => ({ cpu_usage_node: 0 }) };

const node = figletNode;

function network(...nodes: SimNode[]): SimInstance {
  return { seed: 1, edgeProb: 1, overloadedPerc: 0, nodes };
}

/** node_0 offered `rate` req/s, node_1 and node_2 deploy figlet without users; all linked. */
function mesh(rate: number): SimInstance {
  return network(
    node('node_0', ['node_1', 'node_2'], [rate]),
    node('node_1', ['node_0', 'node_2'], [0]),
    node('node_2', ['node_0', 'node_1'], [0]),
  );
}

/** node_0 offered `rate` req/s, linked to node_1, which deploys figlet without users. */
function pair(rate: number): SimInstance {
  return network(node('node_0', ['node_1'], [rate]), node('node_1', ['node_0'], [0]));
}

/** Evenly spaced arrivals and fixed service times: results to compute by hand. */
/** Evenly spaced arrivals, fixed service times and 1 s agent periods (the default is the live agent's 5 s). */
const exact: EventsOptionsInput = { arrivals: 'constant', service: 'deterministic', periodMs: 1000 };

function failed(result: EventsResult): number {
  return Object.values(result.totals.failed).reduce((a, b) => a + b, 0);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

describe('runEvents: one node', () => {
  it('serves 4 of every 5 requests at 12 req/s with 4 slots of 400 ms', async () => {
    // Arrivals every 83.3 ms; a request holds its slot 400 ms. Requests k..k+3 take the 4 slots,
    // k+4 (333 ms after k) finds them all busy, k+5 (416.7 ms after k) finds k's slot free again
    // (since 400 ms): 4 served in every 5, so 576 of the 720 arrivals of the minute; the 144 others
    // fail with 429 (busy). (The capacity 4/0.4 s = 10 req/s is not reached: each slot idles
    // 16.7 ms of every 416.7.)
    const result = await runEvents(
      network(node('node_0', [], [12])),
      { ...exact, strategy: 'all-local', functions: { figlet: { slots: 4, serviceMs: 400 } } },
      idle,
      FRAMEWORK_THRESHOLDS,
    );
    expect(result.totals.offered).toBe(720);
    expect(result.totals.servedLocally).toBe(576);
    expect(result.totals.failed.busy).toBe(144);
    expect(result.successRate).toBe(0.8);
    expect(result.forwardedShare).toBe(0);
    expect(result.latency.meanMs).toBeCloseTo(400, 9);
    expect(result.latency.p50Ms).toBeCloseTo(400, 0);
    expect(result.latency.p99Ms).toBeCloseTo(400, 0);
    expect(result.nodes.node_0).toEqual({
      offered: [720],
      served: [576],
      forwarded: [0],
      failed: [144],
      servedForPeers: [0],
    });
  });

  it('counts nothing that arrives during the warm-up, in the totals and the windows', async () => {
    // 10 req/s evenly for 60 s: arrivals at (k + phase)·100 ms, k = 0..599; the 400 of k ≥ 200
    // come after 20 s, 100 in each 10 s window from the third on.
    const result = await runEvents(
      network(node('node_0', [], [10])),
      {
        ...exact,
        strategy: 'all-local',
        warmupMs: 20_000,
        windowSeconds: 10,
        functions: { figlet: { slots: 5 } },
      },
      idle,
      FRAMEWORK_THRESHOLDS,
    );
    expect(result.totals.offered).toBe(400);
    expect(result.totals.servedLocally).toBe(400);
    expect(result.nodes.node_0?.offered).toEqual([0, 0, 100, 100, 100, 100]);
  });

  it('adds the cold start to the requests that wait for the container, again after an idle timeout', async () => {
    // 10 req/s for 1 s, none for 1 s, 10 req/s for 1 s; 100 ms services, 500 ms cold start, cold
    // again after 500 ms idle. Each busy second: the first 5 requests (0, 100, …, 400 ms after the
    // first) wait for the container ready 500 ms after the first: 600, 500, 400, 300, 200 ms; the
    // other 5 take 100 ms. Mean (2 × (2000 + 500)) / 20 = 250 ms.
    const result = await runEvents(
      network(node('node_0', [], [10, 0, 10])),
      {
        ...exact,
        strategy: 'all-local',
        instantSeconds: 1,
        coldStartMs: 500,
        idleTimeoutMs: 500,
        functions: { figlet: { slots: 10 } },
      },
      idle,
      FRAMEWORK_THRESHOLDS,
    );
    expect(result.totals.servedLocally).toBe(20);
    expect(result.latency.meanMs).toBeCloseTo(250, 9);
    expect(result.latency.maxMs).toBeCloseTo(600, 9);
  });

  it('slows services down by predicted cpu / threshold, from the first agent period on', async () => {
    // cpu 580 against MID's 290: services take twice their 100 ms once the agent's first period
    // (in the first second) has measured the node's rates.
    const hot: NodeModel = { name: 'hot', predict: () => ({ cpu_usage_node: 580 }) };
    const result = await runEvents(
      network(node('node_0', [], [5])),
      { ...exact, strategy: 'all-local', functions: { figlet: { slots: 5 } } },
      hot,
      FRAMEWORK_THRESHOLDS,
    );
    expect(result.latency.maxMs).toBeCloseTo(200, 9);
    // At most the 5 requests of the first second at 100 ms: mean ≥ (295·200 + 5·100) / 300.
    expect(result.latency.meanMs).toBeGreaterThanOrEqual((295 * 200 + 5 * 100) / 300);
    expect(result.latency.meanMs).toBeLessThan(200);
    // With the slow-down off (a function limited by its slots, not the CPU), 100 ms throughout.
    const off = await runEvents(
      network(node('node_0', [], [5])),
      { ...exact, strategy: 'all-local', functions: { figlet: { slots: 5 } }, slowdown: false },
      hot,
      FRAMEWORK_THRESHOLDS,
    );
    expect(off.latency.maxMs).toBeCloseTo(100, 9);
  });
});

describe('runEvents: forwarding', () => {
  it('recalc forwards the excess over maxRate to the peers that offered; all-local does not', async () => {
    // node_0 gets 12 req/s of figlet, maxRate 7 everywhere, one 140 ms slot per node (7.1 req/s).
    // All-local: arrivals every 83.3 ms find the slot busy every other time: exactly 1/2 served.
    // Recalc: node_0 keeps ~7/12 and sends the rest to node_1 and node_2 (each offers 7/2 req/s).
    const options: EventsOptionsInput = {
      ...exact,
      functions: { figlet: { maxRate: 7, slots: 1, serviceMs: 140 } },
    };
    const allLocal = await runEvents(
      mesh(12),
      { ...options, strategy: 'all-local' },
      idle,
      FRAMEWORK_THRESHOLDS,
    );
    const recalc = await runEvents(mesh(12), { ...options, strategy: 'recalc' }, idle, FRAMEWORK_THRESHOLDS);
    expect(allLocal.successRate).toBe(0.5);
    expect(allLocal.forwardedShare).toBe(0);
    expect(recalc.totals.servedByPeers).toBeGreaterThan(0);
    expect(recalc.forwardedShare).toBeGreaterThan(0.3);
    expect(recalc.successRate).toBeGreaterThan(allLocal.successRate + 0.2);
    // Served by the peers is served for node_0's users, seen from the peers' side.
    const forPeers =
      sum(recalc.nodes.node_1?.servedForPeers ?? []) + sum(recalc.nodes.node_2?.servedForPeers ?? []);
    expect(forPeers).toBe(recalc.totals.servedByPeers);
  });

  it("a peer refuses (429) what exceeds the limit it offered, and that is the user's failure", async () => {
    // node_0 at 30 req/s, maxRate 7: it keeps round(7/30·100) = 23 % and sends 38.5 % (11.6 req/s)
    // to each peer, which lets it send 7/2 = 3.5 req/s: about 8 req/s per peer come back as 429.
    const result = await runEvents(
      mesh(30),
      { ...exact, strategy: 'recalc', warmupMs: 5_000, functions: { figlet: { maxRate: 7, slots: 10 } } },
      idle,
      FRAMEWORK_THRESHOLDS,
    );
    const { offered, servedByPeers } = result.totals;
    expect(result.totals.failed.peer_limit / offered).toBeGreaterThan(0.4);
    // What the peers took stays within their offers. The proxy admits while its count of the last
    // second is below the limit, so an offer of 3.5 admits 4 a second: 2 × 4 × 55 s.
    expect(servedByPeers).toBeLessThanOrEqual(2 * 4 * 55);
    expect(servedByPeers).toBeGreaterThan(2 * 3 * 55);
    expect(result.totals.servedLocally + servedByPeers + failed(result)).toBe(offered);
  });

  it('static splits by its weights: half local, a quarter to each peer', async () => {
    // static_local_share 0.5 with 2 holders: weights local 50, node_1 25, node_2 25; smooth round
    // robin sends exactly 50 of every 100 picks to the peers. After a 5 s warm-up every node knows
    // the others: 550 requests counted, 275 (± the cut of the round robin's cycle) forwarded.
    const result = await runEvents(
      mesh(10),
      {
        ...exact,
        strategy: 'static',
        strategyParams: { static_local_share: 0.5 },
        warmupMs: 5_000,
        functions: { figlet: { slots: 10 } },
      },
      idle,
      FRAMEWORK_THRESHOLDS,
    );
    expect(result.totals.offered).toBe(550);
    expect(result.successRate).toBe(1);
    expect(result.forwardedShare).toBeCloseTo(0.5, 2);
    const node1 = sum(result.nodes.node_1?.servedForPeers ?? []);
    const node2 = sum(result.nodes.node_2?.servedForPeers ?? []);
    expect(Math.abs(node1 - node2)).toBeLessThanOrEqual(1);
  });

  it('a forwarded request takes the link both ways: 20 + 100 + 20 ms', async () => {
    // static_local_share 0: everything goes to node_1 once node_0 knows it (before 5 s).
    const options: EventsOptionsInput = {
      ...exact,
      strategy: 'static',
      strategyParams: { static_local_share: 0 },
      warmupMs: 5_000,
      linkLatencyMs: { 'node_1|node_0': 20 },
      functions: { figlet: { slots: 10 } },
    };
    const result = await runEvents(pair(10), options, idle, FRAMEWORK_THRESHOLDS);
    expect(result.forwardedShare).toBe(1);
    expect(result.successRate).toBe(1);
    expect(result.latency.meanMs).toBeCloseTo(140, 9);
    expect(result.latency.p50Ms).toBeCloseTo(140, 0);
    expect(result.latency.p99Ms).toBeCloseTo(140, 0);
    // The instance's own link latency is the default when the options give none.
    const instance = pair(10);
    for (const n of instance.nodes) n.linkLatencyMs = { [n.id === 'node_0' ? 'node_1' : 'node_0']: 5 };
    const fromInstance = await runEvents(
      instance,
      { ...options, linkLatencyMs: {} },
      idle,
      FRAMEWORK_THRESHOLDS,
    );
    expect(fromInstance.latency.meanMs).toBeCloseTo(110, 9);
  });

  it('forwards nothing before the first messages arrive (gossip delay)', async () => {
    // Gossip delay 10 s: node_0 hears of node_1 after 10 s at the earliest, so its first 10 one-second
    // windows are all local; 2 periods later both nodes know each other and all 10 req/s go to node_1.
    const options: EventsOptionsInput = {
      ...exact,
      strategy: 'static',
      strategyParams: { static_local_share: 0 },
      windowSeconds: 1,
      functions: { figlet: { slots: 10 } },
    };
    const slow = await runEvents(pair(10), { ...options, gossipDelayMs: 10_000 }, idle, FRAMEWORK_THRESHOLDS);
    const forwarded = slow.nodes.node_0?.forwarded ?? [];
    expect(forwarded.slice(0, 10)).toEqual(new Array(10).fill(0));
    expect(slow.nodes.node_0?.served.slice(0, 10)).toEqual(new Array(10).fill(10));
    expect(forwarded.slice(13)).toEqual(new Array(47).fill(10));
    // With the default 50 ms, forwarding starts within the first seconds.
    const fast = await runEvents(pair(10), options, idle, FRAMEWORK_THRESHOLDS);
    expect(fast.nodes.node_0?.forwarded.slice(3, 10)).toEqual(new Array(7).fill(10));
  });
});

describe('runEvents: accounting and determinism', () => {
  const instance = generateInstance({ nodes: 8, edgeProb: 0.4, overloadedPercent: 60, seed: 701 });
  // 7 instants of 5 s: the framework's triangle in 35 simulated seconds.
  const short: EventsOptionsInput = { instantSeconds: 5, warmupMs: 2_000, windowSeconds: 5 };

  it('every counted request is served or failed, in the totals and every window, for every strategy', async () => {
    for (const strategy of ['all-local', 'static', 'recalc', 'node-margin', 'latency-aware'] as const) {
      const result = await runEvents(
        instance,
        { ...short, strategy },
        frameworkAnalyticModel,
        FRAMEWORK_THRESHOLDS,
      );
      const { offered, servedLocally, servedByPeers } = result.totals;
      expect(offered, strategy).toBeGreaterThan(0);
      expect(servedLocally + servedByPeers + failed(result), strategy).toBe(offered);
      for (const [id, w] of Object.entries(result.nodes))
        w.offered.forEach((n, i) => {
          expect(n, `${strategy} ${id} window ${i}`).toBe((w.served[i] as number) + (w.failed[i] as number));
        });
      expect(sum(Object.values(result.nodes).map((w) => sum(w.offered)))).toBe(offered);
      expect(result.agent.runs, strategy).toBeGreaterThan(0);
      if (strategy === 'node-margin') expect(result.agent.modelCalls).toBeGreaterThan(0);
      else expect(result.agent.modelCalls, strategy).toBe(0);
    }
  });

  it('the same options give the same result; another seed another one', async () => {
    const options: EventsOptionsInput = { ...short, strategy: 'recalc', seed: 5 };
    const a = await runEvents(instance, options, frameworkAnalyticModel, FRAMEWORK_THRESHOLDS);
    const b = await runEvents(instance, options, frameworkAnalyticModel, FRAMEWORK_THRESHOLDS);
    expect(b).toEqual(a);
    const c = await runEvents(
      instance,
      { ...options, seed: 6 },
      frameworkAnalyticModel,
      FRAMEWORK_THRESHOLDS,
    );
    expect(c.totals).not.toEqual(a.totals);
    expect(a.seed).toBe(5);
  });

  it("a node's arrivals do not depend on the other nodes", async () => {
    // One random stream per node and function: dropping node_1's users leaves node_0's draws.
    const options: EventsOptionsInput = { strategy: 'all-local', functions: { figlet: { slots: 100 } } };
    const both = await runEvents(mesh(10), options, idle, FRAMEWORK_THRESHOLDS);
    const busier = mesh(10);
    (busier.nodes[1] as SimNode).load = node('node_1', [], [30]).load;
    const other = await runEvents(busier, options, idle, FRAMEWORK_THRESHOLDS);
    expect(other.nodes.node_0?.offered).toEqual(both.nodes.node_0?.offered);
  });

  it('reports progress up to the whole simulated time', async () => {
    const seen: number[] = [];
    await runEvents(pair(1), { strategy: 'all-local' }, idle, FRAMEWORK_THRESHOLDS, (p) =>
      seen.push(p.simulatedMs),
    );
    expect(seen.at(-1)).toBe(60_000);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
  });
});

describe('runEvents: options', () => {
  it('names the field of a bad option', async () => {
    const bad = async (options: EventsOptionsInput, field: RegExp) => {
      const error = await runEvents(pair(1), options, idle, FRAMEWORK_THRESHOLDS).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(field);
    };
    await bad({ linkLatencyMs: { 'node_0|node_7': 3 } }, /linkLatencyMs\.node_0\|node_7/);
    await bad({ functions: { nmap: { slots: 1 } } }, /functions\.nmap: no node deploys it/);
    await bad({ warmupMs: 60_000 }, /warmupMs/);
    await bad({ periodMs: 0 }, /periodMs/);
    await bad({ strategy: 'static', strategyParams: { static_local_share: 2 } }, /static_local_share/);
  });
});
