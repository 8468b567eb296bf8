/**
 * The last part of `dfaas demo`: three nodes on this machine, one overloaded (see
 * node/offload-scenario.ts), run with recalc and then with all-local for comparison, each for a
 * few seconds; the nodes' configs, logs and decision logs and offload.json stay in `dir`.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import type { Logger } from '../core/logger.js';
import { type OffloadResult, runOffloadScenario } from '../node/offload-scenario.js';

export interface OffloadComparison {
  dir: string;
  runs: OffloadResult[];
}

export async function runOffloadComparison(dir: string, logger: Logger): Promise<OffloadComparison> {
  const runs: OffloadResult[] = [];
  for (const strategy of ['recalc', 'all-local'] as const) {
    logger.info(`three-node offloading with ${strategy}: node-1 gets 12 requests/s, its function takes 10`);
    runs.push(
      await runOffloadScenario({ strategy, proxy: 'embedded', dir: join(dir, strategy), durationMs: 6_000 }),
    );
  }
  writeFileAtomic(join(dir, 'offload.json'), `${JSON.stringify(runs, null, 2)}\n`);
  return { dir, runs };
}
