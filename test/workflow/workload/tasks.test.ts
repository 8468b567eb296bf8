import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/core/random.js';
import {
  DEFAULT_CALIBRATED_MODEL,
  deadlineFor,
  processingTimeFor,
} from '../../../src/workflow/workload/calibration.js';
import { drawTaskSize, type TaskDraw } from '../../../src/workflow/workload/tasks.js';

function draws(seed: number, count: number): TaskDraw[] {
  const rng = seededRandom(seed);
  return Array.from({ length: count }, () => drawTaskSize(rng, DEFAULT_CALIBRATED_MODEL));
}

describe('drawTaskSize', () => {
  const sample = draws(11, 100_000);

  it('gives an integer size in [512, 4096] with its model time and deadline', () => {
    for (const task of sample.slice(0, 5_000)) {
      expect(Number.isInteger(task.size)).toBe(true);
      expect(task.size).toBeGreaterThanOrEqual(512);
      expect(task.size).toBeLessThanOrEqual(4096);
      expect(task.processingTime).toBe(processingTimeFor(task.size, DEFAULT_CALIBRATED_MODEL));
      expect(task.deadline).toBe(deadlineFor(task.processingTime));
    }
  });

  it('averages about 1.47 s of processing (the gamma mean 1.5, clipped)', () => {
    const mean = sample.reduce((sum, task) => sum + task.processingTime, 0) / sample.length;
    expect(mean).toBeGreaterThan(1.46);
    expect(mean).toBeLessThan(1.48);
  });

  it('clips about 5.3 % of the sizes to 4096 and almost none to 512', () => {
    const largest = sample.filter((task) => task.size === 4096).length / sample.length;
    expect(largest).toBeGreaterThan(0.05);
    expect(largest).toBeLessThan(0.056);
    // P(Gamma(4, 0.375) < t(512) = 0.0465) ≈ 1e-5
    expect(sample.filter((task) => task.size === 512).length).toBeLessThan(10);
  });

  it('never gives a deadline above 5.7408 s (twice the largest time)', () => {
    expect(Math.max(...sample.map((task) => task.deadline))).toBeCloseTo(5.740808, 6);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(draws(3, 50)).toEqual(draws(3, 50));
    expect(draws(3, 50)).not.toEqual(draws(4, 50));
  });
});
