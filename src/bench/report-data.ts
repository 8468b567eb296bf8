/**
 * What `dfaas bench report` shows, read from the results store: the runs chosen (./runs.ts), each
 * with a label a comparison tells apart (`experiment @ provider (meta id)`), its calls as points
 * (latency in ms, time into the run, cold or warm, instance, burst size, work asked and done),
 * SeBS's statistics of the latency per run, function and cold/warm group (./stats.ts), the
 * cold-start signals' agreement (./cold.ts), its errors by type, and its rows in every table the
 * store knows (the reference's and the experiments' own).
 */
import type { InvocationRow } from './benchmarker.js';
import { type ColdSignals, coldSignals } from './cold.js';
import { rowsOfRuns, selectRuns } from './runs.js';
import { type SampleStatistics, sampleStatistics } from './stats.js';
import type { ResultsStore, StoreRow } from './store/contract.js';

/** One run as the report shows it. */
export interface ReportRun {
  uuid: string;
  /** `experiment @ provider (meta id short)`, unique among the runs shown. */
  label: string;
  experiment: string;
  description: string;
  provider: string;
  providerUrl: string;
  metaIdentifier: string;
  /** Epoch seconds; end 0 while running (or when the run's process died). */
  start: number;
  end: number;
  timeScale: number;
  seed: number | undefined;
  dfaasVersion: string;
  nodeVersion: string;
  params: unknown;
  summary: unknown;
  /** ExperimentStatus's last word: completed, failed, running … and why it failed. */
  status: string;
  message: string;
  invocationCount: number;
  errorCount: number;
  retries: number;
  /** What the run stored in Experiment.cold_agreement. */
  coldAgreement: StoredAgreement | undefined;
  /** The Invocation rows (nulls dropped), ordered by invocation_start. */
  invocations: StoreRow[];
  errors: StoreRow[];
  /** Rows of every other table the store knows (the reference's and the experiments'), by name. */
  tables: Map<string, StoreRow[]>;
}

export interface StoredAgreement {
  calls: number;
  agreeing: number;
  agreement: number;
  cold: { identity: number; marker: number; platform: number };
}

/** Null columns as absent, so that `x === undefined` means "not recorded" (as in a run's own rows). */
function withoutNulls(row: StoreRow): StoreRow {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined));
}

const num = (v: unknown): number => (v === null || v === undefined || v === '' ? Number.NaN : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** Each run's label; two runs that would read the same get their uuid's start too. */
function runLabels(rows: readonly StoreRow[]): string[] {
  const base = rows.map(
    (r) =>
      `${str(r.name)} @ ${str(r.function_provider) || str(r.cl_provider)} (${str(r.experiment_meta_identifier).slice(0, 8)})`,
  );
  return base.map((label, i) =>
    base.filter((l) => l === label).length > 1 ? `${label} #${str(rows[i]?.uuid).slice(0, 8)}` : label,
  );
}

/** The runs `ids` name (uuid or meta identifier; the latest of each experiment by default), with their rows. */
export async function loadReportRuns(store: ResultsStore, ids: readonly string[]): Promise<ReportRun[]> {
  const experiments = await selectRuns(store, ids);
  // The same run named twice (by uuid and by its meta identifier) is shown once.
  const chosen = experiments.filter((r, i) => experiments.findIndex((o) => o.uuid === r.uuid) === i);
  const labels = runLabels(chosen);
  const invocations = await rowsOfRuns(store, 'Invocation', chosen);
  const errors = await rowsOfRuns(store, 'Error', chosen);
  const statuses = await rowsOfRuns(store, 'ExperimentStatus', chosen);
  const others = new Map<string, StoreRow[]>();
  for (const table of await store.tables()) {
    if (['Experiment', 'ExperimentStatus', 'Invocation', 'Error'].includes(table.name)) continue;
    if (!('exp_id' in table.columns)) continue;
    others.set(table.name, await rowsOfRuns(store, table.name, chosen));
  }
  const byStart = (a: StoreRow, b: StoreRow) => num(a.invocation_start) - num(b.invocation_start);
  return chosen.map((row, i): ReportRun => {
    const uuid = str(row.uuid);
    const status = statuses.filter(
      (s) =>
        s.experiment_meta_identifier === row.experiment_meta_identifier &&
        s.name === row.name &&
        (s.function_provider ?? row.function_provider) === row.function_provider,
    );
    const last = status.at(-1);
    const tables = new Map<string, StoreRow[]>();
    for (const [name, rows] of others) {
      const mine = rows.filter((r) => r.exp_id === uuid).map(withoutNulls);
      if (mine.length > 0) tables.set(name, mine);
    }
    const agreement = row.cold_agreement as StoredAgreement | null | undefined;
    return {
      uuid,
      label: labels[i] as string,
      experiment: str(row.name),
      description: str(row.description),
      provider: str(row.function_provider) || str(row.cl_provider),
      providerUrl: str(row.provider_url),
      metaIdentifier: str(row.experiment_meta_identifier),
      start: num(row.start_time),
      end: num(row.end_time),
      timeScale: Number.isFinite(num(row.time_scale)) ? num(row.time_scale) : 1,
      seed: Number.isFinite(num(row.seed)) ? num(row.seed) : undefined,
      dfaasVersion: str(row.dfaas_version),
      nodeVersion: str(row.node_version),
      params: row.params ?? {},
      summary: row.summary ?? {},
      status: str(last?.status) || (num(row.end_time) > 0 ? 'ended' : 'unknown'),
      message: str(last?.message),
      invocationCount: num(row.invocation_count),
      errorCount: num(row.error_count),
      retries: num(row.retries),
      coldAgreement: agreement ?? undefined,
      invocations: invocations
        .filter((r) => r.exp_id === uuid)
        .map(withoutNulls)
        .sort(byStart),
      errors: errors
        .filter((r) => r.exp_id === uuid)
        .map(withoutNulls)
        .sort(byStart),
      tables,
    };
  });
}

/** A call's entry as the charts draw it. */
export interface CallPoint {
  run: string;
  /** The function, and ` (nested)` for an entry a function called. */
  function: string;
  latencyMs: number;
  /** Seconds into the run at the reference's time: real seconds × time scale. */
  t: number;
  /** Real seconds into the run. */
  realT: number;
  group: 'cold' | 'warm';
  /** Which signal said so: marker (is_cold), platform (its cold-start header) or identity. */
  coldBy: 'marker' | 'platform' | 'identity';
  /** `#1`, `#2` … in the order the run's instances first answered; the identifier itself beside. */
  instance: string;
  instanceIdentifier: string;
  /** Calls released together with this one (1: one at a time). */
  threads: number;
  mode: 'one at a time' | 'concurrent';
  throughput: number | null;
  throughputTime: number | null;
  identifier: string;
}

const functionOf = (r: StoreRow) => `${str(r.function_name)}${num(r.level) > 0 ? ' (nested)' : ''}`;

/**
 * Each Invocation row of `run` as a point. Cold or warm by SeBS's marker where the entry has it,
 * else by the platform's cold-start header, else by identity: the instance had not answered this
 * function before in the run (./cold.ts's order of the signals' blind spots).
 */
export function callPoints(run: ReportRun): CallPoint[] {
  const seen = new Set<string>();
  const numbers = new Map<string, string>();
  const start =
    Number.isFinite(run.start) && run.start > 0 ? run.start : num(run.invocations[0]?.invocation_start);
  // Identity in the order the calls ended, as coldSignals reads it.
  const firstByIdentity = new Set<string>();
  for (const r of [...run.invocations].sort((a, b) => num(a.invocation_end) - num(b.invocation_end))) {
    const key = `${str(r.function_name)}\u0000${str(r.instance_identifier)}`;
    if (!seen.has(key)) firstByIdentity.add(str(r.identifier));
    seen.add(key);
  }
  return run.invocations.map((r) => {
    const instanceIdentifier = str(r.instance_identifier);
    if (!numbers.has(instanceIdentifier)) numbers.set(instanceIdentifier, `#${numbers.size + 1}`);
    const marker = typeof r.is_cold === 'boolean' ? r.is_cold : undefined;
    const platform = r.platform_cold_start_ms === undefined ? undefined : num(r.platform_cold_start_ms) > 0;
    const identity = firstByIdentity.has(str(r.identifier));
    const coldBy = marker !== undefined ? 'marker' : platform !== undefined ? 'platform' : 'identity';
    const cold = marker ?? platform ?? identity;
    const realT = num(r.invocation_start) - start;
    const threads = Number.isFinite(num(r.numb_threads)) ? num(r.numb_threads) : 1;
    const finite = (v: unknown) => (Number.isFinite(num(v)) ? num(v) : null);
    return {
      run: run.label,
      function: functionOf(r),
      latencyMs: num(r.latency) * 1000,
      t: realT * run.timeScale,
      realT,
      group: cold ? 'cold' : 'warm',
      coldBy,
      instance: numbers.get(instanceIdentifier) as string,
      instanceIdentifier,
      threads,
      mode: threads > 1 ? 'concurrent' : 'one at a time',
      throughput: finite(r.throughput),
      throughputTime: finite(r.throughput_time),
      identifier: str(r.identifier),
    };
  });
}

/** One row of the statistics table: a run's latencies of one function, all or one group. */
export interface StatisticsRow {
  run: string;
  experiment: string;
  function: string;
  group: 'all' | 'cold' | 'warm';
  stats: SampleStatistics;
}

/** SeBS's statistics of the latency (ms) per run, function, and all / cold / warm (empty groups left out). */
export function statisticsRows(run: ReportRun, points: readonly CallPoint[]): StatisticsRow[] {
  const functions = [...new Set(points.map((p) => p.function))];
  return functions.flatMap((fn) => {
    const mine = points.filter((p) => p.function === fn && Number.isFinite(p.latencyMs));
    return (['all', 'cold', 'warm'] as const).flatMap((group) => {
      const sample = mine.filter((p) => group === 'all' || p.group === group).map((p) => p.latencyMs);
      if (sample.length === 0) return [];
      return [
        { run: run.label, experiment: run.experiment, function: fn, group, stats: sampleStatistics(sample) },
      ];
    });
  });
}

/** The cold-start signals of the run's calls (its client's calls, the roots), and where they disagree. */
export function runColdSignals(run: ReportRun): ColdSignals[] {
  return coldSignals(run.invocations as unknown as InvocationRow[]);
}

/** The run's errors by type: how many, and the first message. */
export function errorTypes(run: ReportRun): { type: string; count: number; message: string }[] {
  const byType = new Map<string, { type: string; count: number; message: string }>();
  for (const e of run.errors) {
    const type = str(e.type) || 'error';
    const entry = byType.get(type) ?? { type, count: 0, message: str(e.message) };
    entry.count++;
    byType.set(type, entry);
  }
  return [...byType.values()];
}
