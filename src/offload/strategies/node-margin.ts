import { z } from 'zod';
import { type MarginRules, marginOffload } from './margin-offload.js';
import { isOverloaded, usagePct } from './node-load.js';
import { defineStrategy, type Strategy } from './types.js';

export { isOverloaded, usagePct } from './node-load.js';

/**
 * The reference "node margin strategy", with its defects fixed (see ./margin-offload.ts). A node's
 * usage is the mean of its predicted metrics in percent of their thresholds; it needs relief when
 * some metric is predicted above its threshold.
 */
const NODE_MARGIN_RULES: MarginRules = {
  strategy: 'node-margin',
  usage: usagePct,
  needsRelief: isOverloaded,
};

const nodeMargin: Strategy = async (input) => {
  const plan = await marginOffload(input, NODE_MARGIN_RULES);
  const { load, predictions, relieve, usage, margin, moved } = plan;
  return {
    functions: plan.functions,
    messages: plan.messages,
    decisions: { load, predictions, overloaded: relieve, usagePct: usage, margin, moved },
  };
};

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
