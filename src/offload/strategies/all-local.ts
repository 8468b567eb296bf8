import { z } from 'zod';
import type { NodeInfoStatic } from '../messages.js';
import { allLocalRoute, type FunctionRoute } from '../routing.js';
import { defineStrategy, type NodeState, type Strategy } from './types.js';

/**
 * The baseline: every request is served here, nothing is forwarded or offered. It still publishes
 * nodeinfoStatic so that peers see each other (status pages, RTT-based strategies).
 */
const allLocal: Strategy = async ({ self }) => {
  const functions: Record<string, FunctionRoute> = {};
  for (const fn of self.functions) functions[fn.name] = allLocalRoute();
  return { functions, messages: [nodeinfoStatic(self)], decisions: {} };
};

export const allLocalDefinition = defineStrategy({
  name: 'all-local',
  description: 'serve every request here; forward and offer nothing (the baseline)',
  params: z.object({}),
  create: () => allLocal,
  // Its messages only say where the node is: one missed period is tolerated.
  neighbourTtlFactor: () => 2,
  needsForecaster: () => false,
  needsRtt: () => false,
});

/** Where this node's proxy is and which functions it deploys (all-local and static publish it). */
export function nodeinfoStatic(self: NodeState): NodeInfoStatic {
  return {
    MsgType: 'nodeinfoStatic',
    HAProxyHost: self.proxy.host,
    HAProxyPort: self.proxy.port,
    Functions: self.functions.map((f) => f.name),
  };
}
