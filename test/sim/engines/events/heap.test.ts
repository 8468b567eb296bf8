import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../src/core/random.js';
import { EventHeap } from '../../../../src/sim/engines/events/heap.js';

/** Pops everything: [time, a] of each event in order. */
function drain(heap: EventHeap): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let e = heap.pop(); e >= 0; e = heap.pop()) out.push([heap.time[e] as number, heap.a[e] as number]);
  return out;
}

describe('EventHeap', () => {
  it('pops by time, and events at the same time in the order they were pushed', () => {
    const heap = new EventHeap(2);
    heap.push(5, 0, 1, 0, 0, 0);
    heap.push(1, 0, 2, 0, 0, 0);
    heap.push(5, 0, 3, 0, 0, 0);
    heap.push(1, 0, 4, 0, 0, 0);
    heap.push(3, 0, 5, 0, 0, 0);
    expect(drain(heap)).toEqual([
      [1, 2],
      [1, 4],
      [3, 5],
      [5, 1],
      [5, 3],
    ]);
    expect(heap.size).toBe(0);
  });

  it('keeps the popped payload until the next pop, pushes in between included, and grows', () => {
    const heap = new EventHeap(1);
    heap.push(1, 7, 10, 11, 12, 0.5);
    const e = heap.pop();
    for (let i = 0; i < 100; i++) heap.push(2 + i, 1, i, 0, 0, 0);
    expect([heap.kind[e], heap.a[e], heap.b[e], heap.c[e], heap.x[e]]).toEqual([7, 10, 11, 12, 0.5]);
    expect(drain(heap).map(([, a]) => a)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('sorts like a stable sort on random times', () => {
    const random = seededRandom(3);
    const heap = new EventHeap(4);
    const pushed: Array<[number, number]> = [];
    for (let i = 0; i < 2000; i++) {
      const time = Math.floor(random() * 100);
      heap.push(time, 0, i, 0, 0, 0);
      pushed.push([time, i]);
    }
    expect(drain(heap)).toEqual([...pushed].sort((p, q) => p[0] - q[0] || p[1] - q[1]));
  });
});
