/**
 * The emitter: pops each phase's `phase_config` from the input queue and plays that phase's tasks
 * at their scheduled times, pushing each to the worker queue with the enqueue counter (one atomic
 * step). The schedule is the workload generator's (`workloadSchedule`), the same one the simulated
 * farm plays, so a live and a simulated episode of one seed see the same tasks.
 */
import { randomUUID } from 'node:crypto';
import { enqueuedCounterKey, phaseConfigSchema, type Task } from '../messages.js';
import type { Queues } from '../queues/contract.js';
import type { ScheduledTask, WorkloadOptions } from '../workload/contract.js';
import { workloadSchedule } from '../workload/schedule.js';
import type { RunClock } from './clock.js';
import { popControl, safeJson, startMessage } from './control.js';
import { queueNamesOf, type RolePayload } from './payload.js';

export interface RoleDeps {
  clock: RunClock;
  signal?: AbortSignal;
  /** Where a role reports what it dropped or could not do (the replica's log). */
  warn: (message: string) => void;
}

export interface EmitterSummary {
  role: 'emitter';
  emitted: number;
  terminated: boolean;
}

/** The workload options a payload describes. */
export function payloadWorkload(payload: RolePayload): WorkloadOptions {
  const w = payload.dfaas.workload;
  return {
    mode: w.mode,
    baseRate: payload.base_rate,
    phases: w.phases,
    windowDuration: w.window_duration,
    model: {
      a: payload.calibrated_model_a,
      b: payload.calibrated_model_b,
      seed: payload.calibrated_model_seed,
      r_squared: payload.calibrated_model_r_squared,
    },
    seed: payload.task_seed,
    ...(w.max_tasks === undefined ? {} : { maxTasks: w.max_tasks }),
  };
}

/** A scheduled task as the message the workers take, its times divided by the time scale. */
export function taskMessage(task: ScheduledTask, now: number, timeScale: number): Task {
  const processing = task.processingTime / timeScale;
  return {
    task_id: randomUUID(),
    task_gen_timestamp: now,
    task_application: 'image_processing',
    task_priority: 'normal',
    task_expected_duration: processing,
    task_data_size: task.size,
    task_deadline: task.deadline / timeScale,
    task_processing_time_simulated: processing,
    task_emit_timestamp: now,
    task_emit_time: 0,
  };
}

export async function runEmitter(
  queues: Queues,
  payload: RolePayload,
  deps: RoleDeps,
): Promise<EmitterSummary> {
  const names = queueNamesOf(payload);
  const scale = payload.dfaas.time_scale;
  const schedule = workloadSchedule(payloadWorkload(payload));
  const counter = enqueuedCounterKey(names);
  await queues.push(
    names.emitter_start_queue_name,
    JSON.stringify(startMessage(`emitter-${process.pid}`, payload.dfaas.function_name, 'emitter ready')),
  );
  const terminated = async () =>
    (await popControl(queues, names.emitter_control_syn_queue_name, 'TERMINATE', (raw) =>
      deps.warn(`emitter dropped a stray control message: ${raw}`),
    )) !== null;

  let emitted = 0;
  let phase = 0;
  // Times are relative to when the first phase starts; a phase whose configuration comes late
  // shifts the rest of the schedule by as much (the reference's emitter waits on the queue too).
  let origin = Number.NaN;
  for (const task of schedule) {
    while (task.phase > phase) {
      const raw = await queues.popWait(names.input_queue_name, payload.dfaas.poll_ms);
      if (deps.signal?.aborted || (await terminated())) return { role: 'emitter', emitted, terminated: true };
      if (raw === null) continue;
      const config = phaseConfigSchema.safeParse(safeJson(raw));
      if (!config.success) throw new Error(`emitter: input_queue holds no phase_config: ${raw}`);
      phase = config.data.phase_number;
      const lateBy = Number.isNaN(origin) ? 0 : deps.clock.now() - (origin + task.at / scale);
      origin = Number.isNaN(origin) ? deps.clock.now() - task.at / scale : origin + Math.max(0, lateBy);
    }
    await deps.clock.until(origin + task.at / scale, deps.signal);
    if (deps.signal?.aborted || (await terminated())) return { role: 'emitter', emitted, terminated: true };
    const message = taskMessage(task, deps.clock.now(), scale);
    await queues.pushCounted(names.worker_queue_name, counter, JSON.stringify(message));
    emitted += 1;
  }
  return { role: 'emitter', emitted, terminated: false };
}
