import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_QUEUE_NAMES,
  enqueuedCounterKey,
  outputRecordSchema,
  resultSchema,
  scaleDownAckSchema,
  type Task,
} from '../../../src/workflow/messages.js';
import { MemoryQueues } from '../../../src/workflow/queues/memory.js';
import { runClock } from '../../../src/workflow/roles/clock.js';
import { runCollector } from '../../../src/workflow/roles/collector.js';
import { synMessage } from '../../../src/workflow/roles/control.js';
import { type RoleDeps, runEmitter } from '../../../src/workflow/roles/emitter.js';
import { type Role, type RolePayload, rolePayload } from '../../../src/workflow/roles/payload.js';
import { runWorker } from '../../../src/workflow/roles/worker.js';
import { defaultWorkload, phaseConfigs } from '../../../src/workflow/workload/phases.js';
import { testTask } from '../task.js';

/**
 * The roles in this process over the memory queues: the SYN/ACK protocol (a worker told to scale
 * down while busy finishes its task, pushes the result, and only then ACKs), TERMINATE on its own
 * key, the emitter's counted pushes, and the collector's one record per task.
 */
const names = DEFAULT_QUEUE_NAMES;
const queues = new MemoryQueues();
afterEach(() => queues.clear(Object.values(names)));

function payload(role: Role, functionName: string, maxTasks = 5): RolePayload {
  return rolePayload(role, functionName, {
    names,
    workload: { ...defaultWorkload(3), maxTasks },
    programStart: new Date(),
    queueUrl: 'embedded',
    timeScale: 1000,
    work: 'sleep',
    leaseMs: 5_000,
    pollMs: 10,
  });
}

const warnings: string[] = [];
const deps = (p: RolePayload): RoleDeps => ({
  clock: runClock(p.program_start_time),
  warn: (m) => warnings.push(m),
});

describe('worker', () => {
  it('finishes its task before it ACKs a SCALE_DOWN that came while it worked', async () => {
    const p = payload('worker', 'worker-1');
    await queues.push(names.worker_queue_name, JSON.stringify(testTask('t1', 0.2)));
    const done = runWorker(queues, p, deps(p));
    // Wait until it holds the task, then ask it to leave.
    while ((await queues.inFlight(names.worker_queue_name)) === 0) await new Promise((r) => setTimeout(r, 5));
    await queues.push(names.worker_control_syn_queue_name, JSON.stringify(synMessage('SCALE_DOWN', 'go')));
    expect(await queues.length(names.worker_control_ack_queue_name)).toBe(0);
    const summary = await done;
    expect(summary).toEqual({ role: 'worker', processed: 1, ended: 'scale-down' });
    const [result] = (await queues.range(names.result_queue_name)).map((r) =>
      resultSchema.parse(JSON.parse(r)),
    );
    const [ack] = (await queues.range(names.worker_control_ack_queue_name)).map((r) =>
      scaleDownAckSchema.parse(JSON.parse(r)),
    );
    expect(result?.task_id).toBe('t1');
    expect(ack).toMatchObject({
      type: 'SCALE_DOWN',
      action: 'ACK',
      function_name: 'worker-1',
      task_id: null,
    });
    // Its result was pushed before the ACK (a result's work timestamp precedes the ACK's).
    expect(Date.parse(String(ack?.ack_timestamp))).toBeGreaterThanOrEqual(
      Date.parse(p.program_start_time) + (result?.task_work_timestamp ?? 0) * 1000 - 1,
    );
    expect(await queues.inFlight(names.worker_queue_name)).toBe(0);
  });

  it('ends on TERMINATE from its own key and leaves a SCALE_DOWN for another worker', async () => {
    const p = payload('worker', 'worker-2');
    await queues.push(
      names.worker_control_terminate_queue_name,
      JSON.stringify(synMessage('TERMINATE', 'stop')),
    );
    await queues.push(
      names.worker_control_syn_queue_name,
      JSON.stringify(synMessage('SCALE_DOWN', 'one of you')),
    );
    expect(await runWorker(queues, p, deps(p))).toMatchObject({ ended: 'terminate', processed: 0 });
    expect(await queues.length(names.worker_control_syn_queue_name)).toBe(1);
  });

  it('drops a task of another application without crashing, and completes it', async () => {
    const p = payload('worker', 'worker-3');
    await queues.push(
      names.worker_queue_name,
      JSON.stringify({ ...testTask('x', 0.01), task_application: 'matrix' }),
    );
    const run = runWorker(queues, p, deps(p));
    while (
      (await queues.length(names.worker_queue_name)) > 0 ||
      (await queues.inFlight(names.worker_queue_name)) > 0
    ) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await queues.push(
      names.worker_control_terminate_queue_name,
      JSON.stringify(synMessage('TERMINATE', 'stop')),
    );
    expect(await run).toMatchObject({ processed: 0, ended: 'terminate' });
    expect(warnings.some((w) => w.includes('cannot process'))).toBe(true);
  });
});

describe('emitter and collector', () => {
  it('the emitter plays its phases’ tasks with the counter; the collector records each task once', async () => {
    const p = payload('emitter', 'emitter', 12);
    const configs = phaseConfigs({ ...defaultWorkload(3), maxTasks: 12 });
    await queues.push(names.input_queue_name, ...configs.map((c) => JSON.stringify(c)));
    const summary = await runEmitter(queues, p, deps(p));
    expect(summary).toEqual({ role: 'emitter', emitted: 12, terminated: false });
    expect(await queues.counter(enqueuedCounterKey(names))).toBe(12);
    const tasks = (await queues.range(names.worker_queue_name)).map((r) => JSON.parse(r) as Task);
    expect(new Set(tasks.map((t) => t.task_id)).size).toBe(12);
    // Times are divided by the time scale (1000): deadlines of at most 30 s become at most 0.03 s.
    for (const t of tasks) expect(t.task_deadline).toBeLessThanOrEqual(0.03);

    // Each result twice (a worker whose lease ran out finished anyway): one record per task.
    for (const t of tasks) {
      const result = {
        ...t,
        task_work_time: 0,
        task_work_timestamp: 0,
        processing_time: 0,
        image_size: 512,
        status: 'completed',
      };
      await queues.push(names.result_queue_name, JSON.stringify(result), JSON.stringify(result));
    }
    const c = payload('collector', 'collector');
    const collector = runCollector(queues, c, deps(c));
    while ((await queues.length(names.result_queue_name)) > 0) await new Promise((r) => setTimeout(r, 5));
    await queues.push(
      names.collector_control_syn_queue_name,
      JSON.stringify(synMessage('TERMINATE', 'stop')),
    );
    expect(await collector).toEqual({ role: 'collector', collected: 12, duplicates: 12 });
    const records = (await queues.range(names.output_queue_name)).map((r) =>
      outputRecordSchema.parse(JSON.parse(r)),
    );
    expect(records).toHaveLength(12);
  });
});

describe('work', () => {
  it('CPU work lasts its time and leaves the event loop turning (lease renewals, liveness probes)', async () => {
    const { spendTime } = await import('../../../src/workflow/roles/work.js');
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 20);
    const began = performance.now();
    await spendTime('cpu', 0.2);
    clearInterval(timer);
    expect(performance.now() - began).toBeGreaterThanOrEqual(199);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });
});
