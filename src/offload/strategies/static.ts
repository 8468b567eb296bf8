import { z } from 'zod';
import { holdersOf } from '../neighbours.js';
import { type FunctionRoute, LOCAL, MAX_WEIGHT } from '../routing.js';
import { nodeinfoStatic } from './all-local.js';
import { defineStrategy, type Strategy } from './types.js';

export const staticDefinition = defineStrategy({
  name: 'static',
  description: 'serve a fixed share here (static_local_share) and split the rest among the holders',
  params: z.object({
    static_local_share: z
      .number()
      .min(0)
      .max(1)
      .default(0.6)
      .describe(
        "static: the share of each function's user requests served here, a fraction 0-1; the rest is split evenly among the peers that deploy it. Default: 0.6.",
      ),
  }),
  create: (params) => staticShare(params.static_local_share),
  // Its messages only say where the node is and what it deploys: one missed period is tolerated.
  neighbourTtlFactor: () => 2,
  needsForecaster: () => false,
  needsRtt: () => false,
});

/**
 * Fixed weights: `localShare` (0-1) of the requests served here and the rest split evenly among the
 * neighbours that deploy the function. Only holders get a weight: the reference agent gave one to
 * every neighbour, so requests went to peers that could only fail them.
 */
function staticShare(localShare: number): Strategy {
  return async ({ self, neighbours }) => {
    const functions: Record<string, FunctionRoute> = {};
    const holders: Record<string, string[]> = {};
    for (const { name } of self.functions) {
      const ids = holdersOf(neighbours, name).map((n) => n.id);
      holders[name] = ids;
      functions[name] = { localLimit: null, weights: staticWeights(localShare, ids), limitsIn: {} };
    }
    return { functions, messages: [nodeinfoStatic(self)], decisions: { localShare, holders } };
  };
}

function staticWeights(localShare: number, holders: string[]): Record<string, number> {
  if (holders.length === 0) return { [LOCAL]: MAX_WEIGHT };
  const weights: Record<string, number> = { [LOCAL]: Math.round(MAX_WEIGHT * localShare) };
  // With many holders an even share rounds to 0; each keeps 1 so that no holder is silently unused.
  const share = Math.round((MAX_WEIGHT * (1 - localShare)) / holders.length);
  const each = localShare < 1 ? Math.max(1, share) : 0;
  for (const id of holders) weights[id] = each;
  return weights;
}
