import { afterEach, describe, expect, it } from 'vitest';
import type { AsyncInvokeRequest, FunctionDeployment, Platform } from '../../src/platform/api.js';
import { LiveFarm } from '../../src/workflow/farm.js';
import { DEFAULT_QUEUE_NAMES } from '../../src/workflow/messages.js';
import { MemoryQueues } from '../../src/workflow/queues/memory.js';
import { runClock } from '../../src/workflow/roles/clock.js';
import { runCollector } from '../../src/workflow/roles/collector.js';
import { runEmitter } from '../../src/workflow/roles/emitter.js';
import { type RolePayload, rolePayloadSchema } from '../../src/workflow/roles/payload.js';
import { runWorker } from '../../src/workflow/roles/worker.js';
import { defaultWorkload } from '../../src/workflow/workload/phases.js';
import { testTask } from './task.js';

/**
 * The controller's scaling protocol, with the roles run in this process by a stand-in platform
 * (the integration tests run them as real functions on the embedded platform): the lowest free
 * worker index on scale-up, graceful scale-down by SYN/ACK, and a scale-down whose ACKs do not
 * come in time reported as missing, its SYNs withdrawn, the late ACK honoured later.
 */
const names = DEFAULT_QUEUE_NAMES;

class InProcessPlatform implements Pick<Platform, 'deploy' | 'remove' | 'invokeAsync' | 'list'> {
  readonly deployed = new Set<string>();
  readonly running: Promise<unknown>[] = [];
  /** A removed function's process ends, as the platform kills it: its loop is aborted. */
  private readonly stops = new Map<string, AbortController>();
  constructor(private readonly queues: MemoryQueues) {}
  async list() {
    return [];
  }
  async deploy(d: FunctionDeployment) {
    this.deployed.add(d.service);
  }
  async remove(name: string) {
    this.deployed.delete(name);
    this.stops.get(name)?.abort();
  }
  async invokeAsync(name: string, req: AsyncInvokeRequest = {}) {
    const payload: RolePayload = rolePayloadSchema.parse(JSON.parse(String(req.body)));
    const stop = new AbortController();
    this.stops.set(name, stop);
    const deps = { clock: runClock(payload.program_start_time), warn: () => {}, signal: stop.signal };
    const role = payload.dfaas.role;
    this.running.push(
      role === 'emitter'
        ? runEmitter(this.queues, payload, deps)
        : role === 'worker'
          ? runWorker(this.queues, payload, deps)
          : runCollector(this.queues, payload, deps),
    );
    return { callId: String(this.running.length) };
  }
}

let farm: LiveFarm | undefined;
let platform: InProcessPlatform | undefined;
afterEach(async () => {
  await farm?.stop();
  await Promise.all(platform?.running ?? []);
});

async function start(queues: MemoryQueues, workers: number, ackTimeoutMs: number): Promise<LiveFarm> {
  platform = new InProcessPlatform(queues);
  farm = await LiveFarm.start({
    platform: platform as unknown as Platform,
    queues,
    roleQueueUrl: 'embedded',
    names: { ...names },
    // One task, so the farm is otherwise idle: the tests put their own tasks in the queue.
    workload: { ...defaultWorkload(1), maxTasks: 1 },
    initialWorkers: workers,
    timeScale: 1000,
    work: 'sleep',
    leaseMs: 5_000,
    pollMs: 10,
    startTimeoutMs: 5_000,
    ackTimeoutMs,
  });
  return farm;
}

describe('LiveFarm scaling', () => {
  it('adds workers at the lowest free indexes and removes the ones that acknowledge', async () => {
    const queues = new MemoryQueues();
    const f = await start(queues, 3, 2_000);
    expect([...f.workerProcesses().keys()]).toEqual(['worker-1', 'worker-2', 'worker-3']);
    expect(await f.scaleDown(1)).toMatchObject({ applied: -1 });
    expect(f.workers).toBe(2);
    const gone = ['worker-1', 'worker-2', 'worker-3'].find((n) => !f.workerProcesses().has(n));
    expect(platform?.deployed.has(gone as string)).toBe(false);
    expect(await f.scaleUp(2)).toMatchObject({ applied: 2 });
    expect([...f.workerProcesses().keys()].sort()).toEqual(['worker-1', 'worker-2', 'worker-3', 'worker-4']);
  });

  it('reports ACKs that do not come in time and withdraws their SYNs: the worker stays', async () => {
    const queues = new MemoryQueues();
    const f = await start(queues, 1, 100);
    // The only worker is busy for 0.6 s (task times are seconds): it cannot ACK within 100 ms.
    await queues.push(names.worker_queue_name, JSON.stringify(testTask('busy', 0.6)));
    while ((await queues.inFlight(names.worker_queue_name)) === 0) await new Promise((r) => setTimeout(r, 5));
    const outcome = await f.scaleDown(1);
    expect(outcome).toMatchObject({ applied: 0, missingAcks: 1 });
    expect(await queues.length(names.worker_control_syn_queue_name)).toBe(0);
    expect(f.workers).toBe(1);
    // The worker finishes its task and stays (its SYN was withdrawn): it takes the next task.
    await queues.push(names.worker_queue_name, JSON.stringify(testTask('next', 0.001)));
    while ((await queues.length(names.worker_queue_name)) > 0) await new Promise((r) => setTimeout(r, 5));
    expect(f.workers).toBe(1);
  });

  it('honours an ACK that comes after its scale-down gave up', async () => {
    const queues = new MemoryQueues();
    const f = await start(queues, 2, 100);
    await queues.push(
      names.worker_control_ack_queue_name,
      JSON.stringify({
        type: 'SCALE_DOWN',
        action: 'ACK',
        ack_timestamp: new Date().toISOString(),
        task_id: null,
        pod_name: 'worker-2-1',
        message: 'late',
        function_name: 'worker-2',
      }),
    );
    const snapshot = await f.snapshot();
    expect(snapshot.workers).toBe(1);
    expect(platform?.deployed.has('worker-2')).toBe(false);
  });
});
