import type { z } from 'zod';
import { ConfigError, issuesFromZod } from '../../core/errors.js';
import { allLocalDefinition } from './all-local.js';
import { equalDefinition } from './equal.js';
import { latencyAwareDefinition } from './latency-aware.js';
import { nodeMarginDefinition } from './node-margin.js';
import { powerSavingDefinition } from './power-saving.js';
import { recalcDefinition } from './recalc.js';
import { staticDefinition } from './static.js';
import type { Strategy, StrategyDefinition } from './types.js';

export type * from './types.js';

/**
 * The registry of offloading strategies: every definition, and what the node configuration, the
 * CLI, the live agent and the simulator ask of a strategy by its name. Adding a strategy is one
 * new file exporting its definition and one entry in STRATEGIES.
 */

export const STRATEGIES = [
  allLocalDefinition,
  staticDefinition,
  recalcDefinition,
  equalDefinition,
  nodeMarginDefinition,
  powerSavingDefinition,
  latencyAwareDefinition,
] as const;

export type StrategyName = (typeof STRATEGIES)[number]['name'];

/** The names, in the registry's order (the node configuration's `agent.strategy` enum). */
export const STRATEGY_NAMES = STRATEGIES.map((d) => d.name) as [StrategyName, ...StrategyName[]];

/** The strategy a node runs when its configuration names none. */
export const DEFAULT_STRATEGY: StrategyName = 'recalc';

/** Every strategy's parameters in one object shape (their names are unique across strategies). */
type ParamShapes = UnionToIntersection<(typeof STRATEGIES)[number]['params']['shape']>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

/** The parameters of all the strategies, for a configuration schema to spread into its own. */
export const STRATEGY_PARAMS = Object.assign({}, ...STRATEGIES.map((d) => d.params.shape)) as ParamShapes;

/** Parameters as a caller gives them: any strategy's, each optional (defaults fill the rest). */
export type StrategyParams = Partial<z.input<z.ZodObject<ParamShapes>>>;

export function strategyDefinition(name: StrategyName): StrategyDefinition {
  const definition: StrategyDefinition | undefined = STRATEGIES.find((d) => d.name === name);
  if (definition === undefined) {
    throw new ConfigError('strategy', [
      { field: 'name', message: `unknown strategy ${name}; one of ${STRATEGY_NAMES.join(', ')}` },
    ]);
  }
  return definition;
}

/**
 * The named strategy's definition and its parameters picked from `params` (which may hold other
 * strategies' parameters too) with the defaults filled in; bad values are a ConfigError naming them.
 */
function resolve(name: StrategyName, params: StrategyParams): [StrategyDefinition, Record<string, unknown>] {
  const definition = strategyDefinition(name);
  const parsed = definition.params.safeParse(params);
  if (!parsed.success) throw new ConfigError(`strategy ${name}`, issuesFromZod(parsed.error));
  return [definition, parsed.data];
}

export function createStrategy(name: StrategyName, params: StrategyParams = {}): Strategy {
  const [definition, parsed] = resolve(name, params);
  return definition.create(parsed);
}

/** How long a neighbour's entry lives without a message: the strategy's factor × the period. */
export function neighbourTtlMs(name: StrategyName, periodMs: number, params: StrategyParams = {}): number {
  const [definition, parsed] = resolve(name, params);
  return definition.neighbourTtlFactor(parsed) * periodMs;
}

/** Whether the strategy calls input.forecaster (and needs input.groups). */
export function needsForecaster(name: StrategyName, params: StrategyParams = {}): boolean {
  const [definition, parsed] = resolve(name, params);
  return definition.needsForecaster(parsed);
}

/** Whether the strategy reads the neighbours' RTTs (the agent pings them every period). */
export function needsRtt(name: StrategyName, params: StrategyParams = {}): boolean {
  const [definition, parsed] = resolve(name, params);
  return definition.needsRtt(parsed);
}
