import type { ForwardingMatrix, RoundsInstant } from '../engines/rounds-result.js';
import type { SimInstance } from '../instances/instance.js';
import type { NodeModel, Thresholds } from '../model/node-model.js';
import { FRAMEWORK_STRATEGIES, type FrameworkStrategyName } from './framework-strategies.js';
import { frameworkView, type ModelCalls } from './framework-view.js';

/**
 * One instant of the simulation framework's simulation.py for one strategy: the strategy's weights
 * for every node, then its complete_fwd_table — requests = int(weight × offered rate), a
 * truncation that loses requests (D4: 25/303 and 22/303 of 303, rounded to 0.0825 and 0.0726,
 * give 24 and 21, so 24 + 4 × 21 + 190 = 298 of 303 leave a node) and, with NodeMargin's phantom
 * forwards (D1), may also send more than offered.
 *
 * Each node that offers a function at t has a row in the function's matrix, with an entry for
 * every node its weights name (Base: itself; the others: its neighbours and itself), 0 included.
 * The framework's tables have every node × every node; the absent entries are its zeros. `refused`
 * stays empty: the framework's strategies set no limits. The model's predictions, offered-load ones
 * included, are counted in `calls`.
 */
export function frameworkRound(
  instance: SimInstance,
  t: number,
  strategy: FrameworkStrategyName,
  model: NodeModel,
  thresholds: Thresholds,
  calls?: ModelCalls,
): RoundsInstant {
  const view = frameworkView(instance, t, model, thresholds, calls);
  const weightsOf = FRAMEWORK_STRATEGIES[strategy];
  const forwarding: Record<string, ForwardingMatrix> = {};
  for (const node of instance.nodes) {
    const weights = weightsOf(view, node.id);
    for (const fn of view.functions(node.id)) {
      const row: Record<string, number> = {};
      for (const [to, w] of Object.entries(weights[fn.name] ?? {})) row[to] = Math.trunc(w * fn.rate);
      const matrix = forwarding[fn.name] ?? {};
      matrix[node.id] = row;
      forwarding[fn.name] = matrix;
    }
  }
  return { forwarding, refused: {} };
}
