/**
 * A Kubernetes HorizontalPodAutoscaler as a farm policy, on worker utilisation, and the HPA's
 * replica calculation that the KEDA policy (keda.ts) shares: KEDA scales through an HPA.
 *
 * Defaults and their source: tolerance 0.1 and the 300 s scale-down stabilisation window are the
 * HPA's (kubernetes pkg/apis/autoscaling/v2 defaults.go and the controller's
 * --horizontal-pod-autoscaler-downscale-stabilization flag); scale-up has no stabilisation, as
 * there. The target utilisation 0.8 is ours. The HPA's rate policies (4 pods or 100 % per 15 s)
 * never bind: the environment moves one worker per step.
 */
import { z } from 'zod';
import { validateConfig } from '../../../config/read-file.js';
import { type Action, OBS, type Observation, type Policy, type PolicyContext } from '../contract.js';

/** The HPA behaviour both the HPA and the KEDA policies take. */
export const hpaBehaviourShape = {
  /** No change while |metric / target − 1| ≤ tolerance (HPA default 0.1). */
  tolerance: z.number().min(0).default(0.1),
  /** A scale-down goes no lower than the highest recommendation of this window (HPA default 300 s). */
  stabilisationSeconds: z.number().min(0).default(300),
  /** s between two decisions (the environment's step; the reference's is 8 s). */
  stepSeconds: z.number().positive().default(8),
  /** The HPA's minReplicas (default 1). */
  minReplicas: z.number().int().min(1).default(1),
};
const hpaBehaviourSchema = z.strictObject(hpaBehaviourShape);
export type HpaBehaviour = z.output<typeof hpaBehaviourSchema>;

/**
 * The HPA's decision loop for one metric: the replica proposal with tolerance, the scale-down
 * stabilisation over the past recommendations, minReplicas, and one worker towards the result.
 * Time is the count of decisions × stepSeconds, so the policy needs no clock.
 */
export class HpaController {
  /** Unstabilised recommendations of the window, oldest first. */
  private recommendations: { at: number; replicas: number }[] = [];
  private now = 0;

  constructor(private readonly behaviour: HpaBehaviour) {}

  /**
   * `metricTotal` summed over the workers against `targetPerReplica` (the HPA's AverageValue and,
   * with utilisations, its Utilization target): ratio = metricTotal / (target × workers), desired
   * = ceil(metricTotal / target) unless the ratio is within tolerance of 1.
   */
  decide(metricTotal: number, targetPerReplica: number, workers: number): Action {
    const ratio = metricTotal / (targetPerReplica * workers);
    const desired =
      Math.abs(ratio - 1) <= this.behaviour.tolerance ? workers : Math.ceil(metricTotal / targetPerReplica);
    const replicas = Math.max(this.behaviour.minReplicas, this.stabilise(workers, desired));
    return replicas > workers ? 2 : replicas < workers ? 0 : 1;
  }

  /** Forgets the recommendations (a new episode). */
  reset(): void {
    this.recommendations = [];
    this.now = 0;
  }

  /**
   * As the HPA controller's stabilizeRecommendationWithBehaviors: up to `desired` at once; down
   * to no lower than the highest recommendation made after now − window (this one included).
   */
  private stabilise(current: number, desired: number): number {
    const cutoff = this.now - this.behaviour.stabilisationSeconds;
    this.recommendations = this.recommendations.filter((r) => r.at > cutoff);
    const floor = Math.max(desired, ...this.recommendations.map((r) => r.replicas));
    this.recommendations.push({ at: this.now, replicas: desired });
    this.now += this.behaviour.stepSeconds;
    return Math.min(Math.max(current, desired), floor);
  }
}

export const hpaOptionsSchema = z.strictObject({
  /** Busy fraction of the workers to aim at (ours: 0.8). */
  targetUtilisation: z.number().gt(0).max(1).default(0.8),
  ...hpaBehaviourShape,
});
export type HpaOptions = z.input<typeof hpaOptionsSchema>;

/**
 * Utilisation = busy / workers, busy = the tasks the enqueue counter says are neither waiting nor
 * done (enqueuedTotal − worker_q − result_q − output_q), at least 0 and at most the workers: what
 * a CPU metric would show of workers that sleep for the task's time.
 */
export class HpaPolicy implements Policy {
  readonly name = 'hpa';
  private readonly targetUtilisation: number;
  private readonly controller: HpaController;

  /** Bad options are a ConfigError naming them. */
  constructor(options: HpaOptions = {}) {
    const { targetUtilisation, ...behaviour } = validateConfig(hpaOptionsSchema, options, 'hpa options');
    this.targetUtilisation = targetUtilisation;
    this.controller = new HpaController(behaviour);
  }

  act(observation: Observation, context: PolicyContext): Action {
    const workers = observation[OBS.workers] as number;
    const inFlight =
      context.enqueuedTotal -
      (observation[OBS.workerQueue] as number) -
      (observation[OBS.resultQueue] as number) -
      (observation[OBS.outputQueue] as number);
    const busy = Math.min(workers, Math.max(0, inFlight));
    return this.controller.decide(busy, this.targetUtilisation, workers);
  }

  /** Starts a new episode with no past recommendations. */
  beginEpisode(): void {
    this.controller.reset();
  }
}
