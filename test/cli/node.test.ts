import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterPlan } from '../../src/node/cluster.js';
import { processRef } from '../../src/node/processes.js';
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

  it('cluster up --strategy node-margin without its inputs exits 2 naming each flag, writing nothing', async () => {
    const clusterDir = join(dir, 'node-margin');
    const res = await dfaas(['--json', 'cluster', 'up', '--strategy', 'node-margin', '--dir', clusterDir]);
    expect(res.code, res.stderr).toBe(2);
    const { issues } = JSON.parse(res.stderr) as { issues: { field: string; message: string }[] };
    expect(issues.map((i) => i.field)).toEqual(['--forecaster-models', '--groups', '--threshold']);
    expect(existsSync(clusterDir)).toBe(false);
  });

  it('cluster up exits 2 naming a bad node-margin input, before writing anything', async () => {
    const clusterDir = join(dir, 'node-margin-bad');
    const nodeMargin = ['--strategy', 'node-margin', '--groups', 'examples/forecast/group_list.json'];
    const models = ['--forecaster-models', 'examples/forecast/models'];
    const cases: [string[], RegExp][] = [
      [[...models, '--threshold', 'cpu=150'], /--threshold: cpu: unknown key/],
      [[...models, '--threshold', 'cpu_usage_node=-1'], /--threshold: cpu_usage_node: .*>0/],
      [[...models, '--threshold', 'cpu_usage_node'], /--threshold must be NAME=NUMBER/],
      [
        [...models, '--threshold', 'cpu_usage_node=150', '--node-type', 'huge'],
        /--node-type: heavy, mid, light or a whole number/,
      ],
      [
        ['--forecaster-models', join(dir, 'no-models'), '--threshold', 'cpu_usage_node=150'],
        /cannot read the models folder/,
      ],
    ];
    for (const [flags, message] of cases) {
      const res = await dfaas(['cluster', 'up', '--dir', clusterDir, ...nodeMargin, ...flags]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(message);
    }
    expect(existsSync(clusterDir)).toBe(false);
  });

  it('cluster up into a folder whose cluster runs exits 2 naming it; cluster down there exits 1 once it has stopped', async () => {
    const clusterDir = join(dir, 'recorded');
    mkdirSync(clusterDir);
    const me = processRef(process.pid);
    const plan: ClusterPlan = { dir: clusterDir, strategy: 'recalc', nodes: [], clusterUp: me };
    writeFileSync(join(clusterDir, 'cluster.json'), JSON.stringify(plan));
    const up = await dfaas(['--json', 'cluster', 'up', '--dir', clusterDir]);
    expect(up.code, up.stderr).toBe(2);
    expect(JSON.parse(up.stderr)).toMatchObject({
      code: 'DFAAS_ERR_CLUSTER_RUNNING',
      message: `a cluster is running in ${clusterDir} (cluster up pid ${process.pid})`,
    });
    expect(readdirSync(clusterDir)).toEqual(['cluster.json']);

    // The same pid started at another time: another process, which down must leave alone.
    const reused = { ...plan, clusterUp: { pid: process.pid, startTime: (me?.startTime ?? 0) - 1 } };
    writeFileSync(join(clusterDir, 'cluster.json'), JSON.stringify(reused));
    const down = await dfaas(['--json', 'cluster', 'down', '--dir', clusterDir]);
    expect(down.code, down.stderr).toBe(1);
    expect(JSON.parse(down.stderr)).toMatchObject({
      code: 'DFAAS_ERR_CLUSTER_NOT_RUNNING',
      message: `no cluster running in ${clusterDir}: its processes have exited (cluster up pid ${process.pid})`,
    });
  });

  it('cluster down without a cluster names the missing file', async () => {
    const res = await dfaas(['cluster', 'down', '--dir', join(dir, 'none')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('cluster.json');
  });

  it('cluster status without a cluster names the missing file', async () => {
    const res = await dfaas(['cluster', 'status', '--dir', join(dir, 'none')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('cluster.json');
  });
});

describe('dfaas node id', () => {
  it('creates the key once and prints the same peer id the node announces with it', async () => {
    const key = join(dir, 'ids/node-a.key');
    const first = await dfaas(['--json', 'node', 'id', '--identity', key]);
    expect(first.code, first.stderr).toBe(0);
    const made = JSON.parse(first.stdout) as { peer_id: string; created: boolean };
    expect(made.created).toBe(true);
    expect(made.peer_id).toMatch(/^12D3KooW/);
    const again = await dfaas(['node', 'id', '--identity', key]);
    expect(again.stdout).toBe(`${made.peer_id}\n`); // the bare id, for shell scripts
    const { loadOrCreateIdentity, peerIdOf } = await import('../../src/node/peers/identity.js');
    expect(peerIdOf(await loadOrCreateIdentity(key))).toBe(made.peer_id);
  });

  it('exits 2 naming the file when it is not a libp2p key', async () => {
    const bad = join(dir, 'not-a-key');
    writeFileSync(bad, 'hello\n');
    const res = await dfaas(['node', 'id', '--identity', bad]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(bad);
    expect(res.stderr).toContain('not a libp2p private key');
  });
});
