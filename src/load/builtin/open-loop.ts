import { build, type Histogram } from 'hdr-histogram-js';
import { sleep } from '../../core/poll.js';
import type { LoadSecond } from '../contract.js';
import type { ArrivalSchedule } from './schedule.js';

export interface OpenLoopOptions {
  schedule: ArrivalSchedule;
  /**
   * Requests allowed in flight at once (k6's maxVUs). An arrival that finds this many in flight
   * is dropped and counted (k6's dropped_iterations), never delayed.
   */
  maxInflight: number;
  /** Sends one request; resolves with its HTTP status, rejects on a transport error. */
  send: () => Promise<number>;
  /** Start time (performance.now()) shared by scenarios that run together; now by default. */
  startAt?: number;
  /** Called after each response, for progress displays. */
  onResponse?: () => void;
  /** Stops sending when it aborts (the arrivals left are neither sent nor counted as dropped). */
  signal?: AbortSignal;
}

export interface OpenLoopResult {
  /** Requests sent. */
  sent: number;
  /** Requests answered 2xx. */
  ok: number;
  /** Requests answered with another status, or failed in transport. */
  errors: number;
  /** `errors` by cause (see failureCause): `http 503`, `connection refused`, `timeout`, … */
  failures: Record<string, number>;
  /** Arrivals dropped because maxInflight requests were in flight. */
  dropped: number;
  /**
   * Latency in microseconds from the arrival's intended start to its full response, so a slow
   * server cannot hide its queue behind a late send (no coordinated omission).
   */
  latencyUs: Histogram;
  /** Time from sending to the full response, in microseconds (k6's http_req_duration). */
  durationUs: Histogram;
  /** How late arrivals were sent behind their schedule, in microseconds. */
  lagUs: Histogram;
  /** Most requests in flight at once. */
  maxInflightSeen: number;
  /** Second by second from the start: what was sent and answered then. */
  timeline: LoadSecond[];
  /** Wall time from the start to the last response, in ms. */
  elapsedMs: number;
}

export function histogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

const us = (ms: number) => Math.max(1, Math.round(ms * 1000));

/**
 * Open-model load: arrivals follow the schedule whether or not earlier requests have answered,
 * so a slow server sees its queue build up as it would in production. Bounded by the schedule
 * (count and duration).
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { schedule, maxInflight, send, onResponse, signal } = options;
  const result: OpenLoopResult = {
    sent: 0,
    ok: 0,
    errors: 0,
    failures: {},
    dropped: 0,
    latencyUs: histogram(),
    durationUs: histogram(),
    lagUs: histogram(),
    maxInflightSeen: 0,
    timeline: [],
    elapsedMs: 0,
  };
  const start = options.startAt ?? performance.now();
  const second = (at: number) => {
    const i = Math.max(0, Math.floor((at - start) / 1000));
    for (let k = result.timeline.length; k <= i; k++)
      result.timeline.push({ sent: 0, ok: 0, failed: 0, latencyUs: 0, timed: 0 });
    return result.timeline[i] as LoadSecond;
  };
  const fail = (cause: string) => {
    result.errors++;
    result.failures[cause] = (result.failures[cause] ?? 0) + 1;
    second(performance.now()).failed++;
  };
  let inflight = 0;
  const pending = new Set<Promise<void>>();
  let next = 0;
  while (next < schedule.count && !signal?.aborted) {
    const now = performance.now();
    // Send every arrival whose time has come; then yield to the event loop until the next one.
    while (next < schedule.count && start + schedule.offsetMs(next) <= now) {
      const due = start + schedule.offsetMs(next);
      next++;
      if (inflight >= maxInflight) {
        result.dropped++;
        continue;
      }
      result.lagUs.recordValue(us(now - due));
      inflight++;
      result.maxInflightSeen = Math.max(result.maxInflightSeen, inflight);
      result.sent++;
      const sentAt = performance.now();
      second(sentAt).sent++;
      const p: Promise<void> = send()
        .then(
          (status) => {
            const end = performance.now();
            if (status >= 200 && status < 300) {
              result.ok++;
              second(end).ok++;
            } else fail(`http ${status}`);
            result.latencyUs.recordValue(us(end - due));
            const at = second(end);
            at.latencyUs += us(end - due);
            at.timed++;
            result.durationUs.recordValue(us(end - sentAt));
          },
          (err: unknown) => fail(failureCause(err)),
        )
        .finally(() => {
          inflight--;
          pending.delete(p);
          onResponse?.();
        });
      pending.add(p);
    }
    if (next >= schedule.count) break;
    const wait = start + schedule.offsetMs(next) - performance.now();
    if (wait > 0) await sleep(Math.max(1, Math.floor(wait)), signal);
    else await new Promise((r) => setImmediate(r));
  }
  await Promise.all(pending);
  result.elapsedMs = performance.now() - start;
  return result;
}

/** Transport errors by their code (Node's and undici's), in the words a failure table uses. */
const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'unknown host',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
};

/** Why a request failed in transport: a cause of CAUSES, else `error CODE` (or `error`). */
export function failureCause(err: unknown): string {
  let e: unknown = err;
  // undici wraps the socket's error: the code that says why is on the innermost cause.
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && CAUSES[code]) return CAUSES[code];
    if (!(e.cause instanceof Error)) return code ? `error ${code}` : 'error';
    e = e.cause;
  }
  return 'error';
}
