/** `dfaas node up` and `dfaas cluster up|status|down` at work. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfigFile } from '../config/read-file.js';
import { parseDurationMs } from '../config/units.js';
import { ConfigError, type ConfigIssue, issuesFromZod } from '../core/errors.js';
import { findExecutable } from '../core/executable.js';
import { ensureDir } from '../core/files.js';
import { haproxyExecutable, readNodeInputs, startNode } from '../node/agent/node.js';
import { fetchStatus, nodeExited, planCluster, readClusterPlan, startCluster } from '../node/cluster.js';
import { checkNoClusterRunning, stopCluster } from '../node/cluster-running.js';
import { DEFAULT_HAPROXY_BINARY, type NodeConfig, NodeConfigSchema } from '../node/config.js';
import { loadOrCreateIdentity, peerIdOf } from '../node/peers/identity.js';
import { processRef } from '../node/processes.js';
import { DEFAULT_STRATEGY, STRATEGY_NAMES, type StrategyName } from '../offload/strategies/index.js';
import { badFlag } from './errors.js';
import type { CliContext } from './io.js';
import { checkListenHosts } from './listen-host.js';
import { printResult } from './output.js';

export interface ClusterUpFlags {
  nodes: number;
  strategy?: string;
  proxy: 'auto' | 'embedded' | 'haproxy';
  stack?: string;
  period: string;
  dir: string;
  startTimeout: number;
  forecasterModels?: string;
  groups?: string;
  threshold?: Record<string, number>;
  nodeType?: string | number;
}

export interface ClusterDownFlags {
  dir: string;
  timeout: number;
}

/**
 * `dfaas node id`: the peer id of an identity file, as peers' bootstrap lists name the node
 * (/ip4/IP/tcp/PORT/p2p/ID). The key is created when the file is missing, so a deployment can
 * learn every node's id before any node starts (deploy/ansible/setup_dfaas_node.yml does).
 */
export async function runNodeId(flags: { identity: string }, ctx: CliContext): Promise<void> {
  const file = resolve(flags.identity);
  const created = !existsSync(file);
  if (created) ensureDir(dirname(file), { source: 'command line', field: '--identity' });
  const peerId = peerIdOf(await loadOrCreateIdentity(file));
  printResult(ctx, { peer_id: peerId, identity_file: file, created }, () => `${peerId}\n`);
}

export async function runNodeUp(flags: { config: string }, ctx: CliContext): Promise<void> {
  const { logger } = ctx;
  const config = loadConfigFile(NodeConfigSchema, flags.config);
  // Checked before startNode, which writes the identity file and starts the platform first.
  checkHaproxy(config, flags.config, dirname(resolve(flags.config)));
  await checkListenHosts(flags.config, { agent_host: config.agent_host, 'proxy.host': config.proxy.host });
  const running = await startNode(config, dirname(resolve(flags.config)), logger);
  const summary = {
    node: running.name,
    peerId: running.peerId,
    proxy: running.proxyUrl,
    proxyDriver: running.proxyKind,
    agent: running.agentUrl,
    gateway: running.gatewayUrl,
    p2p: running.p2pAddresses,
    strategy: config.agent.strategy,
  };
  printResult(ctx, summary, () => ''); // the summary goes to the log on a terminal
  logger.info(`node ${running.name} up: send requests to ${running.proxyUrl}/function/NAME`, summary);
  await Promise.race([ctx.untilSignal(), parentGone()]);
  logger.info(`node ${running.name}: stopping`);
  await running.stop();
  // Close the channel to `cluster up` (if any): a listener on it would keep this process alive.
  if (process.connected) process.disconnect();
}

const INSTALL_HAPROXY = 'install HAProxy 2.6 or later (e.g. apt-get install haproxy)';

/** Bad input when the configuration asks for the haproxy driver and its binary is not an executable. */
function checkHaproxy(config: NodeConfig, file: string, baseDir: string): void {
  const binary = config.proxy.haproxy_binary;
  if (config.proxy.driver !== 'haproxy' || haproxyExecutable(config.proxy, baseDir)) return;
  throw new ConfigError(file, [
    {
      field: 'proxy.haproxy_binary',
      message: `proxy driver haproxy: no executable "${binary}" (a path relative to this file, or a name on PATH); ${INSTALL_HAPROXY} and set proxy.haproxy_binary to it, or choose proxy.driver embedded (or auto: HAProxy when installed)`,
    },
  ]);
}

export async function runClusterUp(flags: ClusterUpFlags, ctx: CliContext): Promise<void> {
  const { logger, logLevel } = ctx;
  const { strategy, periodMs, agent } = checkClusterFlags(flags);
  checkNoClusterRunning(flags.dir);
  ensureDir(flags.dir, { source: 'command line', field: '--dir' });
  const plan = await planCluster({
    nodes: flags.nodes,
    strategy,
    proxy: flags.proxy,
    periodMs,
    stack: flags.stack,
    dir: flags.dir,
    agent,
  });
  const cluster = await startCluster(plan, {
    logLevel,
    timeoutMs: flags.startTimeout,
    clusterUp: processRef(process.pid),
  });
  printResult(ctx, plan, () => [
    {
      header: ['node', 'proxy (send requests here)', 'agent status', 'peer id'],
      rows: plan.nodes.map((n) => [
        n.name,
        `${n.proxyUrl}/function/NAME`,
        `${n.agentUrl}/agent/status`,
        n.peerId,
      ]),
    },
    `\n${plan.strategy} cluster up (${plan.dir}); dfaas cluster status --dir ${flags.dir}; Ctrl-C (or dfaas cluster down --dir ${flags.dir}) stops it\n`,
  ]);
  let stopping = false;
  for (const n of plan.nodes) {
    const child = cluster.children.get(n.name);
    child?.on('exit', () => {
      if (!stopping) logger.warn(nodeExited(n, child).message);
    });
  }
  await ctx.untilSignal();
  stopping = true;
  logger.info('stopping the cluster');
  await cluster.stop();
}

/** The flag behind each node configuration field that cluster up sets, to name it in bad input. */
const FLAG_OF_FIELD: Record<string, string> = {
  // node-margin "needs forecaster_url or forecaster_models": cluster up takes the models.
  'agent.forecaster_url': '--forecaster-models',
  'agent.forecaster_models': '--forecaster-models',
  'agent.group_list': '--groups',
  'agent.thresholds': '--threshold',
  'agent.node_type': '--node-type',
};

/** A node configuration issue as one of a flag (a threshold's name goes into the message). */
function flagIssue(issue: ConfigIssue): ConfigIssue {
  const field = Object.keys(FLAG_OF_FIELD).find((f) => issue.field === f || issue.field.startsWith(`${f}.`));
  if (!field) return issue;
  const rest = issue.field.slice(field.length + 1);
  return {
    field: FLAG_OF_FIELD[field] as string,
    message: rest ? `${rest}: ${issue.message}` : issue.message,
  };
}

/**
 * Checks every flag of cluster up before anything is written or started (bad input exits 2):
 * the strategy, the period, HAProxy, and the nodes' configuration as each node will read it, with
 * the stack, group list and models it names. Returns the agent settings every node gets.
 */
function checkClusterFlags(flags: ClusterUpFlags): {
  strategy: StrategyName;
  periodMs: number;
  agent: Record<string, unknown>;
} {
  const strategy = flags.strategy ?? DEFAULT_STRATEGY;
  if (!(STRATEGY_NAMES as readonly string[]).includes(strategy))
    throw badFlag('--strategy', `unknown strategy "${strategy}" (one of ${STRATEGY_NAMES.join(', ')})`);
  const periodMs = parseDurationMs(flags.period);
  if (periodMs === undefined || periodMs <= 0)
    throw badFlag('--period', `must be a duration > 0 such as 5s, got "${flags.period}"`);
  // The nodes run the default HAProxy: without it each would fail alone, after the plan is written.
  if (flags.proxy === 'haproxy' && !findExecutable(DEFAULT_HAPROXY_BINARY))
    throw badFlag(
      '--proxy',
      `no HAProxy at ${DEFAULT_HAPROXY_BINARY}: ${INSTALL_HAPROXY}, or use --proxy auto or embedded`,
    );
  // Absolute, since each node reads its configuration in --dir.
  const agent = {
    ...(flags.forecasterModels ? { forecaster_models: resolve(flags.forecasterModels) } : {}),
    ...(flags.groups ? { group_list: resolve(flags.groups) } : {}),
    ...(flags.threshold ? { thresholds: flags.threshold } : {}),
    ...(flags.nodeType === undefined ? {} : { node_type: flags.nodeType }),
  };
  // What the flags put in a node's configuration (planCluster adds ports, peers and files).
  const parsed = NodeConfigSchema.safeParse({
    platform: flags.stack ? { stack: resolve(flags.stack) } : {},
    agent: { strategy, period: `${periodMs}ms`, ...agent },
  });
  if (!parsed.success) throw new ConfigError('command line', issuesFromZod(parsed.error).map(flagIssue));
  readNodeInputs(parsed.data, process.cwd());
  return { strategy: strategy as StrategyName, periodMs, agent };
}

export async function runClusterStatus(flags: { dir: string }, ctx: CliContext): Promise<void> {
  const plan = readClusterPlan(flags.dir);
  const statuses = await Promise.all(
    plan.nodes.map(async (n) => ({ node: n, status: await fetchStatus(n).catch((e: Error) => e) })),
  );
  const out = statuses.map(({ node, status }) =>
    status instanceof Error ? { node: node.name, error: status.message } : status,
  );
  printResult(ctx, out, () => {
    const names = new Map(plan.nodes.map((n) => [n.peerId, n.name]));
    const rows: string[][] = [];
    for (const { node, status } of statuses) {
      if (status instanceof Error) {
        rows.push([node.name, 'down', '-', '-', '-', '-', status.message]);
        continue;
      }
      const peers = status.peers.map((p) => names.get(p.id) ?? p.id.slice(-6)).join(',') || '-';
      for (const [fn, f] of Object.entries(status.functions)) {
        const weights = Object.entries(f.route?.weights ?? {})
          .filter(([, w]) => w > 0)
          .map(([t, w]) => `${names.get(t) ?? t}:${w}`)
          .join(' ');
        rows.push([
          node.name,
          peers,
          fn,
          (f.rates?.user ?? 0).toFixed(1),
          (f.rates?.local ?? 0).toFixed(1),
          f.route?.localLimit === null || f.route === null ? '-' : String(f.route.localLimit),
          weights || '-',
        ]);
      }
    }
    return { header: ['node', 'peers', 'function', 'user r/s', 'local r/s', 'limit', 'weights'], rows };
  });
}

export async function runClusterDown(flags: ClusterDownFlags, ctx: CliContext): Promise<void> {
  const plan = readClusterPlan(flags.dir);
  const stopped = await stopCluster(plan, flags.timeout);
  printResult(ctx, stopped, () => [
    { header: ['process', 'pid', 'stopped by'], rows: stopped.map((p) => [p.name, String(p.pid), p.signal]) },
    `\nthe cluster in ${plan.dir} is stopped\n`,
  ]);
}

/**
 * Resolves when the process that started this node (`dfaas cluster up`, over an IPC channel) is
 * gone, even if it was killed without a chance to stop its nodes, and at once if it died while
 * this node was starting; never for a node started by hand (no channel).
 */
function parentGone(): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) return;
    if (process.connected) process.once('disconnect', resolve);
    else resolve();
  });
}
