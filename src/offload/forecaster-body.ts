import type { GroupsLoad } from './messages.js';

/** The DFaaS forecaster's request body for group rates on a node type (see `dfaas forecast serve`):
 * what the live agent sends it and the simulator passes to the same models in process. */
export function forecasterBody(nodeType: number, load: GroupsLoad): Record<string, number> {
  return {
    rate_group_HIGH_USAGE: load.RateHighUsage,
    rate_group_LOW_USAGE: load.RateLowUsage,
    rate_group_MEDIUM_USAGE: load.RateMediumUsage,
    node_type: nodeType,
  };
}
