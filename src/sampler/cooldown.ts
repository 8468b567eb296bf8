import type { NodeSample } from '../metrics/contract.js';

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
