import { ConfigError } from '../../core/errors.js';
import { NODE_METRICS } from '../../dataset/node-metrics.js';
import type { FunctionGroup, NodeType } from '../instances/instance.js';
import { type GroupRates, type NodeUsage, overloaded, POWER_SAVING_SHARE } from '../model/node-model.js';
import { pyRound } from '../python-round.js';
import { type FrameworkView, type FrameworkWeights, onePercent, roundedWeights } from './framework-view.js';

/**
 * The simulation framework's NodeMargin and PowerSaving strategies (behaviour/node_margin_strategy.py,
 * behaviour/power_saving_strategy.py: one skeleton, told apart by MarginRules), defects included.
 *
 * 1. Margin, published by every node: 0 when the node takes nothing (see the rules) or when none
 *    of its neighbours shares a function with it; otherwise round((100 − usage %) / k, 4), k the
 *    number of neighbours sharing at least one function. It counts the node's offered load only
 *    (D6: what third parties forward to it is not seen).
 * 2. An overloaded node (one that still sheds) takes as candidates its neighbours with a margin
 *    ≠ 0 and a shared function, in node index order (the framework walks its config, not the
 *    adjacency list), each with the shared functions. Round robin over the candidates, and over
 *    each one's functions: for (neighbour, f) with requests of f left, it adds
 *    step = ceil(0.01 × left) to what it sends there and predicts the neighbour at its offered group
 *    totals plus everything sent to it; the neighbour accepts when its margin ≥ its usage % after
 *    − before. Accepted: f's requests left fall by step, the node's group total by the rule's
 *    relief, and the node is predicted again. Rejected: the rule's undo is taken back and f leaves
 *    that neighbour's list (a neighbour whose list empties leaves the round). A function with
 *    nothing left leaves every list. It ends when the node no longer sheds or no candidate is left.
 * 3. Weights: round(sent / offered, 4) per neighbour, round(left / offered, 4) for the node itself.
 *
 * Kept as the framework has them:
 * - after a function leaves a neighbour's list, the framework points that neighbour at index −1 and
 *   never moves the pointer again (its increment skips −1), so from then on the neighbour is
 *   offered the LAST function of its list every time, not the round robin's next;
 * - the rules' defects: D1 (NodeMargin takes back 1, not step) and D2 (PowerSaving's relief of 1).
 *
 * Deviations:
 * - "Overloaded" is `overloaded(usage, thresholds[type])`, the live node-margin agent's threshold
 *   rule: the framework asks an overload classifier, which we do not have.
 * - D3: the framework orders the shared functions by `list(set(...) & ...)`, i.e. by Python's
 *   string hashes, which change from run to run; we take them in the node's own function order.
 * - The framework predicts a neighbour's usage before the transfer again at every attempt; it is
 *   the neighbour's offered-load prediction, so we reuse that one (same numbers, fewer calls).
 */

/** What tells NodeMargin and PowerSaving apart. */
interface MarginRules {
  /** The usage % a node's margin comes from; undefined when it publishes a margin of 0. */
  published(view: FrameworkView, type: NodeType, usage: NodeUsage): number | undefined;
  /** A neighbour's usage % in the acceptance test (before and after the transfer). */
  tested(view: FrameworkView, type: NodeType, usage: NodeUsage): number;
  /** Whether a node predicted `usage` goes on shedding. */
  sheds(view: FrameworkView, type: NodeType, usage: NodeUsage): boolean;
  /** How much an accepted transfer of `step` lowers the node's own group total. */
  relief(step: number): number;
  /** How much of a rejected transfer of `step` is taken back. */
  undo(step: number): number;
}

/**
 * The mean over cpu, ram and power (those with a prediction and a threshold) of 100 × usage / max;
 * undefined when one is above its max.
 */
function meanUsagePercent(usage: NodeUsage, max: NodeUsage): number | undefined {
  let sum = 0;
  let n = 0;
  for (const metric of NODE_METRICS) {
    const u = usage[metric];
    const m = max[metric];
    if (u === undefined || m === undefined || m <= 0) continue;
    if (u > m) return undefined;
    sum += (u * 100) / m;
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

const NODE_MARGIN: MarginRules = {
  published: (view, type, usage) =>
    overloaded(usage, view.thresholds[type]) ? undefined : meanUsagePercent(usage, view.thresholds[type]),
  // A neighbour pushed over a threshold counts as fully used.
  tested: (view, type, usage) => meanUsagePercent(usage, view.thresholds[type]) ?? 100,
  sheds: (view, type, usage) => overloaded(usage, view.thresholds[type]),
  relief: (step) => step,
  undo: () => 1, // D1: the rest of the step stays as phantom forwards
};

/** The predicted power and the framework's MAX_POWER_USAGE (0.7 × the power threshold). */
function power(view: FrameworkView, type: NodeType, usage: NodeUsage): { now: number; cap: number } {
  const now = usage.power_usage_node;
  const max = view.thresholds[type].power_usage_node;
  if (now === undefined || max === undefined)
    throw new ConfigError('power_saving', [
      {
        field: 'power_usage_node',
        message: `needs a power prediction from the node model and a power threshold for ${type} nodes`,
      },
    ]);
  return { now, cap: max * POWER_SAVING_SHARE };
}

const POWER_SAVING: MarginRules = {
  published(view, type, usage) {
    const p = power(view, type, usage);
    return overloaded(usage, view.thresholds[type]) || p.now >= p.cap ? undefined : (p.now * 100) / p.cap;
  },
  tested(view, type, usage) {
    const p = power(view, type, usage);
    return (p.now * 100) / p.cap;
  },
  sheds(view, type, usage) {
    const p = power(view, type, usage);
    return overloaded(usage, view.thresholds[type]) || p.now > p.cap;
  },
  relief: () => 1, // D2: its own re-prediction sees 1 request/s less whatever it sent
  undo: (step) => step,
};

const RULES = { node_margin: NODE_MARGIN, power_saving: POWER_SAVING } as const;
export type MarginStrategyName = keyof typeof RULES;

/** The margin the node publishes at the view's instant under NodeMargin's or PowerSaving's rules. */
export function frameworkMargin(view: FrameworkView, id: string, strategy: MarginStrategyName): number {
  const node = view.node(id);
  const usage = RULES[strategy].published(view, node.type, view.usage(id));
  if (usage === undefined) return 0;
  const fns = view.functions(id);
  const k = node.neighbours.filter((nb) => fns.some((f) => view.offers(nb, f.name))).length;
  return k === 0 ? 0 : pyRound((100 - usage) / k, 4);
}

interface Candidate {
  id: string;
  margin: number;
  /** The shared functions still on offer to it, in the node's function order (D3 fixed). */
  functions: string[];
  /** Index of the function it is offered next; −1 (the last) once one has left the list. */
  next: number;
  /** Requests/s of each shared function sent to it, phantoms included. */
  sent: Record<string, number>;
}

function candidates(view: FrameworkView, id: string, strategy: MarginStrategyName): Candidate[] {
  const fns = view.functions(id);
  const out: Candidate[] = [];
  const byIndex = [...view.node(id).neighbours].sort((a, b) => view.index(a) - view.index(b));
  for (const nb of byIndex) {
    const shared = fns.filter((f) => view.offers(nb, f.name)).map((f) => f.name);
    if (shared.length === 0) continue;
    const margin = frameworkMargin(view, nb, strategy);
    if (margin !== 0)
      out.push({
        id: nb,
        margin,
        functions: shared,
        next: 0,
        sent: Object.fromEntries(shared.map((f) => [f, 0])),
      });
  }
  return out;
}

/** Takes `fn` off the candidate's list; true when that empties it and it leaves `all`. */
function drop(all: Candidate[], c: Candidate, fn: string): boolean {
  c.functions.splice(c.functions.indexOf(fn), 1);
  c.next = -1;
  if (c.functions.length > 0) return false;
  all.splice(all.indexOf(c), 1);
  return true;
}

function offload(view: FrameworkView, id: string, strategy: MarginStrategyName): FrameworkWeights {
  const rules = RULES[strategy];
  const node = view.node(id);
  const fns = view.functions(id);
  const groupOf = new Map<string, FunctionGroup>(fns.map((f) => [f.name, f.group]));
  const left: Record<string, number> = Object.fromEntries(fns.map((f) => [f.name, f.rate]));
  const groups = view.totals(id);
  let usage = view.usage(id);
  const all = rules.sheds(view, node.type, usage) ? candidates(view, id, strategy) : [];
  const sentTo = new Map(all.map((c) => [c.id, c.sent]));

  const withSent = (c: Candidate): GroupRates => {
    const rates = view.totals(c.id);
    for (const [fn, n] of Object.entries(c.sent)) rates[groupOf.get(fn) as FunctionGroup] += n;
    return rates;
  };

  let turn = 0; // index of the candidate whose turn it is
  while (all.length > 0 && rules.sheds(view, node.type, usage)) {
    const c = all[turn] as Candidate;
    const fn = c.functions.at(c.next) as string;
    const l = left[fn] ?? 0;
    if (l > 0) {
      const step = onePercent(l);
      c.sent[fn] = (c.sent[fn] ?? 0) + step;
      const to = view.node(c.id);
      const before = rules.tested(view, to.type, view.usage(c.id));
      const after = rules.tested(view, to.type, view.predict(to.type, withSent(c)));
      if (c.margin >= after - before) {
        left[fn] = l - step;
        groups[groupOf.get(fn) as FunctionGroup] -= rules.relief(step);
        usage = view.predict(node.type, groups);
      } else {
        c.sent[fn] = (c.sent[fn] ?? 0) - rules.undo(step);
        if (drop(all, c, fn)) turn = -1;
      }
    } else {
      for (const other of [...all]) if (other.functions.includes(fn) && drop(all, other, fn)) turn = -1;
    }
    turn = turn + 1 >= all.length ? 0 : turn + 1;
    // The framework's guard: a pointer at −1 is never advanced again.
    if (c.next !== -1) c.next = c.next + 1 === c.functions.length ? 0 : c.next + 1;
  }

  return roundedWeights(
    view,
    id,
    (f, nb) => sentTo.get(nb)?.[f.name] ?? 0,
    (f) => left[f.name] ?? 0,
  );
}

/** The framework's NodeMargin for node `id` at the view's instant. */
export function nodeMargin(view: FrameworkView, id: string): FrameworkWeights {
  return offload(view, id, 'node_margin');
}

/**
 * The framework's PowerSaving for node `id` at the view's instant: NodeMargin's skeleton, with
 * power alone (usage % = 100 × power / (0.7 × the power threshold)); a node publishes a margin
 * only below that cap and sheds while overloaded OR above it. D2 kept: an accepted transfer lowers
 * the node's own group total by 1, whatever it sent, so its re-prediction under-states the relief
 * and it goes on sending. Its undo is right (the whole step). Needs a model that predicts power
 * (a ConfigError otherwise).
 */
export function powerSaving(view: FrameworkView, id: string): FrameworkWeights {
  return offload(view, id, 'power_saving');
}
