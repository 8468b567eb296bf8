import { sleep } from '../../core/poll.js';

/** Seconds since the run's program start, as every role and the controller stamp messages. */
export interface RunClock {
  /** s since program_start_time (float). */
  now(): number;
  /** Waits until `at` seconds since program start (at once when it has passed, or on abort). */
  until(at: number, signal?: AbortSignal): Promise<void>;
}

/** The run clock over the wall clock, shared by processes on one machine (or NTP-synchronised hosts). */
export function runClock(programStart: Date | string): RunClock {
  const origin = new Date(programStart).getTime();
  const now = () => (Date.now() - origin) / 1000;
  return {
    now,
    until: (at, signal) => sleep(Math.max(0, (at - now()) * 1000), signal),
  };
}
