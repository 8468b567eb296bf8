import type { FunctionGroup } from '../../instances/instance.js';
import { type GroupRates, zeroRates } from '../../model/node-model.js';
import { exponential } from './streams.js';

export const SERVICE_DISTRIBUTIONS = ['exponential', 'deterministic'] as const;
export type ServiceDistribution = (typeof SERVICE_DISTRIBUTIONS)[number];

/** One function deployed on one node. */
export interface StationSpec {
  /** Executions at once (OpenFaaS's max_inflight), ≥ 0. */
  slots: number;
  /** Mean service time (the time itself when deterministic), before the node's slow-down. */
  serviceMs: number;
  service: ServiceDistribution;
  /** Its service times' random stream. */
  random: () => number;
}

export interface ColdStartOptions {
  /** Added before the first request of a function on a node, and after each idle timeout. */
  coldStartMs: number;
  /** A function without requests for this long is cold again (Infinity: never). */
  idleTimeoutMs: number;
}

/** What `start` returns instead of a completion time. */
export const BUSY = -1;
export const NOT_DEPLOYED = -2;

/**
 * The function stations, one per node and function (index node·functions + function): `slots`
 * executions at once and no queue, so a request that finds every slot busy fails with 429 as with
 * OpenFaaS's max_inflight. A service time is the function's (exponential or fixed) times its node's
 * slow-down, max(1, predicted cpu / cpu threshold) at what the node ran over its last agent period
 * (`retune`): the node model's capacity. A cold function starts its container first: requests
 * arriving before it is ready wait for it, holding their slots.
 */
export class Stations {
  /** -1 where the node does not deploy the function. */
  private readonly slots: Int32Array;
  private readonly busy: Int32Array;
  private readonly serviceMs: Float64Array;
  private readonly deterministic: Uint8Array;
  private readonly random: Array<(() => number) | undefined>;
  /** When the container started by the last cold start is ready. */
  private readonly readyAt: Float64Array;
  /** Last start or finish; -Infinity before the first request (cold). */
  private readonly lastActive: Float64Array;
  /** Requests started since the node's last retune. */
  private readonly started: Float64Array;
  /** Service-time multiplier of each node, ≥ 1. */
  private readonly slowdown: Float64Array;
  private readonly lastRetune: Float64Array;

  /**
   * @param specs by station (node·functions + function); undefined where it is not deployed
   * @param groups the group of each function
   * @param cpuRatio predicted cpu / cpu threshold of a node offered these group rates
   */
  constructor(
    specs: ReadonlyArray<StationSpec | undefined>,
    nodes: number,
    private readonly functions: number,
    private readonly groups: readonly FunctionGroup[],
    private readonly cold: ColdStartOptions,
    private readonly cpuRatio: (node: number, rates: GroupRates) => number,
  ) {
    const n = specs.length;
    this.slots = new Int32Array(n).fill(-1);
    this.busy = new Int32Array(n);
    this.serviceMs = new Float64Array(n);
    this.deterministic = new Uint8Array(n);
    this.random = specs.map((spec) => spec?.random);
    this.readyAt = new Float64Array(n);
    this.lastActive = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.started = new Float64Array(n);
    specs.forEach((spec, s) => {
      if (spec === undefined) return;
      this.slots[s] = spec.slots;
      this.serviceMs[s] = spec.serviceMs;
      this.deterministic[s] = spec.service === 'deterministic' ? 1 : 0;
    });
    this.slowdown = new Float64Array(nodes).fill(1);
    this.lastRetune = new Float64Array(nodes);
  }

  /** Starts a request at station s at time t: its completion time, or BUSY or NOT_DEPLOYED. */
  start(s: number, t: number): number {
    const slots = this.slots[s] as number;
    if (slots < 0) return NOT_DEPLOYED;
    if ((this.busy[s] as number) >= slots) return BUSY;
    let begin = t;
    const { coldStartMs, idleTimeoutMs } = this.cold;
    if (coldStartMs > 0) {
      const last = this.lastActive[s] as number;
      const cold = last === Number.NEGATIVE_INFINITY || (this.busy[s] === 0 && t - last > idleTimeoutMs);
      if (cold) this.readyAt[s] = t + coldStartMs;
      begin = Math.max(t, this.readyAt[s] as number);
    }
    this.busy[s] = (this.busy[s] as number) + 1;
    this.started[s] = (this.started[s] as number) + 1;
    this.lastActive[s] = t;
    const mean = (this.serviceMs[s] as number) * (this.slowdown[(s / this.functions) | 0] as number);
    return begin + (this.deterministic[s] === 1 ? mean : mean * exponential(this.random[s] as () => number));
  }

  /** A request of station s completed at time t. */
  finish(s: number, t: number): void {
    this.busy[s] = (this.busy[s] as number) - 1;
    this.lastActive[s] = t;
  }

  /** Sets the node's slow-down from the rates it ran since its last retune. */
  retune(node: number, now: number): void {
    const seconds = (now - (this.lastRetune[node] as number)) / 1000;
    if (!(seconds > 0)) return;
    this.lastRetune[node] = now;
    const rates = zeroRates();
    for (let f = 0; f < this.functions; f++) {
      const s = node * this.functions + f;
      rates[this.groups[f] as FunctionGroup] += (this.started[s] as number) / seconds;
      this.started[s] = 0;
    }
    this.slowdown[node] = Math.max(1, this.cpuRatio(node, rates));
  }
}
