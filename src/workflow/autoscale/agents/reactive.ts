/**
 * The reference's reactive baselines (anchors §2.5; reactive_policies.py at 671f321), an analytical
 * FARM model: the workers needed for the next horizon's arrivals and to clear the backlog, against
 * the workers not busy with tasks in flight. Average reads the mean response time, Maximum the
 * largest; both read it as a service time, which it is not (it includes the queueing), so they
 * over-react as the reference's do.
 */
import { z } from 'zod';
import { validateConfig } from '../../../config/read-file.js';
import { ConfigError } from '../../../core/errors.js';
import { type Action, OBS, type Observation, type Policy, type PolicyContext } from '../contract.js';

const reactiveOptionsSchema = z.strictObject({
  /** s ahead the backlog is to be cleared in (the reference's default 8, its step). */
  horizonSeconds: z.number().positive().default(8),
  /** Multiplies the workers needed (≥ 1; default 1). */
  safetyFactor: z.number().min(1).default(1),
  /** Weight of the busy workers; unset, the variant's own (Average 0.5, Maximum 1.0). */
  adjustmentFactor: z.number().min(0).optional(),
});
export type ReactiveOptions = z.input<typeof reactiveOptionsSchema>;

interface Variant {
  name: string;
  /** The service time the model assumes, from the observation. */
  serviceTime(observation: Observation): number;
  adjustmentFactor: number;
  /** The least adjustment the variant takes (the reference raises Maximum's to ≥ 1). */
  minAdjustment: number;
}

class FarmModelPolicy implements Policy {
  readonly name: string;
  private readonly options: Required<z.output<typeof reactiveOptionsSchema>>;

  constructor(
    private readonly variant: Variant,
    options: ReactiveOptions,
  ) {
    this.name = variant.name;
    const parsed = validateConfig(reactiveOptionsSchema, options, `${variant.name} options`);
    const adjustmentFactor = parsed.adjustmentFactor ?? variant.adjustmentFactor;
    if (adjustmentFactor < variant.minAdjustment) {
      throw new ConfigError(`${variant.name} options`, [
        { field: 'adjustmentFactor', message: `at least ${variant.minAdjustment} for ${variant.name}` },
      ]);
    }
    this.options = { ...parsed, adjustmentFactor };
  }

  act(observation: Observation, context: PolicyContext): Action {
    const { horizonSeconds, safetyFactor, adjustmentFactor } = this.options;
    const workerQueue = observation[OBS.workerQueue] as number;
    const workers = observation[OBS.workers] as number;
    const st = this.variant.serviceTime(observation);
    const horizon = Math.max(horizonSeconds, st, 1);

    const forArrivals = Math.max(0, observation[OBS.arrivalRate] as number) * st;
    const forBacklog = (workerQueue / horizon) * st;
    const optimal = Math.max(1, (forArrivals + forBacklog) * safetyFactor);

    // Tasks neither waiting nor done are in a worker; one of them is taken to be at the collector.
    const active = Math.max(
      0,
      context.enqueuedTotal -
        workerQueue -
        (observation[OBS.resultQueue] as number) -
        (observation[OBS.outputQueue] as number),
    );
    const activeWorkers = Math.min(workers, Math.max(0, active - (active > 0 ? 1 : 0)));
    const busy = (activeWorkers / horizon) * st * adjustmentFactor;

    const delta = optimal - (workers - busy);
    return delta >= 0.5 ? 2 : delta <= -0.5 ? 0 : 1;
  }
}

const avgTime = (o: Observation): number => o[OBS.avgTime] as number;
const maxTime = (o: Observation): number => o[OBS.maxTime] as number;

/** Service time = max(avg_time, 0.1); busy workers weighted 0.5. */
export class ReactiveAverage extends FarmModelPolicy {
  constructor(options: ReactiveOptions = {}) {
    super(
      {
        name: 'reactive-average',
        serviceTime: (o) => Math.max(avgTime(o), 0.1),
        adjustmentFactor: 0.5,
        minAdjustment: 0,
      },
      options,
    );
  }
}

/** Service time = max(max_time, avg_time, 0.1); busy workers weighted 1.0 (or more). */
export class ReactiveMaximum extends FarmModelPolicy {
  constructor(options: ReactiveOptions = {}) {
    super(
      {
        name: 'reactive-maximum',
        serviceTime: (o) => Math.max(maxTime(o), avgTime(o), 0.1),
        adjustmentFactor: 1,
        minAdjustment: 1,
      },
      options,
    );
  }
}
