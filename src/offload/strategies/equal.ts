import { z } from 'zod';
import { compareIds, holdersOf } from '../neighbours.js';
import { type FunctionRoute, LOCAL } from '../routing.js';
import { nodeinfoStatic } from './all-local.js';
import {
  allSteps,
  isOverloaded,
  type LoadModel,
  loadModel,
  loadOf,
  movedRate,
  predictKeeping,
  STEPS,
} from './node-load.js';
import { defineStrategy, type Strategy } from './types.js';

/**
 * The DFaaS simulation framework's "equal" strategy, with its defects fixed. While this node is
 * predicted overloaded it sheds one step (1% of its rate) of every function it still has and can
 * send somewhere, and spreads what it shed equally over the neighbours that deploy the function.
 * The framework sent to every neighbour, those without the function included (their requests were
 * all rejected), and looped forever when nothing was left to shed while still overloaded.
 *
 * A step is 1% of the function's rate over the period, not the framework's ceil(1% of what is
 * left): a function's steps are then its weights exactly (integers summing to 100, nothing lost to
 * rounding), and the loop ends within 100 rounds.
 */

const equal: Strategy = async (input) => {
  const model = loadModel(input, 'equal');
  const load = loadOf(model, model.rates);
  const predictions = await model.forecaster.predict(model.nodeType, load);
  const overloaded = isOverloaded(predictions, model.thresholds);
  // Sorted, so that the result does not depend on the order the neighbours come in.
  const holders = new Map(
    [...model.rates.keys()].map((fn) => [
      fn,
      holdersOf(input.neighbours, fn)
        .map((n) => n.id)
        .sort(compareIds),
    ]),
  );
  const sheddable = [...holders]
    .filter(([fn, ids]) => ids.length > 0 && (model.rates.get(fn) ?? 0) > 0)
    .map(([fn]) => fn);
  // The routes need the shedding loop; the messages (publishOnly) do not.
  const outcome =
    overloaded && input.publishOnly !== true ? await shed(model, sheddable) : { rounds: 0, overloaded };

  const functions: Record<string, FunctionRoute> = {};
  const moved: Record<string, Record<string, number>> = {};
  for (const [fn, ids] of holders) {
    const count = sheddable.includes(fn) ? outcome.rounds : 0;
    const sent = spread(count, ids);
    // Steps are weights (STEPS = MAX_WEIGHT): what is kept and what each holder gets sum to 100.
    functions[fn] = { localLimit: null, weights: { [LOCAL]: STEPS - count, ...sent }, limitsIn: {} };
    for (const [id, steps] of Object.entries(sent)) {
      moved[id] = { ...moved[id], [fn]: movedRate(model, fn, steps) };
    }
  }
  return {
    functions,
    messages: [nodeinfoStatic(input.self)],
    decisions: {
      load,
      predictions,
      overloaded,
      rounds: outcome.rounds,
      overloadedAfter: outcome.overloaded,
      holders: Object.fromEntries(holders),
      moved,
    },
  };
};

/**
 * Sheds one step of every sheddable function per round while the node is predicted overloaded and
 * something is left to shed (they all start at STEPS steps, so they run out together). Returns the
 * rounds, i.e. the steps each of them shed, and whether the node is still predicted overloaded.
 */
async function shed(model: LoadModel, sheddable: string[]): Promise<{ rounds: number; overloaded: boolean }> {
  const stepsLeft = allSteps(model);
  let rounds = 0;
  let overloaded = true;
  while (overloaded && sheddable.length > 0 && rounds < STEPS) {
    rounds++;
    for (const fn of sheddable) stepsLeft.set(fn, STEPS - rounds);
    overloaded = isOverloaded(await predictKeeping(model, stepsLeft), model.thresholds);
  }
  return { rounds, overloaded };
}

/**
 * `count` steps split equally among the holders (sorted ids): each gets count div k, and the first
 * count mod k one more, as if the steps went round robin. Holders that get none are left out.
 */
function spread(count: number, holders: string[]): Record<string, number> {
  const sent: Record<string, number> = {};
  holders.forEach((id, i) => {
    const steps = Math.floor(count / holders.length) + (i < count % holders.length ? 1 : 0);
    if (steps > 0) sent[id] = steps;
  });
  return sent;
}

export const equalDefinition = defineStrategy({
  name: 'equal',
  description:
    'while predicted overloaded, shed 1% of every function at a time, split equally among the peers that deploy it',
  params: z.object({}),
  create: () => equal,
  // Its messages only say where the node is and what it deploys: one missed period is tolerated.
  neighbourTtlFactor: () => 2,
  needsForecaster: () => true,
  needsRtt: () => false,
});
