import { describe, expect, it } from 'vitest';
import { SamplerConfigSchema } from '../../src/config/sampler.js';
import { ConfigError } from '../../src/core/errors.js';
import {
  checkPlanSize,
  combinations,
  configId,
  countConfigurations,
  dominates,
  planSweep,
  product,
  rateList,
} from '../../src/sampler/plan.js';

const config = (over: Record<string, unknown>) =>
  SamplerConfigSchema.parse({
    platform: { stack: 's.yml' },
    functions: [{ name: 'figlet' }, { name: 'env' }],
    ...over,
  });

describe('sweep plan', () => {
  it('lists rates by strategy', () => {
    const rates = (r: Record<string, unknown>) => rateList(config({ rates: r }).rates);
    expect(rates({})).toEqual([
      0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200,
    ]);
    expect(rates({ min_rate: 5, max_rate: 20, step: 5 })).toEqual([5, 10, 15, 20]);
    expect(rates({ strategy: { type: 'exponential', base: 2, min_power: 0, max_power: 10 } })).toEqual([
      1, 2, 4, 8, 16, 32, 64, 128,
    ]);
    expect(rates({ strategy: { type: 'custom', values: [50, 5, 5, 500] } })).toEqual([5, 50]);
    const random = rates({ max_rate: 100, strategy: { type: 'random', count: 5, seed: 42 } });
    expect(random).toHaveLength(5);
    expect(random).toEqual(rates({ max_rate: 100, strategy: { type: 'random', count: 5, seed: 42 } }));
    expect(random).not.toEqual(rates({ max_rate: 100, strategy: { type: 'random', count: 5, seed: 7 } }));
    expect(random.every((r) => Number.isInteger(r) && r >= 0 && r <= 100)).toBe(true);
  });

  it('combines like itertools', () => {
    expect(combinations(['a', 'b', 'c'], 2)).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
    expect(
      product([
        [0, 1],
        [5, 6],
      ]),
    ).toEqual([
      [0, 5],
      [0, 6],
      [1, 5],
      [1, 6],
    ]);
  });

  it('plans singles then pairs, functions by name, ids from sha256 of name:rate|name:rate', () => {
    const plan = planSweep(
      config({
        functions: [{ name: 'figlet' }, { name: 'env', max_rate: 10 }],
        rates: { min_rate: 0, max_rate: 20, step: 10 },
        combinations: { min_functions: 1, max_functions: 3 },
      }),
    );
    expect(plan.map((p) => p.rates)).toEqual([
      { env: 0 },
      { env: 10 },
      { figlet: 0 },
      { figlet: 10 },
      { figlet: 20 },
      { env: 0, figlet: 0 },
      { env: 0, figlet: 10 },
      { env: 0, figlet: 20 },
      { env: 10, figlet: 0 },
      { env: 10, figlet: 10 },
      { env: 10, figlet: 20 },
    ]);
    // computed independently: printf 'env:10|figlet:20' | sha256sum | cut -c1-12
    expect(configId({ figlet: 20, env: 10 })).toBe('b4d120d7cc8b');
    expect(plan.every((p) => /^[0-9a-f]{12}$/.test(p.id))).toBe(true);
    expect(new Set(plan.map((p) => p.id)).size).toBe(plan.length);
    // Default combinations (1..2, max excluded): single functions only.
    expect(
      planSweep(config({ rates: { max_rate: 10, step: 10 } })).map((p) => Object.keys(p.rates).length),
    ).toEqual([1, 1, 1, 1]);
    expect(
      planSweep(
        config({
          combinations: { min_functions: 2, max_functions: 2, exclusive: false },
          rates: { max_rate: 0 },
        }),
      ),
    ).toHaveLength(1);
  });

  it('dominance: same functions, every rate at least, one higher', () => {
    expect(dominates({ a: 20, b: 10 }, { a: 10, b: 10 })).toBe(true);
    expect(dominates({ a: 10, b: 10 }, { a: 10, b: 10 })).toBe(false);
    expect(dominates({ a: 20, b: 0 }, { a: 10, b: 10 })).toBe(false);
    expect(dominates({ a: 20 }, { a: 10, b: 0 })).toBe(false);
    expect(dominates({ a: 20, c: 0 }, { a: 10, b: 0 })).toBe(false);
  });

  it('counts a plan without making it, and refuses one over max_configurations before anything runs', () => {
    const shaped = (
      functions: number,
      combinations: Record<string, unknown>,
      more: Record<string, unknown> = {},
    ) =>
      SamplerConfigSchema.parse({
        functions: Array.from({ length: functions }, (_, i) => ({ name: `f${i}`, ...(i === 0 ? more : {}) })),
        rates: { min_rate: 0, max_rate: 20, step: 10 },
        combinations,
        platform: { stack: 'stack.yml' },
      });
    for (const c of [
      shaped(3, { min_functions: 1, max_functions: 4 }),
      shaped(3, { min_functions: 2, max_functions: 3, exclusive: false }),
      shaped(4, { min_functions: 1, max_functions: 3 }, { max_rate: 10 }),
    ])
      expect(countConfigurations(c)).toBe(planSweep(c).length);

    // 4 functions at the default rates (21 each), every combination: 234,255 configurations. Making
    // them crashed `--dry-run`; counting them takes no time.
    const huge = SamplerConfigSchema.parse({
      functions: ['a', 'b', 'c', 'd'].map((name) => ({ name })),
      combinations: { min_functions: 1, max_functions: 5 },
      platform: { stack: 'stack.yml' },
    });
    expect(countConfigurations(huge)).toBe(4 * 21 + 6 * 21 ** 2 + 4 * 21 ** 3 + 21 ** 4);
    expect(() => checkPlanSize(huge, 'sweep.yaml')).toThrow(ConfigError);
    expect(() => checkPlanSize(huge, 'sweep.yaml')).toThrow(
      /sweep\.yaml: max_configurations: the plan has 234,255 configurations, more than 10,000/,
    );
    expect(() => checkPlanSize({ ...huge, max_configurations: 300_000 }, 'sweep.yaml')).not.toThrow();
  });
});
