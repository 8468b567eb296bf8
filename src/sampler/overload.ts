import type { SamplerConfig } from '../config/sampler.js';

type Thresholds = SamplerConfig['overload'];

/** A function is overloaded when too few of its requests succeed or it has scaled out too far. */
export function functionOverloaded(successRate: number, replicas: number, t: Thresholds): boolean {
  return successRate < t.success_rate_function_min || replicas >= t.replicas_overload_threshold;
}

export interface NodeFigures {
  /** Mean success rate over the configuration's functions with requests (NaN when none had any). */
  meanSuccessRate: number;
  /** Node CPU in percent where one core is 100 (so a 4-core node goes to 400). */
  cpuPct: number;
  cores: number;
  ramPct: number;
  anyFunctionOverloaded: boolean;
}

/**
 * The node is overloaded when its functions' mean success is too low, its CPU is above
 * cpu_overload_pct_of_capacity percent of its capacity (cores × 100: raw CPU percent is never
 * compared with 80, the legacy plugin's bug on multi-core nodes), its RAM is above
 * ram_overload_pct, or any function is overloaded. NaN figures (not measured) overload nothing.
 */
export function nodeOverloaded(n: NodeFigures, t: Thresholds): boolean {
  const capacity = n.cores * 100;
  return (
    n.meanSuccessRate < t.success_rate_node_min ||
    n.cpuPct > (t.cpu_overload_pct_of_capacity / 100) * capacity ||
    n.ramPct > t.ram_overload_pct ||
    n.anyFunctionOverloaded
  );
}
