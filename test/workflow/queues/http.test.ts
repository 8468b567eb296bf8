import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../../src/core/errors.js';
import { freeLoopbackPort } from '../../../src/core/net.js';
import { HttpQueues } from '../../../src/workflow/queues/http-client.js';
import { type QueueServer, serveQueues } from '../../../src/workflow/queues/http-server.js';
import { MemoryQueues } from '../../../src/workflow/queues/memory.js';
import { manualClock, queueContract } from './contract.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const clock = manualClock();
let server: QueueServer;
beforeAll(async () => {
  server = await serveQueues(new MemoryQueues({ clock }));
});
afterAll(() => server?.close());

queueContract('http (served memory queues)', async () => new HttpQueues(server.url), {
  passTime: async (ms) => clock.advance(ms),
});

/** A queue server of its own, its long polls capped at `capMs`. */
async function ownServer(capMs?: number) {
  const queues = new MemoryQueues();
  const served = await serveQueues(queues, capMs === undefined ? {} : { longPollCapMs: capMs });
  return { queues, served, client: new HttpQueues(served.url) };
}

describe('the queue server and its HTTP client', () => {
  it('ask again past the long-poll cap until the wait is over', async () => {
    const { served, client } = await ownServer(40);
    try {
      const waiting = client.popWait('q', 10_000);
      await sleep(150);
      await client.push('q', 'late');
      expect(await waiting).toBe('late');
      expect(await client.take('q', 'c', 120, 1000)).toBeNull();
    } finally {
      await client.close();
      await served.close();
    }
  });

  it('stop waiting for a client that went away: a later push stays in the queue', async () => {
    const { queues, served, client } = await ownServer();
    const other = new HttpQueues(served.url);
    try {
      const waiting = client.take('q', 'c', 10_000, 1000);
      await sleep(50);
      await client.close();
      expect(await waiting).toBeNull();
      await sleep(50);
      await other.push('q', 'm');
      expect(await queues.range('q')).toEqual(['m']);
      expect(await queues.inFlight('q')).toBe(0);
    } finally {
      await other.close();
      await served.close();
    }
  });

  it('close without waiting for the pending long polls; the client then fails with a queue error', async () => {
    const { served, client } = await ownServer();
    try {
      const waiting = client.popWait('q', 20_000).then(
        (value) => ({ value }),
        (err: unknown) => ({ code: errorCode(err) }),
      );
      await sleep(50);
      await served.close();
      expect(await waiting).toEqual({ code: 'DFAAS_ERR_WORKFLOW_QUEUE' });
    } finally {
      await client.close();
    }
  });

  it('answer a bad request 400, an unknown operation 404 and a GET 405, with their codes', async () => {
    const { served } = await ownServer();
    try {
      const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
        const res = await request(`${served.url}${path}`, {
          method,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.statusCode, code: ((await res.body.json()) as { code: string }).code };
      };
      expect(await call('POST', '/push', { key: '', messages: ['m'] })).toEqual({
        status: 400,
        code: 'DFAAS_ERR_BAD_INPUT',
      });
      expect(await call('POST', '/take', { key: 'q', consumer: 'c', timeoutMs: 10, leaseMs: -1 })).toEqual({
        status: 400,
        code: 'DFAAS_ERR_BAD_INPUT',
      });
      expect(await call('POST', '/flushall', {})).toEqual({ status: 404, code: 'DFAAS_ERR_NOT_FOUND' });
      expect(await call('GET', '/pop')).toEqual({ status: 405, code: 'DFAAS_ERR_METHOD_NOT_ALLOWED' });
    } finally {
      await served.close();
    }
  });

  it('refuse to listen beyond loopback', async () => {
    await expect(serveQueues(new MemoryQueues(), { host: '0.0.0.0' })).rejects.toSatisfy(
      (e) => errorCode(e) === 'DFAAS_ERR_BAD_INPUT',
    );
  });

  it('fail with a queue error naming the URL when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const client = new HttpQueues(url);
    try {
      const err = await client.length('q').catch((e: unknown) => e);
      expect(errorCode(err)).toBe('DFAAS_ERR_WORKFLOW_QUEUE');
      expect((err as Error).message).toContain(url);
    } finally {
      await client.close();
    }
  });
});
