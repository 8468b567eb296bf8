/**
 * The embedded queues of another process (`--queue http://127.0.0.1:PORT`), through the routes
 * of `http-server.ts` on kept-alive connections. A wait longer than the server's long-poll cap is
 * asked again for the rest of its time.
 */
import { Agent, request } from 'undici';
import { type Clock, systemClock } from '../../core/clock.js';
import type { Queues } from './contract.js';
import { QueueError } from './errors.js';
import type { QueueRoutes } from './http-server.js';

export interface HttpQueuesOptions {
  /** Times the waits spread over several long polls (monotonic ms); default the machine's clock. */
  clock?: Clock;
}

export class HttpQueues implements Queues {
  readonly kind = 'http' as const;
  private readonly base: string;
  private readonly clock: Clock;
  private readonly agent = new Agent({ keepAliveTimeout: 10_000 });
  /** The long polls in flight, aborted by close (they resolve null). */
  private readonly polls = new Set<AbortController>();
  private closed = false;

  constructor(
    private readonly url: string,
    options: HttpQueuesOptions = {},
  ) {
    this.base = url.replace(/\/+$/, '');
    this.clock = options.clock ?? systemClock;
  }

  push(key: string, ...messages: string[]): Promise<number> {
    return this.call('push', { key, messages });
  }

  async pushCounted(key: string, counterKey: string, message: string): Promise<void> {
    await this.call('push-counted', { key, counterKey, message });
  }

  pop(key: string): Promise<string | null> {
    return this.call('pop', { key });
  }

  popWait(key: string, timeoutMs: number): Promise<string | null> {
    return this.longPoll(timeoutMs, (ms, signal) => this.call('pop-wait', { key, timeoutMs: ms }, signal));
  }

  length(key: string): Promise<number> {
    return this.call('length', { key });
  }

  range(key: string): Promise<string[]> {
    return this.call('range', { key });
  }

  counter(key: string): Promise<number> {
    return this.call('counter', { key });
  }

  async clear(keys: string[]): Promise<void> {
    await this.call('clear', { keys });
  }

  take(key: string, consumer: string, timeoutMs: number, leaseMs: number): Promise<string | null> {
    return this.longPoll(timeoutMs, (ms, signal) =>
      this.call('take', { key, consumer, timeoutMs: ms, leaseMs }, signal),
    );
  }

  complete(key: string, consumer: string, message: string): Promise<boolean> {
    return this.call('complete', { key, consumer, message });
  }

  async renew(key: string, consumer: string, leaseMs: number): Promise<void> {
    await this.call('renew', { key, consumer, leaseMs });
  }

  reclaim(key: string): Promise<number> {
    return this.call('reclaim', { key });
  }

  inFlight(key: string): Promise<number> {
    return this.call('in-flight', { key });
  }

  /** Resolves the waits in flight with null and closes the connections. */
  async close(): Promise<void> {
    this.closed = true;
    for (const poll of this.polls) poll.abort();
    await this.agent.close();
  }

  /** Asks `ask` for what is left of `timeoutMs` until it answers a message or the time is up. */
  private async longPoll(
    timeoutMs: number,
    ask: (ms: number, signal: AbortSignal) => Promise<string | null>,
  ): Promise<string | null> {
    const poll = new AbortController();
    this.polls.add(poll);
    try {
      const deadline = this.clock.monotonic() + timeoutMs;
      for (;;) {
        const message = await ask(Math.max(0, deadline - this.clock.monotonic()), poll.signal);
        if (message !== null || this.clock.monotonic() >= deadline) return message;
      }
    } catch (err) {
      if (poll.signal.aborted) return null;
      throw err;
    } finally {
      this.polls.delete(poll);
    }
  }

  private async call<K extends keyof QueueRoutes>(
    route: K,
    body: QueueRoutes[K]['body'],
    signal?: AbortSignal,
  ): Promise<QueueRoutes[K]['value']> {
    if (this.closed) throw new QueueError(this.url, 'the queue client is closed');
    let status: number;
    let text: string;
    try {
      const res = await request(`${this.base}/${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher: this.agent,
        signal,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new QueueError(this.url, `unreachable: ${(err as Error).message}`, err);
    }
    if (status !== 200) throw new QueueError(this.url, `${route}: HTTP ${status}: ${errorOf(text)}`);
    try {
      return (JSON.parse(text) as { value: QueueRoutes[K]['value'] }).value;
    } catch (err) {
      throw new QueueError(this.url, `${route}: not a queue server's answer: ${text.slice(0, 200)}`, err);
    }
  }
}

/** The message of the server's `{"error", "code"}` answer, else its text. */
function errorOf(text: string): string {
  try {
    const { error, code } = JSON.parse(text) as { error?: string; code?: string };
    return error ? `${error}${code ? ` (${code})` : ''}` : text;
  } catch {
    return text;
  }
}
