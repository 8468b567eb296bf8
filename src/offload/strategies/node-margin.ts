import { z } from 'zod';
import type { GroupList } from '../../dataset/groups.js';
import { NODE_METRICS, type NodeMetric } from '../../dataset/node-metrics.js';
import { StrategyInputError } from '../errors.js';
import type { GroupsLoad, PeerMessage } from '../messages.js';
import { compareIds } from '../neighbours.js';
import { type FunctionRoute, LOCAL, MAX_WEIGHT } from '../routing.js';
import {
  defineStrategy,
  type Neighbour,
  type NodeForecaster,
  type Strategy,
  type StrategyInput,
} from './types.js';

/**
 * The reference "node margin strategy", with its defects fixed. Each node predicts its own usage
 * from the request rates of the three function groups and offers its spare capacity (percentage
 * points) to the neighbours it shares functions with. An overloaded node moves its user requests,
 * 1% of a function's rate at a time, to the neighbours whose offer covers the predicted increase
 * of their usage, until it is predicted not to be overloaded any more.
 */

type Metrics = Partial<Record<NodeMetric, number>>;
type GroupField = keyof GroupsLoad;

/** group_list.json's groups and the GroupsLoad field each one adds to. */
const GROUP_FIELDS = [
  ['HIGH_USAGE', 'RateHighUsage'],
  ['MEDIUM_USAGE', 'RateMediumUsage'],
  ['LOW_USAGE', 'RateLowUsage'],
] as const satisfies ReadonlyArray<readonly [string, GroupField]>;

/** A step moves this fraction of a function's rate; a function moves in at most STEPS steps. */
const STEPS = 100;

/** A neighbour we may move requests to, with what the loop tracks about it. */
interface Target {
  id: string;
  nodeType: number;
  maxValues: Metrics;
  margin: number;
  load: GroupsLoad;
  /** Its predicted usage before we move anything (the base of the predicted increase). */
  baseUsage: number;
  /** Common functions still worth trying, in deployed order, and the one to try next. */
  functions: string[];
  cursor: number;
  /** Steps of each function moved to it. */
  moved: Map<string, number>;
}

/** What the offloading loop works with. */
interface Context {
  forecaster: NodeForecaster;
  fieldOf: Map<string, GroupField>;
  rates: Map<string, number>;
  nodeType: number;
  thresholds: Metrics;
}

export const nodeMarginDefinition = defineStrategy({
  name: 'node-margin',
  description: 'predict node usage with the forecaster; offer the spare margin, move load when overloaded',
  params: z.object({}),
  create: () => nodeMargin,
  // Its margins and loads describe the node for a while: one missed period is tolerated.
  neighbourTtlFactor: () => 2,
  needsForecaster: () => true,
  needsRtt: () => false,
});

const nodeMargin: Strategy = async (input) => {
  const { forecaster, groups } = requireModel(input);
  const { self } = input;
  const names = self.functions.map((f) => f.name);
  const ctx: Context = {
    forecaster,
    fieldOf: groupFields(groups),
    rates: new Map(names.map((name) => [name, self.userRates[name] ?? 0])),
    nodeType: self.nodeType,
    thresholds: self.thresholds,
  };
  const load = loadOf(ctx, ctx.rates);
  const predictions = await forecaster.predict(self.nodeType, load);
  const overloaded = isOverloaded(predictions, self.thresholds);
  const usage = usagePct(predictions, self.thresholds);
  const common = input.neighbours.filter((n) => n.functions.some((fn) => names.includes(fn)));
  const margin = overloaded || common.length === 0 ? 0 : Math.max(0, (100 - usage) / common.length);

  const targets = overloaded ? await targetsOf(ctx, common, names) : [];
  // A copy: offload drops the targets it is done with, and the weights need them all.
  if (overloaded) await offload(ctx, [...targets]);

  const functions: Record<string, FunctionRoute> = {};
  for (const name of names) {
    functions[name] = { localLimit: null, weights: weightsOf(name, targets), limitsIn: {} };
  }

  const messages: PeerMessage[] = [
    {
      MsgType: 'nodeinfoNMS',
      HAProxyHost: self.proxy.host,
      HAProxyPort: self.proxy.port,
      NodeType: self.nodeType,
      MaxValues: definedMetrics(self.thresholds),
      Functions: names,
    },
  ];
  if (common.length > 0) {
    // The load is only worth publishing with a margin: it is what the peers add their moves to.
    messages.push({ MsgType: 'nodemargininfoNMS', Margin: margin, Load: margin > 0 ? load : zeroLoad() });
  }
  return {
    functions,
    messages,
    decisions: { load, predictions, overloaded, usagePct: usage, margin, moved: movedRates(ctx, targets) },
  };
};

/** Mean over the metrics with both a prediction and a threshold of prediction·100/threshold; 0 with none. */
export function usagePct(predictions: Metrics, thresholds: Metrics): number {
  const ratios = comparable(predictions, thresholds).map(([p, t]) => (p * 100) / t);
  return ratios.length === 0 ? 0 : ratios.reduce((a, b) => a + b, 0) / ratios.length;
}

/** Whether some metric with both a prediction and a threshold is predicted above its threshold. */
export function isOverloaded(predictions: Metrics, thresholds: Metrics): boolean {
  return comparable(predictions, thresholds).some(([p, t]) => p > t);
}

/** [prediction, threshold] of the metrics having both (a threshold must be > 0 to divide by it). */
function comparable(predictions: Metrics, thresholds: Metrics): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (const metric of NODE_METRICS) {
    const p = predictions[metric];
    const t = thresholds[metric];
    if (p !== undefined && Number.isFinite(p) && t !== undefined && Number.isFinite(t) && t > 0)
      pairs.push([p, t]);
  }
  return pairs;
}

function requireModel(input: StrategyInput): { forecaster: NodeForecaster; groups: GroupList } {
  const hint = 'a node configures them with forecaster_url or forecaster_models, and group_list';
  if (input.forecaster === undefined)
    throw new StrategyInputError('node-margin needs a forecaster (input.forecaster)', hint);
  if (input.groups === undefined)
    throw new StrategyInputError('node-margin needs the function groups (group_list.json)', hint);
  return { forecaster: input.forecaster, groups: input.groups };
}

/** The GroupsLoad field of each grouped function (a function listed twice counts in the first group). */
function groupFields(groups: GroupList): Map<string, GroupField> {
  const fieldOf = new Map<string, GroupField>();
  for (const [group, field] of GROUP_FIELDS) {
    for (const fn of groups[group] ?? []) if (!fieldOf.has(fn)) fieldOf.set(fn, field);
  }
  return fieldOf;
}

function zeroLoad(): GroupsLoad {
  return { RateHighUsage: 0, RateMediumUsage: 0, RateLowUsage: 0 };
}

/** The group rates of some functions' rates, added to `base`; an ungrouped function adds nothing. */
function loadOf(ctx: Context, rates: Map<string, number>, base: GroupsLoad = zeroLoad()): GroupsLoad {
  const load = { ...base };
  for (const [fn, rate] of rates) {
    const field = ctx.fieldOf.get(fn);
    if (field !== undefined) load[field] += rate;
  }
  return load;
}

function definedMetrics(metrics: Metrics): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => v !== undefined && Number.isFinite(v)));
}

/** Requests/s moved to each target that took something, by function (for the decision log). */
function movedRates(ctx: Context, targets: Target[]): Record<string, Record<string, number>> {
  const moved: Record<string, Record<string, number>> = {};
  for (const target of targets) {
    if (target.moved.size === 0) continue;
    moved[target.id] = Object.fromEntries(
      [...target.moved].map(([fn, steps]) => [fn, movedRate(ctx, fn, steps)]),
    );
  }
  return moved;
}

/** Requests/s of `steps` steps of `fn` (exact multiples of 1% of its rate: nothing accumulates). */
function movedRate(ctx: Context, fn: string, steps: number): number {
  return ((ctx.rates.get(fn) ?? 0) * steps) / STEPS;
}

/**
 * The common neighbours that offer a margin and published what we need to predict their usage
 * (nodeinfoNMS and nodemargininfoNMS), sorted by id so that the loop is deterministic.
 */
async function targetsOf(ctx: Context, common: Neighbour[], names: string[]): Promise<Target[]> {
  const targets: Target[] = [];
  for (const n of [...common].sort((a, b) => compareIds(a.id, b.id))) {
    if (!(n.margin !== undefined && n.margin > 0)) continue;
    if (n.nodeType === undefined || n.maxValues === undefined || n.load === undefined) continue;
    const baseUsage = usagePct(await ctx.forecaster.predict(n.nodeType, n.load), n.maxValues);
    targets.push({
      id: n.id,
      nodeType: n.nodeType,
      maxValues: n.maxValues,
      margin: n.margin,
      load: n.load,
      baseUsage,
      functions: names.filter((fn) => n.functions.includes(fn)),
      cursor: 0,
      moved: new Map(),
    });
  }
  return targets;
}

/**
 * Called when we are predicted overloaded: moves steps of 1% of a function's rate to the targets,
 * round robin over the targets, each going through its own functions in turn, until we are
 * predicted not overloaded. A target takes a step when its margin exceeds the predicted increase
 * of its usage; otherwise it is not offered that function again. Fills each target's `moved`;
 * removes from `targets` (the list still in play) those with nothing left to try.
 */
async function offload(ctx: Context, targets: Target[]): Promise<void> {
  const stepsLeft = new Map([...ctx.rates].map(([fn, rate]) => [fn, rate > 0 ? STEPS : 0]));
  // Every iteration moves a step (≤ STEPS per function), drops a function from a target (≤ one
  // per function and target) or drops an exhausted function (≤ one per function).
  let budget = stepsLeft.size * (STEPS + targets.length + 1) + 1;
  let overloaded = true;
  let turn = 0;
  while (overloaded && targets.length > 0 && budget-- > 0) {
    const target = targets[turn] as Target;
    const fn = target.functions[target.cursor] as string;
    const left = stepsLeft.get(fn) ?? 0;
    if (left === 0) {
      turn = dropEverywhere(targets, fn, turn);
      continue;
    }
    const trial = new Map(target.moved).set(fn, (target.moved.get(fn) ?? 0) + 1);
    const increase =
      usagePct(
        await ctx.forecaster.predict(target.nodeType, sentLoad(ctx, target, trial)),
        target.maxValues,
      ) - target.baseUsage;
    if (target.margin > increase) {
      target.moved = trial;
      stepsLeft.set(fn, left - 1);
      target.cursor = (target.cursor + 1) % target.functions.length;
      turn = (turn + 1) % targets.length;
      overloaded = isOverloaded(
        await ctx.forecaster.predict(ctx.nodeType, keptLoad(ctx, stepsLeft)),
        ctx.thresholds,
      );
    } else {
      target.cursor = removeAt(target.functions, target.cursor, target.cursor);
      if (target.functions.length === 0) turn = removeAt(targets, turn, turn);
      else turn = (turn + 1) % targets.length;
    }
  }
}

/** The target's own load plus what `moved` sends it. */
function sentLoad(ctx: Context, target: Target, moved: Map<string, number>): GroupsLoad {
  const rates = new Map([...moved].map(([fn, steps]) => [fn, movedRate(ctx, fn, steps)]));
  return loadOf(ctx, rates, target.load);
}

/** Our load from the steps not moved. */
function keptLoad(ctx: Context, stepsLeft: Map<string, number>): GroupsLoad {
  const rates = new Map([...stepsLeft].map(([fn, steps]) => [fn, movedRate(ctx, fn, steps)]));
  return loadOf(ctx, rates);
}

/** Removes `fn` from every target and the targets left with nothing; returns the adjusted turn. */
function dropEverywhere(targets: Target[], fn: string, turn: number): number {
  for (const target of targets) {
    const index = target.functions.indexOf(fn);
    if (index >= 0) target.cursor = removeAt(target.functions, index, target.cursor);
  }
  for (let i = targets.length - 1; i >= 0; i--) {
    if ((targets[i] as Target).functions.length === 0) turn = removeAt(targets, i, turn);
  }
  return turn;
}

/** Removes list[index]; returns the cursor moved so that it stays on the same element, or on the
 * next one (wrapping) when that was the one removed. */
function removeAt<T>(list: T[], index: number, cursor: number): number {
  list.splice(index, 1);
  const shifted = index < cursor ? cursor - 1 : cursor;
  return list.length === 0 ? 0 : shifted % list.length;
}

/**
 * Weights in percent of the function's rate: round(kept/rate·100) here and round(moved/rate·100)
 * for each target that took something (at least 1, so it gets its requests). Computed from the
 * step counts, which are exact, rather than from rates that accumulated rounding errors.
 */
function weightsOf(fn: string, targets: Target[]): Record<string, number> {
  const weights: Record<string, number> = {};
  let keptSteps = STEPS;
  for (const target of targets) {
    const steps = target.moved.get(fn) ?? 0;
    if (steps === 0) continue;
    weights[target.id] = Math.max(1, Math.round((steps * MAX_WEIGHT) / STEPS));
    keptSteps -= steps;
  }
  return { [LOCAL]: Math.round((keptSteps * MAX_WEIGHT) / STEPS), ...weights };
}
