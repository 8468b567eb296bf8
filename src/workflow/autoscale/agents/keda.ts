/**
 * KEDA's Redis Lists scaler on the worker queue, as a farm policy. KEDA hands the list length to
 * an HPA as an AverageValue metric with target `listLength` per replica, so the decision is the
 * HPA's (hpa.ts): desired = ceil(worker_q / listLength) outside the 0.1 tolerance, the 300 s
 * scale-down stabilisation, at least minReplicas.
 *
 * KEDA's `activationListLength` (default 0) only decides scaling to and from zero replicas, which
 * the farm never does (it keeps one worker), so it is not an option here.
 */
import { z } from 'zod';
import { validateConfig } from '../../../config/read-file.js';
import { type Action, OBS, type Observation, type Policy } from '../contract.js';
import { HpaController, hpaBehaviourShape } from './hpa.js';

export const kedaOptionsSchema = z.strictObject({
  /** Tasks waiting per worker to aim at (KEDA's example and usual value, 5). */
  listLength: z.number().positive().default(5),
  ...hpaBehaviourShape,
});
export type KedaOptions = z.input<typeof kedaOptionsSchema>;

export class KedaPolicy implements Policy {
  readonly name = 'keda';
  private readonly listLength: number;
  private readonly controller: HpaController;

  /** Bad options are a ConfigError naming them. */
  constructor(options: KedaOptions = {}) {
    const { listLength, ...behaviour } = validateConfig(kedaOptionsSchema, options, 'keda options');
    this.listLength = listLength;
    this.controller = new HpaController(behaviour);
  }

  act(observation: Observation): Action {
    return this.controller.decide(
      observation[OBS.workerQueue] as number,
      this.listLength,
      observation[OBS.workers] as number,
    );
  }

  /** Starts a new episode with no past recommendations. */
  beginEpisode(): void {
    this.controller.reset();
  }
}
