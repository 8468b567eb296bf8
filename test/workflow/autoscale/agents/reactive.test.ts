import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import { ReactiveAverage, ReactiveMaximum } from '../../../../src/workflow/autoscale/agents/reactive.js';
import type { Observation } from '../../../../src/workflow/autoscale/contract.js';

/** [input_q, worker_q, result_q, output_q, workers, avg_time, max_time, arrival_rate, qos_rate] */
const FIRST: Observation = [3, 0, 0, 0, 12, 1.5, 1.5, 0, 1];
const ctx = (enqueuedTotal: number) => ({ enqueuedTotal, explore: false });

describe('reactive baselines (FARM model)', () => {
  it('scale down from the reference first observation', () => {
    // st 1.5, H 8, opt max(1, 0) = 1, nothing active: δ = 1 − 12 = −11.
    expect(new ReactiveAverage().act(FIRST, ctx(0))).toBe(0);
    expect(new ReactiveMaximum().act(FIRST, ctx(0))).toBe(0);
  });

  it('weigh busy workers 0.5 (Average) or 1.0 (Maximum), with −0.5 itself scaling down', () => {
    // 3 workers, 100 collected, 103 enqueued: active 3, minus 1 at the collector → 2.
    const observation = [0, 0, 0, 100, 3, 1, 2, 1, 1];
    // Average: st 1, opt max(1, 1·1) = 1, busy 2/8·1·0.5 = 0.125, δ = 1 − 2.875 = −1.875.
    expect(new ReactiveAverage().act(observation, ctx(103))).toBe(0);
    // Maximum: st 2, opt 1·2 = 2, busy 2/8·2·1 = 0.5, δ = 2 − 2.5 = −0.5 → −1.
    expect(new ReactiveMaximum().act(observation, ctx(103))).toBe(0);
  });

  it('hold when |δ| < 0.5', () => {
    // 2 workers, 102 enqueued: active 2 → 1. Maximum: busy 1/8·2 = 0.25, δ = 2 − 1.75 = 0.25.
    const observation = [0, 0, 0, 100, 2, 1, 2, 1, 1];
    expect(new ReactiveMaximum().act(observation, ctx(102))).toBe(1);
    // Average: opt 1, busy 1/8·0.5 = 0.0625, δ = 1 − 1.9375 = −0.9375.
    expect(new ReactiveAverage().act(observation, ctx(102))).toBe(0);
  });

  it('stretch the horizon to a service time above it', () => {
    // avg 10 → H 10. opt = 0.5·10 + 20/10·10 = 25; active 30 − 20 = 10 → 9;
    // busy 9/10·10·0.5 = 4.5; δ = 25 − (20 − 4.5) = 9.5 → +1.
    const observation = [0, 20, 0, 0, 20, 10, 10, 0.5, 0.5];
    expect(new ReactiveAverage().act(observation, ctx(30))).toBe(2);
  });

  it('read a negative arrival rate as 0 and floor the service time at 0.1', () => {
    // st 0.1, opt max(1, 0) = 1; δ = 1 − 1 = 0 with one idle worker.
    const observation = [0, 0, 0, 0, 1, 0, 0, -3, 1];
    expect(new ReactiveAverage().act(observation, ctx(0))).toBe(1);
    expect(new ReactiveMaximum().act(observation, ctx(0))).toBe(1);
  });

  it('take the horizon, safety and adjustment as options', () => {
    // 8 workers, 20 queued, avg 2, 14 active → 8 busy.
    const observation = [0, 20, 0, 0, 8, 2, 2, 1, 1];
    // Default: opt 2 + 20/8·2 = 7, busy 8/8·2·0.5 = 1, δ = 7 − 7 = 0.
    expect(new ReactiveAverage().act(observation, ctx(34))).toBe(1);
    // Horizon 4: opt 2 + 20/4·2 = 12, busy 8/4·2·0.5 = 2, δ = 12 − 6 = 6.
    expect(new ReactiveAverage({ horizonSeconds: 4 }).act(observation, ctx(34))).toBe(2);
    // Safety below 1 is refused (the reference raises it to 1).
    expect(() => new ReactiveAverage({ safetyFactor: 0.5 })).toThrow(ConfigError);
    // Adjustment 0: busy 0, δ = 7 − 8 = −1.
    expect(new ReactiveAverage({ adjustmentFactor: 0 }).act(observation, ctx(34))).toBe(0);
    // Maximum takes no adjustment below 1 (the reference raises it to 1).
    expect(() => new ReactiveMaximum({ adjustmentFactor: 0.5 })).toThrow(/adjustmentFactor: at least 1/);
    // Maximum with adjustment 2: st 2, opt 7, busy 8/8·2·2 = 4, δ = 7 − 4 = 3.
    expect(new ReactiveMaximum({ adjustmentFactor: 2 }).act(observation, ctx(34))).toBe(2);
  });

  it('are named as in the registry', () => {
    expect(new ReactiveAverage().name).toBe('reactive-average');
    expect(new ReactiveMaximum().name).toBe('reactive-maximum');
  });
});
