import { describe, expect, it } from 'vitest';
import { REWARD_PRESETS, rewardSchema } from '../../../src/workflow/autoscale/config.js';
import { reward, rewardTerms, terminalShaping } from '../../../src/workflow/autoscale/reward.js';

/** An observation with what the reward reads: worker_q, workers, qos_rate. */
function obs(workerQueue: number, workers: number, qos: number): number[] {
  return [2, workerQueue, 0, 100, workers, 1, 2, 5, qos];
}

const head = REWARD_PRESETS.head;
const sarsa = REWARD_PRESETS['671f321'];

describe('reward: the anchors provenance checks', () => {
  it('HEAD: 5.40 for a no-op at 12 workers, 5.30 at 16, 13.30 on the completion step', () => {
    expect(reward(obs(0, 12, 1), 0, head)).toBeCloseTo(5.4, 10);
    expect(reward(obs(0, 16, 1), 0, head)).toBeCloseTo(5.3, 10);
    const completion = terminalShaping(
      { step: 27, maxSteps: 30, outputQueue: 1140, expectedTasks: 1140 },
      head,
    );
    expect(reward(obs(0, 16, 1), 0, head) + completion).toBeCloseTo(13.3, 10);
  });

  it('671f321: 4.95 for a no-op at 12, 2.25 for +1 to 13, 9.35 for −1 to 12', () => {
    expect(reward(obs(0, 12, 1), 0, sarsa)).toBeCloseTo(4.95, 10);
    expect(reward(obs(0, 13, 1), 1, sarsa)).toBeCloseTo(2.25, 10);
    expect(reward(obs(0, 12, 1), -1, sarsa)).toBeCloseTo(9.35, 10);
  });

  it('the schema defaults are the HEAD set', () => {
    expect(rewardSchema.parse({})).toEqual(head);
    expect(head).toMatchObject({
      target_qos: 0.95,
      queue_target: 30,
      w_qos: 36,
      w_scale_up: 5.5,
      w_scale_down: 0.1,
    });
  });
});

describe('reward terms (HEAD set)', () => {
  it('QoS term is w_qos·(qos − target), negative under the target', () => {
    expect(rewardTerms(obs(0, 12, 0.5), 0, head).qos).toBeCloseTo(36 * -0.45, 10);
  });

  it('backlog penalty is quadratic in the ratio over 1', () => {
    expect(rewardTerms(obs(30, 12, 1), 0, head).backlog).toBeCloseTo(0, 10);
    expect(rewardTerms(obs(60, 12, 1), 0, head).backlog).toBeCloseTo(-2.5, 10);
    expect(rewardTerms(obs(90, 12, 1), 0, head).backlog).toBeCloseTo(-10, 10);
  });

  it('efficiency penalty counts surplus workers only while calm', () => {
    expect(rewardTerms(obs(8, 20, 1), 0, head).efficiency).toBeCloseTo(-0.3, 10);
    expect(rewardTerms(obs(9, 20, 1), 0, head).efficiency).toBe(0);
    expect(rewardTerms(obs(0, 20, 0.9), 0, head).efficiency).toBe(0);
    expect(rewardTerms(obs(0, 10, 1), 0, head).efficiency).toBeCloseTo(0, 12);
  });

  it('scaling costs w_scaling per worker either way', () => {
    expect(rewardTerms(obs(0, 12, 1), 2, head).scaling).toBeCloseTo(-0.16, 10);
    expect(rewardTerms(obs(0, 12, 1), -1, head).scaling).toBeCloseTo(-0.08, 10);
  });

  it('rewards a scale-up only when overloaded and a scale-down only when not', () => {
    expect(rewardTerms(obs(31, 12, 1), 1, head).direction).toBeCloseTo(5.5, 10); // backlog over target
    expect(rewardTerms(obs(0, 12, 0.9), 2, head).direction).toBeCloseTo(11, 10); // QoS under target
    expect(rewardTerms(obs(0, 12, 1), 1, head).direction).toBe(0);
    expect(rewardTerms(obs(0, 12, 1), -1, head).direction).toBeCloseTo(0.1, 10);
    expect(rewardTerms(obs(31, 12, 1), -1, head).direction).toBe(0);
  });

  it('stability bonus needs QoS met and a backlog at most half the target', () => {
    expect(rewardTerms(obs(15, 12, 1), 0, head).stability).toBeCloseTo(3.6, 10);
    expect(rewardTerms(obs(16, 12, 1), 0, head).stability).toBe(0);
    expect(rewardTerms(obs(0, 12, 0.94), 0, head).stability).toBe(0);
  });

  it('a queue_target under 1 counts as 1', () => {
    const config = { ...head, queue_target: 0 };
    expect(rewardTerms(obs(3, 12, 1), 0, config).backlog).toBeCloseTo(-2.5 * 4, 10);
  });

  it('the total is the sum of the terms', () => {
    const t = rewardTerms(obs(45, 20, 0.8), 1, head);
    expect(t.total).toBeCloseTo(t.qos + t.backlog + t.efficiency + t.scaling + t.direction + t.stability, 12);
    expect(reward(obs(45, 20, 0.8), 1, head)).toBe(t.total);
  });
});

describe('terminalShaping', () => {
  it('at max steps subtracts the penalty for at most queue_target unfinished tasks', () => {
    const end = { step: 30, maxSteps: 30, expectedTasks: 1140 };
    expect(terminalShaping({ ...end, outputQueue: 1130 }, head)).toBeCloseTo(-20, 10);
    expect(terminalShaping({ ...end, outputQueue: 1000 }, head)).toBeCloseTo(-60, 10);
    expect(terminalShaping({ ...end, outputQueue: 1140 }, head)).toBe(0);
  });

  it('before max steps adds the completion bonus', () => {
    expect(terminalShaping({ step: 29, maxSteps: 30, outputQueue: 1140, expectedTasks: 1140 }, sarsa)).toBe(
      6,
    );
  });
});
