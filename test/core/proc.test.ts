import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLOCK_TICKS,
  PAGE_SIZE,
  parseProcStat,
  readNodeCpu,
  readNodeMemory,
  readProcesses,
  sumByGroup,
} from '../../src/core/proc.js';

function statLine(
  pid: number,
  comm: string,
  ppid: number,
  pgrp: number,
  utime: number,
  stime: number,
  rss: number,
) {
  // fields 3..24 of proc(5): state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice threads itrealvalue starttime vsize rss
  return `${pid} (${comm}) S ${ppid} ${pgrp} 1 0 -1 0 0 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 100 1000 ${rss} 0 0\n`;
}

describe('/proc readers', () => {
  it('parses a stat line whose command holds spaces and parentheses', () => {
    const s = parseProcStat(statLine(42, 'node (replica) x', 7, 42, 150, 50, 10));
    expect(s).toEqual({
      pid: 42,
      ppid: 7,
      pgrp: 42,
      cpuSeconds: 200 / CLOCK_TICKS,
      rssBytes: 10 * PAGE_SIZE,
    });
  });

  it('sums CPU and memory per process group', () => {
    const root = mkdtempSync(join(tmpdir(), 'dfaas-proc-'));
    const procs = [
      [10, 1, 10, 100, 0, 5],
      [11, 10, 10, 50, 50, 3],
      [20, 1, 20, 7, 0, 1],
    ] as const;
    for (const [pid, ppid, pgrp, u, s, rss] of procs) {
      mkdirSync(join(root, String(pid)));
      writeFileSync(join(root, String(pid), 'stat'), statLine(pid, 'x', ppid, pgrp, u, s, rss));
    }
    mkdirSync(join(root, 'self'));
    const sums = sumByGroup(readProcesses(root), new Set([10]));
    expect([...sums.keys()]).toEqual([10]);
    expect(sums.get(10)).toEqual({ cpuSeconds: 200 / CLOCK_TICKS, rssBytes: 8 * PAGE_SIZE });
  });

  it('reads node CPU and memory', () => {
    const root = mkdtempSync(join(tmpdir(), 'dfaas-proc-'));
    writeFileSync(
      join(root, 'stat'),
      'cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\ncpu1 50 0 50 350 50 0 0 0 0 0\nintr 1\n',
    );
    writeFileSync(
      join(root, 'meminfo'),
      'MemTotal:       1000 kB\nMemFree:  100 kB\nMemAvailable:    250 kB\n',
    );
    expect(readNodeCpu(root)).toEqual({
      busySeconds: 200 / CLOCK_TICKS,
      totalSeconds: 1000 / CLOCK_TICKS,
      cores: 2,
    });
    expect(readNodeMemory(root)).toEqual({ totalBytes: 1000 * 1024, availableBytes: 250 * 1024 });
  });

  it('reads this machine', () => {
    const mine = readProcesses().find((p) => p.pid === process.pid);
    expect(mine?.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(readNodeCpu().cores).toBeGreaterThan(0);
  });
});
