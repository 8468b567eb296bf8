import { describe, expect, it } from 'vitest';
import { errorCode } from '../../../src/core/errors.js';
import { MemoryQueues } from '../../../src/workflow/queues/memory.js';
import { manualClock, queueContract } from './contract.js';

const clock = manualClock();
const shared = new MemoryQueues({ clock });
queueContract('memory', async () => shared, {
  passTime: async (ms) => clock.advance(ms),
});

describe('the memory queues', () => {
  it('time leases on the injected clock', async () => {
    const time = manualClock();
    const queues = new MemoryQueues({ clock: time });
    await queues.push('q', 'm');
    expect(await queues.take('q', 'c', 0, 100)).toBe('m');
    time.advance(99);
    expect(await queues.reclaim('q')).toBe(0);
    time.advance(1);
    expect(await queues.reclaim('q')).toBe(1);
    expect(await queues.range('q')).toEqual(['m']);
  });

  it('stay FIFO over many pushes and pops', async () => {
    const queues = new MemoryQueues();
    const got: string[] = [];
    for (let round = 0; round < 5; round++) {
      await queues.push('q', ...Array.from({ length: 1000 }, (_, i) => `${round}-${i}`));
      for (let i = 0; i < 700; i++) got.push((await queues.pop('q')) as string);
    }
    for (let m = await queues.pop('q'); m !== null; m = await queues.pop('q')) got.push(m);
    const sent = Array.from({ length: 5 }, (_, r) =>
      Array.from({ length: 1000 }, (_, i) => `${r}-${i}`),
    ).flat();
    expect(got).toEqual(sent);
  });

  it('give up a wait whose signal aborts, and the next push goes to the queue', async () => {
    const queues = new MemoryQueues();
    const aborter = new AbortController();
    const waiting = queues.take('q', 'c', 10_000, 1000, aborter.signal);
    aborter.abort();
    expect(await waiting).toBeNull();
    await queues.push('q', 'm');
    expect(await queues.length('q')).toBe(1);
    expect(await queues.inFlight('q')).toBe(0);
  });

  it('wake their waiters with null on close, and refuse what comes after', async () => {
    const queues = new MemoryQueues();
    const waits = [queues.popWait('q', 10_000), queues.take('q', 'c', 10_000, 1000)];
    await queues.close();
    expect(await Promise.all(waits)).toEqual([null, null]);
    expect(await queues.popWait('q', 10_000)).toBeNull();
    await expect(queues.push('q', 'm')).rejects.toSatisfy((e) => errorCode(e) === 'DFAAS_ERR_WORKFLOW_QUEUE');
  });
});
