/**
 * The scaling policies that do not learn, by name. Each is deterministic: the same observations
 * and contexts give the same actions. HPA and KEDA remember their past recommendations, so a
 * runner calls `beginEpisode?.()` at every episode start, as it does a learning agent's.
 */
import { z } from 'zod';
import { validateConfig } from '../../../config/read-file.js';
import { type Action, type LearningAgent, OBS, type Observation, type Policy } from '../contract.js';
import { type HpaOptions, HpaPolicy } from './hpa.js';
import { type KedaOptions, KedaPolicy } from './keda.js';
import { ReactiveAverage, ReactiveMaximum, type ReactiveOptions } from './reactive.js';

const staticOptionsSchema = z.strictObject({ workers: z.number().int().min(1).max(32).optional() });

/**
 * A fixed pool: without `workers`, keeps the initial workers (always the no-op); with it
 * (`static-N`), moves one worker per step to N and stays there. A row of fixed pools draws the
 * QoS / cost frontier the learned agents are measured against.
 */
export class StaticPolicy implements Policy {
  readonly name: string;
  private readonly workers: number | undefined;

  constructor(options: { workers?: number } = {}) {
    this.workers = validateConfig(staticOptionsSchema, options, 'static options').workers;
    this.name = this.workers === undefined ? 'static' : `static-${this.workers}`;
  }

  act(observation: Observation): Action {
    if (this.workers === undefined) return 1;
    const now = observation[OBS.workers] as number;
    return now < this.workers ? 2 : now > this.workers ? 0 : 1;
  }
}

/** A baseline; the ones with memory start an episode as a learning agent does. */
export type Baseline = Policy & Partial<Pick<LearningAgent, 'beginEpisode'>>;

/**
 * Name → factory. Options are validated by the policy (unknown keys and bad values are a
 * ConfigError naming them), so a factory may be given a configuration's raw mapping.
 */
export const BASELINES = {
  'reactive-average': (options: Record<string, unknown> = {}): Baseline =>
    new ReactiveAverage(options as ReactiveOptions),
  'reactive-maximum': (options: Record<string, unknown> = {}): Baseline =>
    new ReactiveMaximum(options as ReactiveOptions),
  hpa: (options: Record<string, unknown> = {}): Baseline => new HpaPolicy(options as HpaOptions),
  keda: (options: Record<string, unknown> = {}): Baseline => new KedaPolicy(options as KedaOptions),
  static: (options: Record<string, unknown> = {}): Baseline =>
    new StaticPolicy(options as { workers?: number }),
} as const satisfies Record<string, (options?: Record<string, unknown>) => Baseline>;

export type BaselineName = keyof typeof BASELINES;
export const BASELINE_NAMES = Object.keys(BASELINES) as BaselineName[];
