/**
 * A worker: between two tasks it looks at its control queues (TERMINATE ends it; SCALE_DOWN makes
 * it ACK and end, so a scale-down never interrupts a task), then takes a task reliably (into its
 * processing list, under a lease it renews while it works), spends the task's simulated time, pushes
 * the result and only then completes the task. A worker that dies mid-task leaves the task in its
 * processing list; when its lease runs out the controller puts it back for another worker.
 */
import { type ScaleDownAck, type Task, taskResult, taskSchema } from '../messages.js';
import type { Queues } from '../queues/contract.js';
import { popControl, safeJson, startMessage, takeNext } from './control.js';
import type { RoleDeps } from './emitter.js';
import { queueNamesOf, type RolePayload, type WorkKind } from './payload.js';
import { spendTime } from './work.js';

export interface WorkerSummary {
  role: 'worker';
  processed: number;
  /** Why it ended: a SCALE_DOWN SYN (acknowledged) or TERMINATE. */
  ended: 'scale-down' | 'terminate' | 'aborted';
}

export async function runWorker(
  queues: Queues,
  payload: RolePayload,
  deps: RoleDeps,
): Promise<WorkerSummary> {
  const names = queueNamesOf(payload);
  const { function_name: functionName, lease_ms: leaseMs, poll_ms: pollMs } = payload.dfaas;
  const podName = `${functionName}-${process.pid}`;
  // One consumer per process: a replica started again under the same function name must not
  // renew the lease of the one that died, or that one's task would never be reclaimed.
  const consumer = podName;
  const stray = (raw: string) => deps.warn(`${functionName} dropped a stray control message: ${raw}`);
  await queues.push(
    names.worker_start_queue_name,
    JSON.stringify(startMessage(podName, functionName, `${functionName} ready`)),
  );
  let processed = 0;
  for (;;) {
    if (deps.signal?.aborted) return { role: 'worker', processed, ended: 'aborted' };
    if (await popControl(queues, names.worker_control_terminate_queue_name, 'TERMINATE', stray)) {
      return { role: 'worker', processed, ended: 'terminate' };
    }
    if (await popControl(queues, names.worker_control_syn_queue_name, 'SCALE_DOWN', stray)) {
      const ack: ScaleDownAck = {
        type: 'SCALE_DOWN',
        action: 'ACK',
        ack_timestamp: new Date().toISOString(),
        task_id: null,
        pod_name: podName,
        message: `${functionName} finished its work and leaves`,
        function_name: functionName,
        pid: process.pid,
      };
      await queues.push(names.worker_control_ack_queue_name, JSON.stringify(ack));
      return { role: 'worker', processed, ended: 'scale-down' };
    }
    const raw = await takeNext(queues, names.worker_queue_name, consumer, pollMs, leaseMs);
    if (raw === null) continue;
    const task = taskSchema.safeParse(safeJson(raw));
    if (!task.success || task.data.task_application !== 'image_processing') {
      // Completed so it is not handed out again and again; the reference raises and ends instead.
      deps.warn(`${functionName} dropped a task it cannot process: ${raw}`);
      await queues.complete(names.worker_queue_name, consumer, raw);
      continue;
    }
    await work(queues, names.worker_queue_name, consumer, leaseMs, task.data, payload.dfaas.work, deps);
    if (payload.processing_delay > 0) await spendTime('sleep', payload.processing_delay, deps.signal);
    await queues.push(names.result_queue_name, JSON.stringify(taskResult(task.data, deps.clock.now())));
    await queues.complete(names.worker_queue_name, consumer, raw);
    processed += 1;
  }
}

/** Spends the task's time while renewing the lease every third of it. */
async function work(
  queues: Queues,
  key: string,
  consumer: string,
  leaseMs: number,
  task: Task,
  kind: WorkKind,
  deps: RoleDeps,
): Promise<void> {
  const renewal = setInterval(
    () => {
      queues
        .renew(key, consumer, leaseMs)
        .catch((err: unknown) => deps.warn(`lease renewal failed: ${String(err)}`));
    },
    Math.max(10, Math.floor(leaseMs / 3)),
  );
  try {
    await spendTime(kind, task.task_processing_time_simulated, deps.signal);
  } finally {
    clearInterval(renewal);
  }
}
