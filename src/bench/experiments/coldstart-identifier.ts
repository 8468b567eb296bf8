/**
 * coldstart-identifier (faas-benchmarker): how long a function may stay idle before its instance
 * is reclaimed, told by identity: a call is cold when the instance that answers
 * (`instance_identifier`) is not the one that answered the call before. The search is
 * ./idle-search.ts with 300, 60 and 10 s steps and 5 confirmations; every wait is divided by
 * `timeScale`, so that a platform configured to reclaim after D/timeScale seconds is found at D
 * (the reference's hours in seconds, against the embedded platform). The first call only sets
 * the identity to compare with (the reference's cold reference call). The idle time counts from
 * the start of the call before, as a platform counts it (the reference slept after the call
 * returned, so a slow call, a cold start of a second, lengthened the idle time it meant).
 */
import type { Benchmarker } from '../benchmarker.js';
import { COLDSTART_IDENTIFIER_STEPS, type IdleSearchResult, searchIdleTime } from './idle-search.js';

export interface ColdstartIdentifierParams {
  functionName: string;
  stepsSeconds: readonly number[];
  confirmations: number;
  /** Give up past this idle time, in the reference's seconds (24 h). */
  maxSeconds: number;
  /** Every wait divided by this (1: the reference's times). */
  timeScale: number;
}

export const COLDSTART_IDENTIFIER_DEFAULTS: ColdstartIdentifierParams = {
  functionName: 'function1',
  stepsSeconds: COLDSTART_IDENTIFIER_STEPS,
  confirmations: 5,
  maxSeconds: 24 * 3600,
  timeScale: 1,
};

/** One probe: the reference's Coldstart row (without exp_id and invo_id, which the store adds). */
export interface ColdstartRow {
  /** The idle time before the call, in the reference's seconds: minutes and the rest. */
  minutes: number;
  seconds: number;
  /** The search's step at that probe, seconds. */
  granularity: number;
  threads: number;
  /** The reference's latency threshold; 0 when cold is told by identity. */
  benchmark: number;
  cold: boolean;
  /** The idle time found, on the last confirmation. */
  final: boolean;
}

export async function runColdstartIdentifier(
  bench: Benchmarker,
  params: ColdstartIdentifierParams,
  sleep: (ms: number) => Promise<void>,
): Promise<{ search: IdleSearchResult; rows: ColdstartRow[] }> {
  let lastStart = 0;
  const identity = async (): Promise<string> => {
    lastStart = performance.now();
    const result = await bench.invoke(params.functionName);
    if (!result.ok)
      throw new Error(`${params.functionName} failed (${result.error.type}): ${result.error.message}`);
    return String(result.rows[0]?.instance_identifier ?? '');
  };
  let last = await identity();
  const search = await searchIdleTime(async (idleSeconds) => {
    await sleep(Math.max(0, lastStart + (idleSeconds * 1000) / params.timeScale - performance.now()));
    const now = await identity();
    const cold = now !== last;
    last = now;
    return cold;
  }, params);
  const rows = search.probes.map((p, i) => ({
    minutes: Math.floor(p.idleSeconds / 60),
    seconds: p.idleSeconds % 60,
    granularity: p.step,
    threads: 1,
    benchmark: 0,
    cold: p.cold,
    final: search.confirmed && i === search.probes.length - 1,
  }));
  return { search, rows };
}
