import type { SimNode } from '../../src/sim/instances/instance.js';

/** A node of type MID offered figlet (LOW_USAGE) at `rates[t]` req/s at instant t. */
export function figletNode(id: string, neighbours: string[], rates: number[]): SimNode {
  return {
    id,
    type: 'MID',
    neighbours,
    load: rates.map((rate) => ({ LOW_USAGE: { functions: [{ name: 'figlet', rate }], totalRate: rate } })),
  };
}
