/**
 * `dfaas workflow run`: the farm with a fixed number of workers (changed only by `dfaas workflow
 * scale` while it runs), until every task of the workload is collected. It writes the run's
 * folder: `run.json` (what ran, and where a `scale` command reaches it, while it runs),
 * `output.jsonl` (the collector's records, one per task) and `summary.json`.
 */
import { join } from 'node:path';
import { DfaasError, ExitCode } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { sleep } from '../core/poll.js';
import type { FarmSnapshot } from './autoscale/contract.js';
import { openFarmEngines } from './engines.js';
import { LiveFarm } from './farm.js';
import { DEFAULT_QUEUE_NAMES } from './messages.js';
import type { WorkKind } from './roles/payload.js';
import { applyScaleRequests, SCALE_REQUEST_KEY } from './scale-requests.js';
import type { WorkloadOptions } from './workload/contract.js';

export interface WorkflowRunOptions {
  workload: WorkloadOptions;
  workers: number;
  queue: string;
  gateway?: string;
  auth?: { username: string; password: string };
  timeScale: number;
  work: WorkKind;
  leaseMs: number;
  /** The run's folder. */
  out: string;
  /** Give up when the tasks are not all collected by then, ms. */
  timeoutMs: number;
  logger?: Logger;
  onProgress?: (snapshot: FarmSnapshot) => void;
  signal?: AbortSignal;
}

export interface WorkflowRunSummary {
  tasks: number;
  collected: number;
  /** % of collected tasks within their deadline. */
  qos: number;
  /** Response time (generation → collection), s in the workload's time. */
  completionTime: { mean: number; p50: number; p95: number; max: number };
  workers: number;
  reclaimedTasks: number;
  seconds: number;
  queue: string;
  platform: string;
  timeScale: number;
  out: string;
}

export class WorkflowIncompleteError extends DfaasError {
  constructor(message: string) {
    super('DFAAS_ERR_WORKFLOW_INCOMPLETE', message, { exitCode: ExitCode.failed });
    this.name = 'WorkflowIncompleteError';
  }
}

export async function runWorkflow(o: WorkflowRunOptions): Promise<WorkflowRunSummary> {
  const logger = o.logger ?? silentLogger;
  const began = performance.now();
  const engines = await openFarmEngines({
    queue: o.queue,
    ...(o.gateway ? { gateway: o.gateway } : {}),
    ...(o.auth ? { auth: o.auth } : {}),
    maxWorkers: 32,
    logger,
  });
  let farm: LiveFarm | undefined;
  try {
    farm = await LiveFarm.start({
      platform: engines.platform,
      queues: engines.queues,
      roleQueueUrl: engines.roleQueueUrl,
      names: { ...DEFAULT_QUEUE_NAMES },
      workload: o.workload,
      initialWorkers: o.workers,
      timeScale: o.timeScale,
      work: o.work,
      leaseMs: o.leaseMs,
      pollMs: 100,
      startTimeoutMs: 60_000,
      ackTimeoutMs: 32_000,
      logger,
    });
    writeFileAtomic(
      join(o.out, 'run.json'),
      `${JSON.stringify({ pid: process.pid, queue: engines.roleQueueUrl, scaleRequests: SCALE_REQUEST_KEY, workload: o.workload, workers: o.workers, timeScale: o.timeScale, startedAt: new Date().toISOString() }, null, 2)}\n`,
      0o600, // the queue URL may carry Redis's password
    );
    const deadline = performance.now() + o.timeoutMs;
    let snapshot = await farm.snapshot();
    while (snapshot.collected.length < snapshot.expectedTasks) {
      if (o.signal?.aborted) throw new WorkflowIncompleteError('the run was interrupted');
      if (performance.now() > deadline) {
        throw new WorkflowIncompleteError(
          `${snapshot.collected.length} of ${snapshot.expectedTasks} tasks collected in ${Math.round(o.timeoutMs / 1000)} s`,
        );
      }
      await applyScaleRequests(engines.queues, farm, logger);
      await sleep(250, o.signal);
      snapshot = await farm.snapshot();
      o.onProgress?.(snapshot);
    }
    const records = (await engines.queues.range(DEFAULT_QUEUE_NAMES.output_queue_name)).reverse();
    writeFileAtomic(join(o.out, 'output.jsonl'), records.map((r) => `${r}\n`).join(''));
    const summary: WorkflowRunSummary = {
      tasks: snapshot.expectedTasks,
      collected: snapshot.collected.length,
      qos: (100 * snapshot.collected.filter((c) => c.qos).length) / Math.max(1, snapshot.collected.length),
      completionTime: distribution(snapshot.collected.map((c) => c.completionTime)),
      workers: farm.workers,
      reclaimedTasks: farm.reclaimedTasks,
      seconds: (performance.now() - began) / 1000,
      queue: o.queue === 'embedded' ? 'embedded' : 'redis',
      platform: o.gateway ?? 'embedded',
      timeScale: o.timeScale,
      out: o.out,
    };
    writeFileAtomic(join(o.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    await farm
      ?.stop()
      .catch((err: unknown) => logger.warn('stopping the farm failed', { error: String(err) }));
    await engines.close();
  }
}

function distribution(values: number[]): WorkflowRunSummary['completionTime'] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { mean, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}
