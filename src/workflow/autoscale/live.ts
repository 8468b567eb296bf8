/**
 * The live back-end: the farm itself (real role processes on the platform, real queues), one fresh
 * farm per episode as the reference resets its functions and queues. Times are the workload's: a
 * time scale k runs the episode k times faster and the snapshots are multiplied back.
 */
import type { Logger } from '../../core/logger.js';
import { sleep } from '../../core/poll.js';
import type { FarmEngines } from '../engines.js';
import { LiveFarm } from '../farm.js';
import { DEFAULT_QUEUE_NAMES } from '../messages.js';
import type { WorkKind } from '../roles/payload.js';
import type { EpisodeSpec, FarmBackend, FarmSnapshot, ScaleOutcome } from './contract.js';

export interface LiveBackendOptions {
  engines: FarmEngines;
  timeScale: number;
  work: WorkKind;
  leaseMs: number;
  logger?: Logger;
}

export class LiveBackend implements FarmBackend {
  readonly kind = 'live' as const;
  private farm: LiveFarm | undefined;

  constructor(private readonly o: LiveBackendOptions) {}

  async reset(spec: EpisodeSpec): Promise<FarmSnapshot> {
    await this.farm?.stop();
    this.farm = await LiveFarm.start({
      platform: this.o.engines.platform,
      queues: this.o.engines.queues,
      roleQueueUrl: this.o.engines.roleQueueUrl,
      names: { ...DEFAULT_QUEUE_NAMES },
      workload: { ...spec.workload, seed: spec.seed },
      initialWorkers: spec.initialWorkers,
      timeScale: this.o.timeScale,
      work: this.o.work,
      leaseMs: this.o.leaseMs,
      pollMs: 100,
      startTimeoutMs: 60_000,
      ackTimeoutMs: 32_000 / this.o.timeScale,
      ...(this.o.logger ? { logger: this.o.logger } : {}),
    });
    return this.farm.snapshot();
  }

  async scale(delta: number): Promise<ScaleOutcome> {
    const farm = this.running();
    if (delta > 0) return farm.scaleUp(delta);
    if (delta < 0) return farm.scaleDown(-delta);
    return { applied: 0, seconds: 0 };
  }

  async advance(seconds: number): Promise<FarmSnapshot> {
    await sleep((seconds * 1000) / this.o.timeScale);
    return this.running().snapshot();
  }

  async close(): Promise<void> {
    await this.farm?.stop();
    this.farm = undefined;
  }

  private running(): LiveFarm {
    if (!this.farm) throw new Error('LiveBackend: reset() first');
    return this.farm;
  }
}
