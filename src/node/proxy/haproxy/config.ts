import { join } from 'node:path';
import { NODE_ID_HEADER, type PeerEndpoint, SERVED_BY_HEADER } from '../../routing.js';
import {
  backendName,
  COUNTS_TABLE,
  FRONTEND,
  GATEWAY_BACKEND,
  haproxyAddress,
  KEYS,
  LOCAL_SERVER,
  MAP_FILES,
  type MapName,
  peerServerName,
  REJECTED_KEY,
} from './names.js';

/** Everything haproxy.cfg depends on. Weights and limits are deliberately not part of it. */
export interface HaproxyLayout {
  /** This node's peer id (DFaaS-Node-ID when forwarding, DFaaS-Served-By when serving). */
  nodeId: string;
  /** Absolute config dir: sockets, map files and the server-state file live there. */
  dir: string;
  /** Where users and peers connect. */
  bind: PeerEndpoint;
  /** This node's FaaS gateway. */
  gateway: PeerEndpoint;
  /**
   * Loopback port of the `peers` section's only peer, this process: at a reload the old worker
   * connects to the new one there and hands over its stick tables, so counters survive reloads.
   */
  syncPort: number;
  /** Functions that get a forwarding backend. */
  functions: string[];
  /** Peers, each a server of every forwarding backend. */
  peers: Record<string, PeerEndpoint>;
}

const PEERS_SECTION = 'dfaas_reload';
const LOCAL_PEER = 'dfaas_local';
/** The period of the rates the limits are checked against: the contract's "last second". */
const RATE_PERIOD = '1s';

export function mapPath(dir: string, name: MapName): string {
  return join(dir, MAP_FILES[name]);
}

/**
 * Renders haproxy.cfg: a pure function of the layout, so that applying new weights or limits
 * never changes the file (they go through the Runtime API and the map files). Functions and peers
 * are sorted: the same sets give the same text.
 *
 * The frontend implements the contract of ../../routing.ts with stick-table counters keyed by
 * strings (see KEYS in names.ts): sc0 counts arrivals, sc1 admissions or refusals, sc2 (on the
 * response) who served. A limit check reads the admitted rate of the last second with
 * table_http_req_rate and compares it with the map's limit by subtraction, since ACLs cannot
 * compare two variables.
 */
export function renderConfig(layout: HaproxyLayout): string {
  const { nodeId, dir } = layout;
  const functions = [...layout.functions].sort();
  const peers = Object.keys(layout.peers).sort();
  const map = (name: MapName) => mapPath(dir, name);
  const track = (sc: number, cond: string) => `track-sc${sc} var(txn.key) table ${COUNTS_TABLE} if ${cond}`;
  const refuse = (status: number, body: string, cond: string) =>
    `http-request return status ${status} content-type text/plain string "${body}" hdr ${SERVED_BY_HEADER} ${nodeId} if ${cond}`;

  const unknownPeer = 'is_fn from_peer !known_peer';
  const overPeerLimit = 'is_fn from_peer limited !has_room';
  const frontend = [
    `frontend ${FRONTEND}`,
    `  bind ${haproxyAddress(layout.bind)}`,
    '  # /function/<name>[/...] names the function; other paths go to the gateway untouched.',
    '  http-request set-var(txn.fn) path,field(3,/) if { path_reg ^/function/[^/]+ }',
    '  acl is_fn var(txn.fn) -m found',
    `  acl from_peer req.hdr(${NODE_ID_HEADER}) -m found`,
    `  acl known_peer req.hdr(${NODE_ID_HEADER}),map(${map('peers')}) -m found`,
    '  # A node that is not a known peer: 403.',
    `  http-request set-var-fmt(txn.key) "${REJECTED_KEY('unknown_peer')}/%[var(txn.fn)]" if ${unknownPeer}`,
    `  http-request ${track(1, unknownPeer)}`,
    `  ${refuse(403, 'the sending node is not a known peer of this node', unknownPeer)}`,
    '  # Arrivals (sc0): by function from users, by peer and function from peers.',
    `  http-request set-var-fmt(txn.peer_fn) "%[req.hdr(${NODE_ID_HEADER})]/%[var(txn.fn)]" if is_fn from_peer`,
    `  http-request set-var-fmt(txn.key) "${KEYS.fromPeer}/%[var(txn.peer_fn)]" if is_fn from_peer`,
    `  http-request set-var-fmt(txn.key) "${KEYS.user}/%[var(txn.fn)]" if is_fn !from_peer`,
    `  http-request ${track(0, 'is_fn')}`,
    '  # The limit that applies (requests/s rounded up, -1: none) and the rate it admitted in the last second.',
    `  http-request set-var(txn.limit) var(txn.peer_fn),map_str_int(${map('peerLimits')},-1) if is_fn from_peer`,
    `  http-request set-var-fmt(txn.admitted) "${KEYS.peerAdmitted}/%[var(txn.peer_fn)]" if is_fn from_peer`,
    `  http-request set-var(txn.limit) var(txn.fn),map_str_int(${map('localLimits')},-1) if is_fn !from_peer`,
    `  http-request set-var-fmt(txn.admitted) "${KEYS.userLocal}/%[var(txn.fn)]" if is_fn !from_peer`,
    `  http-request set-var(txn.rate) var(txn.admitted),table_http_req_rate(${COUNTS_TABLE}) if is_fn`,
    '  http-request set-var(txn.room) var(txn.limit),sub(txn.rate) if is_fn',
    '  acl limited var(txn.limit) -m int ge 0',
    '  acl has_room var(txn.room) -m int gt 0',
    '  # A peer at or above its limit: 429. Any other peer request is served here, never forwarded.',
    `  http-request set-var-fmt(txn.key) "${REJECTED_KEY('peer_limit')}/%[var(txn.fn)]" if ${overPeerLimit}`,
    `  http-request ${track(1, overPeerLimit)}`,
    `  ${refuse(429, 'this peer is at its request rate limit for the function', overPeerLimit)}`,
    '  # A user request is served here below the local limit or when the function has no route;',
    "  # otherwise its backend's weights decide. Admissions (sc1) feed the limit checks.",
    `  http-request set-var(txn.route) var(txn.fn),map(${map('functions')}) if is_fn !from_peer`,
    '  acl routed var(txn.route) -m found',
    '  http-request set-var(txn.here) bool(true) if is_fn from_peer',
    '  http-request set-var(txn.here) bool(true) if is_fn !from_peer !routed',
    '  http-request set-var(txn.here) bool(true) if is_fn !from_peer limited has_room',
    '  acl here var(txn.here) -m bool',
    `  http-request track-sc1 var(txn.admitted) table ${COUNTS_TABLE} if here`,
    '  use_backend %[var(txn.route)] if is_fn routed !here',
    `  default_backend ${GATEWAY_BACKEND}`,
  ];

  const countServed = (server: string) => [
    `  http-response set-var-fmt(txn.key) "${KEYS.served}/${server}/%[var(txn.fn)]" if { var(txn.fn) -m found }`,
    `  http-response track-sc2 var(txn.key) table ${COUNTS_TABLE} if { var(txn.fn) -m found }`,
  ];
  const gateway = [
    `backend ${GATEWAY_BACKEND}`,
    `  http-response set-header ${SERVED_BY_HEADER} ${nodeId}`,
    ...countServed(LOCAL_SERVER),
    `  server gateway ${haproxyAddress(layout.gateway)}`,
  ];

  const noServer = '{ nbsrv eq 0 }';
  const forwarding = functions.flatMap((fn) => [
    '',
    `backend ${backendName(fn)}`,
    '  balance roundrobin',
    `  http-request set-var-fmt(txn.key) "${REJECTED_KEY('no_capacity')}/%[var(txn.fn)]" if ${noServer}`,
    `  http-request ${track(1, noServer)}`,
    `  ${refuse(503, `function ${fn} is overloaded and no neighbour can take it`, noServer)}`,
    `  http-request set-header ${NODE_ID_HEADER} ${nodeId}`,
    `  http-response set-header ${SERVED_BY_HEADER} ${nodeId} if { srv_name ${LOCAL_SERVER} }`,
    ...countServed('%[srv_name]'),
    '  # Weights and states come from the Runtime API; all start in maintenance.',
    `  server ${LOCAL_SERVER} ${haproxyAddress(layout.gateway)} weight 1 disabled`,
    ...peers.map(
      (id) =>
        `  server ${peerServerName(id)} ${haproxyAddress(layout.peers[id] as PeerEndpoint)} weight 1 disabled`,
    ),
  ]);

  return [
    `# haproxy.cfg of dfaas node ${nodeId}, rendered by src/node/proxy/haproxy/config.ts.`,
    '# Weights, server states and limits are not in this file: the driver sets them at run time',
    '# through admin.sock (Runtime API) and the map files, so changing them never needs a reload.',
    'global',
    '  master-worker',
    `  localpeer ${LOCAL_PEER}`,
    `  stats socket ${join(dir, 'admin.sock')} level admin mode 600`,
    '  stats timeout 30s',
    `  server-state-file ${join(dir, 'servers.state')}`,
    '  hard-stop-after 10s',
    '  maxconn 4096',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 10s',
    '  timeout queue 10s',
    '  load-server-state-from-file global',
    '',
    '# Only this process: at a reload the old worker teaches the new one its stick tables.',
    `peers ${PEERS_SECTION}`,
    `  peer ${LOCAL_PEER} 127.0.0.1:${layout.syncPort}`,
    '',
    `backend ${COUNTS_TABLE}`,
    `  stick-table type string len 256 size 1m store http_req_cnt,http_req_rate(${RATE_PERIOD}) peers ${PEERS_SECTION}`,
    '',
    ...frontend,
    '',
    ...gateway,
    ...forwarding,
    '',
  ].join('\n');
}
