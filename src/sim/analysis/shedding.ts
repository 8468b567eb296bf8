import type { FunctionGroup, NodeType } from '../instances/instance.js';
import {
  type GroupRates,
  type NodeModel,
  type NodeUsage,
  overloaded,
  POWER_SAVING_SHARE,
  zeroRates,
} from '../model/node-model.js';
import { roundHalfEven } from '../python-round.js';

/**
 * The analyzer's shedding rule (the simulation framework's analyzer.py, step 3): a node that is
 * predicted overloaded under the requests it received drops a share of each function's rate,
 * re-predicting after every step, until it is not. What it drops counts as rejected.
 *
 * - The share q starts at 0.05 and only grows: while every function's round(r × q) is 0, q grows
 *   by 0.01 (accumulated in floating point as the framework does, 0.05 + 0.01 = 0.060000000000000005).
 * - round is Python's, half to even: 10 × 0.05 = 0.5 rounds to 0, so a node receiving 10 req/s
 *   sheds nothing at q = 0.05 and 1 at q = 0.06.
 * - A strategy that sheds by power (the framework's power_saving, dfaas's power-saving) also sheds
 *   while the predicted power exceeds POWER_SAVING_SHARE × the power threshold.
 *
 * Bounds the framework lacks (its loop never ends on a node predicted overloaded with nothing
 * left): the loop stops when every rate is 0; a step never sheds more than a function has; and
 * once q passes 1 with every rounded share still 0 (rates below 0.5 req/s, met only with
 * fractional rates) the node sheds all it has left. With the framework's integer rates q never
 * passes 0.51 (round(1 × 0.51) = 1), so none of these changes its results.
 */

/** Where shedding starts and how it grows (the framework's load_discard_percentage). */
export const SHED_START = 0.05;
export const SHED_GROWTH = 0.01;

/** Whether a strategy sheds by power too: the framework's power_saving and dfaas's power-saving. */
export function shedsByPower(strategy: string): boolean {
  return strategy === 'power_saving' || strategy === 'power-saving';
}

/** One deployed function's received rate on the node. */
export interface ReceivedRate {
  name: string;
  /** The group it is deployed under (how the node model counts it). */
  group: FunctionGroup;
  /** Requests/s received, ≥ 0. */
  rate: number;
}

export interface ShedInput {
  model: NodeModel;
  type: NodeType;
  /** The node type's thresholds (`overloaded` rule; power_usage_node also for the power rule). */
  max: NodeUsage;
  /** The node's deployed functions and what it received of each. */
  received: readonly ReceivedRate[];
  /** Shed while power > POWER_SAVING_SHARE × max power too (shedsByPower of the strategy). */
  byPower: boolean;
}

export interface ShedResult {
  /** Requests/s shed, by function (every function of `received`, 0 when none). */
  shed: Record<string, number>;
  /** Requests/s left after shedding, by function: what the node serves. */
  served: Record<string, number>;
  /** Predicted overloaded under what it received (the framework's per-instant overloaded count). */
  overloadedBefore: boolean;
  /** Still predicted overloaded after shedding (only when nothing was left to shed). */
  overloadedAfter: boolean;
  /** Predicted power after shedding (µW); undefined when the model predicts no power. */
  powerAfter: number | undefined;
  /** Shedding steps taken. */
  steps: number;
  /** The share q reached (SHED_START when it never had to grow). */
  share: number;
}

function groupTotals(received: readonly ReceivedRate[], rates: readonly number[]): GroupRates {
  const totals = zeroRates();
  received.forEach((f, i) => {
    totals[f.group] += rates[i] ?? 0;
  });
  return totals;
}

/** Sheds a node's received load by the analyzer's rule (see the module comment). */
export function shedNode(input: ShedInput): ShedResult {
  const { model, type, max, received, byPower } = input;
  const powerCap = max.power_usage_node === undefined ? undefined : max.power_usage_node * POWER_SAVING_SHARE;
  const rates = received.map((f) => f.rate);
  const shed = received.map(() => 0);
  const mustShed = (usage: NodeUsage): boolean =>
    overloaded(usage, max) ||
    (byPower &&
      powerCap !== undefined &&
      usage.power_usage_node !== undefined &&
      usage.power_usage_node > powerCap);

  let usage = model.predict(type, groupTotals(received, rates));
  const overloadedBefore = overloaded(usage, max);
  let q = SHED_START;
  let steps = 0;
  while (mustShed(usage) && rates.some((r) => r > 0)) {
    let amounts = rates.map((r) => roundHalfEven(r * q));
    while (amounts.every((a) => a === 0)) {
      if (q > 1) {
        amounts = [...rates];
        break;
      }
      q += SHED_GROWTH;
      amounts = rates.map((r) => roundHalfEven(r * q));
    }
    rates.forEach((r, i) => {
      if (r <= 0) return;
      const amount = Math.min(amounts[i] ?? 0, r);
      rates[i] = r - amount;
      shed[i] = (shed[i] ?? 0) + amount;
    });
    steps++;
    usage = model.predict(type, groupTotals(received, rates));
  }

  const byName = (values: number[]) => Object.fromEntries(received.map((f, i) => [f.name, values[i] ?? 0]));
  return {
    shed: byName(shed),
    served: byName(rates),
    overloadedBefore,
    overloadedAfter: overloaded(usage, max),
    powerAfter: usage.power_usage_node,
    steps,
    share: q,
  };
}
