import type { NodeInfoStatic } from '../messages.js';
import { allLocalRoute, type FunctionRoute } from '../routing.js';
import type { NodeState, Strategy } from './types.js';

/**
 * The baseline: every request is served here, nothing is forwarded or offered. It still publishes
 * nodeinfoStatic so that peers see each other (status pages, RTT-based strategies).
 */
export const allLocal: Strategy = async ({ self }) => {
  const functions: Record<string, FunctionRoute> = {};
  for (const fn of self.functions) functions[fn.name] = allLocalRoute();
  return { functions, messages: [nodeinfoStatic(self)], decisions: {} };
};

/** Where this node's proxy is and which functions it deploys (all-local and static publish it). */
export function nodeinfoStatic(self: NodeState): NodeInfoStatic {
  return {
    MsgType: 'nodeinfoStatic',
    HAProxyHost: self.proxy.host,
    HAProxyPort: self.proxy.port,
    Functions: self.functions.map((f) => f.name),
  };
}
