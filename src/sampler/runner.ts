import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SamplerConfig } from '../config/sampler.js';
import { appendLineDurably, writeFileAtomic } from '../core/files.js';
import type { Logger } from '../core/logger.js';
import { sleep as realSleep } from '../core/poll.js';
import { CSV_EOL, csvText } from '../dataset/cells.js';
import { LATENCY_FILE, LATENCY_HEADER, latencyLines } from '../dataset/latency.js';
import { resultsHeader, resultsLine } from '../dataset/results.js';
import {
  configurationKey,
  INDEX_HEADER,
  indexLine,
  readIndex,
  readSkipped,
  skippedHeader,
  skippedLine,
} from '../dataset/sweep-lists.js';
import type { LoadDriver } from '../load/index.js';
import type { MetricsSource } from '../metrics/contract.js';
import { measureIdleBaseline } from './baseline.js';
import { cooldown, fixedRest } from './cooldown.js';
import { OutputDirInUseError, SweepInterruptedError } from './errors.js';
import { frontierSegments, gridOutcomes, midpoint, narrow } from './frontier.js';
import { noopAnnotator, type SweepAnnotator } from './grafana.js';
import { newManifest, readManifest, writeManifest } from './manifest.js';
import { k6Script, measure, reportFailures } from './measure.js';
import { configId, dominates, type PlannedConfig, planSweep } from './plan.js';
import { writeReport } from './report.js';
import { type FunctionRestorer, noRestore } from './restore.js';
import { cutPartialLastLine, readDoneRows } from './resume.js';

export interface SweepProgress {
  /** Runs (a configuration's iterations) in results.csv. */
  done: number;
  /** Runs not made because their configuration was skipped. */
  skipped: number;
  /** Runs the grid still needs. */
  left: number;
  /** The grid of the plan, then frontier refinement (with `frontier`). */
  phase: 'grid' | 'frontier';
  current?: PlannedConfig & { iteration: number };
  elapsedMs: number;
  /** Estimated time to the end, from the mean time per run so far. */
  etaMs?: number;
}

export interface SweepOptions {
  config: SamplerConfig;
  outputDir: string;
  /** Base URL of the gateway that serves the functions. */
  gatewayUrl: string;
  /** What sends the load (the built-in generator or k6). */
  load: LoadDriver;
  metrics: MetricsSource;
  logger: Logger;
  onProgress?: (p: SweepProgress) => void;
  /** Injected so tests can run cooldown without waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** What saves time, both on by default; `perf/sweep.ts` turns them off to measure them. */
  shortcuts?: SweepShortcuts;
  /** Marks each configuration's load window (in Grafana with `grafana.enabled`); default none. */
  annotator?: SweepAnnotator;
  /** Puts the functions back in their first state before each run; default: not restored. */
  restorer?: FunctionRestorer;
  /**
   * The replicas each function keeps when idle (com.openfaas.scale.min), which cooldown waits
   * for; a function not named keeps 1 (the reference's "fewer than 2 replicas").
   */
  replicaFloors?: Readonly<Record<string, number>>;
  /**
   * Run again the configurations an earlier session skipped for a cooldown timeout (default
   * true); false keeps them skipped. Those skipped for dominating an overloaded one stay skipped.
   */
  retrySkipped?: boolean;
  /** Ctrl-C: the sweep stops where it is, records `interrupted` and throws SweepInterruptedError. */
  signal?: AbortSignal;
}

export interface SweepShortcuts {
  /** Skip configurations that dominate one that overloaded the node. */
  skipDominated: boolean;
  /** Wait for the node to be idle again before a run; false: rest `fixedRestSeconds` instead. */
  adaptiveCooldown: boolean;
  fixedRestSeconds?: number;
}

/** results.csv, the sweep's record of truth, in its folder. */
const RESULTS_FILE = 'results.csv';
/** The configurations frontier refinement added, in index.csv's format. */
export const FRONTIER_FILE = 'frontier.csv';
/** How skipped.csv's reason of a configuration skipped for a cooldown timeout begins. */
const COOLDOWN_TIMEOUT = 'cooldown timed out';

/** Whether a skipped.csv reason is a cooldown timeout (a rerun tries those again). */
export function isCooldownTimeout(reason: string): boolean {
  return reason.startsWith(COOLDOWN_TIMEOUT);
}

export interface SweepResult {
  outputDir: string;
  /** Path of report.html. */
  report: string;
  rowsWritten: number;
  /** Configurations skipped and not measured in full after all. */
  skipped: number;
  /** The idle baseline was not the idle node's (see run.json's baseline.busyReasons). */
  busyBaseline: boolean;
}

/**
 * Runs a sweep: for each planned configuration and iteration, restores the functions (with a
 * restorer), waits for the node to cool down, sends open-model load to its functions, reads what
 * the node did over the load window, decides overload, and appends one row to results.csv
 * (fsynced), so an interrupted sweep resumes without a lost or a duplicated row. Configurations
 * that dominate one that overloaded the node in more than half its iterations are skipped, and so
 * are those whose cooldown times out (a rerun tries those again). With `frontier`, the grid is
 * followed by frontier refinement (./frontier.ts), its configurations appended to the same files
 * and listed in frontier.csv. run.json (./manifest.ts) says what state the sweep is in.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const { config, outputDir, metrics, logger, signal } = opts;
  const interruptible = <T>(p: Promise<T>) => untilAborted(p, signal);
  const sleep = (ms: number) => interruptible(opts.sleep ? opts.sleep(ms) : realSleep(ms, signal));
  const shortcuts = opts.shortcuts ?? { skipDominated: true, adaptiveCooldown: true };
  // Never throws: a Grafana that is down costs one warning, not the sweep.
  const annotator = opts.annotator ?? noopAnnotator;
  await annotator.start();
  const started = performance.now();
  for (const sub of ['summaries', 'metrics', 'k6_scripts'])
    mkdirSync(join(outputDir, sub), { recursive: true });
  const resultsPath = join(outputDir, RESULTS_FILE);
  const indexPath = join(outputDir, 'index.csv');
  const skippedPath = join(outputDir, 'skipped.csv');
  const frontierPath = join(outputDir, FRONTIER_FILE);
  const restorer = opts.restorer ?? noRestore('the sweep was given no platform to restore through');
  const names = config.functions.map((f) => f.name).sort();
  const header = resultsHeader(names).join(',');

  // A results.csv in dfaas's older format is rewritten in the reference's (readDoneRows).
  const done = readDoneRows(resultsPath, names);
  if (!existsSync(resultsPath)) appendLineDurably(resultsPath, header, CSV_EOL);
  // index.csv is derived from results.csv, one line per configuration with rows, rebuilt whole
  // so the two always agree.
  const indexed = new Set<string>();
  const indexLines = done.rows.flatMap((rates) => {
    const k = configurationKey(rates);
    if (indexed.has(k)) return [];
    indexed.add(k);
    return [indexLine({ rates, resultsFile: RESULTS_FILE })];
  });
  writeFileAtomic(indexPath, csvText([INDEX_HEADER, ...indexLines]));
  // latency.csv is derived from the summaries of the runs in results.csv, rebuilt whole too (a run
  // cut short between its summary and its row is run again, and its lines with it).
  const latencyPath = join(outputDir, LATENCY_FILE);
  writeFileAtomic(latencyPath, csvText([LATENCY_HEADER, ...latencyOfDoneRuns(outputDir, done.rows)]));
  cutPartialLastLine(skippedPath);
  const skippedRows = readSkipped(skippedPath);
  if (skippedRows.some((r) => Object.keys(r.rates).some((n) => !names.includes(n))))
    throw new OutputDirInUseError(skippedPath);
  // Skipped for good: what dominated an overloaded configuration, and cooldown timeouts unless
  // they are to be tried again (skipped.csv keeps their rows: the record of what happened).
  const retry = opts.retrySkipped ?? true;
  const skippedBefore = new Map(
    skippedRows
      .filter((r) => !(retry && isCooldownTimeout(r.reason)))
      .map((r) => [configurationKey(r.rates), r.rates]),
  );
  const retried = new Set(
    skippedRows.map((r) => configurationKey(r.rates)).filter((k) => !skippedBefore.has(k)),
  );
  if (retried.size > 0)
    logger.info(
      `trying again ${retried.size} configurations skipped for a cooldown timeout (--no-retry-skipped keeps them skipped)`,
    );
  // Rewritten whole (an older file takes the current columns).
  writeFileAtomic(
    skippedPath,
    csvText([skippedHeader(names), ...skippedRows.map((r) => skippedLine(names, r))]),
  );

  const manifest = newManifest(config, readManifest(outputDir), restorer.record);
  if (config.frontier) manifest.frontier = { rate_step: config.frontier.rate_step, file: FRONTIER_FILE };
  const saveManifest = () => writeManifest(outputDir, manifest);
  saveManifest();

  const plan = planSweep(config);
  const grid = new Set(plan.map((p) => p.id));
  let runsThisSession = 0;
  let rowsWritten = 0;
  let phase: SweepProgress['phase'] = 'grid';
  const runsLeftOf = (rates: Record<string, number>) =>
    Math.max(0, config.iterations - (done.iterations.get(configId(rates)) ?? 0));
  const skippedRuns = () => [...skippedBefore.values()].reduce((sum, rates) => sum + runsLeftOf(rates), 0);
  // frontier.csv, index.csv's companion: the configurations frontier refinement added.
  if (config.frontier) cutPartialLastLine(frontierPath);
  const frontierMarked = new Set(readIndex(frontierPath).map((r) => configurationKey(r.rates)));
  if (config.frontier && !existsSync(frontierPath)) writeFileAtomic(frontierPath, csvText([INDEX_HEADER]));
  const markFrontier = (planned: PlannedConfig) => {
    const key = configurationKey(planned.rates);
    if (grid.has(planned.id) || frontierMarked.has(key)) return;
    frontierMarked.add(key);
    appendLineDurably(frontierPath, indexLine({ rates: planned.rates, resultsFile: RESULTS_FILE }), CSV_EOL);
  };
  const progress = (current?: SweepProgress['current']) => {
    const elapsedMs = performance.now() - started;
    // Runs the grid still needs (frontier refinement's are not known in advance).
    const left = plan.reduce(
      (sum, p) => (skippedBefore.has(configurationKey(p.rates)) ? sum : sum + runsLeftOf(p.rates)),
      0,
    );
    const runsDone = [...done.iterations.values()].reduce((a, b) => a + b, 0);
    opts.onProgress?.({
      done: runsDone,
      skipped: skippedRuns(),
      left,
      phase,
      elapsedMs,
      ...(current ? { current } : {}),
      ...(runsThisSession > 0 && phase === 'grid' ? { etaMs: (elapsedMs / runsThisSession) * left } : {}),
    });
  };
  const skip = (planned: PlannedConfig, reason: string) => {
    const k = configurationKey(planned.rates);
    if (skippedBefore.has(k)) return;
    skippedBefore.set(k, planned.rates);
    const iteration = done.iterations.get(planned.id) ?? 0;
    appendLineDurably(
      skippedPath,
      skippedLine(names, { rates: planned.rates, reason, iteration, skippedAt: new Date().toISOString() }),
      CSV_EOL,
    );
    logger.info('configuration skipped', { id: planned.id, rates: planned.rates, iteration, reason });
  };

  try {
    const baseline = await measureIdleBaseline(() => interruptible(metrics.node()), config, sleep);
    manifest.baseline = baseline;
    saveManifest();
    if (baseline.busy)
      logger.warn(
        `the node is not idle: ${baseline.busyReasons.join('; ')}; every row is measured against this baseline (run.json: baseline)`,
      );
    else logger.info('idle baseline', { cpuPct: baseline.cpuPct, ramBytes: baseline.ramBytes });

    /**
     * Runs the iterations of a configuration that results.csv does not hold yet, each after a
     * restore and a cooldown. False when the configuration is (or gets) skipped.
     */
    const runConfiguration = async (planned: PlannedConfig): Promise<boolean> => {
      const already = done.iterations.get(planned.id) ?? 0;
      if (skippedBefore.has(configurationKey(planned.rates))) return false;
      if (already >= config.iterations) return true;
      const script = join(outputDir, 'k6_scripts', `${planned.id}.js`);
      writeFileAtomic(script, k6Script(config, planned, opts.gatewayUrl));
      for (let iteration = already; iteration < config.iterations; iteration++) {
        if (signal?.aborted) throw new SweepInterruptedError();
        progress({ ...planned, iteration });
        const startedAt = new Date().toISOString();
        const steps = stopwatch();
        await interruptible(restorer.restore(signal));
        if (restorer.record !== manifest.restore) {
          manifest.restore = restorer.record;
          saveManifest();
        }
        const restoreSeconds = steps.lap();
        const rest = shortcuts.adaptiveCooldown
          ? await cooldown(config, planned, baseline, metrics, opts.replicaFloors ?? {}, sleep)
          : await fixedRest(shortcuts.fixedRestSeconds ?? config.cooldown.max_wait_seconds, sleep);
        if (rest.timedOut) {
          skip(planned, `${COOLDOWN_TIMEOUT} after ${config.cooldown.max_wait_seconds} s (${rest.why})`);
          return false;
        }
        const cooldownSeconds = steps.lap();
        const line = await interruptible(
          measure(
            config,
            planned,
            {
              target: { scriptPath: script, gatewayUrl: opts.gatewayUrl },
              load: opts.load,
              metrics,
              baseline,
              ...(signal ? { signal } : {}),
            },
            rest.seconds,
          ),
        );
        reportFailures(planned, line.summary, logger);
        await annotator.configurationDone(
          planned.id,
          line.loadWindow.startMs,
          line.loadWindow.endMs,
          `configuration ${planned.id}, iteration ${iteration}: ${JSON.stringify(planned.rates)}`,
        );
        writeFileAtomic(
          join(outputDir, 'summaries', `${planned.id}-${iteration}.json`),
          `${JSON.stringify(line.summary, null, 2)}\n`,
        );
        writeFileAtomic(join(outputDir, 'metrics', `${planned.id}-${iteration}.csv`), line.series);
        for (const l of latencyLines(planned.id, iteration, planned.rates, line.summary))
          appendLineDurably(latencyPath, l, CSV_EOL);
        appendLineDurably(resultsPath, resultsLine(names, line.row), CSV_EOL);
        const key = configurationKey(planned.rates);
        if (!indexed.has(key)) {
          indexed.add(key);
          appendLineDurably(
            indexPath,
            indexLine({ rates: planned.rates, resultsFile: RESULTS_FILE }),
            CSV_EOL,
          );
        }
        const measureSeconds = steps.lap();
        const loadSeconds = (line.loadWindow.endMs - line.loadWindow.startMs) / 1000;
        manifest.runs.push({
          id: planned.id,
          iteration,
          rates: planned.rates,
          startedAt,
          restoreSeconds,
          cooldownSeconds,
          loadSeconds,
          recordSeconds: Math.max(0, Math.round((measureSeconds - loadSeconds) * 1000) / 1000),
        });
        saveManifest();
        rowsWritten++;
        runsThisSession++;
        done.rates.set(planned.id, planned.rates);
        done.iterations.set(planned.id, iteration + 1);
        if (line.row.node.overloaded)
          done.overloaded.set(planned.id, (done.overloaded.get(planned.id) ?? 0) + 1);
      }
      return true;
    };
    const overloadedMostly = (id: string) =>
      (done.overloaded.get(id) ?? 0) > (done.iterations.get(id) ?? 0) / 2;

    for (const planned of plan) {
      const complete = (done.iterations.get(planned.id) ?? 0) >= config.iterations;
      if (complete || skippedBefore.has(configurationKey(planned.rates))) continue;
      const overloadedBelow = [...done.rates.entries()].find(
        ([id, rates]) => dominates(planned.rates, rates) && overloadedMostly(id),
      );
      if (overloadedBelow && shortcuts.skipDominated) {
        skip(planned, `dominates ${overloadedBelow[0]}, which overloaded the node`);
        continue;
      }
      await runConfiguration(planned);
    }

    // Frontier refinement: the segments come from the grid's rows alone and each step from the
    // rows before it, so a resumed sweep walks the same steps, running only what is missing.
    if (config.frontier) {
      phase = 'frontier';
      const step = config.frontier.rate_step;
      for (let segment of frontierSegments(gridOutcomes(plan, done.iterations, done.overloaded))) {
        for (let mid = midpoint(segment, step); mid; mid = midpoint(segment, step)) {
          const planned = { id: configId(mid), rates: mid };
          if (!(await runConfiguration(planned))) break;
          markFrontier(planned);
          segment = narrow(segment, mid, overloadedMostly(planned.id));
        }
      }
    }
  } catch (err) {
    // What was measured is kept (every row is on disk); run.json and the report say how it ended.
    Object.assign(
      manifest,
      err instanceof SweepInterruptedError
        ? { state: 'interrupted', interruptedAt: new Date().toISOString() }
        : { state: 'failed', error: (err as Error).message },
    );
    saveManifest();
    // The report of what was measured; a report that fails here must not hide why the sweep did.
    await writeReport(outputDir).catch((e: Error) => logger.warn(`report.html not written: ${e.message}`));
    throw err;
  }
  progress();
  const skipped = [...skippedBefore.values()].filter((rates) => runsLeftOf(rates) > 0).length;
  Object.assign(manifest, {
    state: 'finished',
    finishedAt: new Date().toISOString(),
    rows: [...done.iterations.values()].reduce((a, b) => a + b, 0),
    skipped,
  });
  saveManifest();
  const report = await writeReport(outputDir);
  return { outputDir, rowsWritten, skipped, report, busyBaseline: manifest.baseline?.busy ?? false };
}

/** latency.csv's lines of the runs in results.csv (rates in row order), from their summaries. */
function latencyOfDoneRuns(outputDir: string, rows: readonly Record<string, number>[]): string[] {
  const seen = new Map<string, number>();
  return rows.flatMap((rates) => {
    const id = configId(rates);
    const iteration = seen.get(id) ?? 0;
    seen.set(id, iteration + 1);
    const path = join(outputDir, 'summaries', `${id}-${iteration}.json`);
    if (!existsSync(path)) return []; // a results.csv from elsewhere, without its summaries
    try {
      return latencyLines(id, iteration, rates, JSON.parse(readFileSync(path, 'utf8')));
    } catch {
      return latencyLines(id, iteration, rates, undefined); // unreadable: its figures nan
    }
  });
}

/** Seconds (to the ms) since it was made, or since the last lap. */
function stopwatch(): { lap(): number } {
  let last = performance.now();
  return {
    lap() {
      const now = performance.now();
      const seconds = Math.round(now - last) / 1000;
      last = now;
      return seconds;
    },
  };
}

/** `p`, or a SweepInterruptedError as soon as `signal` aborts (what `p` was doing is abandoned). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new SweepInterruptedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SweepInterruptedError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
