import type { GroupList } from '../../../dataset/groups.js';
import type { NodeMetric } from '../../../dataset/node-metrics.js';
import { Router } from '../../../node/proxy/embedded/router.js';
import type { PeerMessage } from '../../../offload/messages.js';
import { NeighbourTable } from '../../../offload/neighbours.js';
import type { FunctionRoute, PeerEndpoint } from '../../../offload/routing.js';
import type {
  DeployedFunction,
  Neighbour,
  NodeForecaster,
  Strategy,
} from '../../../offload/strategies/types.js';

/**
 * A simulated node's agent and proxy: what the live agent (src/node/agent/agent.ts) does each
 * period, on simulated time — user rates averaged over the period, the strategy run on its own
 * neighbour table, the result applied to the embedded proxy's Router (the live proxy's admission
 * code), and the strategy's messages returned for the engine to deliver to the linked neighbours.
 *
 * What the simulation leaves out: the peer tokens are not rotated (each node presents one fixed
 * token, and its table accepts the tokens of the neighbours it knows, which is what the rotation
 * amounts to between honest nodes), and peers never disconnect, so no request is redispatched.
 */

export interface SimAgentOptions {
  id: string;
  functions: DeployedFunction[];
  /** Where each function's user arrivals are counted in `userCounts` (same order as `functions`). */
  counters: readonly number[];
  /** Shared with the engine, which counts the user arrivals; the agent resets its own each period. */
  userCounts: Float64Array;
  nodeType: number;
  thresholds: Partial<Record<NodeMetric, number>>;
  /** Ids of the linked nodes: its connected peers. */
  linked: string[];
  strategy: Strategy;
  neighbourTtlMs: number;
  forecaster?: NodeForecaster;
  groups?: GroupList;
  /** RTT to each linked node, given to the table when the strategy reads RTTs (latency-aware). */
  rtts?: ReadonlyMap<string, number>;
  /** Simulated time, ms. */
  clock: () => number;
}

/** The token a simulated node presents with the requests it forwards: its id will do, as no
 * simulated node claims another's. */
export function tokenOf(id: string): string {
  return id;
}

export class SimAgent {
  readonly router: Router;
  /** Fed by the engine with the messages of the linked nodes. */
  readonly neighbours: NeighbourTable;
  private lastPeriodAt: number | undefined;
  /** The routes and peers last applied to the router. */
  private applied: { functions: Record<string, FunctionRoute>; peers: string[] } | undefined;
  /** Where its proxy "listens" (published in its messages). */
  private readonly endpoint: PeerEndpoint;

  constructor(private readonly options: SimAgentOptions) {
    this.endpoint = { host: options.id, port: 80 };
    this.router = new Router(options.clock);
    this.neighbours = new NeighbourTable(options.id);
    for (const [peer, rtt] of options.rtts ?? []) this.neighbours.setRtt(peer, rtt);
  }

  /** One period at `now`, as Agent.tick: returns the messages to publish. */
  async period(now: number): Promise<PeerMessage[]> {
    const o = this.options;
    // The first period has no previous one to average over: rates 0, as the live agent's.
    const seconds = this.lastPeriodAt === undefined ? 0 : (now - this.lastPeriodAt) / 1000;
    this.lastPeriodAt = now;
    const userRates: Record<string, number> = {};
    for (let i = 0; i < o.functions.length; i++) {
      const counter = o.counters[i] as number;
      userRates[(o.functions[i] as DeployedFunction).name] =
        seconds > 0 ? (o.userCounts[counter] as number) / seconds : 0;
      o.userCounts[counter] = 0;
    }
    const live = this.neighbours.live(now, o.neighbourTtlMs);
    const result = await o.strategy({
      now,
      self: {
        id: o.id,
        proxy: this.endpoint,
        functions: o.functions,
        userRates,
        nodeType: o.nodeType,
        thresholds: o.thresholds,
      },
      neighbours: live,
      connectedPeers: o.linked,
      forecaster: o.forecaster,
      groups: o.groups,
    });
    this.apply(result.functions, live);
    return result.messages;
  }

  /**
   * Gives the router the routes, with the live neighbours as its peers. Router.apply changes
   * nothing for an equal table (it says so) and is a large part of a period's cost: an equal table is
   * not applied again.
   */
  private apply(functions: Record<string, FunctionRoute>, live: Neighbour[]): void {
    const ids = live.map((n) => n.id);
    const last = this.applied;
    if (last && sameIds(last.peers, ids) && sameRoutes(last.functions, functions)) return;
    const peers: Record<string, PeerEndpoint> = {};
    const tokens: Record<string, string[]> = {};
    for (const n of live) {
      peers[n.id] = n.endpoint;
      tokens[n.id] = [tokenOf(n.id)];
    }
    this.router.apply({ functions, peers, tokens: { own: tokenOf(this.options.id), peers: tokens } });
    this.applied = { functions, peers: ids };
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function sameRoutes(a: Record<string, FunctionRoute>, b: Record<string, FunctionRoute>): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  for (const name of names) {
    const p = a[name] as FunctionRoute;
    const q = b[name];
    if (
      !(
        q &&
        p.localLimit === q.localLimit &&
        sameNumbers(p.weights, q.weights) &&
        sameNumbers(p.limitsIn, q.limitsIn)
      )
    )
      return false;
  }
  return true;
}

function sameNumbers(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || a[key] !== b[key]) return false;
  return true;
}
