import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { Scenario } from '../config/load-scenarios.js';
import type { Logger } from '../config/logger.js';
import type { SamplerConfig } from '../config/sampler.js';
import { runLoad } from '../load/generator.js';
import { findExecutable, type K6Runner, type K6RunSettings, LocalK6Runner } from '../load/k6-runner.js';
import { k6ScenarioId } from '../load/k6-script.js';
import { SshK6Runner } from '../load/k6-ssh.js';
import { parseK6Summary, type ScenarioFigures, toK6Summary } from '../load/k6-summary.js';
import type { PlannedConfig } from './plan.js';

/** What one configuration's load did, read from its k6-shaped summary whichever driver sent it. */
export interface ConfigurationLoad {
  /** The k6 `--summary-export` JSON (saved as summaries/ID-ITERATION.json). */
  summary: unknown;
  /** Per function with a rate above 0; undefined for the others. */
  figures(functionName: string): ScenarioFigures | undefined;
}

export interface LoadTarget {
  /** Base URL of the gateway. */
  gatewayUrl: string;
  /** The configuration's k6 script, already in k6_scripts/ (with that URL in it). */
  scriptPath: string;
}

/** Sends a configuration's load: the built-in generator, or k6 running its script. */
export interface LoadDriver {
  readonly where: string;
  /** Fails early when the driver cannot work (k6 host unreachable, key refused). */
  open(): Promise<void>;
  run(planned: PlannedConfig, target: LoadTarget): Promise<ConfigurationLoad>;
  close(): Promise<void>;
}

const read = (summary: unknown, source: string): ConfigurationLoad => {
  const parsed = parseK6Summary(summary, source);
  return { summary, figures: (name) => parsed.scenario(k6ScenarioId(name)) };
};

/** The built-in open-model generator, with the same scenarios as the k6 script. */
export class BuiltinLoadDriver implements LoadDriver {
  readonly where = 'built-in generator';

  constructor(private readonly config: SamplerConfig) {}

  async run(planned: PlannedConfig, { gatewayUrl }: LoadTarget): Promise<ConfigurationLoad> {
    const scenarios: Record<string, Scenario> = {};
    for (const f of this.config.functions) {
      const rate = planned.rates[f.name];
      if (!rate) continue;
      const vus = Math.max(1, Math.ceil(rate));
      scenarios[k6ScenarioId(f.name)] = {
        executor: 'constant-arrival-rate',
        rate,
        timeUnit: 1000,
        duration: this.config.duration,
        preAllocatedVUs: vus,
        maxVUs: vus,
        request: {
          method: f.method,
          url: `${gatewayUrl}/function/${f.name}`,
          body: f.body,
          headers: f.headers,
        },
      };
    }
    // A configuration whose rates are all 0 still takes its duration: it measures the idle node.
    if (Object.keys(scenarios).length === 0) {
      await new Promise((r) => setTimeout(r, this.config.duration));
      return read({ metrics: {} }, this.where);
    }
    return read(JSON.parse(JSON.stringify(toK6Summary(await runLoad(scenarios)))), this.where);
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {}
}

/** k6 runs each configuration's script, here or on the k6 host. */
export class K6LoadDriver implements LoadDriver {
  constructor(
    private readonly runner: K6Runner,
    private readonly durationMs: number,
  ) {}

  get where(): string {
    return this.runner.where;
  }

  async run(_planned: PlannedConfig, { scriptPath }: LoadTarget): Promise<ConfigurationLoad> {
    // k6 stops a scenario's last iterations within its gracefulStop (30 s); a minute more for
    // starting, the summary and the SSH round trips.
    const summary = await this.runner.run(scriptPath, this.durationMs + 90_000);
    return read(summary, this.runner.where);
  }

  open(): Promise<void> {
    return this.runner.open();
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}

/**
 * The driver a configuration asks for: k6 when load_driver is k6 or a k6_host is given (on that
 * host over SSH, else the local k6_binary, which must exist), else the built-in generator.
 * Throws a ConfigError naming load_driver when k6 is asked for and cannot be found.
 */
export function createLoadDriver(
  config: SamplerConfig,
  opts: { configFile: string; runId: string; logger: Logger },
): LoadDriver {
  const driver = config.load_driver ?? (config.k6_host ? 'k6' : 'builtin');
  if (driver === 'builtin') return new BuiltinLoadDriver(config);
  const settings: K6RunSettings = {
    binary: config.k6_binary,
    outputs: config.k6_outputs,
    tags: config.k6_tags,
  };
  if (config.k6_host) {
    const runner = new SshK6Runner(
      {
        host: config.k6_host,
        port: config.k6_port,
        user: config.k6_user ?? '',
        ...(config.k6_ssh_key
          ? {
              privateKeyPath: resolve(
                dirname(opts.configFile),
                config.k6_ssh_key.replace(/^~(?=\/)/, homedir()),
              ),
            }
          : {}),
        ...(config.k6_host_fingerprint ? { hostFingerprint: config.k6_host_fingerprint } : {}),
        workspace: `${config.k6_workspace_root.replace(/\/+$/, '')}/${opts.runId}`,
      },
      settings,
      (fingerprint) =>
        opts.logger.info(`k6 host ${config.k6_host} has key ${fingerprint}`, {
          pin: config.k6_host_fingerprint ? 'checked' : 'not pinned: set k6_host_fingerprint to pin it',
        }),
    );
    return new K6LoadDriver(runner, config.duration);
  }
  const executable = findExecutable(config.k6_binary);
  if (!executable) {
    throw new ConfigError(opts.configFile, [
      {
        field: 'k6_binary',
        message: `load_driver k6: no executable "${config.k6_binary}" on PATH; install k6, set k6_binary, or give k6_host`,
      },
    ]);
  }
  return new K6LoadDriver(new LocalK6Runner(executable, settings), config.duration);
}
