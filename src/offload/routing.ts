/**
 * The routing table: what an offloading strategy decides and what a proxy driver applies.
 * Shared by the strategies (which produce it), both proxy drivers (which enforce it) and the agent.
 *
 * The proxy contract, per request for function f (path /function/f[/...]):
 * - From a user (no DFaaS-Node-ID header): smooth weighted round robin over the entries of f's
 *   `weights` with a weight > 0 (LOCAL meaning this node's own platform) picks where it goes. When
 *   the pick is LOCAL but f's localLimit is a number and f's local user rate (user requests served
 *   locally in the last second) is at or above it, the request goes by the same round robin over
 *   the peers alone. No entry to take it: 503 saying f is overloaded and no neighbour can take it.
 *   A function with no route is served locally.
 *   Why weights first and the limit as a cap, not "local until the limit, then the peers": the
 *   latter admits a second's local share in one burst at the full arrival rate, which overflows a
 *   function whose concurrency is bounded (OpenFaaS max_inflight) although the local rate over the
 *   second is within the limit; round robin spreads the local share evenly.
 * - From a peer (DFaaS-Node-ID: <peer id>, DFaaS-Node-Token: <token>): a peer not in `peers`, or
 *   whose token is not one of its `tokens.peers` entries, gets 403 (an id is public: it is in
 *   DFaaS-Served-By and /agent/status; the token is known to the peer and its neighbours only);
 *   a peer whose rate for f (last second) is at or above its `limitsIn` entry gets 429; else it
 *   is served locally and never forwarded again (so no loops). The token is not passed on.
 * - A request forwarded to a peer carries DFaaS-Node-ID: <this node's id> and
 *   DFaaS-Node-Token: <tokens.own>.
 * - A peer that refuses the connection never saw the request: the request is decided again by the
 *   same round robin without that peer (the local limit still applies), up to twice, as HAProxy's
 *   `retries 2` with `option redispatch` does. So a peer that just died costs only the requests
 *   that were in flight to it.
 * - Every response carries `DFaaS-Served-By: <id of the node whose platform ran it>`.
 */

/** The weight key of this node's own platform. */
export const LOCAL = 'local';

/** Header a forwarding node sets to its peer id; its presence marks a request from a peer. */
export const NODE_ID_HEADER = 'DFaaS-Node-ID';
/** Header a forwarding node sets to its current token, which proves the DFaaS-Node-ID. */
export const NODE_TOKEN_HEADER = 'DFaaS-Node-Token';
/** Response header naming the node (peer id) whose platform served the request. */
export const SERVED_BY_HEADER = 'DFaaS-Served-By';

/** HAProxy's weight scale, which the strategies use too (weights are integers 0-100). */
export const MAX_WEIGHT = 100;

export interface FunctionRoute {
  /** Cap on the user requests/s served locally (recalc's maxrate); null: weights alone decide. */
  localLimit: number | null;
  /** Integer weights 0-100 for weighted round robin, by LOCAL or peer id. */
  weights: Record<string, number>;
  /** Requests/s each peer may send us for this function; a known peer absent here is unlimited. */
  limitsIn: Record<string, number>;
}

/** Where a peer's proxy listens (the reference messages' HAProxyHost and HAProxyPort). */
export interface PeerEndpoint {
  host: string;
  port: number;
}

/**
 * The data-path credentials: each node draws a random token every period and hands it to its
 * neighbours over their libp2p connections (authenticated by noise), so only they know it.
 */
export interface NodeTokens {
  /** What this node sends as DFaaS-Node-Token when it forwards a request. */
  own: string;
  /** The tokens each peer may send now (the current one and those not yet expired), by peer id. */
  peers: Record<string, string[]>;
}

export interface RoutingTable {
  /** By function name. */
  functions: Record<string, FunctionRoute>;
  /** Every peer this node knows now, by peer id. Requests from any other node id get 403. */
  peers: Record<string, PeerEndpoint>;
  tokens: NodeTokens;
}

/** Why the proxy refused a request: 403, 429, 503 in the contract above. */
export const REJECT_REASONS = ['unknown_peer', 'peer_limit', 'no_capacity'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Monotonic counts since the proxy started, for one function; the agent turns them into rates. */
export interface FunctionCounters {
  /** Requests from users (arrivals, whatever became of them). */
  user: number;
  /** Requests served by this node's platform, from users and from peers (counted at its answer). */
  local: number;
  /** User requests each peer answered, by peer id (a peer that refused the connection served none). */
  forwarded: Record<string, number>;
  /** Requests each known peer sent us (admitted or not), by peer id; an unknown id's requests
   *  are only counted in rejected.unknown_peer, since any client can claim any id. */
  fromPeers: Record<string, number>;
  rejected: Record<RejectReason, number>;
}

export type ProxyCounters = Record<string, FunctionCounters>;

export function emptyCounters(): FunctionCounters {
  return {
    user: 0,
    local: 0,
    forwarded: {},
    fromPeers: {},
    rejected: { unknown_peer: 0, peer_limit: 0, no_capacity: 0 },
  };
}

/** The route of a function nobody has decided about yet: everything served here. */
export function allLocalRoute(): FunctionRoute {
  return { localLimit: null, weights: { [LOCAL]: MAX_WEIGHT }, limitsIn: {} };
}
