/**
 * The queues contract (src/workflow/queues/contract.ts), run against every implementation:
 * memory (memory.test.ts), the HTTP client of a served memory queue (http.test.ts) and Redis
 * (test/integration/workflow-queues-redis.test.ts). Every test uses keys of its own, so the suite
 * can share one Redis with other runs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.js';
import type { Queues } from '../../../src/workflow/queues/contract.js';

export interface QueueContractOptions {
  /** Lets `ms` of lease time pass (advances a test clock); default a real sleep. */
  passTime?: (ms: number) => Promise<void>;
}

/** A clock that moves only when told: leases of memory queues, their time passed by `passTime`. */
export function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    monotonic: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * `open` gives a client of one and the same store each time it is called (the suite opens two,
 * to push from one while the other waits).
 */
export function queueContract(
  name: string,
  open: () => Promise<Queues>,
  { passTime = sleep }: QueueContractOptions = {},
): void {
  describe(`the queues contract: ${name}`, () => {
    let queues: Queues;
    let other: Queues;
    const run = randomUUID().slice(0, 8);
    let n = 0;
    /** A key no other test (nor another run on the same Redis) uses. */
    const fresh = (what: string) => `contract-${run}-${++n}-${what}`;

    beforeAll(async () => {
      queues = await open();
      other = await open();
    });
    afterAll(async () => {
      await queues?.close();
      await other?.close();
    });

    it('is FIFO: push at the head, pop at the tail; push answers the new length', async () => {
      const q = fresh('fifo');
      expect(await queues.push(q, 'a')).toBe(1);
      expect(await queues.push(q, 'b', 'c')).toBe(3);
      expect(await queues.length(q)).toBe(3);
      expect([await queues.pop(q), await queues.pop(q), await queues.pop(q)]).toEqual(['a', 'b', 'c']);
      expect(await queues.pop(q)).toBeNull();
      expect(await queues.length(q)).toBe(0);
    });

    it('ranges head (newest) first', async () => {
      const q = fresh('range');
      expect(await queues.range(q)).toEqual([]);
      await queues.push(q, 'a', 'b');
      await queues.push(q, 'c');
      expect(await queues.range(q)).toEqual(['c', 'b', 'a']);
    });

    it('pushCounted pushes and counts each message, concurrent ones too', async () => {
      const q = fresh('counted');
      const counter = fresh('counted:enqueued_total');
      expect(await queues.counter(counter)).toBe(0);
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? queues : other).pushCounted(q, counter, `m${i}`)),
      );
      expect(await queues.counter(counter)).toBe(50);
      expect(await queues.length(q)).toBe(50);
    });

    it('popWait gets a message pushed by another client while it waits, and null when none comes', async () => {
      const q = fresh('wait');
      const waiting = queues.popWait(q, 10_000);
      await sleep(50);
      await other.push(q, 'hello');
      expect(await waiting).toBe('hello');
      expect(await queues.popWait(q, 50)).toBeNull();
      await other.push(q, 'there');
      expect(await queues.popWait(q, 0)).toBe('there');
    });

    it('one push of several messages serves as many waiters, each once, the oldest waiter first', async () => {
      const q = fresh('waiters');
      const first = queues.popWait(q, 10_000);
      await sleep(20);
      const second = queues.popWait(q, 10_000);
      await sleep(50);
      await other.push(q, 'x', 'y');
      expect([await first, await second]).toEqual(['x', 'y']);
      expect(await queues.length(q)).toBe(0);
    });

    it('take moves the oldest message into processing; complete removes it once', async () => {
      const q = fresh('take');
      await queues.push(q, 'm1', 'm2');
      expect(await queues.take(q, 'c1', 1000, 60_000)).toBe('m1');
      expect(await queues.length(q)).toBe(1);
      expect(await queues.inFlight(q)).toBe(1);
      expect(await queues.complete(q, 'c1', 'm1')).toBe(true);
      expect(await queues.complete(q, 'c1', 'm1')).toBe(false);
      expect(await queues.complete(q, 'c2', 'm2')).toBe(false);
      expect(await queues.inFlight(q)).toBe(0);
      expect(await queues.range(q)).toEqual(['m2']);
    });

    it('take waits for a push from another client, and answers null when none comes', async () => {
      const q = fresh('take-wait');
      const taking = queues.take(q, 'c1', 10_000, 60_000);
      await sleep(50);
      await other.push(q, 'late');
      expect(await taking).toBe('late');
      expect(await other.inFlight(q)).toBe(1);
      expect(await queues.take(q, 'c1', 50, 60_000)).toBeNull();
      expect(await queues.inFlight(q)).toBe(1);
    });

    it("reclaims an expired consumer's messages to the tail, taken next in their order", async () => {
      const q = fresh('reclaim');
      await queues.push(q, 'a', 'b', 'c', 'd');
      for (const expected of ['a', 'b', 'c']) expect(await queues.take(q, 'dead', 1000, 100)).toBe(expected);
      expect(await queues.inFlight(q)).toBe(3);
      await passTime(400);
      expect(await other.reclaim(q)).toBe(3);
      expect(await queues.inFlight(q)).toBe(0);
      expect(await queues.range(q)).toEqual(['d', 'c', 'b', 'a']);
      const next = [];
      for (let i = 0; i < 4; i++) next.push(await other.take(q, 'alive', 1000, 60_000));
      expect(next).toEqual(['a', 'b', 'c', 'd']);
      expect(await queues.complete(q, 'dead', 'a')).toBe(false);
      expect(await queues.complete(q, 'alive', 'a')).toBe(true);
      expect(await queues.reclaim(q)).toBe(0);
    });

    it('does not reclaim from a consumer that renewed its lease', async () => {
      const q = fresh('renew');
      await queues.push(q, 'kept');
      expect(await queues.take(q, 'worker', 1000, 200)).toBe('kept');
      await queues.renew(q, 'worker', 60_000);
      await passTime(500);
      expect(await queues.reclaim(q)).toBe(0);
      expect(await queues.inFlight(q)).toBe(1);
      expect(await queues.complete(q, 'worker', 'kept')).toBe(true);
    });

    it('clear removes queues, counters, processing lists and leases', async () => {
      const q = fresh('clear');
      const counter = fresh('clear:enqueued_total');
      const kept = fresh('kept');
      await queues.pushCounted(q, counter, 'a');
      await queues.push(q, 'b', 'c');
      await queues.push(kept, 'k');
      expect(await queues.take(q, 'c1', 1000, 100)).toBe('a');
      await queues.clear([q, counter]);
      expect(await queues.length(q)).toBe(0);
      expect(await queues.range(q)).toEqual([]);
      expect(await queues.counter(counter)).toBe(0);
      expect(await queues.inFlight(q)).toBe(0);
      await passTime(300);
      expect(await queues.reclaim(q)).toBe(0);
      expect(await queues.length(q)).toBe(0);
      expect(await queues.complete(q, 'c1', 'a')).toBe(false);
      expect(await queues.range(kept)).toEqual(['k']);
      await queues.clear([]);
    });

    it('never gives one message to two concurrent takers', async () => {
      const q = fresh('race');
      const sent = Array.from({ length: 200 }, (_, i) => `task-${i}`);
      await queues.push(q, ...sent);
      const consume = async (consumer: string, client: Queues) => {
        const got: string[] = [];
        for (;;) {
          const m = await client.take(q, consumer, 50, 60_000);
          if (m === null) return got;
          got.push(m);
          expect(await client.complete(q, consumer, m)).toBe(true);
        }
      };
      const all = (
        await Promise.all(['w0', 'w1', 'w2', 'w3'].map((c, i) => consume(c, i % 2 ? queues : other)))
      ).flat();
      expect(all).toHaveLength(sent.length);
      expect(new Set(all)).toEqual(new Set(sent));
      expect(await queues.inFlight(q)).toBe(0);
    });
  });
}
