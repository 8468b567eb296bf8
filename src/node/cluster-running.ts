import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pollUntil, pollWithin } from '../core/poll.js';
import { type ClusterPlan, readClusterPlan } from './cluster.js';
import { ClusterNotRunningError, ClusterRunningError } from './errors.js';
import { isRunning, type ProcessRef } from './processes.js';

/**
 * Which processes of a cluster folder still run (from the records in its cluster.json), and
 * stopping them: `dfaas cluster down`, and `cluster up`'s refusal to start over a running cluster.
 */

/** A recorded process of the cluster: `cluster up` or a node. */
interface ClusterProcess {
  name: string;
  process: ProcessRef;
}

export interface StoppedProcess {
  name: string;
  pid: number;
  /** SIGTERM: it stopped in order; SIGKILL: it had not stopped within the timeout. */
  signal: 'SIGTERM' | 'SIGKILL';
}

const CLUSTER_UP = 'cluster up';

/** Every process cluster.json records, running or not. */
function recordedProcesses(plan: ClusterPlan): ClusterProcess[] {
  const nodes = plan.nodes.flatMap((n) => (n.process ? [{ name: n.name, process: n.process }] : []));
  return plan.clusterUp ? [{ name: CLUSTER_UP, process: plan.clusterUp }, ...nodes] : nodes;
}

function runningProcesses(plan: ClusterPlan): ClusterProcess[] {
  return recordedProcesses(plan).filter((p) => isRunning(p.process));
}

const listed = (ps: ClusterProcess[]) => ps.map((p) => `${p.name} pid ${p.process.pid}`);

/** Bad input when `dir` holds a cluster that still runs: starting another there would overwrite it. */
export function checkNoClusterRunning(dir: string): void {
  if (!existsSync(join(resolve(dir), 'cluster.json'))) return;
  const running = runningProcesses(readClusterPlan(dir));
  if (running.length > 0) throw new ClusterRunningError(dir, listed(running));
}

/**
 * Stops the cluster of a folder and resolves with what it stopped. `cluster up`, when it runs,
 * gets SIGTERM and stops its nodes in order (each one's proxy, platform and replicas) before it
 * exits; without it, each node gets SIGTERM. Never both: a node that gets a second signal exits
 * at once, leaving its replicas behind. What still runs after `timeoutMs` gets SIGKILL (a node
 * with its process group).
 */
export async function stopCluster(plan: ClusterPlan, timeoutMs: number): Promise<StoppedProcess[]> {
  const running = runningProcesses(plan);
  if (running.length === 0) throw new ClusterNotRunningError(plan.dir, listed(recordedProcesses(plan)));
  const clusterUp = running.find((p) => p.name === CLUSTER_UP);
  for (const p of clusterUp ? [clusterUp] : running) signal(p.process.pid, 'SIGTERM');
  const allGone = () => running.every((p) => !isRunning(p.process));
  const stopped = await pollWithin(allGone, { timeoutMs, everyMs: 100, what: 'the cluster to stop' });
  if (stopped) return running.map((p) => ({ name: p.name, pid: p.process.pid, signal: 'SIGTERM' }));
  const left = running.filter((p) => isRunning(p.process));
  for (const p of left) signal(p.name === CLUSTER_UP ? p.process.pid : -p.process.pid, 'SIGKILL');
  await pollUntil(allGone, {
    timeoutMs: 5_000,
    everyMs: 100,
    what: `${listed(left).join(', ')} to end after SIGKILL`,
  });
  return running.map((p) => ({
    name: p.name,
    pid: p.process.pid,
    signal: left.includes(p) ? 'SIGKILL' : 'SIGTERM',
  }));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone meanwhile
  }
}
