import { equal } from './equal.js';
import type { FrameworkView, FrameworkWeights } from './framework-view.js';
import { nodeMargin, powerSaving } from './margin.js';

/**
 * The simulation framework's four strategies, for the simulator's `--compat framework` mode: one
 * node's weights at one instant from what the framework shows it (a FrameworkView), synchronous,
 * its defects reproduced (./equal.ts and ./margin.ts say which and where we must deviate). dfaas's
 * own, fixed versions are the live strategies of src/offload/strategies.
 */
export type FrameworkStrategy = (view: FrameworkView, id: string) => FrameworkWeights;

/** The framework's Base: every function weight 1 to the node itself, nothing forwarded, no model. */
export function base(view: FrameworkView, id: string): FrameworkWeights {
  return Object.fromEntries(view.functions(id).map((f) => [f.name, { [id]: 1 }]));
}

/** The framework's strategies by its names, in its order (config_manager's STRATEGIES). */
export const FRAMEWORK_STRATEGIES = {
  base,
  equal,
  node_margin: nodeMargin,
  power_saving: powerSaving,
} as const satisfies Record<string, FrameworkStrategy>;

export type FrameworkStrategyName = keyof typeof FRAMEWORK_STRATEGIES;

export const FRAMEWORK_STRATEGY_NAMES = Object.keys(FRAMEWORK_STRATEGIES) as FrameworkStrategyName[];
