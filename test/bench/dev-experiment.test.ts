import { afterEach, describe, expect, it } from 'vitest';
import { burstProblems, devChecks, devExperiment } from '../../src/bench/experiments/dev-experiment.js';
import type { LabEntry, LabResponse } from '../../src/platform/functions/lab.js';
import { MONOLITH_FUNCTION_NAMES } from '../../src/platform/functions/monolith.js';
import { type LabStandIn, labContext, startLabStandIn } from './lab-stand-in.js';

let lab: LabStandIn | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const DEFAULTS = devExperiment.params.parse({});

/** An answer with `edit` applied to each entry. */
const editEntries = (answer: LabResponse, edit: (e: LabEntry) => void): LabResponse => {
  for (const v of Object.values(answer)) if (typeof v === 'object') edit(v);
  return answer;
};

describe('dev-experiment', () => {
  it("keeps the reference's values as defaults", () => {
    expect(DEFAULTS).toEqual({
      sleep: 0.5,
      throughput_time: 1,
      nested_sleep: 0.1,
      threads: [1, 2, 3],
      loaded_threads: 7,
      loaded_throughput_time: 0.2,
      monolith_threads: 6,
      monolith_args: 8,
      monolith_seed: 2,
    });
  });

  it('passes every check against the lab functions, one Dev_check row each, and sums them up', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab);
    await devExperiment.run(ctx, DEFAULTS);
    const rows = ctx.recorded.get('Dev_check') ?? [];
    const names = devChecks(ctx, DEFAULTS).map((c) => c.name);
    expect(rows.map((r) => r.check_name)).toEqual(names);
    expect(names).toEqual([
      'function1 without arguments',
      'function2 sleeps',
      'function3 spins its busy loop',
      'function1 calls function2',
      'function2 calls function3',
      'function3 calls function2',
      'function1 calls function2, which calls function3 twice',
      '1 concurrent calls of function1',
      '2 concurrent calls of function1',
      '3 concurrent calls of function1',
      '7 concurrent calls of function1 with throughput_time',
      '7 concurrent calls of function1 with throughput_time and sleep',
      '7 concurrent calls of function1 calling function2',
      'monolith random, the same seed twice',
      '6 concurrent calls of monolith matrix_mult',
      ...MONOLITH_FUNCTION_NAMES.map((fn) => `monolith runs ${fn}`),
    ]);
    expect(rows.filter((r) => r.passed !== true)).toEqual([]);
    expect(rows.every((r) => r.detail === '')).toBe(true);
    // The client's calls: 7 sequential, 1 + 2 + 3 + 3 × 7 concurrent, 2 + 6 + one per monolith function.
    const client = lab.calls.filter((c) => c.from === 'client');
    expect(client).toHaveLength(7 + 27 + 8 + MONOLITH_FUNCTION_NAMES.length);
    expect(rows.reduce((a, r) => a + Number(r.calls), 0)).toBe(client.length);
    // Work at the run's time scale (1000): 0.5 s of sleep is 0.5 ms.
    expect(client[1]?.body).toEqual({ sleep: 0.0005 });
    expect(client[2]?.body).toEqual({ throughput_time: 0.001 });
    expect(ctx.bench.errors).toEqual([]);

    const summary = devExperiment.process?.(ctx.recorded, DEFAULTS) as Record<string, unknown>;
    expect(summary).toMatchObject({ checks: names.length, passed: names.length, failed: [] });
    expect(summary.outcome).toEqual(Object.fromEntries(names.map((n) => [n, 'pass'])));
  });

  it('runs every check, then fails the run naming the checks that failed and why', async () => {
    lab = await startLabStandIn({
      // function3 leaves out a field of the contract.
      tamper: (fn, answer) =>
        fn === 'function3'
          ? editEntries(answer, (e) => {
              delete (e as Partial<LabEntry>).container_id;
            })
          : answer,
    });
    const ctx = labContext(lab);
    const run = devExperiment.run(ctx, DEFAULTS);
    // 15 checks, and one per monolith function.
    const checks = 15 + MONOLITH_FUNCTION_NAMES.length;
    await expect(run).rejects.toThrow(`4 of ${checks} checks failed`);
    await expect(run).rejects.toThrow(/"function3 spins its busy loop": function3: no container_id/);
    await expect(run).rejects.toThrow(/"function2 calls function3": function2 > function3: no container_id/);
    const rows = ctx.recorded.get('Dev_check') ?? [];
    expect(rows).toHaveLength(checks);
    expect(rows.filter((r) => r.passed === false).map((r) => r.check_name)).toEqual([
      'function3 spins its busy loop',
      'function2 calls function3',
      'function3 calls function2',
      'function1 calls function2, which calls function3 twice',
    ]);
    const summary = devExperiment.process?.(ctx.recorded, DEFAULTS) as Record<string, unknown>;
    expect(summary).toMatchObject({ checks, passed: checks - 4 });
    expect((summary.outcome as Record<string, string>)['function2 calls function3']).toBe('fail');
  });

  it('checks the call tree: levels, parents, names, and the thread tags of a burst', async () => {
    lab = await startLabStandIn({
      tamper: (fn, answer) =>
        fn === 'function2'
          ? editEntries(answer, (e) => {
              if (e.function_name === 'function2') e.level = 5;
            })
          : answer,
    });
    const ctx = labContext(lab);
    await expect(devExperiment.run(ctx, DEFAULTS)).rejects.toThrow(
      /"function1 calls function2": function1 > function2: level is 5, not 1/,
    );
    const failed = (ctx.recorded.get('Dev_check') ?? []).filter((r) => r.passed === false);
    expect(failed.map((r) => r.check_name)).toContain('7 concurrent calls of function1 calling function2');
    expect(failed.map((r) => r.check_name)).toContain('function2 sleeps');

    // A burst's calls must be tagged thread_id 0..n−1 and numb_threads n.
    const good = await startLabStandIn();
    try {
      const burst = await labContext(good).bench.invokeConcurrently('function1', 2);
      expect(burstProblems(burst, { fn: 'function1' })).toEqual([]);
      const retag = (thread: number, threads: number) =>
        burst.map((r) =>
          r.ok
            ? {
                ok: true as const,
                rows: r.rows.map((row) => ({ ...row, thread_id: thread, numb_threads: threads })),
              }
            : r,
        );
      expect(burstProblems(retag(0, 2), { fn: 'function1' })).toEqual(['thread_id 0,0, not 0..1']);
      expect(burstProblems(retag(0, 3), { fn: 'function1' })).toContain(
        'numb_threads is not 2 on every call',
      );
    } finally {
      await good.close();
    }
  });

  it('a failed call fails its check with the error', async () => {
    lab = await startLabStandIn({
      tamper: (fn, answer) => {
        if (fn === 'monolith') throw new Error('down');
        return answer;
      },
    });
    const ctx = labContext(lab);
    await expect(devExperiment.run(ctx, DEFAULTS)).rejects.toThrow(
      /"monolith runs fib": monolith failed \(http 500\): down/,
    );
    const rows = ctx.recorded.get('Dev_check') ?? [];
    expect(rows.filter((r) => r.passed === false)).toHaveLength(2 + MONOLITH_FUNCTION_NAMES.length);
  });
});
