import { readFileSync } from 'node:fs';

/**
 * The processes of a cluster as its cluster.json records them, so that `dfaas cluster down`, run
 * from another terminal, finds them. A pid alone is not enough: once a process has exited the
 * kernel may give its pid to another program, which `down` must not signal. A pid with its start
 * time names one process for as long as the machine runs.
 */
export interface ProcessRef {
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks after boot. */
  startTime: number;
}

/** The state letter and start time of a process, or undefined when there is no such pid. */
function readStat(pid: number): { state: string; startTime: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and ')': the fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', startTime: Number(fields[19]) };
}

/** The process running as `pid` now, or undefined when there is none. */
export function processRef(pid: number | undefined): ProcessRef | undefined {
  const stat = pid === undefined ? undefined : readStat(pid);
  return pid !== undefined && stat ? { pid, startTime: stat.startTime } : undefined;
}

/** True while that very process runs; one that has exited (a zombie not yet reaped) is not running. */
export function isRunning(ref: ProcessRef): boolean {
  const stat = readStat(ref.pid);
  return stat !== undefined && stat.startTime === ref.startTime && stat.state !== 'Z';
}
