import { dominates, type PlannedConfig } from './plan.js';

/**
 * Frontier refinement: a grid of rates puts few configurations near the edge between "the node
 * copes" and "the node is overloaded", so a model learns that edge poorly. After the grid, each
 * overloaded configuration is paired with each of its largest non-overloaded neighbours (same
 * functions, every rate at most its own, and not below another such configuration), and the
 * segment between them is bisected down to `rateStep`: the midpoint is run, and becomes the new
 * upper end if it overloaded the node, the lower end if not.
 */

/** One edge to bisect: `below` did not overload the node, `above` did. */
export interface FrontierSegment {
  below: Record<string, number>;
  above: Record<string, number>;
}

/** What the grid found of a configuration: its rates, and whether most of its runs overloaded the node. */
export interface Outcome {
  rates: Record<string, number>;
  overloaded: boolean;
}

/**
 * The segments to bisect, from the grid's outcomes in plan order (so a resumed sweep finds the
 * same ones): for each overloaded configuration, one segment per largest non-overloaded
 * configuration it dominates.
 */
export function frontierSegments(outcomes: readonly Outcome[]): FrontierSegment[] {
  const segments: FrontierSegment[] = [];
  for (const above of outcomes.filter((o) => o.overloaded)) {
    const below = outcomes.filter((o) => !o.overloaded && dominates(above.rates, o.rates));
    const largest = below.filter((b) => !below.some((other) => dominates(other.rates, b.rates)));
    for (const b of largest) segments.push({ below: b.rates, above: above.rates });
  }
  return segments;
}

/**
 * The configuration halfway between the ends of a segment, each function's rate rounded to a
 * multiple of `rateStep` from its lower end; undefined once no function's rates are more than
 * `rateStep` apart (the segment is refined).
 */
export function midpoint(segment: FrontierSegment, rateStep: number): Record<string, number> | undefined {
  const names = Object.keys(segment.above);
  const gap = (n: string) => (segment.above[n] as number) - (segment.below[n] as number);
  if (!names.some((n) => gap(n) > rateStep + 1e-9)) return undefined;
  const mid: Record<string, number> = {};
  for (const n of names.sort()) {
    const steps = Math.round(gap(n) / 2 / rateStep);
    mid[n] = Math.round(((segment.below[n] as number) + Math.min(steps * rateStep, gap(n))) * 1e6) / 1e6;
  }
  const same = (r: Record<string, number>) => names.every((n) => r[n] === mid[n]);
  return same(segment.below) || same(segment.above) ? undefined : mid;
}

/** The segment's half that still holds the edge, after its midpoint ran. */
export function narrow(
  segment: FrontierSegment,
  mid: Record<string, number>,
  overloaded: boolean,
): FrontierSegment {
  return overloaded ? { below: segment.below, above: mid } : { below: mid, above: segment.above };
}

/** The grid's outcomes in plan order: configurations with rows only, overloaded by majority. */
export function gridOutcomes(
  plan: readonly PlannedConfig[],
  iterations: ReadonlyMap<string, number>,
  overloadedRuns: ReadonlyMap<string, number>,
): Outcome[] {
  return plan.flatMap((p) => {
    const runs = iterations.get(p.id) ?? 0;
    return runs === 0 ? [] : [{ rates: p.rates, overloaded: (overloadedRuns.get(p.id) ?? 0) > runs / 2 }];
  });
}
