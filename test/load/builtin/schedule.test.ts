import { describe, expect, it } from 'vitest';
import { constantArrivals, rampingArrivals } from '../../../src/load/builtin/schedule.js';

describe('arrival schedules', () => {
  it('constant-arrival-rate: rate per time unit, evenly spaced', () => {
    const s = constantArrivals(10, 1000, 3000);
    expect(s.count).toBe(30);
    expect(s.offsetMs(0)).toBe(0);
    expect(s.offsetMs(1)).toBeCloseTo(100);
    expect(s.offsetMs(29)).toBeCloseTo(2900);
    // 30 per minute for 10 s is 5 arrivals, 2 s apart
    const perMinute = constantArrivals(30, 60_000, 10_000);
    expect(perMinute.count).toBe(5);
    expect(perMinute.offsetMs(4)).toBeCloseTo(8000);
    expect(constantArrivals(0, 1000, 5000).count).toBe(0);
  });

  it('ramping-arrival-rate: arrivals follow the integral of a linear ramp', () => {
    // 0 → 100/s over 10 s: 500 arrivals; arrival n is due when 5·t² = n
    const s = rampingArrivals(0, [{ target: 100, durationMs: 10_000 }], 1000);
    expect(s.count).toBe(500);
    expect(s.durationMs).toBe(10_000);
    expect(s.offsetMs(125)).toBeCloseTo(5000, 0);
    expect(s.offsetMs(20)).toBeCloseTo(2000, 0);
    // then hold 100/s for 2 s: 200 more, evenly spaced
    const hold = rampingArrivals(
      0,
      [
        { target: 100, durationMs: 10_000 },
        { target: 100, durationMs: 2000 },
      ],
      1000,
    );
    expect(hold.count).toBe(700);
    expect(hold.offsetMs(600)).toBeCloseTo(11_000, 0);
    // down from 100/s to 0 over 2 s: 100 arrivals, denser first
    const down = rampingArrivals(100, [{ target: 0, durationMs: 2000 }], 1000);
    expect(down.count).toBe(100);
    expect(down.offsetMs(50)).toBeLessThan(1000);
    let last = -1;
    for (let i = 0; i < hold.count; i++) {
      const t = hold.offsetMs(i);
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
  });
});
