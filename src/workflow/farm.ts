/**
 * The farm's controller on a FaaS platform: it deploys the emitter, the collector and N workers as
 * functions (`worker-<i>`, the lowest free index, as the reference does), starts each with one
 * long-running asynchronous invocation and waits for its START, pushes the workload's phase
 * configurations, scales workers up (deploy, invoke, START) and down (SYN, the worker finishes its
 * task and ACKs, then its function is removed), reclaims the tasks of workers whose lease ran out,
 * and observes the queues. It runs the same on the embedded platform and on any OpenFaaS-compatible
 * gateway; the roles reach the queues by the URL they are given.
 */
import { fileURLToPath } from 'node:url';
import { HANDLER_ANNOTATION } from '../config/stack.js';
import { DfaasError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { FunctionDeployment, Platform } from '../platform/api.js';
import type { CollectedTask, FarmSnapshot, ScaleOutcome } from './autoscale/contract.js';
import {
  allKeys,
  enqueuedCounterKey,
  outputRecordSchema,
  type QueueNames,
  scaleDownAckSchema,
  startMessageSchema,
} from './messages.js';
import type { Queues } from './queues/contract.js';
import { safeJson, synMessage } from './roles/control.js';
import { type Role, type RolePayload, rolePayload, type WorkKind } from './roles/payload.js';
import type { WorkloadOptions } from './workload/contract.js';
import { expectedTaskCount, phaseConfigs } from './workload/phases.js';

export interface FarmOptions {
  platform: Platform;
  /** The controller's own connection to the queues. */
  queues: Queues;
  /** The URL the roles open (the embedded queue's loopback server, or the Redis URL). */
  roleQueueUrl: string;
  names: QueueNames;
  workload: WorkloadOptions;
  initialWorkers: number;
  /** Every duration of the workload is divided by it; observations are multiplied back. */
  timeScale: number;
  work: WorkKind;
  /** A worker's lease on its task (the visibility timeout), ms. */
  leaseMs: number;
  /** How long a role waits on a queue before it looks at its control queues again, ms. */
  pollMs: number;
  /** How long the controller waits for START messages after invoking, ms. */
  startTimeoutMs: number;
  /** How long a scale-down waits for its ACKs, ms (the reference: 32 polls of 1 s). */
  ackTimeoutMs: number;
  /** Images for a real OpenFaaS (which cannot run our module); the embedded platform ignores them. */
  images?: Partial<Record<Role, string>>;
  logger?: Logger;
}

/** This module's sibling, the roles' handler: .ts when dfaas runs from source, .js when built. */
const ROLE_HANDLER = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './roles/function.ts' : './roles/function.js', import.meta.url),
);

/** The reference's function settings: 12 h timeouts, exactly one replica each, no retries. */
function roleDeployment(name: string, role: Role, images: FarmOptions['images']): FunctionDeployment {
  return {
    service: name,
    image: images?.[role] ?? `dfaas/workflow-${role}:latest`,
    envVars: { read_timeout: '12h', write_timeout: '12h', exec_timeout: '12h' },
    labels: { 'com.openfaas.scale.min': '1', 'com.openfaas.scale.max': '1', 'dfaas.workflow.role': role },
    annotations: { [HANDLER_ANNOTATION]: ROLE_HANDLER, 'com.openfaas.retry.attempts': '0' },
  };
}

export class WorkflowFarmError extends DfaasError {
  constructor(message: string, hint?: string) {
    super('DFAAS_ERR_WORKFLOW_FARM', message, hint === undefined ? {} : { hint });
    this.name = 'WorkflowFarmError';
  }
}

export class LiveFarm {
  /** Worker functions deployed, by name, with the pid their START reported. */
  private readonly workerPids = new Map<string, number | undefined>();
  private readonly collected: CollectedTask[] = [];
  private readonly collectedIds = new Set<string>();
  private outputSeen = 0;
  private readonly programStart = new Date();
  private readonly logger: Logger;
  private reclaimTimer: NodeJS.Timeout | undefined;
  private reclaimed = 0;
  private stopped = false;

  private constructor(private readonly o: FarmOptions) {
    this.logger = o.logger ?? silentLogger;
  }

  /** Clears the queues, deploys and starts every role, and hands the emitter its workload. */
  static async start(options: FarmOptions): Promise<LiveFarm> {
    const farm = new LiveFarm(options);
    try {
      await farm.begin();
    } catch (err) {
      await farm.stop().catch(() => {});
      throw err;
    }
    return farm;
  }

  get workers(): number {
    return this.workerPids.size;
  }

  /** The pid each worker's START reported (for fault tests and diagnostics). */
  workerProcesses(): ReadonlyMap<string, number | undefined> {
    return this.workerPids;
  }

  /** Tasks put back in the queue after their worker's lease ran out, so far. */
  get reclaimedTasks(): number {
    return this.reclaimed;
  }

  get expectedTasks(): number {
    return expectedTaskCount(this.o.workload);
  }

  private async begin(): Promise<void> {
    const { queues, names } = this.o;
    await queues.clear(allKeys(names));
    await this.removeLeftovers();
    await this.launch('emitter', 'emitter', names.emitter_start_queue_name);
    await this.launch('collector', 'collector', names.collector_start_queue_name);
    await this.scaleUp(this.o.initialWorkers);
    await queues.push(
      names.workflow_init_syn_queue_name,
      JSON.stringify({
        ...synMessage('WORKFLOW_INIT', 'workflow initialised'),
        program_start_time: this.programStart.toISOString(),
      }),
    );
    // The task generator's part: every phase's configuration, in order (LPUSH + RPOP = FIFO).
    const configs = phaseConfigs(this.o.workload);
    if (configs.length > 0)
      await queues.push(names.input_queue_name, ...configs.map((c) => JSON.stringify(c)));
    this.reclaimTimer = setInterval(() => void this.reclaim(), Math.max(50, Math.floor(this.o.leaseMs / 2)));
  }

  /** Functions of an earlier run that did not end cleanly (a killed controller). */
  private async removeLeftovers(): Promise<void> {
    const leftovers = (await this.o.platform.list()).filter((f) => f.labels?.['dfaas.workflow.role']);
    for (const f of leftovers) await this.o.platform.remove(f.name);
  }

  private payload(role: Role, functionName: string): RolePayload {
    const o = this.o;
    return rolePayload(role, functionName, {
      names: o.names,
      workload: o.workload,
      programStart: this.programStart,
      queueUrl: o.roleQueueUrl,
      timeScale: o.timeScale,
      work: o.work,
      leaseMs: o.leaseMs,
      pollMs: o.pollMs,
    });
  }

  /** Deploys and invokes one role's function; resolves with the pid its START reported. */
  private async launch(name: string, role: Role, startQueue: string): Promise<number | undefined> {
    await this.o.platform.deploy(roleDeployment(name, role, this.o.images));
    await this.o.platform.invokeAsync(name, {
      body: JSON.stringify(this.payload(role, name)),
      headers: { 'content-type': 'application/json' },
    });
    const starts = await this.awaitStarts(startQueue, 1);
    return starts.get(name);
  }

  /** Pops `count` START messages from `key`: function name → pid. */
  private async awaitStarts(key: string, count: number): Promise<Map<string, number | undefined>> {
    const started = new Map<string, number | undefined>();
    const deadline = performance.now() + this.o.startTimeoutMs;
    while (started.size < count) {
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new WorkflowFarmError(
          `${count - started.size} of ${count} functions sent no START on ${key} within ${this.o.startTimeoutMs} ms`,
          'look at the functions’ logs; a role that cannot reach the queue URL it was given never starts',
        );
      }
      const raw = await this.o.queues.popWait(key, Math.min(left, 1000));
      if (raw === null) continue;
      const start = startMessageSchema.safeParse(safeJson(raw));
      if (start.success) started.set(start.data.function_name ?? start.data.pod_name, start.data.pid);
    }
    return started;
  }

  /** Adds `count` workers: deploy `worker-<i>` at the lowest free indexes, invoke, await their START. */
  async scaleUp(count: number): Promise<ScaleOutcome> {
    const began = performance.now();
    const names: string[] = [];
    for (let i = 1; names.length < count; i += 1) {
      const name = `worker-${i}`;
      if (!this.workerPids.has(name)) names.push(name);
    }
    for (const name of names) {
      this.workerPids.set(name, undefined);
      await this.o.platform.deploy(roleDeployment(name, 'worker', this.o.images));
      await this.o.platform.invokeAsync(name, {
        body: JSON.stringify(this.payload('worker', name)),
        headers: { 'content-type': 'application/json' },
      });
    }
    const starts = await this.awaitStarts(this.o.names.worker_start_queue_name, names.length);
    for (const [name, pid] of starts) if (this.workerPids.has(name)) this.workerPids.set(name, pid);
    return { applied: count, seconds: this.elapsed(began) };
  }

  /**
   * Removes `count` workers gracefully: `count` SYNs, and each worker that pops one finishes its
   * task, ACKs and ends; its function is then removed. SYNs not taken in time are withdrawn and
   * reported as missing ACKs (the workers stay); an ACK that comes later is honoured then.
   */
  async scaleDown(count: number): Promise<ScaleOutcome> {
    const began = performance.now();
    const { queues, names } = this.o;
    for (let i = 0; i < count; i += 1) {
      await queues.push(
        names.worker_control_syn_queue_name,
        JSON.stringify(synMessage('SCALE_DOWN', 'scale down by one')),
      );
    }
    let acked = 0;
    const deadline = performance.now() + this.o.ackTimeoutMs;
    while (acked < count && performance.now() < deadline) {
      const raw = await queues.popWait(
        names.worker_control_ack_queue_name,
        Math.min(1000, deadline - performance.now()),
      );
      if (raw !== null && (await this.honourAck(raw))) acked += 1;
    }
    const missing = count - acked;
    if (missing > 0) {
      // Withdraw what no worker took, so it cannot stop a worker later unasked.
      for (let i = 0; i < missing; i += 1)
        if ((await queues.pop(names.worker_control_syn_queue_name)) === null) break;
      this.logger.warn('scale-down: workers did not acknowledge in time', {
        missing,
        timeoutMs: this.o.ackTimeoutMs,
      });
    }
    return {
      applied: acked > 0 ? -acked : 0,
      seconds: this.elapsed(began),
      ...(missing > 0 ? { missingAcks: missing } : {}),
    };
  }

  /** Removes the function of one ACK; false for a message that is no ACK of ours. */
  private async honourAck(raw: string): Promise<boolean> {
    const ack = scaleDownAckSchema.safeParse(safeJson(raw));
    const name = ack.success ? ack.data.function_name : undefined;
    if (!name || !this.workerPids.has(name)) {
      this.logger.warn('scale-down: dropped an ACK of no known worker', { message: raw });
      return false;
    }
    this.workerPids.delete(name);
    await this.o.platform.remove(name);
    return true;
  }

  private elapsed(since: number): number {
    return ((performance.now() - since) / 1000) * this.o.timeScale;
  }

  private async reclaim(): Promise<void> {
    if (this.stopped) return;
    try {
      this.reclaimed += await this.o.queues.reclaim(this.o.names.worker_queue_name);
      await this.o.queues.reclaim(this.o.names.result_queue_name);
    } catch (err) {
      this.logger.warn('reclaiming expired tasks failed', { error: String(err) });
    }
  }

  /** The farm as the autoscaling environment observes it, in the workload's seconds. */
  async snapshot(): Promise<FarmSnapshot> {
    const { queues, names } = this.o;
    // ACKs that came after their scale-down gave up: their workers have left.
    for (
      let raw = await queues.pop(names.worker_control_ack_queue_name);
      raw !== null;
      raw = await queues.pop(names.worker_control_ack_queue_name)
    ) {
      if (await this.honourAck(raw))
        this.logger.info('scale-down: a late ACK honoured', { workers: this.workers });
    }
    const [inputQueue, workerQueue, resultQueue, outputQueue, enqueuedTotal] = await Promise.all([
      queues.length(names.input_queue_name),
      queues.length(names.worker_queue_name),
      queues.length(names.result_queue_name),
      queues.length(names.output_queue_name),
      queues.counter(enqueuedCounterKey(names)),
    ]);
    await this.readOutput(outputQueue);
    const scale = this.o.timeScale;
    return {
      now: ((Date.now() - this.programStart.getTime()) / 1000) * scale,
      inputQueue,
      workerQueue,
      resultQueue,
      outputQueue,
      workers: this.workers,
      enqueuedTotal,
      collected: this.collected,
      expectedTasks: this.expectedTasks,
    };
  }

  /** Reads the output records pushed since the last look (LPUSH: the newest are at the head). */
  private async readOutput(length: number): Promise<void> {
    if (length <= this.outputSeen) return;
    const all = await this.o.queues.range(this.o.names.output_queue_name);
    const fresh = all.slice(0, all.length - this.outputSeen).reverse();
    this.outputSeen = all.length;
    const scale = this.o.timeScale;
    for (const raw of fresh) {
      const record = outputRecordSchema.safeParse(safeJson(raw));
      if (!record.success || this.collectedIds.has(record.data.task_id)) continue;
      this.collectedIds.add(record.data.task_id);
      this.collected.push({
        taskId: record.data.task_id,
        collectedAt: record.data.task_collect_timestamp * scale,
        completionTime: record.data.task_completion_time * scale,
        qos: record.data.task_QoS,
      });
    }
  }

  /** Sends TERMINATE to every role, removes every function and stops reclaiming. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.reclaimTimer);
    const { queues, names } = this.o;
    await queues.push(
      names.emitter_control_syn_queue_name,
      JSON.stringify(synMessage('TERMINATE', 'run over')),
    );
    await queues.push(
      names.collector_control_syn_queue_name,
      JSON.stringify(synMessage('TERMINATE', 'run over')),
    );
    for (let i = 0; i < this.workers; i += 1) {
      await queues.push(
        names.worker_control_terminate_queue_name,
        JSON.stringify(synMessage('TERMINATE', 'run over')),
      );
    }
    const roles = ['emitter', 'collector', ...this.workerPids.keys()];
    this.workerPids.clear();
    await Promise.all(roles.map((name) => this.o.platform.remove(name).catch(() => {})));
  }
}
