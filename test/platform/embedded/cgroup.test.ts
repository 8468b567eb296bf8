import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuLimiter } from '../../../src/platform/embedded/cgroup.js';

describe('limits.cpu with cgroups v2', () => {
  it('gives each replica a cgroup with cpu.max = cores × period', () => {
    // A writable directory laid out as a cgroup2 root stands in for /sys/fs/cgroup.
    const root = mkdtempSync(join(tmpdir(), 'dfaas-cgroup-'));
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    const limiter = new CpuLimiter(root, 'dfaas-test');
    expect(limiter.enforced).toBe(true);
    limiter.limit('fn-1', 4242, 0.5);
    expect(readFileSync(join(root, 'dfaas-test', 'cgroup.subtree_control'), 'utf8')).toBe('+cpu');
    expect(readFileSync(join(root, 'dfaas-test', 'fn-1', 'cpu.max'), 'utf8')).toBe('50000 100000');
    expect(readFileSync(join(root, 'dfaas-test', 'fn-1', 'cgroup.procs'), 'utf8')).toBe('4242');
  });

  it('is advisory, saying why, without cgroups v2 or its cpu controller', () => {
    const none = new CpuLimiter(mkdtempSync(join(tmpdir(), 'dfaas-cgroup-')));
    expect(none.enforced).toBe(false);
    expect(none.why).toMatch(/no cgroups v2 hierarchy/);
    const root = mkdtempSync(join(tmpdir(), 'dfaas-cgroup-'));
    writeFileSync(join(root, 'cgroup.controllers'), 'memory pids\n');
    expect(new CpuLimiter(root).why).toMatch(/cpu controller not available/);
  });
});
