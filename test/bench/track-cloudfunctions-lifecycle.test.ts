import { afterEach, describe, expect, it } from 'vitest';
import {
  lifecycleRow,
  loadSteps,
  spreadOverDistinctInstances,
  trackCloudfunctionsLifecycle,
} from '../../src/bench/experiments/track-cloudfunctions-lifecycle.js';
import { type FakeCall, type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';

let lab: FakeLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const DEFAULTS = trackCloudfunctionsLifecycle.params.parse({});

async function run(answer: Parameters<typeof startFakeLab>[0], params: Record<string, unknown>) {
  lab = await startFakeLab(answer);
  const ctx = fakeContext(lab);
  const p = trackCloudfunctionsLifecycle.params.parse(params);
  await trackCloudfunctionsLifecycle.run(ctx, p);
  return { ctx, p, lab, rows: ctx.recorded.get('Function_lifecycle') ?? [] };
}

/** The work of each burst's calls, in order (a burst's calls all carry the same). */
const workOf = (calls: readonly FakeCall[]) => calls.map((c) => c.body.throughput_time);

describe('track-cloudfunctions-lifecycle', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({
      function_name: 'function2',
      throughput_time: 0.2,
      throughput_step: 0.1,
      throughput_max: 1.0,
      levels: [10, 20, 40, 80],
      steps: 10,
      rounds: 5,
      round_wait: 30,
    });
    expect(loadSteps(10, 10)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(loadSteps(80, 10)).toEqual([80, 72, 64, 56, 48, 40, 32, 24, 16, 8]);
    expect(loadSteps(25, 10)).toEqual([25, 23, 21, 19, 17, 15, 13, 11, 9, 7]);
  });

  it('raises the work only while the first burst shares instances (the reference compared a list with a set: never equal)', async () => {
    expect(spreadOverDistinctInstances(['a', 'b', 'c'])).toBe(true);
    expect(spreadOverDistinctInstances(['a', 'b', 'a'])).toBe(false);
    expect(spreadOverDistinctInstances([])).toBe(false);

    // Spread over distinct instances at once: 0.2 s is kept (the reference went on to 1.0 s).
    const spread = await run((c) => ({ instance: `i-${c.n}` }), { levels: [10], steps: 1, rounds: 1 });
    expect(workOf(spread.lab.calls)).toEqual(Array(20).fill(0.2));
    expect(spread.rows.map((r) => r.throughput_time)).toEqual([0.2, 0.2]);
    await spread.lab.close();

    // Spread from 0.4 s of work on: bursts at 0.2, 0.3, 0.4, then the load with 0.4.
    const later = await run(
      (c) => ({ instance: Number(c.body.throughput_time) >= 0.4 ? `i-${c.n}` : 'shared' }),
      { levels: [10], steps: 1, rounds: 1 },
    );
    expect(workOf(later.lab.calls)).toEqual([
      ...Array(10).fill(0.2),
      ...Array(10).fill(0.3),
      ...Array(10).fill(0.4),
      ...Array(10).fill(0.4),
    ]);
    expect(later.rows.map((r) => r.throughput_time)).toEqual([0.4, 0.4]);
    await later.lab.close();

    // Never spread: 0.2, 0.3, … 1.0 (9 bursts), and no further.
    const never = await run(() => ({ instance: 'shared' }), { levels: [10], steps: 1, rounds: 1 });
    const tenths = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    expect(workOf(never.lab.calls)).toEqual([
      ...tenths.flatMap((w) => Array(10).fill(w)),
      ...Array(10).fill(1.0),
    ]);
    expect(never.rows.map((r) => r.throughput_time)).toEqual([1.0, 1.0]);
  });

  it('goes cold before each N, then 10 load steps × 5 rounds, each after a 30 s wait: a row per burst', async () => {
    const { ctx, p, rows, lab } = await run((c) => ({ instance: `i-${c.n}` }), { levels: [10, 20] });
    // Per N: the coldtime (the provider cannot force), then 50 rounds of 30 s.
    expect(ctx.time.waits).toEqual([1200, ...Array(50).fill(30), 1200, ...Array(50).fill(30)]);
    expect(rows).toHaveLength(2 * 51);
    const loads = (n: number) => [n, ...loadSteps(n, 10).flatMap((l) => Array(5).fill(l))];
    expect(rows.map((r) => r.numb_invokations)).toEqual([...loads(10), ...loads(20)]);
    expect(rows.map((r) => r.numb_invocations_orig)).toEqual([...Array(51).fill(10), ...Array(51).fill(20)]);
    expect(lab.calls).toHaveLength(10 + 5 * 55 + 20 + 5 * 110);
    expect(lab.calls.every((c) => c.fn === 'function2')).toBe(true);
    expect(trackCloudfunctionsLifecycle.process?.(ctx.recorded, p)).toEqual({
      bursts: 102,
      errors: 0,
      max_unique_instances: 20,
      throughput_time: { '10': 0.2, '20': 0.2 },
    });
  });

  it("writes the reference's columns: instances, errors, their distribution, and how many are the original ones", async () => {
    // The first burst (calls 1–10): instances orig-1 … orig-10. After it, call n fails when
    // n mod 10 = 1, else is answered by orig-3 (n even) or by fresh (n odd).
    const { rows } = await run(
      (c) =>
        c.n <= 10
          ? { instance: `orig-${c.n}` }
          : c.n % 10 === 1
            ? { status: 500 }
            : { instance: c.n % 2 === 0 ? 'orig-3' : 'fresh' },
      { levels: [10] },
    );
    expect(rows[0]).toEqual({
      function_name: 'function2',
      numb_invokations: 10,
      numb_invocations_orig: 10,
      throughput_time: 0.2,
      errors: 0,
      unique_instances: 10,
      distribution: 1,
      error_dist: 0,
      diff_from_orig: 10, // compared with no original instances, as the reference
      identifiers: 'orig-1,orig-10,orig-2,orig-3,orig-4,orig-5,orig-6,orig-7,orig-8,orig-9',
      repeats_from_orig: '',
    });
    // Load 10, calls 11–20 (and each later round of 10): 1 error, orig-3 × 5, fresh × 4.
    const round = {
      function_name: 'function2',
      numb_invokations: 10,
      numb_invocations_orig: 10,
      throughput_time: 0.2,
      errors: 1,
      unique_instances: 2,
      distribution: 5,
      error_dist: 0.1,
      diff_from_orig: 1,
      identifiers: 'fresh,fresh,fresh,fresh,orig-3,orig-3,orig-3,orig-3,orig-3',
      repeats_from_orig: 'orig-3',
    };
    expect(rows.slice(1, 6)).toEqual(Array(5).fill(round));
    // Load 9, calls 61–69: 1 error (61), orig-3 × 4, fresh × 4.
    expect(rows[6]).toMatchObject({ numb_invokations: 9, errors: 1, unique_instances: 2, distribution: 4.5 });
    expect(rows[6]?.error_dist).toBeCloseTo(1 / 9, 12);
  });

  it('a burst none of whose calls answered: no instances, distribution null (the reference divided by zero)', () => {
    const row = lifecycleRow(
      { function_name: 'function2', load: 4, orig_load: 10, throughput_time: 0.2 },
      { instances: [], errors: 4 },
      ['a', 'b'],
    );
    expect(row).toMatchObject({
      unique_instances: 0,
      distribution: null,
      error_dist: 1,
      diff_from_orig: 0,
      identifiers: '',
      repeats_from_orig: '',
    });
  });

  it('counts an answer carrying an error entry as an error, as the reference', async () => {
    const { rows } = await run(
      (c) =>
        c.n === 2
          ? { fields: { error: { type: 'ValueError', message: 'x', trace: '' } } }
          : { instance: `i-${c.n}` },
      { levels: [4], steps: 1, rounds: 1 },
    );
    expect(rows[0]).toMatchObject({ errors: 1, unique_instances: 3, error_dist: 0.25 });
  });
});
