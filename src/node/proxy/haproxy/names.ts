import { ConfigError } from '../../../core/errors.js';
import type { PeerEndpoint, RejectReason } from '../../../offload/routing.js';

/**
 * The names HAProxy's configuration and the driver agree on: proxies, servers, map files and
 * stick-table keys. Kept in one place so that what config.ts renders, what state.ts commands and
 * what counters.ts parses cannot drift apart.
 */

/**
 * What a function name, a peer id or this node's id may contain. Each function is a backend and
 * each peer a server, and HAProxy only accepts these characters in their names; they also keep
 * map entries (whitespace-separated), Runtime API commands (';'-separated) and stick-table keys
 * ('/'-separated) unambiguous. The length bound keeps every key below the table's key length.
 */
const NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

export function checkName(kind: 'function' | 'peer id' | 'node id', name: string): void {
  if (!NAME.test(name)) {
    throw new ConfigError('haproxy proxy', [
      { field: kind, message: `${JSON.stringify(name)} must be 1-100 characters among A-Z a-z 0-9 _ . : -` },
    ]);
  }
}

/** The frontend users and peers connect to. */
export const FRONTEND = 'dfaas_in';
/** The backend of this node's gateway: non-function paths and requests served here. */
export const GATEWAY_BACKEND = 'gateway';
/** The (server-less) backend holding the stick table of every counter. */
export const COUNTS_TABLE = 'dfaas_counts';
/** The server of a function's backend that stands for LOCAL (it leads to LOCAL_FRONTEND). */
export const LOCAL_SERVER = 'local';

/** The frontend, on a unix socket, that a LOCAL pick goes through to check the local limit. */
export const LOCAL_FRONTEND = 'dfaas_local';
/** Its socket, in the config dir. */
export const LOCAL_SOCKET = 'local.sock';

/** A function's backend: weighted round robin over LOCAL_SERVER and the peers' servers. */
export function backendName(fn: string): string {
  return `route_${fn}`;
}

/** A function's backend for a LOCAL pick over the local limit: the same peers, without LOCAL. */
export function peersBackendName(fn: string): string {
  return `peers_${fn}`;
}

const PEER_PREFIX = 'peer_';

/** A peer's server in a forwarding backend; prefixed, so that a peer named "local" is no clash. */
export function peerServerName(peerId: string): string {
  return PEER_PREFIX + peerId;
}

/** The peer id of a server of a forwarding backend, or undefined for LOCAL_SERVER. */
export function peerOfServer(server: string): string | undefined {
  return server.startsWith(PEER_PREFIX) ? server.slice(PEER_PREFIX.length) : undefined;
}

/**
 * The map files (in the config dir) that hold everything a routing table sets besides weights:
 * - peers: peer id -> 1, the peers whose requests are accepted;
 * - functions: function -> its backend (backendName), the functions that have a route;
 * - localLimits: function -> ceil(localLimit), absent when null;
 * - peerLimits: "<peer id>/<function>" -> ceil(limitsIn[peer]), absent when unlimited.
 */
export const MAP_FILES = {
  /** "<peer id>:<token>" of every token a known peer may present. */
  peers: 'peers.map',
  /** One entry, OWN_TOKEN_KEY: the token this node presents to its peers. */
  ownToken: 'own_token.map',
  functions: 'functions.map',
  localLimits: 'local_limits.map',
  peerLimits: 'peer_limits.map',
} as const;
export type MapName = keyof typeof MAP_FILES;
export const OWN_TOKEN_KEY = 'own';
export const MAP_NAMES = Object.keys(MAP_FILES) as MapName[];

/**
 * Stick-table key prefixes. Keys are "<prefix>/<function>", "<prefix>/<peer id>/<function>",
 * "rejected/<reason>/<function>" or "served/<server>/<function>"; names contain no '/'.
 */
export const KEYS = {
  /** Arrivals from users (http_req_cnt). */
  user: 'user',
  /** Arrivals from a peer (http_req_cnt), "peer/<id>/<fn>". */
  fromPeer: 'peer',
  /** User requests served locally (http_req_rate for the local limit check). */
  userLocal: 'user_local',
  /** Peer requests admitted under the peer's limit (http_req_rate), "peer_admitted/<id>/<fn>". */
  peerAdmitted: 'peer_admitted',
  /** Refusals, "rejected/<reason>/<fn>". */
  rejected: 'rejected',
  /** Responses by the server that produced them, "served/<server>/<fn>": LOCAL_SERVER or a peer's. */
  served: 'served',
} as const;

/** The key prefix of the refusals for `reason`. */
export const rejectedKey = (reason: RejectReason) => `${KEYS.rejected}/${reason}`;

/** An address as HAProxy's server lines and `add server` take it. */
export function haproxyAddress({ host, port }: PeerEndpoint): string {
  return host.includes(':') ? `ipv6@${host}:${port}` : `${host}:${port}`;
}
