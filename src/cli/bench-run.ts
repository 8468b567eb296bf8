/** `dfaas bench …` at work: list, run (with progress), status, report, export, create. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Experiment } from '../bench/experiments/contract.js';
import type { BenchEvent, ExperimentOutcome } from '../bench/run.js';
import type { ResultsStore } from '../bench/store/contract.js';
import { ConfigError, DfaasError } from '../core/errors.js';
import { fileStamp, RESULTS_ROOT } from '../core/files.js';
import { readAuthFile } from '../platform/embedded/basic-auth.js';
import { badFlag } from './errors.js';
import type { CliContext } from './io.js';
import { printPart, printResult } from './output.js';
import { createProgress } from './progress.js';

export interface BenchStoreFlags {
  store?: string;
}

export interface BenchRunFlags extends BenchStoreFlags {
  provider: 'embedded' | 'openfaas' | 'dfaas-node' | 'http';
  url?: string;
  authFile?: string;
  param?: Record<string, string>;
  timeScale: number;
  seed: number;
  /** Default: EMBEDDED_PARALLEL on the embedded provider, 1 on a URL. */
  parallel?: number;
  cold: 'force' | 'wait';
  zeroDuration: number;
  maxLifetime: number;
}

export interface BenchReportFlags extends BenchStoreFlags {
  run?: string[];
  out?: string;
}

export interface BenchExportFlags extends BenchStoreFlags {
  run?: string;
  format: 'csv' | 'json';
  out?: string;
}

export interface BenchCreateFlags {
  dir: string;
}

/** Experiments at once on the embedded provider, each on a platform of its own (2 cores suffice). */
const EMBEDDED_PARALLEL = 4;

async function withStore<T>(flags: BenchStoreFlags, work: (store: ResultsStore) => Promise<T>): Promise<T> {
  const { openStore } = await import('../bench/store/registry.js');
  const { EXPERIMENTS } = await import('../bench/experiments/registry.js');
  const store = await openStore(flags.store);
  try {
    await store.prepare(EXPERIMENTS.flatMap((e) => e.tables ?? []));
    return await work(store);
  } finally {
    await store.close();
  }
}

/** `dfaas bench list`. */
export async function runList(ctx: CliContext): Promise<void> {
  const { EXPERIMENTS } = await import('../bench/experiments/registry.js');
  const list = EXPERIMENTS.map((e) => ({
    name: e.name,
    origin: e.origin,
    description: e.description,
    params: e.params.parse({}),
    tables: (e.tables ?? []).map((t) => t.name),
  }));
  printResult(ctx, { experiments: list }, () => [
    {
      header: ['experiment', 'from', 'what it measures'],
      rows: list.map((e) => [e.name, e.origin, e.description]),
    },
    `\nparameters and defaults: dfaas bench list --json; set one with --param KEY=VALUE or EXPERIMENT.KEY=VALUE\n`,
  ]);
}

/** An experiment from a file `dfaas bench create` wrote (its default export, or `experiment`). */
async function loadExperimentFile(path: string): Promise<Experiment> {
  const file = resolve(path);
  if (!existsSync(file)) throw badFlag('<experiments...>', `no experiment file ${file}`);
  const url = pathToFileURL(file).href;
  const mod = (
    file.endsWith('.ts')
      ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url)
      : await import(url)
  ) as { default?: unknown; experiment?: unknown };
  const found = (mod.default ?? mod.experiment) as Partial<Experiment> | undefined;
  if (!found || typeof found.name !== 'string' || typeof found.run !== 'function' || !found.params?.safeParse)
    throw new ConfigError(file, [
      { field: 'default export', message: 'an experiment from defineExperiment({ name, params, run, … })' },
    ]);
  return found as Experiment;
}

/** The experiments `names` choose: registry names, `all`, or files. */
async function chooseExperiments(names: readonly string[]): Promise<Experiment[]> {
  const { EXPERIMENTS, experimentNamed } = await import('../bench/experiments/registry.js');
  const chosen: Experiment[] = [];
  for (const name of names) {
    if (name === 'all') chosen.push(...EXPERIMENTS);
    else if (/\.(ts|js|mjs)$/.test(name)) chosen.push(await loadExperimentFile(name));
    else {
      const found = experimentNamed(name);
      if (!found)
        throw badFlag(
          '<experiments...>',
          `no experiment ${name}: dfaas bench list shows them (or give all, or a file)`,
        );
      chosen.push(found);
    }
  }
  const seen = new Set<string>();
  return chosen.filter((e) => !seen.has(e.name) && seen.add(e.name));
}

function providerSpec(flags: BenchRunFlags) {
  if (flags.provider === 'embedded') {
    if (flags.url) throw badFlag('--url', 'the embedded provider starts its own platform: give no --url');
    return {
      name: 'embedded' as const,
      zeroDurationSeconds: flags.zeroDuration,
      maxLifetimeSeconds: flags.maxLifetime,
    };
  }
  if (!flags.url) throw badFlag('--url', `the ${flags.provider} provider needs --url`);
  try {
    new URL(flags.url.replaceAll('{function}', 'f'));
  } catch {
    throw badFlag('--url', `not a URL: ${flags.url}`);
  }
  if (flags.provider === 'openfaas')
    return {
      name: 'openfaas' as const,
      url: flags.url,
      ...(flags.authFile ? { auth: readAuthFile(flags.authFile) } : {}),
    };
  if (flags.authFile) throw badFlag('--auth-file', 'only the openfaas provider takes basic auth');
  if (flags.provider === 'http' && !flags.url.includes('{function}'))
    throw badFlag(
      '--url',
      'the http provider takes a URL template with {function}, e.g. http://127.0.0.1:8080/{function}',
    );
  return { name: flags.provider, url: flags.url };
}

/** A cell of at most 80 characters: the whole summary is in --json, the store and the report. */
function brief(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function outcomeRow(o: ExperimentOutcome): string[] {
  return [
    o.name,
    o.status,
    String(o.invocations),
    String(o.errors),
    `${Math.round(o.coldAgreement * 1000) / 10}%`,
    o.seconds.toFixed(1),
    brief(o.error ?? JSON.stringify(o.summary)),
  ];
}

/** `dfaas bench run NAME…`. */
export async function runBenchCommand(names: string[], flags: BenchRunFlags, ctx: CliContext): Promise<void> {
  const spec = providerSpec(flags);
  const experiments = await chooseExperiments(names);
  const { resolveParams, runBench } = await import('../bench/run.js');
  resolveParams(experiments, flags.param);
  const progress = createProgress(ctx, 'bench');
  const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);
  const onEvent = (e: BenchEvent) => {
    if (e.kind === 'status' && (e.status === 'completed' || e.status === 'failed')) {
      progress.done();
      printPart(ctx, () => `${e.experiment}: ${e.status}${e.status === 'failed' ? ` (${e.message})` : ''}\n`);
      return;
    }
    progress.update(`${e.experiment}: ${e.message}${e.until ? `, until ${clock(e.until)}` : ''}`, {
      experiment: e.experiment,
      ...(e.status ? { status: e.status } : {}),
      message: e.message,
      ...(e.until ? { until: new Date(e.until).toISOString() } : {}),
    });
  };
  const interrupts = ctx.interrupts();
  let result: Awaited<ReturnType<typeof runBench>>;
  let location = '';
  try {
    result = await withStore(flags, (store) => {
      location = `${store.kind} ${store.location}`;
      return runBench({
        experiments,
        provider: spec,
        store,
        params: flags.param ?? {},
        timeScale: flags.timeScale,
        seed: flags.seed,
        cold: flags.cold,
        parallel: flags.parallel ?? (spec.name === 'embedded' ? EMBEDDED_PARALLEL : 1),
        signal: interrupts.signal,
        onEvent,
      });
    });
  } finally {
    progress.done();
    interrupts.dispose();
  }
  const failed = result.outcomes.filter((o) => o.status === 'failed');
  printResult(
    ctx,
    { metaIdentifier: result.metaIdentifier, store: location, experiments: result.outcomes },
    () => [
      `\nrun ${result.metaIdentifier} on ${flags.provider}${flags.timeScale !== 1 ? ` at time scale ${flags.timeScale}` : ''}, stored in ${location}\n`,
      {
        header: ['experiment', 'status', 'calls', 'errors', 'cold agree', 'seconds', 'found'],
        rows: result.outcomes.map(outcomeRow),
      },
      `report: dfaas bench report --run ${result.metaIdentifier}${flags.store ? ` --store ${flags.store}` : ''}\n`,
    ],
  );
  if (interrupts.signal.aborted)
    throw new DfaasError(
      'DFAAS_ERR_INTERRUPTED',
      'interrupted: the experiments that had not ended are marked failed',
      {
        hint: 'run the same command again to run them anew',
      },
    );
  if (failed.length > 0)
    throw new DfaasError(
      'DFAAS_ERR_BENCH_FAILED',
      `${failed.length} of ${result.outcomes.length} experiments failed: ${failed.map((f) => f.name).join(', ')}`,
      {
        hint: 'each one’s reason is in the table above and in ExperimentStatus.message',
      },
    );
}

/** `dfaas bench status`. */
export async function runStatus(flags: BenchStoreFlags & { limit: number }, ctx: CliContext): Promise<void> {
  const rows = await withStore(flags, async (store) =>
    (await store.select('ExperimentStatus')).slice(-flags.limit),
  );
  const now = Math.floor(Date.now() / 1000);
  const running = (r: Record<string, unknown>) =>
    r.status === 'completed' || r.status === 'failed'
      ? Number(r.end_time) - Number(r.start_time)
      : now - Number(r.start_time);
  const hms = (s: number) => {
    const days = Math.floor(s / 86400);
    const t = new Date((s % 86400) * 1000).toISOString().slice(11, 19);
    return days > 0 ? `${days} days ${t}` : t;
  };
  printResult(ctx, { runs: rows.map((r) => ({ ...r, running_seconds: running(r) })) }, () =>
    rows.length === 0
      ? 'no runs yet: dfaas bench run NAME\n'
      : {
          header: [
            'experiment',
            'meta identifier',
            'provider',
            'status',
            'started',
            'running time',
            'message',
          ],
          rows: rows.map((r) => [
            String(r.name),
            String(r.experiment_meta_identifier),
            `${r.function_provider} ${r.provider_url ?? ''}`.trim(),
            String(r.status),
            new Date(Number(r.start_time) * 1000).toISOString().replace('T', ' ').slice(0, 19),
            hms(running(r)),
            String(r.message ?? ''),
          ]),
        },
  );
}

/** `dfaas bench export`. */
export async function runBenchExport(flags: BenchExportFlags, ctx: CliContext): Promise<void> {
  const { writeBenchExport } = await import('../bench/export.js');
  const out = flags.out ?? join(RESULTS_ROOT, 'bench', `export-${fileStamp()}`);
  const result = await withStore(flags, (store) =>
    writeBenchExport(store, { format: flags.format, out, ...(flags.run ? { run: flags.run } : {}) }),
  );
  printResult(ctx, result, () => [
    { header: ['table', 'rows', 'file'], rows: result.files.map((f) => [f.table, String(f.rows), f.path]) },
  ]);
}

/** `dfaas bench report`. */
export async function runBenchReport(flags: BenchReportFlags, ctx: CliContext): Promise<void> {
  const { writeBenchReport } = await import('../bench/report.js');
  const out = flags.out ?? join(RESULTS_ROOT, 'bench', `report-${fileStamp()}.html`);
  const result = await withStore(flags, (store) => writeBenchReport(store, { runs: flags.run ?? [], out }));
  printResult(
    ctx,
    result,
    () =>
      `${result.runs.map((r) => `${r.label}: ${r.invocations} calls, ${r.errors} failed`).join('\n')}${result.runs.length > 0 ? '\n' : 'no runs in the results store\n'}` +
      `report: ${resolve(result.report)} (${result.charts.length} charts)\nLaTeX tables: ${resolve(result.latex)}\n`,
  );
}

/** `dfaas bench create NAME`. */
export async function runCreate(name: string, flags: BenchCreateFlags, ctx: CliContext): Promise<void> {
  const { experimentTemplate } = await import('../bench/template.js');
  const { ensureDir, writeFileAtomic } = await import('../core/files.js');
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name))
    throw badFlag('<name>', `an experiment's name is kebab-case (letters, digits, dashes), got "${name}"`);
  const path = join(flags.dir, `${name}.ts`);
  if (existsSync(path)) throw badFlag('<name>', `${path} exists: choose another name, or remove it`);
  ensureDir(flags.dir, { source: 'command line', field: '--dir' });
  writeFileAtomic(path, experimentTemplate(name));
  printResult(ctx, { experiment: name, file: path }, () =>
    [
      `wrote ${resolve(path)}`,
      `run it: dfaas bench run ${path} --time-scale 60`,
      `its table is created by the store from the file's declaration`,
      '',
    ].join('\n'),
  );
}
