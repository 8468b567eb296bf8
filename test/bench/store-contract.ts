/**
 * The results store's contract, run against every implementation: SQLite here
 * (test/bench/store-sqlite.test.ts) and a real PostgreSQL (test/integration/bench-postgres.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsStore, TableDefinition } from '../../src/bench/store/contract.js';
import { errorCode } from '../../src/core/errors.js';

const PROBE_TABLE: TableDefinition = {
  name: 'Probe_rows',
  description: 'a table an experiment declares',
  columns: { exp_id: 'text', idle: 'real', survived: 'boolean', detail: 'json' },
};

export function storeContract(name: string, open: () => Promise<ResultsStore>): void {
  describe(`the results store contract: ${name}`, () => {
    let store: ResultsStore;
    beforeAll(async () => {
      store = await open();
      await store.prepare([PROBE_TABLE]);
    });
    afterAll(() => store?.close());

    it("has the reference's tables, and preparing again changes nothing", async () => {
      await store.prepare([PROBE_TABLE]);
      const names = (await store.tables()).map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'ExperimentStatus',
          'Experiment',
          'Invocation',
          'Error',
          'Monolith',
          'Coldstart',
          'Function_lifetime',
          'Cc_bench',
          'Function_lifecycle',
          'Pyramid',
          'Probe_rows',
        ]),
      );
    });

    it('gives back what it was given: numbers, text with quotes, booleans, JSON, and NULL for NaN', async () => {
      await store.insert('Experiment', [
        {
          uuid: 'exp-1',
          name: 'it\'s a "test"; DROP TABLE Invocation; --',
          dev_mode: false,
          memory: 8_000_000_000,
          total_time: 1.25,
          params: { levels: [8, 16], note: 'x' },
          ntp_diff: Number.NaN,
        },
      ]);
      const [row] = await store.select('Experiment', { uuid: 'exp-1' });
      expect(row).toMatchObject({
        uuid: 'exp-1',
        name: 'it\'s a "test"; DROP TABLE Invocation; --',
        dev_mode: false,
        memory: 8_000_000_000,
        total_time: 1.25,
        params: { levels: [8, 16], note: 'x' },
        ntp_diff: null,
        description: null,
      });
      expect(typeof row?.id).toBe('number');
      expect(await store.select('Invocation')).toEqual([]);
    });

    it('refuses a column the table does not declare, naming the table and the column', async () => {
      const err = await store.insert('Coldstart', [{ minutes: 1, multithreaded: true }]).catch((e) => e);
      expect(errorCode(err)).toBe('DFAAS_ERR_BENCH_STORE');
      expect(String(err.message)).toContain('Coldstart');
      expect(String(err.message)).toContain('multithreaded');
      expect(await store.select('Coldstart')).toEqual([]);
    });

    it('refuses a table it does not know', async () => {
      const err = await store.select('Nope').catch((e) => e);
      expect(errorCode(err)).toBe('DFAAS_ERR_BENCH_STORE');
    });

    it('writes all the rows of an insert or none (a repeated identifier)', async () => {
      const row = (identifier: string) => ({
        exp_id: 'exp-1',
        identifier,
        function_name: 'function1',
        is_cold: true,
      });
      await store.insert('Invocation', [row('a'), row('b')]);
      await expect(store.insert('Invocation', [row('c'), row('a')])).rejects.toThrow();
      const rows = await store.select('Invocation', { exp_id: 'exp-1' });
      expect(rows.map((r) => r.identifier)).toEqual(['a', 'b']);
      expect(rows.map((r) => r.is_cold)).toEqual([true, true]);
    });

    it('inserts many rows at once, in order', async () => {
      const rows = Array.from({ length: 450 }, (_, i) => ({
        exp_id: 'many',
        idle: i,
        survived: i % 2 === 0,
      }));
      await store.insert('Probe_rows', rows);
      const back = await store.select('Probe_rows', { exp_id: 'many' });
      expect(back.map((r) => r.idle)).toEqual(rows.map((r) => r.idle));
      expect(back.filter((r) => r.survived)).toHaveLength(225);
    });

    it('updates the rows matching every column given, NULL included', async () => {
      await store.insert('ExperimentStatus', [
        { name: 'x', function_provider: 'embedded', status: 'running', end_time: null },
        { name: 'x', function_provider: 'openfaas', status: 'running' },
      ]);
      const changed = await store.update(
        'ExperimentStatus',
        { status: 'completed', end_time: 100 },
        { name: 'x', function_provider: 'embedded', end_time: null },
      );
      expect(changed).toBe(1);
      const rows = await store.select('ExperimentStatus', { name: 'x' });
      expect(rows.map((r) => [r.function_provider, r.status, r.end_time])).toEqual([
        ['embedded', 'completed', 100],
        ['openfaas', 'running', null],
      ]);
    });

    it('adds the columns a later declaration has, and refuses to redeclare a reference table', async () => {
      const wider = { ...PROBE_TABLE, columns: { ...PROBE_TABLE.columns, second_idle: 'real' as const } };
      await store.prepare([wider]);
      await store.insert('Probe_rows', [{ exp_id: 'wide', second_idle: 2.5 }]);
      expect((await store.select('Probe_rows', { exp_id: 'wide' }))[0]).toMatchObject({ second_idle: 2.5 });
      const err = await store
        .prepare([{ name: 'Invocation', description: 'mine', columns: { x: 'text' } }])
        .catch((e) => e);
      expect(errorCode(err)).toBe('DFAAS_ERR_BENCH_STORE');
    });
  });
}
