import type { PeerMessage } from '../../offload/messages.js';
import { NeighbourTable } from '../../offload/neighbours.js';
import { type FunctionRoute, LOCAL } from '../../offload/routing.js';
import {
  createStrategy,
  neighbourTtlMs,
  type StrategyName,
  type StrategyParams,
  type StrategyResult,
} from '../../offload/strategies/index.js';
import type { NodeState, StrategyInput } from '../../offload/strategies/types.js';
import { type DeployedFunction, deploymentOf, groupListOf, offeredAt } from '../instances/deployment.js';
import type { SimInstance } from '../instances/instance.js';
import {
  asForecaster,
  NODE_TYPE_CODE,
  type NodeModel,
  soloCapacities,
  type Thresholds,
} from '../model/node-model.js';
import { largestRemainder } from './apportion.js';
import type { ForwardingMatrix, RoundsInstant, RoundsRun } from './rounds-result.js';

/**
 * The `rounds` engine with dfaas's own strategies (src/offload, called unchanged, as the live agent
 * calls them): the simulation framework's model of time — one strategy round per instant, in a
 * steady state, nothing carried over but what the nodes last heard from each other — with every
 * request accounted for. (`--compat framework` runs the framework's own strategies instead:
 * ../compat/framework-round.ts.)
 *
 * Per instant t, every node runs its strategy `exchanges` times (default 2), as the live agent does
 * once a period: each pass sees what its linked neighbours published in the pass before (the first
 * pass of t what they published at t−1), so by the last pass a node knows its neighbours' load and
 * margin at t, which is what the framework's mocked exchange gives its strategies. The last pass's
 * routes decide where the instant's requests go, as the proxy contract (../../offload/routing.ts)
 * says, in steady state:
 * - a function without a route is served locally;
 * - the rate is shared by the route's weights (LOCAL and linked peers with a weight > 0); no weight
 *   at all: everything is refused (503);
 * - the local share above localLimit goes to the peers by their weights (none: refused, 503);
 * - a peer takes what it gets up to its limitsIn for the sender (429 beyond).
 * Requests are integers (the instance's rates are), apportioned by largest remainder so that each
 * node's row sums exactly to what its users offered: offered = kept + forwarded + refused.
 */

export interface RoundsOptions {
  strategy: StrategyName;
  params?: StrategyParams;
  model: NodeModel;
  thresholds: Thresholds;
  /** Strategy passes per instant (≥ 1; default 2: one to hear the neighbours, one to decide). */
  exchanges?: number;
  /** dfaas.maxrate of a function on a node (static, recalc); default: the highest rate of its group
   * alone that the model predicts the node's type to take (soloCapacity). */
  maxRate?: (nodeId: string, fn: DeployedFunction) => number | null;
  /** Called after each instant. */
  onInstant?: (t: number, instants: number) => void;
}

/** A node's routes, by function. */
type Routes = StrategyResult['functions'];

/** The nominal period between passes: only the neighbours' entries' ages depend on it. */
const PERIOD_MS = 1000;

interface SimAgent {
  id: string;
  index: number;
  /** Its deployment, with each function's maxRate (computed once). */
  functions: { name: string; maxRate: number | null }[];
  table: NeighbourTable;
  links: Set<string>;
  /** The agents linked to it (whose messages it hears), in index order. */
  heard: SimAgent[];
}

export async function runRounds(instance: SimInstance, options: RoundsOptions): Promise<RoundsRun> {
  const exchanges = options.exchanges ?? 2;
  if (!(Number.isInteger(exchanges) && exchanges >= 1))
    throw new RangeError('exchanges must be an integer ≥ 1');
  const strategy = createStrategy(options.strategy, options.params);
  const ttlMs = neighbourTtlMs(options.strategy, PERIOD_MS, options.params);
  const calls = { count: 0 };
  const forecaster = asForecaster(options.model, calls);
  const groups = groupListOf(instance);
  const maxRate = options.maxRate ?? defaultMaxRate(instance, options.model, options.thresholds);
  const agents: SimAgent[] = instance.nodes.map((node, index) => ({
    id: node.id,
    index,
    functions: deploymentOf(node).map((f) => ({ name: f.name, maxRate: maxRate(node.id, f) })),
    table: new NeighbourTable(node.id),
    links: new Set(node.neighbours),
    heard: [],
  }));
  const byId = new Map(agents.map((a) => [a.id, a]));
  const indexOf = new Map(agents.map((a) => [a.id, a.index]));
  // In index order of the senders, since the agents are: as the gossip loop below delivers.
  for (const agent of agents) {
    for (const to of agent.links) byId.get(to)?.heard.push(agent);
  }
  const instants: RoundsInstant[] = [];
  const T = instance.nodes[0]?.load.length ?? 0;

  for (let t = 0; t < T; t++) {
    // Of each node's result, only what is used is kept (the rest dies young, which the GC prefers):
    // the messages of the pass, for the gossip, and the routes of the last pass.
    const routes: Routes[] = [];
    const offered = instance.nodes.map((node) => offeredAt(node, t));
    // The node's state is the same in every pass of the instant.
    const selves: NodeState[] = agents.map((agent) => {
      const node = instance.nodes[agent.index] as (typeof instance.nodes)[number];
      return {
        id: agent.id,
        proxy: { host: agent.id, port: 1 },
        functions: agent.functions,
        userRates: recordOf(offered[agent.index] as Map<string, number>),
        nodeType: NODE_TYPE_CODE[node.type],
        thresholds: options.thresholds[node.type],
      };
    });
    for (let pass = 0; pass < exchanges; pass++) {
      const now = (t * exchanges + pass) * PERIOD_MS;
      const published: PeerMessage[][] = [];
      const last = pass === exchanges - 1;
      for (const agent of agents) {
        const node = instance.nodes[agent.index] as (typeof instance.nodes)[number];
        const input: StrategyInput = {
          now,
          self: selves[agent.index] as NodeState,
          neighbours: agent.table.live(now, ttlMs),
          connectedPeers: node.neighbours,
          forecaster,
          groups,
          // Only the last pass's routes are used: the others need their messages alone.
          publishOnly: !last,
        };
        const result = await strategy(input);
        published.push(result.messages);
        if (last) routes.push(result.functions);
      }
      // Gossip: what each node published reaches its linked neighbours before the next pass, the
      // senders in index order. Table by table (the same updates of each table in the same order as
      // sender by sender), which keeps each table in the cache while it is updated.
      const heardAt = now + 1;
      for (const agent of agents) {
        for (const sender of agent.heard) {
          for (const message of published[sender.index] as PeerMessage[])
            agent.table.update(sender.id, message, heardAt);
        }
      }
    }
    instants.push(routeInstant(offered, agents, indexOf, routes));
    options.onInstant?.(t, T);
  }
  return { strategy: options.strategy, compat: 'fixed', instants, modelCalls: calls.count };
}

function defaultMaxRate(
  instance: SimInstance,
  model: NodeModel,
  thresholds: Thresholds,
): (nodeId: string, fn: DeployedFunction) => number {
  const typeOf = new Map(instance.nodes.map((n) => [n.id, n.type]));
  const solo = soloCapacities(model, thresholds);
  return (nodeId, fn) => solo(typeOf.get(nodeId) ?? 'LIGHT', fn.group);
}

/** Where the instant's requests go, from the last pass's routes (see the file's comment). */
function routeInstant(
  offered: readonly Map<string, number>[],
  agents: SimAgent[],
  indexOf: ReadonlyMap<string, number>,
  routes: Routes[],
): RoundsInstant {
  const forwarding: Record<string, ForwardingMatrix> = {};
  const refused: Record<string, Record<string, number>> = {};
  const routeOf = (index: number, fn: string): FunctionRoute | undefined => (routes[index] as Routes)[fn];
  const refuse = (fn: string, node: string, n: number) => {
    if (n <= 0) return;
    const byNode = refused[fn] ?? {};
    refused[fn] = byNode;
    byNode[node] = (byNode[node] ?? 0) + n;
  };

  for (const agent of agents) {
    // forEach: a for-of over a Map allocates an entry per function.
    (offered[agent.index] as Map<string, number>).forEach((rate, fn) => {
      const row: Record<string, number> = {};
      const matrix = forwarding[fn] ?? {};
      forwarding[fn] = matrix;
      matrix[agent.id] = row;
      if (rate === 0) return;
      const route = routeOf(agent.index, fn);
      if (route === undefined) {
        row[agent.id] = rate;
        return;
      }
      const { keys, weights } = usableWeights(route, agent.links);
      if (keys.length === 0) {
        refuse(fn, agent.id, rate);
        return;
      }
      // One weight takes it all: what largestRemainder gives for an integer rate, without its arrays.
      const alone = keys.length === 1 && Number.isInteger(rate) && Number.isFinite(weights[0]);
      const shares = alone ? [rate] : largestRemainder(rate, weights);
      // The peers' shares, in the order of the route's keys.
      const peers: string[] = [];
      const peerWeights: number[] = [];
      const sent: number[] = [];
      let local = 0;
      keys.forEach((k, i) => {
        if (k === LOCAL) local = shares[i] as number;
        else {
          peers.push(k);
          peerWeights.push(weights[i] as number);
          sent.push(shares[i] as number);
        }
      });
      // The local share above localLimit goes to the peers, by their weights.
      const cap = route.localLimit === null ? Number.POSITIVE_INFINITY : Math.floor(route.localLimit);
      if (local > cap) {
        const excess = local - cap;
        local = cap;
        if (peers.length === 0) refuse(fn, agent.id, excess);
        else
          largestRemainder(excess, peerWeights).forEach((n, i) => {
            sent[i] = (sent[i] as number) + n;
          });
      }
      if (local > 0) row[agent.id] = local;
      // A peer takes up to the limit it set for us; the rest is refused (429).
      peers.forEach((peer, i) => {
        const n = sent[i] as number;
        if (n === 0) return;
        const peerIndex = indexOf.get(peer);
        const limit = peerIndex === undefined ? undefined : routeOf(peerIndex, fn)?.limitsIn[agent.id];
        const taken = limit === undefined ? n : Math.min(n, Math.floor(limit));
        if (taken > 0) row[peer] = taken;
        refuse(fn, agent.id, n - taken);
      });
    });
  }
  return { forwarding, refused };
}

/** Object.fromEntries of a Map, without the entries a for-of over it allocates. */
function recordOf(map: Map<string, number>): Record<string, number> {
  const record: Record<string, number> = {};
  map.forEach((value, key) => {
    record[key] = value;
  });
  return record;
}

/** The route's weights > 0 that can be used: LOCAL and the peers this node is linked to, in the
 * route's key order. */
function usableWeights(route: FunctionRoute, links: Set<string>): { keys: string[]; weights: number[] } {
  const keys: string[] = [];
  const weights: number[] = [];
  for (const key of Object.keys(route.weights)) {
    const w = route.weights[key] as number;
    if (w > 0 && (key === LOCAL || links.has(key))) {
      keys.push(key);
      weights.push(w);
    }
  }
  return { keys, weights };
}
