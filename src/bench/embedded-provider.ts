/**
 * The `embedded` provider: dfaas's own platform, started by the run on a free loopback port with
 * the lab functions deployed, its gateway's cold-start header read on every call, and cold starts
 * forced through its scale API (to zero: the next call waits for a fresh replica to start), so an
 * experiment need not wait for the platform to reclaim an idle instance.
 */
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { type Gateway, startGateway } from '../platform/embedded/gateway.js';
import { EmbeddedPlatform } from '../platform/embedded/platform.js';
import { LAB_FUNCTION_NAMES } from '../platform/functions/lab.js';
import { type BenchProvider, openfaasProvider, scaleToZero } from './providers.js';

export interface EmbeddedProvider extends BenchProvider {
  readonly gatewayUrl: string;
  /** Scales `fn` to zero: its next call is a cold start (a replica started for it). */
  forceCold(fn: string): Promise<void>;
  close(): Promise<void>;
}

export interface EmbeddedProviderOptions {
  /**
   * Labels of every lab function, e.g. `com.openfaas.scale.zero: "true"` with
   * `com.openfaas.scale.zero-duration: "20s"` for the idle-time searches to find.
   */
  labels?: Record<string, string>;
  /** Environment of every lab function (exec_timeout for long sleeps). */
  envVars?: Record<string, string>;
  /**
   * How often the platform decides replicas, scale-to-zero included (default 2 s): a time-scaled
   * idle search needs it well below its finest step.
   */
  autoscaleIntervalMs?: number;
  logger?: Logger;
}

export async function startEmbeddedProvider(opts: EmbeddedProviderOptions = {}): Promise<EmbeddedProvider> {
  const logger = opts.logger ?? silentLogger;
  const platform = new EmbeddedPlatform({
    logger,
    ...(opts.autoscaleIntervalMs ? { autoscaleIntervalMs: opts.autoscaleIntervalMs } : {}),
  });
  let gateway: Gateway | undefined;
  try {
    gateway = await startGateway({ platform, port: 0, logger });
    for (const name of LAB_FUNCTION_NAMES)
      await platform.deploy({
        service: name,
        image: `dfaas/${name}`,
        ...(opts.labels ? { labels: opts.labels } : {}),
        ...(opts.envVars ? { envVars: opts.envVars } : {}),
      });
  } catch (err) {
    await gateway?.close();
    await platform.close();
    throw err;
  }
  const running = gateway;
  const provider: EmbeddedProvider = {
    ...openfaasProvider(running.url),
    name: 'embedded',
    coldStartHeader: 'x-dfaas-cold-start-ms',
    gatewayUrl: running.url,
    forceCold: (fn) => scaleToZero(platform, fn),
    // The gateway closes its platform (draining, then stopping every replica).
    close: () => running.close(),
  };
  // From zero replicas: every replica of the run is then started by a call, so each call's
  // cold-start signals can agree (a replica the deployment started serves its first call without
  // the platform having waited for it: the replica says cold, the platform does not).
  for (const name of LAB_FUNCTION_NAMES) await provider.forceCold(name);
  return provider;
}
