import type { z } from 'zod';
import type { GroupList } from '../../dataset/groups.js';
import type { NodeMetric } from '../../dataset/node-metrics.js';
import type { GroupsLoad, PeerMessage } from '../messages.js';
import type { FunctionRoute, PeerEndpoint } from '../routing.js';

/**
 * The input and output of an offloading strategy, and the definition each strategy file exports.
 * A strategy is a pure function of its input (time is `now`, the forecaster is injected): the live
 * agent and the simulator call the same code.
 */

/** A function deployed on this node. */
export interface DeployedFunction {
  name: string;
  /** The OpenFaaS label dfaas.maxrate, in requests/s; null when the function has none. */
  maxRate: number | null;
}

export interface NodeState {
  /** This node's peer id. */
  id: string;
  /** Where this node's proxy listens (published as HAProxyHost / HAProxyPort). */
  proxy: PeerEndpoint;
  functions: DeployedFunction[];
  /** Requests/s from users, by function, averaged over the whole last period. */
  userRates: Record<string, number>;
  /** 0 heavy, 1 mid, 2 light (the forecaster's node_type). */
  nodeType: number;
  /** Overload thresholds of the predicted node metrics (node-margin's MaxValues). */
  thresholds: Partial<Record<NodeMetric, number>>;
}

/** What this node knows about one neighbour, merged from its latest messages (see neighbours.ts). */
export interface Neighbour {
  id: string;
  endpoint: PeerEndpoint;
  /** Time of its last message, ms since the epoch. */
  lastSeen: number;
  /** Functions it deploys: Functions of nodeinfoStatic/nodeinfoNMS, or the keys of its
   * nodeinfoRecalc FuncLimits for us. */
  functions: string[];
  /** recalc: the requests/s it lets us send it, by function (its FuncLimits[our id]). */
  limitsOut: Record<string, number>;
  /** node-margin: from nodeinfoNMS. */
  nodeType?: number;
  maxValues?: Partial<Record<NodeMetric, number>>;
  /** node-margin: from nodemargininfoNMS (percentage points of its capacity offered to us). */
  margin?: number;
  load?: GroupsLoad;
  /** Round-trip time to it measured by the peer layer's ping, ms. */
  rttMs?: number;
}

/** Predicts a node's usage from the requests/s of the three function groups. */
export interface NodeForecaster {
  predict(nodeType: number, load: GroupsLoad): Promise<Partial<Record<NodeMetric, number>>>;
}

export interface StrategyInput {
  /** ms since the epoch. */
  now: number;
  self: NodeState;
  /** Neighbours whose entries have not expired. */
  neighbours: Neighbour[];
  /** Peer ids connected on the p2p network now, whether they sent us anything yet or not. */
  connectedPeers: string[];
  /** Needed by node-margin (and latency-aware over node-margin). */
  forecaster?: NodeForecaster;
  groups?: GroupList;
  /**
   * Set by the simulator's exchange passes, which use the messages alone: a strategy may then skip
   * the work that only its routes need (the margin strategies' offloading loop), as long as its
   * messages are the same. The live agent never sets it.
   */
  publishOnly?: boolean;
}

export interface StrategyResult {
  /** The route of every deployed function (see ../routing.ts). */
  functions: Record<string, FunctionRoute>;
  /** Messages to publish on the topic this period. */
  messages: PeerMessage[];
  /** What was decided and why, for the agent's JSON-lines decision log (e.g. overloaded functions). */
  decisions: Record<string, unknown>;
}

export type Strategy = (input: StrategyInput) => Promise<StrategyResult>;

/** The parameters of a strategy, as its schema outputs them (defaults filled in). */
export type ParamsOf<Shape extends z.ZodRawShape> = z.output<z.ZodObject<Shape>>;

/**
 * One offloading strategy, as the registry (./index.ts) lists it: what the node config, the CLI's
 * help, the live agent and the simulator need to know about it. The parameter names are the node
 * configuration's `agent` fields (snake case, as the reference names them), unique across the
 * strategies, so the configuration composes its schema from the definitions' parameters.
 */
export interface StrategyDefinition<
  Name extends string = string,
  Shape extends z.ZodRawShape = z.ZodRawShape,
> {
  readonly name: Name;
  /** One line for --help and the docs. */
  readonly description: string;
  /** The strategy's parameters, each with its default. */
  readonly params: z.ZodObject<Shape>;
  /** The strategy with these parameters (validated by `params`). Pure: no clock, no I/O. */
  create(params: ParamsOf<Shape>): Strategy;
  /** How many periods a neighbour's entry lives without a message. */
  neighbourTtlFactor(params: ParamsOf<Shape>): number;
  /** Whether the strategy calls input.forecaster (and needs input.groups). */
  needsForecaster(params: ParamsOf<Shape>): boolean;
  /** Whether the strategy reads the neighbours' rttMs (the agent then pings them every period). */
  needsRtt(params: ParamsOf<Shape>): boolean;
}

/** Types a definition, keeping its literal name and its parameters' shape. */
export function defineStrategy<const Name extends string, Shape extends z.ZodRawShape>(
  definition: StrategyDefinition<Name, Shape>,
): StrategyDefinition<Name, Shape> {
  return definition;
}
