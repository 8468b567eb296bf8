import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfigFile } from '../../config/read-file.js';
import { findExecutable } from '../../core/executable.js';
import type { Logger } from '../../core/logger.js';
import { type GroupList, GroupListSchema } from '../../dataset/groups.js';
import { Forecaster } from '../../forecast/forecaster.js';
import {
  createStrategy,
  type DeployedFunction,
  type NodeForecaster,
  needsForecaster,
  needsRtt,
  neighbourTtlMs,
} from '../../offload/strategies/index.js';
import type { Platform } from '../../platform/api.js';
import { type Credentials, readAuthFile } from '../../platform/embedded/basic-auth.js';
import { type Gateway, startGateway } from '../../platform/embedded/gateway.js';
import { EmbeddedPlatform } from '../../platform/embedded/platform.js';
import { loadStackForEmbedded } from '../../platform/embedded/stack.js';
import { OpenFaaSClient } from '../../platform/openfaas/client.js';
import type { NodeConfig } from '../config.js';
import { loadOrCreateIdentity, peerIdOf } from '../peers/identity.js';
import { PeerNetwork } from '../peers/network.js';
import type { ProxyDriver, ProxyDriverKind } from '../proxy/contract.js';
import { startProxy } from '../proxy/index.js';
import { Agent, type AgentStatus, type DecisionRecord } from './agent.js';
import { httpForecaster, inProcessForecaster } from './forecaster-client.js';
import { type AgentServer, startAgentServer } from './http.js';
import { nodeMetrics } from './metrics.js';

/** The label that gives a function's capacity in requests/s (recalc's maxrate), as in the reference. */
export const MAXRATE_LABEL = 'dfaas.maxrate';

/** A running DFaaS node: platform + proxy + peer network + agent + its HTTP endpoints. */
export interface RunningNode {
  readonly name: string;
  readonly peerId: string;
  /** Where users send requests. */
  readonly proxyUrl: string;
  readonly proxyKind: ProxyDriverKind;
  /** /agent/status, /metrics, /healthz. */
  readonly agentUrl: string;
  /** The FaaS gateway, on loopback when embedded; its /system/* API takes `gatewayAuth`. */
  readonly gatewayUrl: string;
  /** Basic-auth credentials of the gateway's /system/* API: platform.auth_file's, else generated. */
  readonly gatewayAuth: Credentials | undefined;
  /** libp2p addresses with /p2p/<peer id>, for other nodes' bootstrap lists. */
  readonly p2pAddresses: string[];
  status(): AgentStatus;
  stop(): Promise<void>;
}

/**
 * The HAProxy program `proxy.haproxy_binary` names: a path (relative to `baseDir`, the
 * configuration's folder, as every path of it) or a name on PATH; undefined when that is not an
 * executable.
 */
export function haproxyExecutable(config: NodeConfig['proxy'], baseDir: string): string | undefined {
  const binary = config.haproxy_binary;
  return findExecutable(binary.includes('/') ? resolve(baseDir, binary) : binary);
}

/** HAProxy when `auto` finds an executable, else the embedded proxy. */
export function chooseProxyDriver(config: NodeConfig['proxy'], baseDir: string): ProxyDriverKind {
  if (config.driver !== 'auto') return config.driver;
  return haproxyExecutable(config, baseDir) ? 'haproxy' : 'embedded';
}

/** The files a node reads before it starts: its functions and node-margin's forecaster and groups. */
export interface NodeInputs {
  deployments: ReturnType<typeof loadStackForEmbedded>;
  forecaster: NodeForecaster | undefined;
  groups: GroupList | undefined;
}

/**
 * Reads the stack, the group list and the models a configuration names (relative to `baseDir`),
 * starting nothing: bad input in any of them is an error here. `dfaas cluster up` calls it to
 * check its nodes' inputs before it writes their configurations.
 */
export function readNodeInputs(config: NodeConfig, baseDir: string): NodeInputs {
  const path = (p: string) => resolve(baseDir, p);
  const { agent } = config;
  const deployments = config.platform.stack ? loadStackForEmbedded(path(config.platform.stack)) : [];
  if (!needsForecaster(agent.strategy, agent))
    return { deployments, forecaster: undefined, groups: undefined };
  return {
    deployments,
    groups: loadConfigFile(GroupListSchema, path(agent.group_list as string)),
    forecaster: agent.forecaster_models
      ? inProcessForecaster(Forecaster.load(path(agent.forecaster_models)))
      : httpForecaster(agent.forecaster_url as string),
  };
}

/**
 * Starts every part of a node from its configuration; `baseDir` resolves the config's relative
 * paths. Everything that can be checked is read first (stack, group list, models), so bad input
 * fails before anything listens; a part that fails to start stops the parts already started.
 */
export async function startNode(config: NodeConfig, baseDir: string, logger: Logger): Promise<RunningNode> {
  const path = (p: string) => resolve(baseDir, p);
  const { agent: agentConfig } = config;
  const { deployments, forecaster, groups } = readNodeInputs(config, baseDir);
  // The agent section holds every strategy's parameters; each strategy picks its own.
  const { strategy: strategyName, ...params } = agentConfig;
  const privateKey = await loadOrCreateIdentity(path(config.identity_file));
  const peerId = peerIdOf(privateKey);

  const cleanups: (() => Promise<void>)[] = [];
  let stopped: Promise<void> | undefined;
  const stopAll = () => {
    stopped ??= (async () => {
      for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => undefined);
    })();
    return stopped;
  };
  try {
    const { platform, gatewayUrl, gatewayAuth } = await startPlatform(
      config,
      deployments,
      gatewayCredentials(config, path),
      logger,
      cleanups,
    );
    const proxyKind = chooseProxyDriver(config.proxy, baseDir);
    const proxy: ProxyDriver = await startProxy(proxyKind, {
      nodeId: peerId,
      host: config.proxy.host,
      port: config.proxy.port,
      gatewayUrl,
      logger,
      // Missing, the driver's own start fails naming it (`node up` checks it before starting).
      haproxyBinary: haproxyExecutable(config.proxy, baseDir) ?? config.proxy.haproxy_binary,
    });
    cleanups.push(() => proxy.stop());
    const network = await PeerNetwork.start({
      privateKey,
      listen: config.listen,
      bootstrap: config.bootstrap,
      mdns: config.mdns,
      dht: config.dht,
      logger,
    });
    cleanups.push(() => network.stop());

    const agent = new Agent({
      name: config.node_id,
      proxyEndpoint: {
        host: config.proxy.advertise_host ?? config.proxy.host,
        port: Number(new URL(proxy.url).port),
      },
      strategyName,
      strategy: createStrategy(strategyName, params),
      periodMs: agentConfig.period,
      neighbourTtlMs: neighbourTtlMs(strategyName, agentConfig.period, params),
      nodeType: agentConfig.node_type,
      thresholds: agentConfig.thresholds,
      peers: network,
      proxy,
      listFunctions: () => deployedFunctions(platform, logger),
      forecaster,
      groups,
      measureRtt: needsRtt(strategyName, params),
      logger,
      onDecision: decisionWriter(
        agentConfig.decision_log ? path(agentConfig.decision_log) : undefined,
        logger,
      ),
    });
    const status = () => agent.status();
    const server: AgentServer = await startAgentServer(
      config.agent_host,
      config.agent_port,
      status,
      nodeMetrics(status),
      logger,
    );
    cleanups.push(() => server.close());
    agent.start();
    cleanups.push(() => agent.stop());
    return {
      name: config.node_id,
      peerId,
      proxyUrl: proxy.url,
      proxyKind,
      agentUrl: server.url,
      gatewayUrl,
      gatewayAuth,
      p2pAddresses: network.addresses(),
      status,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The credentials of the gateway's /system/* API: platform.auth_file's when given; else, for the
 * embedded gateway, generated (as OpenFaaS generates its admin password): only the node deploys
 * there, in-process. A gateway without them would let anyone on the machine run any command,
 * since a function is a process.
 */
function gatewayCredentials(config: NodeConfig, path: (p: string) => string): Credentials | undefined {
  if (config.platform.auth_file) return readAuthFile(path(config.platform.auth_file));
  if (config.platform.gateway_url) return undefined;
  return { username: 'admin', password: randomBytes(24).toString('base64url') };
}

async function startPlatform(
  config: NodeConfig,
  deployments: ReturnType<typeof loadStackForEmbedded>,
  auth: Credentials | undefined,
  logger: Logger,
  cleanups: (() => Promise<void>)[],
): Promise<{ platform: Platform; gatewayUrl: string; gatewayAuth: Credentials | undefined }> {
  if (config.platform.gateway_url) {
    return {
      platform: new OpenFaaSClient({ gateway: config.platform.gateway_url, ...(auth ? { auth } : {}) }),
      gatewayUrl: config.platform.gateway_url,
      gatewayAuth: auth,
    };
  }
  const platform = new EmbeddedPlatform({ logger });
  let gateway: Gateway;
  try {
    // On loopback: the node's proxy is its public surface, and it serves only /function/*.
    gateway = await startGateway({
      platform,
      host: '127.0.0.1',
      port: config.platform.gateway_port,
      ...(auth ? { auth } : {}),
      logger,
    });
  } catch (err) {
    await platform.close();
    throw err;
  }
  cleanups.push(() => gateway.close());
  for (const d of deployments) await platform.deploy(d);
  return { platform, gatewayUrl: gateway.url, gatewayAuth: auth };
}

/** The platform's functions with their dfaas.maxrate label (a label that is not a number > 0 is ignored, with a warning). */
async function deployedFunctions(platform: Platform, logger: Logger): Promise<DeployedFunction[]> {
  const list = await platform.list();
  return list
    .map((f) => {
      const label = f.labels?.[MAXRATE_LABEL];
      const maxRate = label === undefined ? null : Number(label);
      if (maxRate !== null && !(maxRate > 0)) {
        logger.warn(`function ${f.name}: label ${MAXRATE_LABEL}=${label} is not a number > 0; ignored`);
        return { name: f.name, maxRate: null };
      }
      return { name: f.name, maxRate };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Appends each period's decision to a JSON-lines file, or logs it at debug level. */
function decisionWriter(file: string | undefined, logger: Logger): (record: DecisionRecord) => void {
  if (!file) return (record) => logger.debug('agent decision', { ...record });
  return (record) => appendFileSync(file, `${JSON.stringify(record)}\n`);
}
