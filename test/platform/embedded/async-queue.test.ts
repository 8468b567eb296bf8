import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { AsyncQueue } from '../../../src/platform/embedded/async-queue.js';
import { ReplicaUnavailableError } from '../../../src/platform/errors.js';

describe('the async queue', () => {
  it('caps what waits by count and by body bytes, and frees the bytes of a call that starts', async () => {
    let release: () => void = () => {};
    const queue = new AsyncQueue({
      concurrency: 1,
      capacity: 2,
      capacityBytes: 100,
      invoke: () =>
        new Promise((resolve) => {
          release = () => resolve({ status: 200, headers: {}, body: Buffer.alloc(0), durationMs: 1 });
        }),
      logger: silentLogger,
    });
    queue.enqueue('f', { body: 'x'.repeat(90) }); // runs at once: its bytes are not waiting
    queue.enqueue('f', { body: 'x'.repeat(60) });
    const full = () => queue.enqueue('f', { body: new Uint8Array(41) });
    expect(full).toThrow(ReplicaUnavailableError);
    expect(full).toThrow(/60 of 100 bytes/);
    queue.enqueue('f', { body: new Uint8Array(40) }); // exactly at the cap
    expect(() => queue.enqueue('f', {})).toThrow(/2 calls waiting/);

    release(); // the first call ends, the 60-byte one starts: 60 bytes free again
    await new Promise((r) => setImmediate(r));
    queue.enqueue('f', { body: 'x'.repeat(60) });
    expect(queue.clear()).toBe(2);
    queue.enqueue('f', { body: 'x'.repeat(100) }); // clear() emptied the byte count too
  });
});
