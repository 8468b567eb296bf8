import { build, type Histogram } from 'hdr-histogram-js';

export interface OpenLoopOptions {
  /** Arrivals per second. */
  rate: number;
  durationMs: number;
  /**
   * Requests allowed in flight at once. An arrival that finds this many in flight is dropped
   * and counted, as k6's constant-arrival-rate drops iterations when it has no free VU.
   */
  maxInflight: number;
  /** Sends one request; resolves with its HTTP status, rejects on a transport error. */
  send: () => Promise<number>;
}

export interface OpenLoopResult {
  /** Requests sent. */
  sent: number;
  /** Requests answered 2xx. */
  ok: number;
  /** Requests answered with another status, or failed in transport. */
  errors: number;
  /** Arrivals dropped because maxInflight requests were in flight. */
  dropped: number;
  /** Latency of answered requests, in microseconds (send to full response). */
  latencyUs: Histogram;
  /** How late arrivals were sent behind their schedule, in microseconds. */
  lagUs: Histogram;
  /** Wall time from the first arrival to the last response, in ms. */
  elapsedMs: number;
}

function histogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/**
 * Open-model load: arrivals follow a fixed schedule (i / rate), whether or not earlier requests
 * have answered, so a slow server sees the queue build up as it would in production (no
 * coordinated omission in the schedule). Bounded by durationMs and by rate × duration arrivals.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { rate, durationMs, maxInflight, send } = options;
  const total = Math.floor((rate * durationMs) / 1000);
  const result: OpenLoopResult = {
    sent: 0,
    ok: 0,
    errors: 0,
    dropped: 0,
    latencyUs: histogram(),
    lagUs: histogram(),
    elapsedMs: 0,
  };
  let inflight = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Send every arrival whose time has come; then yield to the event loop until the next one.
    while (next < total && start + (next * 1000) / rate <= now) {
      const due = start + (next * 1000) / rate;
      next++;
      if (inflight >= maxInflight) {
        result.dropped++;
        continue;
      }
      result.lagUs.recordValue(Math.max(1, Math.round((now - due) * 1000)));
      inflight++;
      result.sent++;
      const sentAt = performance.now();
      const p: Promise<void> = send()
        .then(
          (status) => {
            if (status >= 200 && status < 300) result.ok++;
            else result.errors++;
            result.latencyUs.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
          },
          () => {
            result.errors++;
          },
        )
        .finally(() => {
          inflight--;
          pending.delete(p);
        });
      pending.add(p);
    }
    const wait = start + (next * 1000) / rate - performance.now();
    await new Promise((r) => (wait > 1 ? setTimeout(r, Math.floor(wait)) : setImmediate(r)));
  }
  await Promise.all(pending);
  result.elapsedMs = performance.now() - start;
  return result;
}
