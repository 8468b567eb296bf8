import {
  emptyCounters,
  type FunctionCounters,
  LOCAL,
  type PeerEndpoint,
  type ProxyCounters,
  type RejectReason,
  type RoutingTable,
} from '../../../offload/routing.js';
import { type Clock, SlidingWindow } from './sliding-window.js';
import { WeightedRoundRobin } from './weighted-round-robin.js';

/** What becomes of one request for a function (the contract in ../../routing.ts). */
export type Admission =
  | { to: 'local' }
  | { to: 'peer'; peerId: string; endpoint: PeerEndpoint }
  | { to: 'reject'; reason: RejectReason; status: number; message: string };

export const REJECT_STATUS: Record<RejectReason, number> = {
  unknown_peer: 403,
  peer_limit: 429,
  no_capacity: 503,
};

interface CompiledRoute {
  localLimit: number | null;
  limitsIn: Record<string, number>;
  /** Over LOCAL and the known peers with a weight > 0. */
  picker: WeightedRoundRobin;
  /** Over the same peers without LOCAL, for a LOCAL pick over the local limit. */
  peerPicker: WeightedRoundRobin;
}

interface CompiledTable {
  functions: Map<string, CompiledRoute>;
  peers: Map<string, PeerEndpoint>;
  /** The tokens each known peer may present, by peer id. */
  tokensIn: Map<string, ReadonlySet<string>>;
  /** What this node presents to its peers. */
  ownToken: string;
}

const SERVE_LOCALLY: Admission = { to: 'local' };

/**
 * The decisions of the embedded proxy, without any I/O: admits each request against the current
 * table and the rates of the last second. The windows behind the limits count a request when it is
 * admitted, before any upstream answers, so a burst cannot overshoot a limit. The counters count
 * arrivals and refusals at admission, and who served a request when its upstream answers (see
 * served), as HAProxy's stick tables do.
 */
export class Router {
  private table: CompiledTable = {
    functions: new Map(),
    peers: new Map(),
    tokensIn: new Map(),
    ownToken: '',
  };
  private readonly counts = new Map<string, FunctionCounters>();
  /** By function: user requests served locally (the local user rate that localLimit bounds). */
  private readonly userWindows = new Map<string, SlidingWindow>();
  /** By peer id, then function: requests admitted from that peer (what limitsIn bounds). */
  private readonly peerWindows = new Map<string, Map<string, SlidingWindow>>();

  constructor(private readonly now: Clock = () => performance.now()) {}

  /** Replaces the table at once. A function whose effective weights did not change keeps its
   *  round-robin state, so re-applying an equal table changes nothing. */
  apply(table: RoutingTable): void {
    const peers = new Map(Object.entries(table.peers));
    const functions = new Map<string, CompiledRoute>();
    for (const [name, route] of Object.entries(table.functions)) {
      // A weight for a peer we have no address for cannot be used: leave it out.
      const weights = Object.fromEntries(
        Object.entries(route.weights).filter(([key]) => key === LOCAL || peers.has(key)),
      );
      const { [LOCAL]: _local, ...peerWeights } = weights;
      const previous = this.table.functions.get(name);
      functions.set(name, {
        localLimit: route.localLimit,
        limitsIn: { ...route.limitsIn },
        picker: previous?.picker.hasWeights(weights) ? previous.picker : new WeightedRoundRobin(weights),
        peerPicker: previous?.peerPicker.hasWeights(peerWeights)
          ? previous.peerPicker
          : new WeightedRoundRobin(peerWeights),
      });
      this.countersOf(name);
    }
    const tokensIn = new Map<string, ReadonlySet<string>>();
    for (const [id, tokens] of Object.entries(table.tokens.peers))
      if (peers.has(id)) tokensIn.set(id, new Set(tokens));
    this.table = { functions, peers, tokensIn, ownToken: table.tokens.own };
  }

  /** The token this node sends with the requests it forwards. */
  get ownToken(): string {
    return this.table.ownToken;
  }

  /** The peers of the current table, by id. */
  get peers(): ReadonlyMap<string, PeerEndpoint> {
    return this.table.peers;
  }

  /**
   * Decides a request for `fn`, from a user (`fromPeer` undefined) or from the peer with that id,
   * which must present one of its tokens.
   */
  admit(fn: string, fromPeer: string | undefined, token?: string): Admission {
    const counters = this.countersOf(fn);
    if (fromPeer === undefined) {
      counters.user++;
      return this.admitUser(fn, counters);
    }
    // Any client can claim any id: only a known peer with its token gets a counter of its own.
    if (!this.table.peers.has(fromPeer))
      return reject(counters, 'unknown_peer', `unknown peer ${fromPeer}: not a neighbour of this node`);
    if (token === undefined || !this.table.tokensIn.get(fromPeer)?.has(token))
      return reject(counters, 'unknown_peer', `peer ${fromPeer} did not present a valid token`);
    counters.fromPeers[fromPeer] = (counters.fromPeers[fromPeer] ?? 0) + 1;
    const limitsIn = this.table.functions.get(fn)?.limitsIn ?? {};
    const limit = Object.hasOwn(limitsIn, fromPeer) ? limitsIn[fromPeer] : undefined;
    const window = windowOf(windowsOf(this.peerWindows, fromPeer), fn, this.now);
    if (limit !== undefined && window.count() >= limit)
      return reject(
        counters,
        'peer_limit',
        `peer ${fromPeer} is at its limit of ${limit} requests/s for function ${fn}`,
      );
    window.add();
    return SERVE_LOCALLY;
  }

  /**
   * Decides again a user request whose peers in `refused` refused the connection (so never saw
   * it), as HAProxy's redispatch does: the round robin goes on without them, the local limit
   * still applies, and nothing is counted twice.
   */
  readmit(fn: string, refused: ReadonlySet<string>): Admission {
    return this.admitUser(fn, this.countersOf(fn), refused);
  }

  /** The upstream of an admitted request answered: LOCAL (this node's platform) or a peer id. */
  served(fn: string, by: string): void {
    const counters = this.countersOf(fn);
    if (by === LOCAL) counters.local++;
    else counters.forwarded[by] = (counters.forwarded[by] ?? 0) + 1;
  }

  /** Copies of the counts, by function. */
  counters(): ProxyCounters {
    return structuredClone(Object.fromEntries(this.counts));
  }

  private admitUser(fn: string, counters: FunctionCounters, refused?: ReadonlySet<string>): Admission {
    const route = this.table.functions.get(fn);
    const window = windowOf(this.userWindows, fn, this.now);
    let to = route ? route.picker.next(refused) : LOCAL;
    if (to === LOCAL && route?.localLimit != null && window.count() >= route.localLimit)
      to = route.peerPicker.next(refused);
    if (to === undefined)
      return reject(counters, 'no_capacity', `function ${fn} is overloaded and no neighbour can take it`);
    if (to === LOCAL) {
      window.add();
      return SERVE_LOCALLY;
    }
    // The picker only holds LOCAL and peers of this table (see apply).
    return { to: 'peer', peerId: to, endpoint: this.table.peers.get(to) as PeerEndpoint };
  }

  private countersOf(fn: string): FunctionCounters {
    let counters = this.counts.get(fn);
    if (!counters) {
      counters = emptyCounters();
      this.counts.set(fn, counters);
    }
    return counters;
  }
}

function reject(counters: FunctionCounters, reason: RejectReason, message: string): Admission {
  counters.rejected[reason]++;
  return { to: 'reject', reason, status: REJECT_STATUS[reason], message };
}

function windowsOf(byPeer: Map<string, Map<string, SlidingWindow>>, peer: string) {
  let windows = byPeer.get(peer);
  if (!windows) {
    windows = new Map();
    byPeer.set(peer, windows);
  }
  return windows;
}

function windowOf(windows: Map<string, SlidingWindow>, fn: string, now: Clock): SlidingWindow {
  let window = windows.get(fn);
  if (!window) {
    window = new SlidingWindow({ now });
    windows.set(fn, window);
  }
  return window;
}
