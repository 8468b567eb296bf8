import { NODE_METRICS, type NodeMetric } from '../dataset/node-metrics.js';
import type { NodeInfoNms, PeerMessage } from './messages.js';
import type { PeerEndpoint } from './routing.js';
import type { Neighbour } from './strategies/types.js';

/** The neighbours that deploy `fn`: the only ones it makes sense to send or offer `fn` to. */
export function holdersOf(neighbours: Neighbour[], fn: string): Neighbour[] {
  return neighbours.filter((n) => n.functions.includes(fn));
}

/**
 * What this node knows about its neighbours, merged from their messages. Deterministic: the time
 * of each event is passed in, and nothing expires until `live` is asked with a `now`.
 */
export class NeighbourTable {
  private readonly entries = new Map<string, Neighbour>();
  /** RTTs by peer id, including peers that have not sent anything yet (the ping may come first). */
  private readonly rtts = new Map<string, number>();

  constructor(private readonly selfId: string) {}

  /** Number of entries, expired or not (expiry happens in `live`). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Merges one decoded message from peer `from` into its entry. Returns whether the message was
   * used; an unused one (our own, one not addressed to us, one about a peer we do not know yet)
   * changes nothing, not even lastSeen.
   */
  update(from: string, message: PeerMessage, now: number): boolean {
    if (from === this.selfId) return false;
    switch (message.MsgType) {
      case 'nodeinfoRecalc': {
        // A recalc node lists in FuncLimits only the peers it knows; one that does not list us
        // tells us nothing we can use (the reference agent ignores it too).
        const ours = message.FuncLimits[this.selfId];
        if (ours === undefined) return false;
        const entry = this.upsert(from, endpointOf(message), now);
        entry.limitsOut = { ...ours };
        entry.functions = Object.keys(ours);
        return true;
      }
      case 'nodeinfoNMS': {
        const entry = this.upsert(from, endpointOf(message), now);
        entry.nodeType = message.NodeType;
        entry.maxValues = knownMetrics(message.MaxValues);
        entry.functions = [...(message.Functions ?? [])];
        return true;
      }
      case 'nodeinfoStatic': {
        const entry = this.upsert(from, endpointOf(message), now);
        entry.functions = [...(message.Functions ?? [])];
        return true;
      }
      case 'nodemargininfoNMS': {
        // It carries no endpoint, so it cannot create an entry.
        const entry = this.entries.get(from);
        if (entry === undefined) return false;
        entry.margin = message.Margin;
        entry.load = {
          RateHighUsage: message.Load.RateHighUsage,
          RateMediumUsage: message.Load.RateMediumUsage,
          RateLowUsage: message.Load.RateLowUsage,
        };
        entry.lastSeen = now;
        return true;
      }
      case 'text': {
        const entry = this.entries.get(from);
        if (entry === undefined) return false;
        entry.lastSeen = now;
        return true;
      }
    }
  }

  /** Records the RTT to `peer`, now if it is known, or when it becomes known. */
  setRtt(peer: string, rttMs: number): void {
    if (!Number.isFinite(rttMs) || rttMs < 0)
      throw new RangeError(`RTT to ${peer} must be >= 0 ms, got ${rttMs}`);
    this.rtts.set(peer, rttMs);
    const entry = this.entries.get(peer);
    if (entry !== undefined) entry.rttMs = rttMs;
  }

  /**
   * The entries heard from within `ttlMs` of `now`, sorted by id (copies: a strategy cannot alter
   * the table). Older entries are deleted; their RTT is kept, since the peer may still be connected
   * and send again before the next ping (`remove` forgets a disconnected peer entirely).
   */
  live(now: number, ttlMs: number): Neighbour[] {
    for (const [id, entry] of this.entries) {
      if (now - entry.lastSeen > ttlMs) this.entries.delete(id);
    }
    return [...this.entries.values()].sort((a, b) => compareIds(a.id, b.id)).map(copyOf);
  }

  /** Forgets a peer (e.g. it disconnected), its RTT included. */
  remove(peer: string): void {
    this.entries.delete(peer);
    this.rtts.delete(peer);
  }

  private upsert(id: string, endpoint: PeerEndpoint, now: number): Neighbour {
    let entry = this.entries.get(id);
    if (entry === undefined) {
      entry = { id, endpoint, lastSeen: now, functions: [], limitsOut: {} };
      const rtt = this.rtts.get(id);
      if (rtt !== undefined) entry.rttMs = rtt;
      this.entries.set(id, entry);
    }
    entry.endpoint = endpoint;
    entry.lastSeen = now;
    return entry;
  }
}

/**
 * A deep copy of an entry: its fields by hand, since the simulator asks for the table millions of
 * times and structuredClone costs ten times more. A field added to Neighbour must be added here.
 */
function copyOf(n: Neighbour): Neighbour {
  const copy: Neighbour = {
    ...n,
    endpoint: { ...n.endpoint },
    functions: [...n.functions],
    limitsOut: { ...n.limitsOut },
  };
  if (n.maxValues) copy.maxValues = { ...n.maxValues };
  if (n.load) copy.load = { ...n.load };
  return copy;
}

/** Plain code-unit order, the same on every machine (localeCompare is not). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function endpointOf(message: { HAProxyHost: string; HAProxyPort: number }): PeerEndpoint {
  return { host: message.HAProxyHost, port: message.HAProxyPort };
}

/** The MaxValues entries naming a metric we predict; others cannot be compared with anything. */
function knownMetrics(maxValues: NodeInfoNms['MaxValues']): Partial<Record<NodeMetric, number>> {
  const known: Partial<Record<NodeMetric, number>> = {};
  for (const metric of NODE_METRICS) {
    const value = maxValues[metric];
    if (value !== undefined) known[metric] = value;
  }
  return known;
}
