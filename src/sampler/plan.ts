import { createHash } from 'node:crypto';
import type { RateSettings, SampledFunction, SamplerConfig } from '../config/sampler.js';
import { ConfigError } from '../core/errors.js';
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

type PlanShape = Pick<SamplerConfig, 'functions' | 'rates' | 'combinations'>;

/** The functions in name order, each with its rate list (its max_rate removes the rates above it). */
function functionRates(config: PlanShape): { fn: SampledFunction; rates: number[] }[] {
  const all = rateList(config.rates);
  return [...config.functions]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((fn) => ({ fn, rates: all.filter((r) => fn.max_rate === undefined || r <= fn.max_rate) }));
}

/** The combination sizes of a plan, smallest first. */
function sizes({ combinations: c }: PlanShape): number[] {
  const out: number[] = [];
  for (let size = c.min_functions; size < (c.exclusive ? c.max_functions : c.max_functions + 1); size++)
    out.push(size);
  return out;
}

/**
 * How many configurations planSweep would make, counted without making them: for each size k,
 * the sum over k-subsets of the product of their rate counts (e_k of the counts, by dynamic
 * programming), so that a plan of millions is refused in microseconds, not by a crashed V8.
 */
export function countConfigurations(config: PlanShape): number {
  const counts = functionRates(config).map((f) => f.rates.length);
  // e[k] = sum over k-subsets of the functions seen so far of the product of their counts.
  const e = [1];
  for (const n of counts) for (let k = e.length; k >= 1; k--) e[k] = (e[k] ?? 0) + (e[k - 1] as number) * n;
  return sizes(config).reduce((sum, k) => sum + (e[k] ?? 0), 0);
}

/** Refuses, before anything runs, a plan over the configuration's max_configurations (exit 2). */
export function checkPlanSize(
  config: PlanShape & Pick<SamplerConfig, 'max_configurations'>,
  configFile: string,
): void {
  const count = countConfigurations(config);
  if (count <= config.max_configurations) return;
  throw new ConfigError(configFile, [
    {
      field: 'max_configurations',
      message: `the plan has ${count.toLocaleString('en')} configurations, more than ${config.max_configurations.toLocaleString('en')}: narrow rates or combinations, or raise max_configurations`,
    },
  ]);
}

/**
 * The sweep's configurations in execution order: combinations by size (min_functions up to
 * max_functions, excluded unless `exclusive: false`), functions sorted by name, and for each
 * combination the product of its functions' rate lists (a function's max_rate removes its rates
 * above it).
 */
export function planSweep(config: PlanShape): PlannedConfig[] {
  const functions = functionRates(config);
  const plan: PlannedConfig[] = [];
  for (const size of sizes(config)) {
    for (const combo of combinations(functions, size)) {
      for (const values of product(combo.map((f) => f.rates))) {
        const rates: Record<string, number> = {};
        combo.forEach(({ fn }, i) => {
          rates[fn.name] = values[i] as number;
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
