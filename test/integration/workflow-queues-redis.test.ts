import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../src/core/errors.js';
import { freeLoopbackPort } from '../../src/core/net.js';
import { openQueues } from '../../src/workflow/queues/index.js';
import { RedisQueues } from '../../src/workflow/queues/redis.js';
import { type RunningRedis, redisBinary, startRedis } from '../helpers/redis.js';
import { queueContract } from '../workflow/queues/contract.js';

/** The queues on a real Redis (Debian's redis-server, started by the test on a free loopback port). */
const binary = redisBinary();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe.runIf(binary)('the Redis queues', () => {
  let server: RunningRedis;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  queueContract('redis', () => RedisQueues.open(server.url));

  it('are what openQueues gives for a redis:// URL', async () => {
    const queues = await openQueues(server.url);
    try {
      expect(queues.kind).toBe('redis');
      expect(await queues.push('registry-probe', 'm')).toBe(1);
      await queues.clear(['registry-probe']);
    } finally {
      await queues.close();
    }
  });

  it('wake a blocking wait with null on close', async () => {
    const queues = await RedisQueues.open(server.url);
    const waits = [queues.popWait('close-probe', 20_000), queues.take('close-probe', 'c', 20_000, 1000)];
    await sleep(100);
    await queues.close();
    expect(await Promise.all(waits)).toEqual([null, null]);
  });

  it('fail with a queue error naming the URL, its password hidden, when Redis stays unreachable', async () => {
    const url = `redis://:secret@127.0.0.1:${await freeLoopbackPort()}`;
    const err = await RedisQueues.open(url, { retriesPerCommand: 2 }).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('DFAAS_ERR_WORKFLOW_QUEUE');
    expect((err as Error).message).toContain('redis://:***@127.0.0.1:');
    expect((err as Error).message).toContain('unreachable');
    expect((err as Error).message).not.toContain('secret');
  });
});

describe.runIf(binary)('the Redis queues across a Redis restart', () => {
  let server: RunningRedis;
  let queues: RedisQueues;
  beforeAll(async () => {
    server = await startRedis({ persistence: true });
    queues = await RedisQueues.open(server.url);
  });
  afterAll(async () => {
    await queues?.close();
    await server?.stop();
  });

  it('keep what was pushed before a restart with persistence', async () => {
    await queues.push('kept', 'a', 'b', 'c');
    await queues.pushCounted('kept', 'kept:enqueued_total', 'd');
    expect(await queues.take('kept', 'worker', 1000, 60_000)).toBe('a');
    await server.restart();
    expect(await queues.range('kept')).toEqual(['d', 'c', 'b']);
    expect(await queues.counter('kept:enqueued_total')).toBe(1);
    expect(await queues.inFlight('kept')).toBe(1);
    expect(await queues.complete('kept', 'worker', 'a')).toBe(true);
  });

  it('complete the commands issued while Redis is down once it is back', async () => {
    const waiting = queues.popWait('during', 30_000);
    await sleep(100);
    const restarting = server.restart(2000);
    await sleep(500);
    const pushed = queues.push('during', 'while-down');
    const length = queues.length('during');
    await restarting;
    expect(await pushed).toBe(1);
    expect(await waiting).toBe('while-down');
    expect(await length).toBeLessThanOrEqual(1);
    expect(await queues.length('during')).toBe(0);
  }, 60_000);
});
