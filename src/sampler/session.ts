import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { SamplerConfig } from '../config/sampler.js';
import { ConfigError } from '../core/errors.js';
import { ensureDir, RESULTS_ROOT, removeEmptyFolders } from '../core/files.js';
import type { Logger } from '../core/logger.js';
import { pollUntil } from '../core/poll.js';
import { profileRowsOf, writeProfileCsv } from '../dataset/profiles.js';
import { readResults } from '../dataset/results.js';
import { createLoadDriver } from '../load/index.js';
import { chooseMetricsSource, createMetricsSource } from '../metrics/index.js';
import type { Platform } from '../platform/api.js';
import { readAuthFile } from '../platform/embedded/basic-auth.js';
import { type Gateway, startGateway } from '../platform/embedded/gateway.js';
import { EmbeddedPlatform } from '../platform/embedded/platform.js';
import { loadStackForEmbedded } from '../platform/embedded/stack.js';
import { OpenFaaSClient } from '../platform/openfaas/client.js';
import { createSweepAnnotator } from './grafana.js';
import { checkPlanSize } from './plan.js';
import { preflightSweep } from './preflight.js';
import { chooseRestorer, replicaFloors } from './restore.js';
import { runSweep, type SweepProgress, type SweepResult, type SweepShortcuts } from './runner.js';

export interface SamplerSessionOptions {
  config: SamplerConfig;
  /** Profiler mode: each function alone, writing profiles/NAME.csv. */
  profile?: boolean;
  /** The configuration file: relative paths in it (platform.stack, queries_path) start from its folder. */
  configFile: string;
  logger: Logger;
  onProgress?: (p: SweepProgress) => void;
  /** Passed to the sweep (perf/sweep.ts turns them off); default: all on. */
  shortcuts?: SweepShortcuts;
  /** Passed to the sweep: try again what an earlier session skipped for a cooldown timeout (default true). */
  retrySkipped?: boolean;
  /** Ctrl-C: the sweep stops, records `interrupted` and throws SweepInterruptedError. */
  signal?: AbortSignal;
}

/**
 * How long the pre-flight asks Prometheus again for queries with no series yet: a Prometheus
 * started with the sweep needs a scrape or two (a rate needs two) before its series exist.
 */
const PROMETHEUS_SETTLE_MS = 20_000;

/** A run id that is the same for the same file and configuration, so rerunning it resumes. */
export function defaultRunId(file: string, config: SamplerConfig): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 8);
  return `${basename(file).replace(/\.[^.]+$/, '')}-${hash}`;
}

/**
 * Where a sweep writes: output_dir, else RESULTS_ROOT/RUN_ID, or the folder an earlier dfaas
 * wrote the same sweep in (./dfaas-results/RUN_ID), so that rerunning it still resumes it.
 */
export function outputDirOf(config: SamplerConfig, configFile: string): string {
  if (config.output_dir) return resolve(config.output_dir);
  const runId = config.run_id ?? defaultRunId(configFile, config);
  const earlier = resolve('dfaas-results', runId);
  return existsSync(join(earlier, 'results.csv')) ? earlier : resolve(RESULTS_ROOT, runId);
}

/**
 * Everything `dfaas sample` does around the sweep: start the embedded gateway with
 * platform.stack (or use gateway_url), pick the metrics source (the embedded platform's own
 * figures, or Prometheus with the shipped or given queries), run the sweep, stop the gateway.
 * Configuration problems found here (a function missing from the stack, a bad queries file)
 * are ConfigErrors, before anything starts.
 */
export async function runSamplerSession(
  opts: SamplerSessionOptions,
): Promise<SweepResult & { profiles: string[] }> {
  const { config, configFile, logger } = opts;
  checkPlanSize(config, configFile);
  const here = dirname(configFile);
  const deployments = config.platform ? loadStackForEmbedded(resolve(here, config.platform.stack)) : [];
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
  const source = chooseMetricsSource(
    {
      source: config.metrics.source,
      prometheusUrl: config.prometheus_url,
      queriesPath: config.queries_path,
      embeddedPlatform: config.platform !== undefined,
      configFile,
    },
    logger,
  );

  const outputDir = outputDirOf(config, configFile);
  const runId = config.run_id ?? defaultRunId(configFile, config);
  const load = createLoadDriver(config, { configFile, runId, logger });
  // Grafana's data source is the Prometheus the sweep reads (with the embedded source, the one
  // that scrapes it is the user's: metrics.port); one annotator, so one warning per sweep at most.
  const annotator = createSweepAnnotator({
    ...(config.grafana ? { grafana: config.grafana } : {}),
    prometheusUrl: config.prometheus_url ?? 'http://localhost:9090',
    runId,
    logger,
  });
  const gatewayAuth = config.gateway_auth_file
    ? readAuthFile(resolve(here, config.gateway_auth_file))
    : undefined;
  // Last of the checks on the file, as it makes the folder: bad input leaves nothing written.
  const madeFolders = ensureDir(outputDir, { source: configFile, field: 'output_dir' });
  let platform: EmbeddedPlatform | undefined;
  let gateway: Gateway | undefined;
  let gatewayClient: OpenFaaSClient | undefined;
  try {
    await load.open();
    let gatewayUrl = config.gateway_url?.replace(/\/+$/, '') ?? '';
    if (config.platform) {
      platform = new EmbeddedPlatform({ logger });
      gateway = await startGateway({ platform, port: config.platform.port, logger });
      gatewayUrl = gateway.url;
    }
    const metrics = createMetricsSource(source, {
      platform,
      prometheus: {
        durationMs: config.duration,
        pidRegexes: config.function_pid_regexes,
        scaphandre: config.scaphandre_enabled,
        settleMs: PROMETHEUS_SETTLE_MS,
      },
      logger,
      configFile,
    });
    logger.info(
      `sweep on ${gatewayUrl} with ${source.name} metrics, load from ${load.where}, results in ${outputDir}`,
    );
    /** Deploys these functions on the embedded platform (no-op with gateway_url) and waits for them. */
    const deploy = async (names: string[]) => {
      if (!platform) return;
      for (const d of deployments) if (names.includes(d.service)) await platform.deploy(d);
      // The idle baseline is measured once the replicas have started, not while they start.
      await waitReady(platform, names);
    };
    // The platform API the functions are restored through: the embedded platform, or the
    // gateway's /system API (OpenFaaS).
    if (!platform && config.gateway_url)
      gatewayClient = new OpenFaaSClient({
        gateway: gatewayUrl,
        ...(gatewayAuth ? { auth: gatewayAuth } : {}),
      });
    const api: Platform | undefined = platform ?? gatewayClient;
    const sweep = async (c: SamplerConfig, dir: string) => {
      await preflightSweep({
        configFile,
        gatewayUrl,
        api,
        functions: c.functions.map((f) => f.name),
        metrics,
        logger,
      });
      return runSweep({
        config: c,
        outputDir: dir,
        gatewayUrl,
        load,
        metrics,
        logger,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.shortcuts ? { shortcuts: opts.shortcuts } : {}),
        ...(opts.retrySkipped === undefined ? {} : { retrySkipped: opts.retrySkipped }),
        ...(opts.signal ? { signal: opts.signal } : {}),
        annotator,
        restorer: chooseRestorer(c, dir, api, logger),
        ...(api
          ? {
              replicaFloors: await replicaFloors(
                api,
                c.functions.map((f) => f.name),
              ),
            }
          : {}),
      });
    };

    if (!opts.profile) {
      await deploy(config.functions.map((f) => f.name));
      return { ...(await sweep(config, outputDir)), profiles: [] };
    }
    // Profiler mode: each function alone, deployed for its sweep and removed after it.
    const profiles: string[] = [];
    let busyBaseline = false;
    for (const f of [...config.functions].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      await deploy([f.name]);
      const alone: SamplerConfig = {
        ...config,
        functions: [f],
        combinations: { min_functions: 1, max_functions: 2, exclusive: true },
      };
      const result = await sweep(alone, join(outputDir, 'profile-runs', f.name));
      busyBaseline ||= result.busyBaseline;
      profiles.push(
        writeProfileCsv(
          join(outputDir, 'profiles', `${f.name}.csv`),
          profileRowsOf(readResults(join(result.outputDir, 'results.csv'))),
        ),
      );
      if (platform) await platform.remove(f.name);
    }
    return { outputDir, rowsWritten: 0, skipped: 0, report: '', profiles, busyBaseline };
  } finally {
    await load.close();
    await gatewayClient?.close();
    await gateway?.close();
    // A sweep that failed before writing (its pre-flight, k6 not running) leaves no folder behind.
    removeEmptyFolders(madeFolders);
  }
}

/** Waits until every replica of these functions has started (a TimeoutError after a minute). */
async function waitReady(platform: EmbeddedPlatform, names: string[], timeoutMs = 60_000): Promise<void> {
  await pollUntil(
    async () => {
      const statuses = await Promise.all(names.map((n) => platform.get(n)));
      return statuses.every((s) => (s.availableReplicas ?? 0) >= (s.replicas ?? 0));
    },
    { timeoutMs, everyMs: 100, what: `functions ready: ${names.join(', ')}` },
  );
}
