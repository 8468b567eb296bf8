/**
 * What a perf script hands back to the runner: its figures, each beside the reference measured in
 * the same run, so `npm run perf -- NAME --json` can write them as JSON and docs/perf.md can be
 * written from a run's own output rather than from copied terminal lines.
 */
import { cpus, hostname } from 'node:os';

/** One figure of a run: the value, the same figure for the reference where there is one, and their ratio. */
export interface Figure {
  value: number;
  unit: string;
  reference?: number;
  ratio?: number;
  target?: string;
}

export interface PerfReport {
  perf: string;
  /** ISO time the run ended. */
  date: string;
  node: string;
  host: { name: string; cpus: number; model: string };
  args: string[];
  /** Named figures (`p50 added at 2000 rps`, ...) as printed by the script. */
  figures: Record<string, Figure>;
  /** Anything else the script measured, in its own shape (per-step or per-round rows). */
  details?: unknown;
}

/** A figure with its ratio against the reference, when the reference is a non-zero number. */
export function figure(value: number, unit: string, reference?: number, target?: string): Figure {
  const f: Figure = { value, unit };
  if (reference !== undefined) {
    f.reference = reference;
    if (reference !== 0 && Number.isFinite(reference)) f.ratio = value / reference;
  }
  if (target !== undefined) f.target = target;
  return f;
}

export function report(
  perf: string,
  args: string[],
  figures: Record<string, Figure>,
  details?: unknown,
): PerfReport {
  const cpu = cpus();
  return {
    perf,
    date: new Date().toISOString(),
    node: process.version,
    host: { name: hostname(), cpus: cpu.length, model: cpu[0]?.model ?? 'unknown' },
    args,
    figures,
    ...(details === undefined ? {} : { details }),
  };
}
