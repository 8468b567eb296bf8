/**
 * Names and defaults the CLI's help lists, written out here so that `--help` loads neither the strategy
 * registry nor the forecast models (test/cli/names.test.ts keeps each list equal to its source).
 * The commands check a value against the registry itself when they run.
 */

/** src/offload/strategies/index.ts: STRATEGY_NAMES, DEFAULT_STRATEGY. */
export const STRATEGY_NAMES_FOR_HELP = [
  'all-local',
  'static',
  'recalc',
  'equal',
  'node-margin',
  'power-saving',
  'latency-aware',
] as const;
export const DEFAULT_STRATEGY_FOR_HELP = 'recalc';

/** src/forecast/model.ts: MODEL_TYPES (the first is the default). */
export const MODEL_TYPES_FOR_HELP = ['regression', 'quantile005', 'quantile095'] as const;

/** src/platform/embedded/function-settings.ts: DEFAULT_MAX_REPLICAS, the default of --max-replicas. */
export const DEFAULT_MAX_REPLICAS_FOR_HELP = 50;
