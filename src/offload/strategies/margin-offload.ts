import type { GroupsLoad, PeerMessage } from '../messages.js';
import { compareIds } from '../neighbours.js';
import { type FunctionRoute, LOCAL, MAX_WEIGHT } from '../routing.js';
import {
  type DeployedLoad,
  type LoadModel,
  loadModel,
  loadOf,
  type Metrics,
  movedRate,
  STEPS,
  stepsLoadAt,
  zeroLoad,
} from './node-load.js';
import type { Neighbour, StrategyInput } from './types.js';

/**
 * The margin strategies' skeleton (node-margin, power-saving), from the reference's node margin
 * strategy with its defects fixed. Each node predicts its own usage from the request rates of the
 * three function groups and offers what is left of 100% (percentage points) to the neighbours it
 * shares functions with. A node that needs relief moves its user requests, 1% of a function's rate
 * at a time, to the neighbours whose offer covers the predicted increase of their usage, until it
 * needs relief no more. The rules say how usage is measured and when a node needs relief.
 */

/** What the margin strategies differ in. */
export interface MarginRules {
  /** The strategy's name, for its errors. */
  strategy: string;
  /** A node's usage in percent of what it may use, from its predicted metrics and its thresholds
   * (a neighbour's MaxValues); NaN when it cannot be measured (such a neighbour takes nothing). */
  usage(predictions: Metrics, thresholds: Metrics): number;
  /** Whether a node so predicted must move load away (it then offers no margin). */
  needsRelief(predictions: Metrics, thresholds: Metrics): boolean;
  /** Throws a StrategyInputError when this node's thresholds or predictions lack what the rules use. */
  check?(predictions: Metrics, thresholds: Metrics): void;
}

/** A margin strategy's routes and messages, and what it decided them from. */
export interface MarginPlan {
  functions: Record<string, FunctionRoute>;
  messages: PeerMessage[];
  /** This node's group rates and their prediction. */
  load: GroupsLoad;
  predictions: Metrics;
  /** Whether the node needed relief (and so tried to move load). */
  relieve: boolean;
  usage: number;
  /** Percentage points offered to each common neighbour. */
  margin: number;
  /** Requests/s moved to each neighbour that took something, by function. */
  moved: Record<string, Record<string, number>>;
}

/** A neighbour we may move requests to, with what the loop tracks about it. */
interface Target {
  id: string;
  nodeType: number;
  maxValues: Metrics;
  margin: number;
  load: GroupsLoad;
  /** Its predicted usage before we move anything (the base of the predicted increase). */
  baseUsage: number;
  /** Common functions still worth trying (indices into model.deployed, in deployed order), and
   * the one to try next. */
  functions: number[];
  cursor: number;
  /** Steps of each function moved to it, by index. */
  moved: number[];
  /** The functions it took, in the order it first took them (the order of the trial's sums). */
  took: number[];
}

/**
 * One period of a margin strategy: the margin this node offers, its messages (nodeinfoNMS, and
 * nodemargininfoNMS when it shares a function with a neighbour) and, when it needs relief, the
 * weights that move its load. A StrategyInputError without a forecaster or groups, or when the
 * rules' check fails.
 */
export async function marginOffload(input: StrategyInput, rules: MarginRules): Promise<MarginPlan> {
  const model = loadModel(input, rules.strategy);
  const { self } = input;
  const names = [...model.rates.keys()];
  const load = loadOf(model, model.rates);
  const predictions = await model.forecaster.predict(self.nodeType, load);
  rules.check?.(predictions, self.thresholds);
  const relieve = rules.needsRelief(predictions, self.thresholds);
  const usage = rules.usage(predictions, self.thresholds);
  const common = input.neighbours.filter((n) => n.functions.some((fn) => names.includes(fn)));
  const margin = relieve || common.length === 0 ? 0 : Math.max(0, (100 - usage) / common.length);

  // The routes need the offloading loop; the messages (publishOnly) do not.
  const plan = relieve && input.publishOnly !== true;
  const targets = plan ? await targetsOf(model, rules, common, names) : [];
  // A copy: offload drops the targets it is done with, and the weights need them all.
  if (plan) await offload(model, rules, [...targets]);

  const functions: Record<string, FunctionRoute> = {};
  names.forEach((name, i) => {
    functions[name] = { localLimit: null, weights: weightsOf(i, targets), limitsIn: {} };
  });

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
    load,
    predictions,
    relieve,
    usage,
    margin,
    moved: movedRates(model, targets),
  };
}

function definedMetrics(metrics: Metrics): Record<string, number> {
  const defined: Record<string, number> = {};
  for (const key of Object.keys(metrics)) {
    const value = metrics[key as keyof Metrics];
    if (value !== undefined && Number.isFinite(value)) defined[key] = value;
  }
  return defined;
}

/** Requests/s moved to each target that took something, by function (for the decision log). */
function movedRates(model: LoadModel, targets: Target[]): Record<string, Record<string, number>> {
  const moved: Record<string, Record<string, number>> = {};
  for (const target of targets) {
    if (target.took.length === 0) continue;
    const rates: Record<string, number> = {};
    for (const i of target.took) {
      const fn = (model.deployed[i] as DeployedLoad).name;
      rates[fn] = movedRate(model, fn, target.moved[i] as number);
    }
    moved[target.id] = rates;
  }
  return moved;
}

/**
 * The common neighbours that offer a margin and published what we need to predict their usage
 * (nodeinfoNMS and nodemargininfoNMS), sorted by id so that the loop is deterministic.
 */
async function targetsOf(
  model: LoadModel,
  rules: MarginRules,
  common: Neighbour[],
  names: string[],
): Promise<Target[]> {
  const targets: Target[] = [];
  for (const n of sortedById(common)) {
    if (!(n.margin !== undefined && n.margin > 0)) continue;
    if (n.nodeType === undefined || n.maxValues === undefined || n.load === undefined) continue;
    const baseUsage = rules.usage(await model.forecaster.predict(n.nodeType, n.load), n.maxValues);
    if (!Number.isFinite(baseUsage)) continue;
    targets.push({
      id: n.id,
      nodeType: n.nodeType,
      maxValues: n.maxValues,
      margin: n.margin,
      load: n.load,
      baseUsage,
      functions: commonFunctions(names, n.functions),
      cursor: 0,
      moved: names.map(() => 0),
      took: [],
    });
  }
  return targets;
}

/**
 * Called when we need relief: moves steps of 1% of a function's rate to the targets, round robin
 * over the targets, each going through its own functions in turn, until we need relief no more.
 * A target takes a step when its margin exceeds the predicted increase of its usage; otherwise it
 * is not offered that function again. An accepted step relieves us of all it moves (the reference's
 * power saving strategy counted 1 request of it). Fills each target's `moved`; removes from
 * `targets` (the list still in play) those with nothing left to try.
 */
async function offload(model: LoadModel, rules: MarginRules, targets: Target[]): Promise<void> {
  // Steps of every function with a rate (STEPS) or none (0), by index: what we may move away.
  const stepsLeft: number[] = model.deployed.map((f) => (f.rate > 0 ? STEPS : 0));
  const everyFunction = model.deployed.map((_, i) => i);
  // Every iteration moves a step (≤ STEPS per function), drops a function from a target (≤ one
  // per function and target) or drops an exhausted function (≤ one per function).
  let budget = stepsLeft.length * (STEPS + targets.length + 1) + 1;
  let relieve = true;
  let turn = 0;
  while (relieve && targets.length > 0 && budget-- > 0) {
    const target = targets[turn] as Target;
    const fn = target.functions[target.cursor] as number;
    const left = stepsLeft[fn] as number;
    if (left === 0) {
      turn = dropEverywhere(targets, fn, turn);
      continue;
    }
    const trial = stepsLoadAt(model, target.took, target.moved, target.load, fn);
    const increase =
      rules.usage(await model.forecaster.predict(target.nodeType, trial), target.maxValues) -
      target.baseUsage;
    if (target.margin > increase) {
      const moved = target.moved[fn] as number;
      if (moved === 0) target.took.push(fn);
      target.moved[fn] = moved + 1;
      stepsLeft[fn] = left - 1;
      target.cursor = (target.cursor + 1) % target.functions.length;
      turn = (turn + 1) % targets.length;
      const keeping = stepsLoadAt(model, everyFunction, stepsLeft);
      relieve = rules.needsRelief(await model.forecaster.predict(model.nodeType, keeping), model.thresholds);
    } else {
      target.cursor = removeAt(target.functions, target.cursor, target.cursor);
      if (target.functions.length === 0) turn = removeAt(targets, turn, turn);
      else turn = (turn + 1) % targets.length;
    }
  }
}

/** Removes `fn` from every target and the targets left with nothing; returns the adjusted turn. */
function dropEverywhere(targets: Target[], fn: number, turn: number): number {
  for (const target of targets) {
    const index = target.functions.indexOf(fn);
    if (index >= 0) target.cursor = removeAt(target.functions, index, target.cursor);
  }
  for (let i = targets.length - 1; i >= 0; i--) {
    if ((targets[i] as Target).functions.length === 0) turn = removeAt(targets, i, turn);
  }
  return turn;
}

/** The neighbours sorted by id: themselves when they already are (the neighbour table lists them so). */
function sortedById(neighbours: Neighbour[]): Neighbour[] {
  const sorted = neighbours.every(
    (n, i) => i === 0 || compareIds((neighbours[i - 1] as Neighbour).id, n.id) <= 0,
  );
  return sorted ? neighbours : [...neighbours].sort((a, b) => compareIds(a.id, b.id));
}

/** The indices of `names` (ours, in deployed order) that a neighbour deploys. */
function commonFunctions(names: string[], theirs: string[]): number[] {
  const common: number[] = [];
  names.forEach((fn, i) => {
    if (theirs.includes(fn)) common.push(i);
  });
  return common;
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
function weightsOf(fn: number, targets: Target[]): Record<string, number> {
  let keptSteps = STEPS;
  for (const target of targets) keptSteps -= target.moved[fn] as number;
  const weights: Record<string, number> = { [LOCAL]: Math.round((keptSteps * MAX_WEIGHT) / STEPS) };
  for (const target of targets) {
    const steps = target.moved[fn] as number;
    if (steps > 0) weights[target.id] = Math.max(1, Math.round((steps * MAX_WEIGHT) / STEPS));
  }
  return weights;
}
