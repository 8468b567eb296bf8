import type { Admission } from '../../../node/proxy/embedded/router.js';
import type { PeerMessage } from '../../../offload/messages.js';
import {
  createStrategy,
  needsForecaster,
  needsRtt,
  neighbourTtlMs,
} from '../../../offload/strategies/index.js';
import { deploymentOf, groupListOf, groupsOf, offeredAt } from '../../instances/deployment.js';
import type { FunctionGroup, NodeType, SimInstance } from '../../instances/instance.js';
import {
  asForecaster,
  NODE_TYPE_CODE,
  type NodeModel,
  soloCapacities,
  type Thresholds,
} from '../../model/node-model.js';
import { SimAgent, tokenOf } from './agent.js';
import { ArrivalStreams } from './arrivals.js';
import { EventHeap } from './heap.js';
import { byLatency, type LinkGroup, linkLatencies } from './links.js';
import { type EventsResult, FAILURE_REASONS, type FailureReason, Tally } from './result.js';
import { type EventsOptions, type EventsOptionsInput, parseEventsOptions } from './scenario.js';
import { BUSY, type StationSpec, Stations } from './stations.js';
import { streamOf } from './streams.js';

/**
 * The `events` engine: a discrete-event simulation of a DFaaS network on simulated time, which
 * runs the live agent's strategies (src/offload/strategies) and the live embedded proxy's
 * admission (its Router) unchanged.
 *
 * - Users: per node and function, requests at the rate of the instance's instant (Poisson or evenly
 *   spaced), each stream with its own random stream.
 * - Agents: every node runs its strategy every period (phases spread over the period, drawn per
 *   node), on the user rates of the last period and its neighbour table, and applies the result to
 *   its Router; the messages it publishes reach each linked node after the gossip delay plus the
 *   link's latency.
 * - Requests: a user's request goes through its node's Router: local → the node's function
 *   station; a peer → after the link's latency, that peer's Router as a request from a peer (its
 *   limits, never forwarded again); refused → failed. The answer goes back over the same link.
 * - Stations: slots and no queue, service times slowed by the node model (./stations.ts).
 *
 * The run is deterministic for a seed: events at the same time run in the order they were
 * scheduled, and the strategies are awaited one period at a time.
 */

export interface EventsProgress {
  simulatedMs: number;
  durationMs: number;
}

/**
 * Simulates `instance` with `options` (see ./scenario.ts; a ConfigError names a bad one), the node
 * model and the overload thresholds of each node type. `onProgress` is called every 1 % of the
 * simulated time and at the end.
 */
export async function runEvents(
  instance: SimInstance,
  options: EventsOptionsInput,
  model: NodeModel,
  thresholds: Thresholds,
  onProgress?: (progress: EventsProgress) => void,
): Promise<EventsResult> {
  const parsed = parseEventsOptions(options, instance);
  return new EventsEngine(instance, parsed, model, thresholds, onProgress).run();
}

/** Event kinds and their payload (a, b, c integers, x a time). */
const ARRIVAL = 0; // a: stream (node·functions + function)
const AT_PEER = 1; // a: origin node, b: peer, c: function, x: when the user sent it
const DONE = 2; // a: origin node, b: node that ran it, c: function, x: when the user sent it
const PERIOD = 3; // a: node
const GOSSIP = 4; // a: publisher, b: its link group, c: message batch

const REASON: Record<FailureReason, number> = Object.fromEntries(
  FAILURE_REASONS.map((r, i) => [r, i]),
) as Record<FailureReason, number>;

class EventsEngine {
  private readonly heap = new EventHeap();
  private readonly now = { ms: 0 };
  private readonly seed: number;
  private readonly ids: string[];
  private readonly tokens: string[];
  private readonly indexOf: Map<string, number>;
  private readonly fnNames: string[];
  private readonly functions: number;
  private readonly durationMs: number;
  /** One-way latency of each node's links, by the other node's index. */
  private readonly latencies: Map<number, number>[];
  /** Each node's linked nodes grouped by latency: a period's messages reach a group at once. */
  private readonly linkGroups: LinkGroup[][];
  private readonly arrivals: ArrivalStreams;
  private readonly stations: Stations;
  /** User arrivals by stream since the node's last period (what its agent averages). */
  private readonly userCounts: Float64Array;
  private readonly agents: SimAgent[];
  private readonly modelCalls = { count: 0 };
  private readonly tally: Tally;
  /** Messages published in one period, shared by their deliveries, and deliveries still due. */
  private readonly batches: (PeerMessage[] | undefined)[] = [];
  private readonly undelivered: number[] = [];
  private readonly freeBatches: number[] = [];

  constructor(
    instance: SimInstance,
    private readonly options: EventsOptions,
    model: NodeModel,
    thresholds: Thresholds,
    private readonly onProgress?: (progress: EventsProgress) => void,
  ) {
    const { nodes } = instance;
    this.seed = options.seed ?? instance.seed;
    this.ids = nodes.map((n) => n.id);
    this.tokens = this.ids.map(tokenOf);
    this.indexOf = new Map(this.ids.map((id, i) => [id, i]));
    const groupOf = groupsOf(instance);
    this.fnNames = [...groupOf.keys()];
    const F = this.fnNames.length;
    this.functions = F;
    const fnIndex = new Map(this.fnNames.map((name, f) => [name, f]));
    const instants = nodes[0]?.load.length ?? 0;
    const instantMs = options.instantSeconds * 1000;
    this.durationMs = instants * instantMs;

    const rates = new Float64Array(nodes.length * F * instants);
    const draws: (() => number)[] = [];
    nodes.forEach((node, n) => {
      for (let t = 0; t < instants; t++)
        for (const [name, rate] of offeredAt(node, t))
          rates[(n * F + (fnIndex.get(name) as number)) * instants + t] = rate;
      for (const name of this.fnNames) draws.push(streamOf(this.seed, 'arrivals', node.id, name));
    });
    this.arrivals = new ArrivalStreams(rates, instants, instantMs, options.arrivals, draws);
    this.userCounts = new Float64Array(nodes.length * F);

    const solo = soloCapacities(model, thresholds);
    const maxRate = (type: NodeType, fn: string, group: FunctionGroup) =>
      options.functions[fn]?.maxRate ?? solo(type, group);
    const specs: (StationSpec | undefined)[] = new Array(nodes.length * F);
    const deployed = nodes.map((node, n) =>
      deploymentOf(node).map((fn) => {
        const f = fnIndex.get(fn.name) as number;
        const rate = maxRate(node.type, fn.name, fn.group);
        const own = options.functions[fn.name];
        const serviceMs = own?.serviceMs ?? options.serviceMs;
        specs[n * F + f] = {
          slots: own?.slots ?? Math.ceil((rate * serviceMs) / 1000),
          serviceMs,
          service: own?.service ?? options.service,
          random: streamOf(this.seed, 'service', node.id, fn.name),
        };
        return { name: fn.name, maxRate: rate, counter: n * F + f };
      }),
    );
    this.stations = new Stations(
      specs,
      nodes.length,
      F,
      this.fnNames.map((name) => groupOf.get(name) as FunctionGroup),
      { coldStartMs: options.coldStartMs, idleTimeoutMs: options.idleTimeoutMs ?? Number.POSITIVE_INFINITY },
      (n, groupRates) => {
        const type = (nodes[n] as (typeof nodes)[number]).type;
        const cpu = model.predict(type, groupRates).cpu_usage_node;
        const max = thresholds[type].cpu_usage_node;
        return cpu !== undefined && max !== undefined && max > 0 ? cpu / max : 1;
      },
    );

    this.latencies = linkLatencies(instance, options.linkLatencyMs, options.defaultLinkLatencyMs);
    this.linkGroups = this.latencies.map(byLatency);

    const strategy = createStrategy(options.strategy, options.strategyParams);
    const ttlMs = neighbourTtlMs(options.strategy, options.periodMs, options.strategyParams);
    const withModel = needsForecaster(options.strategy, options.strategyParams);
    const withRtt = needsRtt(options.strategy, options.strategyParams);
    const forecaster = withModel ? asForecaster(model, this.modelCalls) : undefined;
    const groups = withModel ? groupListOf(instance) : undefined;
    const clock = () => this.now.ms;
    this.agents = nodes.map(
      (node, n) =>
        new SimAgent({
          id: node.id,
          functions: (deployed[n] ?? []).map(({ name, maxRate }) => ({ name, maxRate })),
          counters: (deployed[n] ?? []).map((d) => d.counter),
          userCounts: this.userCounts,
          nodeType: NODE_TYPE_CODE[node.type],
          thresholds: thresholds[node.type],
          linked: node.neighbours,
          strategy,
          neighbourTtlMs: ttlMs,
          forecaster,
          groups,
          // The RTT a ping would measure: the link both ways.
          rtts: withRtt
            ? new Map([...(this.latencies[n] ?? [])].map(([m, ms]) => [this.ids[m] as string, 2 * ms]))
            : undefined,
          clock,
        }),
    );

    const windowMs = (options.windowSeconds ?? options.instantSeconds) * 1000;
    const windows = Math.max(1, Math.ceil(this.durationMs / windowMs));
    this.tally = new Tally(this.ids, windows, windowMs, options.warmupMs);
  }

  async run(): Promise<EventsResult> {
    const { heap, options, durationMs } = this;
    for (let s = 0; s < this.userCounts.length; s++) {
      const first = this.arrivals.first(s);
      if (first < durationMs) heap.push(first, ARRIVAL, s, 0, 0, 0);
    }
    this.ids.forEach((id, n) => {
      const phase = options.periodMs * streamOf(this.seed, 'agent', id)();
      if (phase < durationMs) heap.push(phase, PERIOD, n, 0, 0, 0);
    });
    const progressStep = durationMs / 100;
    let nextProgress = progressStep;
    let events = 0;
    for (let e = heap.pop(); e >= 0; e = heap.pop()) {
      events++;
      const t = heap.time[e] as number;
      this.now.ms = t;
      const a = heap.a[e] as number;
      const b = heap.b[e] as number;
      const c = heap.c[e] as number;
      const x = heap.x[e] as number;
      switch (heap.kind[e]) {
        case ARRIVAL:
          this.arrive(a, t);
          break;
        case AT_PEER:
          this.atPeer(a, b, c, t, x);
          break;
        case DONE:
          this.done(a, b, c, t, x);
          break;
        case PERIOD:
          await this.period(a, t);
          break;
        case GOSSIP:
          this.deliver(a, b, c, t);
          break;
      }
      if (t >= nextProgress && this.onProgress) {
        this.onProgress({ simulatedMs: Math.min(t, durationMs), durationMs });
        nextProgress = t + progressStep;
      }
    }
    this.onProgress?.({ simulatedMs: durationMs, durationMs });
    return this.tally.result({ strategy: options.strategy, seed: this.seed, durationMs, events });
  }

  /** A user's request of stream s. */
  private arrive(s: number, t: number): void {
    const node = (s / this.functions) | 0;
    const f = s - node * this.functions;
    this.userCounts[s] = (this.userCounts[s] as number) + 1;
    this.tally.countOffered(node, t);
    const admission = (this.agents[node] as SimAgent).router.admit(this.fnNames[f] as string, undefined);
    if (admission.to === 'peer') {
      const peer = this.indexOf.get(admission.peerId) as number;
      this.heap.push(t + this.latency(node, peer), AT_PEER, node, peer, f, t);
    } else this.settle(admission, node, node, f, t, t);
    const next = this.arrivals.next(s, t);
    if (next < this.durationMs) this.heap.push(next, ARRIVAL, s, 0, 0, 0);
  }

  /** A request forwarded by `origin` reaches `peer`, which admits it as a peer's request. */
  private atPeer(origin: number, peer: number, f: number, t: number, t0: number): void {
    const admission = (this.agents[peer] as SimAgent).router.admit(
      this.fnNames[f] as string,
      this.ids[origin],
      this.tokens[origin],
    );
    // The proxy contract: a peer's request is served locally or refused, never forwarded again.
    if (admission.to === 'peer') throw new Error(`${this.ids[peer]} forwarded a peer's request`);
    this.settle(admission, origin, peer, f, t, t0);
  }

  /** Runs an admitted request on `node`'s station, or counts the refusal. */
  private settle(admission: Admission, origin: number, node: number, f: number, t: number, t0: number): void {
    if (admission.to === 'reject') {
      this.tally.countFailed(origin, REASON[admission.reason], t0);
      return;
    }
    const done = this.stations.start(node * this.functions + f, t);
    if (done >= 0) this.heap.push(done, DONE, origin, node, f, t0);
    else this.tally.countFailed(origin, done === BUSY ? REASON.busy : REASON.not_deployed, t0);
  }

  /** `server` finished a request of `origin`'s user; the answer travels back over their link. */
  private done(origin: number, server: number, f: number, t: number, t0: number): void {
    this.stations.finish(server * this.functions + f, t);
    const back = origin === server ? 0 : this.latency(server, origin);
    this.tally.countServed(origin, server, t0, t - t0 + back);
  }

  /** Node n's agent period: retune its stations (with slowdown), run its strategy, send its messages. */
  private async period(n: number, t: number): Promise<void> {
    if (this.options.slowdown) this.stations.retune(n, t);
    const before = this.modelCalls.count;
    const messages = await (this.agents[n] as SimAgent).period(t);
    this.tally.countRun(this.modelCalls.count - before);
    const groups = this.linkGroups[n] as LinkGroup[];
    if (messages.length > 0 && groups.length > 0) {
      const batch = this.freeBatches.pop() ?? this.batches.length;
      this.batches[batch] = messages;
      this.undelivered[batch] = groups.length;
      groups.forEach((group, g) => {
        this.heap.push(t + this.options.gossipDelayMs + group.latencyMs, GOSSIP, n, g, batch, 0);
      });
    }
    const next = t + this.options.periodMs;
    if (next < this.durationMs) this.heap.push(next, PERIOD, n, 0, 0, 0);
  }

  /** The nodes of one of `from`'s link groups receive the messages it published. */
  private deliver(from: number, group: number, batch: number, t: number): void {
    const id = this.ids[from] as string;
    const messages = this.batches[batch] ?? [];
    for (const to of (this.linkGroups[from] as LinkGroup[])[group]?.to ?? []) {
      const table = (this.agents[to] as SimAgent).neighbours;
      for (const message of messages) table.update(id, message, t);
    }
    const left = (this.undelivered[batch] as number) - 1;
    this.undelivered[batch] = left;
    if (left === 0) {
      this.batches[batch] = undefined;
      this.freeBatches.push(batch);
    }
  }

  private latency(from: number, to: number): number {
    const ms = this.latencies[from]?.get(to);
    // The Router only forwards to the peers of its table, which are linked nodes.
    if (ms === undefined) throw new Error(`no link between ${this.ids[from]} and ${this.ids[to]}`);
    return ms;
  }
}
