/**
 * The queues in Redis (`--queue redis://[:password@]host:port[/db]`, or `rediss://` for TLS), the
 * reference farm's own store, with ioredis. Reliable consumption as `contract.ts` describes it:
 * BLMOVE into `KEY:processing:CONSUMER`, a lease key `KEY:lease:CONSUMER` that expires (PX), the
 * consumers in the set `KEY:consumers` so reclaim finds them, and reclaim as one Lua script.
 *
 * Blocking commands (BRPOP, BLMOVE) each run on a connection of their own, borrowed from a pool
 * of duplicates, so they never hold up the others on the main connection.
 *
 * A Redis restart is ridden out: ioredis reconnects (retryStrategy) and keeps the commands issued
 * meanwhile in its offline queue, resending the ones in flight. A Redis that stays away fails the
 * commands waiting for it after `retriesPerCommand` reconnection attempts (about 9 s by default),
 * with a QueueError naming the URL.
 */
import { Redis } from 'ioredis';
import type { Queues } from './contract.js';
import { QueueError } from './errors.js';
import { consumersKey, leaseKey, processingKey } from './keys.js';

export interface RedisQueuesOptions {
  /**
   * Reconnection attempts a command waits through before it fails (ioredis's
   * maxRetriesPerRequest); default 12, about 9 s with the backoff below.
   */
  retriesPerCommand?: number;
  /** Bound of one connection attempt, ms (default 3000). */
  connectTimeoutMs?: number;
}

/** Delay before reconnection attempt `n`: 50 ms doubling, at most 1 s; never gives up on its own. */
function retryDelay(attempt: number): number {
  return Math.min(50 * 2 ** (attempt - 1), 1000);
}

/** LPUSH KEYS[1] ARGV[1] and INCR KEYS[2], atomically (the reference's enqueue script). */
const PUSH_COUNTED = `
redis.call('LPUSH', KEYS[1], ARGV[1])
return redis.call('INCR', KEYS[2])`;

/**
 * For every consumer of KEYS[1] (in the set KEYS[2]) whose lease is gone: its processing list
 * back to the tail of the queue, the newest first so the oldest taken ends at the tail and is
 * taken next; then the consumer leaves the set. ARGV[1] and ARGV[2] are the key prefixes of the
 * processing lists and the leases. Returns how many messages moved.
 */
const RECLAIM = `
local moved = 0
for _, consumer in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[2] .. consumer) == 0 then
    local processing = ARGV[1] .. consumer
    while redis.call('LMOVE', processing, KEYS[1], 'LEFT', 'RIGHT') do
      moved = moved + 1
    end
    redis.call('SREM', KEYS[2], consumer)
  end
end
return moved`;

/** Redis's glob characters escaped, so a key is matched as itself in SCAN MATCH. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Our scripts, called by name on the main connection (ioredis sends EVALSHA, EVAL when unknown). */
interface Scripts {
  queuesPushCounted(key: string, counterKey: string, message: string): Promise<number>;
  queuesReclaim(
    key: string,
    consumers: string,
    processingPrefix: string,
    leasePrefix: string,
  ): Promise<number>;
}

export class RedisQueues implements Queues {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;
  private readonly scripts: Scripts;
  /** Blocking connections not in use. */
  private readonly idle: Redis[] = [];
  /** Blocking connections running a command. */
  private readonly busy = new Set<Redis>();
  private closing = false;
  private readonly retries: number;
  /** The last connection error ioredis reported, to say why Redis is unreachable. */
  private lastError: Error | undefined;

  constructor(
    private readonly url: string,
    options: RedisQueuesOptions = {},
  ) {
    this.retries = options.retriesPerCommand ?? 12;
    this.redis = new Redis(url, {
      retryStrategy: retryDelay,
      maxRetriesPerRequest: this.retries,
      connectTimeout: options.connectTimeoutMs ?? 3000,
      lazyConnect: true,
    });
    this.watch(this.redis);
    this.redis.defineCommand('queuesPushCounted', { numberOfKeys: 2, lua: PUSH_COUNTED });
    this.redis.defineCommand('queuesReclaim', { numberOfKeys: 2, lua: RECLAIM });
    this.scripts = this.redis as unknown as Scripts;
  }

  /** Connected queues; a QueueError when Redis does not answer within the retry bound. */
  static async open(url: string, options: RedisQueuesOptions = {}): Promise<RedisQueues> {
    const queues = new RedisQueues(url, options);
    try {
      await queues.command(() => queues.redis.ping());
      return queues;
    } catch (err) {
      await queues.close();
      throw err;
    }
  }

  push(key: string, ...messages: string[]): Promise<number> {
    return this.command(() => this.redis.lpush(key, ...messages));
  }

  async pushCounted(key: string, counterKey: string, message: string): Promise<void> {
    await this.command(() => this.scripts.queuesPushCounted(key, counterKey, message));
  }

  pop(key: string): Promise<string | null> {
    return this.command(() => this.redis.rpop(key));
  }

  async popWait(key: string, timeoutMs: number): Promise<string | null> {
    if (timeoutMs <= 0) return this.pop(key);
    const reply = await this.blocking((c) => c.brpop(key, seconds(timeoutMs)));
    return reply?.[1] ?? null;
  }

  length(key: string): Promise<number> {
    return this.command(() => this.redis.llen(key));
  }

  range(key: string): Promise<string[]> {
    return this.command(() => this.redis.lrange(key, 0, -1));
  }

  async counter(key: string): Promise<number> {
    return Number((await this.command(() => this.redis.get(key))) ?? 0);
  }

  async clear(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const doomed = [...keys, ...keys.map(consumersKey)];
    for (const key of keys) {
      for (const kind of ['processing', 'lease']) {
        doomed.push(...(await this.scan(`${globEscape(key)}:${kind}:*`)));
      }
    }
    await this.command(() => this.redis.del(...doomed));
  }

  async take(key: string, consumer: string, timeoutMs: number, leaseMs: number): Promise<string | null> {
    const processing = processingKey(key, consumer);
    // Registered and leased before the move, for the whole wait: a consumer that dies right after
    // the move still has its message reclaimed, and a reclaim during the wait leaves it alone.
    await this.command(() =>
      this.redis
        .pipeline()
        .sadd(consumersKey(key), consumer)
        .set(leaseKey(key, consumer), '1', 'PX', Math.ceil(Math.max(0, timeoutMs) + leaseMs))
        .exec(),
    );
    const message =
      timeoutMs <= 0
        ? await this.command(() => this.redis.lmove(key, processing, 'RIGHT', 'LEFT'))
        : await this.blocking((c) => c.blmove(key, processing, 'RIGHT', 'LEFT', seconds(timeoutMs)));
    if (message !== null) await this.renew(key, consumer, leaseMs);
    return message;
  }

  async complete(key: string, consumer: string, message: string): Promise<boolean> {
    return (await this.command(() => this.redis.lrem(processingKey(key, consumer), 1, message))) > 0;
  }

  async renew(key: string, consumer: string, leaseMs: number): Promise<void> {
    await this.command(() => this.redis.set(leaseKey(key, consumer), '1', 'PX', Math.ceil(leaseMs)));
  }

  reclaim(key: string): Promise<number> {
    return this.command(() =>
      this.scripts.queuesReclaim(key, consumersKey(key), processingKey(key, ''), leaseKey(key, '')),
    );
  }

  async inFlight(key: string): Promise<number> {
    const consumers = await this.command(() => this.redis.smembers(consumersKey(key)));
    if (consumers.length === 0) return 0;
    const pipeline = this.redis.pipeline();
    for (const c of consumers) pipeline.llen(processingKey(key, c));
    const replies = (await this.command(() => pipeline.exec())) ?? [];
    return replies.reduce((sum, [err, n]) => {
      if (err) throw new QueueError(this.url, err.message, err);
      return sum + Number(n);
    }, 0);
  }

  /** Resolves the blocking waits in flight with null and ends every connection. */
  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.busy) c.disconnect();
    await Promise.all([this.redis, ...this.idle.splice(0)].map(quit));
  }

  /** Runs `run`, turning its failure into a QueueError naming the URL. */
  private async command<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.failure(err);
    }
  }

  /** Runs a blocking command on a pooled connection of its own; null when close() ended it. */
  private async blocking<T>(run: (connection: Redis) => Promise<T | null>): Promise<T | null> {
    if (this.closing) return null;
    const connection = this.idle.pop() ?? this.watch(this.redis.duplicate());
    this.busy.add(connection);
    try {
      return await run(connection);
    } catch (err) {
      if (this.closing) return null;
      throw this.failure(err);
    } finally {
      this.busy.delete(connection);
      if (this.closing) connection.disconnect();
      else this.idle.push(connection);
    }
  }

  private async scan(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.command(() => this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000));
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  /** A QueueError for a failed command, saying why when Redis stayed unreachable. */
  private failure(err: unknown): QueueError {
    const error = err as Error;
    const unreachable = error.name === 'MaxRetriesPerRequestError';
    const message = unreachable
      ? `unreachable: gave up after ${this.retries} reconnection attempts${this.lastError ? ` (${this.lastError.message})` : ''}`
      : error.message;
    return new QueueError(this.url, message, err);
  }

  /**
   * ioredis reports every failed connection attempt as an `error` event (printed when nobody
   * listens); the commands waiting fail on their own once the retry bound is reached, so the
   * last one is only kept for their error.
   */
  private watch(connection: Redis): Redis {
    connection.on('error', (err: Error) => {
      this.lastError = err;
    });
    return connection;
  }
}

/** A timeout for BRPOP/BLMOVE: seconds with ms precision (Redis 6 takes decimals). */
function seconds(ms: number): string {
  return (Math.max(1, Math.round(ms)) / 1000).toFixed(3);
}

/** QUIT (the replies in flight arrive first), else a disconnect after a bound. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end' || connection.status === 'wait') {
    connection.disconnect();
    return;
  }
  const timer = setTimeout(() => connection.disconnect(), 1000);
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
