/**
 * How a worker spends a task's simulated processing time: asleep (the reference's
 * `time.sleep(t_sim)`), or busy on the CPU so that resource use is real (`--work cpu`). CPU work
 * runs in slices of at most 20 ms with a turn of the event loop between them, so the lease
 * renewals and the replica's liveness probe still get answered.
 */
import { sleep } from '../../core/poll.js';
import type { WorkKind } from './payload.js';

const SLICE_MS = 20;

export async function spendTime(kind: WorkKind, seconds: number, signal?: AbortSignal): Promise<void> {
  const ms = seconds * 1000;
  if (kind === 'sleep') return sleep(ms, signal);
  const end = performance.now() + ms;
  let sink = 0;
  while (performance.now() < end && !signal?.aborted) {
    const sliceEnd = Math.min(end, performance.now() + SLICE_MS);
    while (performance.now() < sliceEnd) sink += Math.sqrt(sink + 1);
    await new Promise<void>((r) => setImmediate(r));
  }
  if (sink < 0) throw new Error('unreachable'); // keeps the loop from being optimised away
}
