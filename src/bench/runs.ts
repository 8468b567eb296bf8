/**
 * Finding runs in a results store: by Experiment uuid, by meta identifier (every experiment of
 * one command), or the latest run of each experiment; and the rows that belong to them.
 */
import { DfaasError, ExitCode } from '../core/errors.js';
import type { ResultsStore, StoreRow } from './store/contract.js';

/** The Experiment rows `ids` name (uuid or meta identifier); with none, the latest of each experiment. */
export async function selectRuns(store: ResultsStore, ids: readonly string[] = []): Promise<StoreRow[]> {
  const all = await store.select('Experiment');
  if (ids.length === 0) {
    const latest = new Map<string, StoreRow>();
    for (const row of all) latest.set(String(row.name), row);
    return [...latest.values()];
  }
  const chosen: StoreRow[] = [];
  for (const id of ids) {
    const found = all.filter((r) => r.uuid === id || r.experiment_meta_identifier === id);
    if (found.length === 0)
      throw new DfaasError('DFAAS_ERR_BENCH_NO_RUN', `no run ${id} in the results store`, {
        exitCode: ExitCode.badInput,
        hint: 'dfaas bench status lists the runs (their meta identifiers); the Experiment table has their uuids',
      });
    chosen.push(...found);
  }
  return chosen;
}

/** The rows of `table` that belong to `runs` (by exp_id; ExperimentStatus by meta identifier and name). */
export async function rowsOfRuns(
  store: ResultsStore,
  table: string,
  runs: readonly StoreRow[],
): Promise<StoreRow[]> {
  if (table === 'Experiment') return [...runs];
  const rows = await store.select(table);
  if (table === 'ExperimentStatus')
    return rows.filter((r) =>
      runs.some(
        (run) => run.experiment_meta_identifier === r.experiment_meta_identifier && run.name === r.name,
      ),
    );
  const uuids = new Set(runs.map((r) => r.uuid));
  return rows.filter((r) => uuids.has(r.exp_id));
}
