/**
 * What the node-usage models see and predict. Features: the request rate of each function group
 * (`rate_group_HIGH_USAGE`, `rate_group_LOW_USAGE`, `rate_group_MEDIUM_USAGE` for the usual three
 * groups, in name order) and `node_type`; or, in the per-function variant, one
 * `rate_function_NAME` per function. Targets: the node's CPU, RAM and (when measured) power, each
 * group's CPU, RAM and power, the mean latency, and `overloaded_node` as a class.
 */
import type { GroupRow } from './dataset.js';
import { ForecastInputError } from './errors.js';

export type FeatureVariant = 'groups' | 'functions';

export function featureNames(
  variant: FeatureVariant,
  groupNames: string[],
  functionNames: string[],
): string[] {
  const rates =
    variant === 'groups'
      ? [...groupNames].sort().map((g) => `rate_group_${g}`)
      : [...functionNames].sort().map((f) => `rate_function_${f}`);
  return [...rates, 'node_type'];
}

/** A row's feature vector in the order of `names`. */
export function featureVector(row: GroupRow, names: string[]): number[] {
  return names.map((name) => {
    if (name === 'node_type') return row.nodeType;
    if (name.startsWith('rate_group_')) return row.groups[name.slice('rate_group_'.length)]?.rate ?? 0;
    if (name.startsWith('rate_function_')) return row.functionRates[name.slice('rate_function_'.length)] ?? 0;
    throw new ForecastInputError(`unknown feature ${name}`);
  });
}

export interface Target {
  name: string;
  task: 'regression' | 'classification';
  /** The target's value in a row; NaN where not measured. */
  of(row: GroupRow): number;
}

/**
 * The targets this data supports: a target with a NaN anywhere (power without Scaphandre) or
 * that is 0 everywhere (power of the embedded platform's groups) is left out, not learnt as 0.
 */
export function targetsFor(rows: GroupRow[], groupNames: string[]): Target[] {
  const candidates: Target[] = [
    { name: 'cpu_usage_node', task: 'regression', of: (r) => r.node.cpuPct },
    { name: 'ram_usage_node', task: 'regression', of: (r) => r.node.ramBytes },
    { name: 'power_usage_node', task: 'regression', of: (r) => r.node.powerMicrowatts },
    ...[...groupNames].sort().flatMap((g): Target[] => [
      { name: `cpu_usage_group_${g}`, task: 'regression', of: (r) => r.groups[g]?.cpuPct ?? 0 },
      { name: `ram_usage_group_${g}`, task: 'regression', of: (r) => r.groups[g]?.ramBytes ?? 0 },
      { name: `power_usage_group_${g}`, task: 'regression', of: (r) => r.groups[g]?.powerMicrowatts ?? 0 },
    ]),
    { name: 'latency_node', task: 'regression', of: (r) => r.node.latencyMs },
    { name: 'overloaded_node', task: 'classification', of: (r) => (r.node.overloaded ? 1 : 0) },
  ];
  return candidates.filter((t) => {
    const values = rows.map((r) => t.of(r));
    return values.every(Number.isFinite) && (t.task === 'classification' || values.some((v) => v !== 0));
  });
}
