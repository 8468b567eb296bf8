import { expect } from 'vitest';
import { type GroupsLoad, type PeerMessage, PeerMessageSchema } from '../../../src/offload/messages.js';
import type {
  DeployedFunction,
  Neighbour,
  NodeState,
  StrategyInput,
  StrategyResult,
} from '../../../src/offload/strategies/types.js';

export const NOW = 1_700_000_000_000;

export function selfNode(over: Partial<NodeState> = {}): NodeState {
  return {
    id: 'self',
    proxy: { host: '10.0.0.1', port: 8001 },
    functions: [],
    userRates: {},
    nodeType: 0,
    thresholds: {},
    ...over,
  };
}

export function fns(...specs: Array<[string, number | null]>): DeployedFunction[] {
  return specs.map(([name, maxRate]) => ({ name, maxRate }));
}

export function neighbour(id: string, over: Partial<Neighbour> = {}): Neighbour {
  return {
    id,
    endpoint: { host: `host-${id}`, port: 8001 },
    lastSeen: NOW,
    functions: [],
    limitsOut: {},
    ...over,
  };
}

export function input(over: Partial<StrategyInput> = {}): StrategyInput {
  return { now: NOW, self: selfNode(), neighbours: [], connectedPeers: [], ...over };
}

/** Every message must be one a reference agent (and our decoder) accepts. */
export function expectValidMessages(result: StrategyResult): PeerMessage[] {
  for (const message of result.messages) expect(PeerMessageSchema.safeParse(message).success).toBe(true);
  return result.messages;
}

/** Group rates, in the order the strategies' tests write them. */
export const load = (high = 0, medium = 0, low = 0): GroupsLoad => ({
  RateHighUsage: high,
  RateMediumUsage: medium,
  RateLowUsage: low,
});
