import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { request } from 'undici';
import { stringify } from 'yaml';
import { ConfigError, TimeoutError } from '../core/errors.js';
import { ensureDir, writeFileAtomic } from '../core/files.js';
import { freeLoopbackPort } from '../core/net.js';
import { pollUntil } from '../core/poll.js';
import type { StrategyName } from '../offload/strategies/index.js';
import type { AgentStatus } from './agent/agent.js';
import { AgentStatusError, NodeExitedError } from './errors.js';
import { markNodeStart, nodeFailureCause } from './node-log.js';
import { loadOrCreateIdentity, peerIdOf } from './peers/identity.js';
import { type ProcessRef, processRef } from './processes.js';

/**
 * `dfaas cluster up`: N nodes on this machine, each a `dfaas node up` process with its own ports,
 * identity and log, all on loopback and bootstrapped to each other. The plan (configs, keys,
 * cluster.json) is written to one folder, which `dfaas cluster status` reads; once the nodes are
 * spawned, cluster.json records their processes too, which `dfaas cluster down` stops.
 */

export interface ClusterOptions {
  nodes: number;
  strategy: StrategyName;
  proxy: 'auto' | 'embedded' | 'haproxy';
  periodMs: number;
  /** An OpenFaaS stack.yml deployed on every node; absent: DEFAULT_CLUSTER_STACK. */
  stack?: string;
  dir: string;
  /** Extra `agent` settings for every node (e.g. static_local_share). */
  agent?: Record<string, unknown>;
}

export interface ClusterNode {
  name: string;
  peerId: string;
  config: string;
  log: string;
  proxyUrl: string;
  agentUrl: string;
  p2pAddress: string;
  /** The node's process, once spawned. */
  process?: ProcessRef;
}

export interface ClusterPlan {
  dir: string;
  strategy: string;
  nodes: ClusterNode[];
  /** The `dfaas cluster up` process that runs the nodes and stops them on SIGTERM, when there is one. */
  clusterUp?: ProcessRef;
}

/** What every node deploys when no --stack is given: figlet with a capacity of 10 requests/s. */
export const DEFAULT_CLUSTER_STACK = {
  version: '1.0',
  provider: { name: 'openfaas' },
  functions: {
    figlet: {
      lang: 'builtin',
      handler: 'figlet',
      labels: { 'dfaas.maxrate': '10', 'com.openfaas.scale.min': '1' },
    },
    echo: { lang: 'builtin', handler: 'echo', labels: { 'dfaas.maxrate': '50' } },
  },
};

const HOST = '127.0.0.1';

/** Allocates ports, creates identities and writes each node's config and cluster.json. */
export async function planCluster(options: ClusterOptions): Promise<ClusterPlan> {
  const dir = resolve(options.dir);
  ensureDir(dir, { source: dir, field: '' });
  const stack = options.stack ? resolve(options.stack) : join(dir, 'stack.yml');
  if (!options.stack) writeFileAtomic(stack, stringify(DEFAULT_CLUSTER_STACK));
  const nodes: (ClusterNode & { p2pPort: number; proxyPort: number; agentPort: number })[] = [];
  for (let i = 1; i <= options.nodes; i++) {
    const name = `node-${i}`;
    const peerId = peerIdOf(await loadOrCreateIdentity(join(dir, `${name}.key`)));
    const [p2pPort, proxyPort, agentPort] = [
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
    ];
    nodes.push({
      name,
      peerId,
      config: join(dir, `${name}.yaml`),
      log: join(dir, `${name}.log`),
      proxyUrl: `http://${HOST}:${proxyPort}`,
      agentUrl: `http://${HOST}:${agentPort}`,
      p2pAddress: `/ip4/${HOST}/tcp/${p2pPort}/p2p/${peerId}`,
      p2pPort,
      proxyPort,
      agentPort,
    });
  }
  for (const node of nodes) {
    const config = {
      node_id: node.name,
      identity_file: `${node.name}.key`,
      listen: [`/ip4/${HOST}/tcp/${node.p2pPort}`],
      bootstrap: nodes.filter((n) => n !== node).map((n) => n.p2pAddress),
      agent_host: HOST,
      agent_port: node.agentPort,
      proxy: { driver: options.proxy, host: HOST, port: node.proxyPort },
      platform: { stack },
      agent: {
        strategy: options.strategy,
        period: `${options.periodMs}ms`,
        decision_log: `${node.name}-decisions.jsonl`,
        ...options.agent,
      },
    };
    writeFileAtomic(node.config, stringify(config));
  }
  const plan: ClusterPlan = {
    dir,
    strategy: options.strategy,
    nodes: nodes.map(({ p2pPort: _p, proxyPort: _x, agentPort: _a, ...n }) => n),
  };
  writePlan(plan);
  return plan;
}

function writePlan(plan: ClusterPlan): void {
  writeFileAtomic(join(plan.dir, 'cluster.json'), `${JSON.stringify(plan, null, 2)}\n`);
}

/**
 * Starts one node as a child process running this same CLI (`dfaas node up`), with its output
 * appended to the node's log. The child runs in its own process group so a SIGKILL of it (as the
 * fault tests do) can take its replicas with it. With --json, the error that ends it is one JSON
 * line, which nodeExited reads back.
 */
export function spawnClusterNode(node: ClusterNode, logLevel = 'info'): ChildProcess {
  markNodeStart(node.log, node.name);
  const out = openSync(node.log, 'a');
  try {
    return spawn(
      process.execPath,
      [...cliEntry(), '--json', '--log-level', logLevel, 'node', 'up', '--config', node.config],
      // The IPC channel only tells the node when this process is gone (see `dfaas node up`).
      { stdio: ['ignore', out, out, 'ipc'], detached: true },
    );
  } finally {
    closeSync(out); // the child has its own copy
  }
}

/**
 * Node arguments that run this package's CLI: dist/cli/main.js when built, or src/cli/main.ts
 * through tsx when running from source (tests, benchmarks), whoever the current process is.
 */
function cliEntry(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return [join(dirname(here), '..', 'cli', 'main.js')];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, join(dirname(here), '..', 'cli', 'main.ts')];
}

/** Waits until the node's agent answers and has run a period; rejects when the process exits first. */
export async function waitForNode(node: ClusterNode, child: ChildProcess, timeoutMs: number): Promise<void> {
  const outcome = await pollUntil(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) return 'exited';
      return (await fetchStatus(node)).periods > 0 && 'started';
    },
    {
      timeoutMs,
      everyMs: 100,
      what: `${node.name} to start and run a period (see ${node.log})`,
      explain: () => {
        const cause = nodeFailureCause(node.log);
        return cause ? `its last error: ${cause}` : '';
      },
    },
  );
  if (outcome === 'exited') throw nodeExited(node, child);
}

/** The error of a node whose process has exited, with the cause its log gives. */
export function nodeExited(node: ClusterNode, child: ChildProcess): NodeExitedError {
  const how = String(child.exitCode ?? child.signalCode);
  return new NodeExitedError(node.name, how, node.log, nodeFailureCause(node.log));
}

export async function fetchStatus(
  node: Pick<ClusterNode, 'agentUrl'>,
  timeoutMs = 2000,
): Promise<AgentStatus> {
  const res = await request(`${node.agentUrl}/agent/status`, {
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  if (res.statusCode !== 200) throw new AgentStatusError(`${node.agentUrl}/agent/status`, res.statusCode);
  return (await res.body.json()) as AgentStatus;
}

export function readClusterPlan(dir: string): ClusterPlan {
  const file = join(resolve(dir), 'cluster.json');
  if (!existsSync(file)) {
    throw new ConfigError(file, [
      { field: '', message: `not found: start a cluster with dfaas cluster up --dir ${dir}` },
    ]);
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterPlan;
  } catch (err) {
    throw new ConfigError(file, [
      { field: '', message: `not a cluster.json of dfaas cluster up: ${(err as Error).message}` },
    ]);
  }
}

export interface StartedCluster {
  children: Map<string, ChildProcess>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The nodes' --log-level (default warn). */
  logLevel?: string;
  /** How long each node may take to start, and the mesh to form (default 60 s). */
  timeoutMs?: number;
  /** The `dfaas cluster up` process, recorded for `dfaas cluster down` to signal. */
  clusterUp?: ProcessRef;
}

/**
 * Spawns every node of the plan, records their processes in cluster.json, and waits until each
 * has run a period and sees all the others.
 */
export async function startCluster(plan: ClusterPlan, options: StartOptions = {}): Promise<StartedCluster> {
  const { logLevel = 'warn', timeoutMs = 60_000, clusterUp } = options;
  const children = new Map<string, ChildProcess>();
  const stop = () => Promise.all([...children.values()].map((c) => stopNodeProcess(c))).then(() => undefined);
  try {
    for (const n of plan.nodes) children.set(n.name, spawnClusterNode(n, logLevel));
    writePlan({
      ...plan,
      nodes: plan.nodes.map((n) => ({ ...n, process: processRef(children.get(n.name)?.pid) })),
      ...(clusterUp ? { clusterUp } : {}),
    });
    await Promise.all(plan.nodes.map((n) => waitForNode(n, children.get(n.name) as ChildProcess, timeoutMs)));
    await waitForMesh(plan.nodes, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { children, stop };
}

/** Resolves when every node lists every other one among its live neighbours. */
export async function waitForMesh(nodes: ClusterNode[], timeoutMs: number): Promise<void> {
  let statuses: (AgentStatus | undefined)[] = [];
  try {
    await pollUntil(
      async () => {
        statuses = await Promise.all(nodes.map((n) => fetchStatus(n).catch(() => undefined)));
        return statuses.every((s) => s && s.peers.length >= nodes.length - 1);
      },
      { timeoutMs, everyMs: 200, what: 'the nodes to see each other' },
    );
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    // Who sees whom, and why a node's agent may not be publishing (its last error).
    const seen = nodes.map((n, i) => {
      const s = statuses[i];
      if (!s) return `${n.name}: no status`;
      const error = s.lastError ? `, last error: ${s.lastError}` : '';
      return `${n.name}: ${s.peers.length} live neighbours, ${s.connectedPeers.length} connected, ${s.periods} periods${error}`;
    });
    throw new TimeoutError(
      `the nodes did not all see each other within ${timeoutMs} ms (${seen.join('; ')})`,
    );
  }
}

/**
 * SIGINT to the node, which stops its proxy, platform and replicas in order; SIGKILL to its
 * whole process group after `graceMs`. Resolves when it has exited.
 */
export async function stopNodeProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const signal = (pid: number, s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // already gone
    }
  };
  signal(child.pid, 'SIGINT');
  const timer = setTimeout(() => signal(-(child.pid as number), 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
