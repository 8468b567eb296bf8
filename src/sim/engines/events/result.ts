import { build, type Histogram } from 'hdr-histogram-js';
import type { StrategyName } from '../../../offload/strategies/index.js';

/**
 * What an `events` run reports: aggregates only (a run of millions of requests keeps no record per
 * request). Every counted request ends served or failed: offered = servedLocally + servedByPeers +
 * Σ failed, in the totals and in each node's windows. A request is counted, and put in a window,
 * by the time its user sent it.
 */

/**
 * Why a user's request failed:
 * - no_capacity: its node's proxy had nowhere to send it (503);
 * - peer_limit: the peer it was forwarded to was at the limit it set for the node (429);
 * - unknown_peer: the peer it was forwarded to did not (yet, or any more) know the node (403);
 * - busy: every slot of the function was busy on the node that was to run it (429, max_inflight);
 * - not_deployed: it was forwarded to a node without the function (404).
 */
export const FAILURE_REASONS = ['no_capacity', 'peer_limit', 'unknown_peer', 'busy', 'not_deployed'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export interface EventsTotals {
  offered: number;
  /** Served by the platform of the user's node. */
  servedLocally: number;
  /** Served by a peer's platform. */
  servedByPeers: number;
  failed: Record<FailureReason, number>;
}

/** Response times of the served requests: from the user's request to the answer back at its node,
 * links both ways included. All 0 when nothing was served. */
export interface LatencySummary {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

/** One node's counts per window (index w covers [w·windowMs, (w+1)·windowMs)). */
export interface NodeWindows {
  /** Requests its users sent. */
  offered: number[];
  /** Of those, served (here or by a peer). */
  served: number[];
  /** Of those, served by a peer. */
  forwarded: number[];
  /** Of those, failed. */
  failed: number[];
  /** Requests of peers' users its platform served (its load besides its own users'). */
  servedForPeers: number[];
}

export interface EventsResult {
  strategy: StrategyName;
  seed: number;
  /** Simulated time: instants × instant length, ms. */
  durationMs: number;
  warmupMs: number;
  windowMs: number;
  totals: EventsTotals;
  /** Served / offered (1 when nothing was offered). */
  successRate: number;
  /** Served by peers / served (0 when nothing was served). */
  forwardedShare: number;
  latency: LatencySummary;
  /** By node id. */
  nodes: Record<string, NodeWindows>;
  /** The strategy runs (every node, every period) and the node-model calls they made. */
  agent: { runs: number; modelCalls: number; maxModelCallsPerRun: number };
  /** Events processed: arrivals, hops, completions, agent periods, message deliveries. */
  events: number;
}

/** Latencies are recorded in µs: hdr histograms count integers. */
const US_PER_MS = 1000;

/** The running counts of a run: `count*` calls on the hot path, `result` at the end. */
export class Tally {
  private offered = 0;
  private servedLocally = 0;
  private servedByPeers = 0;
  private readonly failedBy = new Float64Array(FAILURE_REASONS.length);
  private readonly latency: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  private latencySumMs = 0;
  private latencyMaxMs = 0;
  /** By node·windows + window. */
  private readonly offeredIn: Float64Array;
  private readonly servedIn: Float64Array;
  private readonly forwardedIn: Float64Array;
  private readonly failedIn: Float64Array;
  private readonly forPeersIn: Float64Array;
  private runs = 0;
  private modelCalls = 0;
  private maxModelCallsPerRun = 0;

  constructor(
    private readonly nodeIds: readonly string[],
    private readonly windows: number,
    private readonly windowMs: number,
    private readonly warmupMs: number,
  ) {
    const cells = nodeIds.length * windows;
    this.offeredIn = new Float64Array(cells);
    this.servedIn = new Float64Array(cells);
    this.forwardedIn = new Float64Array(cells);
    this.failedIn = new Float64Array(cells);
    this.forPeersIn = new Float64Array(cells);
  }

  /** A user of `node` sent a request at t0. */
  countOffered(node: number, t0: number): void {
    if (t0 < this.warmupMs) return;
    this.offered++;
    const cell = this.cell(node, t0);
    this.offeredIn[cell] = (this.offeredIn[cell] as number) + 1;
  }

  /** The request a user of `origin` sent at t0 was served by `server`, its answer back after latencyMs. */
  countServed(origin: number, server: number, t0: number, latencyMs: number): void {
    if (t0 < this.warmupMs) return;
    const cell = this.cell(origin, t0);
    this.servedIn[cell] = (this.servedIn[cell] as number) + 1;
    if (server === origin) this.servedLocally++;
    else {
      this.servedByPeers++;
      this.forwardedIn[cell] = (this.forwardedIn[cell] as number) + 1;
      const at = this.cell(server, t0);
      this.forPeersIn[at] = (this.forPeersIn[at] as number) + 1;
    }
    this.latency.recordValue(Math.max(1, Math.round(latencyMs * US_PER_MS)));
    this.latencySumMs += latencyMs;
    if (latencyMs > this.latencyMaxMs) this.latencyMaxMs = latencyMs;
  }

  /** The request a user of `origin` sent at t0 failed; `reason` indexes FAILURE_REASONS. */
  countFailed(origin: number, reason: number, t0: number): void {
    if (t0 < this.warmupMs) return;
    this.failedBy[reason] = (this.failedBy[reason] as number) + 1;
    const cell = this.cell(origin, t0);
    this.failedIn[cell] = (this.failedIn[cell] as number) + 1;
  }

  /** A strategy run that made `calls` node-model calls. */
  countRun(calls: number): void {
    this.runs++;
    this.modelCalls += calls;
    if (calls > this.maxModelCallsPerRun) this.maxModelCallsPerRun = calls;
  }

  result(meta: { strategy: StrategyName; seed: number; durationMs: number; events: number }): EventsResult {
    const offered = this.offered;
    const served = this.servedLocally + this.servedByPeers;
    const failed = Object.fromEntries(
      FAILURE_REASONS.map((r, i) => [r, this.failedBy[i] as number]),
    ) as Record<FailureReason, number>;
    const percentile = (p: number) => (served === 0 ? 0 : this.latency.getValueAtPercentile(p) / US_PER_MS);
    const nodes: Record<string, NodeWindows> = {};
    this.nodeIds.forEach((id, node) => {
      const row = (cells: Float64Array) =>
        Array.from(cells.subarray(node * this.windows, (node + 1) * this.windows));
      nodes[id] = {
        offered: row(this.offeredIn),
        served: row(this.servedIn),
        forwarded: row(this.forwardedIn),
        failed: row(this.failedIn),
        servedForPeers: row(this.forPeersIn),
      };
    });
    return {
      strategy: meta.strategy,
      seed: meta.seed,
      durationMs: meta.durationMs,
      warmupMs: this.warmupMs,
      windowMs: this.windowMs,
      totals: { offered, servedLocally: this.servedLocally, servedByPeers: this.servedByPeers, failed },
      successRate: offered === 0 ? 1 : served / offered,
      forwardedShare: served === 0 ? 0 : this.servedByPeers / served,
      latency: {
        p50Ms: percentile(50),
        p90Ms: percentile(90),
        p99Ms: percentile(99),
        meanMs: served === 0 ? 0 : this.latencySumMs / served,
        maxMs: this.latencyMaxMs,
      },
      nodes,
      agent: { runs: this.runs, modelCalls: this.modelCalls, maxModelCallsPerRun: this.maxModelCallsPerRun },
      events: meta.events,
    };
  }

  private cell(node: number, t0: number): number {
    return node * this.windows + Math.min(this.windows - 1, Math.floor(t0 / this.windowMs));
  }
}
