import { type Clock, systemClock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { GroupList } from '../../dataset/groups.js';
import type { NodeMetric } from '../../dataset/node-metrics.js';
import type { DropReason, PeerMessage } from '../../offload/messages.js';
import { NeighbourTable } from '../../offload/neighbours.js';
import type { FunctionRoute, PeerEndpoint, ProxyCounters, RoutingTable } from '../../offload/routing.js';
import type {
  DeployedFunction,
  Neighbour,
  NodeForecaster,
  Strategy,
} from '../../offload/strategies/types.js';
import { newToken, TokenBook, type TokenGrant } from '../peers/tokens.js';
import type { ProxyDriver } from '../proxy/contract.js';
import { type FunctionRates, ratesBetween } from './rates.js';

/** The part of the peer network the agent uses (PeerNetwork implements it). */
export interface AgentPeers {
  readonly peerId: string;
  connectedPeers(): string[];
  publish(message: PeerMessage): Promise<void>;
  rtt(peer: string): Promise<number | undefined>;
  onMessage(handler: (from: string, message: PeerMessage) => void): void;
  onPeerDisconnect(handler: (peer: string) => void): void;
  grantToken(peer: string, grant: TokenGrant): Promise<boolean>;
  onTokenGrant(handler: (from: string, grant: TokenGrant) => Promise<void>): void;
  readonly dropped: Record<DropReason, number>;
  readonly received: number;
}

export interface AgentOptions {
  /** The node's name (node_id), for logs and status. */
  name: string;
  /** Where this node's proxy is reachable by peers (published in messages). */
  proxyEndpoint: PeerEndpoint;
  strategyName: string;
  strategy: Strategy;
  periodMs: number;
  /** How long a silent neighbour stays in the table. */
  neighbourTtlMs: number;
  nodeType: number;
  thresholds: Partial<Record<NodeMetric, number>>;
  peers: AgentPeers;
  proxy: ProxyDriver;
  /** This node's deployed functions and their dfaas.maxrate. */
  listFunctions: () => Promise<DeployedFunction[]>;
  forecaster?: NodeForecaster;
  groups?: GroupList;
  /** Ping the neighbours every period (latency-aware needs their RTT). */
  measureRtt: boolean;
  logger: Logger;
  /** Receives every period's decision record (the JSON-lines decision log). */
  onDecision?: (record: DecisionRecord) => void;
  /**
   * Default: the system's. Its monotonic time drives rates, neighbour ages, the period and the
   * strategies' `now`, so that a step of the wall clock cannot distort a period's rates; its
   * wall-clock time is only for the timestamps shown to people.
   */
  clock?: Clock;
}

/** One line of the decision log. */
export interface DecisionRecord {
  time: string;
  node: string;
  peerId: string;
  strategy: string;
  period: number;
  /** Requests/s over the period just ended, by function. */
  rates: Record<string, FunctionRates>;
  routes: Record<string, FunctionRoute>;
  decisions: Record<string, unknown>;
  neighbours: string[];
}

export interface PeerStatus {
  id: string;
  endpoint: PeerEndpoint;
  functions: string[];
  connected: boolean;
  lastSeenMsAgo: number;
  rttMs?: number;
}

/** What `/agent/status` returns. */
export interface AgentStatus {
  name: string;
  peerId: string;
  strategy: string;
  periodMs: number;
  proxy: { kind: string; url: string };
  periods: number;
  lastPeriodAt: string | null;
  lastError: string | null;
  connectedPeers: string[];
  peers: PeerStatus[];
  functions: Record<
    string,
    { maxRate: number | null; rates: FunctionRates | null; route: FunctionRoute | null }
  >;
  messages: { received: number; dropped: Record<DropReason, number> };
}

/**
 * How many periods a peer's token stays good: it is replaced every period, and a request sent with
 * the previous one may still be on its way.
 */
const TOKEN_VALIDITY_PERIODS = 3;

/**
 * A DFaaS agent: every period it reads the proxy's counters, turns them into rates averaged over
 * the period, runs the offloading strategy on (its functions, rates, the live neighbour table),
 * applies the resulting routing table to the proxy and publishes the strategy's messages.
 */
export class Agent {
  private readonly neighbours: NeighbourTable;
  private readonly clock: Clock;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<void>;
  private previous?: { at: number; counters: ProxyCounters };
  private functions: DeployedFunction[] = [];
  private rates: Record<string, FunctionRates> = {};
  private routes: Record<string, FunctionRoute> = {};
  private live: Neighbour[] = [];
  private periods = 0;
  private lastPeriodAt: number | null = null;
  private lastError: string | null = null;
  private readonly tokens = new TokenBook();
  /** The routes and peers last given to the proxy (a token grant re-applies them with it). */
  private table: Omit<RoutingTable, 'tokens'> = { functions: {}, peers: {} };

  constructor(private readonly options: AgentOptions) {
    this.clock = options.clock ?? systemClock;
    this.neighbours = new NeighbourTable(options.peers.peerId);
    // A peer's new token is in force at this node's proxy before the peer hears it is accepted.
    options.peers.onTokenGrant(async (from, grant) => {
      this.tokens.receive(from, grant, this.clock.monotonic());
      await options.proxy.apply(this.tableWithTokens());
    });
    options.peers.onMessage((from, message) => {
      this.neighbours.update(from, message, this.clock.monotonic());
    });
    // A peer whose connection closed is forgotten at once rather than after its entry expires,
    // so the next period stops sending it requests; it comes back with its next message.
    options.peers.onPeerDisconnect((peer) => this.neighbours.remove(peer));
  }

  /** Runs a period now and then one every period (measured from the start of the previous one). */
  start(): void {
    const loop = async () => {
      const began = this.clock.monotonic();
      this.running = this.tick();
      await this.running;
      if (this.stopped) return;
      this.timer = setTimeout(loop, Math.max(0, this.options.periodMs - (this.clock.monotonic() - began)));
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One period. Never throws: a failing period is logged and the previous routes stay. */
  async tick(): Promise<void> {
    const { options } = this;
    try {
      const now = this.clock.monotonic();
      const counters = await options.proxy.counters();
      const seconds = this.previous ? (now - this.previous.at) / 1000 : 0;
      this.rates = seconds > 0 ? ratesBetween(this.previous?.counters, counters, seconds) : {};
      this.previous = { at: now, counters };
      const functions = await options.listFunctions();
      if (options.measureRtt) await this.measureRtts();
      const live = this.neighbours.live(now, options.neighbourTtlMs);
      // Every deployed function gets its own entry (0 without traffic), so a function named like
      // an Object.prototype member never reads the prototype.
      const userRates = Object.fromEntries(functions.map((f) => [f.name, this.rates[f.name]?.user ?? 0]));
      const result = await options.strategy({
        now,
        self: {
          id: options.peers.peerId,
          proxy: options.proxyEndpoint,
          functions,
          userRates,
          nodeType: options.nodeType,
          thresholds: options.thresholds,
        },
        neighbours: live,
        connectedPeers: options.peers.connectedPeers(),
        forecaster: options.forecaster,
        groups: options.groups,
      });
      await this.rotateToken(live.map((n) => n.id));
      // Applied before the offers go out, so a peer that takes one is already admitted; published
      // even when the proxy refuses the table, as a node that stops publishing expires from its
      // neighbours' tables and their requests to it become 403s.
      this.table = {
        functions: result.functions,
        peers: Object.fromEntries(live.map((n) => [n.id, n.endpoint])),
      };
      try {
        await options.proxy.apply(this.tableWithTokens());
      } finally {
        await Promise.all(result.messages.map((m) => options.peers.publish(m)));
      }
      // Status shows what is in force: only an applied table replaces the previous one.
      this.functions = functions;
      this.live = live;
      this.routes = result.functions;
      this.periods++;
      this.lastPeriodAt = this.clock.now();
      this.lastError = null;
      options.onDecision?.({
        time: new Date(this.lastPeriodAt).toISOString(),
        node: options.name,
        peerId: options.peers.peerId,
        strategy: options.strategyName,
        period: this.periods,
        rates: this.rates,
        routes: this.routes,
        decisions: result.decisions,
        neighbours: this.live.map((n) => n.id),
      });
    } catch (err) {
      this.lastError = (err as Error).message;
      options.logger.error('agent period failed; the previous routes stay', { error: this.lastError });
    }
  }

  status(): AgentStatus {
    const { options } = this;
    const now = this.clock.monotonic();
    const connected = new Set(options.peers.connectedPeers());
    const functions: AgentStatus['functions'] = {};
    for (const f of this.functions) {
      functions[f.name] = {
        maxRate: f.maxRate,
        rates: this.rates[f.name] ?? null,
        route: this.routes[f.name] ?? null,
      };
    }
    return {
      name: options.name,
      peerId: options.peers.peerId,
      strategy: options.strategyName,
      periodMs: options.periodMs,
      proxy: { kind: options.proxy.kind, url: options.proxy.url },
      periods: this.periods,
      lastPeriodAt: this.lastPeriodAt === null ? null : new Date(this.lastPeriodAt).toISOString(),
      lastError: this.lastError,
      connectedPeers: [...connected],
      peers: this.live.map((n) => ({
        id: n.id,
        endpoint: n.endpoint,
        functions: n.functions,
        connected: connected.has(n.id),
        lastSeenMsAgo: now - n.lastSeen,
        ...(n.rttMs !== undefined ? { rttMs: n.rttMs } : {}),
      })),
      functions,
      messages: { received: options.peers.received, dropped: { ...options.peers.dropped } },
    };
  }

  /**
   * Gives every connected neighbour (the peers this node may forward to) a fresh token and
   * presents it from now on. A neighbour that did not acknowledge it (gone, or a reference agent
   * that does not speak the protocol) refuses this node's forwarded requests until a later grant
   * reaches it: that is logged. Other connected peers get no token: they have no use for it.
   */
  private async rotateToken(neighbours: string[]): Promise<void> {
    const { peers, periodMs, logger } = this.options;
    const grant = { token: newToken(), validForMs: TOKEN_VALIDITY_PERIODS * periodMs };
    const connected = new Set(peers.connectedPeers());
    const targets = neighbours.filter((id) => connected.has(id));
    const acknowledged = await Promise.all(targets.map((peer) => peers.grantToken(peer, grant)));
    const missed = targets.filter((_, i) => !acknowledged[i]);
    if (missed.length > 0) logger.warn('peers did not take this node’s new token', { peers: missed });
    this.tokens.present(grant.token);
  }

  /** The last routes and peers with the tokens in force now (sampled when it is applied). */
  private tableWithTokens(): RoutingTable {
    return { ...this.table, tokens: this.tokens.tokens(this.clock.monotonic()) };
  }

  private async measureRtts(): Promise<void> {
    const peers = this.options.peers.connectedPeers();
    const rtts = await Promise.all(peers.map((p) => this.options.peers.rtt(p)));
    peers.forEach((p, i) => {
      const rtt = rtts[i];
      if (rtt !== undefined) this.neighbours.setRtt(p, rtt);
    });
  }
}
