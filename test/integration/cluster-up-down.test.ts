import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/node/agent/agent.js';
import {
  type ClusterNode,
  planCluster,
  readClusterPlan,
  spawnClusterNode,
  startCluster,
} from '../../src/node/cluster.js';
import { NodeExitedError } from '../../src/node/errors.js';
import { dfaas } from '../helpers/cli.js';
import { CLUSTER_LOCK, exclusive } from '../helpers/exclusive.js';
import { nodeLogs } from '../helpers/node-logs.js';
import { portIsFree } from '../helpers/ports.js';
import { alive, waitFor } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-cluster-up-down-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Every loopback port a node listens on, from its cluster.json entry. */
function portsOf(node: ClusterNode): number[] {
  return [node.proxyUrl, node.agentUrl]
    .map((u) => Number(new URL(u).port))
    .concat(Number(/\/tcp\/(\d+)\//.exec(node.p2pAddress)?.[1]));
}

const NODE_MARGIN = [
  ...['--strategy', 'node-margin', '--forecaster-models', 'examples/forecast/models'],
  ...['--groups', 'examples/forecast/group_list.json', '--threshold', 'cpu_usage_node=150'],
];

/**
 * `dfaas cluster up ARGS &` as in a shell: a process nobody stops but `cluster down`. Resolves
 * once it has printed its nodes; fails with its output and the nodes' logs if it exits first.
 */
async function clusterUpInBackground(clusterDir: string, args: string[]) {
  const command = ['--import', tsx, 'src/cli/main.ts', 'cluster', 'up', '--dir', clusterDir, ...args];
  const child = spawn(process.execPath, command, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const printed = () => {
    if (child.exitCode !== null)
      throw new Error(`cluster up exited ${child.exitCode}:\n${output}${nodeLogs(clusterDir)}`);
    return output.includes('cluster down --dir');
  };
  try {
    await waitFor('cluster up to print its nodes', printed, 25_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, exited };
}

/** A recalc cluster of `nodes` on the embedded proxy, planned in a folder of its own. */
function embeddedPlan(name: string, nodes: number) {
  return planCluster({ nodes, strategy: 'recalc', proxy: 'embedded', periodMs: 1000, dir: join(dir, name) });
}

describe('dfaas cluster up and down', () => {
  it(
    'cluster up --strategy node-margin with models, groups and a threshold runs in the background; cluster down stops it and frees its ports',
    () =>
      exclusive(CLUSTER_LOCK, async () => {
        const clusterDir = join(dir, 'node-margin');
        const args = ['--nodes', '2', '--proxy', 'embedded', '--period', '500ms', ...NODE_MARGIN];
        const { child: up, exited } = await clusterUpInBackground(clusterDir, args);
        try {
          const plan = readClusterPlan(clusterDir);
          expect(plan.clusterUp?.pid).toBe(up.pid);
          const pids = plan.nodes.map((n) => n.process?.pid as number);
          expect(pids.every((pid) => alive(pid))).toBe(true);

          const status = await dfaas(['--json', 'cluster', 'status', '--dir', clusterDir]);
          const statuses = JSON.parse(status.stdout) as AgentStatus[];
          expect(statuses.map((s) => [s.strategy, s.lastError])).toEqual([
            ['node-margin', null],
            ['node-margin', null],
          ]);

          // From another process than cluster up's, as from another terminal.
          const down = await dfaas(['--json', 'cluster', 'down', '--dir', clusterDir]);
          expect(down.code, down.stderr).toBe(0);
          expect(JSON.parse(down.stdout)).toEqual([
            { name: 'cluster up', pid: up.pid, signal: 'SIGTERM' },
            ...plan.nodes.map((n) => ({ name: n.name, pid: n.process?.pid, signal: 'SIGTERM' })),
          ]);
          expect(await exited).toBe(0);
          expect(pids.filter((pid) => alive(pid))).toEqual([]);
          for (const port of plan.nodes.flatMap(portsOf))
            expect(await portIsFree(port), `port ${port}`).toBe(true);

          // Nothing runs there any more: a second down says so.
          const again = await dfaas(['--json', 'cluster', 'down', '--dir', clusterDir]);
          expect(again.code).toBe(1);
          expect(JSON.parse(again.stderr).code).toBe('DFAAS_ERR_CLUSTER_NOT_RUNNING');
        } finally {
          up.kill('SIGKILL');
        }
      }),
    120_000,
  );

  it('a node that cannot start names the cause, not only its log', async () => {
    const plan = await embeddedPlan('port-in-use', 2);
    const [first] = plan.nodes as [ClusterNode];
    const port = Number(new URL(first.proxyUrl).port);
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const starting = startCluster(plan, { timeoutMs: 20_000 });
      await expect(starting).rejects.toThrow(NodeExitedError);
      await expect(starting).rejects.toThrow(
        `node-1 exited (1): listen EADDRINUSE: address already in use 127.0.0.1:${port}; see ${first.log}`,
      );
    } finally {
      squatter.close();
    }
  }, 60_000);

  it('a node whose cluster up is gone before it has started stops by itself once started', async () => {
    const plan = await embeddedPlan('orphan', 1);
    const [node] = plan.nodes as [ClusterNode];
    const child = spawnClusterNode(node);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // As when cluster up is killed while its nodes start: the channel closes before the node listens to it.
    child.disconnect();
    try {
      await waitFor('the node to stop by itself', () => child.exitCode !== null, 30_000);
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
