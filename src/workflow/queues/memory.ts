/**
 * The queues in this process's memory (`--queue embedded`): Redis's list semantics and the
 * reliable-consumption keys of `contract.ts`, with blocking waits that a push wakes at once.
 * Other processes reach them through `http-server.ts`.
 */
import { type Clock, systemClock } from '../../core/clock.js';
import type { Queues } from './contract.js';
import { QueueError } from './errors.js';
import { belongsTo, consumersKey, leaseKey, processingKey } from './keys.js';

/** How many popped slots a List lets pile up at its front before it copies the rest down. */
const COMPACT_AFTER = 1024;

/**
 * A list as Redis keeps one: the head is the newest (LPUSH), the tail the oldest (RPOP). Stored
 * tail first from `start`, so pushing at the head and popping at the tail are both O(1).
 */
class List {
  private items: string[] = [];
  private start = 0;

  get length(): number {
    return this.items.length - this.start;
  }

  pushHead(message: string): void {
    this.items.push(message);
  }

  /** LPOP. */
  popHead(): string | undefined {
    return this.length > 0 ? this.items.pop() : undefined;
  }

  /** RPUSH. */
  pushTail(message: string): void {
    if (this.start > 0) this.items[--this.start] = message;
    else this.items.unshift(message);
  }

  /** RPOP. */
  popTail(): string | undefined {
    if (this.length === 0) return undefined;
    const message = this.items[this.start++];
    if (this.start >= COMPACT_AFTER && this.start * 2 >= this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
    return message;
  }

  /** LREM 1: the occurrence nearest the head; whether there was one. */
  remove(message: string): boolean {
    const at = this.items.lastIndexOf(message);
    if (at < this.start) return false;
    this.items.splice(at, 1);
    return true;
  }

  /** LRANGE 0 -1. */
  headFirst(): string[] {
    return this.items.slice(this.start).reverse();
  }
}

/** A blocked popWait or take: given the message a push brought, or cancelled (timeout, abort, close). */
interface Waiter {
  deliver(message: string): void;
  cancel(): void;
}

export interface MemoryQueuesOptions {
  /** Times leases (monotonic ms); default the machine's clock. Timeouts of waits are real time. */
  clock?: Clock;
}

export class MemoryQueues implements Queues {
  readonly kind = 'memory' as const;
  private readonly clock: Clock;
  /** Queues and processing lists by key; an empty list is deleted, as in Redis. */
  private readonly lists = new Map<string, List>();
  private readonly counters = new Map<string, number>();
  /** Lease key → when it expires (monotonic ms). */
  private readonly leases = new Map<string, number>();
  /** Consumers key → the consumers. */
  private readonly consumers = new Map<string, Set<string>>();
  /** Queue key → its blocked waiters, the oldest first (Redis serves blocked clients in that order). */
  private readonly waiters = new Map<string, Waiter[]>();
  private closed = false;

  constructor(options: MemoryQueuesOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async push(key: string, ...messages: string[]): Promise<number> {
    this.open();
    const list = this.list(key);
    for (const m of messages) list.pushHead(m);
    const length = list.length;
    this.serveWaiters(key);
    return length;
  }

  async pushCounted(key: string, counterKey: string, message: string): Promise<void> {
    this.open();
    this.list(key).pushHead(message);
    this.counters.set(counterKey, (this.counters.get(counterKey) ?? 0) + 1);
    this.serveWaiters(key);
  }

  async pop(key: string): Promise<string | null> {
    this.open();
    return this.popTail(key) ?? null;
  }

  /** BRPOP; `signal` gives up the wait (resolving null), as the HTTP server does when its client goes away. */
  popWait(key: string, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
    return this.wait(key, timeoutMs, signal, () => {});
  }

  async length(key: string): Promise<number> {
    this.open();
    return this.lists.get(key)?.length ?? 0;
  }

  async range(key: string): Promise<string[]> {
    this.open();
    return this.lists.get(key)?.headFirst() ?? [];
  }

  async counter(key: string): Promise<number> {
    this.open();
    return this.counters.get(key) ?? 0;
  }

  async clear(keys: string[]): Promise<void> {
    this.open();
    const doomed = (name: string) => keys.some((key) => name === key || belongsTo(name, key));
    for (const map of [this.lists, this.counters, this.leases, this.consumers]) {
      for (const name of map.keys()) if (doomed(name)) map.delete(name);
    }
  }

  /** BLMOVE into the processing list; `signal` gives up the wait, as for popWait. */
  take(
    key: string,
    consumer: string,
    timeoutMs: number,
    leaseMs: number,
    signal?: AbortSignal,
  ): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    // As the Redis queues do: registered and leased for the whole wait, so a reclaim meanwhile
    // leaves what this consumer took before alone.
    this.consumersOf(key).add(consumer);
    this.lease(key, consumer, Math.max(0, timeoutMs) + leaseMs);
    return this.wait(key, timeoutMs, signal, (message) => {
      this.list(processingKey(key, consumer)).pushHead(message);
      this.lease(key, consumer, leaseMs);
    });
  }

  async complete(key: string, consumer: string, message: string): Promise<boolean> {
    this.open();
    const name = processingKey(key, consumer);
    const list = this.lists.get(name);
    const removed = list?.remove(message) ?? false;
    if (list?.length === 0) this.lists.delete(name);
    return removed;
  }

  async renew(key: string, consumer: string, leaseMs: number): Promise<void> {
    this.open();
    this.lease(key, consumer, leaseMs);
  }

  async reclaim(key: string): Promise<number> {
    this.open();
    const consumers = this.consumers.get(consumersKey(key));
    let moved = 0;
    for (const consumer of consumers ?? []) {
      const expires = this.leases.get(leaseKey(key, consumer));
      if (expires !== undefined && expires > this.clock.monotonic()) continue;
      const processing = this.lists.get(processingKey(key, consumer));
      // Newest taken first to the tail, so the oldest taken ends at the tail and is taken next.
      for (let m = processing?.popHead(); m !== undefined; m = processing?.popHead()) {
        this.list(key).pushTail(m);
        moved++;
      }
      this.lists.delete(processingKey(key, consumer));
      this.leases.delete(leaseKey(key, consumer));
      consumers?.delete(consumer);
    }
    if (consumers?.size === 0) this.consumers.delete(consumersKey(key));
    if (moved > 0) this.serveWaiters(key);
    return moved;
  }

  async inFlight(key: string): Promise<number> {
    this.open();
    let count = 0;
    for (const consumer of this.consumers.get(consumersKey(key)) ?? []) {
      count += this.lists.get(processingKey(key, consumer))?.length ?? 0;
    }
    return count;
  }

  /** Wakes every blocked wait with null; later calls fail (blocking ones resolve null). */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiters of [...this.waiters.values()]) for (const w of [...waiters]) w.cancel();
  }

  private open(): void {
    if (this.closed) throw new QueueError('embedded', 'the embedded queues are closed');
  }

  private list(key: string): List {
    let list = this.lists.get(key);
    if (!list) {
      list = new List();
      this.lists.set(key, list);
    }
    return list;
  }

  private consumersOf(key: string): Set<string> {
    let set = this.consumers.get(consumersKey(key));
    if (!set) {
      set = new Set();
      this.consumers.set(consumersKey(key), set);
    }
    return set;
  }

  private lease(key: string, consumer: string, leaseMs: number): void {
    this.leases.set(leaseKey(key, consumer), this.clock.monotonic() + leaseMs);
  }

  private popTail(key: string): string | undefined {
    const list = this.lists.get(key);
    const message = list?.popTail();
    if (list?.length === 0) this.lists.delete(key);
    return message;
  }

  /**
   * The oldest message of `key` now, else the first one pushed within `timeoutMs` (null when none
   * came, the signal aborted or the queues closed); `taken` runs with it before anything else can
   * run, so a take's move into its processing list is atomic with the pop.
   */
  private wait(
    key: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    taken: (message: string) => void,
  ): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    const now = this.popTail(key);
    if (now !== undefined) {
      taken(now);
      return Promise.resolve(now);
    }
    if (timeoutMs <= 0 || signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const queue = this.waiters.get(key) ?? [];
      this.waiters.set(key, queue);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', waiter.cancel);
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        if (queue.length === 0 && this.waiters.get(key) === queue) this.waiters.delete(key);
      };
      const waiter: Waiter = {
        deliver: (message) => {
          done();
          taken(message);
          resolve(message);
        },
        cancel: () => {
          done();
          resolve(null);
        },
      };
      const timer = setTimeout(waiter.cancel, timeoutMs);
      signal?.addEventListener('abort', waiter.cancel, { once: true });
      queue.push(waiter);
    });
  }

  /** Hands the oldest messages of `key` to its oldest waiters. */
  private serveWaiters(key: string): void {
    const queue = this.waiters.get(key);
    while (queue?.[0]) {
      const message = this.popTail(key);
      if (message === undefined) return;
      queue[0].deliver(message);
    }
  }
}
