import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { readInputFile } from '../core/files.js';
import { parseResults, type ResultRow, ratesOf } from '../dataset/results.js';
import { configurationKey, readSkipped, type SkippedRow } from '../dataset/sweep-lists.js';
import { type RunManifest, readManifest } from './manifest.js';

/** A sweep's folder as a report reads it: its rows, what it skipped and its run.json. */
export interface SweepRecord {
  dir: string;
  /** The folder's name, which tells sweeps apart in a comparison. */
  label: string;
  functions: string[];
  rows: ResultRow[];
  skipped: SkippedRow[];
  manifest: Partial<RunManifest> | undefined;
}

/** One configuration's iterations, averaged. */
export interface MeasuredConfiguration {
  key: string;
  rates: Record<string, number>;
  iterations: number;
  /** Overloaded in more than half its iterations (the sweep's own rule for skipping what dominates it). */
  overloaded: boolean;
  /** Node CPU, percent of one core; NaN where not measured. */
  nodeCpuPct: number;
  nodeRamBytes: number;
  functions: Record<string, { successRate: number; meanLatencyMs: number; cpuPct: number; ramBytes: number }>;
}

/**
 * Reads a sweep's folder without touching anything: a finished run, or one interrupted or still
 * running (a last results.csv line cut short by a crash is left out, not refused). No results.csv
 * is bad input naming the folder.
 */
export function readSweepRecord(dir: string, source = 'command line'): SweepRecord {
  const results = join(dir, 'results.csv');
  if (!existsSync(results))
    throw new ConfigError(source, [
      { field: 'DIR', message: `${resolve(dir)} has no results.csv: not a sweep's folder` },
    ]);
  const text = readInputFile(results);
  const whole = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  const rows = parseResults(whole, results);
  const names = new Set(rows.flatMap((r) => r.functions.map((f) => f.name)));
  const manifest = readManifest(dir);
  for (const f of manifest?.config?.functions ?? []) names.add(f.name);
  return {
    dir,
    label: basename(resolve(dir)),
    functions: [...names].sort(),
    rows,
    skipped: readSkippedLeniently(join(dir, 'skipped.csv')),
    manifest,
  };
}

/** skipped.csv without the last line a crash may have cut short. */
function readSkippedLeniently(path: string): SkippedRow[] {
  if (!existsSync(path)) return [];
  try {
    return readSkipped(path);
  } catch {
    return []; // a cut last line: the report lists no skips rather than fail
  }
}

const meanOfFinite = (xs: number[]) => {
  const finite = xs.filter(Number.isFinite);
  return finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : Number.NaN;
};

/** The rows grouped by configuration, each the mean of its iterations, in the order first measured. */
export function measuredConfigurations(rows: readonly ResultRow[]): MeasuredConfiguration[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = configurationKey(ratesOf(row));
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.entries()].map(([key, its]) => {
    const names = (its[0] as ResultRow).functions.map((f) => f.name);
    const fn = (name: string, pick: (f: ResultRow['functions'][number]) => number) =>
      meanOfFinite(its.flatMap((r) => r.functions.filter((f) => f.name === name).map(pick)));
    return {
      key,
      rates: ratesOf(its[0] as ResultRow),
      iterations: its.length,
      overloaded: its.filter((r) => r.node.overloaded).length > its.length / 2,
      nodeCpuPct: meanOfFinite(its.map((r) => r.node.cpuPct)),
      nodeRamBytes: meanOfFinite(its.map((r) => r.node.ramBytes)),
      functions: Object.fromEntries(
        names.map((n) => [
          n,
          {
            successRate: fn(n, (f) => f.successRate),
            meanLatencyMs: fn(n, (f) => f.meanLatencyMs),
            cpuPct: fn(n, (f) => f.cpuPct),
            ramBytes: fn(n, (f) => f.ramBytes),
          },
        ]),
      ),
    };
  });
}
