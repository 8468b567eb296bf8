import { describe, expect, it } from 'vitest';
import { environmentSchema } from '../../../src/workflow/autoscale/config.js';
import type { CollectedTask, FarmSnapshot } from '../../../src/workflow/autoscale/contract.js';
import { NO_TASK_TIME, normaliseObservation, observe } from '../../../src/workflow/autoscale/observe.js';

function task(collectedAt: number, completionTime: number, qos: boolean): CollectedTask {
  return { taskId: `t${collectedAt}`, collectedAt, completionTime, qos };
}

function snapshot(fields: Partial<FarmSnapshot>): FarmSnapshot {
  return {
    now: 0,
    inputQueue: 3,
    workerQueue: 0,
    resultQueue: 0,
    outputQueue: 0,
    workers: 12,
    enqueuedTotal: 0,
    collected: [],
    expectedTasks: 1140,
    ...fields,
  };
}

describe('observe', () => {
  it('gives the reference reset observation for an empty farm', () => {
    expect(observe(snapshot({}), undefined, 8)).toEqual([3, 0, 0, 0, 12, 1.5, 1.5, 0, 1]);
  });

  it('averages the tasks collected in (now − window, now] only', () => {
    const collected = [
      task(7, 9, false), // before the window
      task(8, 9, false), // on its open edge: out
      task(9, 1, true),
      task(12, 3, false),
      task(16, 2, true), // at now: in
      task(17, 50, false), // after now (a live list grows in place): out
    ];
    const obs = observe(
      snapshot({
        now: 16,
        inputQueue: 2,
        workerQueue: 5,
        resultQueue: 1,
        outputQueue: 6,
        workers: 9,
        collected,
        enqueuedTotal: 30,
      }),
      { now: 8, enqueuedTotal: 10 },
      8,
    );
    expect(obs.slice(0, 5)).toEqual([2, 5, 1, 6, 9]);
    expect(obs[5]).toBeCloseTo(2, 12);
    expect(obs[6]).toBe(3);
    expect(obs[7]).toBeCloseTo(20 / 8, 12);
    expect(obs[8]).toBeCloseTo(2 / 3, 12);
  });

  it('falls back to 1.5 s and QoS 1 when the window holds no task', () => {
    const obs = observe(
      snapshot({ now: 30, collected: [task(5, 4, false)] }),
      { now: 22, enqueuedTotal: 0 },
      8,
    );
    expect([obs[5], obs[6], obs[8]]).toEqual([NO_TASK_TIME, NO_TASK_TIME, 1]);
  });

  it('gives an arrival rate of 0 without a previous sample or elapsed time, never negative', () => {
    const now = snapshot({ now: 8, enqueuedTotal: 12 });
    expect(observe(now, undefined, 8)[7]).toBe(0);
    expect(observe(now, { now: 8, enqueuedTotal: 0 }, 8)[7]).toBe(0);
    expect(observe(now, { now: 4, enqueuedTotal: 20 }, 8)[7]).toBe(0);
  });
});

describe('normaliseObservation', () => {
  it('clips to the reference bounds and scales to [0, 1]', () => {
    const { observationBounds } = environmentSchema.parse({});
    const scaled = normaliseObservation([3, 1600, 5, 570, 32, 75, 0, 6, 0.5], observationBounds);
    expect(scaled).toEqual([1, 1, 0.5, 0.5, 1, 0.5, 0, 0.5, 0.5]);
    expect(normaliseObservation([0, 0, 0, 0, 1, 0, 0, 0, 0], observationBounds)[4]).toBe(0);
  });
});
