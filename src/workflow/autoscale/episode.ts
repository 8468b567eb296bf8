/**
 * One episode of a policy in the environment, with the reference's per-episode metrics
 * (`compare_policies.py`, anchors §2.6), and their mean ± population std over episodes.
 * With `learn`, a learning agent is trained on-policy (SARSA's order: a′ is chosen on s′ before
 * the update and is the next action taken).
 */
import type { Action, LearningAgent, Observation, Policy } from './contract.js';
import { ACTION_DELTAS } from './contract.js';
import { type AutoscalingEnv, finalQos, type StepResult } from './env.js';

/** One step of an episode's timeline. */
export interface StepRecord {
  step: number;
  /** s since the episode's program start, after the step. */
  time: number;
  workers: number;
  /** worker_q. */
  backlog: number;
  qos_rate: number;
  reward: number;
  action: Action;
  applied_delta: number;
}

export interface EpisodeMetrics {
  /** Successes / tasks collected (the published table's QoS). */
  final_qos_total: number;
  /** Mean of the per-step qos_rate. */
  mean_qos: number;
  /** Over the post-step worker counts. */
  mean_workers: number;
  max_workers: number;
  /** Steps whose requested action was not the no-op. */
  scaling_actions: number;
  noop_actions: number;
  total_reward: number;
  /** ∫ workers dt over the episode (the back-end's meter, else Σ workers · step duration). */
  worker_seconds: number;
  tasks_collected: number;
  tasks_expected: number;
  steps: number;
  /** Scale-down ACKs that never came, over the episode. */
  missing_acks: number;
}
export type MetricName = keyof EpisodeMetrics;

export interface EpisodeResult {
  policy: string;
  seed: number;
  metrics: EpisodeMetrics;
  timeline: StepRecord[];
}

export interface RunEpisodeOptions {
  seed: number;
  /** Train the policy if it is a LearningAgent (ε-greedy exploration on). */
  learn?: boolean;
  onStep?: (record: StepRecord, result: StepResult) => void;
}

/** A back-end that integrates its worker count over time (the simulation does). */
export interface WorkerSecondsMeter {
  readonly workerSeconds: number;
}

export function isLearningAgent(policy: Policy): policy is LearningAgent {
  const p = policy as Partial<LearningAgent>;
  return (
    typeof p.learn === 'function' &&
    typeof p.beginEpisode === 'function' &&
    typeof p.endEpisode === 'function'
  );
}

function meter(backend: unknown): WorkerSecondsMeter | undefined {
  return typeof (backend as Partial<WorkerSecondsMeter>).workerSeconds === 'number'
    ? (backend as WorkerSecondsMeter)
    : undefined;
}

const NOOP = ACTION_DELTAS.indexOf(0) as Action;

export async function runEpisode(
  env: AutoscalingEnv,
  policy: Policy,
  options: RunEpisodeOptions,
): Promise<EpisodeResult> {
  const learner = options.learn && isLearningAgent(policy) ? policy : undefined;
  const explore = options.learn === true;
  const act = (observation: Observation): Action =>
    policy.act(observation, { enqueuedTotal: env.snapshot.enqueuedTotal, explore });

  let observation = await env.reset(options.seed);
  policy.beginEpisode?.();
  let action = act(observation);
  const timeline: StepRecord[] = [];
  let stepSeconds = 0;
  let missingAcks = 0;
  let last: StepResult;
  for (;;) {
    last = await env.step(action);
    const { info } = last;
    const record: StepRecord = {
      step: info.step,
      time: env.snapshot.now,
      workers: info.workers,
      backlog: info.queue_length,
      qos_rate: info.qos_rate,
      reward: last.reward,
      action,
      applied_delta: info.applied_delta,
    };
    timeline.push(record);
    stepSeconds += info.workers * info.step_duration;
    missingAcks += info.missing_acks ?? 0;
    options.onStep?.(record, last);
    if (last.done && !learner) break;

    // The reference's SARSA picks a′ on s′ on the last step too (no terminal masking).
    const next = act(last.observation);
    learner?.learn(
      { observation, action, reward: last.reward, next: last.observation, done: last.done },
      next,
    );
    if (last.done) break;
    observation = last.observation;
    action = next;
  }
  learner?.endEpisode();

  const { info } = last;
  const snapshot = env.snapshot;
  const scaling = timeline.filter((r) => r.action !== NOOP).length;
  return {
    policy: policy.name,
    seed: options.seed,
    timeline,
    metrics: {
      final_qos_total: finalQos(info.processed_tasks, info.qos_violations),
      mean_qos: mean(timeline.map((r) => r.qos_rate)),
      mean_workers: mean(timeline.map((r) => r.workers)),
      max_workers: Math.max(...timeline.map((r) => r.workers)),
      scaling_actions: scaling,
      noop_actions: timeline.length - scaling,
      total_reward: info.total_reward,
      worker_seconds: meter(env.backend)?.workerSeconds ?? stepSeconds,
      tasks_collected: info.processed_tasks,
      tasks_expected: snapshot.expectedTasks,
      steps: timeline.length,
      missing_acks: missingAcks,
    },
  };
}

export interface MetricSummary {
  mean: number;
  /** Population standard deviation (ddof 0), as the reference's `np.std`. */
  std: number;
}

/** Mean and population std of each metric over the episodes. */
export function summarise(results: readonly EpisodeResult[]): Record<MetricName, MetricSummary> {
  if (results.length === 0) throw new RangeError('summarise: no episodes');
  const names = Object.keys(results[0]?.metrics ?? {}) as MetricName[];
  return Object.fromEntries(
    names.map((name) => {
      const values = results.map((r) => r.metrics[name]);
      const m = mean(values);
      return [name, { mean: m, std: Math.sqrt(mean(values.map((v) => (v - m) ** 2))) }];
    }),
  ) as Record<MetricName, MetricSummary>;
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
