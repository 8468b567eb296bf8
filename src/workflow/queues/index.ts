/**
 * The queue registry: what `--queue URL` names, opened.
 * - `embedded` (or `memory`): queues in this process's memory;
 * - `http://127.0.0.1:PORT`: the embedded queues of another process (http-server.ts);
 * - `redis://[:password@]host:port[/db]`, `rediss://…`: Redis.
 */
import { ConfigError } from '../../core/errors.js';
import { isLoopbackHost } from '../../core/net.js';
import type { QueueKind, Queues } from './contract.js';
import { describeQueueUrl } from './errors.js';
import { HttpQueues } from './http-client.js';
import { MemoryQueues, type MemoryQueuesOptions } from './memory.js';
import { RedisQueues, type RedisQueuesOptions } from './redis.js';

export { describeQueueUrl, QueueError } from './errors.js';

export const QUEUE_KINDS: readonly QueueKind[] = ['memory', 'http', 'redis'];

/** The forms `--queue` accepts, for its help and its error. */
const ACCEPTED =
  'embedded (or memory), http://127.0.0.1:PORT, redis://[:password@]host:port[/db] or rediss://…';

export type OpenQueuesOptions = MemoryQueuesOptions & RedisQueuesOptions;

/** The queues `url` names; a Redis is connected to (a QueueError when it does not answer in time). */
export async function openQueues(url: string, options: OpenQueuesOptions = {}): Promise<Queues> {
  switch (queueKind(url)) {
    case 'memory':
      return new MemoryQueues(options);
    case 'http':
      return new HttpQueues(url, options);
    case 'redis':
      return RedisQueues.open(url, options);
  }
}

/** The kind of queue `url` names; a ConfigError (exit code 2) for anything else. */
export function queueKind(url: string): QueueKind {
  if (url === 'embedded' || url === 'memory') return 'memory';
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {}
  if (parsed?.protocol === 'redis:' || parsed?.protocol === 'rediss:') return 'redis';
  if (parsed?.protocol === 'http:' && isLoopbackHost(parsed.hostname) && parsed.port) return 'http';
  throw new ConfigError('queue', [
    { field: '--queue', message: `"${describeQueueUrl(url)}" is not a queue; use ${ACCEPTED}` },
  ]);
}
