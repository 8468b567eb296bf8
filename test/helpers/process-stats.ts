import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CLOCK_TICKS } from '../../src/core/proc.js';

/**
 * Runs a full garbage collection if this process can: with --expose-gc, or by turning the flag on
 * now and taking `gc` from a new V8 context (vitest's workers are not started with the flag).
 * Returns false when neither works; a caller then allows for garbage not yet collected.
 */
export function forceGc(): boolean {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') {
    exposed();
    return true;
  }
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    return true;
  } catch {
    return false;
  }
}

/** This process's resident memory and open file descriptors (Linux /proc), after a GC when possible. */
export interface Footprint {
  rssBytes: number;
  heapUsedBytes: number;
  fds: number;
  /** Whether a GC ran before the reading. */
  collected: boolean;
}

export function footprint(): Footprint {
  const collected = forceGc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssBytes: rss, heapUsedBytes: heapUsed, fds: readdirSync('/proc/self/fd').length, collected };
}

export const MiB = 2 ** 20;

/** How long ago a process started, in ms (Linux /proc: its start time against the uptime); undefined once it is gone. */
export function processAgeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces); starttime is field 22 of proc(5).
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const uptimeSeconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return (uptimeSeconds - startTicks / CLOCK_TICKS) * 1000;
  } catch {
    return undefined;
  }
}
