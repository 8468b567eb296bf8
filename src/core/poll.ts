/**
 * The one deadline-polling loop: ask until the answer is there or the time is up. Every "wait until
 * the replica is ready / HAProxy listens / the function scaled to zero" goes through here, so each
 * has a bound, the same timing semantics (monotonic clock) and an error that says what was awaited.
 */
import { TimeoutError } from './errors.js';

export interface PollOptions {
  /** Give up after this many ms (monotonic clock). */
  timeoutMs: number;
  /** Pause between tries, ms (default 25). */
  everyMs?: number;
  /** What is awaited, for the error: "haproxy listening on 127.0.0.1:8080". */
  what: string;
  /** Stop early (e.g. the process being waited for has exited). */
  signal?: AbortSignal;
}

/**
 * Calls `probe` until it returns a value other than undefined (or false), and returns that value.
 * A probe that throws is retried like a "not yet"; its last error is kept as the cause of the
 * TimeoutError thrown when `timeoutMs` passes.
 */
export async function pollUntil<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs, everyMs = 25, what, signal }: PollOptions,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new TimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`, {
        cause: lastError,
      });
    }
    await sleep(Math.min(everyMs, left));
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
