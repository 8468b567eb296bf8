import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../core/files.js';
import { runOpenLoop } from '../load/builtin/open-loop.js';
import { constantArrivals } from '../load/builtin/schedule.js';
import { SERVED_BY_HEADER } from '../offload/routing.js';
import type { StrategyName } from '../offload/strategies/index.js';
import { type ClusterNode, planCluster, startCluster } from './cluster.js';

/**
 * The offloading scenario of the tests, `perf/offload.ts` and the demo: three nodes on this
 * machine, one of them (node-1) getting more requests than its function can take while the
 * other two are idle. The function is the built-in `sleep` (400 ms) with max_inflight 4 on one
 * replica, so its real capacity is 10 requests/s on any machine (a little less with overheads),
 * and its dfaas.maxrate is 7, a safe rate below it. At 12 requests/s node-1 is overloaded for
 * real, and what the strategy does about it shows.
 */
export const OFFLOAD_FUNCTION = 'work';
export const OFFLOAD_STACK = {
  version: '1.0',
  provider: { name: 'openfaas' },
  functions: {
    [OFFLOAD_FUNCTION]: {
      lang: 'builtin',
      handler: 'sleep',
      environment: { max_inflight: '4' },
      labels: { 'dfaas.maxrate': '7', 'com.openfaas.scale.min': '1', 'com.openfaas.scale.max': '1' },
    },
  },
};
/**
 * The settings under which node-margin (and equal) act in this scenario: `work` in the HIGH_USAGE
 * group of `modelsDir`'s models and a CPU threshold of 20 % of a core. The committed models
 * (examples/forecast/models, trained on figlet, shasum, eat-memory and matmul) predict about 3 %
 * below 7.5 requests/s of HIGH_USAGE and 35 % above, so node-1 is predicted overloaded at 12/s.
 * The function's real limit is its concurrency, not CPU: this shows the strategy's mechanics, not
 * a forecast of `work`. The group list is written to `dir`.
 */
export const PREDICTING_GROUPS = { HIGH_USAGE: [OFFLOAD_FUNCTION], MEDIUM_USAGE: [], LOW_USAGE: [] };
export const PREDICTING_THRESHOLDS = { cpu_usage_node: 20 };

export function predictingAgent(dir: string, modelsDir: string): Record<string, unknown> {
  const groupList = join(dir, 'group_list.json');
  writeFileAtomic(groupList, JSON.stringify(PREDICTING_GROUPS));
  return { forecaster_models: modelsDir, group_list: groupList, thresholds: PREDICTING_THRESHOLDS };
}

/** The request body: how long each call sleeps, ms. */
const SLEEP_MS = '400';

/** Outcome of a bounded load against one node's proxy. */
export interface LoadOutcome {
  sent: number;
  ok: number;
  /** Responses by HTTP status ('error' for transport failures). */
  statuses: Record<string, number>;
  /** 2xx responses by the node that served them (its DFaaS-Served-By). */
  servedBy: Record<string, number>;
  /** Mean response time of those 2xx responses, ms, by the node that served them. */
  latencyMs: Record<string, number>;
}

/**
 * Sends `rate` requests/s to `url` for `durationMs` (open model, at most 200 in flight) and
 * tallies statuses and servers; only responses to arrivals after `warmupMs` are counted, so the
 * first periods (before the agents have measured a rate) do not blur the steady state.
 */
export async function loadAndTally(options: {
  url: string;
  rate: number;
  durationMs: number;
  warmupMs?: number;
  onResponse?: (status: number | 'error', servedBy: string | undefined, atMs: number) => void;
}): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { sent: 0, ok: 0, statuses: {}, servedBy: {}, latencyMs: {} };
  const latencySums: Record<string, number> = {};
  const dispatcher = new Agent({ connections: 256 });
  const start = performance.now();
  const tally = (status: number | 'error', servedBy: string | undefined, sentAt: number) => {
    options.onResponse?.(status, servedBy, sentAt - start);
    if (sentAt - start < (options.warmupMs ?? 0)) return;
    outcome.sent++;
    outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1;
    if (typeof status === 'number' && status < 300) {
      outcome.ok++;
      if (servedBy) {
        outcome.servedBy[servedBy] = (outcome.servedBy[servedBy] ?? 0) + 1;
        latencySums[servedBy] = (latencySums[servedBy] ?? 0) + (performance.now() - sentAt);
      }
    }
  };
  try {
    await runOpenLoop({
      schedule: constantArrivals(options.rate, 1000, options.durationMs),
      maxInflight: 200,
      startAt: start,
      send: async () => {
        const sentAt = performance.now();
        try {
          const res = await request(options.url, {
            method: 'POST',
            body: SLEEP_MS,
            dispatcher,
            headersTimeout: 30_000,
          });
          await res.body.dump();
          const servedBy = res.headers[SERVED_BY_HEADER.toLowerCase()];
          tally(res.statusCode, typeof servedBy === 'string' ? servedBy : undefined, sentAt);
          return res.statusCode;
        } catch (err) {
          tally('error', undefined, sentAt);
          throw err;
        }
      },
    });
  } finally {
    await dispatcher.close();
  }
  for (const [id, n] of Object.entries(outcome.servedBy)) outcome.latencyMs[id] = (latencySums[id] ?? 0) / n;
  return outcome;
}

export interface OffloadScenarioOptions {
  strategy: StrategyName;
  proxy: 'embedded' | 'haproxy';
  /** Requests/s sent to node-1 (default 12: above capacity; recalc keeps 7 and the peers offer 3.5 each). */
  rate?: number;
  durationMs?: number;
  periodMs?: number;
  dir: string;
  logLevel?: string;
  /** Extra `agent` settings of every node (e.g. node-margin's forecaster_models, group_list). */
  agent?: Record<string, unknown>;
}

export interface OffloadResult {
  strategy: string;
  proxy: string;
  rate: number;
  sent: number;
  successRate: number;
  /** Share of the successful requests that a peer served. */
  servedByPeers: number;
  /** Refusals by status: 429 (peer at its limit or replicas at max_inflight), 503 (no capacity), … */
  statuses: Record<string, number>;
  /** Mean response time of the requests node-1 served itself, ms (its function's service time
   * with the proxy's and the platform's overheads: what a simulation of the scenario needs). */
  localLatencyMs: number;
}

/** Starts the three nodes, waits until they see each other, loads node-1, stops them. */
export async function runOffloadScenario(options: OffloadScenarioOptions): Promise<OffloadResult> {
  const periodMs = options.periodMs ?? 1000;
  const rate = options.rate ?? 12;
  const dir = resolve(options.dir);
  const stack = join(dir, 'offload-stack.yml');
  writeFileAtomic(stack, stringify(OFFLOAD_STACK));
  const plan = await planCluster({
    nodes: 3,
    strategy: options.strategy,
    proxy: options.proxy,
    periodMs,
    stack,
    dir,
    ...(options.agent ? { agent: options.agent } : {}),
  });
  const cluster = await startCluster(plan, { logLevel: options.logLevel });
  try {
    const [first] = plan.nodes as [ClusterNode];
    const outcome = await loadAndTally({
      url: `${first.proxyUrl}/function/${OFFLOAD_FUNCTION}`,
      rate,
      durationMs: (options.durationMs ?? 12_000) + 3 * periodMs,
      warmupMs: 3 * periodMs,
    });
    const byPeers = Object.entries(outcome.servedBy)
      .filter(([id]) => id !== first.peerId)
      .reduce((sum, [, n]) => sum + n, 0);
    const statuses = Object.fromEntries(Object.entries(outcome.statuses).filter(([s]) => !s.startsWith('2')));
    return {
      strategy: options.strategy,
      proxy: options.proxy,
      rate,
      sent: outcome.sent,
      successRate: outcome.sent > 0 ? outcome.ok / outcome.sent : 0,
      servedByPeers: outcome.ok > 0 ? byPeers / outcome.ok : 0,
      statuses,
      localLatencyMs: outcome.latencyMs[first.peerId] ?? Number.NaN,
    };
  } finally {
    await cluster.stop();
  }
}
