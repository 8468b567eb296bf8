import type { GroupList } from '../../dataset/groups.js';
import { NODE_METRICS, type NodeMetric } from '../../dataset/node-metrics.js';
import { StrategyInputError } from '../errors.js';
import type { GroupsLoad } from '../messages.js';
import { MAX_WEIGHT } from '../routing.js';
import type { NodeForecaster, StrategyInput } from './types.js';

/**
 * A node's load as the forecaster sees it, for the strategies that predict it (node-margin,
 * power-saving, equal): the group rates of its functions, moved away in steps of 1% of a
 * function's rate, and the predicates on the predicted metrics.
 */

export type Metrics = Partial<Record<NodeMetric, number>>;
type GroupField = keyof GroupsLoad;

/** group_list.json's groups and the GroupsLoad field each one adds to. */
const GROUP_FIELDS = [
  ['HIGH_USAGE', 'RateHighUsage'],
  ['MEDIUM_USAGE', 'RateMediumUsage'],
  ['LOW_USAGE', 'RateLowUsage'],
] as const satisfies ReadonlyArray<readonly [string, GroupField]>;

/**
 * A step moves 1/STEPS of a function's rate; a function moves in at most STEPS steps. As many as
 * the proxy's weights have points, so that a count of steps is a weight, exactly.
 */
export const STEPS = MAX_WEIGHT;

/** A deployed function, the GroupsLoad field it adds to (undefined: ungrouped) and its user rate. */
export interface DeployedLoad {
  name: string;
  field: GroupField | undefined;
  rate: number;
}

/** This node's load and what predicts it. */
export interface LoadModel {
  forecaster: NodeForecaster;
  fieldOf: Map<string, GroupField>;
  /** User requests/s of each deployed function, in deployed order. */
  rates: Map<string, number>;
  /** The same functions by index, in the same order (for stepsLoadAt). */
  deployed: DeployedLoad[];
  nodeType: number;
  thresholds: Metrics;
}

/** This node's load model; a StrategyInputError naming `strategy` without a forecaster or groups. */
export function loadModel(input: StrategyInput, strategy: string): LoadModel {
  const hint = 'a node configures them with forecaster_url or forecaster_models, and group_list';
  if (input.forecaster === undefined)
    throw new StrategyInputError(`${strategy} needs a forecaster (input.forecaster)`, hint);
  if (input.groups === undefined)
    throw new StrategyInputError(`${strategy} needs the function groups (group_list.json)`, hint);
  const { self } = input;
  const fieldOf = groupFields(input.groups);
  const rates = new Map<string, number>();
  for (const f of self.functions) rates.set(f.name, self.userRates[f.name] ?? 0);
  const deployed: DeployedLoad[] = [];
  rates.forEach((rate, name) => {
    deployed.push({ name, field: fieldOf.get(name), rate });
  });
  return {
    forecaster: input.forecaster,
    fieldOf,
    rates,
    deployed,
    nodeType: self.nodeType,
    thresholds: self.thresholds,
  };
}

/**
 * usagePct and isOverloaded read the metrics of NODE_METRICS one by one, by name: in a loop over the
 * list each read is a keyed one over three names, four times slower, and the simulator makes
 * millions of these calls. This fails to compile when NODE_METRICS changes, so that they change too.
 */
const _UNROLLED_METRICS: readonly ['cpu_usage_node', 'ram_usage_node', 'power_usage_node'] = NODE_METRICS;

/** Mean over the metrics with both a prediction and a threshold of prediction·100/threshold; 0 with none. */
export function usagePct(predictions: Metrics, thresholds: Metrics): number {
  let sum = 0;
  let count = 0;
  const cpu = percentOf(predictions.cpu_usage_node, thresholds.cpu_usage_node);
  if (cpu !== undefined) {
    sum += cpu;
    count++;
  }
  const ram = percentOf(predictions.ram_usage_node, thresholds.ram_usage_node);
  if (ram !== undefined) {
    sum += ram;
    count++;
  }
  const power = percentOf(predictions.power_usage_node, thresholds.power_usage_node);
  if (power !== undefined) {
    sum += power;
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

/** Whether some metric with both a prediction and a threshold is predicted above its threshold. */
export function isOverloaded(predictions: Metrics, thresholds: Metrics): boolean {
  return (
    above(predictions.cpu_usage_node, thresholds.cpu_usage_node) ||
    above(predictions.ram_usage_node, thresholds.ram_usage_node) ||
    above(predictions.power_usage_node, thresholds.power_usage_node)
  );
}

/** prediction·100/threshold when both are finite and the threshold > 0 (to divide by it). */
function percentOf(prediction: number | undefined, threshold: number | undefined): number | undefined {
  return comparable(prediction, threshold)
    ? ((prediction as number) * 100) / (threshold as number)
    : undefined;
}

function above(prediction: number | undefined, threshold: number | undefined): boolean {
  return comparable(prediction, threshold) && (prediction as number) > (threshold as number);
}

function comparable(prediction: number | undefined, threshold: number | undefined): boolean {
  return (
    prediction !== undefined &&
    Number.isFinite(prediction) &&
    threshold !== undefined &&
    Number.isFinite(threshold) &&
    threshold > 0
  );
}

/** The GroupsLoad field of each grouped function (a function listed twice counts in the first group). */
function groupFields(groups: GroupList): Map<string, GroupField> {
  const fieldOf = new Map<string, GroupField>();
  for (const [group, field] of GROUP_FIELDS) {
    for (const fn of groups[group] ?? []) if (!fieldOf.has(fn)) fieldOf.set(fn, field);
  }
  return fieldOf;
}

export function zeroLoad(): GroupsLoad {
  return { RateHighUsage: 0, RateMediumUsage: 0, RateLowUsage: 0 };
}

/** The group rates of some functions' rates, added to `base`; an ungrouped function adds nothing. */
export function loadOf(
  model: LoadModel,
  rates: Map<string, number>,
  base: GroupsLoad = zeroLoad(),
): GroupsLoad {
  const load = { ...base };
  // forEach: a for-of over a Map allocates an entry per function.
  rates.forEach((rate, fn) => {
    const field = model.fieldOf.get(fn);
    if (field !== undefined) addTo(load, field, rate);
  });
  return load;
}

/** load[field] += rate, with a named store: a keyed one over the three names is a slow
 * (megamorphic) one, and the simulator adds millions of these. */
function addTo(load: GroupsLoad, field: GroupField, rate: number): void {
  switch (field) {
    case 'RateHighUsage':
      load.RateHighUsage += rate;
      break;
    case 'RateMediumUsage':
      load.RateMediumUsage += rate;
      break;
    case 'RateLowUsage':
      load.RateLowUsage += rate;
      break;
  }
}

/** Requests/s of `steps` steps of `fn` (exact multiples of 1% of its rate: nothing accumulates). */
export function movedRate(model: LoadModel, fn: string, steps: number): number {
  return ((model.rates.get(fn) ?? 0) * steps) / STEPS;
}

/**
 * The group rates of some steps of each function, added to `base`; with `plusOne`, one more step of
 * that function (a trial, without copying `steps`: the simulator calls this millions of times).
 * The sums run in the order of `steps` (a function only in `plusOne` last), so the result is the
 * same, to the bit, as building the trial map first.
 */
export function stepsLoad(
  model: LoadModel,
  steps: Map<string, number>,
  base?: GroupsLoad,
  plusOne?: string,
): GroupsLoad {
  const load = copyOfLoad(base);
  for (const [fn, n] of steps) {
    const field = model.fieldOf.get(fn);
    if (field !== undefined) addTo(load, field, movedRate(model, fn, fn === plusOne ? n + 1 : n));
  }
  if (plusOne !== undefined && !steps.has(plusOne)) {
    const field = model.fieldOf.get(plusOne);
    if (field !== undefined) addTo(load, field, movedRate(model, plusOne, 1));
  }
  return load;
}

/**
 * stepsLoad with the functions by index (model.deployed): steps[i] steps of each function i of
 * `order`, in that order, and one more step of function `plusOne`. The same sums, to the bit, as
 * stepsLoad on a Map of `order`'s functions in that order, without iterating a Map, which allocates:
 * the margin strategies' loop calls it millions of times in the simulator.
 */
export function stepsLoadAt(
  model: LoadModel,
  order: readonly number[],
  steps: readonly number[],
  base?: GroupsLoad,
  plusOne?: number,
): GroupsLoad {
  const load = copyOfLoad(base);
  for (const i of order) {
    const { field, rate } = model.deployed[i] as DeployedLoad;
    const n = steps[i] as number;
    if (field !== undefined) addTo(load, field, (rate * (i === plusOne ? n + 1 : n)) / STEPS);
  }
  if (plusOne !== undefined && !order.includes(plusOne)) {
    const { field, rate } = model.deployed[plusOne] as DeployedLoad;
    if (field !== undefined) addTo(load, field, rate / STEPS);
  }
  return load;
}

/** A copy of `base` (zero without one), field by field: a spread is slower, and this runs millions of times. */
function copyOfLoad(base: GroupsLoad | undefined): GroupsLoad {
  return base === undefined
    ? zeroLoad()
    : {
        RateHighUsage: base.RateHighUsage,
        RateMediumUsage: base.RateMediumUsage,
        RateLowUsage: base.RateLowUsage,
      };
}

/** Steps of every function with a rate (STEPS) or none (0): what a node may move away. */
export function allSteps(model: LoadModel): Map<string, number> {
  return new Map([...model.rates].map(([fn, rate]) => [fn, rate > 0 ? STEPS : 0]));
}

/** This node's predicted metrics with `stepsLeft` of its functions' steps kept. */
export function predictKeeping(model: LoadModel, stepsLeft: Map<string, number>): Promise<Metrics> {
  return model.forecaster.predict(model.nodeType, stepsLoad(model, stepsLeft));
}
