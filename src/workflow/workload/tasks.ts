/** One task's size, drawn as the reference's `generate_task_for_generation` does (anchors §1.5). */
import {
  deadlineFor,
  MAX_IMAGE_SIZE,
  MIN_IMAGE_SIZE,
  PROCESSING_TIME_SHAPE,
  processingTimeFor,
  sizeForTime,
  TARGET_MEAN_PROCESSING_TIME,
} from './calibration.js';
import type { CalibratedModel, ScheduledTask } from './contract.js';
import { gamma, type Uniform } from './random.js';

export type TaskDraw = Pick<ScheduledTask, 'size' | 'processingTime' | 'deadline'>;

/** Draws of the gamma before falling back to its mean. */
const GAMMA_TRIES = 5;

/**
 * A time from Gamma(4, 1.5/4) (up to 5 tries for one above b, else 1.5 s), clipped to
 * [t(512), t(4096)], turned into an integer image side, and that side's time and deadline.
 */
export function drawTaskSize(rng: Uniform, model: CalibratedModel): TaskDraw {
  let sampled = TARGET_MEAN_PROCESSING_TIME;
  for (let i = 0; i < GAMMA_TRIES; i++) {
    const candidate = gamma(rng, PROCESSING_TIME_SHAPE, TARGET_MEAN_PROCESSING_TIME / PROCESSING_TIME_SHAPE);
    if (candidate > model.b) {
      sampled = candidate;
      break;
    }
  }
  // The bounds are the bare model (no 1 ms floor), as the reference clips.
  const lowest = model.a * MIN_IMAGE_SIZE ** 2 + model.b;
  const highest = model.a * MAX_IMAGE_SIZE ** 2 + model.b;
  const size = sizeForTime(Math.max(lowest, Math.min(sampled, highest)), model);
  const processingTime = processingTimeFor(size, model);
  return { size, processingTime, deadline: deadlineFor(processingTime) };
}
