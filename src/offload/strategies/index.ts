import { NODE_STRATEGIES, type NodeStrategyName } from '../../node/config.js';
import { allLocal } from './all-local.js';
import { latencyAware } from './latency-aware.js';
import { nodeMargin } from './node-margin.js';
import { recalc } from './recalc.js';
import { staticStrategy } from './static.js';
import type { Strategy } from './types.js';

export { NODE_METRICS } from '../../dataset/node-metrics.js';
export { holdersOf, NeighbourTable } from '../neighbours.js';
export { allLocal } from './all-local.js';
export { type LatencyAwareOptions, latencyAware } from './latency-aware.js';
export { isOverloaded, nodeMargin, usagePct } from './node-margin.js';
export { type RecalcDecision, recalc } from './recalc.js';
export { type StaticOptions, staticStrategy } from './static.js';
export type * from './types.js';

/** The names a node configuration takes (config/node.ts owns the list). */
export const STRATEGY_NAMES = NODE_STRATEGIES;
export type StrategyName = NodeStrategyName;

export interface StrategyParams {
  /** static: share of the requests served locally, 0-1 (default 0.6). */
  staticLocalShare?: number;
  /** latency-aware: how many nearest peers a function may go to (default 2). */
  latencyK?: number;
  /** latency-aware: the strategy whose weights it narrows (default recalc). */
  latencyBase?: 'recalc' | 'node-margin';
}

const DEFAULT_LATENCY_BASE = 'recalc';

export function createStrategy(name: StrategyName, params: StrategyParams = {}): Strategy {
  switch (name) {
    case 'all-local':
      return allLocal;
    case 'static':
      return staticStrategy({ localShare: params.staticLocalShare ?? 0.6 });
    case 'recalc':
      return recalc;
    case 'node-margin':
      return nodeMargin;
    case 'latency-aware':
      return latencyAware(createStrategy(latencyBase(params)), { k: params.latencyK ?? 2 });
  }
}

/**
 * How long a neighbour's entry lives without a message. recalc's limits are only valid for the
 * period they were computed in, so its neighbours expire soon after one period (1.2×); the other
 * strategies publish less critical facts and tolerate one missed period (2×).
 */
export function neighbourTtlMs(name: StrategyName, periodMs: number, params: StrategyParams = {}): number {
  const usesRecalc = name === 'recalc' || (name === 'latency-aware' && latencyBase(params) === 'recalc');
  return (usesRecalc ? 1.2 : 2) * periodMs;
}

/** Whether the strategy calls input.forecaster (and needs input.groups). */
export function needsForecaster(name: StrategyName, params: StrategyParams = {}): boolean {
  return name === 'node-margin' || (name === 'latency-aware' && latencyBase(params) === 'node-margin');
}

function latencyBase(params: StrategyParams): 'recalc' | 'node-margin' {
  return params.latencyBase ?? DEFAULT_LATENCY_BASE;
}
