import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coldstartIdentifier } from '../../src/bench/experiments/coldstart-identifier.js';
import { concurrencyBenchmarking } from '../../src/bench/experiments/concurrency.js';
import type { Experiment } from '../../src/bench/experiments/contract.js';
import { runBench } from '../../src/bench/run.js';
import { openStore } from '../../src/bench/store/registry.js';
import { storeContract } from '../bench/store-contract.js';
import { postgresBinaries, type RunningPostgres, startPostgres } from '../helpers/postgres.js';

/** The results store on a real PostgreSQL (Debian's, started by the test on a free loopback port). */
const binaries = postgresBinaries();

describe.runIf(binaries)('bench on PostgreSQL', () => {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres(binaries as NonNullable<typeof binaries>);
  }, 60_000);
  afterAll(() => server?.stop());

  storeContract('PostgreSQL', () => openStore(server.url));

  it('takes the rows of experiments run on the embedded platform', async () => {
    const store = await openStore(server.url);
    try {
      const { outcomes, metaIdentifier } = await runBench({
        experiments: [concurrencyBenchmarking, coldstartIdentifier] as unknown as Experiment[],
        provider: { name: 'embedded', zeroDurationSeconds: 300, maxLifetimeSeconds: 1800 },
        store,
        params: { levels: '4', repetitions: 1 },
        timeScale: 300,
        parallel: 2,
      });
      expect(outcomes.map((o) => [o.name, o.status])).toEqual([
        ['concurrency-benchmarking', 'completed'],
        ['coldstart-identifier', 'completed'],
      ]);
      const statuses = await store.select('ExperimentStatus', { experiment_meta_identifier: metaIdentifier });
      expect(statuses.map((s) => s.status)).toEqual(['completed', 'completed']);
      const [burstRun, searchRun] = outcomes;
      expect(await store.select('Cc_bench', { exp_id: burstRun?.uuid })).toMatchObject([
        { numb_threads: 4, errors: 0, success_rate: 1 },
      ]);
      const invocations = await store.select('Invocation', { exp_id: burstRun?.uuid });
      expect(invocations).toHaveLength(4);
      expect(invocations.every((r) => typeof r.is_cold === 'boolean' && r.latency !== null)).toBe(true);
      const probes = await store.select('Coldstart', { exp_id: searchRun?.uuid });
      expect(probes.filter((p) => p.final)).toHaveLength(1);
      const [experiment] = await store.select('Experiment', { uuid: searchRun?.uuid });
      expect(experiment).toMatchObject({ function_provider: 'embedded', time_scale: 300 });
      expect(
        (experiment?.summary as { idle_seconds?: number } | undefined)?.idle_seconds,
      ).toBeGreaterThanOrEqual(300);
    } finally {
      await store.close();
    }
  }, 120_000);
});
