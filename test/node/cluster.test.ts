import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/core/errors.js';
import { freeLoopbackPort } from '../../src/core/net.js';
import type { AgentStatus } from '../../src/node/agent/agent.js';
import { type ClusterNode, waitForMesh, waitForNode } from '../../src/node/cluster.js';
import { NodeExitedError } from '../../src/node/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A cluster node whose agent is at `agentUrl` (nothing else is used by the waits). */
function clusterNode(name: string, agentUrl: string, log = `/tmp/${name}.log`): ClusterNode {
  return {
    name,
    peerId: name,
    config: `${name}.yaml`,
    log,
    proxyUrl: 'http://127.0.0.1:1',
    agentUrl,
    p2pAddress: '',
  };
}

/** An agent URL where nothing listens. */
async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freeLoopbackPort()}`;
}

const running = { exitCode: null, signalCode: null } as ChildProcess;

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** An agent answering /agent/status with `status`. */
async function agentAnswering(status: Partial<AgentStatus>): Promise<string> {
  server = createServer((_req, res) => res.end(JSON.stringify(status)));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('cluster start waits', () => {
  it('says which node exited and where its log is', async () => {
    const exited = { exitCode: 3, signalCode: null } as ChildProcess;
    const wait = waitForNode(clusterNode('node-1', await deadUrl()), exited, 5_000);
    await expect(wait).rejects.toThrow(NodeExitedError);
    await expect(wait).rejects.toThrow('node-1 exited (3); see /tmp/node-1.log');
  });

  it('says why a node exited when its log tells (its --json error report)', async () => {
    const log = join(dir, 'node-1.log');
    const message = 'listen EADDRINUSE: address already in use 127.0.0.1:8080';
    writeFileSync(log, `${JSON.stringify({ code: 'DFAAS_ERR_INTERNAL', message })}\n`);
    const exited = { exitCode: 1, signalCode: null } as ChildProcess;
    const wait = waitForNode(clusterNode('node-1', await deadUrl(), log), exited, 5_000);
    await expect(wait).rejects.toThrow(`node-1 exited (1): ${message}; see ${log}`);
  });

  it('times out naming the node that never ran a period', async () => {
    const url = await agentAnswering({ periods: 0 });
    const wait = waitForNode(clusterNode('node-2', url), running, 300);
    await expect(wait).rejects.toThrow(TimeoutError);
    await expect(wait).rejects.toThrow(/node-2 to start and run a period \(see \/tmp\/node-2\.log\)/);
  });

  it('times out with the last error the node logged, when it logged one', async () => {
    const log = join(dir, 'node-3.log');
    const error = { level: 'error', message: 'agent period failed', error: 'forecaster refused' };
    writeFileSync(log, `${JSON.stringify(error)}\n`);
    const url = await agentAnswering({ periods: 0 });
    const wait = waitForNode(clusterNode('node-3', url, log), running, 300);
    await expect(wait).rejects.toThrow(
      /run a period .*:\nits last error: agent period failed: forecaster refused$/,
    );
  });

  it('says who sees whom when the mesh does not form', async () => {
    const url = await agentAnswering({ peers: [], connectedPeers: ['x'], periods: 2, lastError: 'boom' });
    const wait = waitForMesh([clusterNode('node-1', url), clusterNode('node-2', await deadUrl())], 300);
    await expect(wait).rejects.toThrow(TimeoutError);
    await expect(wait).rejects.toThrow(
      'the nodes did not all see each other within 300 ms (node-1: 0 live neighbours, 1 connected, ' +
        '2 periods, last error: boom; node-2: no status)',
    );
  });
});
