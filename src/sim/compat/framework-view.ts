import type { FunctionGroup, InstantLoad, NodeType, SimInstance, SimNode } from '../instances/instance.js';
import {
  type GroupRates,
  type NodeModel,
  type NodeUsage,
  type Thresholds,
  zeroRates,
} from '../model/node-model.js';
import { pyRound } from '../python-round.js';

/**
 * What the simulation framework's strategies see of the network at one instant (its
 * `minute_config`): every node's type, neighbours and offered load, and every node's usage
 * predicted from that offered load alone (its `node_metrics`; load forwarded to a node is not in
 * it). The exchange of margins is mocked there too: a strategy reads its neighbours' data directly.
 */

/** A counter of node-model predictions (asForecaster's `calls`), for the perf figure. */
export interface ModelCalls {
  count: number;
}

/** One function a node offers at the instant, with the group the instance lists it under. */
export interface OfferedFunction {
  name: string;
  group: FunctionGroup;
  /** Requests/s (an integer). */
  rate: number;
}

/**
 * A framework strategy's answer for one node: by function (the node's), by node (its neighbours
 * in adjacency order, then itself), the share of the node's offered rate of the function sent
 * there, rounded to 4 decimals as the framework does. Base alone gives only the node itself.
 */
export type FrameworkWeights = Record<string, Record<string, number>>;

export interface FrameworkView {
  readonly instance: SimInstance;
  readonly t: number;
  readonly thresholds: Thresholds;
  node(id: string): SimNode;
  /** The node's index in the instance (its config order, which NodeMargin walks). */
  index(id: string): number;
  /** The node's functions at the instant, in the instance's order (groups, then functions). */
  functions(id: string): readonly OfferedFunction[];
  /** The node's offered group totals, the instance's total_rate (0 for a group it does not run):
   * a fresh object the caller may change. */
  totals(id: string): GroupRates;
  /** Whether the node offers the function at the instant. */
  offers(id: string, fn: string): boolean;
  /** The node's usage predicted from its offered load, predicted once (counted) and kept. */
  usage(id: string): NodeUsage;
  /** A counted prediction of the model. */
  predict(type: NodeType, rates: GroupRates): NodeUsage;
}

/** The view of `instance` at instant t; the model's predictions are counted in `calls`. */
export function frameworkView(
  instance: SimInstance,
  t: number,
  model: NodeModel,
  thresholds: Thresholds,
  calls: ModelCalls = { count: 0 },
): FrameworkView {
  const byId = new Map(instance.nodes.map((n) => [n.id, n]));
  const indexes = new Map(instance.nodes.map((n, i) => [n.id, i]));
  const functions = new Map<string, OfferedFunction[]>();
  const names = new Map<string, Set<string>>();
  const usages = new Map<string, NodeUsage>();

  const known = <T>(map: Map<string, T>, id: string): T => {
    const found = map.get(id);
    if (found === undefined) throw new RangeError(`${id} is no node of the instance`);
    return found;
  };
  const node = (id: string): SimNode => known(byId, id);
  const loadOf = (id: string): InstantLoad => {
    const load = node(id).load[t];
    if (load === undefined) throw new RangeError(`instant ${t} is beyond the instance's load`);
    return load;
  };
  const functionsOf = (id: string): OfferedFunction[] => {
    let fns = functions.get(id);
    if (fns === undefined) {
      fns = Object.entries(loadOf(id)).flatMap(([group, g]) =>
        (g?.functions ?? []).map((f) => ({ name: f.name, group: group as FunctionGroup, rate: f.rate })),
      );
      functions.set(id, fns);
    }
    return fns;
  };
  const totals = (id: string): GroupRates => {
    const rates = zeroRates();
    for (const [group, g] of Object.entries(loadOf(id))) rates[group as FunctionGroup] = g?.totalRate ?? 0;
    return rates;
  };
  const predict = (type: NodeType, rates: GroupRates): NodeUsage => {
    calls.count++;
    return model.predict(type, rates);
  };

  return {
    instance,
    t,
    thresholds,
    node,
    index: (id) => known(indexes, id),
    functions: functionsOf,
    totals,
    offers(id, fn) {
      let set = names.get(id);
      if (set === undefined) {
        set = new Set(functionsOf(id).map((f) => f.name));
        names.set(id, set);
      }
      return set.has(fn);
    },
    usage(id) {
      let u = usages.get(id);
      if (u === undefined) {
        u = predict(node(id).type, totals(id));
        usages.set(id, u);
      }
      return u;
    },
    predict,
  };
}

/**
 * The framework's weights of a node (the tail of every strategy but Base): for each function of
 * the node, each neighbour in adjacency order gets round(sent/offered, 4) and the node itself
 * round(kept/offered, 4); a function offered at rate 0 gets 0.0 everywhere.
 */
export function roundedWeights(
  view: FrameworkView,
  id: string,
  sent: (fn: OfferedFunction, neighbour: string, index: number) => number,
  kept: (fn: OfferedFunction) => number,
): FrameworkWeights {
  const weights: FrameworkWeights = {};
  const neighbours = view.node(id).neighbours;
  for (const fn of view.functions(id)) {
    const row: Record<string, number> = {};
    neighbours.forEach((nb, i) => {
      row[nb] = fn.rate === 0 ? 0 : pyRound(sent(fn, nb, i) / fn.rate, 4);
    });
    row[id] = fn.rate === 0 ? 0 : pyRound(kept(fn) / fn.rate, 4);
    weights[fn.name] = row;
  }
  return weights;
}

/** The framework's load to shed or forward in one step of a function with `remaining` requests/s:
 * ceil(0.01 × remaining), at least 1 while anything remains. */
export function onePercent(remaining: number): number {
  return Math.ceil(0.01 * remaining);
}
