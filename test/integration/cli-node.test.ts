import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dfaas node and cluster: bad input', () => {
  it('node up exits 2 naming the file and the field, before starting anything', () => {
    const file = join(dir, 'node.yaml');
    writeFileSync(file, 'agent:\n  strategy: fastest\n');
    const result = runCli(['node', 'up', '--config', file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('agent.strategy');
  });

  it('cluster up refuses a bad flag, and status without a cluster names the missing file', () => {
    const bad = runCli(['cluster', 'up', '--nodes', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--nodes');
    const status = runCli(['cluster', 'status', '--dir', join(dir, 'none')]);
    expect(status.status).toBe(2);
    expect(status.stderr).toContain('cluster.json');
  });
});
