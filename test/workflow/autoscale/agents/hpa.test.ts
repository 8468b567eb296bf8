import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import { HpaPolicy } from '../../../../src/workflow/autoscale/agents/hpa.js';
import type { Observation } from '../../../../src/workflow/autoscale/contract.js';

/** Workers and queues; the enqueue counter is set so that `busy` tasks are in the workers. */
function at(workers: number, busy: number): [Observation, { enqueuedTotal: number; explore: boolean }] {
  const [workerQ, resultQ, outputQ] = [7, 1, 40];
  return [
    [0, workerQ, resultQ, outputQ, workers, 2, 3, 5, 1],
    { enqueuedTotal: workerQ + resultQ + outputQ + busy, explore: false },
  ];
}

describe('HpaPolicy', () => {
  it('holds within the 0.1 tolerance and scales outside it', () => {
    // 10 of 12 busy: utilisation 0.833, ratio 1.042 → no change.
    expect(new HpaPolicy().act(...at(12, 10))).toBe(1);
    // 11 of 12: ratio 1.146 → desired ceil(11 / 0.8) = 14 → +1.
    expect(new HpaPolicy().act(...at(12, 11))).toBe(2);
    // Tolerance 0.01: the 10 of 12 now counts, desired ceil(12.5) = 13.
    expect(new HpaPolicy({ tolerance: 0.01 }).act(...at(12, 10))).toBe(2);
    // Target 0.5: 6 of 12 is on target.
    expect(new HpaPolicy({ targetUtilisation: 0.5 }).act(...at(12, 6))).toBe(1);
  });

  it('caps busy at the workers and never counts a negative one', () => {
    // 1000 in flight on 12 workers: utilisation 1, desired ceil(12 / 0.8) = 15.
    expect(new HpaPolicy().act(...at(12, 1000))).toBe(2);
    // Fewer enqueued than queued: busy 0, desired 0 → minReplicas 1 → −1.
    expect(new HpaPolicy().act(...at(12, -5))).toBe(0);
    // One worker, none busy: minReplicas keeps it.
    expect(new HpaPolicy().act(...at(1, 0))).toBe(1);
    expect(new HpaPolicy({ minReplicas: 3 }).act(...at(3, 0))).toBe(1);
  });

  it('scales down at once with no history, then no lower than the window’s highest recommendation', () => {
    // 6 of 12 busy: desired ceil(7.5) = 8 → −1 on the first decision.
    expect(new HpaPolicy().act(...at(12, 6))).toBe(0);

    const hpa = new HpaPolicy({ stabilisationSeconds: 24, stepSeconds: 8 });
    expect(hpa.act(...at(12, 11))).toBe(2); // t 0: 14
    expect(hpa.act(...at(13, 2))).toBe(1); // t 8: 3, held at 13 by the 14 of t 0
    expect(hpa.act(...at(13, 2))).toBe(1); // t 16: the same
    // t 24: the window keeps what came after 24 − 24 = 0, so the 14 is gone.
    expect(hpa.act(...at(13, 2))).toBe(0);
  });

  it('holds a scale-down for the default 300 s: 37 steps of 8 s', () => {
    const hpa = new HpaPolicy();
    expect(hpa.act(...at(12, 11))).toBe(2);
    for (let step = 1; step <= 37; step++) expect(hpa.act(...at(13, 2))).toBe(1);
    expect(hpa.act(...at(13, 2))).toBe(0); // t 304
  });

  it('scales up at once whatever the history', () => {
    const hpa = new HpaPolicy();
    expect(hpa.act(...at(12, 2))).toBe(0);
    expect(hpa.act(...at(11, 11))).toBe(2);
  });

  it('forgets its recommendations at the start of an episode', () => {
    const hpa = new HpaPolicy();
    hpa.act(...at(12, 11));
    expect(hpa.act(...at(13, 2))).toBe(1);
    hpa.beginEpisode();
    expect(hpa.act(...at(13, 2))).toBe(0);
  });

  it('refuses bad options by name', () => {
    expect(() => new HpaPolicy({ targetUtilisation: 0 })).toThrow(ConfigError);
    expect(() => new HpaPolicy({ stepSeconds: 0 })).toThrow(/stepSeconds/);
    expect(() => new HpaPolicy({ window: 3 } as never)).toThrow(/window: unknown key/);
  });
});
