import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import { KedaPolicy } from '../../../../src/workflow/autoscale/agents/keda.js';
import type { Observation } from '../../../../src/workflow/autoscale/contract.js';

const at = (workers: number, workerQueue: number): Observation => [
  0,
  workerQueue,
  2,
  300,
  workers,
  2,
  3,
  5,
  1,
];

describe('KedaPolicy', () => {
  it('aims at listLength (5) waiting tasks per worker, within the HPA tolerance', () => {
    // 62 waiting on 12: ratio 62 / 60 = 1.033 → no change.
    expect(new KedaPolicy().act(at(12, 62))).toBe(1);
    // 80 on 12: ratio 1.33 → desired ceil(80 / 5) = 16 → +1.
    expect(new KedaPolicy().act(at(12, 80))).toBe(2);
    // 40 on 12: desired 8 → −1 (no history yet).
    expect(new KedaPolicy().act(at(12, 40))).toBe(0);
    // listLength 10: 80 on 12 → desired 8 → −1.
    expect(new KedaPolicy({ listLength: 10 }).act(at(12, 80))).toBe(0);
  });

  it('keeps at least minReplicas when the queue is empty', () => {
    expect(new KedaPolicy().act(at(2, 0))).toBe(0);
    expect(new KedaPolicy().act(at(1, 0))).toBe(1);
    expect(new KedaPolicy({ minReplicas: 4 }).act(at(4, 0))).toBe(1);
  });

  it('stabilises scale-down as the HPA does', () => {
    const keda = new KedaPolicy({ stabilisationSeconds: 16 });
    expect(keda.act(at(12, 80))).toBe(2); // t 0: 16
    expect(keda.act(at(13, 0))).toBe(1); // t 8: held by the 16
    expect(keda.act(at(13, 0))).toBe(0); // t 16: the 16 is out of the window
    keda.beginEpisode();
    expect(keda.act(at(13, 0))).toBe(0);
  });

  it('refuses bad options', () => {
    expect(() => new KedaPolicy({ listLength: 0 })).toThrow(ConfigError);
    expect(() => new KedaPolicy({ activationListLength: 0 } as never)).toThrow(/unknown key/);
  });
});
