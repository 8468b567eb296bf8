import type { NodeSample } from '../metrics/contract.js';

/**
 * Idle enough to start the next configuration: every function below 2 replicas, and CPU, RAM
 * and power each within `thresholdPct` of the idle baseline (a NaN on either side passes).
 * CPU, already a percentage, may be `thresholdPct` points above its baseline (relative to an idle
 * CPU of 2% a 15% margin would be 0.3 points, noise); RAM and power `thresholdPct` percent above.
 */
export function isCooledDown(
  now: NodeSample,
  baseline: NodeSample,
  thresholdPct: number,
  maxReplicas: number,
): boolean {
  const unknown = (a: number, b: number) => Number.isNaN(a) || Number.isNaN(b);
  const relative = (value: number, idle: number) =>
    unknown(value, idle) || value <= idle * (1 + thresholdPct / 100);
  const cpuOk = unknown(now.cpuPct, baseline.cpuPct) || now.cpuPct <= baseline.cpuPct + thresholdPct;
  return (
    cpuOk &&
    relative(now.ramBytes, baseline.ramBytes) &&
    relative(now.powerMicrowatts, baseline.powerMicrowatts) &&
    maxReplicas < 2
  );
}
