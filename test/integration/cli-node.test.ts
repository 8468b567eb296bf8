import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freeLoopbackPort } from '../../src/core/net.js';
import { SERVED_BY_HEADER } from '../../src/offload/routing.js';
import { descendants, dfaas } from '../helpers/cli.js';
import { CLUSTER_LOCK, exclusive } from '../helpers/exclusive.js';
import { nodeLogs } from '../helpers/node-logs.js';
import { portIsFree } from '../helpers/ports.js';
import { serviceBinary } from '../helpers/services.js';
import { alive, waitFor } from '../helpers/wait.js';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = 'src/cli/main.ts';

/** A process's command line, or '' once it has exited (e.g. HAProxy's worker before a reload). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The dfaas executable end to end: clusters of node processes until Ctrl-C, and a node killed
// alone. Bad input and exit codes are tested in-process in test/cli/node.test.ts.
describe.each([
  ['embedded', true],
  ['haproxy', serviceBinary('/usr/sbin/haproxy') !== undefined],
] as const)('dfaas cluster up --proxy %s', (proxy, available) => {
  it.runIf(available)(
    'starts 3 connected nodes, prints their proxy URLs, reports status, and Ctrl-C leaves nothing running',
    // The whole machine is this test's: see exclusive().
    () =>
      exclusive(CLUSTER_LOCK, async () => {
        const clusterDir = join(dir, `cluster-${proxy}`);
        const child = spawn(
          process.execPath,
          [
            '--import',
            tsx,
            MAIN,
            'cluster',
            'up',
            '--nodes',
            '3',
            '--proxy',
            proxy,
            '--period',
            '1s',
            '--dir',
            clusterDir,
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (c: Buffer) => (stdout += c));
        child.stderr?.on('data', (c: Buffer) => (stderr += c));
        const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
        try {
          // Fails at once, with what cluster up and the nodes logged, if cluster up gives up.
          await waitFor(
            'cluster up to print its nodes',
            () => {
              if (child.exitCode !== null)
                throw new Error(`cluster up exited ${child.exitCode}:\n${stderr}${nodeLogs(clusterDir)}`);
              return stdout.includes('Ctrl-C');
            },
            120_000,
          );
          const urls = [...stdout.matchAll(/(http:\/\/127\.0\.0\.1:\d+)\/function\/NAME/g)].map(
            (m) => m[1] as string,
          );
          expect(urls).toHaveLength(3);
          const nodes = descendants(child.pid as number);

          // A request through a node's proxy, answered by a node of the cluster.
          const res = await fetch(`${urls[0]}/function/echo`, { method: 'POST', body: 'hi' });
          expect(res.status).toBe(200);
          expect(await res.text()).toBe('hi');
          expect(res.headers.get(SERVED_BY_HEADER)).toMatch(/^12D3KooW/);

          await waitFor('every node to see its 2 peers', async () => {
            const status = await dfaas(['--json', 'cluster', 'status', '--dir', clusterDir]);
            const nodes = JSON.parse(status.stdout) as { peers: unknown[]; proxy: { kind: string } }[];
            return nodes.length === 3 && nodes.every((n) => n.peers.length === 2 && n.proxy.kind === proxy);
          });
          const table = await dfaas(['cluster', 'status', '--dir', clusterDir]);
          expect(table.code).toBe(0);
          expect(table.stdout).toMatch(/node-1\s+node-\d,node-\d\s+echo/);
          expect(table.stdout).toContain('figlet');

          // Every node stops cleanly on its own, well before cluster up's 15 s SIGKILL.
          const stopping = performance.now();
          child.kill('SIGINT');
          expect(await exited).toBe(0);
          expect(performance.now() - stopping).toBeLessThan(10_000);
          await waitFor('every node process to end', () => nodes.every((pid) => !alive(pid)), 20_000);
        } finally {
          child.kill('SIGKILL');
        }
      }),
    600_000,
  );
});

describe.runIf(serviceBinary('/usr/sbin/haproxy') !== undefined)('dfaas node up --proxy haproxy', () => {
  it('killed alone with SIGKILL, leaves no HAProxy behind holding its port', async () => {
    const [proxyPort, agentPort, p2pPort] = [
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
    ];
    const config = join(dir, 'killed-node.yaml');
    writeFileSync(
      config,
      stringify({
        node_id: 'killed',
        identity_file: join(dir, 'killed.key'),
        listen: [`/ip4/127.0.0.1/tcp/${p2pPort}`],
        agent_port: agentPort,
        proxy: { driver: 'haproxy', port: proxyPort },
        platform: { stack: resolve('examples/stack.yml') },
        agent: { strategy: 'all-local', period: '1s' },
      }),
    );
    const child = spawn(process.execPath, ['--import', tsx, MAIN, 'node', 'up', '--config', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c));
    let below: number[] = [];
    try {
      await waitFor(
        'the node to serve through HAProxy',
        async () => {
          if (child.exitCode !== null) throw new Error(`node up exited ${child.exitCode}:\n${stderr}`);
          const res = await fetch(`http://127.0.0.1:${proxyPort}/function/echo`, {
            method: 'POST',
            body: 'hi',
          }).catch(() => undefined);
          return res?.status === 200;
        },
        60_000,
      );
      // Its master and a worker (listed again if a worker was just being replaced at a reload).
      await waitFor('HAProxy master and worker under the node', () => {
        below = descendants(child.pid as number);
        return below.filter((pid) => commandLine(pid).includes('haproxy')).length >= 2;
      });

      child.kill('SIGKILL'); // the node alone, not its process group
      await waitFor('every process the node started to end', () => below.every((pid) => !alive(pid)), 20_000);
      expect(await portIsFree(proxyPort)).toBe(true);
    } finally {
      for (const pid of [child.pid as number, ...below]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 180_000);
});
