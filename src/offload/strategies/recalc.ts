import { z } from 'zod';
import type { NodeInfoRecalc } from '../messages.js';
import { compareIds, holdersOf } from '../neighbours.js';
import { allLocalRoute, type FunctionRoute, LOCAL, MAX_WEIGHT } from '../routing.js';
import {
  type DeployedFunction,
  defineStrategy,
  type Neighbour,
  type Strategy,
  type StrategyInput,
} from './types.js';

/** Why recalc routed a function as it did (one entry per function in the decision log). */
export interface RecalcDecision {
  /** User requests/s over the last period. */
  rate: number;
  maxRate: number | null;
  overloaded: boolean;
  /** Requests/s offered to the holders altogether (0 when overloaded or without maxRate). */
  margin: number;
}

/** One function's outcome: its route and the requests/s each neighbour may send us. */
interface Plan {
  route: FunctionRoute;
  decision: RecalcDecision;
}

/**
 * The reference "recalc" strategy. Each function has a capacity, its maxRate. A node below it
 * offers the spare rate (maxRate − rate) to the neighbours that deploy the function, split evenly;
 * a node at or above it serves maxRate locally and sends the rest to the neighbours that offered
 * it something, in proportion to their offers (as weights: see ../routing.ts for why).
 */
const recalc: Strategy = async (input) => {
  const functions: Record<string, FunctionRoute> = {};
  const decisions: Record<string, RecalcDecision> = {};
  for (const fn of input.self.functions) {
    const plan = planFunction(fn, input.self.userRates[fn.name] ?? 0, input.neighbours);
    functions[fn.name] = plan.route;
    decisions[fn.name] = plan.decision;
  }
  return { functions, messages: [nodeinfoRecalc(input, functions)], decisions: { functions: decisions } };
};

export const recalcDefinition = defineStrategy({
  name: 'recalc',
  description:
    "offer spare capacity below each function's dfaas.maxrate; forward the excess to the peers that offered",
  params: z.object({}),
  create: () => recalc,
  // Its limits are only valid for the period they were computed in: a neighbour expires soon
  // after one period without a message.
  neighbourTtlFactor: () => 1.2,
  needsForecaster: () => false,
  needsRtt: () => false,
});

function planFunction(fn: DeployedFunction, rate: number, neighbours: Neighbour[]): Plan {
  const m = fn.maxRate;
  const closed = Object.fromEntries(neighbours.map((n) => [n.id, 0]));
  if (m === null) {
    // No capacity declared: serve everything here and never forward or offer anything.
    return {
      route: { ...allLocalRoute(), limitsIn: closed },
      decision: { rate, maxRate: null, overloaded: false, margin: 0 },
    };
  }
  const holders = holdersOf(neighbours, fn.name);
  const overloaded = rate >= m;
  if (overloaded) {
    return {
      route: {
        localLimit: m,
        weights: overloadWeights(fn.name, m / rate, holders, closed),
        limitsIn: closed,
      },
      decision: { rate, maxRate: m, overloaded, margin: 0 },
    };
  }
  // A float on purpose: the reference truncated to an integer and divided by the number of
  // holders in integers, so a margin below the number of holders was offered as 0.
  const margin = m - rate;
  const limitsIn = { ...closed };
  for (const h of holders) limitsIn[h.id] = margin / holders.length;
  return {
    route: { localLimit: m, weights: { ...closed, [LOCAL]: MAX_WEIGHT }, limitsIn },
    decision: { rate, maxRate: m, overloaded, margin },
  };
}

/**
 * An overloaded function's weights: this node keeps the share maxRate/rate of the requests (the
 * proxy caps it at maxRate anyway), and the rest goes to the holders in proportion to what each
 * lets us send it (its limitsOut). A small offer keeps weight 1 rather than rounding to 0, or the
 * holder would never get a request.
 */
function overloadWeights(
  fn: string,
  localShare: number,
  holders: Neighbour[],
  closed: Record<string, number>,
): Record<string, number> {
  const offers = holders.map((h) => [h.id, h.limitsOut[fn] ?? 0] as const).filter(([, offer]) => offer > 0);
  const local = Math.max(1, Math.round(localShare * MAX_WEIGHT));
  const rest = MAX_WEIGHT - local;
  const total = offers.reduce((sum, [, offer]) => sum + offer, 0);
  return {
    ...closed,
    [LOCAL]: local,
    ...Object.fromEntries(offers.map(([id, offer]) => [id, Math.max(1, Math.round((offer * rest) / total))])),
  };
}

/**
 * What we offer every peer, for every deployed function (0 when nothing). Peers connected but not
 * heard from yet are included: they learn our function list from the keys, and the reference
 * ignores a nodeinfoRecalc that does not list it.
 */
function nodeinfoRecalc(input: StrategyInput, routes: Record<string, FunctionRoute>): NodeInfoRecalc {
  const peers = new Set([...input.connectedPeers, ...input.neighbours.map((n) => n.id)]);
  peers.delete(input.self.id);
  const funcLimits: NodeInfoRecalc['FuncLimits'] = {};
  for (const peer of [...peers].sort(compareIds)) {
    funcLimits[peer] = Object.fromEntries(
      input.self.functions.map((fn) => [fn.name, routes[fn.name]?.limitsIn[peer] ?? 0]),
    );
  }
  return {
    MsgType: 'nodeinfoRecalc',
    HAProxyHost: input.self.proxy.host,
    HAProxyPort: input.self.proxy.port,
    FuncLimits: funcLimits,
  };
}
