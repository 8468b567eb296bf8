/**
 * Training and comparing scaling policies over the autoscaling environment, on either back-end.
 * Training episode e runs with seed + e − 1 (the reference's train_sarsa.py); a comparison gives
 * every policy the same evaluation seeds (the reference gave each policy its own range, 42–51,
 * 52–61, 62–71, so its rows were measured on different episodes), greedy.
 */
import type { WorkloadOptions } from '../workload/contract.js';
import type { EnvironmentInput, RewardConfig } from './config.js';
import type { FarmBackend, LearningAgent, Policy } from './contract.js';
import { AutoscalingEnv } from './env.js';
import { type EpisodeResult, type MetricName, type MetricSummary, runEpisode, summarise } from './episode.js';

export interface AutoscaleSetup {
  /** The workload; each episode replaces its seed. */
  workload: WorkloadOptions;
  environment?: EnvironmentInput;
  /** Required, so no caller trains under one reward and records another. */
  reward: RewardConfig;
  /** The farm the environment drives. */
  backend: FarmBackend;
}

export interface EpisodeProgress {
  policy: string;
  episode: number;
  episodes: number;
  result: EpisodeResult;
}

function environment(setup: AutoscaleSetup): AutoscalingEnv {
  return new AutoscalingEnv(setup.backend, {
    workload: setup.workload,
    ...(setup.environment ? { environment: setup.environment } : {}),
    reward: setup.reward,
  });
}

/** Trains `agent` for `episodes` episodes (ε-greedy); resolves with each episode's result. */
export async function trainAgent(
  agent: LearningAgent,
  setup: AutoscaleSetup,
  options: { episodes: number; seed: number; onEpisode?: (p: EpisodeProgress) => void; signal?: AbortSignal },
): Promise<EpisodeResult[]> {
  const env = environment(setup);
  const results: EpisodeResult[] = [];
  for (let e = 1; e <= options.episodes && !options.signal?.aborted; e += 1) {
    const result = await runEpisode(env, agent, { seed: options.seed + e - 1, learn: true });
    results.push(result);
    options.onEpisode?.({ policy: agent.name, episode: e, episodes: options.episodes, result });
  }
  return results;
}

export interface PolicyEvaluation {
  policy: string;
  episodes: EpisodeResult[];
  summary: Record<MetricName, MetricSummary>;
}

/** Evaluates `policy` greedily over `episodes` episodes with seeds seed, seed + 1, … */
export async function evaluatePolicy(
  policy: Policy,
  setup: AutoscaleSetup,
  options: { episodes: number; seed: number; onEpisode?: (p: EpisodeProgress) => void; signal?: AbortSignal },
): Promise<PolicyEvaluation> {
  const env = environment(setup);
  const episodes: EpisodeResult[] = [];
  for (let e = 1; e <= options.episodes && !options.signal?.aborted; e += 1) {
    const result = await runEpisode(env, policy, { seed: options.seed + e - 1 });
    episodes.push(result);
    options.onEpisode?.({ policy: policy.name, episode: e, episodes: options.episodes, result });
  }
  return { policy: policy.name, episodes, summary: summarise(episodes) };
}

/** A policy's point on the QoS / cost plane. */
export interface FrontierPoint {
  policy: string;
  /** % of tasks within their deadline, mean over episodes. */
  qos: number;
  workerSeconds: number;
  /** No other policy has both a higher-or-equal QoS and fewer-or-equal worker-seconds (one of them strictly). */
  onFrontier: boolean;
}

export function frontier(evaluations: readonly PolicyEvaluation[]): FrontierPoint[] {
  const points = evaluations.map((e) => ({
    policy: e.policy,
    qos: 100 * e.summary.final_qos_total.mean,
    workerSeconds: e.summary.worker_seconds.mean,
  }));
  return points.map((p) => ({
    ...p,
    onFrontier: !points.some(
      (q) =>
        q !== p &&
        q.qos >= p.qos &&
        q.workerSeconds <= p.workerSeconds &&
        (q.qos > p.qos || q.workerSeconds < p.workerSeconds),
    ),
  }));
}

/** The goals, checked on a comparison: the published ordering and the 99 % bar. */
export interface ComparisonGoals {
  /** SARSA ≥ DQN > the better reactive baseline, in QoS (undefined when one of them was not run). */
  publishedOrdering?: boolean;
  /** The best learned agent by QoS, and whether it reaches 99 %. */
  bestLearned?: { policy: string; qos: number; workerSeconds: number; reaches99: boolean };
  /** The cheapest baseline that reaches 99 %, if any. */
  cheapestBaselineAt99?: { policy: string; qos: number; workerSeconds: number };
  /** The best learned agent reaches 99 % with fewer worker-seconds than every baseline that does. */
  learnedWinsAt99?: boolean;
}

export function checkGoals(
  evaluations: readonly PolicyEvaluation[],
  learned: readonly string[],
): ComparisonGoals {
  const points = frontier(evaluations);
  const qos = (name: string) => points.find((p) => p.policy === name)?.qos;
  const goals: ComparisonGoals = {};
  const [sarsa, dqn, average, maximum] = ['sarsa', 'dqn', 'reactive-average', 'reactive-maximum'].map(qos);
  if (sarsa !== undefined && dqn !== undefined && (average !== undefined || maximum !== undefined)) {
    goals.publishedOrdering = sarsa >= dqn && dqn > Math.max(average ?? -1, maximum ?? -1);
  }
  const best = points.filter((p) => learned.includes(p.policy)).sort((a, b) => b.qos - a.qos)[0];
  if (best)
    goals.bestLearned = {
      policy: best.policy,
      qos: best.qos,
      workerSeconds: best.workerSeconds,
      reaches99: best.qos >= 99,
    };
  const baseline = points
    .filter((p) => !learned.includes(p.policy) && p.qos >= 99)
    .sort((a, b) => a.workerSeconds - b.workerSeconds)[0];
  if (baseline)
    goals.cheapestBaselineAt99 = {
      policy: baseline.policy,
      qos: baseline.qos,
      workerSeconds: baseline.workerSeconds,
    };
  if (best) {
    goals.learnedWinsAt99 =
      best.qos >= 99 && (baseline === undefined || best.workerSeconds < baseline.workerSeconds);
  }
  return goals;
}
