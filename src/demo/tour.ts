/**
 * `dfaas demo` as a library: the cold/warm tour of a stack, then a small sampler sweep, then the
 * three-node offloading comparison, each written under `out` with one timestamp. The caller
 * sees each part as it ends (to print it) and gets them all back.
 */
import { resolve } from 'node:path';
import { loadSamplerConfig } from '../config/sampler.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { planSweep } from '../sampler/plan.js';
import type { SweepProgress } from '../sampler/runner.js';
import { runSamplerSession } from '../sampler/session.js';
import { type ColdWarmTour, runColdWarmTour } from './cold-warm-tour.js';
import { type OffloadComparison, runOffloadComparison } from './offload-comparison.js';

export interface DemoOptions {
  stack: string;
  out: string;
  /** Sampler configuration of the small sweep; false skips it. */
  sweep: string | false;
  /** Whether to run the offloading comparison. */
  offload: boolean;
  logger: Logger;
  /** Names this run's files and folders (default: now, as an ISO time with - for : and .). */
  stamp?: string;
}

export interface DemoSweep {
  /** The sweep's results.csv. */
  results: string;
  report: string;
}

export interface DemoResult extends ColdWarmTour {
  sweep: DemoSweep | undefined;
  offload: OffloadComparison | undefined;
}

export interface DemoEvents {
  onColdWarm?: (tour: ColdWarmTour) => void;
  onSweepProgress?: (progress: SweepProgress) => void;
  onSweep?: (sweep: DemoSweep) => void;
  onOffload?: (offload: OffloadComparison) => void;
}

export async function runDemo(options: DemoOptions, events: DemoEvents = {}): Promise<DemoResult> {
  const { logger } = options;
  const stamp = options.stamp ?? new Date().toISOString().replace(/[:.]/g, '-');
  const tour = await runColdWarmTour({ stack: options.stack, out: options.out, stamp, logger });
  events.onColdWarm?.(tour);
  let sweep: DemoSweep | undefined;
  if (options.sweep) {
    const config = loadSamplerConfig(options.sweep, { output_dir: resolve(options.out, `sweep-${stamp}`) });
    logger.info(`a small sweep from ${options.sweep}: ${planSweep(config).length} configurations`);
    const result = await runSamplerSession({
      config,
      configFile: options.sweep,
      logger: silentLogger,
      ...(events.onSweepProgress ? { onProgress: events.onSweepProgress } : {}),
    });
    sweep = { results: resolve(result.outputDir, 'results.csv'), report: result.report };
    events.onSweep?.(sweep);
  }
  let offload: OffloadComparison | undefined;
  if (options.offload) {
    offload = await runOffloadComparison(resolve(options.out, `offload-${stamp}`), logger);
    events.onOffload?.(offload);
  }
  return { ...tour, sweep, offload };
}
