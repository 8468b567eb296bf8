import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../../core/errors.js';
import { freeLoopbackPort, httpOrigin } from '../../../core/net.js';
import { pollUntil, pollWithin } from '../../../core/poll.js';
import type { PeerEndpoint, ProxyCounters, RoutingTable } from '../../../offload/routing.js';
import type { ProxyDriver, ProxyOptions } from '../contract.js';
import { HaproxyError, ProxyStoppedError, RuntimeApiError } from '../errors.js';
import { type HaproxyLayout, mapPath, renderConfig } from './config.js';
import { countersFromTable, maxCounters, parseTable, type TableEntry } from './counters.js';
import { HaproxyMaster } from './master.js';
import { COUNTS_TABLE, checkName, FRONTEND, GATEWAY_BACKEND, LOCAL_SERVER, MAP_NAMES } from './names.js';
import { resolvePeers } from './resolve.js';
import { CliSocket, parseInfo, parseMap, parseServersState } from './runtime-api.js';
import {
  desiredState,
  emptyMaps,
  type Maps,
  planCommands,
  type RuntimeState,
  type ServerState,
} from './state.js';

export interface HaproxyProxyOptions extends ProxyOptions {
  /** The HAProxy executable (2.6 or later). */
  binary?: string;
  /** Where haproxy.cfg, the map files and the sockets go; default a fresh temp dir, removed at stop. */
  configDir?: string;
}

/** The HAProxy driver, with what tests need to see that weights and limits never reload it. */
export interface HaproxyProxy extends ProxyDriver {
  readonly kind: 'haproxy';
  readonly masterPid: number;
  /** The Runtime API (stats socket, admin level). */
  readonly socketPath: string;
  readonly configPath: string;
  /** Reloads so far: one per apply() that brought a function HAProxy has no backend for. */
  readonly reloads: number;
  /** Times haproxy.cfg was written (at start, and whenever the functions or peers changed). */
  readonly renders: number;
  /** The pid of the worker serving now (it changes at a reload, never otherwise). */
  workerPid(): Promise<number>;
}

const DEFAULT_BINARY = '/usr/sbin/haproxy';
const START_TIMEOUT_MS = 10_000;
/** How long stop() lets requests in flight finish. */
const DRAIN_TIMEOUT_MS = 5_000;
/** How long a reloaded worker may take to learn the old one's counters. */
const SYNC_TIMEOUT_MS = 3_000;
/** Accepted outputs of the commands planCommands() sends (most answer nothing at all). */
const COMMAND_OK = /^$|^New server registered\.|^IP changed from|^no need to change the addr/;

/**
 * Starts HAProxy as the node's proxy. It serves every function locally until apply() gives it a
 * routing table. Fails with HAProxy's own messages when HAProxy does not start.
 */
export async function startHaproxyProxy(options: HaproxyProxyOptions): Promise<HaproxyProxy> {
  checkName('node id', options.nodeId);
  const dir = resolve(options.configDir ?? mkdtempSync(join(tmpdir(), 'dfaas-haproxy-')));
  if (!/^[\w./-]+$/.test(dir)) {
    throw new ConfigError('haproxy proxy', [
      { field: 'configDir', message: `${dir} must not need quoting (letters, digits, _ . / - only)` },
    ]);
  }
  mkdirSync(dir, { recursive: true });
  const cleanup = () => {
    if (!options.configDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const layout: HaproxyLayout = {
      nodeId: options.nodeId,
      dir,
      bind: { host: options.host, port: options.port || (await freeLoopbackPort()) },
      gateway: gatewayEndpoint(options.gatewayUrl),
      syncPort: await freeLoopbackPort(),
      functions: [],
      peers: {},
    };
    const proxy = new HaproxyDriver(options, layout, cleanup);
    await proxy.start(options.binary ?? DEFAULT_BINARY);
    return proxy;
  } catch (error) {
    cleanup();
    throw error;
  }
}

function gatewayEndpoint(url: string): PeerEndpoint {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:') {
    throw new ConfigError('haproxy proxy', [{ field: 'gatewayUrl', message: `${url} must be http://` }]);
  }
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 80) };
}

class HaproxyDriver implements HaproxyProxy {
  readonly kind = 'haproxy' as const;
  readonly url: string;
  readonly socketPath: string;
  readonly configPath: string;
  reloads = 0;
  renders = 0;
  private master: HaproxyMaster | undefined;
  private readonly admin: CliSocket;
  private renderedText = '';
  /** Functions with a backend in the running process (a dropped one keeps it until a reload). */
  private backends = new Set<string>();
  /** The table's functions, listed by counters() even before any request. */
  private tableFunctions: string[] = [];
  private state: RuntimeState = { maps: emptyMaps(), servers: new Map() };
  private lastCounters: ProxyCounters = {};
  /** apply(), counters() and stop() run one at a time: a reload swaps the process under them. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  /** The ids of the peers left out by the last apply() (see warnUnresolved). */
  private unresolvedKey = '[]';

  constructor(
    private readonly options: ProxyOptions,
    private layout: HaproxyLayout,
    private readonly cleanup: () => void,
  ) {
    const { host, port } = layout.bind;
    this.url = httpOrigin(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port);
    this.socketPath = join(layout.dir, 'admin.sock');
    this.configPath = join(layout.dir, 'haproxy.cfg');
    this.admin = new CliSocket(this.socketPath);
  }

  get masterPid(): number {
    return this.master?.pid ?? 0;
  }

  async start(binary: string): Promise<void> {
    this.writeMaps(emptyMaps());
    writeFileSync(join(this.layout.dir, 'servers.state'), '1\n');
    this.render();
    const master = HaproxyMaster.launch({
      binary,
      configPath: this.configPath,
      pidPath: join(this.layout.dir, 'haproxy.pid'),
      masterSocket: join(this.layout.dir, 'master.sock'),
      logger: this.options.logger,
    });
    this.master = master;
    try {
      await this.waitForWorker(undefined, START_TIMEOUT_MS);
      await this.waitForFrontend(START_TIMEOUT_MS);
    } catch (error) {
      await master.terminate();
      throw error;
    }
    this.options.logger.info('haproxy proxy started', {
      url: this.url,
      dir: this.layout.dir,
      pid: master.pid,
    });
  }

  apply(table: RoutingTable): Promise<void> {
    return this.serialized(() => this.applyNow(table));
  }

  counters(): Promise<ProxyCounters> {
    return this.serialized(async () => {
      const output = await this.admin.one(`show table ${COUNTS_TABLE}`);
      const current = countersFromTable(parseTable(output), this.tableFunctions);
      this.lastCounters = maxCounters(this.lastCounters, current);
      return structuredClone(this.lastCounters);
    });
  }

  async workerPid(): Promise<number> {
    const [worker] = (await this.running().processes()).workers;
    if (!worker) throw new HaproxyError('haproxy proxy: the master lists no worker');
    return worker;
  }

  stop(): Promise<void> {
    this.stopping ??= this.queue
      .catch(() => undefined)
      .then(async () => {
        const master = this.master;
        if (master && !master.exit) {
          await this.drain();
          await master.terminate();
        }
        this.cleanup();
        this.options.logger.info('haproxy proxy stopped', { url: this.url });
      });
    return this.stopping;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    if (this.stopping) return Promise.reject(new ProxyStoppedError('haproxy proxy: stopped'));
    const run = this.queue.catch(() => undefined).then(work);
    this.queue = run;
    return run;
  }

  private running(): HaproxyMaster {
    const master = this.master;
    if (!master || master.exit) {
      throw new HaproxyError(
        `haproxy proxy: HAProxy is not running (${master?.exit ?? 'not started'})\n${master?.stderr()}`,
      );
    }
    return master;
  }

  private async applyNow(table: RoutingTable): Promise<void> {
    this.running();
    const functions = Object.keys(table.functions).sort();
    for (const fn of functions) checkName('function', fn);
    for (const id of Object.keys(table.peers)) checkName('peer id', id);
    const { resolved: peers, unresolved } = await resolvePeers(table.peers);
    this.warnUnresolved(unresolved);
    this.layout = { ...this.layout, functions, peers };
    if (functions.some((fn) => !this.backends.has(fn))) await this.reload();
    else this.render();
    this.tableFunctions = functions;

    const plan = planCommands(
      this.state,
      desiredState({ ...table, peers }, Object.keys(unresolved)),
      (name) => mapPath(this.layout.dir, name),
    );
    if (plan.commands.length === 0) return;
    const outputs = await this.admin.run(plan.commands);
    const failures = plan.commands
      .map((command, i) => ({ command, output: outputs[i] ?? '' }))
      .filter(({ output }) => !COMMAND_OK.test(output));
    if (failures.length > 0) {
      // Some commands took effect: start again from what the process really holds.
      this.state = await this.readState();
      const list = failures.map(({ command, output }) => `${command}: ${output}`).join('\n');
      throw new RuntimeApiError(
        `haproxy proxy: the Runtime API refused ${failures.length} command(s):\n${list}`,
      );
    }
    this.state = plan.next;
  }

  /** A peer whose host does not resolve gets no server (its weights go to the others); said once. */
  private warnUnresolved(unresolved: Record<string, string>): void {
    const key = JSON.stringify(Object.keys(unresolved).sort());
    if (key !== this.unresolvedKey && key !== '[]')
      this.options.logger.warn('haproxy proxy: peers left out of the routes, their hosts do not resolve', {
        peers: unresolved,
      });
    this.unresolvedKey = key;
  }

  /** Writes haproxy.cfg when its text changed; HAProxy reads it only at a reload. */
  private render(): void {
    const text = renderConfig(this.layout);
    if (text === this.renderedText) return;
    writeFileSync(this.configPath, text);
    this.renderedText = text;
    this.renders++;
  }

  private writeMaps(maps: Maps): void {
    for (const name of MAP_NAMES) {
      const lines = [...maps[name]].map(([key, value]) => `${key} ${value}\n`);
      writeFileSync(mapPath(this.layout.dir, name), lines.join(''));
    }
  }

  /**
   * The only reload: a new function needs a backend. The new process starts from the old one's
   * runtime state (server weights and states via the server-state file, map entries via the map
   * files, counters via the `peers` section); apply() then brings it to the new table.
   */
  private async reload(): Promise<void> {
    const master = this.running();
    const started = performance.now();
    const taught = await this.canTeachCounters();
    // Without a lesson, the counts move over through the Runtime API instead (see restoreCounts).
    const counts = taught ? [] : parseTable(await this.admin.one(`show table ${COUNTS_TABLE}`));
    const serversState = await this.admin.one('show servers state');
    writeFileSync(join(this.layout.dir, 'servers.state'), `${serversState}\n`);
    const kept = new Set(this.layout.functions);
    const routes = new Map([...this.state.maps.functions].filter(([fn]) => kept.has(fn)));
    this.writeMaps({ ...this.state.maps, functions: routes });
    this.render();
    const worker = await master.reload();
    await this.waitForWorker(worker, START_TIMEOUT_MS);
    if (taught) await this.waitForCountersLesson();
    else await this.restoreCounts(counts);
    this.backends = kept;
    this.reloads++;
    this.state = await this.readState();
    this.options.logger.info('haproxy proxy reloaded for new functions', {
      worker,
      taught,
      ms: Math.round(performance.now() - started),
    });
  }

  /** What the running process holds: its map entries and its functions' servers (peers' addresses). */
  private async readState(): Promise<RuntimeState> {
    const commands = [
      ...MAP_NAMES.map((name) => `show map ${mapPath(this.layout.dir, name)}`),
      'show servers state',
    ];
    const outputs = await this.admin.run(commands);
    const maps = Object.fromEntries(MAP_NAMES.map((name, i) => [name, parseMap(outputs[i] ?? '')])) as Maps;
    const servers = new Map<string, ServerState>();
    for (const line of parseServersState(outputs[MAP_NAMES.length] ?? '')) {
      if (line.backend === GATEWAY_BACKEND) continue;
      const local = line.server === LOCAL_SERVER;
      servers.set(`${line.backend}/${line.server}`, local ? {} : { addr: line.addr });
    }
    return { maps, servers };
  }

  /**
   * Until the master CLI lists `worker` (the first worker when undefined) and the Runtime API
   * answers from it; returns its pid.
   */
  private async waitForWorker(worker: number | undefined, timeoutMs: number): Promise<number> {
    const master = this.running();
    return pollUntil(
      async (fail) => {
        if (master.exit)
          fail(new HaproxyError(`haproxy failed to start (${master.exit}):\n${master.stderr()}`));
        const pid = worker ?? (await master.processes().catch(() => undefined))?.workers[0];
        const info = pid ? await this.admin.one('show info').then(parseInfo, () => undefined) : undefined;
        return pid !== undefined && Number(info?.Pid) === pid && pid;
      },
      {
        timeoutMs,
        everyMs: 20,
        what: `haproxy's worker to answer on ${this.socketPath}`,
        explain: () => master.stderr(),
      },
    );
  }

  private async waitForFrontend(timeoutMs: number): Promise<void> {
    const { host, port } = this.layout.bind;
    const open = () =>
      new Promise<boolean>((done) => {
        const socket = connect({ host: host === '0.0.0.0' ? '127.0.0.1' : host, port });
        socket.once('connect', () => {
          socket.destroy();
          done(true);
        });
        socket.once('error', () => done(false));
      });
    await pollUntil(open, { timeoutMs, everyMs: 20, what: `haproxy listening on ${host}:${port}` });
  }

  /**
   * Whether the worker will teach its stick tables to the next one over the `peers` section at a
   * reload. It does once it considers its own tables complete (flags 0x1 and 0x2 of `show peers`:
   * local and remote resync done): at once when it was taught itself, but only after HAProxy's
   * fixed 5 s resync timeout for the first worker after start.
   */
  private async canTeachCounters(): Promise<boolean> {
    return ((await this.peersFlags()) & 0x3) === 0x3;
  }

  /** Until the reloaded worker has learnt the old one's tables (flag 0x1 of `show peers`). */
  private async waitForCountersLesson(): Promise<void> {
    const learnt = await pollWithin(async () => ((await this.peersFlags()) & 0x1) === 0x1, {
      timeoutMs: SYNC_TIMEOUT_MS,
      everyMs: 20,
      what: 'the reloaded worker to learn the old counters',
    });
    if (learnt) return;
    this.options.logger.warn('haproxy proxy: the reloaded worker did not learn the old counters in time', {
      timeoutMs: SYNC_TIMEOUT_MS,
    });
  }

  private async peersFlags(): Promise<number> {
    const output = await this.admin.one('show peers').catch(() => '');
    const flags = /flags=0x([0-9a-f]+)/.exec(output)?.[1];
    return flags ? Number.parseInt(flags, 16) : 0;
  }

  /**
   * Adds the counts the old worker had (read just before the reload) to the new worker's. What the
   * old worker counted after that read is lost, hence the lesson when there can be one.
   */
  private async restoreCounts(old: TableEntry[]): Promise<void> {
    const now = new Map(
      parseTable(await this.admin.one(`show table ${COUNTS_TABLE}`)).map((e) => [
        e.key,
        e.data.http_req_cnt ?? 0,
      ]),
    );
    const commands = old
      .filter(({ key, data }) => (data.http_req_cnt ?? 0) > 0 && /^[^\s;\\]+$/.test(key))
      .map(({ key, data }) => {
        const count = (data.http_req_cnt ?? 0) + (now.get(key) ?? 0);
        return `set table ${COUNTS_TABLE} key ${key} data.http_req_cnt ${count}`;
      });
    await this.admin.run(commands);
  }

  /**
   * Closes the frontend's port (requests already in flight go on) and waits, bounded, until no
   * request of the frontend is left: a soft-stop (SIGUSR1) would do the same but then waits
   * seconds for a next process to teach its stick tables to.
   */
  private async drain(): Promise<void> {
    await this.admin.one(`shutdown frontend ${FRONTEND}`).catch(() => undefined);
    const drained = await pollWithin(
      async () => {
        const sessions = await this.admin.one('show sess').catch(() => undefined);
        return sessions === undefined || !sessions.includes(` fe=${FRONTEND} `);
      },
      { timeoutMs: DRAIN_TIMEOUT_MS, everyMs: 20, what: `requests in flight on ${FRONTEND} to end` },
    );
    if (drained) return;
    this.options.logger.warn('haproxy proxy: requests still in flight at stop', {
      timeoutMs: DRAIN_TIMEOUT_MS,
    });
  }
}
