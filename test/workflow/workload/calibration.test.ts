import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CALIBRATED_MODEL,
  deadlineFor,
  MAX_IMAGE_SIZE,
  MIN_IMAGE_SIZE,
  processingTimeFor,
  sizeForTime,
} from '../../../src/workflow/workload/calibration.js';

const model = DEFAULT_CALIBRATED_MODEL;

describe('the calibrated model', () => {
  it('is the reference calibration', () => {
    expect(model).toEqual({
      a: 1.7099013205346125e-7,
      b: 0.0016654777540409116,
      seed: 42,
      r_squared: 0.9999,
    });
    expect([MIN_IMAGE_SIZE, MAX_IMAGE_SIZE]).toEqual([512, 4096]);
  });

  it('gives the reference times and deadlines at the size bounds', () => {
    expect(processingTimeFor(512, model)).toBeCloseTo(0.04649, 5);
    expect(deadlineFor(processingTimeFor(512, model))).toBe(0.1); // 2t = 0.093, raised to the floor
    expect(processingTimeFor(4096, model)).toBeCloseTo(2.870404, 6);
    expect(deadlineFor(processingTimeFor(4096, model))).toBeCloseTo(5.740808, 6);
  });

  it('floors a time at 1 ms', () => {
    expect(processingTimeFor(10, { a: 1e-7, b: 0, seed: 0, r_squared: 1 })).toBe(0.001);
  });

  it('bounds a deadline to [0.1, 30] s around twice the time', () => {
    expect(deadlineFor(1)).toBe(2);
    expect(deadlineFor(0.01)).toBe(0.1);
    expect(deadlineFor(20)).toBe(30);
  });

  it('inverts its times back to the same size, for every size', () => {
    for (let size = MIN_IMAGE_SIZE; size <= MAX_IMAGE_SIZE; size++) {
      expect(sizeForTime(processingTimeFor(size, model), model)).toBe(size);
    }
  });

  it('truncates a time between two sizes down, and clamps out-of-range times', () => {
    const between = (processingTimeFor(1000, model) + processingTimeFor(1001, model)) / 2;
    expect(sizeForTime(between, model)).toBe(1000);
    expect(sizeForTime(0, model)).toBe(MIN_IMAGE_SIZE);
    expect(sizeForTime(0.02, model)).toBe(MIN_IMAGE_SIZE);
    expect(sizeForTime(10, model)).toBe(MAX_IMAGE_SIZE);
  });
});
