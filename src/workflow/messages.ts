/**
 * The farm's queue names and JSON messages, exactly as the reference farm (lilanpei's
 * "AI-based Autonomic Management of Structured Parallel Programs", OpenFaaS + Redis) writes them,
 * so a dfaas role and a reference role can share one Redis. Every timestamp is float seconds
 * since the run's `program_start_time`.
 *
 * Two changes, both additions a reference reader ignores:
 * - TERMINATE for the workers travels on its own key (`worker_control_terminate_queue`), not on
 *   the SCALE_DOWN key, so a worker that reads one never drops the other (the reference shares one
 *   key and drops a message of the wrong type);
 * - ACK and START carry `function_name` and `pid`, so the controller removes the function that
 *   acknowledged without asking Kubernetes for the pod's label, and a test can kill a worker.
 */
import { z } from 'zod';

/** The configuration keys of the reference's queues and their default names. */
export const DEFAULT_QUEUE_NAMES = {
  input_queue_name: 'input_queue',
  worker_queue_name: 'worker_queue',
  result_queue_name: 'result_queue',
  output_queue_name: 'output_queue',
  emitter_control_syn_queue_name: 'emitter_control_syn_queue',
  worker_control_syn_queue_name: 'worker_control_syn_queue',
  worker_control_ack_queue_name: 'worker_control_ack_queue',
  collector_control_syn_queue_name: 'collector_control_syn_queue',
  emitter_start_queue_name: 'emitter_start_queue',
  worker_start_queue_name: 'worker_start_queue',
  collector_start_queue_name: 'collector_start_queue',
  workflow_init_syn_queue_name: 'workflow_init_syn_queue',
  /** dfaas: TERMINATE for the workers, apart from SCALE_DOWN (see the file's comment). */
  worker_control_terminate_queue_name: 'worker_control_terminate_queue',
} as const;

export type QueueNames = { [K in keyof typeof DEFAULT_QUEUE_NAMES]: string };

/** The running count of tasks ever enqueued, beside the worker queue (the reference's Lua INCR). */
export function enqueuedCounterKey(names: QueueNames): string {
  return `${names.worker_queue_name}:enqueued_total`;
}

/** Every key a run uses, for clearing them at the start of a run or an episode. */
export function allKeys(names: QueueNames): string[] {
  return [...Object.values(names), enqueuedCounterKey(names)];
}

const seconds = z.number().finite();

export const phaseConfigSchema = z.object({
  type: z.literal('phase_config'),
  phase_number: z.number().int().min(1),
  phase_name: z.string(),
  base_rate: z.number().positive(),
  phase_multiplier: z.number().positive(),
  phase_duration: z.number().positive(),
  window_duration: z.number().positive(),
  target_tasks: z.number().int().min(0),
  phase_pattern: z.string(),
  oscillation_min: z.number().optional(),
  oscillation_max: z.number().optional(),
  oscillation_cycles: z.number().optional(),
});
/** One phase of the workload, as the task generator pushes it to `input_queue`. */
export type PhaseConfig = z.infer<typeof phaseConfigSchema>;

export const taskSchema = z.object({
  task_id: z.string().min(1),
  task_gen_timestamp: seconds,
  task_application: z.string(),
  task_priority: z.string(),
  /** = task_processing_time_simulated, s. */
  task_expected_duration: seconds,
  /** Side of the simulated image, px. */
  task_data_size: z.number().int(),
  /** s after generation. */
  task_deadline: seconds,
  task_processing_time_simulated: seconds,
  task_emit_timestamp: seconds,
  task_emit_time: seconds,
});
/** A task in `worker_queue`. */
export type Task = z.infer<typeof taskSchema>;

export const resultSchema = z.object({
  task_id: z.string().min(1),
  task_application: z.string(),
  task_priority: z.string(),
  task_gen_timestamp: seconds,
  task_deadline: seconds,
  task_emit_time: seconds,
  task_emit_timestamp: seconds,
  /** now − emit timestamp: the wait in the queue included (the reference's definition). */
  task_work_time: seconds,
  task_work_timestamp: seconds,
  processing_time: seconds,
  image_size: z.number().int(),
  status: z.literal('completed'),
});
/** A worker's result in `result_queue`. */
export type TaskResult = z.infer<typeof resultSchema>;

export const outputRecordSchema = z.object({
  task_id: z.string().min(1),
  task_application: z.string(),
  task_gen_timestamp: seconds,
  task_result_data: z.null(),
  task_emit_time: seconds,
  task_emit_timestamp: seconds,
  task_deadline: seconds,
  task_collect_time: seconds,
  task_collect_timestamp: seconds,
  task_output_size: z.null(),
  task_work_time: seconds,
  task_work_timestamp: seconds,
  /** now − generation timestamp, s: the response time QoS is judged on. */
  task_completion_time: seconds,
  task_QoS: z.boolean(),
});
/** The collector's record in `output_queue`. */
export type OutputRecord = z.infer<typeof outputRecordSchema>;

export const startMessageSchema = z.object({
  type: z.literal('START'),
  action: z.literal('SYNC'),
  start_timestamp: z.string(),
  pod_name: z.string(),
  message: z.string(),
  function_name: z.string().optional(),
  pid: z.number().int().optional(),
});
export type StartMessage = z.infer<typeof startMessageSchema>;

export const controlSynSchema = z.object({
  type: z.enum(['SCALE_DOWN', 'TERMINATE', 'WORKFLOW_INIT']),
  action: z.literal('SYN'),
  message: z.string(),
  SYN_timestamp: z.union([z.string(), seconds]),
  program_start_time: z.string().optional(),
});
export type ControlSyn = z.infer<typeof controlSynSchema>;

export const scaleDownAckSchema = z.object({
  type: z.literal('SCALE_DOWN'),
  action: z.literal('ACK'),
  ack_timestamp: z.union([z.string(), seconds]),
  task_id: z.null(),
  pod_name: z.string(),
  message: z.string(),
  function_name: z.string().optional(),
  pid: z.number().int().optional(),
});
export type ScaleDownAck = z.infer<typeof scaleDownAckSchema>;

/** Builds the output record of a result collected at `now` (s since program start). */
export function outputRecord(result: TaskResult, now: number): OutputRecord {
  const completion = now - result.task_gen_timestamp;
  return {
    task_id: result.task_id,
    task_application: result.task_application,
    task_gen_timestamp: result.task_gen_timestamp,
    task_result_data: null,
    task_emit_time: result.task_emit_time,
    task_emit_timestamp: result.task_emit_timestamp,
    task_deadline: result.task_deadline,
    task_collect_time: now - result.task_work_timestamp,
    task_collect_timestamp: now,
    task_output_size: null,
    task_work_time: result.task_work_time,
    task_work_timestamp: result.task_work_timestamp,
    task_completion_time: completion,
    task_QoS: result.task_deadline >= completion,
  };
}

/** Builds the result of a task finished at `now` (s since program start). */
export function taskResult(task: Task, now: number): TaskResult {
  return {
    task_id: task.task_id,
    task_application: task.task_application,
    task_priority: task.task_priority,
    task_gen_timestamp: task.task_gen_timestamp,
    task_deadline: task.task_deadline,
    task_emit_time: task.task_emit_time,
    task_emit_timestamp: task.task_emit_timestamp,
    task_work_time: now - task.task_emit_timestamp,
    task_work_timestamp: now,
    processing_time: task.task_processing_time_simulated,
    image_size: task.task_data_size,
    status: 'completed',
  };
}
