import { overloaded } from '../model/node-model.js';
import { type FrameworkView, type FrameworkWeights, onePercent, roundedWeights } from './framework-view.js';

/**
 * The simulation framework's Equal strategy (behaviour/equal_strategy.py), defects included.
 *
 * While the node is predicted overloaded, every function with requests left loses
 * ceil(0.01 × left) of them (its group total with it) and the node is predicted again. What a
 * function lost is then spread over ALL the node's neighbours in adjacency order — the first gets
 * ⌊r/k⌋ + r mod k, the others ⌊r/k⌋ —, whether they run the function or not (D5: the analyzer
 * rejects what arrives at a node without it) and whether they are overloaded or not.
 *
 * "Overloaded" is `overloaded(usage, thresholds[type])`, the live node-margin agent's threshold
 * rule: the framework asks an overload classifier, which we do not have.
 *
 * Deviations, both where the framework fails: it loops forever when nothing is left to remove and
 * the node is still predicted overloaded (its prediction cannot change any more): we stop there.
 * A node without neighbours makes it divide by zero: we keep everything on the node.
 */
export function equal(view: FrameworkView, id: string): FrameworkWeights {
  const node = view.node(id);
  const fns = view.functions(id);
  const left: Record<string, number> = Object.fromEntries(fns.map((f) => [f.name, f.rate]));
  const groups = view.totals(id);
  const k = node.neighbours.length;

  if (k > 0) {
    const max = view.thresholds[node.type];
    let over = overloaded(view.usage(id), max);
    while (over && fns.some((f) => (left[f.name] ?? 0) > 0)) {
      for (const f of fns) {
        const l = left[f.name] ?? 0;
        if (l > 0) {
          const step = onePercent(l);
          left[f.name] = l - step;
          groups[f.group] -= step;
        }
      }
      over = overloaded(view.predict(node.type, groups), max);
    }
  }

  const removed = (name: string, rate: number) => rate - (left[name] ?? 0);
  return roundedWeights(
    view,
    id,
    (f, _nb, i) => {
      const r = removed(f.name, f.rate);
      return Math.floor(r / k) + (i === 0 ? r % k : 0);
    },
    (f) => left[f.name] ?? 0,
  );
}
