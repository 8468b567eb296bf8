import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import { type HaproxyLayout, mapPath, renderConfig } from '../../../../src/node/proxy/haproxy/config.js';
import { countersFromTable, maxCounters, parseTable } from '../../../../src/node/proxy/haproxy/counters.js';
import { parseShowProc } from '../../../../src/node/proxy/haproxy/master.js';
import { checkName, MAP_NAMES, type MapName } from '../../../../src/node/proxy/haproxy/names.js';
import { parseServersState, splitOutputs } from '../../../../src/node/proxy/haproxy/runtime-api.js';
import {
  desiredState,
  emptyMaps,
  planCommands,
  type RuntimeState,
} from '../../../../src/node/proxy/haproxy/state.js';
import { emptyCounters, LOCAL, type RoutingTable } from '../../../../src/offload/routing.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-haproxy-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const table: RoutingTable = {
  functions: {
    resize: { localLimit: 2.5, weights: { [LOCAL]: 3, 'peer-a': 1 }, limitsIn: { 'peer-a': 4 } },
    echo: { localLimit: null, weights: { 'peer-b': 1 }, limitsIn: {} },
  },
  peers: { 'peer-b': { host: '10.0.0.2', port: 8001 }, 'peer-a': { host: '10.0.0.1', port: 8001 } },
  tokens: { own: 'own-token', peers: { 'peer-a': ['token-a'], 'peer-b': ['token-b1', 'token-b2'] } },
};

/** The layout the driver renders for a table: its functions and peers, never its weights. */
function layoutOf(t: RoutingTable): HaproxyLayout {
  return {
    nodeId: 'node-self',
    dir,
    bind: { host: '127.0.0.1', port: 8000 },
    gateway: { host: '127.0.0.1', port: 8080 },
    syncPort: 8090,
    functions: Object.keys(t.functions),
    peers: t.peers,
  };
}

describe('haproxy.cfg', () => {
  const text = renderConfig(layoutOf(table));

  it('has one frontend, the local-limit frontend, and two backends per function, sorted', () => {
    expect(text).toContain('\nfrontend dfaas_in\n  bind 127.0.0.1:8000\n');
    expect(text).toContain(`\nfrontend dfaas_local\n  bind unix@${dir}/local.sock mode 600\n`);
    expect(text).toContain(`stats socket ${dir}/admin.sock level admin`);
    expect(text).toContain('  server gateway 127.0.0.1:8080\n');
    expect([...text.matchAll(/^backend (\S+)$/gm)].map((m) => m[1])).toEqual([
      'dfaas_counts',
      'gateway',
      'route_echo',
      'peers_echo',
      'route_resize',
      'peers_resize',
    ]);
    const routeResize = text.slice(
      text.indexOf('backend route_resize'),
      text.indexOf('backend peers_resize'),
    );
    expect(routeResize).toContain(`server local unix@${dir}/local.sock weight 1 disabled`);
    expect(routeResize.indexOf('server peer_peer-a 10.0.0.1:8001')).toBeLessThan(
      routeResize.indexOf('server peer_peer-b 10.0.0.2:8001'),
    );
    expect(routeResize).toContain('function resize is overloaded and no neighbour can take it');
    for (const name of MAP_NAMES) expect(text).toContain(mapPath(dir, name));
  });

  it('does not depend on weights, limits or the order of the table', () => {
    const other: RoutingTable = {
      functions: {
        echo: { localLimit: 7, weights: {}, limitsIn: { 'peer-b': 0 } },
        resize: { localLimit: null, weights: { 'peer-b': 100 }, limitsIn: {} },
      },
      peers: { 'peer-a': table.peers['peer-a'], 'peer-b': table.peers['peer-b'] } as RoutingTable['peers'],
      tokens: { own: 'another', peers: { 'peer-a': ['other'] } },
    };
    expect(renderConfig(layoutOf(other))).toBe(text);
    expect(renderConfig({ ...layoutOf(table), functions: ['echo'] })).not.toBe(text);
  });

  it('refuses names HAProxy or the maps could not carry', () => {
    expect(() => checkName('function', 'resize-v2.1')).not.toThrow();
    for (const bad of ['', 'a b', 'a/b', 'a;b', 'x'.repeat(101)]) {
      expect(() => checkName('function', bad)).toThrow(/function/);
    }
    // Bad input, named as such: exit 2 from the CLI.
    expect(() => checkName('peer id', 'a b')).toThrow(ConfigError);
  });
});

describe('runtime state changes', () => {
  const maps = (name: MapName) => mapPath(dir, name);
  const fresh = (): RuntimeState => ({ maps: emptyMaps(), servers: new Map() });

  it('turns a table into map entries (limits rounded up) and server weights', () => {
    const desired = desiredState(table);
    expect(Object.fromEntries(desired.maps.localLimits)).toEqual({ resize: '3' });
    expect(Object.fromEntries(desired.maps.peerLimits)).toEqual({ 'peer-a/resize': '4' });
    expect(Object.fromEntries(desired.maps.functions)).toEqual({
      resize: 'route_resize',
      echo: 'route_echo',
    });
    expect(desired.servers.get('route_resize/local')).toEqual({ weight: 3, ready: true });
    expect(desired.servers.get('peers_resize/peer_peer-a')).toMatchObject({ weight: 1, ready: true });
    expect(desired.servers.get('route_resize/peer_peer-b')).toMatchObject({ weight: 0, ready: false });
    expect(desired.servers.has('peers_resize/local')).toBe(false);
  });

  it('sends only what changed, and nothing for an equal table', () => {
    const state: RuntimeState = fresh();
    for (const id of desiredState(table).servers.keys()) {
      state.servers.set(id, id.endsWith('/local') ? {} : { addr: { host: '10.0.0.9', port: 1 } });
    }
    const first = planCommands(state, desiredState(table), maps);
    expect(first.commands).toContain(`add map ${dir}/local_limits.map resize 3`);
    expect(first.commands).toContain('set server route_resize/peer_peer-a addr 10.0.0.1 port 8001');
    expect(first.commands).toContain('set weight route_resize/local 3');
    expect(first.commands).toContain('set server route_resize/local state ready');
    expect(first.commands).toContain('set server route_resize/peer_peer-b state maint');
    // Limits first, routes last: a function is routed once its servers are set.
    expect(first.commands.at(-1)).toMatch(/^add map .*functions\.map /);
    expect(first.commands[0]).toMatch(/^add map .*peer_limits\.map /);

    expect(planCommands(first.next, desiredState(structuredClone(table)), maps).commands).toEqual([]);

    const changed = structuredClone(table);
    (changed.functions.resize as { localLimit: number | null }).localLimit = null;
    (changed.functions.resize as { weights: Record<string, number> }).weights = { 'peer-a': 2 };
    expect(planCommands(first.next, desiredState(changed), maps).commands).toEqual([
      `del map ${dir}/local_limits.map resize`,
      'set server route_resize/local state maint',
      'set weight route_resize/peer_peer-a 2',
      'set weight peers_resize/peer_peer-a 2',
    ]);
  });

  it('adds the servers of a new peer, and retires those of a peer gone', () => {
    const before = planCommands(fresh(), desiredState({ ...table, peers: {} }), maps).next;
    // (The fresh state has no server at all, so the LOCAL servers are not added, only set.)
    const withPeers = planCommands(before, desiredState(table), maps);
    expect(withPeers.commands).toContain('add server route_resize/peer_peer-a 10.0.0.1:8001');
    expect(withPeers.commands).toContain('set server route_resize/peer_peer-a state ready');
    expect(withPeers.commands).not.toContain('set weight route_resize/peer_peer-a 1');
    // A peer is known by its id and token: each of its tokens is an entry of the peers map.
    expect(withPeers.commands).toContain(`add map ${dir}/peers.map peer-a:token-a 1`);
    expect(withPeers.commands).toContain(`add map ${dir}/peers.map peer-b:token-b1 1`);
    expect(withPeers.commands).toContain(`add map ${dir}/peers.map peer-b:token-b2 1`);
    // The token this node presents is an entry too (set once: `before` has it already).
    expect(planCommands(fresh(), desiredState(table), maps).commands).toContain(
      `add map ${dir}/own_token.map own own-token`,
    );
    expect(withPeers.commands.some((c) => c.includes('own_token.map'))).toBe(false);

    const gone = planCommands(withPeers.next, desiredState({ ...table, peers: {} }), maps);
    expect(gone.commands).toContain('set server route_resize/peer_peer-a state maint');
    expect(gone.commands).toContain(`del map ${dir}/peers.map peer-a:token-a`);
    expect(gone.commands.some((c) => c.startsWith('add server') || c.startsWith('del server'))).toBe(false);
  });
});

describe('runtime API output', () => {
  it('splits the outputs of ;-separated commands on their closing empty lines', () => {
    expect(splitOutputs('\n\nNo such server.\n\nName: x\nPid: 3\n\n')).toEqual([
      '',
      '',
      'No such server.',
      'Name: x\nPid: 3',
    ]);
  });

  it('reads counters from show table, keeping them monotonic', () => {
    const output = [
      '# table: dfaas_counts, type: string, size:1048576, used:7',
      '0x1: key=user/f use=0 exp=0 http_req_cnt=9 http_req_rate(1000)=2',
      '0x2: key=user_local/f use=0 exp=0 http_req_cnt=4 http_req_rate(1000)=1',
      '0x3: key=served/local/f use=0 exp=0 http_req_cnt=6 http_req_rate(1000)=1',
      '0x4: key=served/peer_peer-a/f use=0 exp=0 http_req_cnt=3 http_req_rate(1000)=0',
      '0x5: key=peer/peer-a/f use=0 exp=0 http_req_cnt=2 http_req_rate(1000)=0',
      '0x6: key=rejected/peer_limit/f use=0 exp=0 http_req_cnt=1 http_req_rate(1000)=0',
      '0x7: key=peer_admitted/peer-a/f use=0 exp=0 http_req_cnt=1 http_req_rate(1000)=0',
      '',
    ].join('\n');
    const counters = countersFromTable(parseTable(output), ['f', 'idle']);
    expect(counters).toEqual({
      f: {
        user: 9,
        local: 6,
        forwarded: { 'peer-a': 3 },
        fromPeers: { 'peer-a': 2 },
        rejected: { unknown_peer: 0, peer_limit: 1, no_capacity: 0 },
      },
      idle: emptyCounters(),
    });
    const reset = countersFromTable([], ['f']);
    expect(maxCounters(counters, reset).f).toEqual(counters.f);
  });

  it('reads show servers state and the master CLI show proc', () => {
    const servers = [
      '1',
      '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port',
      '5 route_f 2 peer_a 127.0.0.2 0 5 1 1 627 1 0 0 8 0 0 0 - 18081 - 0 0 - - 0',
      '',
    ].join('\n');
    expect(parseServersState(servers)).toEqual([
      { backend: 'route_f', server: 'peer_a', addr: { host: '127.0.0.2', port: 18081 } },
    ]);
    const proc = [
      '#<PID>          <type>          <reloads>       <uptime>        <version>      ',
      '1747            master          2 [failed: 1]   0d00h12m21s     2.6.12-1+deb12u4',
      '# workers',
      '17989           worker          0               0d00h00m08s     2.6.12-1+deb12u4',
      '# old workers',
      '1959            worker          1               0d00h00m09s     2.6.12-1+deb12u4',
      '# programs',
      '',
    ].join('\n');
    expect(parseShowProc(proc)).toEqual({
      master: { pid: 1747, reloads: 2, failedReloads: 1 },
      workers: [17989],
    });
  });
});
