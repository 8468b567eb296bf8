import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Readers of Linux /proc for the embedded metrics source: node CPU and memory, and CPU time and
 * resident memory of process groups (each replica of the embedded platform leads one).
 */

function sysconf(name: string, fallback: number): number {
  try {
    const v = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(v) && v > 0 ? v : fallback;
  } catch {
    return fallback;
  }
}

/** Clock ticks per second and page size, read once. */
export const CLOCK_TICKS = sysconf('CLK_TCK', 100);
export const PAGE_SIZE = sysconf('PAGESIZE', 4096);

export interface ProcessSample {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /**
   * User + system CPU time in seconds, its own and that of the children it has waited for
   * (cutime + cstime): a short-lived child's CPU shows up in its parent once it exits.
   */
  cpuSeconds: number;
  rssBytes: number;
}

/** Parses one /proc/PID/stat line. The command name may hold spaces and ')' so we cut at the last ')'. */
export function parseProcStat(line: string): ProcessSample | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(line.slice(0, line.indexOf(' ')));
  const f = line.slice(close + 2).split(' ');
  // f[0] is field 3 (state): field N of proc(5) is f[N - 3].
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  return {
    pid,
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    cpuSeconds: ticks / CLOCK_TICKS,
    rssBytes: Number(f[21]) * PAGE_SIZE,
  };
}

/** Every process now visible in /proc (processes that exit while it reads are skipped). */
export function readProcesses(procRoot = '/proc'): ProcessSample[] {
  const out: ProcessSample[] = [];
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const sample = parseProcStat(readFileSync(`${procRoot}/${name}/stat`, 'utf8'));
      if (sample) out.push(sample);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Sums CPU and RSS per process group, for the groups asked for. */
export function sumByGroup(
  samples: ProcessSample[],
  groups: ReadonlySet<number>,
): Map<number, { cpuSeconds: number; rssBytes: number }> {
  const sums = new Map<number, { cpuSeconds: number; rssBytes: number }>();
  for (const s of samples) {
    if (!groups.has(s.pgrp)) continue;
    const sum = sums.get(s.pgrp) ?? { cpuSeconds: 0, rssBytes: 0 };
    sum.cpuSeconds += s.cpuSeconds;
    sum.rssBytes += s.rssBytes;
    sums.set(s.pgrp, sum);
  }
  return sums;
}

export interface NodeCpuTimes {
  /** Seconds all CPUs spent busy (everything but idle and iowait) since boot. */
  busySeconds: number;
  totalSeconds: number;
  cores: number;
}

export function readNodeCpu(procRoot = '/proc'): NodeCpuTimes {
  const text = readFileSync(`${procRoot}/stat`, 'utf8');
  const lines = text.split('\n');
  const total = (lines[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is already counted in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = total;
  const busy = user + nice + system + irq + softirq + steal;
  return {
    busySeconds: busy / CLOCK_TICKS,
    totalSeconds: (busy + idle + iowait) / CLOCK_TICKS,
    cores: lines.filter((l) => /^cpu\d+ /.test(l)).length,
  };
}

export interface NodeMemory {
  totalBytes: number;
  availableBytes: number;
}

export function readNodeMemory(procRoot = '/proc'): NodeMemory {
  const text = readFileSync(`${procRoot}/meminfo`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { totalBytes: kib('MemTotal'), availableBytes: kib('MemAvailable') };
}
