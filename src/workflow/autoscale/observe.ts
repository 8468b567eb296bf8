/**
 * The reference's 9-value observation (anchors §2.1), computed from a farm snapshot. The same for
 * the live farm and the simulation.
 */

import type { ObservationBounds } from './config.js';
import type { FarmSnapshot, Observation } from './contract.js';

/** What a task-time value is when no task was collected in the window (the reference's default). */
export const NO_TASK_TIME = 1.5;

/** The part of the previous snapshot the arrival rate needs. */
export type ArrivalSample = Pick<FarmSnapshot, 'now' | 'enqueuedTotal'>;

/**
 * The observation at `snapshot.now`:
 * - avg/max time: mean and max completion time (generation → collection) of the tasks collected in
 *   (now − window, now]; 1.5 when there are none;
 * - arrival rate: tasks enqueued per second since `previous` (0 without one, at reset);
 * - qos rate: the fraction of the window's tasks that met their deadline; 1 when there are none.
 */
export function observe(
  snapshot: FarmSnapshot,
  previous: ArrivalSample | undefined,
  windowSeconds: number,
): Observation {
  const { now, collected } = snapshot;
  const windowStart = now - windowSeconds;
  let count = 0;
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  let met = 0;
  // `collected` is in collection order and may already hold tasks collected after `now` (a
  // back-end's list grows in place), so walk back from the end over the window only.
  for (let i = collected.length - 1; i >= 0; i--) {
    const task = collected[i] as (typeof collected)[number];
    if (task.collectedAt > now) continue;
    if (task.collectedAt <= windowStart) break;
    count++;
    sum += task.completionTime;
    max = Math.max(max, task.completionTime);
    if (task.qos) met++;
  }
  return [
    snapshot.inputQueue,
    snapshot.workerQueue,
    snapshot.resultQueue,
    snapshot.outputQueue,
    snapshot.workers,
    count > 0 ? sum / count : NO_TASK_TIME,
    count > 0 ? max : NO_TASK_TIME,
    arrivalRate(snapshot, previous),
    count > 0 ? met / count : 1,
  ];
}

function arrivalRate(snapshot: ArrivalSample, previous: ArrivalSample | undefined): number {
  if (!previous) return 0;
  const elapsed = snapshot.now - previous.now;
  return elapsed > 0 ? Math.max(0, snapshot.enqueuedTotal - previous.enqueuedTotal) / elapsed : 0;
}

/** Each value clipped to its bounds and scaled to [0, 1], as the reference's DQN feeds its network. */
export function normaliseObservation(observation: Observation, bounds: ObservationBounds): number[] {
  return observation.map((x, i) => {
    const lo = bounds.low[i] ?? 0;
    const hi = bounds.high[i] ?? 1;
    return (Math.min(Math.max(x, lo), hi) - lo) / (hi - lo);
  });
}
