/**
 * Runs experiments into a results store (docs/bench.md, "Running"): for each experiment, the
 * reference's status lifecycle in ExperimentStatus (starting → provisioning → running →
 * destroying → completed | failed), an Experiment row with everything needed to reproduce it
 * (parameters, seed, time scale, provider, dfaas and Node versions, host), and the rows it
 * produced, stored as they come (a run that crashes keeps what it had) — the Benchmarker's
 * Invocation and Error rows, Monolith rows for every monolith entry (as the reference's
 * end_experiment wrote them), and the experiment's own.
 *
 * Experiments on different providers, or on embedded platforms (one each), may run at once; the
 * same experiment on the same provider twice at once is refused (the reference refused through a
 * pid file; here the store's ExperimentStatus says who runs it, and a run whose process is gone is
 * marked failed instead of blocking forever).
 */
import { randomUUID } from 'node:crypto';
import { cpus, hostname, type as osType, release, totalmem } from 'node:os';
import type { z } from 'zod';
import { ConfigError, DfaasError, issuesFromZod } from '../core/errors.js';
import { sleep as realSleep } from '../core/poll.js';
import { VERSION } from '../core/version.js';
import { Benchmarker } from './benchmarker.js';
import { coldAgreement } from './cold.js';
import { experimentContext } from './context.js';
import { type Experiment, type ScaledTime, scaledTime } from './experiments/contract.js';
import { type OpenProvider, openProvider, type ProviderSpec, providerUrl } from './provider-spec.js';
import type { ResultsStore, StoreRow } from './store/contract.js';
import { ERROR, INVOCATION, REFERENCE_TABLES } from './store/tables.js';

export type ExperimentStatusValue =
  | 'starting'
  | 'provisioning'
  | 'running'
  | 'destroying'
  | 'completed'
  | 'failed';
const ACTIVE: readonly ExperimentStatusValue[] = ['starting', 'provisioning', 'running', 'destroying'];

export interface BenchEvent {
  experiment: string;
  /** A status change, or what the experiment does now. */
  kind: 'status' | 'progress';
  status?: ExperimentStatusValue;
  message: string;
  /** Until when it waits (epoch ms), when it waits. */
  until?: number;
}

export interface BenchRunOptions {
  experiments: readonly Experiment[];
  provider: ProviderSpec;
  store: ResultsStore;
  /** `key=value` from `--param`: `key` sets it for every experiment that has it, `experiment.key` for one. */
  params?: Readonly<Record<string, unknown>>;
  timeScale?: number;
  seed?: number;
  /** Force cold starts where the provider can (default), or always wait the coldtime. */
  cold?: 'force' | 'wait';
  /** Experiments at once (default 1). */
  parallel?: number;
  /** Groups the experiments of one command (the reference's experiment_meta_identifier). */
  metaIdentifier?: string;
  signal?: AbortSignal;
  onEvent?: (event: BenchEvent) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The experiments' time (a test's virtual one); real time at `timeScale` by default. */
  time?: ScaledTime;
}

export interface ExperimentOutcome {
  name: string;
  uuid: string;
  status: 'completed' | 'failed';
  error?: string;
  summary: Record<string, unknown>;
  invocations: number;
  errors: number;
  retries: number;
  coldAgreement: number;
  seconds: number;
}

/** The same experiment already runs on this provider. */
export class ExperimentRunningError extends DfaasError {
  constructor(name: string, provider: string, by: string) {
    super('DFAAS_ERR_BENCH_RUNNING', `${name} already runs on ${provider} (${by})`, {
      hint: 'wait for it to end (dfaas bench status), or run it on another provider',
    });
    this.name = 'ExperimentRunningError';
  }
}

/**
 * Each experiment's parameters from `raw` (`key` or `experiment.key`), checked before anything
 * runs: a key no chosen experiment has, or a bad value, is bad input naming it.
 */
export function resolveParams(
  experiments: readonly Experiment[],
  raw: Readonly<Record<string, unknown>> = {},
): Map<string, Record<string, unknown>> {
  const issues: { field: string; message: string }[] = [];
  const used = new Set<string>();
  const resolved = new Map<string, Record<string, unknown>>();
  for (const experiment of experiments) {
    const keys = Object.keys(experiment.params.shape);
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      const dot = key.indexOf('.');
      const [scope, name] = dot < 0 ? [undefined, key] : [key.slice(0, dot), key.slice(dot + 1)];
      if (scope !== undefined && scope !== experiment.name) continue;
      if (!keys.includes(name)) continue;
      input[name] = value;
      used.add(key);
    }
    const parsed = experiment.params.safeParse(input);
    if (parsed.success) resolved.set(experiment.name, parsed.data as Record<string, unknown>);
    else
      issues.push(
        ...issuesFromZod(parsed.error).map((i) => ({ ...i, field: `${experiment.name}.${i.field}` })),
      );
  }
  for (const key of Object.keys(raw))
    if (!used.has(key)) issues.push({ field: key, message: 'no chosen experiment has this parameter' });
  if (issues.length > 0) throw new ConfigError('--param', issues);
  return resolved;
}

/** The idle time after which the provider reclaims an instance: its last confirmed search in the store. */
async function storedColdtime(store: ResultsStore, spec: ProviderSpec): Promise<number | undefined> {
  const runs = await store.select('Experiment', {
    function_provider: spec.name,
    provider_url: providerUrl(spec),
  });
  const found = (await store.select('Coldstart', { final: true })).filter((row) =>
    runs.some((r) => r.uuid === row.exp_id),
  );
  const latest = found.at(-1);
  return latest ? Number(latest.minutes) * 60 + Number(latest.seconds) : undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Refuses a second run of `name` on the provider; marks a run whose process is gone as failed. */
async function claim(store: ResultsStore, name: string, spec: ProviderSpec): Promise<void> {
  const where = { name, function_provider: spec.name, provider_url: providerUrl(spec) };
  for (const row of await store.select('ExperimentStatus', where)) {
    if (!ACTIVE.includes(row.status as ExperimentStatusValue)) continue;
    const here = row.host === hostname();
    if (here && !pidAlive(Number(row.pid))) {
      await store.update(
        'ExperimentStatus',
        {
          status: 'failed',
          end_time: Math.floor(Date.now() / 1000),
          message: 'its process ended without a word',
        },
        { id: row.id },
      );
      continue;
    }
    throw new ExperimentRunningError(
      name,
      `${spec.name} ${providerUrl(spec)}`,
      `process ${row.pid} on ${row.host}`,
    );
  }
}

/** A lab entry as an Invocation or Error row: the table's columns only. */
function pick(
  row: Record<string, unknown>,
  columns: Readonly<Record<string, unknown>>,
  expId: string,
): StoreRow {
  const out: StoreRow = { exp_id: expId };
  for (const c of Object.keys(columns)) if (c !== 'exp_id' && row[c] !== undefined) out[c] = row[c];
  return out;
}

const MONOLITH_FIELDS = [
  'seed',
  'function_argument',
  'function_called',
  'process_time_matrix',
  'running_time_matrix',
  'monolith_result',
];

async function runOne(
  experiment: Experiment,
  params: Record<string, unknown>,
  opts: BenchRunOptions,
  metaIdentifier: string,
): Promise<ExperimentOutcome> {
  const { store, provider: spec } = opts;
  const timeScale = opts.timeScale ?? 1;
  const seed = opts.seed ?? 1;
  const sleep = opts.sleep ?? realSleep;
  const signal = opts.signal ?? new AbortController().signal;
  const emit = (e: Omit<BenchEvent, 'experiment'>) => opts.onEvent?.({ experiment: experiment.name, ...e });
  const uuid = randomUUID();
  const started = Date.now();
  await claim(store, experiment.name, spec);
  await store.insert('ExperimentStatus', [
    {
      experiment_meta_identifier: metaIdentifier,
      name: experiment.name,
      function_provider: spec.name,
      client_provider: 'dfaas',
      status: 'starting',
      start_time: Math.floor(started / 1000),
      end_time: 0,
      provider_url: providerUrl(spec),
      host: hostname(),
      pid: process.pid,
    },
  ]);
  const setStatus = async (status: ExperimentStatusValue, message?: string) => {
    emit({ kind: 'status', status, message: message ?? status });
    await store.update(
      'ExperimentStatus',
      {
        status,
        ...(status === 'completed' || status === 'failed' ? { end_time: Math.floor(Date.now() / 1000) } : {}),
        ...(message ? { message } : {}),
      },
      { experiment_meta_identifier: metaIdentifier, name: experiment.name, pid: process.pid },
    );
  };
  await store.insert('Experiment', [
    {
      experiment_meta_identifier: metaIdentifier,
      uuid,
      name: experiment.name,
      description: experiment.description,
      cl_provider: 'dfaas',
      cl_client: hostname(),
      cores: cpus().length,
      memory: totalmem(),
      invocation_count: 0,
      start_time: started / 1000,
      end_time: 0,
      dev_mode: false,
      function_provider: spec.name,
      provider_url: providerUrl(spec),
      params,
      seed,
      time_scale: timeScale,
      dfaas_version: VERSION,
      node_version: process.version,
      host: {
        name: hostname(),
        os: `${osType()} ${release()}`,
        cpus: cpus().length,
        memoryBytes: totalmem(),
      },
    },
  ]);

  let open: OpenProvider | undefined;
  let bench: Benchmarker | undefined;
  const pending = new Map<string, StoreRow[]>();
  let flushedInvocations = 0;
  let flushedErrors = 0;
  const flush = async () => {
    if (!bench) return;
    const invocations = bench.invocations.slice(flushedInvocations);
    const errors = bench.errors.slice(flushedErrors);
    flushedInvocations += invocations.length;
    flushedErrors += errors.length;
    await store.insert(
      'Invocation',
      invocations.map((r) => pick(r, INVOCATION.columns, uuid)),
    );
    await store.insert(
      'Error',
      errors.map((r) => pick(r as unknown as Record<string, unknown>, ERROR.columns, uuid)),
    );
    await store.insert(
      'Monolith',
      invocations
        .filter((r) => r.function_called !== undefined)
        .map((r) => ({
          exp_id: uuid,
          invo_id: r.identifier,
          ...Object.fromEntries(MONOLITH_FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, r[f]])),
        })),
    );
    for (const [table, rows] of pending) {
      pending.delete(table);
      await store.insert(
        table,
        rows.map((r) => ({ ...r, exp_id: uuid })),
      );
    }
  };
  let flushing = Promise.resolve();
  const flushSoon = () => {
    flushing = flushing.then(flush);
    return flushing;
  };
  const timer = setInterval(() => void flushSoon().catch(() => {}), 2000);
  let error: Error | undefined;
  let summary: Record<string, unknown> = {};
  const tables = new Set([...REFERENCE_TABLES, ...(experiment.tables ?? [])].map((t) => t.name));
  try {
    await setStatus('provisioning');
    open = await openProvider(spec, timeScale);
    bench = new Benchmarker({ provider: open.provider, sleep: (ms) => sleep(ms, signal) });
    // The embedded platform's own setting first (the store's searches may have run with another).
    const coldtime = open.knownColdtimeSeconds ?? (await storedColdtime(store, spec));
    const time =
      opts.time ??
      scaledTime(timeScale, async (ms) => {
        await sleep(ms, signal);
        signal.throwIfAborted();
      });
    const ctx = experimentContext({
      bench,
      provider: open.provider,
      time,
      timeScale,
      ...(coldtime === undefined ? {} : { coldtimeSeconds: coldtime }),
      cold: opts.cold ?? 'force',
      seed,
      signal,
      tables,
      onRecord: (table, rows) => {
        pending.set(table, [...(pending.get(table) ?? []), ...rows]);
      },
      onProgress: (message, waitSeconds) =>
        emit({
          kind: 'progress',
          message,
          ...(waitSeconds ? { until: Date.now() + (waitSeconds * 1000) / timeScale } : {}),
        }),
    });
    await setStatus('running');
    const typed = params as z.infer<typeof experiment.params>;
    const summarize = () => {
      const recorded = new Map<string, readonly StoreRow[]>([
        ...ctx.recorded,
        ['Invocation', bench?.invocations ?? []],
        ['Error', (bench?.errors ?? []) as unknown as StoreRow[]],
      ]);
      summary = experiment.process?.(recorded, typed) ?? {};
    };
    try {
      await experiment.prepare?.(ctx, typed);
      await experiment.run(ctx, typed);
    } catch (err) {
      // What a failed run found so far is worth its summary too, if one can be made of it.
      try {
        summarize();
      } catch {}
      throw err;
    }
    summarize();
  } catch (err) {
    error = signal.aborted ? new Error('interrupted') : (err as Error);
  } finally {
    clearInterval(timer);
    await flushSoon().catch((err) => {
      error ??= err as Error;
    });
    await bench?.close().catch(() => {});
    if (open) {
      await setStatus('destroying').catch(() => {});
      await open.close().catch(() => {});
    }
  }
  const ended = Date.now();
  const record = bench?.end() ?? { invocations: [], errors: [], retries: 0 };
  const agreement = coldAgreement(record.invocations);
  await store.update(
    'Experiment',
    {
      end_time: ended / 1000,
      total_time: (ended - started) / 1000,
      invocation_count: record.invocations.length,
      error_count: record.errors.length,
      retries: record.retries,
      cold_agreement: {
        calls: agreement.calls,
        agreeing: agreement.agreeing,
        agreement: agreement.agreement,
        cold: agreement.cold,
      },
      summary: error ? { ...summary, error: error.message } : summary,
    },
    { uuid },
  );
  await setStatus(error ? 'failed' : 'completed', error?.message);
  return {
    name: experiment.name,
    uuid,
    status: error ? 'failed' : 'completed',
    ...(error ? { error: error.message } : {}),
    summary,
    invocations: record.invocations.length,
    errors: record.errors.length,
    retries: record.retries,
    coldAgreement: agreement.agreement,
    seconds: (ended - started) / 1000,
  };
}

/** Runs `experiments` (`parallel` at once) and returns each one's outcome, in their order. */
export async function runBench(
  opts: BenchRunOptions,
): Promise<{ metaIdentifier: string; outcomes: ExperimentOutcome[] }> {
  const params = resolveParams(opts.experiments, opts.params);
  const metaIdentifier = opts.metaIdentifier ?? randomUUID().replaceAll('-', '');
  await opts.store.prepare(opts.experiments.flatMap((e) => e.tables ?? []));
  const outcomes: ExperimentOutcome[] = new Array(opts.experiments.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < opts.experiments.length; i = next++) {
      const experiment = opts.experiments[i] as Experiment;
      if (opts.signal?.aborted) break;
      outcomes[i] = await runOne(experiment, params.get(experiment.name) ?? {}, opts, metaIdentifier);
    }
  };
  const parallel = Math.max(1, Math.min(opts.parallel ?? 1, opts.experiments.length));
  await Promise.all(Array.from({ length: parallel }, worker));
  return { metaIdentifier, outcomes: outcomes.filter(Boolean) };
}
