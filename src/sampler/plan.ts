import { createHash } from 'node:crypto';
import type { RateSettings, SampledFunction, SamplerConfig } from '../config/sampler.js';
import { seededRandom } from '../core/random.js';

/** One configuration of a sweep: a rate per function of its combination. */
export interface PlannedConfig {
  /** First 12 hex characters of sha256("name:rate|name:rate") in name order. */
  id: string;
  /** Requests per second per function, in name order. */
  rates: Record<string, number>;
}

/** The rate list of the strategy, sorted and without duplicates. */
export function rateList(rates: RateSettings): number[] {
  const { min_rate: min, max_rate: max, step, strategy } = rates;
  let values: number[];
  switch (strategy.type) {
    case 'linear':
      values = [];
      // Integer steps count from min, so float steps do not drift (0.1 + 0.2 ...).
      for (let i = 0; min + i * step <= max + 1e-9; i++) values.push(round(min + i * step));
      break;
    case 'exponential':
      values = [];
      for (let p = strategy.min_power; p <= strategy.max_power; p++) values.push(round(strategy.base ** p));
      values = values.filter((v) => v >= min && v <= max);
      break;
    case 'random': {
      const random = seededRandom(strategy.seed);
      const span = Math.floor(max) - Math.ceil(min) + 1;
      const wanted = Math.min(strategy.count, span);
      const picked = new Set<number>();
      while (picked.size < wanted) picked.add(Math.ceil(min) + Math.floor(random() * span));
      values = [...picked];
      break;
    }
    case 'custom':
      values = strategy.values.filter((v) => v >= min && v <= max);
      break;
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** All k-element subsets of items, in itertools.combinations order. */
export function combinations<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  const pick = (start: number, chosen: T[]) => {
    if (chosen.length === k) {
      out.push([...chosen]);
      return;
    }
    for (let i = start; i < items.length; i++) pick(i + 1, [...chosen, items[i] as T]);
  };
  pick(0, []);
  return out;
}

/** Cartesian product in itertools.product order (the last list varies fastest). */
export function product(lists: readonly number[][]): number[][] {
  return lists.reduce<number[][]>(
    (acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])),
    [[]],
  );
}

export function configId(rates: Record<string, number>): string {
  const key = Object.keys(rates)
    .sort()
    .map((name) => `${name}:${rates[name]}`)
    .join('|');
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/**
 * The sweep's configurations in execution order: combinations by size (min_functions up to
 * max_functions, excluded unless `exclusive: false`), functions sorted by name, and for each
 * combination the product of its functions' rate lists (a function's max_rate removes its rates
 * above it).
 */
export function planSweep(
  config: Pick<SamplerConfig, 'functions' | 'rates' | 'combinations'>,
): PlannedConfig[] {
  const all = rateList(config.rates);
  const functions = [...config.functions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ratesOf = (f: SampledFunction) => all.filter((r) => f.max_rate === undefined || r <= f.max_rate);
  const { min_functions: min, max_functions: max, exclusive } = config.combinations;
  const plan: PlannedConfig[] = [];
  for (let size = min; size < (exclusive ? max : max + 1); size++) {
    for (const combo of combinations(functions, size)) {
      for (const values of product(combo.map(ratesOf))) {
        const rates: Record<string, number> = {};
        combo.forEach((f, i) => {
          rates[f.name] = values[i] as number;
        });
        plan.push({ id: configId(rates), rates });
      }
    }
  }
  return plan;
}

/**
 * B dominates A when both load the same functions, every rate of B is at least A's, and one is
 * higher. If A overloaded the node, B (more load on the same functions) will too, so a sweep can
 * skip B.
 */
export function dominates(b: Record<string, number>, a: Record<string, number>): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length || !names.every((n) => n in b)) return false;
  let higher = false;
  for (const n of names) {
    const rb = b[n] as number;
    const ra = a[n] as number;
    if (rb < ra) return false;
    if (rb > ra) higher = true;
  }
  return higher;
}
