import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dfaas } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dfaas node and cluster: bad input', () => {
  it('node up exits 2 naming the file and the field, before starting anything', async () => {
    const file = join(dir, 'node.yaml');
    writeFileSync(file, 'agent:\n  strategy: fastest\n');
    const res = await dfaas(['node', 'up', '--config', file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(file);
    expect(res.stderr).toContain('agent.strategy');
  });

  it('node up with the haproxy driver and no HAProxy exits 2 naming the binary and the fix, before writing anything', async () => {
    for (const binary of [join(dir, 'no-such-dir/haproxy'), 'no-such-haproxy-on-path']) {
      const nodeDir = join(dir, binary.replace(/\W/g, '_'));
      mkdirSync(nodeDir);
      const file = join(nodeDir, 'node.yaml');
      writeFileSync(file, `proxy:\n  driver: haproxy\n  haproxy_binary: ${binary}\n`);
      const res = await dfaas(['--json', 'node', 'up', '--config', file]);
      expect(res.code, res.stderr).toBe(2);
      const [issue] = JSON.parse(res.stderr).issues;
      expect(issue.field).toBe('proxy.haproxy_binary');
      expect(issue.message).toContain(`no executable "${binary}"`);
      expect(issue.message).toMatch(/install HAProxy .*or choose proxy\.driver embedded/);
      expect(readdirSync(nodeDir)).toEqual(['node.yaml']); // no identity written, nothing started
    }
  });

  it('cluster up exits 2 naming a bad flag, before starting anything', async () => {
    const cases: [string[], RegExp][] = [
      [['--strategy', 'fastest'], /--strategy: unknown strategy "fastest" \(one of .*recalc/],
      [['--period', 'soon'], /--period: must be a duration > 0/],
      [['--stack', join(dir, 'none.yml')], /cannot read file/],
    ];
    for (const [flags, message] of cases) {
      const res = await dfaas(['cluster', 'up', '--dir', join(dir, 'never'), ...flags]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(message);
    }
  });

  it('cluster status without a cluster names the missing file', async () => {
    const res = await dfaas(['cluster', 'status', '--dir', join(dir, 'none')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('cluster.json');
  });
});
