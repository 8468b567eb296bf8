/**
 * The reference's reward (`_calculate_reward`, anchors §2.2) and its terminal shaping, over an
 * observation and the applied (bounded) worker delta.
 */

import type { RewardConfig } from './config.js';
import { OBS, type Observation } from './contract.js';

/** The reward's terms, each with the sign it enters the sum with. */
export interface RewardTerms {
  /** w_qos · (qos − target_qos). */
  qos: number;
  /** −w_backlog · max(0, backlog ratio − 1)². */
  backlog: number;
  /** −w_efficiency · surplus workers over balanced_workers, only while calm (small backlog, QoS met). */
  efficiency: number;
  /** −w_scaling · |Δ|. */
  scaling: number;
  /** +w_scale_up · |Δ| for a scale-up when overloaded, +w_scale_down · |Δ| for a scale-down when not. */
  direction: number;
  /** +0.1 · w_qos while QoS is met and the backlog is at most half its target. */
  stability: number;
  total: number;
}

export function rewardTerms(
  observation: Observation,
  appliedDelta: number,
  config: RewardConfig,
): RewardTerms {
  const workerQueue = observation[OBS.workerQueue] ?? 0;
  const workers = observation[OBS.workers] ?? 0;
  const qosRate = observation[OBS.qosRate] ?? 0;
  const backlogRatio = workerQueue / Math.max(1, config.queue_target);
  const qosMet = qosRate >= config.target_qos;
  const overloaded = backlogRatio > 1 || !qosMet;
  const size = Math.abs(appliedDelta);

  const qos = config.w_qos * (qosRate - config.target_qos);
  const backlog = -config.w_backlog * Math.max(0, backlogRatio - 1) ** 2;
  const efficiency =
    workerQueue <= config.idle_queue_threshold && qosMet
      ? -config.w_efficiency * Math.max(0, workers - config.balanced_workers)
      : 0;
  const scaling = -config.w_scaling * size;
  let direction = 0;
  if (appliedDelta > 0 && overloaded) direction = config.w_scale_up * size;
  else if (appliedDelta < 0 && !overloaded) direction = config.w_scale_down * size;
  const stability = qosMet && backlogRatio <= 0.5 ? 0.1 * config.w_qos : 0;
  return {
    qos,
    backlog,
    efficiency,
    scaling,
    direction,
    stability,
    total: qos + backlog + efficiency + scaling + direction + stability,
  };
}

/** The step reward for reaching `observation` after applying `appliedDelta` workers. */
export function reward(observation: Observation, appliedDelta: number, config: RewardConfig): number {
  return rewardTerms(observation, appliedDelta, config).total;
}

/** How an episode ended, for its last step's shaping. */
export interface EpisodeEnd {
  /** The step that ended the episode (1-based). */
  step: number;
  maxSteps: number;
  /** Tasks collected (output_q). */
  outputQueue: number;
  expectedTasks: number;
}

/**
 * What the reference adds to the last step's reward: when max_steps ends the episode, minus
 * unfinished_penalty_scale per unfinished task, counting at most queue_target tasks; when the
 * work ends before it, plus completion_bonus.
 */
export function terminalShaping(end: EpisodeEnd, config: RewardConfig): number {
  if (end.step >= end.maxSteps) {
    const pending = Math.max(0, end.expectedTasks - end.outputQueue);
    return pending > 0 ? -config.unfinished_penalty_scale * Math.min(pending, config.queue_target) : 0;
  }
  return config.completion_bonus;
}
