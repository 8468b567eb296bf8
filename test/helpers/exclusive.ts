import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from './wait.js';

/**
 * Runs `fn` while holding a machine-wide lock named `name`, so tests that each need the whole
 * machine (a three-node cluster under load takes both CPUs of the CI machine) run one after
 * another even when vitest runs their files in parallel; two at once make their timing, which is
 * what they assert, meaningless. The lock is a directory (mkdir is atomic) holding the owner's
 * pid; a lock whose owner is gone is taken over.
 */
export async function exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = join(tmpdir(), `dfaas-test-lock-${name}`);
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      break;
    } catch {
      const owner = Number(readPid(dir));
      if (owner > 0 && !alive(owner)) rmSync(dir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readPid(dir: string): string {
  try {
    return readFileSync(join(dir, 'pid'), 'utf8');
  } catch {
    return '';
  }
}

/** The lock every test that runs a three-node cluster takes. */
export const CLUSTER_LOCK = 'cluster';
