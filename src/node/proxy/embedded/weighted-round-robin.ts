interface Entry {
  key: string;
  weight: number;
  current: number;
}

/**
 * Smooth weighted round robin (nginx's): each pick adds every entry's weight to its running score,
 * takes the highest score (the first one on a tie) and takes the total weight off it. Over any run
 * of `total` picks each key is picked exactly `weight` times, spread out (3:1 gives a a b a), and
 * the sequence is deterministic.
 */
export class WeightedRoundRobin {
  private readonly entries: Entry[];

  /** Entries with a weight ≤ 0 are left out; keys are taken in sorted order, so the order of the
   *  record does not change the sequence. */
  constructor(weights: Record<string, number>) {
    this.entries = Object.entries(weights)
      .filter(([, weight]) => weight > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, weight]) => ({ key, weight, current: 0 }));
  }

  /**
   * The next key, or undefined when no entry has a weight > 0. Keys in `skip` (peers that just
   * refused a connection) take no part in this pick: the others share it as if they were alone.
   */
  next(skip?: ReadonlySet<string>): string | undefined {
    let best: Entry | undefined;
    let total = 0;
    for (const entry of this.entries) {
      if (skip?.has(entry.key)) continue;
      entry.current += entry.weight;
      total += entry.weight;
      if (!best || entry.current > best.current) best = entry;
    }
    if (best) best.current -= total;
    return best?.key;
  }

  /** True when built from the same positive weights, whatever their order (then keep this picker). */
  hasWeights(weights: Record<string, number>): boolean {
    const positive = Object.entries(weights).filter(([, weight]) => weight > 0);
    return (
      positive.length === this.entries.length &&
      positive.every(([key, weight]) => this.entries.some((e) => e.key === key && e.weight === weight))
    );
  }
}
