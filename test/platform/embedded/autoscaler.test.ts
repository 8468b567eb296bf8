import { describe, expect, it } from 'vitest';
import {
  type AutoscaleInput,
  decideReplicas,
  type Recommendation,
} from '../../../src/platform/embedded/autoscaler.js';
import type { ScalingPolicy } from '../../../src/platform/embedded/function-settings.js';

const policy: ScalingPolicy = {
  min: 1,
  max: 20,
  factor: 20,
  zero: false,
  zeroDurationMs: 60_000,
  downWindowMs: 30_000,
  target: { type: 'rps', target: 50, proportion: 0.9 },
};

function input(over: Partial<AutoscaleInput>): AutoscaleInput {
  return {
    policy,
    current: 1,
    load: 0,
    now: 100_000,
    lastInvocationAt: 99_000,
    inflight: 0,
    history: [],
    ...over,
  };
}

describe('autoscaler', () => {
  it('scales to ceil(load / (target × proportion)), one step at most', () => {
    // 100 rps / 45 per replica = 3 replicas
    expect(decideReplicas(input({ load: 100 })).replicas).toBe(3);
    // 900 rps wants 20, but one evaluation adds at most 20% of max = 4
    expect(decideReplicas(input({ load: 900 })).replicas).toBe(5);
    expect(decideReplicas(input({ load: 900, current: 18 })).replicas).toBe(20);
  });

  it('stays within min and max', () => {
    expect(decideReplicas(input({ load: 0, current: 1, policy: { ...policy, min: 2 } })).replicas).toBe(2);
    expect(decideReplicas(input({ load: 1e6, current: 20 })).replicas).toBe(20);
  });

  it('scales down only to the highest recommendation of the window: no flapping', () => {
    let history: Recommendation[] = [];
    let current = 1;
    const loads = [400, 0, 0, 400, 0, 0];
    const seen: number[] = [];
    for (const [i, load] of loads.entries()) {
      const d = decideReplicas(input({ load, current, now: i * 2000, history }));
      history = d.history;
      current = d.replicas;
      seen.push(current);
    }
    // 400 rps wants 9: steps 5, 9; the lulls do not drop it within the 30 s window.
    expect(seen).toEqual([5, 5, 5, 9, 9, 9]);
    // After the window passes with no load, it comes down to min.
    const later = decideReplicas(input({ load: 0, current, now: 60_000, history }));
    expect(later.replicas).toBe(1);
  });

  it('goes to zero after zero-duration idle, and never comes back from zero by itself', () => {
    const { target: _, ...noTarget } = policy;
    const zero = { ...noTarget, zero: true };
    expect(
      decideReplicas(input({ policy: zero, current: 3, lastInvocationAt: 0, now: 60_000 })).replicas,
    ).toBe(0);
    expect(
      decideReplicas(input({ policy: zero, current: 3, lastInvocationAt: 1, now: 60_000 })).replicas,
    ).toBe(3);
    expect(
      decideReplicas(input({ policy: zero, current: 3, lastInvocationAt: 0, now: 60_000, inflight: 1 }))
        .replicas,
    ).toBe(3);
    expect(decideReplicas(input({ policy: zero, current: 0, load: 500 })).replicas).toBe(0);
  });

  it('leaves replicas alone without a target or with factor 0', () => {
    const { target: _, ...noTarget } = policy;
    expect(decideReplicas(input({ policy: noTarget, current: 3, load: 1000 })).replicas).toBe(3);
    expect(decideReplicas(input({ policy: { ...policy, factor: 0 }, current: 3, load: 1000 })).replicas).toBe(
      3,
    );
  });
});
