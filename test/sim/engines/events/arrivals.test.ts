import { describe, expect, it } from 'vitest';
import { ArrivalStreams } from '../../../../src/sim/engines/events/arrivals.js';
import { streamOf } from '../../../../src/sim/engines/events/streams.js';

/** Every arrival time of stream 0. */
function times(streams: ArrivalStreams): number[] {
  const out: number[] = [];
  for (let t = streams.first(0); Number.isFinite(t); t = streams.next(0, t)) out.push(t);
  return out;
}

/** How many of `ts` fall in each instant of `ms`. */
function perInstant(ts: number[], instants: number, ms: number): number[] {
  const counts = new Array<number>(instants).fill(0);
  for (const t of ts) counts[Math.floor(t / ms)] = (counts[Math.floor(t / ms)] as number) + 1;
  return counts;
}

describe('ArrivalStreams', () => {
  it('evenly spaced: exactly rate × instant arrivals per instant, a gap of 1/rate apart', () => {
    // 4 req/s, then none, then 10 req/s, instants of 1 s.
    const streams = new ArrivalStreams(new Float64Array([4, 0, 10]), 3, 1000, 'constant', [streamOf(1, 'x')]);
    const ts = times(streams);
    expect(perInstant(ts, 3, 1000)).toEqual([4, 0, 10]);
    expect((ts[1] as number) - (ts[0] as number)).toBeCloseTo(250, 9);
    expect((ts[5] as number) - (ts[4] as number)).toBeCloseTo(100, 9);
  });

  it('Poisson: about rate × time arrivals, the rate changing at the boundaries', () => {
    // 50 req/s for 100 s then 5 req/s for 100 s: 5000 ± 3·√5000 (212) and 500 ± 3·√500 (67).
    const streams = new ArrivalStreams(new Float64Array([50, 5]), 2, 100_000, 'poisson', [streamOf(9, 'y')]);
    const [high, low] = perInstant(times(streams), 2, 100_000) as [number, number];
    expect(Math.abs(high - 5000)).toBeLessThan(212);
    expect(Math.abs(low - 500)).toBeLessThan(67);
  });

  it('a stream without any rate never arrives', () => {
    const streams = new ArrivalStreams(new Float64Array([0, 0]), 2, 1000, 'poisson', [streamOf(1, 'z')]);
    expect(streams.first(0)).toBe(Number.POSITIVE_INFINITY);
  });
});
