/** `dfaas workflow …` at work: run (with progress), scale, train, compare. */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_ROOT } from '../core/files.js';
import { readAuthFile } from '../platform/embedded/basic-auth.js';
import type { WorkKind } from '../workflow/roles/payload.js';
import type { WorkloadMode, WorkloadOptions } from '../workflow/workload/contract.js';
import { badFlag } from './errors.js';
import type { CliContext } from './io.js';
import { printResult } from './output.js';
import { createProgress } from './progress.js';

export interface WorkflowRunFlags {
  tasks?: number;
  workers: number;
  queue: string;
  mode: WorkloadMode;
  seed: number;
  timeScale: number;
  work: WorkKind;
  gateway?: string;
  authFile?: string;
  lease: number;
  timeout: number;
  out?: string;
}

export interface WorkflowScaleFlags {
  run?: string;
  queue?: string;
  timeout: number;
}

export interface WorkflowTrainFlags {
  agent: string;
  episodes?: number;
  backend: 'sim' | 'live';
  seed: number;
  mode: WorkloadMode;
  timeScale: number;
  queue: string;
  out?: string;
}

export interface WorkflowCompareFlags {
  agents?: string;
  episodes: number;
  backend: 'sim' | 'live';
  model?: string[];
  trainEpisodes?: number;
  seed: number;
  mode: WorkloadMode;
  timeScale: number;
  queue: string;
  out?: string;
}

const WORKFLOW_RESULTS = join(RESULTS_ROOT, 'workflow');
const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** The default workload at `seed` and `mode`, checked against --tasks. */
async function workloadFor(mode: WorkloadMode, seed: number, tasks?: number): Promise<WorkloadOptions> {
  const { defaultWorkload, expectedTaskCount } = await import('../workflow/workload/phases.js');
  const workload = defaultWorkload(seed, mode);
  const all = expectedTaskCount(workload);
  if (tasks !== undefined && tasks > all) throw badFlag('--tasks', `must be at most ${all}, the workload's tasks; got ${tasks}`);
  return tasks === undefined ? workload : { ...workload, maxTasks: tasks };
}

export async function runWorkflowCommand(flags: WorkflowRunFlags, ctx: CliContext): Promise<void> {
  if (flags.authFile && !flags.gateway) throw badFlag('--auth-file', 'basic auth goes with --gateway');
  const workload = await workloadFor(flags.mode, flags.seed, flags.tasks);
  const { runWorkflow } = await import('../workflow/run.js');
  const out = flags.out ?? join(WORKFLOW_RESULTS, `run-${stamp()}`);
  mkdirSync(out, { recursive: true });
  const progress = createProgress(ctx, 'workflow.progress');
  const abort = new AbortController();
  void ctx.untilSignal().then(() => abort.abort());
  try {
    const summary = await runWorkflow({
      workload,
      workers: flags.workers,
      queue: flags.queue,
      ...(flags.gateway ? { gateway: flags.gateway } : {}),
      ...(flags.authFile ? { auth: readAuthFile(flags.authFile) } : {}),
      timeScale: flags.timeScale,
      work: flags.work,
      leaseMs: flags.lease,
      out,
      timeoutMs: flags.timeout * 1000,
      logger: ctx.logger,
      signal: abort.signal,
      onProgress: (s) => {
        const met = s.collected.filter((c) => c.qos).length;
        progress.update(
          `collected ${s.collected.length}/${s.expectedTasks} · QoS ${((100 * met) / Math.max(1, s.collected.length)).toFixed(1)}% · backlog ${s.workerQueue} · workers ${s.workers}`,
          { collected: s.collected.length, expected: s.expectedTasks, qosMet: met, backlog: s.workerQueue, workers: s.workers },
        );
      },
    });
    progress.done();
    printResult(ctx, summary, () => [
      `workflow: ${summary.collected} of ${summary.tasks} tasks collected with ${summary.workers} workers on the ${summary.platform} platform, ${summary.queue} queue\n`,
      `QoS ${summary.qos.toFixed(2)}% (collected within the deadline, counted from generation)\n`,
      `response time: mean ${summary.completionTime.mean.toFixed(3)} s, p95 ${summary.completionTime.p95.toFixed(3)} s, max ${summary.completionTime.max.toFixed(3)} s\n`,
      ...(summary.reclaimedTasks > 0 ? [`${summary.reclaimedTasks} tasks went back to the queue after their worker's lease ran out\n`] : []),
      `results in ${out} (output.jsonl, summary.json)\n`,
    ]);
  } finally {
    progress.done();
  }
}

/** The newest run folder under results/workflow that has a run.json. */
function newestRun(): string | undefined {
  if (!existsSync(WORKFLOW_RESULTS)) return undefined;
  const runs = readdirSync(WORKFLOW_RESULTS)
    .map((name) => join(WORKFLOW_RESULTS, name))
    .filter((dir) => existsSync(join(dir, 'run.json')))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return runs[0];
}

export async function runScaleCommand(delta: number, flags: WorkflowScaleFlags, ctx: CliContext): Promise<void> {
  if (delta === 0) throw badFlag('DELTA', 'must not be 0');
  let url = flags.queue;
  if (!url) {
    const dir = flags.run ?? newestRun();
    if (!dir) throw badFlag('--run', `no running workflow found under ${WORKFLOW_RESULTS}; give --run DIR or --queue URL`);
    const file = join(dir, 'run.json');
    if (!existsSync(file)) throw badFlag('--run', `${file} does not exist`);
    url = (JSON.parse(readFileSync(file, 'utf8')) as { queue: string }).queue;
  }
  const { openQueues } = await import('../workflow/queues/index.js');
  const { requestScale } = await import('../workflow/scale-requests.js');
  const { WorkflowFarmError } = await import('../workflow/farm.js');
  const queues = await openQueues(url);
  try {
    const reply = await requestScale(queues, delta, flags.timeout * 1000);
    if (!reply) throw new WorkflowFarmError(`no running workflow answered on ${url} within ${flags.timeout} s`);
    if (reply.error) throw new WorkflowFarmError(`the run could not scale: ${reply.error}`);
    printResult(ctx, reply, () => [
      `workers: ${reply.workers} (asked ${delta > 0 ? '+' : ''}${delta}, applied ${reply.outcome?.applied ?? 0} in ${(reply.outcome?.seconds ?? 0).toFixed(2)} s)\n`,
      ...(reply.outcome?.missingAcks ? [`${reply.outcome.missingAcks} workers did not acknowledge the scale-down in time and stay\n`] : []),
    ]);
  } finally {
    await queues.close();
  }
}
