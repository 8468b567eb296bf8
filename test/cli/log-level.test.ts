import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLogLevel } from '../../src/cli/options.js';
import { createProgram } from '../../src/cli/program.js';
import { ConfigError } from '../../src/core/errors.js';

/** Runs a command line in-process with this environment (the one of the test process is not read). */
async function run(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await createProgram({
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    untilSignal: async () => {},
    env,
  }).run(['node', 'dfaas', ...args]);
  return { code, stdout, stderr };
}

// A dry run that logs one info line (the embedded built-ins) and nothing at warn.
const dir = mkdtempSync(join(tmpdir(), 'dfaas-log-level-'));
const config = join(dir, 'sample.yaml');
writeFileSync(config, 'functions: [{ name: figlet }]\nrates: { max_rate: 10 }\n');
const sample = ['sample', '--config', config, '--dry-run'];
const INFO_LINE = /no platform or gateway_url/;

describe('the log level from the environment', () => {
  it('reads DFAAS_LOG_LEVEL, then LB_LOG_LEVEL, in any case, with Python level names', () => {
    expect(resolveLogLevel(undefined, {})).toBe('info');
    expect(resolveLogLevel(undefined, { LB_LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(resolveLogLevel(undefined, { LB_LOG_LEVEL: 'WARNING' })).toBe('warn');
    expect(resolveLogLevel(undefined, { LB_LOG_LEVEL: 'CRITICAL' })).toBe('error');
    expect(resolveLogLevel(undefined, { DFAAS_LOG_LEVEL: 'error', LB_LOG_LEVEL: 'debug' })).toBe('error');
    expect(resolveLogLevel(undefined, { DFAAS_LOG_LEVEL: '', LB_LOG_LEVEL: 'silent' })).toBe('silent');
    // The flag wins, and then the variables are not read (a bad one included).
    expect(resolveLogLevel('info', { DFAAS_LOG_LEVEL: 'nope', LB_LOG_LEVEL: 'debug' })).toBe('info');
    expect(() => resolveLogLevel(undefined, { LB_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
  });

  it('sets the level of a command as --log-level does; --log-level wins', async () => {
    expect((await run(sample, {})).stderr).toMatch(INFO_LINE);
    expect((await run(sample, { LB_LOG_LEVEL: 'WARNING' })).stderr).not.toMatch(INFO_LINE);
    expect((await run(sample, { DFAAS_LOG_LEVEL: 'error' })).stderr).not.toMatch(INFO_LINE);
    const flag = await run(['--log-level', 'info', ...sample], {
      LB_LOG_LEVEL: 'error',
      DFAAS_LOG_LEVEL: 'error',
    });
    expect(flag.code).toBe(0);
    expect(flag.stderr).toMatch(INFO_LINE);
  });

  it('exits 2 naming the variable of a bad value', async () => {
    const res = await run(sample, { LB_LOG_LEVEL: 'verbose' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('bad input in environment');
    expect(res.stderr).toMatch(/LB_LOG_LEVEL: must be one of debug, info, warn, error, silent.*"verbose"/);
    const json = await run(['--json', ...sample], { DFAAS_LOG_LEVEL: 'loud' });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({ issues: [{ field: 'DFAAS_LOG_LEVEL' }] });
  });
});
