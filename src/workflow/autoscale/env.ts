/**
 * The autoscaling environment: the reference's Gymnasium environment (anchors §2.1, §1.9, §1.10)
 * over a farm back-end, live or simulated. One step: apply the bounded action, let the farm run
 * for the rest of the step, observe, reward, check the end, shape the last step's reward.
 */

import type { z } from 'zod';
import type { WorkloadOptions } from '../workload/contract.js';
import {
  type EnvironmentConfig,
  type EnvironmentInput,
  environmentSchema,
  parseConfig,
  type RewardConfig,
  rewardSchema,
} from './config.js';
import {
  ACTION_DELTAS,
  type Action,
  type FarmBackend,
  type FarmSnapshot,
  OBS,
  type Observation,
  type ScaleOutcome,
} from './contract.js';
import { observe } from './observe.js';
import { reward, terminalShaping } from './reward.js';

/** The reference's `info` dictionary, key for key, plus `missing_acks`. */
export interface StepInfo {
  step: number;
  /** worker_q after the step. */
  queue_length: number;
  workers: number;
  qos_rate: number;
  requested_delta: number;
  /** The workers the back-end really added (> 0) or removed (< 0). */
  applied_delta: number;
  total_reward: number;
  /** Steps whose bounded delta was not 0 (a scaling was attempted), this episode. */
  scaling_actions: number;
  /** Tasks collected past their deadline, this episode. */
  qos_violations: number;
  /** s the scaling took. */
  scaling_time: number;
  /** s the whole step took (virtual in simulation). */
  step_duration: number;
  /** Successes / tasks collected, on the last step; null before. */
  episode_final_qos: number | null;
  /** Tasks collected this episode. */
  processed_tasks: number;
  /** On the last step, tasks expected but not collected; 0 before. */
  unfinished_tasks: number;
  enqueued_total: number;
  /** Set when a scale-down's ACKs did not all come. */
  missing_acks?: number;
}

export interface StepResult {
  observation: Observation;
  reward: number;
  done: boolean;
  info: StepInfo;
}

export interface AutoscalingEnvOptions {
  workload: WorkloadOptions;
  environment?: EnvironmentInput;
  reward?: z.input<typeof rewardSchema>;
}

/** Per-episode state, replaced at every reset. */
interface Episode {
  snapshot: FarmSnapshot;
  step: number;
  done: boolean;
  totalReward: number;
  scalingActions: number;
  /** Collected tasks already counted into `qosViolations`. */
  counted: number;
  qosViolations: number;
}

export class AutoscalingEnv {
  readonly config: EnvironmentConfig;
  readonly rewardConfig: RewardConfig;
  readonly workload: WorkloadOptions;
  private episode: Episode | undefined;

  constructor(
    readonly backend: FarmBackend,
    options: AutoscalingEnvOptions,
  ) {
    this.config = parseConfig(environmentSchema, options.environment ?? {}, 'autoscaling environment');
    this.rewardConfig = parseConfig(rewardSchema, options.reward ?? {}, 'autoscaling reward');
    this.workload = options.workload;
  }

  /** The farm as last observed; throws before the first reset. */
  get snapshot(): FarmSnapshot {
    return this.current().snapshot;
  }

  /** Starts an episode whose emitter is seeded with `seed`; resolves with the first observation. */
  async reset(seed: number): Promise<Observation> {
    const snapshot = await this.backend.reset({
      seed,
      initialWorkers: this.config.initialWorkers,
      workload: this.workload,
    });
    this.episode = {
      snapshot,
      step: 0,
      done: false,
      totalReward: 0,
      scalingActions: 0,
      counted: 0,
      qosViolations: 0,
    };
    return observe(snapshot, undefined, this.config.windowSeconds);
  }

  async step(action: Action): Promise<StepResult> {
    const episode = this.current();
    if (episode.done) throw new Error('AutoscalingEnv.step: the episode is done; reset first');
    const requested = ACTION_DELTAS[action];
    if (requested === undefined) throw new RangeError(`AutoscalingEnv.step: no action ${action}`);
    const before = episode.snapshot;
    episode.step++;

    const target = Math.min(
      this.config.maxWorkers,
      Math.max(this.config.minWorkers, before.workers + requested),
    );
    const bounded = target - before.workers;
    let outcome: ScaleOutcome = { applied: 0, seconds: 0 };
    if (bounded !== 0) {
      outcome = await this.backend.scale(bounded);
      episode.scalingActions++;
    }
    const snapshot = await this.backend.advance(Math.max(0, this.config.stepSeconds - outcome.seconds));
    episode.snapshot = snapshot;
    this.countViolations(episode);

    const observation = observe(snapshot, before, this.config.windowSeconds);
    let stepReward = reward(observation, outcome.applied, this.rewardConfig);
    const finished =
      snapshot.inputQueue === 0 &&
      snapshot.workerQueue === 0 &&
      snapshot.resultQueue === 0 &&
      snapshot.outputQueue >= snapshot.expectedTasks;
    const done = episode.step >= this.config.maxSteps || finished;
    if (done) {
      stepReward += terminalShaping(
        {
          step: episode.step,
          maxSteps: this.config.maxSteps,
          outputQueue: snapshot.outputQueue,
          expectedTasks: snapshot.expectedTasks,
        },
        this.rewardConfig,
      );
    }
    episode.done = done;
    episode.totalReward += stepReward;

    const processed = snapshot.collected.length;
    const info: StepInfo = {
      step: episode.step,
      queue_length: snapshot.workerQueue,
      workers: snapshot.workers,
      qos_rate: observation[OBS.qosRate] ?? 1,
      requested_delta: requested,
      applied_delta: outcome.applied,
      total_reward: episode.totalReward,
      scaling_actions: episode.scalingActions,
      qos_violations: episode.qosViolations,
      scaling_time: outcome.seconds,
      step_duration: snapshot.now - before.now,
      episode_final_qos: done ? finalQos(processed, episode.qosViolations) : null,
      processed_tasks: processed,
      unfinished_tasks: done ? Math.max(0, snapshot.expectedTasks - snapshot.outputQueue) : 0,
      enqueued_total: snapshot.enqueuedTotal,
    };
    if (outcome.missingAcks) info.missing_acks = outcome.missingAcks;
    return { observation, reward: stepReward, done, info };
  }

  /** Ends the back-end's episode and frees what it holds. */
  close(): Promise<void> {
    return this.backend.close();
  }

  private current(): Episode {
    if (!this.episode) throw new Error('AutoscalingEnv: reset before stepping or reading the snapshot');
    return this.episode;
  }

  /** Counts the newly collected tasks' violations (the list only grows within an episode). */
  private countViolations(episode: Episode): void {
    const { collected } = episode.snapshot;
    for (; episode.counted < collected.length; episode.counted++) {
      if (!collected[episode.counted]?.qos) episode.qosViolations++;
    }
  }
}

/** Successes over tasks collected; 1 when none were (the reference's convention). */
export function finalQos(collected: number, violations: number): number {
  return collected === 0 ? 1 : (collected - violations) / collected;
}
