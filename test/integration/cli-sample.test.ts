import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// The dfaas executable end to end (its exit code and streams); the plan, parsing and bad input
// are tested in-process in test/cli/sample.test.ts.
describe('dfaas sample (the executable)', () => {
  it('prints the plan as JSON on stdout with exit code 0, and exits 2 for a config it cannot read', () => {
    const res = runCli(['--json', 'sample', '--config', 'examples/sample.yaml', '--dry-run']);
    expect(res.status, res.stderr).toBe(0);
    expect((JSON.parse(res.stdout) as { configs: unknown[] }).configs).toHaveLength(19);
    const missing = runCli(['sample', '--config', 'no-such-sample.yaml', '--dry-run']);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^dfaas: bad input in no-such-sample\.yaml\n/);
  }, 60_000);
});
