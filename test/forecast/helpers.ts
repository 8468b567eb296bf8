import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../src/core/random.js';
import { resultsHeader, resultsLine } from '../../src/dataset/results.js';
import type { DataFile, TrainOptions } from '../../src/forecast/train.js';

/**
 * A synthetic sampler dataset with a known relationship, written by the sampler's own CSV writer:
 * functions `light` (LOW_USAGE) and `heavy` (HIGH_USAGE) at rates 0..maxRate (90) step 10, alone
 * and together, 2 iterations. Node CPU = 1·light + 4·heavy (twice that on a light node, type 2),
 * RAM = 500 MB + 1 MB per heavy request/s, power = 20 W + CPU/10, a few % noise; overloaded when
 * the CPU is above 300.
 */
export function writeSyntheticResults(
  dir: string,
  nodeType: 'heavy' | 'light',
  seed = 1,
  maxRate = 90,
): string {
  const random = seededRandom(seed);
  const noise = () => 1 + (random() - 0.5) * 0.04;
  const factor = nodeType === 'light' ? 2 : 1;
  const names = ['heavy', 'light'];
  const lines: string[] = [resultsHeader(2).join(',')];
  for (let l = 0; l <= maxRate; l += 10) {
    for (let h = 0; h <= maxRate; h += 10) {
      for (let it = 0; it < 2; it++) {
        const cpu = factor * (1 * l + 4 * h) * noise() + 2;
        const ram = (500 + h * noise()) * 1e6;
        const overloaded = cpu > 300;
        const fn = (name: string, rate: number, cpuPct: number) => ({
          name,
          rate,
          successRate: rate === 0 ? Number.NaN : overloaded ? 0.5 : 1,
          cpuPct,
          ramBytes: 50e6 + rate * 1e6,
          powerMicrowatts: Number.NaN,
          replicas: 1,
          overloaded,
          meanLatencyMs: rate === 0 ? Number.NaN : 5 + cpu / 50,
        });
        lines.push(
          resultsLine(names, {
            functions: [fn('heavy', h, 4 * h * factor), fn('light', l, l * factor)],
            node: {
              idleCpuPct: 2,
              cpuPct: cpu,
              idleRamBytes: 500e6,
              ramBytes: ram,
              idleRamPct: 5,
              ramPct: ram / 1e8,
              idlePowerMicrowatts: 20,
              powerMicrowatts: 20 + cpu / 10,
              restSeconds: 1,
              overloaded,
            },
          }),
        );
      }
    }
  }
  const path = join(dir, `${nodeType}.csv`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export const SYNTHETIC_GROUPS = { HIGH_USAGE: ['heavy'], LOW_USAGE: ['light'], MEDIUM_USAGE: [] };

/** Training options for the synthetic dataset: group rates, 20% held out, seed 1, no baselines. */
export const syntheticOptions = (files: DataFile[]): TrainOptions => ({
  variant: 'groups',
  groups: SYNTHETIC_GROUPS,
  files,
  testFraction: 0.2,
  seed: 1,
  baselines: false,
});
