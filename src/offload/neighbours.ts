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
        const entry = this.upsert(from, message, now);
        entry.limitsOut = { ...ours };
        entry.functions = Object.keys(ours);
        return true;
      }
      case 'nodeinfoNMS': {
        const entry = this.upsert(from, message, now);
        entry.nodeType = message.NodeType;
        if (!(entry.maxValues !== undefined && sameKnownMetrics(entry.maxValues, message.MaxValues)))
          entry.maxValues = knownMetrics(message.MaxValues);
        setFunctions(entry, message.Functions ?? []);
        return true;
      }
      case 'nodeinfoStatic': {
        const entry = this.upsert(from, message, now);
        setFunctions(entry, message.Functions ?? []);
        return true;
      }
      case 'nodemargininfoNMS': {
        // It carries no endpoint, so it cannot create an entry.
        const entry = this.entries.get(from);
        if (entry === undefined) return false;
        entry.margin = message.Margin;
        // In place when there is one: entries are private (`live` hands out copies), and the
        // simulator merges millions of these.
        const load = entry.load ?? { RateHighUsage: 0, RateMediumUsage: 0, RateLowUsage: 0 };
        load.RateHighUsage = message.Load.RateHighUsage;
        load.RateMediumUsage = message.Load.RateMediumUsage;
        load.RateLowUsage = message.Load.RateLowUsage;
        entry.load = load;
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
    const live: Neighbour[] = [];
    for (const entry of this.entries.values()) {
      if (now - entry.lastSeen > ttlMs) this.entries.delete(entry.id);
      else live.push(entry);
    }
    sortById(live);
    for (let i = 0; i < live.length; i++) live[i] = copyOf(live[i] as Neighbour);
    return live;
  }

  /** Forgets a peer (e.g. it disconnected), its RTT included. */
  remove(peer: string): void {
    this.entries.delete(peer);
    this.rtts.delete(peer);
  }

  private upsert(id: string, from: EndpointFields, now: number): Neighbour {
    let entry = this.entries.get(id);
    if (entry === undefined) {
      entry = { id, endpoint: endpointOf(from), lastSeen: now, functions: [], limitsOut: {} };
      const rtt = this.rtts.get(id);
      if (rtt !== undefined) entry.rttMs = rtt;
      this.entries.set(id, entry);
    } else {
      // In place, as the load above, and only when it changed (a store into an old object costs).
      const { endpoint } = entry;
      if (endpoint.host !== from.HAProxyHost) endpoint.host = from.HAProxyHost;
      if (endpoint.port !== from.HAProxyPort) endpoint.port = from.HAProxyPort;
    }
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

/** Lists up to this long are sorted by insertion. */
const INSERTION_SORT_MAX = 16;

/** Sorts by id (unique) in place. A short list (a node has a few neighbours, and the simulator sorts
 * millions of these lists) by insertion, which allocates nothing, unlike Array.sort. */
function sortById(list: Neighbour[]): void {
  if (list.length > INSERTION_SORT_MAX) {
    list.sort((a, b) => compareIds(a.id, b.id));
    return;
  }
  for (let i = 1; i < list.length; i++) {
    const item = list[i] as Neighbour;
    let j = i - 1;
    while (j >= 0 && compareIds((list[j] as Neighbour).id, item.id) > 0) {
      list[j + 1] = list[j] as Neighbour;
      j--;
    }
    list[j + 1] = item;
  }
}

/** Plain code-unit order, the same on every machine (localeCompare is not). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface EndpointFields {
  HAProxyHost: string;
  HAProxyPort: number;
}

function endpointOf(message: EndpointFields): PeerEndpoint {
  return { host: message.HAProxyHost, port: message.HAProxyPort };
}

/** Sets the entry's functions to a copy of `functions`, keeping its own list when that is the same
 * (a node republishes the same list every period). */
function setFunctions(entry: Neighbour, functions: readonly string[]): void {
  const current = entry.functions;
  let same = current.length === functions.length;
  for (let i = 0; same && i < functions.length; i++) same = current[i] === functions[i];
  if (!same) entry.functions = [...functions];
}

/**
 * Whether `known`, a knownMetrics result, is what knownMetrics(maxValues) would give (the same
 * metrics with the same values, hence in the same order). NODE_METRICS unrolled: in a loop over it,
 * each read is a keyed one over three names, several times slower (the simulator's gossip merges
 * millions of these). This fails to compile when NODE_METRICS changes, so that it changes too.
 */
const _UNROLLED_METRICS: readonly ['cpu_usage_node', 'ram_usage_node', 'power_usage_node'] = NODE_METRICS;

function sameKnownMetrics(
  known: Partial<Record<NodeMetric, number>>,
  maxValues: NodeInfoNms['MaxValues'],
): boolean {
  return (
    Object.is(known.cpu_usage_node, maxValues.cpu_usage_node) &&
    Object.is(known.ram_usage_node, maxValues.ram_usage_node) &&
    Object.is(known.power_usage_node, maxValues.power_usage_node)
  );
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
