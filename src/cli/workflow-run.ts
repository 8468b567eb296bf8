/** `dfaas workflow …` at work: run (with progress), scale, train, compare. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileStamp, RESULTS_ROOT } from '../core/files.js';
import { isLoopbackHost } from '../core/net.js';
import { readAuthFile } from '../platform/embedded/basic-auth.js';
import type { RewardConfig } from '../workflow/autoscale/config.js';
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

/** The simulated farm's scaling costs (SIM_PRESETS). */
type SimPreset = 'embedded' | 'reference';

export interface WorkflowTrainFlags {
  agent: string;
  sim: SimPreset;
  reward: string;
  rewardSet?: Record<string, number>;
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
  sim: SimPreset;
  reward: string;
  rewardSet?: Record<string, number>;
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

/** The reward coefficients of a --reward preset with the --reward-set overrides on it. */
async function rewardConfig(flags: {
  reward: string;
  rewardSet?: Record<string, number>;
}): Promise<RewardConfig> {
  const { REWARD_PRESETS, rewardSchema } = await import('../workflow/autoscale/config.js');
  const { validateConfig } = await import('../config/read-file.js');
  if (!Object.hasOwn(REWARD_PRESETS, flags.reward)) {
    throw badFlag(
      '--reward',
      `unknown preset "${flags.reward}" (presets: ${Object.keys(REWARD_PRESETS).join(', ')})`,
    );
  }
  const preset = REWARD_PRESETS[flags.reward as keyof typeof REWARD_PRESETS];
  return validateConfig(rewardSchema, { ...preset, ...flags.rewardSet }, '--reward-set');
}

/** The default workload at `seed` and `mode`, checked against --tasks. */
async function workloadFor(mode: WorkloadMode, seed: number, tasks?: number): Promise<WorkloadOptions> {
  const { defaultWorkload, expectedTaskCount } = await import('../workflow/workload/phases.js');
  const workload = defaultWorkload(seed, mode);
  const all = expectedTaskCount(workload);
  if (tasks !== undefined && tasks > all)
    throw badFlag('--tasks', `must be at most ${all}, the workload's tasks; got ${tasks}`);
  return tasks === undefined ? workload : { ...workload, maxTasks: tasks };
}

function gatewayHost(gateway: string): string {
  let url: URL | undefined;
  try {
    url = new URL(gateway);
  } catch {}
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw badFlag('--gateway', `must be an http(s) URL like http://127.0.0.1:8080, got "${gateway}"`);
  }
  return url.hostname;
}

export async function runWorkflowCommand(flags: WorkflowRunFlags, ctx: CliContext): Promise<void> {
  if (flags.authFile && !flags.gateway) throw badFlag('--auth-file', 'basic auth goes with --gateway');
  const workload = await workloadFor(flags.mode, flags.seed, flags.tasks);
  const { queueKind } = await import('../workflow/queues/index.js');
  queueKind(flags.queue); // a URL that is no queue is bad input, before anything starts
  if (flags.gateway && !isLoopbackHost(gatewayHost(flags.gateway)) && flags.queue === 'embedded') {
    throw badFlag(
      '--queue',
      `the roles on ${flags.gateway} cannot reach the embedded queue (it listens on this machine's loopback): give --queue redis://…`,
    );
  }
  const { runWorkflow } = await import('../workflow/run.js');
  const out = flags.out ?? join(WORKFLOW_RESULTS, `run-${fileStamp()}`);
  const progress = createProgress(ctx, 'workflow.progress');
  const interrupts = ctx.interrupts();
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
      signal: interrupts.signal,
      onProgress: (s) => {
        const met = s.collected.filter((c) => c.qos).length;
        progress.update(
          `collected ${s.collected.length}/${s.expectedTasks} · QoS ${((100 * met) / Math.max(1, s.collected.length)).toFixed(1)}% · backlog ${s.workerQueue} · workers ${s.workers}`,
          {
            collected: s.collected.length,
            expected: s.expectedTasks,
            qosMet: met,
            backlog: s.workerQueue,
            workers: s.workers,
          },
        );
      },
    });
    progress.done();
    printResult(ctx, summary, () => [
      `workflow: ${summary.collected} of ${summary.tasks} tasks collected with ${summary.workers} workers on the ${summary.platform} platform, ${summary.queue} queue\n`,
      `QoS ${summary.qos.toFixed(2)}% (collected within the deadline, counted from generation)\n`,
      `response time: mean ${summary.completionTime.mean.toFixed(3)} s, p95 ${summary.completionTime.p95.toFixed(3)} s, max ${summary.completionTime.max.toFixed(3)} s\n`,
      ...(summary.reclaimedTasks > 0
        ? [`${summary.reclaimedTasks} tasks went back to the queue after their worker's lease ran out\n`]
        : []),
      `results in ${out} (output.jsonl, summary.json)\n`,
    ]);
  } finally {
    interrupts.dispose();
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

export async function runScaleCommand(
  delta: number,
  flags: WorkflowScaleFlags,
  ctx: CliContext,
): Promise<void> {
  if (delta === 0) throw badFlag('DELTA', 'must not be 0');
  let url = flags.queue;
  if (!url) {
    const dir = flags.run ?? newestRun();
    if (!dir)
      throw badFlag(
        '--run',
        `no running workflow found under ${WORKFLOW_RESULTS}; give --run DIR or --queue URL`,
      );
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
    if (!reply)
      throw new WorkflowFarmError(`no running workflow answered on ${url} within ${flags.timeout} s`);
    if (reply.error) throw new WorkflowFarmError(`the run could not scale: ${reply.error}`);
    printResult(ctx, reply, () => [
      `workers: ${reply.workers} (asked ${delta > 0 ? '+' : ''}${delta}, applied ${reply.outcome?.applied ?? 0} in ${(reply.outcome?.seconds ?? 0).toFixed(2)} s)\n`,
      ...(reply.outcome?.missingAcks
        ? [`${reply.outcome.missingAcks} workers did not acknowledge the scale-down in time and stay\n`]
        : []),
    ]);
  } finally {
    await queues.close();
  }
}

/** The back-end of train/compare: a fresh simulation, or the live farm on the embedded platform. */
async function openBackend(
  flags: { backend: 'sim' | 'live'; queue: string; timeScale: number },
  ctx: CliContext,
) {
  if (flags.backend === 'sim') {
    const { SimulatedFarm } = await import('../workflow/autoscale/sim.js');
    return { backend: new SimulatedFarm(), close: async () => {} };
  }
  const { openFarmEngines } = await import('../workflow/engines.js');
  const { LiveBackend } = await import('../workflow/autoscale/live.js');
  const engines = await openFarmEngines({ queue: flags.queue, maxWorkers: 32, logger: ctx.logger });
  const backend = new LiveBackend({
    engines,
    timeScale: flags.timeScale,
    work: 'sleep',
    leaseMs: 5_000,
    logger: ctx.logger,
  });
  return {
    backend,
    close: async () => {
      await backend.close();
      await engines.close();
    },
  };
}

function pct(m: { mean: number; std: number }): string {
  return `${(100 * m.mean).toFixed(2)} ± ${(100 * m.std).toFixed(2)}`;
}

function meanStd(m: { mean: number; std: number }, digits = 2): string {
  return `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}`;
}

export async function runTrainCommand(flags: WorkflowTrainFlags, ctx: CliContext): Promise<void> {
  const { checkPolicyName, createAgent, isLearnedAgent } = await import(
    '../workflow/autoscale/agents/index.js'
  );
  const name = checkPolicyName(flags.agent, '--agent');
  if (!isLearnedAgent(name))
    throw badFlag('--agent', `${name} is a baseline, it does not learn: train sarsa or dqn`);
  const workload = await workloadFor(flags.mode, flags.seed);
  const { trainAgent } = await import('../workflow/autoscale/train.js');
  const { writeFileAtomic } = await import('../core/files.js');
  const reward = await rewardConfig(flags);
  const agent = await createAgent(name, flags.seed, reward);
  const { DEFAULT_TRAIN_EPISODES } = await import('../workflow/autoscale/compare.js');
  const episodes = flags.episodes ?? DEFAULT_TRAIN_EPISODES[name];
  const out = flags.out ?? join(WORKFLOW_RESULTS, 'models', `${name}-${fileStamp()}.json`);
  const { backend, close } = await openBackend(flags, ctx);
  const progress = createProgress(ctx, 'workflow.train');
  const interrupts = ctx.interrupts();
  try {
    const results = await trainAgent(
      agent,
      { workload, backend, reward },
      {
        episodes,
        seed: flags.seed,
        signal: interrupts.signal,
        onEpisode: ({ episode, result }) =>
          progress.update(
            `${name}: episode ${episode}/${episodes} · QoS ${(100 * result.metrics.final_qos_total).toFixed(1)}% · mean workers ${result.metrics.mean_workers.toFixed(1)} · reward ${result.metrics.total_reward.toFixed(1)}`,
            { agent: name, episode, episodes, ...result.metrics },
          ),
      },
    );
    progress.done();
    writeFileAtomic(
      out,
      `${JSON.stringify({ ...agent.toModel(), backend: flags.backend, mode: flags.mode }, null, 2)}\n`,
    );
    const last = results.slice(-10);
    const finalQos = last.reduce((s, r) => s + r.metrics.final_qos_total, 0) / Math.max(1, last.length);
    printResult(
      ctx,
      {
        agent: name,
        episodes: results.length,
        model: out,
        training: results.map((r) => ({ seed: r.seed, ...r.metrics })),
      },
      () => [
        `${name}: trained ${results.length} episodes on the ${flags.backend === 'sim' ? 'simulated' : 'live'} farm (${flags.mode} workload)\n`,
        `QoS over the last ${last.length} training episodes (exploring): ${(100 * finalQos).toFixed(2)}%\n`,
        `model in ${out}; evaluate it with: dfaas workflow compare --model ${out}\n`,
      ],
    );
  } finally {
    interrupts.dispose();
    progress.done();
    agent.dispose?.();
    await close();
  }
}

export async function runCompareCommand(flags: WorkflowCompareFlags, ctx: CliContext): Promise<void> {
  const { checkPolicyName, POLICY_NAMES } = await import('../workflow/autoscale/agents/index.js');
  const names = (
    flags.agents
      ? flags.agents
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [...POLICY_NAMES]
  ).map((n) => checkPolicyName(n, '--agents'));
  if (names.length === 0) throw badFlag('--agents', 'names no policy');
  const workload = await workloadFor(flags.mode, flags.seed);
  const reward = await rewardConfig(flags);
  const { runComparison } = await import('../workflow/autoscale/compare.js');
  const out = flags.out ?? join(WORKFLOW_RESULTS, `compare-${fileStamp()}`);
  const progress = createProgress(ctx, 'workflow.compare');
  const interrupts = ctx.interrupts();
  const { backend, close } = await openBackend(flags, ctx);
  try {
    const comparison = await runComparison({
      policies: names,
      models: flags.model ?? [],
      workload,
      reward,
      simulation: flags.sim,
      backend,
      episodes: flags.episodes,
      seed: flags.seed,
      ...(flags.trainEpisodes ? { trainEpisodes: flags.trainEpisodes } : {}),
      out,
      signal: interrupts.signal,
      onProgress: (p) =>
        progress.update(
          `${p.phase === 'train' ? 'training' : 'evaluating'} ${p.policy}${p.phase === 'train' ? ' (simulated)' : ''}: episode ${p.episode}/${p.episodes} · QoS ${(100 * p.result.metrics.final_qos_total).toFixed(1)}%`,
          {
            phase: p.phase,
            policy: p.policy,
            episode: p.episode,
            episodes: p.episodes,
            qos: p.result.metrics.final_qos_total,
          },
        ),
    });
    progress.done();
    printResult(ctx, { ...comparison, out }, () => [
      {
        header: [
          'policy',
          'QoS %',
          'mean workers',
          'max workers',
          'worker-s',
          'scaling',
          'no-ops',
          'step QoS %',
        ],
        rows: comparison.policies.map(({ policy, summary: s }) => [
          policy,
          pct(s.final_qos_total),
          meanStd(s.mean_workers),
          meanStd(s.max_workers),
          meanStd(s.worker_seconds, 0),
          meanStd(s.scaling_actions),
          meanStd(s.noop_actions),
          pct(s.mean_qos),
        ]),
      },
      `${flags.episodes} episodes each on the ${flags.backend === 'sim' ? 'simulated' : 'live'} farm (${flags.mode} workload, seeds ${comparison.seeds[0]}–${comparison.seeds[1]}, mean ± std)\n`,
      `report in ${join(out, 'report.html')}, data in ${join(out, 'comparison.json')}\n`,
    ]);
  } finally {
    interrupts.dispose();
    progress.done();
    await close();
  }
}
