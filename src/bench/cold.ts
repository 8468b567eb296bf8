/**
 * Was a call a cold start? Three signals, each with its blind spot, and whether they agree:
 * - identity: the replica that answered (`instance_identifier`) had not answered this function
 *   before in the run (faas-benchmarker compares with the last identifier seen, which a burst
 *   over several warm replicas reads as cold starts; "not seen before" does not);
 * - marker: the replica says this was its first call (`is_cold`, SeBS's /tmp marker);
 * - platform: the platform says the call waited for a replica to start (the embedded gateway's
 *   `x-dfaas-cold-start-ms`, as `platform_cold_start_ms`), where the provider has such a header.
 * A run reports how many calls each signal calls cold and on how many all the signals there agree.
 */
import type { InvocationRow } from './benchmarker.js';

export interface ColdSignals {
  identifier: string;
  function_name: string;
  byIdentity: boolean;
  byMarker?: boolean;
  byPlatform?: boolean;
  /** All the signals the call has agree. */
  agree: boolean;
}

export interface ColdAgreement {
  calls: number;
  cold: { identity: number; marker: number; platform: number };
  /** Calls on which every signal they have agrees, and their share (1 when there are none). */
  agreeing: number;
  agreement: number;
  disagreements: ColdSignals[];
}

/** The signals of each root call, in the order the calls ended (`invocation_end`). */
export function coldSignals(rows: readonly InvocationRow[]): ColdSignals[] {
  const roots = rows
    .filter((r) => r.identifier === r.root_identifier)
    .sort((a, b) => a.invocation_end - b.invocation_end);
  const seen = new Set<string>();
  return roots.map((r) => {
    const fn = String(r.function_name ?? '');
    const instance = `${fn}\u0000${String(r.instance_identifier ?? '')}`;
    const byIdentity = !seen.has(instance);
    seen.add(instance);
    const byMarker = typeof r.is_cold === 'boolean' ? r.is_cold : undefined;
    const byPlatform = r.platform_cold_start_ms === undefined ? undefined : r.platform_cold_start_ms > 0;
    const signals = [byIdentity, byMarker, byPlatform].filter((s): s is boolean => s !== undefined);
    return {
      identifier: r.identifier,
      function_name: fn,
      byIdentity,
      ...(byMarker === undefined ? {} : { byMarker }),
      ...(byPlatform === undefined ? {} : { byPlatform }),
      agree: signals.every((s) => s === signals[0]),
    };
  });
}

export function coldAgreement(rows: readonly InvocationRow[]): ColdAgreement {
  const signals = coldSignals(rows);
  const agreeing = signals.filter((s) => s.agree).length;
  return {
    calls: signals.length,
    cold: {
      identity: signals.filter((s) => s.byIdentity).length,
      marker: signals.filter((s) => s.byMarker).length,
      platform: signals.filter((s) => s.byPlatform).length,
    },
    agreeing,
    agreement: signals.length === 0 ? 1 : agreeing / signals.length,
    disagreements: signals.filter((s) => !s.agree),
  };
}
