import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import { seededRandom } from '../../../../src/core/random.js';
import {
  BASELINE_NAMES,
  BASELINES,
  type BaselineName,
} from '../../../../src/workflow/autoscale/agents/baselines.js';
import type { Action, Observation } from '../../../../src/workflow/autoscale/contract.js';

/** A random walk of plausible observations and enqueue counts. */
function trace(seed: number, steps: number): { observation: Observation; enqueuedTotal: number }[] {
  const rng = seededRandom(seed);
  const out: { observation: Observation; enqueuedTotal: number }[] = [];
  let enqueued = 0;
  for (let i = 0; i < steps; i++) {
    enqueued += Math.floor(rng() * 60);
    const workerQ = Math.floor(rng() * 50);
    const observation = [
      0,
      workerQ,
      1,
      Math.floor(enqueued * 0.7),
      1 + Math.floor(rng() * 32),
      rng() * 6,
      rng() * 10,
      rng() * 8,
      rng(),
    ];
    out.push({ observation, enqueuedTotal: enqueued });
  }
  return out;
}

function run(name: BaselineName): Action[] {
  const policy = BASELINES[name]();
  policy.beginEpisode?.();
  return trace(3, 60).map(({ observation, enqueuedTotal }) =>
    policy.act(observation, { enqueuedTotal, explore: true }),
  );
}

describe('BASELINES', () => {
  it('names every baseline, each policy under its own name', () => {
    expect(BASELINE_NAMES).toEqual(['reactive-average', 'reactive-maximum', 'hpa', 'keda', 'static']);
    for (const name of BASELINE_NAMES) expect(BASELINES[name]().name).toBe(name);
  });

  it('gives deterministic policies that take actions 0, 1, 2', () => {
    for (const name of BASELINE_NAMES) {
      const actions = run(name);
      expect(actions).toEqual(run(name));
      for (const a of actions) expect([0, 1, 2]).toContain(a);
    }
  });

  it('has a static policy that never scales', () => {
    expect(new Set(run('static'))).toEqual(new Set([1]));
  });

  it('passes options to the policy, which validates them', () => {
    const observation = [0, 80, 0, 0, 12, 2, 3, 5, 1];
    expect(BASELINES.keda({ listLength: 10 }).act(observation, { enqueuedTotal: 0, explore: false })).toBe(0);
    expect(() => BASELINES.hpa({ targetUtilisation: 'high' })).toThrow(ConfigError);
    expect(() => BASELINES.static({ pool: 3 })).toThrow(/pool: unknown key/);
    expect(() => BASELINES.static({ workers: 40 })).toThrow(ConfigError);
    expect(BASELINES.static({ workers: 14 }).name).toBe('static-14');
  });

  it('a fixed pool moves one worker a step to its size and stays', () => {
    const pool = BASELINES.static({ workers: 14 });
    const at = (workers: number) =>
      pool.act([0, 0, 0, 0, workers, 1.5, 1.5, 0, 1], { enqueuedTotal: 0, explore: false });
    expect([at(12), at(13), at(14), at(15)]).toEqual([2, 2, 1, 0]);
  });
});
