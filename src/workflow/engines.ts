/**
 * What a farm runs on: a FaaS platform (the embedded platform by default, or an
 * OpenFaaS-compatible gateway by URL) and the queues (in memory, served to the roles over loopback
 * HTTP, or Redis). Opened once for a run or for a whole series of live episodes.
 */
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { Platform } from '../platform/api.js';
import { EmbeddedPlatform } from '../platform/embedded/platform.js';
import { OpenFaaSClient } from '../platform/openfaas/client.js';
import type { Queues } from './queues/contract.js';
import { serveQueues } from './queues/http-server.js';
import { openQueues } from './queues/index.js';
import { MemoryQueues } from './queues/memory.js';

export interface FarmEnginesOptions {
  /** `embedded` or a Redis URL. */
  queue: string;
  /** An OpenFaaS-compatible gateway URL; the embedded platform when absent. */
  gateway?: string;
  auth?: { username: string; password: string };
  /** The most workers the farm will have: the embedded platform runs that many async calls at once, plus the emitter and the collector. */
  maxWorkers: number;
  logger?: Logger;
}

export interface FarmEngines {
  platform: Platform;
  /** The controller's connection. */
  queues: Queues;
  /** What the roles open. */
  roleQueueUrl: string;
  close(): Promise<void>;
}

export async function openFarmEngines(options: FarmEnginesOptions): Promise<FarmEngines> {
  const logger = options.logger ?? silentLogger;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse())
      await c().catch((err: unknown) => logger.warn('closing failed', { error: String(err) }));
  };
  try {
    let queues: Queues;
    let roleQueueUrl: string;
    if (options.queue === 'embedded') {
      const memory = new MemoryQueues();
      const server = await serveQueues(memory, { host: '127.0.0.1' });
      queues = memory;
      roleQueueUrl = server.url;
      closers.push(
        () => memory.close(),
        () => server.close(),
      );
    } else {
      queues = await openQueues(options.queue);
      roleQueueUrl = options.queue;
      closers.push(() => queues.close());
    }
    let platform: Platform;
    if (options.gateway) {
      platform = new OpenFaaSClient({
        gateway: options.gateway,
        ...(options.auth ? { auth: options.auth } : {}),
        timeoutMs: 60_000,
      });
    } else {
      const embedded = new EmbeddedPlatform({
        logger,
        asyncConcurrency: options.maxWorkers + 2,
        drainMs: 2_000,
      });
      platform = embedded;
      closers.push(() => embedded.close());
    }
    return { platform, queues, roleQueueUrl, close };
  } catch (err) {
    await close();
    throw err;
  }
}
