import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { chooseMetricsSource, createMetricsSource } from '../../src/metrics/index.js';
import { recordingLogger } from '../helpers/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-metrics-registry-'));
const configFile = join(dir, 'sample.yaml');

describe('the metrics-source registry', () => {
  it('defaults to embedded on the embedded platform, to prometheus for a gateway elsewhere', () => {
    const { logger } = recordingLogger();
    const url = 'http://127.0.0.1:9090';
    expect(chooseMetricsSource({ embeddedPlatform: true, prometheusUrl: url, configFile }, logger).name).toBe(
      'embedded',
    );
    const remote = chooseMetricsSource({ embeddedPlatform: false, prometheusUrl: url, configFile }, logger);
    expect(remote).toMatchObject({ name: 'prometheus', url });
    // The shipped OpenFaaS profile: the function's container by cAdvisor's runtime label, as the reference's.
    expect(remote.name === 'prometheus' && remote.queries.function_cpu).toMatch(
      /container_label_io_kubernetes_container_name="\{function\}"/,
    );
  });

  it('reads the old name "local" as embedded, with a deprecation warning', () => {
    const { entries, logger } = recordingLogger();
    const choice = chooseMetricsSource({ source: 'local', embeddedPlatform: true, configFile }, logger);
    expect(choice.name).toBe('embedded');
    expect(entries).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(/sample\.yaml: metrics\.source "local" is deprecated, use "embedded"/),
      }),
    ]);
  });

  it('refuses prometheus without a URL and a bad queries file before anything starts, naming them', () => {
    const { logger } = recordingLogger();
    const noUrl = () =>
      chooseMetricsSource({ source: 'prometheus', embeddedPlatform: true, configFile }, logger);
    expect(noUrl).toThrow(ConfigError);
    expect(noUrl).toThrow(/prometheus_url/);
    writeFileSync(join(dir, 'queries.yml'), 'node_cpu: up\nnode_cpus: up\n');
    const badQueries = () =>
      chooseMetricsSource(
        {
          source: 'prometheus',
          prometheusUrl: 'http://127.0.0.1:9090',
          queriesPath: 'queries.yml',
          embeddedPlatform: false,
          configFile,
        },
        logger,
      );
    expect(badQueries).toThrow(join(dir, 'queries.yml'));
    expect(badQueries).toThrow(/node_cpus: unknown key/);
  });

  it('will not create the embedded source without the embedded platform', () => {
    const { logger } = recordingLogger();
    const create = () =>
      createMetricsSource(
        { name: 'embedded' },
        {
          prometheus: { durationMs: 1000, pidRegexes: {}, scaphandre: false, settleMs: 0 },
          logger,
          configFile,
        },
      );
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(/metrics\.source/);
  });
});
