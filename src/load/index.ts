import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { SamplerConfig } from '../config/sampler.js';
import { ConfigError } from '../core/errors.js';
import { findExecutable } from '../core/executable.js';
import type { Logger } from '../core/logger.js';
import { BuiltinLoadDriver } from './builtin/driver.js';
import type { LoadDriver } from './contract.js';
import { K6LoadDriver } from './k6/driver.js';
import { type K6RunSettings, LocalK6Runner } from './k6/local.js';
import { SshK6Runner } from './k6/ssh.js';

export type * from './contract.js';
export const LOAD_DRIVERS = ['builtin', 'k6'] as const;

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
