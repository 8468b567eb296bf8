import { z } from 'zod';
import { compareIds } from '../neighbours.js';
import { type FunctionRoute, LOCAL, MAX_WEIGHT } from '../routing.js';
import { nodeMarginDefinition } from './node-margin.js';
import { recalcDefinition } from './recalc.js';
import { defineStrategy, type Neighbour, type Strategy, type StrategyDefinition } from './types.js';

/** The strategies whose weights latency-aware can narrow, by the name latency_base takes. */
const BASES = {
  recalc: recalcDefinition,
  'node-margin': nodeMarginDefinition,
} satisfies Record<string, StrategyDefinition>;
type BaseName = keyof typeof BASES;

export const latencyAwareDefinition = defineStrategy({
  name: 'latency-aware',
  description: 'narrow a base strategy (latency_base) to the latency_k nearest peers by RTT',
  params: z.object({
    // The bases' own parameters pass through to them.
    ...recalcDefinition.params.shape,
    ...nodeMarginDefinition.params.shape,
    latency_k: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe(
        'latency-aware: forward each function only to this many peers, those of lowest RTT. Default: 2.',
      ),
    latency_base: z
      .enum(Object.keys(BASES) as [BaseName, ...BaseName[]])
      .default('recalc')
      .describe('latency-aware: the strategy whose weights it narrows. Default: recalc.'),
  }),
  create: (params) =>
    latencyAware(
      withBase(params, (base, p) => base.create(p)),
      { k: params.latency_k },
    ),
  // The base's messages are what the neighbours' entries hold.
  neighbourTtlFactor: (params) => withBase(params, (base, p) => base.neighbourTtlFactor(p)),
  needsForecaster: (params) => withBase(params, (base, p) => base.needsForecaster(p)),
  needsRtt: () => true,
});

/** Calls `use` with the base definition and its parameters (parsed from ours). */
function withBase<T>(
  params: { latency_base: BaseName },
  use: (base: StrategyDefinition, baseParams: Record<string, unknown>) => T,
): T {
  const base: StrategyDefinition = BASES[params.latency_base];
  return use(base, base.params.parse(params));
}

export interface LatencyAwareOptions {
  /** How many of the nearest peers (by RTT) a function may be forwarded to: an integer >= 1. */
  k: number;
}

/**
 * Forwards each function only to the `k` nearest of the peers the base strategy gave a weight,
 * so that offloaded requests do not cross the whole network. The control plane stays a full mesh:
 * the base's messages and limitsIn are unchanged, only its weights are narrowed.
 * (From the reference project's list of improvements.)
 */
export function latencyAware(base: Strategy, { k }: LatencyAwareOptions): Strategy {
  return async (input) => {
    const result = await base(input);
    const rtts = new Map(input.neighbours.filter(hasRtt).map((n) => [n.id, n.rttMs]));
    const functions: Record<string, FunctionRoute> = {};
    const nearest: Record<string, string[]> = {};
    for (const [fn, route] of Object.entries(result.functions)) {
      const kept = nearestPeers(route.weights, rtts, k);
      nearest[fn] = kept;
      functions[fn] = { ...route, weights: narrowWeights(route, kept) };
    }
    return { ...result, functions, decisions: { ...result.decisions, nearest } };
  };
}

function hasRtt(n: Neighbour): n is Neighbour & { rttMs: number } {
  return n.rttMs !== undefined;
}

/** The k peers with a weight > 0 and the lowest RTT (ties by id); an unmeasured peer is not eligible. */
function nearestPeers(weights: Record<string, number>, rtts: Map<string, number>, k: number): string[] {
  return Object.entries(weights)
    .filter(([id, w]) => id !== LOCAL && w > 0 && rtts.has(id))
    .map(([id]) => ({ id, rtt: rtts.get(id) as number }))
    .sort((a, b) => a.rtt - b.rtt || compareIds(a.id, b.id))
    .slice(0, k)
    .map((p) => p.id);
}

/**
 * The route's weights with every peer not in `kept` at 0. The kept peers share the peers' total
 * in proportion to their weights; with no peer kept, the dropped weight goes to LOCAL when the
 * weights alone decide (localLimit null), and is dropped when a local limit serves here first
 * (the overflow has nowhere to go but to peers). A weight never exceeds MAX_WEIGHT, so a single
 * kept peer or LOCAL may lose a little of a total above 100.
 */
function narrowWeights(route: FunctionRoute, kept: string[]): Record<string, number> {
  const weights = { ...route.weights };
  let peersTotal = 0;
  for (const [id, w] of Object.entries(weights)) {
    if (id === LOCAL) continue;
    peersTotal += w;
    weights[id] = 0;
  }
  if (kept.length > 0) {
    const shares = apportion(
      peersTotal,
      kept.map((id) => route.weights[id] ?? 0),
    );
    kept.forEach((id, i) => {
      weights[id] = Math.min(MAX_WEIGHT, shares[i] ?? 0);
    });
  } else if (route.localLimit === null && peersTotal > 0) {
    weights[LOCAL] = Math.min(MAX_WEIGHT, (weights[LOCAL] ?? 0) + peersTotal);
  }
  return weights;
}

/**
 * Splits the integer `total` in proportion to `parts` (largest remainder: floors, then one more
 * to the largest fractions, earlier parts first on ties), so the shares add up to `total`.
 */
function apportion(total: number, parts: number[]): number[] {
  const sum = parts.reduce((a, b) => a + b, 0);
  const exact = parts.map((p) => (total * p) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, frac: x - Math.floor(x) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    left--;
  }
  return shares;
}
