import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { concurrencyBenchmarking } from '../../src/bench/experiments/concurrency.js';
import { defineExperiment, type Experiment } from '../../src/bench/experiments/contract.js';
import { functionLifetime } from '../../src/bench/experiments/function-lifetime.js';
import { resolveParams, runBench } from '../../src/bench/run.js';
import type { ResultsStore } from '../../src/bench/store/contract.js';
import { openStore } from '../../src/bench/store/registry.js';
import { errorCode } from '../../src/core/errors.js';
import { type FakeLab, startFakeLab, virtualTime } from './fake-lab.js';

/**
 * The runner against a stand-in lab function (the http provider) into a SQLite store: the status
 * lifecycle, the Experiment row, the rows stored with their experiment, and what it refuses.
 */
const dir = mkdtempSync(join(tmpdir(), 'dfaas-bench-run-'));
let lab: FakeLab;
let store: ResultsStore;
let url: string;
/** The first test's stand-in answers every fifth call 502. */
let failFifth = true;
beforeAll(async () => {
  lab = await startFakeLab(({ n }) => (failFifth && n % 5 === 0 ? { status: 502 } : { instance: 'i-1' }));
  url = `${lab.provider.url('{function}').replace('%7Bfunction%7D', '{function}')}`;
  store = await openStore(join(dir, 'bench.db'));
});
afterAll(async () => {
  await store?.close();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

const noWait = async () => {};

describe('runBench', () => {
  it('runs an experiment into the store: status lifecycle, Experiment row, its rows and the calls', async () => {
    const events: string[] = [];
    const { outcomes, metaIdentifier } = await runBench({
      experiments: [concurrencyBenchmarking as unknown as Experiment],
      provider: { name: 'http', url },
      store,
      params: { levels: '4', 'concurrency-benchmarking.repetitions': 2 },
      timeScale: 60,
      seed: 7,
      sleep: noWait,
      time: virtualTime(),
      onEvent: (e) => e.kind === 'status' && events.push(e.status as string),
    });
    expect(events).toEqual(['provisioning', 'running', 'destroying', 'completed']);
    expect(outcomes).toMatchObject([{ name: 'concurrency-benchmarking', status: 'completed' }]);
    const [outcome] = outcomes;
    const [experiment] = await store.select('Experiment', { uuid: outcome?.uuid });
    expect(experiment).toMatchObject({
      experiment_meta_identifier: metaIdentifier,
      name: 'concurrency-benchmarking',
      function_provider: 'http',
      provider_url: url,
      params: { function_name: 'function3', throughput_time: 0.3, levels: [4], repetitions: 2 },
      seed: 7,
      time_scale: 60,
      cl_client: hostname(),
      dev_mode: false,
    });
    // 8 calls, every fifth answered 502 (an error: http is not retried).
    expect(experiment?.invocation_count).toBe(7);
    expect(experiment?.error_count).toBe(1);
    expect(experiment?.end_time).toBeGreaterThan(experiment?.start_time as number);
    const invocations = await store.select('Invocation', { exp_id: outcome?.uuid });
    expect(invocations).toHaveLength(7);
    // Work scaled by the time scale: 0.3 s at 60× is 5 ms.
    expect(lab.calls.map((c) => c.body.throughput_time)).toEqual(Array(8).fill(0.005));
    expect(await store.select('Error', { exp_id: outcome?.uuid })).toMatchObject([{ type: 'http 502' }]);
    const bursts = await store.select('Cc_bench', { exp_id: outcome?.uuid });
    expect(bursts.map((b) => [b.numb_threads, b.errors])).toEqual([
      [4, 0],
      [4, 1],
    ]);
    // The http provider cannot force a cold start: the reference's coldtime was waited before each.
    expect(bursts.map((b) => b.sleep)).toEqual([1200, 1200]);
    const [status] = await store.select('ExperimentStatus', { experiment_meta_identifier: metaIdentifier });
    expect(status).toMatchObject({
      status: 'completed',
      function_provider: 'http',
      client_provider: 'dfaas',
    });
    expect(status?.end_time).toBeGreaterThan(0);
    failFifth = false;
  });

  it('waits the coldtime the last confirmed search on the provider found', async () => {
    const [probe] = (await store.select('Experiment')).slice(-1);
    await store.insert('Coldstart', [
      { exp_id: probe?.uuid, minutes: 5, seconds: 20, final: true, cold: true },
    ]);
    lab.calls.length = 0;
    const { outcomes } = await runBench({
      experiments: [functionLifetime as unknown as Experiment],
      provider: { name: 'http', url },
      store,
      params: { max_seconds: 400, baseline_seconds: 0 },
      sleep: noWait,
      time: virtualTime(),
    });
    expect(outcomes[0]?.status).toBe('completed');
    // 320 s found: after the first call, calls every 160 s (and the cold wait of 320 s before).
    const [row] = await store.select('Function_lifetime', { exp_id: outcomes[0]?.uuid });
    expect(row).toMatchObject({ sleep_time: 160, reclaimed: false });
  });

  it('marks a failing experiment failed, with why, and goes on with the next', async () => {
    const failing = defineExperiment({
      name: 'always-fails',
      origin: 'dfaas',
      description: 'fails',
      params: z.object({}),
      async run() {
        throw new Error('the provider answered nonsense');
      },
    }) as unknown as Experiment;
    const { outcomes, metaIdentifier } = await runBench({
      experiments: [failing, concurrencyBenchmarking as unknown as Experiment],
      provider: { name: 'http', url },
      store,
      params: { levels: '1', repetitions: 1 },
      sleep: noWait,
    });
    expect(outcomes.map((o) => [o.status, o.error])).toEqual([
      ['failed', 'the provider answered nonsense'],
      ['completed', undefined],
    ]);
    const statuses = await store.select('ExperimentStatus', { experiment_meta_identifier: metaIdentifier });
    expect(statuses.map((s) => [s.name, s.status, s.message])).toEqual([
      ['always-fails', 'failed', 'the provider answered nonsense'],
      ['concurrency-benchmarking', 'completed', null],
    ]);
  });

  it('refuses the same experiment on the same provider while it runs, not once its process is gone', async () => {
    const row = {
      name: 'concurrency-benchmarking',
      function_provider: 'http',
      provider_url: url,
      status: 'running',
      host: hostname(),
    };
    await store.insert('ExperimentStatus', [
      { ...row, experiment_meta_identifier: 'other', pid: process.pid },
    ]);
    const run = () =>
      runBench({
        experiments: [concurrencyBenchmarking as unknown as Experiment],
        provider: { name: 'http', url },
        store,
        params: { levels: '1', repetitions: 1 },
        sleep: noWait,
      });
    const err = await run().catch((e) => e);
    expect(errorCode(err)).toBe('DFAAS_ERR_BENCH_RUNNING');
    await store.update('ExperimentStatus', { pid: 2 ** 22 + 1 }, { experiment_meta_identifier: 'other' });
    expect((await run()).outcomes[0]?.status).toBe('completed');
    expect(
      (await store.select('ExperimentStatus', { experiment_meta_identifier: 'other' }))[0],
    ).toMatchObject({
      status: 'failed',
      message: 'its process ended without a word',
    });
  });
});

describe('resolveParams', () => {
  const chosen = [concurrencyBenchmarking, functionLifetime] as unknown as Experiment[];
  it('gives each experiment its keys, scoped ones only to it, with the defaults for the rest', () => {
    const params = resolveParams(chosen, {
      function_name: 'function2',
      'function-lifetime.max_seconds': '2h',
    });
    expect(params.get('concurrency-benchmarking')).toMatchObject({
      function_name: 'function2',
      repetitions: 2,
    });
    expect(params.get('function-lifetime')).toMatchObject({ function_name: 'function2', max_seconds: 7200 });
  });

  it('names a key no chosen experiment has, and a bad value, as bad input', () => {
    const err = (() => {
      try {
        resolveParams(chosen, { nope: 1, 'concurrency-benchmarking.levels': 'many' });
      } catch (e) {
        return e as Error & { exitCode: number };
      }
    })();
    expect(errorCode(err)).toBe('DFAAS_ERR_BAD_INPUT');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toContain('nope: no chosen experiment has this parameter');
    expect(err?.message).toContain('concurrency-benchmarking.levels');
  });
});
