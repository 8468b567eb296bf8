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
  /** More to say when the time is up, after the message (e.g. the process's last stderr lines). */
  explain?: () => string;
}

/**
 * Asks once. Returns the awaited value, or undefined / false for "not yet". A probe that throws is
 * retried like a "not yet"; one that calls `fail(error)` ends the wait at once with that error
 * (the process being waited for exited, the new configuration was rejected).
 */
export type Probe<T> = (
  fail: (error: Error) => never,
) => T | undefined | false | Promise<T | undefined | false>;

/**
 * Calls `probe` until it returns a value other than undefined (or false), and returns that value.
 * When `timeoutMs` passes it throws a TimeoutError whose cause is the probe's last error.
 */
export async function pollUntil<T>(probe: Probe<T>, options: PollOptions): Promise<T> {
  const outcome = await poll(probe, options);
  if ('value' in outcome) return outcome.value;
  const more = options.explain?.();
  throw new TimeoutError(
    `timed out after ${options.timeoutMs} ms waiting for ${options.what}${more ? `:\n${more}` : ''}`,
    { cause: outcome.lastError },
  );
}

/**
 * Like pollUntil, but resolves undefined when the time is up: for bounded waits after which the
 * caller goes on anyway (drain requests for at most the grace period, then stop).
 */
export async function pollWithin<T>(probe: Probe<T>, options: PollOptions): Promise<T | undefined> {
  const outcome = await poll(probe, options);
  return 'value' in outcome ? outcome.value : undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts (no timer left to keep the process alive). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done, { once: true });
  });
}

/** Carries the error a probe gave up with past the retry. */
class Failed {
  constructor(readonly error: Error) {}
}

function fail(error: Error): never {
  throw new Failed(error);
}

async function poll<T>(
  probe: Probe<T>,
  { timeoutMs, everyMs = 25, signal }: PollOptions,
): Promise<{ value: T } | { lastError: unknown }> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe(fail);
      if (value !== undefined && value !== false) return { value };
    } catch (err) {
      if (err instanceof Failed) throw err.error;
      lastError = err;
    }
    const left = deadline - performance.now();
    if (left <= 0) return { lastError };
    await sleep(Math.min(everyMs, left), signal);
  }
}
