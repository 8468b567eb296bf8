import type { SamplerConfig } from '../config/sampler.js';
import type { MetricsSource, NodeSample } from '../metrics/contract.js';
import type { PlannedConfig } from './plan.js';

/** A function's replicas now, and how many it keeps when idle (com.openfaas.scale.min, at least 1). */
export interface ReplicaCount {
  count: number;
  floor: number;
}

/**
 * Idle enough to start the next configuration: every function at or below the replicas it keeps
 * when idle (the reference's "fewer than 2" where that is 1; a function with
 * com.openfaas.scale.min 2 would otherwise never cool down), and CPU, RAM and power each within
 * `thresholdPct` of the idle baseline (a NaN on either side passes).
 * CPU, already a percentage, may be `thresholdPct` points above its baseline (relative to an idle
 * CPU of 2% a 15% margin would be 0.3 points, noise); RAM and power `thresholdPct` percent above.
 */
export function isCooledDown(
  now: NodeSample,
  baseline: NodeSample,
  thresholdPct: number,
  replicas: readonly ReplicaCount[],
): boolean {
  const unknown = (a: number, b: number) => Number.isNaN(a) || Number.isNaN(b);
  const relative = (value: number, idle: number) =>
    unknown(value, idle) || value <= idle * (1 + thresholdPct / 100);
  const cpuOk = unknown(now.cpuPct, baseline.cpuPct) || now.cpuPct <= baseline.cpuPct + thresholdPct;
  return (
    cpuOk &&
    relative(now.ramBytes, baseline.ramBytes) &&
    relative(now.powerMicrowatts, baseline.powerMicrowatts) &&
    replicas.every((r) => r.count <= Math.max(1, r.floor))
  );
}

/** The reference the adaptive cooldown is measured against: a rest of fixed length before every run. */
export async function fixedRest(seconds: number, sleep: (ms: number) => Promise<void>) {
  await sleep(seconds * 1000);
  return { timedOut: false as const, seconds };
}

/**
 * Waits until the node is idle again (isCooledDown), polling every sleep_step_seconds, for at most
 * max_wait_seconds: how long it waited, or why it is still busy.
 */
export async function cooldown(
  config: SamplerConfig,
  planned: PlannedConfig,
  baseline: NodeSample,
  metrics: MetricsSource,
  floors: Readonly<Record<string, number>>,
  sleep: (ms: number) => Promise<void>,
): Promise<{ timedOut: false; seconds: number } | { timedOut: true; why: string }> {
  const started = performance.now();
  const { max_wait_seconds: maxWait, sleep_step_seconds: step, idle_threshold_pct: pct } = config.cooldown;
  for (;;) {
    const now = await metrics.node();
    const replicas = await Promise.all(
      Object.keys(planned.rates).map(async (n) => ({
        count: await metrics.replicas(n),
        floor: floors[n] ?? 1,
      })),
    );
    if (isCooledDown(now, baseline, pct, replicas))
      return { timedOut: false, seconds: (performance.now() - started) / 1000 };
    if ((performance.now() - started) / 1000 >= maxWait) {
      return {
        timedOut: true,
        why: `cpu ${now.cpuPct.toFixed(1)}% vs idle ${baseline.cpuPct.toFixed(1)}%, ram ${now.ramBytes} vs ${baseline.ramBytes} bytes, replicas ${replicas.map((r) => `${r.count} (idle ${Math.max(1, r.floor)})`).join(', ')}`,
      };
    }
    await sleep(step * 1000);
  }
}
