import { describe, expect, it } from 'vitest';
import { LATENCY_HEADER, latencyLines } from '../../src/dataset/latency.js';

const trend = (ms: number, p99?: number) => ({
  avg: ms,
  min: ms / 2,
  med: ms,
  max: ms * 3,
  'p(90)': ms * 2,
  'p(95)': ms * 2.5,
  ...(p99 === undefined ? {} : { 'p(99)': p99 }),
});

describe('latency.csv', () => {
  it('writes a line per loaded function: counts, then the latency tails in ms', () => {
    const summary = {
      metrics: {
        latency_figlet: trend(10, 40),
        success_rate_figlet: { value: 0.9, passes: 9, fails: 1 },
        request_count_figlet: { count: 10, rate: 10 },
        'dropped_iterations{scenario:figlet}': { count: 2, rate: 2 },
        // k6's own summary without dfaas's summaryTrendStats has no p(99)
        latency_shasum: trend(4),
        success_rate_shasum: { value: 1, passes: 5, fails: 0 },
        request_count_shasum: { count: 5, rate: 5 },
      },
    };
    expect(LATENCY_HEADER.split(',')).toHaveLength(14);
    expect(latencyLines('abc', 2, { shasum: 5, figlet: 10, echo: 0 }, summary)).toEqual([
      'abc,2,figlet,10,10,9,1,2,10,10,20,25,40,30',
      'abc,2,shasum,5,5,5,0,0,4,4,8,10,nan,12',
    ]);
  });

  it('gives a function with no successful answer no latency, and an unreadable summary nan figures', () => {
    const failed = {
      metrics: {
        latency_figlet: trend(0),
        success_rate_figlet: { value: 0, passes: 0, fails: 10 },
        request_count_figlet: { count: 10, rate: 10 },
      },
    };
    expect(latencyLines('abc', 0, { figlet: 10 }, failed)).toEqual([
      'abc,0,figlet,10,10,0,10,0,nan,nan,nan,nan,nan,nan',
    ]);
    expect(latencyLines('abc', 0, { figlet: 10 }, 'not a summary')).toEqual([
      'abc,0,figlet,10,nan,nan,nan,0,nan,nan,nan,nan,nan,nan',
    ]);
  });
});
