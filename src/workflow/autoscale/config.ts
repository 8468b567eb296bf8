/**
 * The environment's and the reward's settings, with the reference's defaults (anchors §2.1, §2.2).
 *
 * Reward keys are the reference's YAML names (`utilities/configuration.yml`, block `reward`),
 * flattened so a model file can store them as one `Record<string, number>`: the top-level keys
 * keep their names, `weights.<name>` becomes `w_<name>` and `weights.scale.{up,down}` becomes
 * `w_scale_{up,down}`.
 */
import { z } from 'zod';
import { ConfigError, issuesFromZod } from '../../core/errors.js';
import { OBSERVATION_NAMES } from './contract.js';

const weight = z.number().finite().min(0);

export const rewardSchema = z.strictObject({
  /** QoS rate the reward aims at. */
  target_qos: z.number().min(0).max(1).default(0.95),
  /** Backlog (worker_q) considered healthy; the backlog ratio is worker_q / max(1, queue_target). */
  queue_target: z.number().finite().min(0).default(30),
  /** Workers that cost nothing while the farm is calm. */
  balanced_workers: z.number().finite().min(0).default(14),
  /** Backlog at or under which the farm counts as calm for the efficiency penalty. */
  idle_queue_threshold: z.number().finite().min(0).default(8),
  /** Last-step penalty per unfinished task (at most queue_target of them) when max_steps ends the episode. */
  unfinished_penalty_scale: weight.default(2.0),
  /** Last-step bonus when every task is collected before max_steps. */
  completion_bonus: weight.default(8.0),
  w_qos: weight.default(36),
  w_backlog: weight.default(2.5),
  w_scaling: weight.default(0.08),
  w_efficiency: weight.default(0.05),
  w_scale_up: weight.default(5.5),
  w_scale_down: weight.default(0.1),
});
export type RewardConfig = z.output<typeof rewardSchema>;

/** The coefficient sets the reference committed (anchors §2.2), named by commit, so a result can say which it used. */
export const REWARD_PRESETS = {
  /** HEAD `1c133a4`: the DQN rows of the published comparison. */
  head: rewardSchema.parse({}),
  b3ef19f: {
    target_qos: 0.95,
    queue_target: 50,
    balanced_workers: 13,
    idle_queue_threshold: 10,
    unfinished_penalty_scale: 1.0,
    completion_bonus: 10,
    w_qos: 20,
    w_backlog: 0.3,
    w_scaling: 0.3,
    w_efficiency: 0.5,
    w_scale_up: 2.0,
    w_scale_down: 1.5,
  },
  /** The SARSA rows of the published comparison (evaluated 11-13). */
  '671f321': {
    target_qos: 0.95,
    queue_target: 13,
    balanced_workers: 12,
    idle_queue_threshold: 5,
    unfinished_penalty_scale: 2.5,
    completion_bonus: 6.0,
    w_qos: 33,
    w_backlog: 12,
    w_scaling: 1.1,
    w_efficiency: 1.6,
    w_scale_up: 6.5,
    w_scale_down: 5.5,
  },
  /** Also `dc14c53`. */
  af03f0c: {
    target_qos: 0.95,
    queue_target: 10,
    balanced_workers: 12,
    idle_queue_threshold: 2,
    unfinished_penalty_scale: 2.5,
    completion_bonus: 6.0,
    w_qos: 35,
    w_backlog: 22,
    w_scaling: 0.3,
    w_efficiency: 0.1,
    w_scale_up: 10,
    w_scale_down: 1.0,
  },
} as const satisfies Record<string, RewardConfig>;
export type RewardPresetName = keyof typeof REWARD_PRESETS;

/** Per-dimension lows and highs of the observation, in OBS order. */
const bound = z.array(z.number().finite()).length(OBSERVATION_NAMES.length);
const boundsSchema = z
  .strictObject({ low: bound, high: bound })
  .refine((b) => b.low.every((lo, i) => lo < (b.high[i] as number)), {
    message: 'every low must be under its high',
  });
export type ObservationBounds = z.output<typeof boundsSchema>;

/**
 * The reference's Box bounds ("derived from training history"), except workers, which are
 * [minWorkers, maxWorkers] as in the reference's constructor.
 */
function defaultBounds(minWorkers: number, maxWorkers: number): ObservationBounds {
  return {
    low: [0, 0, 0, 0, minWorkers, 0, 0, 0, 0],
    high: [3, 800, 10, 1140, maxWorkers, 150, 160, 12, 1],
  };
}

const count = z.number().int();

/** What every training and evaluation script of the reference passes (its constructor defaults differ; anchors §2.1). */
export const environmentSchema = z
  .strictObject({
    minWorkers: count.min(1).default(1),
    maxWorkers: count.min(1).default(32),
    /** s per step: scaling time plus the wait after it. */
    stepSeconds: z.number().positive().default(8),
    /** s of collected tasks the observation's times and QoS rate are computed over. */
    windowSeconds: z.number().positive().default(8),
    maxSteps: count.min(1).default(30),
    initialWorkers: count.min(1).default(12),
    /** For normalising the observation (DQN); defaults to the reference's bounds. */
    observationBounds: boundsSchema.optional(),
  })
  .refine((c) => c.minWorkers <= c.maxWorkers, {
    path: ['maxWorkers'],
    message: 'must be at least minWorkers',
  })
  .refine((c) => c.initialWorkers >= c.minWorkers && c.initialWorkers <= c.maxWorkers, {
    path: ['initialWorkers'],
    message: 'must lie within [minWorkers, maxWorkers]',
  })
  .transform((c) => ({
    ...c,
    observationBounds: c.observationBounds ?? defaultBounds(c.minWorkers, c.maxWorkers),
  }));
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type EnvironmentInput = z.input<typeof environmentSchema>;

/** Parses settings with `schema`; a ConfigError (DFAAS_ERR_BAD_INPUT) names every bad field. */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, source: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ConfigError(source, issuesFromZod(parsed.error));
  return parsed.data;
}
