import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../../../src/node/proxy/embedded/sliding-window.js';

describe('SlidingWindow', () => {
  it('counts events of the last second, forgetting them bucket by bucket', () => {
    let now = 0;
    const window = new SlidingWindow({ now: () => now });
    window.add();
    now = 50;
    window.add(2);
    now = 450;
    window.add();
    expect(window.count()).toBe(4);
    now = 999;
    expect(window.count()).toBe(4);
    // The bucket [0, 100) leaves when [1000, 1100) begins.
    now = 1000;
    expect(window.count()).toBe(1);
    now = 1399;
    expect(window.count()).toBe(1);
    now = 1400;
    expect(window.count()).toBe(0);
  });

  it('reuses a slot of the ring for a new bucket without keeping the old count', () => {
    let now = 120;
    const window = new SlidingWindow({ now: () => now });
    window.add(5);
    now = 5_130; // same slot, 50 windows later
    window.add();
    expect(window.count()).toBe(1);
  });

  it('takes other window lengths and precisions', () => {
    let now = 0;
    const window = new SlidingWindow({ windowMs: 200, buckets: 2, now: () => now });
    window.add();
    now = 150;
    window.add();
    expect(window.count()).toBe(2);
    now = 200;
    expect(window.count()).toBe(1);
    expect(() => new SlidingWindow({ buckets: 0 })).toThrow(RangeError);
  });
});
