/**
 * Units as OpenFaaS and Kubernetes write them: Go durations ("15m", "1m30s", "250ms") and
 * resource quantities ("128Mi", "128M", "500m" CPU). Each parser returns undefined for text it
 * cannot read, so the caller (a zod refinement) can name the field.
 */
import { z } from 'zod';

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go duration syntax; a bare number is taken as seconds, as the of-watchdog does for timeouts. */
export function parseDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (DURATION_UNITS_MS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  return matched === s.length && matched > 0 ? total : undefined;
}

const MEMORY_SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Kubernetes memory quantity in bytes: "128Mi" = 134217728, "128M" = 128000000. */
export function parseMemoryBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([kKMGT]i?)?$/.exec(text.trim());
  if (!m) return undefined;
  const factor = MEMORY_SUFFIX[m[2] ?? ''];
  return factor === undefined ? undefined : Math.round(Number(m[1]) * factor);
}

/** Kubernetes CPU quantity in cores: "500m" = 0.5, "1.5" = 1.5. */
export function parseCpuCores(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  return m[2] ? value / 1000 : value;
}

/** A config field holding a Go duration > 0 ("30s", "1m30s"), as milliseconds once parsed. */
export const positiveDuration = z
  .string()
  .refine(
    (v) => parseDurationMs(v) !== undefined && (parseDurationMs(v) as number) > 0,
    'a duration > 0, e.g. 30s',
  )
  .transform((v) => parseDurationMs(v) as number);
