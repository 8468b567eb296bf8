/**
 * The node metrics a forecaster predicts, the node-margin strategy bounds with thresholds, and
 * the sampler's results.csv names (`cpu_usage_node`: percent of one core, `ram_usage_node`: bytes,
 * `power_usage_node`: as measured). One list for the forecaster, its service and the agent.
 */
export const NODE_METRICS = ['cpu_usage_node', 'ram_usage_node', 'power_usage_node'] as const;
export type NodeMetric = (typeof NODE_METRICS)[number];
