import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../src/core/net.js';
import { waitFor } from './wait.js';

/** A target Prometheus scrapes besides node_exporter. */
export interface ScrapeJob {
  name: string;
  /** host:port */
  target: string;
  /** Default /metrics. */
  path?: string;
}

export interface RunningPrometheus {
  url: string;
  /** Kills Prometheus and node_exporter. */
  stop(): void;
}

/**
 * Debian's node_exporter and Prometheus on free loopback ports, Prometheus (data in `dir`)
 * scraping node_exporter and `jobs` every second; resolves once Prometheus answers ready.
 */
export async function startPrometheus(
  binaries: { prometheus: string; nodeExporter: string },
  dir: string,
  jobs: ScrapeJob[] = [],
): Promise<RunningPrometheus> {
  const [exporterPort, promPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const children: ChildProcess[] = [
    spawn(binaries.nodeExporter, [`--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: 'ignore' }),
  ];
  const stop = () => {
    for (const c of children) c.kill('SIGKILL');
  };
  const job = ({ name, target, path = '/metrics' }: ScrapeJob) =>
    `  - { job_name: ${name}, metrics_path: ${path}, static_configs: [{ targets: ["${target}"] }] }`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      ...[{ name: 'node', target: `127.0.0.1:${exporterPort}` }, ...jobs].map(job),
    ].join('\n'),
  );
  children.push(
    spawn(
      binaries.prometheus,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    ),
  );
  const url = `http://127.0.0.1:${promPort}`;
  try {
    await waitFor(
      'prometheus ready',
      () =>
        fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      30_000,
    );
  } catch (err) {
    stop();
    throw err;
  }
  return { url, stop };
}
