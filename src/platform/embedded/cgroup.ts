import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PERIOD_US = 100_000;

/**
 * Enforces limits.cpu with cgroups v2: each replica gets a child cgroup with cpu.max set to
 * cores × period. It needs a writable cgroup2 hierarchy with the cpu controller (root, or a
 * delegated subtree); elsewhere (cgroups v1, no permission) limits.cpu is advisory and
 * `enforced` is false with the reason in `why`.
 */
export class CpuLimiter {
  readonly enforced: boolean;
  readonly why: string;
  private readonly base: string;

  constructor(root = '/sys/fs/cgroup', name = `dfaas-${process.pid}`) {
    this.base = join(root, name);
    const reason = CpuLimiter.unavailable(root);
    if (reason) {
      this.enforced = false;
      this.why = reason;
      return;
    }
    try {
      mkdirSync(this.base, { recursive: true });
      writeFileSync(join(this.base, 'cgroup.subtree_control'), '+cpu');
      this.enforced = true;
      this.why = `cgroups v2 at ${this.base}`;
    } catch (err) {
      this.enforced = false;
      this.why = `cannot create ${this.base}: ${(err as Error).message}`;
    }
  }

  private static unavailable(root: string): string | undefined {
    const controllers = join(root, 'cgroup.controllers');
    if (!existsSync(controllers)) return `no cgroups v2 hierarchy at ${root}`;
    if (!readFileSync(controllers, 'utf8').split(/\s+/).includes('cpu'))
      return `cpu controller not available in ${root}`;
    try {
      writeFileSync(join(root, 'cgroup.subtree_control'), '+cpu');
    } catch (err) {
      return `cannot enable the cpu controller in ${root}: ${(err as Error).message}`;
    }
    return undefined;
  }

  /** Moves a replica's process into its own cgroup limited to `cores` CPUs. */
  limit(replicaId: string, pid: number, cores: number): void {
    if (!this.enforced) return;
    const dir = join(this.base, replicaId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.max'), `${Math.max(1000, Math.round(cores * PERIOD_US))} ${PERIOD_US}`);
    writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  }

  /**
   * Removes a replica's cgroup once its processes are gone. Killed processes leave the cgroup a
   * moment after the kill, so a busy cgroup is tried again, every 50 ms for up to 2 s.
   */
  release(replicaId: string, attempts = 40): void {
    if (!this.enforced) return;
    const dir = join(this.base, replicaId);
    try {
      rmdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EBUSY' && attempts > 1) {
        setTimeout(() => this.release(replicaId, attempts - 1), 50).unref();
      }
    }
  }

  /** Removes what is left of this gateway's cgroups (all replicas have been stopped). */
  close(): void {
    if (!this.enforced) return;
    try {
      for (const entry of readdirSync(this.base, { withFileTypes: true })) {
        if (entry.isDirectory()) rmdirSync(join(this.base, entry.name));
      }
      rmdirSync(this.base);
    } catch {
      // a replica's processes are still leaving; the kernel frees an empty cgroup's memory anyway
    }
  }
}
