/**
 * The invocation payload every role gets (the body of its asynchronous call): the reference's
 * fields (`_get_worker_payload`: the queue names, wait_time, program_start_time, the calibrated
 * model, base_rate, task_seed), plus a `dfaas` block with what the reference hard-codes or reads
 * from Kubernetes (the role, where the queues are, the function's own name, the workload, the time
 * scale, the kind of work, the lease). A role validates it before touching a queue.
 */
import { z } from 'zod';
import { DEFAULT_QUEUE_NAMES, type QueueNames } from '../messages.js';
import type { WorkloadOptions } from '../workload/contract.js';

export const ROLES = ['emitter', 'worker', 'collector'] as const;
export type Role = (typeof ROLES)[number];

/** How a worker spends a task's simulated processing time. */
export const WORK_KINDS = ['sleep', 'cpu'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

const queueNamesSchema = z.object(
  Object.fromEntries(Object.keys(DEFAULT_QUEUE_NAMES).map((k) => [k, z.string().min(1)])) as {
    [K in keyof QueueNames]: z.ZodString;
  },
);

const phaseSchema = z.object({
  name: z.string(),
  pattern: z.string(),
  multiplier: z.number().positive(),
  duration: z.number().positive(),
  oscillation: z.object({ min: z.number(), max: z.number(), cycles: z.number() }).optional(),
});

export const rolePayloadSchema = queueNamesSchema.extend({
  processing_delay: z.number().min(0),
  wait_time: z.number().min(0),
  program_start_time: z.iso.datetime({ offset: true }),
  collector_feedback_flag: z.boolean(),
  calibrated_model_a: z.number(),
  calibrated_model_b: z.number(),
  calibrated_model_seed: z.number(),
  calibrated_model_r_squared: z.number(),
  base_rate: z.number().positive(),
  task_seed: z.number().int(),
  dfaas: z.object({
    role: z.enum(ROLES),
    /** `http://127.0.0.1:PORT` (an embedded queue served by the controller) or `redis://…`. */
    queue_url: z.string().min(1),
    /** The function this invocation runs as (`worker-3`): it names the worker in its ACK. */
    function_name: z.string().min(1),
    /** Every duration of the workload is divided by it (1 = the reference's time). */
    time_scale: z.number().positive(),
    work: z.enum(WORK_KINDS),
    /** A worker's lease on the task it holds, renewed while it works; ms. */
    lease_ms: z.number().int().positive(),
    /** How long one wait on a queue lasts before the role looks at its control queues again; ms. */
    poll_ms: z.number().int().positive(),
    workload: z.object({
      mode: z.enum(['faithful', 'intended']),
      phases: z.array(phaseSchema).min(1),
      window_duration: z.number().positive(),
      max_tasks: z.number().int().positive().optional(),
    }),
  }),
});
export type RolePayload = z.infer<typeof rolePayloadSchema>;

/** The queue names of a payload. */
export function queueNamesOf(payload: RolePayload): QueueNames {
  return Object.fromEntries(
    Object.keys(DEFAULT_QUEUE_NAMES).map((k) => [k, payload[k as keyof QueueNames]]),
  ) as QueueNames;
}

/** What a role's payload is made of, beside its role and function name. */
export interface RolePayloadInputs {
  names: QueueNames;
  workload: WorkloadOptions;
  programStart: Date;
  queueUrl: string;
  timeScale: number;
  work: WorkKind;
  leaseMs: number;
  pollMs: number;
}

/** The payload of one role's invocation. */
export function rolePayload(role: Role, functionName: string, i: RolePayloadInputs): RolePayload {
  const w = i.workload;
  return {
    ...i.names,
    processing_delay: 0,
    wait_time: i.pollMs / 1000,
    program_start_time: i.programStart.toISOString(),
    collector_feedback_flag: false,
    calibrated_model_a: w.model.a,
    calibrated_model_b: w.model.b,
    calibrated_model_seed: w.model.seed,
    calibrated_model_r_squared: w.model.r_squared,
    base_rate: w.baseRate,
    task_seed: w.seed,
    dfaas: {
      role,
      queue_url: i.queueUrl,
      function_name: functionName,
      time_scale: i.timeScale,
      work: i.work,
      lease_ms: i.leaseMs,
      poll_ms: i.pollMs,
      workload: {
        mode: w.mode,
        phases: w.phases,
        window_duration: w.windowDuration,
        ...(w.maxTasks === undefined ? {} : { max_tasks: w.maxTasks }),
      },
    },
  };
}
