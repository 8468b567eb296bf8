/**
 * The autoscaling environment's parts and the farm back-ends it runs on. The environment
 * (`env.ts`) is the reference's Gymnasium environment: the same 9-value observation, actions
 * −1/0/+1, reward and episode end, over a back-end that is either the live farm (real processes
 * and queues, `live.ts`) or its discrete-event model (`sim.ts`). Both back-ends answer the same
 * `FarmSnapshot`, so the observation and reward code is one.
 */
import type { WorkloadOptions } from '../workload/contract.js';

/** What the environment needs of one collected task (from its output record). */
export interface CollectedTask {
  taskId: string;
  /** s since program start. */
  collectedAt: number;
  /** Generation → collection, s (the reference's task_completion_time). */
  completionTime: number;
  /** Collected within its deadline. */
  qos: boolean;
}

/** The farm as the environment observes it, at `now`. */
export interface FarmSnapshot {
  /** s since the episode's program start. */
  now: number;
  inputQueue: number;
  workerQueue: number;
  resultQueue: number;
  outputQueue: number;
  workers: number;
  /** Tasks ever enqueued by the emitter this episode. */
  enqueuedTotal: number;
  /** Every task collected this episode, once each, in collection order. */
  collected: readonly CollectedTask[];
  /** Tasks the episode's workload holds in all. */
  expectedTasks: number;
}

export interface EpisodeSpec {
  /** The episode's seed (the emitter's task seed). */
  seed: number;
  initialWorkers: number;
  workload: WorkloadOptions;
}

export interface ScaleOutcome {
  /** Workers added (> 0) or removed (< 0). */
  applied: number;
  /** s the scaling took (the live farm's deploy/start or SYN/ACK time; modelled in simulation). */
  seconds: number;
  /** Set when a scale-down's ACKs did not all come: reported, never dropped silently. */
  missingAcks?: number;
}

/** A farm the environment can drive: live or simulated. */
export interface FarmBackend {
  readonly kind: 'live' | 'sim';
  /** Starts a fresh episode: empty queues, `initialWorkers` workers, the emitter started. */
  reset(spec: EpisodeSpec): Promise<FarmSnapshot>;
  /** Adds or removes workers (the environment has already bounded `delta`). */
  scale(delta: number): Promise<ScaleOutcome>;
  /** Lets the farm run for `seconds` (sleeps live; advances virtual time in simulation). */
  advance(seconds: number): Promise<FarmSnapshot>;
  /** Ends the episode's roles (TERMINATE) and frees what the back-end holds. */
  close(): Promise<void>;
}

/** Observation indexes, in the reference's order. */
export const OBS = {
  inputQueue: 0,
  workerQueue: 1,
  resultQueue: 2,
  outputQueue: 3,
  workers: 4,
  avgTime: 5,
  maxTime: 6,
  arrivalRate: 7,
  qosRate: 8,
} as const;
export const OBSERVATION_NAMES = [
  'input_q',
  'worker_q',
  'result_q',
  'output_q',
  'workers',
  'avg_time',
  'max_time',
  'arrival_rate',
  'qos_rate',
] as const;
/** The 9 values; see OBS. */
export type Observation = readonly number[];

/** Action indexes 0, 1, 2 mean −1, 0, +1 worker. */
export const ACTION_DELTAS = [-1, 0, 1] as const;
export type Action = 0 | 1 | 2;

/** What a policy sees beside the observation (the reactive baselines read the enqueue counter). */
export interface PolicyContext {
  enqueuedTotal: number;
  /** True while training (ε-greedy exploration); false when evaluating (greedy). */
  explore: boolean;
}

/** A scaling policy: a baseline or a learned agent. */
export interface Policy {
  readonly name: string;
  act(observation: Observation, context: PolicyContext): Action;
  /** Start of an episode: a policy with memory (the HPA's stabilisation window) forgets it. */
  beginEpisode?(): void;
}

/** One environment step, as a learner sees it. */
export interface Transition {
  observation: Observation;
  action: Action;
  reward: number;
  next: Observation;
  done: boolean;
}

/** A policy that learns from transitions and saves to a model file. */
export interface LearningAgent extends Policy {
  /** Start of an episode (SARSA resets its traces). */
  beginEpisode(): void;
  /** Called after every step with the transition and, for on-policy SARSA, the next action already chosen. */
  learn(transition: Transition, nextAction: Action): void;
  /** End of an episode (ε decays). */
  endEpisode(): void;
  /** The model as JSON: kind, hyper-parameters, learned values. */
  toModel(): AgentModel;
}

/** A saved agent: enough to rebuild it, with what it was trained under. */
export interface AgentModel {
  kind: 'sarsa' | 'dqn';
  /** dfaas version that wrote it. */
  version: string;
  hyperParameters: Record<string, unknown>;
  /** The reward configuration the agent was trained with. */
  reward: Record<string, number>;
  /** Episodes trained. */
  episodes: number;
  /** The learned values (Q-table entries or network weights). */
  state: unknown;
}
