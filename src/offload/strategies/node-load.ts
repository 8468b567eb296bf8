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

/** This node's load and what predicts it. */
export interface LoadModel {
  forecaster: NodeForecaster;
  fieldOf: Map<string, GroupField>;
  /** User requests/s of each deployed function, in deployed order. */
  rates: Map<string, number>;
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
  return {
    forecaster: input.forecaster,
    fieldOf: groupFields(input.groups),
    rates: new Map(self.functions.map((f) => [f.name, self.userRates[f.name] ?? 0])),
    nodeType: self.nodeType,
    thresholds: self.thresholds,
  };
}

/** Mean over the metrics with both a prediction and a threshold of prediction·100/threshold; 0 with none. */
export function usagePct(predictions: Metrics, thresholds: Metrics): number {
  let sum = 0;
  let count = 0;
  for (const metric of NODE_METRICS) {
    const t = comparableThreshold(predictions, thresholds, metric);
    if (t === undefined) continue;
    sum += ((predictions[metric] as number) * 100) / t;
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

/** Whether some metric with both a prediction and a threshold is predicted above its threshold. */
export function isOverloaded(predictions: Metrics, thresholds: Metrics): boolean {
  for (const metric of NODE_METRICS) {
    const t = comparableThreshold(predictions, thresholds, metric);
    if (t !== undefined && (predictions[metric] as number) > t) return true;
  }
  return false;
}

/** The metric's threshold when both it and the prediction are finite (and the threshold > 0, to
 * divide by it); undefined otherwise. Loops instead of arrays: the simulator calls these millions of times. */
function comparableThreshold(
  predictions: Metrics,
  thresholds: Metrics,
  metric: NodeMetric,
): number | undefined {
  const p = predictions[metric];
  const t = thresholds[metric];
  return p !== undefined && Number.isFinite(p) && t !== undefined && Number.isFinite(t) && t > 0
    ? t
    : undefined;
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
  for (const [fn, rate] of rates) {
    const field = model.fieldOf.get(fn);
    if (field !== undefined) load[field] += rate;
  }
  return load;
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
  const load = base === undefined ? zeroLoad() : { ...base };
  for (const [fn, n] of steps) {
    const field = model.fieldOf.get(fn);
    if (field !== undefined) load[field] += movedRate(model, fn, fn === plusOne ? n + 1 : n);
  }
  if (plusOne !== undefined && !steps.has(plusOne)) {
    const field = model.fieldOf.get(plusOne);
    if (field !== undefined) load[field] += movedRate(model, plusOne, 1);
  }
  return load;
}

/** Steps of every function with a rate (STEPS) or none (0): what a node may move away. */
export function allSteps(model: LoadModel): Map<string, number> {
  return new Map([...model.rates].map(([fn, rate]) => [fn, rate > 0 ? STEPS : 0]));
}

/** This node's predicted metrics with `stepsLeft` of its functions' steps kept. */
export function predictKeeping(model: LoadModel, stepsLeft: Map<string, number>): Promise<Metrics> {
  return model.forecaster.predict(model.nodeType, stepsLoad(model, stepsLeft));
}
