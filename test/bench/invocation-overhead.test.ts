import { afterEach, describe, expect, it } from 'vitest';
import { Benchmarker } from '../../src/bench/benchmarker.js';
import {
  invocationOverhead,
  invocationOverheadSummary,
  leastSquares,
  payloadSizes,
  sameHost,
} from '../../src/bench/experiments/invocation-overhead.js';
import { httpProvider, openfaasProvider } from '../../src/bench/providers.js';
import type { StoreRow } from '../../src/bench/store/contract.js';
import { type FakeAnswer, type FakeCall, type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';

/**
 * invocation-overhead against the stand-in lab: a function that answers cold once after each
 * forced cold start (and on its first call), warm otherwise, unless the test says.
 */
let lab: FakeLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function setup(
  options: {
    answer?: (call: FakeCall, cold: boolean) => FakeAnswer;
    forceTakes?: (n: number) => boolean;
  } = {},
) {
  const pendingCold = new Set<string>();
  const forced: number[] = [];
  lab = await startFakeLab((call) => {
    const cold = pendingCold.delete(call.fn) || call.n === 1;
    return options.answer ? options.answer(call, cold) : { fields: { is_cold: cold } };
  });
  const running = lab;
  const provider = {
    ...running.provider,
    forceCold: async (fn: string) => {
      forced.push(running.calls.length);
      if (options.forceTakes?.(forced.length) ?? true) pendingCold.add(fn);
    },
  };
  const ctx = fakeContext(running, {
    provider,
    bench: new Benchmarker({ provider, retryForMs: 0 }),
    tables: new Set(['Invocation_overhead']),
  });
  return { ctx, forced, calls: running.calls };
}

const params = (over: Record<string, unknown>) => invocationOverhead.params.parse(over);
const rowsOf = (ctx: { recorded: Map<string, StoreRow[]> }) => ctx.recorded.get('Invocation_overhead') ?? [];
const payloadLength = (c: FakeCall) => (typeof c.body.payload === 'string' ? c.body.payload.length : null);

describe('invocation-overhead', () => {
  it("keeps SeBS's settings as defaults: 20 sizes from 1,024 to 6,251,000 B, 5 repetitions", () => {
    expect(invocationOverhead.params.parse({})).toEqual({
      function_name: 'function1',
      payload_begin: 1024,
      payload_end: 6_251_000,
      payload_points: 20,
      repetitions: 5,
      cold_wait: 1,
      max_attempts: 10,
    });
    // numpy.linspace(1024, 6251000, 20), truncated as SeBS's int(pt).
    expect(payloadSizes(1024, 6_251_000, 20)).toEqual([
      1024, 329970, 658916, 987862, 1316808, 1645754, 1974700, 2303646, 2632592, 2961538, 3290485, 3619431,
      3948377, 4277323, 4606269, 4935215, 5264161, 5593107, 5922053, 6251000,
    ]);
    expect(payloadSizes(5, 9, 1)).toEqual([5]);
    // The lab functions take payloads of at most 8 MiB.
    expect(() => params({ payload_end: 8 * 1024 * 1024 + 1 })).toThrow();
    expect(() => params({ payload_begin: 10, payload_end: 5 })).toThrow(/payload_begin must not exceed/);
    expect(invocationOverhead.origin).toBe('sebs');
  });

  it('a warm pass after one warm-up call, then a cold pass going cold and waiting 1 s before each call', async () => {
    const { ctx, forced, calls } = await setup();
    await invocationOverhead.run(
      ctx,
      params({ payload_begin: 10, payload_end: 30, payload_points: 3, repetitions: 2 }),
    );
    expect(calls).toHaveLength(13);
    // The warm-up call carries no payload; then each size twice, warm, then cold.
    expect(calls.map(payloadLength)).toEqual([null, 10, 10, 20, 20, 30, 30, 10, 10, 20, 20, 30, 30]);
    expect(forced).toEqual([7, 8, 9, 10, 11, 12]);
    expect(ctx.time.waits).toEqual(Array(6).fill(1));
    const rows = rowsOf(ctx);
    expect(rows.map((r) => [r.pass, r.payload_bytes, r.repetition, r.is_cold, r.kept, r.attempts])).toEqual([
      ['warm', 10, 0, false, true, 1],
      ['warm', 10, 1, false, true, 1],
      ['warm', 20, 0, false, true, 1],
      ['warm', 20, 1, false, true, 1],
      ['warm', 30, 0, false, true, 1],
      ['warm', 30, 1, false, true, 1],
      ['cold', 10, 0, true, true, 1],
      ['cold', 10, 1, true, true, 1],
      ['cold', 20, 0, true, true, 1],
      ['cold', 20, 1, true, true, 1],
      ['cold', 30, 0, true, true, 1],
      ['cold', 30, 1, true, true, 1],
    ]);
    const [first] = rows;
    // The payload is as many bytes as labelled (SeBS sent the base64 of the size: 4/3 of it).
    expect(first?.body_bytes).toBe(10 + '{"payload":""}'.length);
    // The stand-in is on loopback: one clock, no drift.
    expect(first?.clock_drift).toBe(0);
    expect(first?.invocation_time).toBeCloseTo(
      Number(first?.execution_start) - Number(first?.invocation_start),
      9,
    );
    expect(Number(first?.client_time)).toBeGreaterThan(0);
    expect(String(first?.request_id)).toMatch(/^function1-\d+$/);
  });

  it('sends a sample again while its cold flag is not its pass’s, goes on after max_attempts (SeBS retried forever)', async () => {
    // The 4th call is cold in the warm pass; the cold starts forced 2nd and 3rd do not take.
    const { ctx, forced, calls } = await setup({
      forceTakes: (n) => n !== 2 && n !== 3,
      answer: (call, cold) => ({ fields: { is_cold: cold || call.n === 4 } }),
    });
    await invocationOverhead.run(
      ctx,
      params({ payload_begin: 5, payload_end: 5, payload_points: 1, repetitions: 3, max_attempts: 2 }),
    );
    const rows = rowsOf(ctx);
    expect(rows.map((r) => [r.pass, r.repetition, r.attempts, r.kept, r.is_cold])).toEqual([
      ['warm', 0, 1, true, false],
      ['warm', 1, 1, true, false],
      ['warm', 2, 2, true, false],
      ['cold', 0, 1, true, true],
      // Two forced cold starts that did not take: the sample is not kept, and the run goes on.
      ['cold', 1, 2, false, false],
      ['cold', 2, 1, true, true],
    ]);
    expect(calls).toHaveLength(1 + 4 + 4);
    expect(forced).toHaveLength(4);
    expect(ctx.time.waits).toEqual(Array(4).fill(1));
  });

  it('counts a failed call as an attempt and records its error when none succeeds', async () => {
    const { ctx } = await setup({
      answer: (call, cold) => (call.n === 2 || call.n >= 4 ? { status: 502 } : { fields: { is_cold: cold } }),
    });
    await invocationOverhead.run(
      ctx,
      params({ payload_begin: 1, payload_end: 1, payload_points: 1, repetitions: 2, max_attempts: 2 }),
    );
    const rows = rowsOf(ctx);
    expect(rows[0]).toMatchObject({ pass: 'warm', attempts: 2, kept: true, error: null });
    expect(rows[1]).toMatchObject({ pass: 'warm', attempts: 2, kept: false, error: 'http 502: failed' });
    expect(rows).toHaveLength(4);
  });

  it('one clock on the embedded provider and on loopback; elsewhere the drift is unknown', () => {
    expect(sameHost({ ...openfaasProvider('http://10.0.0.5:8080'), name: 'embedded' }, 'f')).toBe(true);
    expect(sameHost(openfaasProvider('http://127.0.0.1:8080'), 'f')).toBe(true);
    expect(sameHost(httpProvider('http://localhost:9/{function}'), 'f')).toBe(true);
    expect(sameHost(httpProvider('http://[::1]:9/{function}'), 'f')).toBe(true);
    expect(sameHost(openfaasProvider('http://10.0.0.5:8080'), 'f')).toBe(false);
    expect(sameHost(httpProvider('https://lambda.example.com/{function}'), 'f')).toBe(false);
  });

  it('process: per pass, the invocation time by size and its growth in ms per MB', () => {
    // Warm: 1 ms + 2 ms per MB; cold: 100 ms + 3 ms per MB; one sample not kept.
    const row = (pass: string, bytes: number, ms: number, kept = true): StoreRow => ({
      pass,
      payload_bytes: bytes,
      invocation_time: ms / 1000,
      kept,
      clock_drift: 0,
    });
    const rows = [
      row('warm', 0, 1),
      row('warm', 0, 1),
      row('warm', 1e6, 3),
      row('warm', 2e6, 5),
      row('cold', 0, 100),
      row('cold', 2e6, 106),
      row('cold', 2e6, 900, false),
    ];
    const summary = invocationOverheadSummary(new Map([['Invocation_overhead', rows]])) as Record<
      string,
      { samples: number; not_kept: number; ms_per_mb: number; intercept_ms: number; by_size: unknown[] }
    >;
    expect(summary.clock_drift).toBe(0);
    expect(summary.warm?.samples).toBe(4);
    expect(summary.warm?.ms_per_mb).toBeCloseTo(2, 9);
    expect(summary.warm?.intercept_ms).toBeCloseTo(1, 9);
    expect(summary.warm?.by_size).toEqual([
      { payload_bytes: 0, count: 2, median_ms: 1, mean_ms: 1, std_ms: 0 },
      { payload_bytes: 1e6, count: 1, median_ms: 3, mean_ms: 3, std_ms: 0 },
      { payload_bytes: 2e6, count: 1, median_ms: 5, mean_ms: 5, std_ms: 0 },
    ]);
    expect(summary.cold?.not_kept).toBe(1);
    expect(summary.cold?.ms_per_mb).toBeCloseTo(3, 9);
    expect(leastSquares([[1, 1]])).toBeNull();
  });
});
