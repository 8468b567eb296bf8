/**
 * The idle-time search of faas-benchmarker's cold-start experiments (simple-cold-function,
 * coldstart-identifier and their variants): how long a function may stay idle before the
 * platform reclaims its instance, so that the next call is a cold start.
 *
 * Each probe leaves the function idle for a time, then calls it and says whether the call was
 * cold (by latency or by identity: the experiment's probe decides). The search starts at the first
 * step and adds it while the probes are warm; at the first cold probe it goes back one step and
 * goes on with the next, finer step, and so on; the cold probe at the finest step is the
 * candidate. It is then confirmed: `confirmations` cold probes in a row at that idle time, a warm
 * one moving it up one finest step and starting the count again. The search gives up past
 * `maxSeconds` of idle time, or when its time is out (`outOfTime`; the reference gave a whole
 * search 24 h). Every call of the function is the probe's; the
 * search only decides the idle times, so it is tested with a stand-in probe and no waiting.
 */

export interface IdleSearchOptions {
  /** The steps, coarse to fine, in seconds (simple-cold-function: 300, 60, 20; coldstart-identifier: 300, 60, 10). */
  stepsSeconds: readonly number[];
  /** Cold probes in a row that confirm the idle time found (the reference: 5). */
  confirmations: number;
  /** Give up when the idle time would exceed this (the reference: 24 h). */
  maxSeconds: number;
  /**
   * Whether a probe with this idle time would end past the search's time (the reference gave a
   * whole search 24 h): the search then gives up, with the probes it has.
   */
  outOfTime?: (idleSeconds: number) => boolean;
}

/** One probe: the function left idle `idleSeconds`, then called; true when that call was cold. */
export type IdleProbe = (idleSeconds: number) => Promise<boolean>;

export interface ProbeRecord {
  idleSeconds: number;
  cold: boolean;
  /** `search` at step `step` (seconds), or `confirm`. */
  phase: 'search' | 'confirm';
  step: number;
}

export interface IdleSearchResult {
  /** The shortest idle time found to make the next call cold (within one finest step). */
  idleSeconds: number;
  /** Confirmed by `confirmations` cold probes in a row; false when the search gave up first. */
  confirmed: boolean;
  probes: ProbeRecord[];
}

export const SIMPLE_COLD_FUNCTION_STEPS = [300, 60, 20] as const;
export const COLDSTART_IDENTIFIER_STEPS = [300, 60, 10] as const;

export async function searchIdleTime(probe: IdleProbe, opts: IdleSearchOptions): Promise<IdleSearchResult> {
  const steps = opts.stepsSeconds;
  if (steps.length === 0 || steps.some((s) => !(s > 0)))
    throw new RangeError(`idle search steps must be > 0, got ${steps.join(', ')}`);
  const probes: ProbeRecord[] = [];
  /** The probe's answer, or undefined when the search is out of time. */
  const ask = async (idleSeconds: number, phase: ProbeRecord['phase'], step: number) => {
    if (opts.outOfTime?.(idleSeconds)) return undefined;
    const cold = await probe(idleSeconds);
    probes.push({ idleSeconds, cold, phase, step });
    return cold;
  };
  const finest = steps[steps.length - 1] as number;
  const gaveUp = (idle: number): IdleSearchResult => ({ idleSeconds: idle, confirmed: false, probes });

  let stage = 0;
  let idle = steps[0] as number;
  for (;;) {
    if (idle > opts.maxSeconds) return gaveUp(idle);
    const step = steps[stage] as number;
    const cold = await ask(idle, 'search', step);
    if (cold === undefined) return gaveUp(idle);
    if (!cold) {
      idle += step;
      continue;
    }
    if (stage === steps.length - 1) break;
    // Cold: back one step, and on at the next, finer one (never below one finer step of idle).
    stage++;
    idle = Math.max(idle - step, 0) + (steps[stage] as number);
  }

  for (let inARow = 0; inARow < opts.confirmations; ) {
    if (idle > opts.maxSeconds) return gaveUp(idle);
    const cold = await ask(idle, 'confirm', finest);
    if (cold === undefined) return gaveUp(idle);
    if (cold) inARow++;
    else {
      idle += finest;
      inARow = 0;
    }
  }
  return { idleSeconds: idle, confirmed: true, probes };
}
