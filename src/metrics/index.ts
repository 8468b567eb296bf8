/**
 * The metrics-source registry: which source a measurement reads the node from, by name, and the
 * source itself. `embedded` reads the embedded platform's own /proc sampling; `prometheus` runs
 * PromQL (the shipped queries for the platform, or a queries file) against a Prometheus server.
 * Choosing is split from creating so that a bad queries file is reported before anything starts,
 * while the embedded source needs the platform, which starts later. Used by the sampler; the
 * bench capability reuses it.
 */
import { dirname, resolve } from 'node:path';
import { loadConfigFile } from '../config/read-file.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { EmbeddedPlatform } from '../platform/embedded/platform.js';
import type { MetricsSource } from './contract.js';
import { EmbeddedMetricsSource } from './embedded/source.js';
import { PrometheusClient } from './prometheus/client.js';
import { type PrometheusQueries, PrometheusQueriesSchema, SHIPPED_QUERIES } from './prometheus/queries.js';
import { PrometheusMetricsSource, type PrometheusSourceOptions } from './prometheus/source.js';

export type * from './contract.js';
export type { PrometheusQueries } from './prometheus/queries.js';
export const METRICS_SOURCES = ['embedded', 'prometheus'] as const;
export type MetricsSourceName = (typeof METRICS_SOURCES)[number];

/** What a configuration says about its metrics. */
export interface MetricsSourceSettings {
  /** The source asked for; `local` is the deprecated name of `embedded`. Unset: see chooseMetricsSource. */
  source?: MetricsSourceName | 'local' | undefined;
  prometheusUrl?: string | undefined;
  /** A queries file, absolute or relative to `configFile`'s folder; unset: the shipped profile for the platform. */
  queriesPath?: string | undefined;
  /** The functions run on the embedded platform (not on a gateway elsewhere). */
  embeddedPlatform: boolean;
  /** The configuration file, named in warnings and errors. */
  configFile: string;
}

/** A chosen source, its queries already read and checked. */
export type MetricsSourceChoice =
  | { name: 'embedded' }
  | { name: 'prometheus'; url: string; queries: PrometheusQueries };

/**
 * The source the settings ask for: `local` is read as `embedded` with a deprecation warning; unset,
 * prometheus when a Prometheus URL is given and the platform is not the embedded one, else
 * embedded. For prometheus, reads the queries file (the shipped embedded or openfaas profile
 * unless one is given); a bad or missing one, or no Prometheus URL, is a ConfigError.
 */
export function chooseMetricsSource(settings: MetricsSourceSettings, logger: Logger): MetricsSourceChoice {
  const { configFile, prometheusUrl } = settings;
  if (settings.source === 'local')
    logger.warn(`${configFile}: metrics.source "local" is deprecated, use "embedded"`);
  const name =
    settings.source === 'local'
      ? 'embedded'
      : (settings.source ?? (prometheusUrl && !settings.embeddedPlatform ? 'prometheus' : 'embedded'));
  if (name === 'embedded') return { name };
  if (!prometheusUrl)
    throw new ConfigError(configFile, [
      { field: 'prometheus_url', message: 'metrics.source prometheus needs prometheus_url' },
    ]);
  const queriesFile = settings.queriesPath
    ? resolve(dirname(configFile), settings.queriesPath)
    : settings.embeddedPlatform
      ? SHIPPED_QUERIES.embedded
      : SHIPPED_QUERIES.openfaas;
  return { name, url: prometheusUrl, queries: loadConfigFile(PrometheusQueriesSchema, queriesFile) };
}

/** What a source reads from once the measurement runs. */
export interface MetricsSourceContext {
  /** The embedded platform, for the embedded source. */
  platform?: EmbeddedPlatform | undefined;
  /** For the Prometheus source: window length, process regexes for power, whether Scaphandre runs. */
  prometheus: Omit<PrometheusSourceOptions, 'logger'>;
  logger: Logger;
  /** The configuration file, named in errors. */
  configFile: string;
}

/** Creates the chosen source. The embedded source without the embedded platform is a ConfigError. */
export function createMetricsSource(
  choice: MetricsSourceChoice,
  context: MetricsSourceContext,
): MetricsSource {
  if (choice.name === 'prometheus') {
    return new PrometheusMetricsSource(new PrometheusClient(choice.url), choice.queries, {
      ...context.prometheus,
      logger: context.logger,
    });
  }
  if (!context.platform) {
    throw new ConfigError(context.configFile, [
      {
        field: 'metrics.source',
        message: 'the embedded source reads the embedded platform: give platform.stack',
      },
    ]);
  }
  return new EmbeddedMetricsSource(context.platform);
}
