import { LOCAL, type PeerEndpoint, type RoutingTable } from '../../../offload/routing.js';
import {
  backendName,
  haproxyAddress,
  LOCAL_SERVER,
  MAP_NAMES,
  type MapName,
  OWN_TOKEN_KEY,
  peerServerName,
  peersBackendName,
} from './names.js';

/**
 * What the running HAProxy holds besides its config file (map entries, server weights, states
 * and addresses), what a routing table wants it to hold, and the Runtime API commands that take
 * the one to the other. Pure: the driver reads the state, sends the commands and keeps the result.
 */

export type Maps = Record<MapName, Map<string, string>>;

/** A server of a function's backend as HAProxy has it. Weight and readiness may be unknown
 * (after reading a fresh process): then they are set whatever the table says. */
export interface ServerState {
  /** A peer's address; undefined for LOCAL_SERVER, whose unix socket is fixed in the config. */
  addr?: PeerEndpoint;
  weight?: number;
  ready?: boolean;
}

export interface RuntimeState {
  maps: Maps;
  /** By "<backend>/<server>": the servers of the functions' backends the process has. */
  servers: Map<string, ServerState>;
}

export interface DesiredServer {
  addr?: PeerEndpoint;
  /** 1-100; ignored when not ready (a server with weight 0 is put in maintenance instead). */
  weight: number;
  ready: boolean;
}

export interface DesiredState {
  maps: Maps;
  servers: Map<string, DesiredServer>;
}

export function emptyMaps(): Maps {
  return Object.fromEntries(MAP_NAMES.map((name) => [name, new Map()])) as Maps;
}

/**
 * HAProxy's rates are integer counts over the last period, so `count < limit` holds exactly when
 * `count < ceil(limit)`. A non-finite limit is no limit; a negative one refuses everything, as 0.
 */
function limitValue(limit: number): string | undefined {
  return Number.isFinite(limit) ? String(Math.max(0, Math.ceil(limit))) : undefined;
}

/** HAProxy takes integer weights 0-256; the contract's are integers 0-100 already. */
const weight = (w: number | undefined) => Math.min(256, Math.max(0, Math.round(w ?? 0)));

/**
 * What `table` asks of the process. Peers in `knownOnly` (no usable address) are known, so their
 * requests are served, but have no server to send requests to.
 */
export function desiredState(table: RoutingTable, knownOnly: readonly string[] = []): DesiredState {
  const maps = emptyMaps();
  const servers = new Map<string, DesiredServer>();
  for (const id of [...Object.keys(table.peers), ...knownOnly])
    for (const token of table.tokens.peers[id] ?? []) maps.peers.set(`${id}:${token}`, '1');
  // No token yet (no table from an agent): the header goes out empty and peers refuse it.
  if (table.tokens.own !== '') maps.ownToken.set(OWN_TOKEN_KEY, table.tokens.own);
  for (const [fn, route] of Object.entries(table.functions)) {
    maps.functions.set(fn, backendName(fn));
    if (route.localLimit !== null) {
      const value = limitValue(route.localLimit);
      if (value !== undefined) maps.localLimits.set(fn, value);
    }
    for (const [peer, limit] of Object.entries(route.limitsIn)) {
      const value = limitValue(limit);
      if (value !== undefined) maps.peerLimits.set(`${peer}/${fn}`, value);
    }
    const localWeight = weight(route.weights[LOCAL]);
    servers.set(`${backendName(fn)}/${LOCAL_SERVER}`, { weight: localWeight, ready: localWeight > 0 });
    // A weight for a peer with no address cannot be used; the peers backend has the same weights.
    for (const [id, addr] of Object.entries(table.peers)) {
      const w = weight(route.weights[id]);
      for (const backend of [backendName(fn), peersBackendName(fn)]) {
        servers.set(`${backend}/${peerServerName(id)}`, { addr, weight: w, ready: w > 0 });
      }
    }
  }
  return { maps, servers };
}

export interface Plan {
  commands: string[];
  /** The state once every command succeeded. */
  next: RuntimeState;
}

const sameAddr = (a: PeerEndpoint, b: PeerEndpoint) => a.host === b.host && a.port === b.port;

function mapCommands(path: string, current: Map<string, string>, wanted: Map<string, string>): string[] {
  const commands: string[] = [];
  for (const [key, value] of wanted) {
    const now = current.get(key);
    if (now === undefined) commands.push(`add map ${path} ${key} ${value}`);
    else if (now !== value) commands.push(`set map ${path} ${key} ${value}`);
  }
  for (const key of current.keys()) if (!wanted.has(key)) commands.push(`del map ${path} ${key}`);
  return commands;
}

/**
 * The commands that take `current` to `desired`, in an order that never opens a gap: limits
 * first, then servers (added, moved, weighted, enabled or put in maintenance), then the peers
 * allowed in and the functions routed, so a function's route appears only once its servers are
 * set. Servers the process has but the table does not (a peer gone, a function dropped) go to
 * maintenance. Every desired server's backend must exist in the process (the driver reloads first
 * when a function is new).
 */
export function planCommands(
  current: RuntimeState,
  desired: DesiredState,
  mapPath: (name: MapName) => string,
): Plan {
  const maps = (names: MapName[]) =>
    names.flatMap((name) => mapCommands(mapPath(name), current.maps[name], desired.maps[name]));
  const commands = maps(['peerLimits', 'localLimits']);
  const servers = new Map(current.servers);

  for (const [id, want] of desired.servers) {
    // A server the process lacks is added, in maintenance with weight 1. Only peers' servers are:
    // LOCAL_SERVER is in every function's backend from the config.
    const have = servers.get(id) ?? { weight: 1, ready: false };
    if (!servers.has(id) && want.addr) {
      commands.push(`add server ${id} ${haproxyAddress(want.addr)}`);
    } else if (want.addr && have.addr && !sameAddr(have.addr, want.addr)) {
      commands.push(`set server ${id} addr ${want.addr.host} port ${want.addr.port}`);
    }
    if (want.ready && have.weight !== want.weight) commands.push(`set weight ${id} ${want.weight}`);
    if (have.ready !== want.ready) commands.push(`set server ${id} state ${want.ready ? 'ready' : 'maint'}`);
    servers.set(id, { addr: want.addr, weight: want.ready ? want.weight : have.weight, ready: want.ready });
  }
  for (const [id, have] of servers) {
    if (desired.servers.has(id) || have.ready === false) continue;
    commands.push(`set server ${id} state maint`);
    servers.set(id, { ...have, ready: false });
  }

  commands.push(...maps(['ownToken', 'peers', 'functions']));
  const next = { maps: structuredClone(desired.maps), servers };
  return { commands, next };
}
