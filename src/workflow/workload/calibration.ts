/**
 * The reference's calibrated time model of its image pipeline, t(size) = a·size² + b, the task
 * constants it hard-codes (`TASK_TYPES` in utils.py, not read from its YAML) and its deadline rule.
 */
import type { CalibratedModel } from './contract.js';

/** The reference's `calibrated_model` (measured by calibrate_direct.py, 10 trials per size). */
export const DEFAULT_CALIBRATED_MODEL: CalibratedModel = {
  a: 1.7099013205346125e-7,
  b: 0.0016654777540409116,
  seed: 42,
  r_squared: 0.9999,
};

/** px */
export const MIN_IMAGE_SIZE = 512;
/** px */
export const MAX_IMAGE_SIZE = 4096;
/** s: the mean of the gamma the processing times are drawn from (before clipping). */
export const TARGET_MEAN_PROCESSING_TIME = 1.5;
export const PROCESSING_TIME_SHAPE = 4.0;

/** The reference's DEADLINE_COEFFICIENT and USER_PRIORITY, and its deadline bounds, s. */
const DEADLINE_COEFFICIENT = 2.0;
const USER_PRIORITY = 1.0;
const MIN_DEADLINE = 0.1;
const MAX_DEADLINE = 30.0;

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, high));
}

/** Simulated processing time of an image of side `size`, s (at least 1 ms, as the reference). */
export function processingTimeFor(size: number, model: CalibratedModel): number {
  return Math.max(0.001, model.a * size ** 2 + model.b);
}

/** The image side whose time is `time`, truncated to an integer in [512, 4096] (the model inverted). */
export function sizeForTime(time: number, model: CalibratedModel): number {
  const side = Math.sqrt(Math.max((time - model.b) / model.a, 0));
  return Math.trunc(clamp(side, MIN_IMAGE_SIZE, MAX_IMAGE_SIZE));
}

/** A task's deadline, s after its generation: clamp(2·t·1, 0.1, 30). */
export function deadlineFor(processingTime: number): number {
  return clamp(DEADLINE_COEFFICIENT * processingTime * USER_PRIORITY, MIN_DEADLINE, MAX_DEADLINE);
}
