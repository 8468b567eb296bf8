import { z } from 'zod';
import { positiveDuration } from '../config/units.js';
import { NODE_METRICS, type NodeMetric } from '../dataset/node-metrics.js';
import { NODE_TYPE_NAMES, NODE_TYPES } from '../dataset/node-types.js';
import {
  DEFAULT_STRATEGY,
  needsForecaster,
  STRATEGY_NAMES,
  STRATEGY_PARAMS,
} from '../offload/strategies/index.js';

/**
 * A DFaaS node's configuration (`dfaas node up --config node.yaml`): its identity and peers, its
 * proxy, its FaaS platform and its agent's offloading strategy. Relative paths are relative to the
 * file. Defaults run a node on loopback with the embedded platform and proxy.
 */

const port = z.number().int().min(0).max(65_535);
const multiaddr = z
  .string()
  .regex(/^\/(ip4|ip6|dns4|dns6|dns)\//, 'a multiaddr, e.g. /ip4/127.0.0.1/tcp/4001');

/** Where Debian's and Ubuntu's haproxy package installs it. */
export const DEFAULT_HAPROXY_BINARY = '/usr/sbin/haproxy';

const ProxySchema = z
  .object({
    /** auto: haproxy when the binary is installed, else embedded. */
    driver: z.enum(['auto', 'embedded', 'haproxy']).default('auto'),
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(0),
    /** Host peers should use to reach this proxy (HAProxyHost in messages); default: host. */
    advertise_host: z.string().min(1).optional(),
    /** The HAProxy executable (2.6 or later): a path, or a name on PATH. */
    haproxy_binary: z.string().min(1).default(DEFAULT_HAPROXY_BINARY),
  })
  .strict()
  .refine((p) => p.advertise_host !== undefined || !['0.0.0.0', '::', '[::]'].includes(p.host), {
    message: 'peers cannot reach a wildcard address: set advertise_host to an address they can',
    path: ['advertise_host'],
  });

const PlatformSchema = z
  .object({
    /** An existing OpenFaaS gateway; absent: the embedded platform is started. */
    gateway_url: z.url().optional(),
    /** Functions to deploy on the embedded platform at start (an OpenFaaS stack.yml). */
    stack: z.string().min(1).optional(),
    gateway_port: port.default(0),
    /**
     * `username:password` for the gateway's /system/* API (OpenFaaS's basic-auth secrets joined by
     * a colon): the embedded gateway requires them, and the node uses them with gateway_url.
     * Absent: the embedded gateway gets credentials generated at start, which only the node knows.
     */
    auth_file: z.string().min(1).optional(),
  })
  .strict()
  .refine((p) => !(p.gateway_url && p.stack), {
    message: 'stack deploys on the embedded platform; with gateway_url deploy with faas-cli instead',
    path: ['stack'],
  });

const threshold = z.number().positive().optional();
/** One optional threshold per node metric the forecaster predicts (cpu_usage_node, …). */
const ThresholdsSchema = z
  .object(Object.fromEntries(NODE_METRICS.map((m) => [m, threshold])) as Record<NodeMetric, typeof threshold>)
  .strict();

const AgentSchema = z
  .object({
    strategy: z.enum(STRATEGY_NAMES).default(DEFAULT_STRATEGY),
    /** Recalculation period. */
    period: positiveDuration.default(5_000),
    /** The strategies' parameters (static_local_share, latency_k, latency_base; see src/offload/strategies/). */
    ...STRATEGY_PARAMS,
    /** node-margin: a DFaaS forecaster service (`dfaas forecast serve`), or models loaded in-process. */
    forecaster_url: z.url().optional(),
    forecaster_models: z.string().min(1).optional(),
    /** node-margin: group_list.json. */
    group_list: z.string().min(1).optional(),
    node_type: z
      .union([z.enum(NODE_TYPE_NAMES), z.number().int().min(0)])
      .default('heavy')
      .transform((t) => (typeof t === 'number' ? t : NODE_TYPES[t])),
    /**
     * node-margin: overload when a predicted node metric exceeds its threshold, in the units of
     * the forecaster's models (dfaas's: CPU in percent of one core, RAM in bytes, power in watts).
     * No defaults: a threshold in the wrong unit makes a node always or never overloaded.
     */
    thresholds: ThresholdsSchema.prefault({}),
    /** JSON lines of every period's decision; absent: decisions go to the log at debug level. */
    decision_log: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (!needsForecaster(a.strategy, a)) return;
    if (!a.forecaster_url && !a.forecaster_models)
      ctx.addIssue({
        code: 'custom',
        path: ['forecaster_url'],
        message: 'node-margin needs forecaster_url or forecaster_models',
      });
    if (!a.group_list)
      ctx.addIssue({
        code: 'custom',
        path: ['group_list'],
        message: 'node-margin needs group_list (group_list.json)',
      });
    if (Object.keys(a.thresholds).length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds'],
        message: 'node-margin needs at least one threshold, e.g. cpu_usage_node: 150 (percent of one core)',
      });
  });

export const NodeConfigSchema = z
  .object({
    /** A name for logs and status pages; peers know the node by its libp2p peer id. */
    node_id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . -')
      .default('node'),
    /** The node's ed25519 identity (libp2p protobuf); created when missing. */
    identity_file: z.string().min(1).default('node.key'),
    /** libp2p listen addresses. */
    listen: z.array(multiaddr).min(1).default(['/ip4/127.0.0.1/tcp/0']),
    /** Peers to dial at start and re-dial while disconnected (multiaddrs ending in /p2p/<peer id>). */
    bootstrap: z.array(multiaddr).default([]),
    mdns: z.boolean().default(false),
    dht: z.boolean().default(false),
    /** The agent's own HTTP server: /agent/status, /metrics, /healthz. */
    agent_host: z.string().min(1).default('127.0.0.1'),
    agent_port: port.default(0),
    proxy: ProxySchema.prefault({}),
    platform: PlatformSchema.prefault({}),
    agent: AgentSchema.prefault({}),
  })
  .strict();

export type NodeConfig = z.output<typeof NodeConfigSchema>;
