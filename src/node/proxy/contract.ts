import type { Logger } from '../../core/logger.js';
import type { ProxyCounters, RoutingTable } from '../../offload/routing.js';

export const PROXY_DRIVERS = ['embedded', 'haproxy'] as const;
export type ProxyDriverKind = (typeof PROXY_DRIVERS)[number];

/**
 * What a node's proxy serves, in both drivers: /function/<name>[/...] (routed by the table) and
 * HEALTH_PATH (passed to the gateway). Any other path is 404 with NOT_SERVED: the gateway's API
 * (/system/*) is not a node's public surface, since deploying a function runs a command.
 */
export const HEALTH_PATH = '/healthz';
export const NOT_SERVED = 'not found: a DFaaS node serves /function/NAME and /healthz only';

/** How long an upstream (the gateway or a peer) may take to answer, in both drivers. */
export const UPSTREAM_TIMEOUT_S = 60;

export interface ProxyOptions {
  /** This node's peer id: sent as DFaaS-Node-ID when forwarding, returned as DFaaS-Served-By. */
  nodeId: string;
  /** Address and port users and peers connect to (port 0: any free port). */
  host: string;
  port: number;
  /** Base URL of this node's FaaS gateway (embedded or OpenFaaS), e.g. http://127.0.0.1:8080. */
  gatewayUrl: string;
  logger: Logger;
}

/**
 * A running proxy that enforces the contract of ../routing.ts. Both drivers (embedded/, haproxy/)
 * implement it, and the same tests run against both.
 */
export interface ProxyDriver {
  readonly kind: ProxyDriverKind;
  /** Where users and peers send requests, e.g. http://127.0.0.1:8001. */
  readonly url: string;
  /** Replaces the routing table. Idempotent; a table equal to the current one changes nothing. */
  apply(table: RoutingTable): Promise<void>;
  /** Counts since the proxy started, by function (functions seen in a request or a table). */
  counters(): Promise<ProxyCounters>;
  /** Stops accepting, lets in-flight requests finish (bounded), and frees the port. */
  stop(): Promise<void>;
}
