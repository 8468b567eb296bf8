import { createHash } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { loadConfigFile } from '../config/load.js';
import type { Logger } from '../config/logger.js';
import { PrometheusQueriesSchema, SHIPPED_QUERIES } from '../config/prometheus-queries.js';
import type { SamplerConfig } from '../config/sampler.js';
import { PrometheusClient } from '../metrics/prometheus.js';
import { type Gateway, startGateway } from '../platform/local/gateway.js';
import { LocalPlatform } from '../platform/local/platform.js';
import { loadStackForLocal } from '../platform/local/stack.js';
import { LocalMetricsSource, type MetricsSource } from './metrics-source.js';
import { PrometheusMetricsSource } from './prometheus-source.js';
import { runSweep, type SweepProgress, type SweepResult } from './runner.js';

export interface SamplerSessionOptions {
  config: SamplerConfig;
  /** The configuration file: relative paths in it (platform.stack, queries_path) start from its folder. */
  configFile: string;
  logger: Logger;
  onProgress?: (p: SweepProgress) => void;
}

/** A run id that is the same for the same file and configuration, so rerunning it resumes. */
export function defaultRunId(file: string, config: SamplerConfig): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 8);
  return `${basename(file).replace(/\.[^.]+$/, '')}-${hash}`;
}

export function outputDirOf(config: SamplerConfig, configFile: string): string {
  return resolve(config.output_dir ?? `dfaas-results/${config.run_id ?? defaultRunId(configFile, config)}`);
}

/**
 * Everything `dfaas sample` does around the sweep: start the embedded gateway with
 * platform.stack (or use gateway_url), pick the metrics source (the embedded platform's own
 * figures, or Prometheus with the shipped or given queries), run the sweep, stop the gateway.
 * Configuration problems found here (a function missing from the stack, a bad queries file)
 * are ConfigErrors, before anything starts.
 */
export async function runSamplerSession(opts: SamplerSessionOptions): Promise<SweepResult> {
  const { config, configFile, logger } = opts;
  const here = dirname(configFile);
  const deployments = config.platform ? loadStackForLocal(resolve(here, config.platform.stack)) : [];
  if (config.platform) {
    const missing = config.functions.filter((f) => !deployments.some((d) => d.service === f.name));
    if (missing.length > 0) {
      throw new ConfigError(configFile, [
        {
          field: 'functions',
          message: `not in ${config.platform.stack}: ${missing.map((f) => f.name).join(', ')}`,
        },
      ]);
    }
  }
  const source =
    config.metrics.source ?? (config.prometheus_url && !config.platform ? 'prometheus' : 'local');
  const queries =
    source === 'prometheus'
      ? loadConfigFile(
          PrometheusQueriesSchema,
          config.queries_path
            ? resolve(here, config.queries_path)
            : config.platform
              ? SHIPPED_QUERIES.embedded
              : SHIPPED_QUERIES.openfaas,
        )
      : undefined;

  let platform: LocalPlatform | undefined;
  let gateway: Gateway | undefined;
  try {
    let gatewayUrl = config.gateway_url?.replace(/\/+$/, '') ?? '';
    if (config.platform) {
      platform = new LocalPlatform({ logger });
      gateway = await startGateway({ platform, port: config.platform.port, logger });
      gatewayUrl = gateway.url;
      const wanted = deployments.filter((d) => config.functions.some((f) => f.name === d.service));
      for (const d of wanted) await platform.deploy(d);
      // The idle baseline is measured once the replicas have started, not while they start.
      await waitReady(
        platform,
        wanted.map((d) => d.service),
      );
    }
    const metrics: MetricsSource =
      queries && config.prometheus_url
        ? new PrometheusMetricsSource(new PrometheusClient(config.prometheus_url), queries, {
            durationMs: config.duration,
            pidRegexes: config.function_pid_regexes,
            scaphandre: config.scaphandre_enabled,
            logger,
          })
        : new LocalMetricsSource(platform as LocalPlatform);
    const outputDir = outputDirOf(config, configFile);
    logger.info(`sweep on ${gatewayUrl} with ${source} metrics, results in ${outputDir}`);
    return await runSweep({
      config,
      outputDir,
      gatewayUrl,
      metrics,
      logger,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  } finally {
    await gateway?.close();
  }
}

async function waitReady(platform: LocalPlatform, names: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(names.map((n) => platform.get(n)));
    if (statuses.every((s) => (s.availableReplicas ?? 0) >= (s.replicas ?? 0))) return;
    if (performance.now() > deadline)
      throw new Error(`functions not ready within ${timeoutMs} ms: ${names.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
