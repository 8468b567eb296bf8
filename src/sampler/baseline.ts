import type { SamplerConfig } from '../config/sampler.js';
import type { NodeNow, NodeSample } from '../metrics/contract.js';

/** What an idle node may look like when no idle_baseline block is given (percent of capacity). */
export const IDLE_BASELINE_DEFAULTS = { max_cpu_pct_of_capacity: 5, max_cpu_spread_pct_of_capacity: 5 };

/** How many samples, a second apart, make the baseline (the platform samples /proc every second). */
export const BASELINE_SAMPLES = 3;

/** The idle baseline a sweep measures before its first run, as run.json records it. */
export interface IdleBaseline extends NodeSample {
  /** The node's capacity in cores (one core = 100% CPU). */
  cores: number;
  /** When it was measured (ISO 8601). */
  measuredAt: string;
  /** The samples it is the mean of, node CPU in percent of one core. */
  samplesCpuPct: number[];
  /** Whether the node looked busy: the baseline is then not the idle node's. */
  busy: boolean;
  /** Why it looked busy (empty when not). */
  busyReasons: string[];
}

/**
 * The idle baseline: the mean of BASELINE_SAMPLES samples a second apart, judged against the
 * node's own expectation of idle (the configuration's idle_baseline, in percent of its capacity):
 * a mean CPU above the ceiling, or samples that move more than the allowed spread, make it busy.
 * A busy baseline is still used (the sweep goes on), and said: the figures of every row are
 * relative to it.
 */
export async function measureIdleBaseline(
  node: () => Promise<NodeNow>,
  config: Pick<SamplerConfig, 'idle_baseline'>,
  sleep: (ms: number) => Promise<void>,
): Promise<IdleBaseline> {
  const samples: NodeNow[] = [];
  for (let i = 0; i < BASELINE_SAMPLES; i++) {
    await sleep(1000);
    samples.push(await node());
  }
  const mean = (pick: (s: NodeNow) => number) => samples.reduce((a, s) => a + pick(s), 0) / samples.length;
  const cores = samples.at(-1)?.cores ?? 1;
  const baseline = {
    cpuPct: mean((s) => s.cpuPct),
    ramBytes: mean((s) => s.ramBytes),
    ramPct: mean((s) => s.ramPct),
    powerMicrowatts: mean((s) => s.powerMicrowatts),
  };
  const limits = config.idle_baseline ?? IDLE_BASELINE_DEFAULTS;
  const ofCapacity = (cpuPct: number) => cpuPct / cores;
  const cpus = samples.map((s) => s.cpuPct);
  const spread = ofCapacity(Math.max(...cpus) - Math.min(...cpus));
  const busyReasons = [
    ...(ofCapacity(baseline.cpuPct) > limits.max_cpu_pct_of_capacity
      ? [
          `CPU ${ofCapacity(baseline.cpuPct).toFixed(1)}% of the node's ${cores} cores, above idle_baseline.max_cpu_pct_of_capacity ${limits.max_cpu_pct_of_capacity}%`,
        ]
      : []),
    ...(spread > limits.max_cpu_spread_pct_of_capacity
      ? [
          `CPU moved by ${spread.toFixed(1)}% of capacity over the samples, above idle_baseline.max_cpu_spread_pct_of_capacity ${limits.max_cpu_spread_pct_of_capacity}%`,
        ]
      : []),
    ...(Number.isFinite(baseline.cpuPct) ? [] : ['node CPU was not measured (nan)']),
  ];
  return {
    ...baseline,
    cores,
    measuredAt: new Date().toISOString(),
    samplesCpuPct: cpus,
    busy: busyReasons.length > 0,
    busyReasons,
  };
}
