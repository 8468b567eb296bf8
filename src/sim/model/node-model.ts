import { NODE_METRICS, type NodeMetric } from '../../dataset/node-metrics.js';
import type { GroupsLoad } from '../../offload/messages.js';
import type { NodeForecaster } from '../../offload/strategies/types.js';
import { type FunctionGroup, NODE_TYPES, type NodeType } from '../instances/instance.js';

/**
 * The simulated node: what a node of a type is predicted to use (CPU, RAM, power) under given
 * request rates of the three function groups, and when it counts as overloaded. Every part of the
 * simulator that needs a node's state asks a NodeModel: the strategies (through `asForecaster`,
 * the same NodeForecaster interface the live node-margin agent calls), the analyzer's shedding and
 * the events engine's service slow-down. So a simulated node and a live one predict with the same
 * model when the simulator is given the live node's `forecast train` output (./forecaster-model.ts).
 */

/** Requests/s offered to a node, by function group. */
export type GroupRates = Record<FunctionGroup, number>;

/** Predicted usage: cpu_usage_node (% of one core), ram_usage_node (bytes), power_usage_node (µW).
 * A model without a target (no power data) leaves it out. */
export type NodeUsage = Partial<Record<NodeMetric, number>>;

export interface NodeModel {
  /** For reports: `framework-analytic`, or the folder of `forecast train` models. */
  readonly name: string;
  /** Predicted usage of a node of `type` offered `rates`. Pure and synchronous (millions of calls). */
  predict(type: NodeType, rates: GroupRates): NodeUsage;
}

/** The most a node of each type may use before it counts as overloaded (node-margin's MaxValues). */
export type Thresholds = Record<NodeType, NodeUsage>;

/**
 * The simulation framework's MAX_RESOURCES_USAGE (config_manager.py): cpu %, ram bytes, power µW.
 */
export const FRAMEWORK_THRESHOLDS: Thresholds = {
  HEAVY: { cpu_usage_node: 460, ram_usage_node: 6.0e9, power_usage_node: 3.5e6 },
  MID: { cpu_usage_node: 290, ram_usage_node: 5.5e9, power_usage_node: 2.2e6 },
  LIGHT: { cpu_usage_node: 150, ram_usage_node: 4.1e9, power_usage_node: 0.7e6 },
};

/** The DFaaS test bed's node-margin thresholds (test_environment's agent env files). */
export const TESTBED_THRESHOLDS: Thresholds = {
  HEAVY: { cpu_usage_node: 235, ram_usage_node: 6.0e9, power_usage_node: 3.5e6 },
  MID: { cpu_usage_node: 190, ram_usage_node: 5.5e9, power_usage_node: 2.1e6 },
  LIGHT: { cpu_usage_node: 104, ram_usage_node: 4.1e9, power_usage_node: 0.7e6 },
};

export const THRESHOLD_SETS = { framework: FRAMEWORK_THRESHOLDS, testbed: TESTBED_THRESHOLDS } as const;
export type ThresholdSetName = keyof typeof THRESHOLD_SETS;

/** The share of the power threshold the framework's PowerSaving strategy and analyzer keep under
 * (its MAX_POWER_USAGE = 0.70 × the power row of MAX_RESOURCES_USAGE). */
export const POWER_SAVING_SHARE = 0.7;

/** The forecaster's node_type code of each type (the framework's model codes, the agent's NodeType). */
export const NODE_TYPE_CODE: Readonly<Record<NodeType, number>> = { HEAVY: 0, MID: 1, LIGHT: 2 };

export function nodeTypeOfCode(code: number): NodeType {
  const type = NODE_TYPES[code];
  if (type === undefined)
    throw new RangeError(`node type code ${code} is not 0 (HEAVY), 1 (MID) or 2 (LIGHT)`);
  return type;
}

/** Whether some metric with both a prediction and a threshold > 0 is predicted above it (the rule of
 * the live node-margin strategy's isOverloaded, which the simulator shares). */
export function overloaded(usage: NodeUsage, max: NodeUsage): boolean {
  for (const metric of NODE_METRICS) {
    const u = usage[metric];
    const t = max[metric];
    if (u !== undefined && t !== undefined && t > 0 && u > t) return true;
  }
  return false;
}

export function zeroRates(): GroupRates {
  return { HIGH_USAGE: 0, LOW_USAGE: 0, MEDIUM_USAGE: 0 };
}

/** The agent's GroupsLoad of group rates, and back. */
export function toGroupsLoad(rates: GroupRates): GroupsLoad {
  return {
    RateHighUsage: rates.HIGH_USAGE,
    RateLowUsage: rates.LOW_USAGE,
    RateMediumUsage: rates.MEDIUM_USAGE,
  };
}

export function fromGroupsLoad(load: GroupsLoad): GroupRates {
  return { HIGH_USAGE: load.RateHighUsage, LOW_USAGE: load.RateLowUsage, MEDIUM_USAGE: load.RateMediumUsage };
}

/** The model as the strategies' NodeForecaster (node type by its code), counting the calls. */
export function asForecaster(model: NodeModel, calls?: { count: number }): NodeForecaster {
  return {
    predict: async (code, load) => {
      if (calls) calls.count++;
      return model.predict(nodeTypeOfCode(code), fromGroupsLoad(load));
    },
  };
}

/**
 * The highest rate of one group alone (an integer, req/s) at which a node of `type` is not
 * predicted overloaded; `limit` when even that is fine. Usage grows with the rate in every model
 * we ship, so a bisection finds it; for a model where it does not, the result is one crossing.
 * The simulator derives a function's dfaas.maxrate (static, recalc) and its service slots (events
 * engine) from it when the scenario gives none.
 */
export function soloCapacity(
  model: NodeModel,
  max: NodeUsage,
  type: NodeType,
  group: FunctionGroup,
  limit = 100_000,
): number {
  const at = (rate: number) => overloaded(model.predict(type, { ...zeroRates(), [group]: rate }), max);
  if (at(0)) return 0;
  if (!at(limit)) return limit;
  let lo = 0;
  let hi = limit;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (at(mid)) hi = mid;
    else lo = mid;
  }
  return lo;
}

/** soloCapacity per node type and group, each computed once (a function's default dfaas.maxrate). */
export function soloCapacities(
  model: NodeModel,
  thresholds: Thresholds,
): (type: NodeType, group: FunctionGroup) => number {
  const cache = new Map<string, number>();
  return (type, group) => {
    const key = `${type}/${group}`;
    let rate = cache.get(key);
    if (rate === undefined) {
      rate = soloCapacity(model, thresholds[type], type, group);
      cache.set(key, rate);
    }
    return rate;
  };
}
