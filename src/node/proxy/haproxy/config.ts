import { join } from 'node:path';
import {
  NODE_ID_HEADER,
  NODE_TOKEN_HEADER,
  type PeerEndpoint,
  SERVED_BY_HEADER,
} from '../../../offload/routing.js';
import { HEALTH_PATH, NOT_SERVED, UPSTREAM_TIMEOUT_S } from '../contract.js';
import {
  backendName,
  COUNTS_TABLE,
  FRONTEND,
  GATEWAY_BACKEND,
  haproxyAddress,
  KEYS,
  LOCAL_FRONTEND,
  LOCAL_SERVER,
  LOCAL_SOCKET,
  MAP_FILES,
  type MapName,
  OWN_TOKEN_KEY,
  peerServerName,
  peersBackendName,
  rejectedKey,
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
  /** Functions that get backends (see backendName and peersBackendName). */
  functions: string[];
  /** Peers, each a server of every function's backends. */
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
 * How the contract of ../../routing.ts maps onto HAProxy:
 * - Counters are stick-table entries keyed by strings (KEYS in names.ts): sc0 counts arrivals,
 *   sc1 admissions or refusals, sc2 (on responses) who served.
 * - A limit check reads the rate admitted in the last second with table_http_req_rate and
 *   subtracts it from the limit of a map (ACLs cannot compare two variables).
 * - A routed user request goes to its function's backend, whose round robin picks LOCAL_SERVER or
 *   a peer. LOCAL_SERVER is LOCAL_FRONTEND on a unix socket: it serves the request here below the
 *   local limit, and otherwise sends it to the function's peers-only backend, so the limit caps
 *   the local share at admission time, as the contract says.
 */
export function renderConfig(layout: HaproxyLayout): string {
  const { nodeId, dir } = layout;
  const functions = [...layout.functions].sort();
  const peers = Object.keys(layout.peers).sort();
  const map = (name: MapName) => mapPath(dir, name);
  const localSocket = `unix@${join(dir, LOCAL_SOCKET)}`;
  const count = (sc: number, cond: string) =>
    `  http-request track-sc${sc} var(txn.key) table ${COUNTS_TABLE} if ${cond}`;
  const refuse = (status: number, body: string, cond: string) =>
    `  http-request return status ${status} content-type "text/plain; charset=utf-8" lf-string "${body}\\n" if ${cond}`;
  /** Sets txn.limit, txn.admitted (the rate's key) and the ACLs limited and has_room. */
  const limitCheck = (mapName: MapName, key: string, admittedKey: string, cond: string) => [
    `  http-request set-var(txn.limit) ${key},map_str_int(${map(mapName)},-1) if ${cond}`,
    `  http-request set-var-fmt(txn.admitted) "${admittedKey}" if ${cond}`,
    `  http-request set-var(txn.rate) var(txn.admitted),table_http_req_rate(${COUNTS_TABLE}) if ${cond}`,
    `  http-request set-var(txn.room) var(txn.limit),sub(txn.rate) if ${cond}`,
    '  acl limited var(txn.limit) -m int ge 0',
    '  acl has_room var(txn.room) -m int gt 0',
  ];
  const functionName = [
    '  http-request set-var(txn.fn) path,field(3,/) if { path_reg ^/function/[^/]+ }',
    '  acl is_fn var(txn.fn) -m found',
  ];

  const peer = `%[req.hdr(${NODE_ID_HEADER})]`;
  const unknownPeer = 'is_fn from_peer !known_peer';
  const overPeerLimit = 'is_fn from_peer limited !has_room';
  const frontend = [
    `frontend ${FRONTEND}`,
    `  bind ${haproxyAddress(layout.bind)}`,
    '  # /function/<name>[/...] names the function; /healthz goes to the gateway; nothing else is served.',
    ...functionName,
    refuse(404, NOT_SERVED, `!is_fn !{ path ${HEALTH_PATH} }`),
    `  acl from_peer req.hdr(${NODE_ID_HEADER}) -m found`,
    '  # A known peer is one whose id and token are an entry "<id>:<token>" of the peers map.',
    `  http-request set-var(txn.token) req.hdr(${NODE_TOKEN_HEADER}) if is_fn from_peer`,
    `  acl known_peer req.hdr(${NODE_ID_HEADER}),concat(:,txn.token),map(${map('peers')}) -m found`,
    '  # Arrivals (sc0): by function from users, by peer and function from known peers.',
    `  http-request set-var-fmt(txn.peer_fn) "${peer}/%[var(txn.fn)]" if is_fn from_peer`,
    // Any client can claim any id: only known peers get entries of their own (see routing.ts).
    `  http-request set-var-fmt(txn.key) "${KEYS.fromPeer}/%[var(txn.peer_fn)]" if is_fn from_peer known_peer`,
    `  http-request set-var-fmt(txn.key) "${KEYS.user}/%[var(txn.fn)]" if is_fn !from_peer`,
    count(0, 'is_fn'),
    '  # A node that is not a known peer: 403.',
    `  http-request set-var-fmt(txn.key) "${rejectedKey('unknown_peer')}/%[var(txn.fn)]" if ${unknownPeer}`,
    count(1, unknownPeer),
    refuse(403, `unknown peer ${peer}: not a neighbour of this node, or not its token`, unknownPeer),
    '  # A peer at or above its limit for the function (-1: none): 429; else served here, never forwarded.',
    ...limitCheck(
      'peerLimits',
      'var(txn.peer_fn)',
      `${KEYS.peerAdmitted}/%[var(txn.peer_fn)]`,
      'is_fn from_peer',
    ),
    `  http-request set-var-fmt(txn.key) "${rejectedKey('peer_limit')}/%[var(txn.fn)]" if ${overPeerLimit}`,
    count(1, overPeerLimit),
    refuse(429, `peer ${peer} is at its limit for function %[var(txn.fn)]`, overPeerLimit),
    `  http-request track-sc1 var(txn.admitted) table ${COUNTS_TABLE} if is_fn from_peer`,
    "  # A user request goes to its function's backend; a function with no route is served here.",
    `  http-request set-var(txn.route) var(txn.fn),map(${map('functions')}) if is_fn !from_peer`,
    '  acl routed var(txn.route) -m found',
    `  http-request set-var-fmt(txn.key) "${KEYS.userLocal}/%[var(txn.fn)]" if is_fn !from_peer !routed`,
    count(1, 'is_fn !from_peer !routed'),
    '  # It may go to a peer: with our token (the gateway backend removes it).',
    `  http-request set-header ${NODE_TOKEN_HEADER} %[str(${OWN_TOKEN_KEY}),map(${map('ownToken')})] if is_fn !from_peer routed`,
    '  use_backend %[var(txn.route)] if is_fn !from_peer routed',
    `  default_backend ${GATEWAY_BACKEND}`,
  ];

  const overLocalLimit = 'limited !has_room';
  const localFrontend = [
    '# Where a LOCAL pick of a round robin arrives: served here below the local limit, otherwise',
    "# sent to the function's peers alone.",
    `frontend ${LOCAL_FRONTEND}`,
    `  bind ${localSocket} mode 600`,
    `  http-request del-header ${NODE_ID_HEADER}`,
    ...functionName,
    ...limitCheck('localLimits', 'var(txn.fn)', `${KEYS.userLocal}/%[var(txn.fn)]`, 'is_fn'),
    `  http-request track-sc1 var(txn.admitted) table ${COUNTS_TABLE} if is_fn !limited`,
    `  http-request track-sc1 var(txn.admitted) table ${COUNTS_TABLE} if is_fn has_room`,
    `  use_backend ${peersBackendName('%[var(txn.fn)]')} if is_fn ${overLocalLimit}`,
    `  default_backend ${GATEWAY_BACKEND}`,
  ];

  const countServed = (server: string, cond: string) => [
    `  http-response set-var-fmt(txn.key) "${KEYS.served}/${server}/%[var(txn.fn)]" if ${cond}`,
    `  http-response track-sc2 var(txn.key) table ${COUNTS_TABLE} if ${cond}`,
  ];
  const gateway = [
    `backend ${GATEWAY_BACKEND}`,
    "  # A peer's token, or ours, stays in the proxy: this node's functions must not learn it.",
    `  http-request del-header ${NODE_TOKEN_HEADER}`,
    `  http-response set-header ${SERVED_BY_HEADER} ${nodeId}`,
    ...countServed(LOCAL_SERVER, '{ var(txn.fn) -m found }'),
    `  server gateway ${haproxyAddress(layout.gateway)}`,
  ];

  const noServer = '{ nbsrv eq 0 }';
  const roundRobin = (name: string, fn: string, servers: string[]) => [
    '',
    `backend ${name}`,
    '  balance roundrobin',
    `  http-request set-var-fmt(txn.key) "${rejectedKey('no_capacity')}/%[var(txn.fn)]" if ${noServer}`,
    count(1, noServer),
    refuse(503, `function ${fn} is overloaded and no neighbour can take it`, noServer),
    `  http-request set-header ${NODE_ID_HEADER} ${nodeId}`,
    // What LOCAL_SERVER answers was counted by LOCAL_FRONTEND's stream already.
    ...countServed('%[srv_name]', `!{ srv_name ${LOCAL_SERVER} }`),
    '  # Weights and states come from the Runtime API; all start in maintenance.',
    ...servers.map((server) => `  server ${server} weight 1 disabled`),
  ];
  const peerServers = peers.map(
    (id) => `${peerServerName(id)} ${haproxyAddress(layout.peers[id] as PeerEndpoint)}`,
  );
  const backends = functions.flatMap((fn) => [
    ...roundRobin(backendName(fn), fn, [`${LOCAL_SERVER} ${localSocket}`, ...peerServers]),
    ...roundRobin(peersBackendName(fn), fn, peerServers),
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
    `  timeout server ${UPSTREAM_TIMEOUT_S}s`,
    '  timeout http-request 10s',
    '  timeout http-keep-alive 10s',
    '  timeout queue 10s',
    '  # A server that refuses the connection never saw the request: try another one of the backend,',
    '  # so a peer that just died costs only the requests in flight to it.',
    '  retries 2',
    '  option redispatch 1',
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
    ...localFrontend,
    '',
    ...gateway,
    ...backends,
    '',
  ].join('\n');
}
