/**
 * The Benchmarker: how an experiment calls functions and records what happened, one call or a
 * burst of concurrent ones, through a provider (./providers.ts). Each answer of a lab function is
 * a flat object of entries keyed by identifier (the called function's, and every nested call's),
 * with `root_identifier`; each entry becomes an invocation row with the client's side added.
 *
 * What it does differently from the reference (faas-benchmarker's benchmarker.py):
 * - Client times come from one monotonic clock mapped to the epoch once per run, not from an NTP
 *   query around every call (which added its own latency and jitter to each).
 * - A burst's calls are tagged `thread_id` (0..n−1) and `numb_threads` (n), not swapped.
 * - A call that fails is an error row (type, message, trace), never retried into a success
 *   silently: retries of "not ready yet" answers (a cold start on OpenFaaS) are counted per call.
 */
import { Agent, request } from 'undici';
import { sleep as realSleep } from '../core/poll.js';
import { failureCause } from '../load/builtin/open-loop.js';
import type { BenchProvider } from './providers.js';

/** The clock of a run: monotonic milliseconds, and the epoch they start from. */
export interface BenchClock {
  /** Monotonic ms (performance.now() or a test's). */
  now(): number;
  /** The epoch (ms) at which now() was `origin`. */
  readonly epochMs: number;
  readonly origin: number;
}

export function systemClock(): BenchClock {
  return { now: () => performance.now(), epochMs: Date.now(), origin: performance.now() };
}

/** One entry of a lab function's answer (the fields the reference's Invocation table has, and SeBS's cold marker). */
export type LabEntry = Record<string, unknown> & { identifier: string; function_name?: string };

/** An invocation row: a lab function's entry with the client's side of the call. */
export type InvocationRow = LabEntry & {
  root_identifier: string;
  /** Epoch seconds, from the run's one clock. */
  invocation_start: number;
  invocation_end: number;
  /** execution_start − invocation_start, seconds. */
  latency: number;
  thread_id: number;
  numb_threads: number;
  /** "Not ready yet" answers sent again before this one (on the root entry; 0 on nested ones). */
  retries: number;
  /** On the root entry: invocation_end − invocation_start, and execution_end − execution_start. */
  invocation_total?: number;
  execution_total?: number;
  /**
   * On the root entry, where the provider's platform says: the ms the call waited for a replica
   * to start (its cold start), 0 for a warm call.
   */
  platform_cold_start_ms?: number;
};

export interface ErrorRow {
  function_name: string;
  invocation_start: number;
  invocation_end: number;
  thread_id: number;
  numb_threads: number;
  retries: number;
  /** `http 500`, `connection refused`, `timeout`, `bad answer`, … */
  type: string;
  message: string;
  trace?: string;
}

export type CallResult = { ok: true; rows: InvocationRow[] } | { ok: false; error: ErrorRow };

export interface BenchmarkerOptions {
  provider: BenchProvider;
  clock?: BenchClock;
  /** How long "not ready yet" answers are sent again (the reference: 5 minutes on OpenFaaS). */
  retryForMs?: number;
  /** Pause between two tries (the reference: 1 s). */
  retryEveryMs?: number;
  /** A call's own timeout (the reference: 600 s). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class Benchmarker {
  readonly invocations: InvocationRow[] = [];
  readonly errors: ErrorRow[] = [];
  private readonly clock: BenchClock;
  private readonly sleep: (ms: number) => Promise<void>;
  /**
   * undici's own client, not global fetch: fetch costs ~0.5 ms of client CPU per call and spread
   * a burst of 256 over 30–50 ms on 2 cores, where undici's request() adds 0.04 ms and keeps the
   * burst as tight as a bare client (perf/bench-burst.ts, perf/bench-overhead.ts). Its timeouts
   * are the call's own (fetch's default headers timeout cut a 600 s call at 300 s).
   */
  private readonly dispatcher = new Agent();

  constructor(private readonly opts: BenchmarkerOptions) {
    this.clock = opts.clock ?? systemClock();
    this.sleep = opts.sleep ?? realSleep;
  }

  /** Epoch seconds now, from the run's monotonic clock. */
  private epochSeconds(): number {
    return (this.clock.epochMs + (this.clock.now() - this.clock.origin)) / 1000;
  }

  /** One synchronous call of `fn` with `args` as its JSON body. */
  invoke(fn: string, args: Record<string, unknown> = {}): Promise<CallResult> {
    return this.call(fn, args, 0, 1);
  }

  /** `n` calls released together (in one tick), tagged thread_id 0..n−1 and numb_threads n. */
  invokeConcurrently(fn: string, n: number, args: Record<string, unknown> = {}): Promise<CallResult[]> {
    return Promise.all(Array.from({ length: n }, (_, i) => this.call(fn, args, i, n)));
  }

  /** Closes the connections the calls opened. */
  close(): Promise<void> {
    return this.dispatcher.close();
  }

  /** What the run recorded, and how many calls were sent again. */
  end(): { invocations: InvocationRow[]; errors: ErrorRow[]; retries: number } {
    const retries = [...this.invocations, ...this.errors].reduce((a, r) => a + r.retries, 0);
    return { invocations: this.invocations, errors: this.errors, retries };
  }

  private async call(
    fn: string,
    args: Record<string, unknown>,
    thread: number,
    threads: number,
  ): Promise<CallResult> {
    const { provider } = this.opts;
    const retryUntil = this.clock.now() + (this.opts.retryForMs ?? 300_000);
    const start = this.epochSeconds();
    let retries = 0;
    const fail = (type: string, message: string, trace?: string): CallResult => {
      const error: ErrorRow = {
        function_name: fn,
        invocation_start: start,
        invocation_end: this.epochSeconds(),
        thread_id: thread,
        numb_threads: threads,
        retries,
        type,
        message,
        ...(trace ? { trace } : {}),
      };
      this.errors.push(error);
      return { ok: false, error };
    };
    for (;;) {
      let status: number;
      let text: string;
      let coldStartMs: number | undefined;
      try {
        const timeoutMs = this.opts.timeoutMs ?? 600_000;
        const res = await request(provider.url(fn), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...provider.headers },
          body: JSON.stringify(args),
          dispatcher: this.dispatcher,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        status = res.statusCode;
        text = await res.body.text();
        if (provider.coldStartHeader) {
          const header = res.headers[provider.coldStartHeader.toLowerCase()];
          coldStartMs = Number((Array.isArray(header) ? header[0] : header) ?? 0);
        }
      } catch (err) {
        return fail(failureCause(err), (err as Error).message, (err as Error).stack);
      }
      const end = this.epochSeconds();
      if (provider.notReady.has(status) && this.clock.now() < retryUntil) {
        retries++;
        await this.sleep(this.opts.retryEveryMs ?? 1000);
        continue;
      }
      if (status < 200 || status > 299) return fail(`http ${status}`, text.slice(0, 1000));
      const rows = this.rowsOf(text, { start, end, thread, threads, retries, coldStartMs });
      if (typeof rows === 'string') return fail('bad answer', rows);
      this.invocations.push(...rows);
      return { ok: true, rows };
    }
  }

  /** The answer's entries as rows, the root first; a string says why the answer is not one. */
  private rowsOf(
    text: string,
    call: {
      start: number;
      end: number;
      thread: number;
      threads: number;
      retries: number;
      coldStartMs: number | undefined;
    },
  ): InvocationRow[] | string {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `not JSON: ${text.slice(0, 200)}`;
    }
    if (typeof body !== 'object' || body === null) return 'not a JSON object';
    const record = body as Record<string, unknown>;
    const root = record.root_identifier;
    if (typeof root !== 'string' || typeof record[root] !== 'object')
      return `no root_identifier naming an entry in ${text.slice(0, 200)}`;
    const entries = Object.values(record).filter(
      (v): v is LabEntry =>
        typeof v === 'object' && v !== null && typeof (v as LabEntry).identifier === 'string',
    );
    const ordered = [
      entries.find((e) => e.identifier === root) as LabEntry,
      ...entries.filter((e) => e.identifier !== root),
    ];
    return ordered.map((entry) => {
      const isRoot = entry.identifier === root;
      const executionStart = Number(entry.execution_start);
      // A nested entry keeps the times its caller (a function) set: its latency is function to
      // function. The root's are the client's, from the run's one clock.
      const invocationStart = isRoot ? call.start : Number(entry.invocation_start);
      return {
        ...entry,
        root_identifier: root,
        invocation_start: invocationStart,
        invocation_end: isRoot ? call.end : Number(entry.invocation_end),
        latency: executionStart - invocationStart,
        thread_id: call.thread,
        numb_threads: call.threads,
        retries: isRoot ? call.retries : 0,
        ...(isRoot
          ? {
              invocation_total: call.end - call.start,
              execution_total: Number(entry.execution_end) - executionStart,
              ...(call.coldStartMs === undefined ? {} : { platform_cold_start_ms: call.coldStartMs }),
            }
          : {}),
      };
    });
  }
}
