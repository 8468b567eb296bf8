import { describe, expect, it } from 'vitest';
import { badFlag, reportError } from '../../src/cli/errors.js';
import { ConfigError, DfaasError, ExitCode, TimeoutError } from '../../src/core/errors.js';

function report(err: unknown, json = false): { code: number; stderr: string } {
  let stderr = '';
  const code = reportError(err, { write: (s: string) => (stderr += s) }, json);
  return { code, stderr };
}

describe('reportError', () => {
  it('takes the exit code from the error, never from its message', () => {
    expect(report(new DfaasError('DFAAS_ERR_X', 'bad input in disguise', { exitCode: 2 })).code).toBe(2);
    expect(report(new DfaasError('DFAAS_ERR_X', 'bad input: looks like input')).code).toBe(ExitCode.failed);
    expect(report(new TimeoutError('took too long')).code).toBe(1);
    expect(report(new Error('bad input in x.yaml')).code).toBe(1);
    expect(report('a string').code).toBe(1);
  });

  it('names the file and each field of bad input, as it always has, then the code', () => {
    const err = new ConfigError('stack.yml', [
      { field: 'functions.a.imagee', message: 'unknown key' },
      { field: '', message: 'not YAML' },
    ]);
    expect(report(err)).toEqual({
      code: 2,
      stderr:
        'dfaas: bad input in stack.yml\n  functions.a.imagee: unknown key\n  (file): not YAML\n  (DFAAS_ERR_BAD_INPUT, see docs/errors.md)\n',
    });
    expect(report(badFlag('--rate', 'give the requests per second')).stderr).toMatch(
      /^dfaas: bad input in command line\n {2}--rate: give the requests per second\n/,
    );
  });

  it('prints the message, the hint and the code of a DfaasError; anything else is DFAAS_ERR_INTERNAL', () => {
    const err = new DfaasError('DFAAS_ERR_PORT_IN_USE', 'port 8080 is taken', { hint: 'use --port 0' });
    expect(report(err).stderr).toBe(
      'dfaas: port 8080 is taken\n  hint: use --port 0\n  (DFAAS_ERR_PORT_IN_USE, see docs/errors.md)\n',
    );
    expect(report(new Error('boom')).stderr).toBe(
      'dfaas: boom\n  (DFAAS_ERR_INTERNAL, see docs/errors.md)\n',
    );
  });

  it('with --json, prints one JSON object {code, message, hint} on stderr', () => {
    const err = new DfaasError('DFAAS_ERR_PORT_IN_USE', 'port 8080 is taken', { hint: 'use --port 0' });
    const out = report(err, true);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stderr)).toEqual({
      code: 'DFAAS_ERR_PORT_IN_USE',
      message: 'port 8080 is taken',
      hint: 'use --port 0',
    });
    const bad = JSON.parse(report(badFlag('--url', 'give --url'), true).stderr);
    expect(bad).toEqual({
      code: 'DFAAS_ERR_BAD_INPUT',
      message: 'command line: --url: give --url',
      source: 'command line',
      issues: [{ field: '--url', message: 'give --url' }],
    });
    expect(JSON.parse(report(new Error('boom'), true).stderr)).toEqual({
      code: 'DFAAS_ERR_INTERNAL',
      message: 'boom',
    });
  });

  it('reports running out of file descriptors as the open-file limit, not as what failed for it', () => {
    const emfile = Object.assign(new Error("EMFILE: too many open files, open 'x.js'"), { code: 'EMFILE' });
    const out = report(emfile);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      /^dfaas: too many open files: .*open-file limit \(ulimit -n\) is \d+, too low/,
    );
    expect(out.stderr).toMatch(/hint: raise it, e\.g\. `ulimit -n 4096`/);
    expect(out.stderr).toContain('DFAAS_ERR_OPEN_FILE_LIMIT');
    // With the limit this test runs under (1024 or more), a missing module is missing indeed.
    const missing = Object.assign(new Error("Cannot find package 'nope'"), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(report(missing).stderr).toMatch(/^dfaas: Cannot find package 'nope'\n.*DFAAS_ERR_INTERNAL/s);
  });
});
