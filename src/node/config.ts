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
    driver: z
      .enum(['auto', 'embedded', 'haproxy'])
      .default('auto')
      .describe(
        'embedded: in the node process; haproxy: HAProxy through its Runtime API; auto: haproxy when haproxy_binary is an executable, else embedded. Default: auto.',
      ),
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('The address the proxy listens on for users and peers. Default: 127.0.0.1.'),
    port: port.default(0).describe("The proxy's port; 0: any free port. Default: 0."),
    advertise_host: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The host peers use to reach this proxy (HAProxyHost in messages), an address or a name; needed when host is a wildcard address. Default: host.',
      ),
    haproxy_binary: z
      .string()
      .min(1)
      .default(DEFAULT_HAPROXY_BINARY)
      .describe(
        `The HAProxy executable (2.6 or later): a path, relative to the configuration file, or a name on PATH. Default: ${DEFAULT_HAPROXY_BINARY}.`,
      ),
  })
  .strict()
  .refine((p) => p.advertise_host !== undefined || !['0.0.0.0', '::', '[::]'].includes(p.host), {
    message: 'peers cannot reach a wildcard address: set advertise_host to an address they can',
    path: ['advertise_host'],
  });

const PlatformSchema = z
  .object({
    gateway_url: z
      .url()
      .optional()
      .describe(
        'The URL of an existing OpenFaaS gateway. Default: the embedded platform, started on this machine.',
      ),
    stack: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The functions to deploy on the embedded platform at start: an OpenFaaS stack.yml, relative to the configuration file.',
      ),
    gateway_port: port
      .default(0)
      .describe("The embedded gateway's port (on 127.0.0.1); 0: any free port. Default: 0."),
    /** OpenFaaS's basic-auth secrets joined by a colon. */
    auth_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A file with one line username:password, relative to the configuration file, for the gateway's /system/* API: the embedded gateway requires it, the node uses it with gateway_url. Default: credentials generated at start, which only the node knows.",
      ),
  })
  .strict()
  .refine((p) => !(p.gateway_url && p.stack), {
    message: 'stack deploys on the embedded platform; with gateway_url deploy with faas-cli instead',
    path: ['stack'],
  });

const threshold = z.number().positive().optional();
/** Each threshold's meaning, in the units of dfaas's models (those of results.csv). */
const THRESHOLD_DESCRIPTIONS: Record<NodeMetric, string> = {
  cpu_usage_node:
    "Overloaded above this predicted node CPU; with dfaas's models, in percent of one core (a 4-core node goes to 400).",
  ram_usage_node: "Overloaded above this predicted node RAM; with dfaas's models, in bytes.",
  power_usage_node:
    "Overloaded above this predicted node power; with dfaas's models, in microwatts (as results.csv holds it).",
};
/** One optional threshold per node metric the forecaster predicts (cpu_usage_node, …). */
const ThresholdsSchema = z
  .object(
    Object.fromEntries(NODE_METRICS.map((m) => [m, threshold.describe(THRESHOLD_DESCRIPTIONS[m])])) as Record<
      NodeMetric,
      typeof threshold
    >,
  )
  .strict();

const AgentSchema = z
  .object({
    strategy: z
      .enum(STRATEGY_NAMES)
      .default(DEFAULT_STRATEGY)
      .describe(
        `The offloading strategy that sets the proxy's weights and limits. Default: ${DEFAULT_STRATEGY}.`,
      ),
    period: positiveDuration
      .default(5_000)
      .describe('How often the strategy runs, a duration such as "5s" or "500ms". Default: 5s.'),
    /** The strategies' parameters (static_local_share, latency_k, latency_base; see src/offload/strategies/). */
    ...STRATEGY_PARAMS,
    forecaster_url: z
      .url()
      .optional()
      .describe(
        'node-margin: the URL of a DFaaS forecaster service (dfaas forecast serve); or give forecaster_models.',
      ),
    forecaster_models: z
      .string()
      .min(1)
      .optional()
      .describe(
        'node-margin: a folder of models (dfaas forecast train --out), relative to the configuration file, loaded in the node process; or give forecaster_url.',
      ),
    group_list: z
      .string()
      .min(1)
      .optional()
      .describe(
        'node-margin: the function groups, a group_list.json (dfaas schema group-list) relative to the configuration file.',
      ),
    node_type: z
      .union([z.enum(NODE_TYPE_NAMES), z.number().int().min(0)], {
        error: `${NODE_TYPE_NAMES.join(', ')} or a whole number of 0 or more`,
      })
      .default('heavy')
      .transform((t) => (typeof t === 'number' ? t : NODE_TYPES[t]))
      .describe(
        'node-margin: the node type the forecaster predicts for: heavy (0), mid (1), light (2), or a capacity number (e.g. cores). Default: heavy.',
      ),
    /** No defaults: a threshold in the wrong unit makes a node always or never overloaded. */
    thresholds: ThresholdsSchema.prefault({}).describe(
      "node-margin: the node is overloaded when a predicted metric exceeds its threshold, in the units of the forecaster's models; give at least one.",
    ),
    decision_log: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A file, relative to the configuration file, of every period's decision as JSON lines. Default: decisions go to the log at debug level.",
      ),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (!needsForecaster(a.strategy, a)) return;
    // latency-aware over node-margin needs what node-margin needs.
    const who = a.strategy === 'latency-aware' ? 'latency-aware over node-margin' : a.strategy;
    if (!a.forecaster_url && !a.forecaster_models)
      ctx.addIssue({
        code: 'custom',
        path: ['forecaster_url'],
        message: `${who} needs forecaster_url or forecaster_models`,
      });
    if (!a.group_list)
      ctx.addIssue({
        code: 'custom',
        path: ['group_list'],
        message: `${who} needs group_list (group_list.json)`,
      });
    if (a.strategy === 'power-saving' && a.thresholds.power_usage_node === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', 'power_usage_node'],
        message: 'power-saving needs the power threshold, e.g. power_usage_node: 2200000 (µW)',
      });
    else if (Object.keys(a.thresholds).length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds'],
        message: `${who} needs at least one threshold, e.g. cpu_usage_node: 150 (percent of one core)`,
      });
  });

export const NodeConfigSchema = z
  .object({
    node_id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . -')
      .default('node')
      .describe(
        'A name for logs and status pages; peers know the node by its libp2p peer id. Default: node.',
      ),
    identity_file: z
      .string()
      .min(1)
      .default('node.key')
      .describe(
        "The node's ed25519 identity (libp2p protobuf), relative to the configuration file; created when missing. Default: node.key.",
      ),
    listen: z
      .array(multiaddr)
      .min(1)
      .default(['/ip4/127.0.0.1/tcp/0'])
      .describe('libp2p listen addresses (multiaddrs; tcp/0: any free port). Default: /ip4/127.0.0.1/tcp/0.'),
    bootstrap: z
      .array(multiaddr)
      .default([])
      .describe('Peers to dial at start and re-dial while disconnected: multiaddrs ending in /p2p/PEER_ID.'),
    mdns: z
      .boolean()
      .default(false)
      .describe('Discover peers on the local network with mDNS. Default: false.'),
    dht: z
      .boolean()
      .default(false)
      .describe('Find peers through a libp2p Kademlia DHT as well. Default: false.'),
    agent_host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe(
        "The address of the agent's HTTP server (/agent/status, /metrics, /healthz). Default: 127.0.0.1.",
      ),
    agent_port: port.default(0).describe("The agent's HTTP port; 0: any free port. Default: 0."),
    proxy: ProxySchema.prefault({}).describe(
      'The proxy users send requests to, which serves them here or forwards them to peers.',
    ),
    platform: PlatformSchema.prefault({}).describe(
      'The FaaS platform behind the proxy: the embedded one (with stack), or OpenFaaS at gateway_url.',
    ),
    agent: AgentSchema.prefault({}).describe(
      'The agent: its offloading strategy, its parameters and its period.',
    ),
  })
  .strict();

export type NodeConfig = z.output<typeof NodeConfigSchema>;
