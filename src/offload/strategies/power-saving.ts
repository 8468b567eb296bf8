import { z } from 'zod';
import { StrategyInputError } from '../errors.js';
import { type MarginRules, marginOffload } from './margin-offload.js';
import { isOverloaded, type Metrics } from './node-load.js';
import { defineStrategy, type Strategy } from './types.js';

/**
 * The DFaaS simulation framework's "power saving" strategy, with its defect fixed: node-margin's
 * skeleton (./margin-offload.ts) measured in power. A node's budget is `share` of its power
 * threshold; its usage is its predicted power in percent of that budget. It offers a margin only
 * when it is not overloaded and below its budget, and it moves load while it is overloaded or
 * above its budget. An accepted step relieves it of all the step moves (the framework counted one
 * request of it, so the node kept shedding more than it needed).
 */

export const powerSavingDefinition = defineStrategy({
  name: 'power-saving',
  description:
    'node-margin in power: keep the predicted power under power_saving_share of its threshold, offer the rest',
  params: z.object({
    power_saving_share: z
      .number()
      .positive()
      .max(1)
      .default(0.7)
      .describe(
        'power-saving: the share of the power threshold (thresholds.power_usage_node) a node keeps its predicted power under: it moves load above it and offers what is left below it, a fraction 0-1. Default: 0.7.',
      ),
  }),
  create: (params) => powerSaving(params.power_saving_share),
  // Its margins and loads describe the node for a while: one missed period is tolerated.
  neighbourTtlFactor: () => 2,
  needsForecaster: () => true,
  needsRtt: () => false,
});

function powerSaving(share: number): Strategy {
  const rules = powerRules(share);
  return async (input) => {
    const plan = await marginOffload(input, rules);
    const { load, predictions, relieve, usage, margin, moved } = plan;
    return {
      functions: plan.functions,
      messages: plan.messages,
      decisions: {
        load,
        predictions,
        overloaded: isOverloaded(predictions, input.self.thresholds),
        powerBudget: powerBudget(share, input.self.thresholds),
        relieve,
        usagePct: usage,
        margin,
        moved,
      },
    };
  };
}

/** Usage and relief in power, for a node (this one, or a neighbour by its MaxValues) whose budget
 * is `share` of its power threshold. */
function powerRules(share: number): MarginRules {
  return {
    strategy: 'power-saving',
    usage: (predictions, thresholds) => (100 * power(predictions)) / powerBudget(share, thresholds),
    needsRelief: (predictions, thresholds) =>
      isOverloaded(predictions, thresholds) || power(predictions) > powerBudget(share, thresholds),
    check: (predictions, thresholds) => {
      if (Number.isNaN(powerBudget(share, thresholds)))
        throw new StrategyInputError(
          'power-saving needs a power threshold (thresholds.power_usage_node)',
          "set agent.thresholds.power_usage_node, in the units of the forecaster's power model (microwatts with dfaas's models)",
        );
      if (!Number.isFinite(power(predictions)))
        throw new StrategyInputError(
          'power-saving needs a power prediction: the forecaster predicted no power_usage_node',
          'use models trained on samples with the power measured (Scaphandre); the committed example models have none',
        );
    },
  };
}

/** The predicted power; NaN without one. */
function power(predictions: Metrics): number {
  return predictions.power_usage_node ?? Number.NaN;
}

/** share × the power threshold; NaN without a usable threshold (a neighbour's MaxValues may lack it). */
function powerBudget(share: number, thresholds: Metrics): number {
  const max = thresholds.power_usage_node;
  return max !== undefined && Number.isFinite(max) && max > 0 ? share * max : Number.NaN;
}
