import type { SimInstance } from '../../instances/instance.js';

/** The key of the link between two nodes, in sorted order ('node_a|node_b' and 'node_b|node_a' alike). */
export function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * The one-way latency of every link, by node index then the other node's index: the options'
 * (`given`, keyed 'node_a|node_b' in either order), else the instance's link_latency_ms (either
 * side's), else `defaultMs`.
 */
export function linkLatencies(
  instance: SimInstance,
  given: Record<string, number>,
  defaultMs: number,
): Map<number, number>[] {
  const byKey = new Map(
    Object.entries(given).map(([key, ms]) => {
      const [a = '', b = ''] = key.split('|');
      return [linkKey(a, b), ms];
    }),
  );
  const indexOf = new Map(instance.nodes.map((n, i) => [n.id, i]));
  return instance.nodes.map((node) => {
    const links = new Map<number, number>();
    for (const other of node.neighbours) {
      const m = indexOf.get(other);
      if (m === undefined) continue;
      const ms =
        byKey.get(linkKey(node.id, other)) ??
        node.linkLatencyMs?.[other] ??
        instance.nodes[m]?.linkLatencyMs?.[node.id] ??
        defaultMs;
      links.set(m, ms);
    }
    return links;
  });
}

/** Linked nodes at the same one-way latency. */
export interface LinkGroup {
  latencyMs: number;
  /** Node indexes, in the order of the node's neighbours. */
  to: number[];
}

/** A node's links grouped by latency: what it publishes reaches a group's nodes at once. */
export function byLatency(links: Map<number, number>): LinkGroup[] {
  const groups = new Map<number, number[]>();
  for (const [m, ms] of links) groups.set(ms, [...(groups.get(ms) ?? []), m]);
  return [...groups].map(([latencyMs, to]) => ({ latencyMs, to }));
}
