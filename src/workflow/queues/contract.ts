/**
 * The queues boundary: Redis-list semantics (LPUSH at the head, RPOP at the tail, so every queue
 * is FIFO), plus reliable consumption. Implemented in memory (`memory.ts`, served to other
 * processes over loopback HTTP by `http-server.ts` and reached through `http-client.ts`) and by
 * Redis (`redis.ts`); one contract suite (`test/workflow/queues/contract.ts`) runs against all.
 *
 * Reliable consumption, as Redis's reliable-queue pattern and BullMQ's job locks do it:
 * - `take` moves the message at the tail of a queue into the consumer's processing list
 *   (`BLMOVE queue QUEUE:processing:CONSUMER RIGHT LEFT`), atomically, and renews the consumer's
 *   lease;
 * - `complete` removes it from the processing list (`LREM`) once its result is pushed;
 * - a consumer renews its lease while it works (`renew`); `reclaim` puts the messages of every
 *   consumer whose lease has expired back at the tail of the queue, so they are taken next.
 * A message is thus processed at least once; the collector de-duplicates by `task_id`.
 */

/** What a queue URL names: `embedded` (this process), `http://…` (an embedded queue served by another process), `redis://…`. */
export type QueueKind = 'memory' | 'http' | 'redis';

export interface Queues {
  readonly kind: QueueKind;
  /** LPUSH: adds messages at the head; resolves with the list's new length. */
  push(key: string, ...messages: string[]): Promise<number>;
  /** LPUSH and INCR of `counterKey` in one atomic step (the reference's enqueue script). */
  pushCounted(key: string, counterKey: string, message: string): Promise<void>;
  /** RPOP: the oldest message, or null when the list is empty. */
  pop(key: string): Promise<string | null>;
  /** BRPOP with a timeout in ms: the oldest message, or null when none came in time. */
  popWait(key: string, timeoutMs: number): Promise<string | null>;
  /** LLEN. */
  length(key: string): Promise<number>;
  /** LRANGE 0 -1: head (newest) first. */
  range(key: string): Promise<string[]>;
  /** GET of a counter; 0 when absent. */
  counter(key: string): Promise<number>;
  /** DEL of keys and of every processing list and lease under them. */
  clear(keys: string[]): Promise<void>;
  /**
   * Reliable take (BLMOVE into `consumer`'s processing list), waiting up to `timeoutMs`; renews
   * the consumer's lease to `leaseMs` from now. Null when nothing came in time.
   */
  take(key: string, consumer: string, timeoutMs: number, leaseMs: number): Promise<string | null>;
  /** LREM of one message from `consumer`'s processing list; false when it was not there (reclaimed). */
  complete(key: string, consumer: string, message: string): Promise<boolean>;
  /** Extends the consumer's lease to `leaseMs` from now. */
  renew(key: string, consumer: string, leaseMs: number): Promise<void>;
  /** Moves the messages of consumers whose lease expired back to the tail of `key`; resolves with how many. */
  reclaim(key: string): Promise<number>;
  /** Messages taken and not completed, over all consumers. */
  inFlight(key: string): Promise<number>;
  close(): Promise<void>;
}
