import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { REWARD_PRESETS } from '../../../src/workflow/autoscale/config.js';
import { AutoscalingEnv } from '../../../src/workflow/autoscale/env.js';
import { defaultWorkload } from '../../../src/workflow/workload/phases.js';
import { collect, type FarmState, ScriptedFarm } from './scripted-farm.js';

const workload = defaultWorkload(0);
const DOWN = 0;
const NOOP = 1;
const UP = 2;

function env(farm: ScriptedFarm, environment = {}): AutoscalingEnv {
  return new AutoscalingEnv(farm, { workload, environment });
}

/** Every step: the farm is calm and collects one task within its deadline. */
const calm = (state: FarmState): void => collect(state, 1);

describe('AutoscalingEnv', () => {
  it('resets the back-end with the seed, the initial workers and the workload', async () => {
    const farm = new ScriptedFarm();
    const e = env(farm, { initialWorkers: 5 });
    expect(await e.reset(42)).toEqual([3, 0, 0, 0, 5, 1.5, 1.5, 0, 1]);
    expect(farm.specs).toEqual([{ seed: 42, initialWorkers: 5, workload }]);
  });

  it('scales by the action, then advances for the rest of the step', async () => {
    const farm = new ScriptedFarm(10, calm);
    farm.scaleSeconds = 6.5;
    const e = env(farm);
    await e.reset(1);
    const up = await e.step(UP);
    expect(farm.scaleCalls).toEqual([1]);
    expect(farm.advanceCalls).toEqual([1.5]);
    expect(up.observation[4]).toBe(13);
    expect(up.info).toMatchObject({
      requested_delta: 1,
      applied_delta: 1,
      scaling_actions: 1,
      scaling_time: 6.5,
    });
    expect(up.info.step_duration).toBeCloseTo(8, 12);

    farm.scaleSeconds = 40; // longer than a step: no wait after it
    await e.step(DOWN);
    expect(farm.advanceCalls).toEqual([1.5, 0]);

    await e.step(NOOP);
    expect(farm.scaleCalls).toEqual([1, -1]);
    expect(farm.advanceCalls).toEqual([1.5, 0, 8]);
  });

  it('clips to [minWorkers, maxWorkers]: a clipped action scales nothing and counts no scaling', async () => {
    const farm = new ScriptedFarm(10, calm);
    const e = env(farm, { minWorkers: 2, maxWorkers: 3, initialWorkers: 3 });
    await e.reset(1);
    const capped = await e.step(UP);
    expect(farm.scaleCalls).toEqual([]);
    expect(capped.info).toMatchObject({
      requested_delta: 1,
      applied_delta: 0,
      scaling_actions: 0,
      workers: 3,
    });
    await e.step(DOWN);
    const floored = await e.step(DOWN);
    expect(farm.scaleCalls).toEqual([-1]);
    expect(floored.info).toMatchObject({
      requested_delta: -1,
      applied_delta: 0,
      scaling_actions: 1,
      workers: 2,
    });
  });

  it('rewards the applied delta and reports missing ACKs', async () => {
    const farm = new ScriptedFarm(10, calm);
    farm.missingAcks = 1;
    const e = env(farm);
    await e.reset(1);
    const down = await e.step(DOWN);
    expect(down.info.applied_delta).toBe(0);
    expect(down.info.missing_acks).toBe(1);
    expect(down.reward).toBeCloseTo(5.4, 10); // a no-op at 12 workers (HEAD set)
    const noop = await e.step(NOOP);
    expect('missing_acks' in noop.info).toBe(false);
  });

  it('carries exactly the reference info keys', async () => {
    const e = env(new ScriptedFarm(10, calm));
    await e.reset(1);
    const { info } = await e.step(NOOP);
    expect(Object.keys(info).sort()).toEqual(
      [
        'step',
        'queue_length',
        'workers',
        'qos_rate',
        'requested_delta',
        'applied_delta',
        'total_reward',
        'scaling_actions',
        'qos_violations',
        'scaling_time',
        'step_duration',
        'episode_final_qos',
        'processed_tasks',
        'unfinished_tasks',
        'enqueued_total',
      ].sort(),
    );
  });

  it('ends at max steps with the unfinished-task penalty', async () => {
    // 2 tasks a step, 1 of them late; 100 expected, so 94 are unfinished after 3 steps.
    const farm = new ScriptedFarm(100, (state) => {
      state.workerQueue = 40;
      state.enqueuedTotal += 2;
      collect(state, 2, 1);
    });
    const e = env(farm, { maxSteps: 3 });
    await e.reset(1);
    const rewards: number[] = [];
    let last = await e.step(NOOP);
    rewards.push(last.reward);
    expect(last.done).toBe(false);
    expect(last.info.episode_final_qos).toBeNull();
    last = await e.step(NOOP);
    rewards.push(last.reward);
    last = await e.step(NOOP);
    rewards.push(last.reward);
    expect(last.done).toBe(true);
    // qos 0.5, backlog ratio 4/3: 36·(0.5 − 0.95) − 2.5·(1/3)² per step; −2·30 on the last.
    const perStep = 36 * -0.45 - 2.5 * (1 / 3) ** 2;
    expect(rewards[0]).toBeCloseTo(perStep, 10);
    expect(rewards[2]).toBeCloseTo(perStep - 60, 10);
    expect(last.info).toMatchObject({
      step: 3,
      processed_tasks: 6,
      qos_violations: 3,
      episode_final_qos: 0.5,
      unfinished_tasks: 94,
      enqueued_total: 6,
      queue_length: 40,
    });
    expect(last.info.total_reward).toBeCloseTo(3 * perStep - 60, 10);
    await expect(e.step(NOOP)).rejects.toThrow(/done/);
  });

  it('ends early once the queues are empty and every task is out, with the completion bonus', async () => {
    const farm = new ScriptedFarm(3, (state, step) => {
      state.inputQueue = 0;
      collect(state, step === 1 ? 3 : 0);
      state.resultQueue = step === 1 ? 1 : 0; // a result still on its way on step 1
    });
    const e = env(farm);
    await e.reset(1);
    const first = await e.step(NOOP);
    expect(first.done).toBe(false);
    const second = await e.step(NOOP);
    expect(second.done).toBe(true);
    // The 3 tasks collected at t = 8 lie outside the window (8, 16]: QoS 1, a no-op at 12 workers.
    expect(second.reward).toBeCloseTo(5.4 + 8, 10);
    expect(second.info).toMatchObject({ unfinished_tasks: 0, episode_final_qos: 1, processed_tasks: 3 });
  });

  it('refuses to step before a reset and rejects bad settings', async () => {
    const e = env(new ScriptedFarm());
    await expect(e.step(NOOP)).rejects.toThrow(/reset/);
    expect(() => env(new ScriptedFarm(), { minWorkers: 4, initialWorkers: 2 })).toThrow(ConfigError);
    expect(() => new AutoscalingEnv(new ScriptedFarm(), { workload, reward: { w_qos: -1 } })).toThrow(
      ConfigError,
    );
  });

  it("defaults to the reference scripts' settings and bounds", () => {
    const e = env(new ScriptedFarm());
    expect(e.config).toMatchObject({
      minWorkers: 1,
      maxWorkers: 32,
      stepSeconds: 8,
      windowSeconds: 8,
      maxSteps: 30,
      initialWorkers: 12,
    });
    expect(e.config.observationBounds.high).toEqual([3, 800, 10, 1140, 32, 150, 160, 12, 1]);
    expect(env(new ScriptedFarm(), { maxWorkers: 16 }).config.observationBounds.high[4]).toBe(16);
    expect(env(new ScriptedFarm(), e.config).config).toEqual(e.config);
    expect(e.rewardConfig).toEqual(REWARD_PRESETS.head);
  });

  it('closes the back-end', async () => {
    const farm = new ScriptedFarm();
    await env(farm).close();
    expect(farm.closed).toBe(true);
  });
});
