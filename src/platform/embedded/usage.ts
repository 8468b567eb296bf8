import { readNodeCpu, readNodeMemory, readProcesses, sumByGroup } from '../../core/proc.js';
import type { EmbeddedFunction } from './function.js';

/** Resource use of one function's replica processes (each replica's whole process group). */
export interface FunctionResourceUsage {
  /** CPU seconds used by all replicas since the function was deployed (monotonic). */
  cpuSecondsTotal: number;
  /** CPU in use over the last sampling interval, in millicores. */
  cpuMillicores: number;
  /** Resident memory of the live replicas, in bytes. */
  memoryBytes: number;
}

export interface NodeUsage {
  /** Busy fraction of all CPUs over the last sampling interval, 0..1. */
  cpuUtilisation: number;
  cores: number;
  memoryTotalBytes: number;
  memoryUsedBytes: number;
}

interface FunctionAccount {
  /** CPU seconds of replicas that have ended. */
  retired: number;
  /** Last CPU seconds seen per live replica pid. */
  perReplica: Map<number, number>;
  /** The last raw sum (retired + live groups), to take the next delta from. */
  lastRaw: number;
  /** What cpuSecondsTotal reports: the sum of the positive deltas, so it never goes down. */
  total: number;
  usage: FunctionResourceUsage;
}

/**
 * Samples /proc for node CPU/memory and for each function's replica process groups. Called on
 * an interval by the platform; `onReplicaRss` lets the caller enforce limits.memory.
 */
export class UsageSampler {
  private accounts = new Map<string, FunctionAccount>();
  private lastCpu = readNodeCpu();
  private lastAt = performance.now();
  node: NodeUsage = { cpuUtilisation: 0, cores: this.lastCpu.cores, memoryTotalBytes: 0, memoryUsedBytes: 0 };

  sample(
    functions: Iterable<EmbeddedFunction>,
    onReplicaRss: (fn: EmbeddedFunction, pid: number, rss: number) => void,
  ): void {
    const now = performance.now();
    const seconds = (now - this.lastAt) / 1000;
    this.lastAt = now;

    const cpu = readNodeCpu();
    const total = cpu.totalSeconds - this.lastCpu.totalSeconds;
    const mem = readNodeMemory();
    this.node = {
      cpuUtilisation: total > 0 ? Math.min(1, (cpu.busySeconds - this.lastCpu.busySeconds) / total) : 0,
      cores: cpu.cores,
      memoryTotalBytes: mem.totalBytes,
      memoryUsedBytes: mem.totalBytes - mem.availableBytes,
    };
    this.lastCpu = cpu;

    const fns = [...functions];
    const groups = new Set<number>();
    for (const fn of fns) for (const r of fn.replicas) if (r.pid !== undefined) groups.add(r.pid);
    const sums = sumByGroup(readProcesses(), groups);

    const seen = new Set<string>();
    for (const fn of fns) {
      seen.add(fn.name);
      const account = this.account(fn.name);
      const live = new Map<number, number>();
      let memory = 0;
      for (const r of fn.replicas) {
        const sum = r.pid === undefined ? undefined : sums.get(r.pid);
        if (!sum || r.pid === undefined) continue;
        live.set(r.pid, sum.cpuSeconds);
        memory += sum.rssBytes;
        onReplicaRss(fn, r.pid, sum.rssBytes);
      }
      for (const [pid, cpuSeconds] of account.perReplica) if (!live.has(pid)) account.retired += cpuSeconds;
      account.perReplica = live;
      let raw = account.retired;
      for (const v of live.values()) raw += v;
      // The raw sum can drop: a process reaped outside the group (re-parented to init) takes its
      // CPU with it. Summing only positive deltas keeps the total monotonic, as a counter must be.
      const delta = Math.max(0, raw - account.lastRaw);
      account.lastRaw = raw;
      account.total += delta;
      account.usage = {
        cpuSecondsTotal: account.total,
        cpuMillicores: seconds > 0 ? (delta / seconds) * 1000 : 0,
        memoryBytes: memory,
      };
    }
    for (const name of this.accounts.keys()) if (!seen.has(name)) this.accounts.delete(name);
  }

  /** Drops a removed function's account, so a new function of the same name starts from zero. */
  forget(name: string): void {
    this.accounts.delete(name);
  }

  usageOf(name: string): FunctionResourceUsage {
    return this.account(name).usage;
  }

  private account(name: string): FunctionAccount {
    let account = this.accounts.get(name);
    if (!account) {
      account = {
        retired: 0,
        perReplica: new Map(),
        lastRaw: 0,
        total: 0,
        usage: { cpuSecondsTotal: 0, cpuMillicores: 0, memoryBytes: 0 },
      };
      this.accounts.set(name, account);
    }
    return account;
  }
}
