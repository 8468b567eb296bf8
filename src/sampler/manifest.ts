import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname, type as osType, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { SamplerConfig } from '../config/sampler.js';
import { writeFileAtomic } from '../core/files.js';
import { VERSION } from '../core/version.js';
import type { IdleBaseline } from './baseline.js';
import type { RestoreRecord } from './restore.js';

/** run.json, beside results.csv. */
export const MANIFEST_FILE = 'run.json';

/** One configuration run of the sweep: when, and how long each of its steps took. */
export interface RunTiming {
  id: string;
  iteration: number;
  rates: Record<string, number>;
  /** When the run began (its restore), ISO 8601. */
  startedAt: string;
  restoreSeconds: number;
  cooldownSeconds: number;
  loadSeconds: number;
  /** Reading the node's figures and writing the row. */
  recordSeconds: number;
}

/**
 * run.json: what a sweep was, how it went and what state it is in, rewritten whole (atomically)
 * at each step. Every duration is a string with its unit ("30s") or has its unit in its name
 * (`loadSeconds`), never a bare number; sizes are in bytes (`memoryBytes`).
 */
export interface RunManifest {
  dfaas: string;
  node: string;
  host: { name: string; os: string; cpus: number; memoryBytes: number };
  /** The configuration as parsed, its `duration` written back as "30s". */
  config: Omit<SamplerConfig, 'duration'> & { duration: string };
  /** When the first session of the sweep started; `sessionStartedAt`, this one. */
  startedAt: string;
  sessionStartedAt: string;
  state: 'running' | 'finished' | 'interrupted' | 'failed';
  restore: RestoreRecord;
  frontier?: { rate_step: number; file: string };
  /** This session's idle baseline (each session measures its own). */
  baseline?: IdleBaseline;
  /** Every run of every session, in the order they ran. */
  runs: RunTiming[];
  finishedAt?: string;
  interruptedAt?: string;
  /** Why the sweep stopped, when it failed. */
  error?: string;
  /** Rows in results.csv, configurations in skipped.csv. */
  rows?: number;
  skipped?: number;
}

/** A duration in ms as a configuration writes it: "30s", "1.5s", "250ms". */
export function durationText(ms: number): string {
  return ms % 1000 === 0 || ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The run.json of a sweep's folder, or undefined when it has none or it does not parse. */
export function readManifest(dir: string): Partial<RunManifest> | undefined {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<RunManifest>;
  } catch {
    return undefined;
  }
}

/** What a sweep's run.json starts from: this machine, the configuration, and what earlier sessions recorded. */
export function newManifest(
  config: SamplerConfig,
  earlier: Partial<RunManifest> | undefined,
  restore: RestoreRecord,
): RunManifest {
  const now = new Date().toISOString();
  return {
    dfaas: VERSION,
    node: process.version,
    host: { name: hostname(), os: `${osType()} ${release()}`, cpus: cpus().length, memoryBytes: totalmem() },
    config: { ...config, duration: durationText(config.duration) },
    startedAt: earlier?.startedAt ?? now,
    sessionStartedAt: now,
    state: 'running',
    restore,
    runs: Array.isArray(earlier?.runs) ? earlier.runs : [],
  };
}

export function writeManifest(dir: string, manifest: RunManifest): void {
  writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}
