/**
 * function-lifetime (faas-benchmarker): how long a busy instance lives. From a new instance (the
 * caller lets the function go cold first, where the reference slept its coldtime), the function
 * is called once every `baselineEverySeconds` for `baselineSeconds` (the reference: every
 * 10 s for 300 s), then every `coldtime / 2` (often enough never to be idle long enough to be
 * reclaimed) until the instance that answers changes, or for at most `maxSeconds` (24 h). One
 * Function_lifetime row: the first instance, the one that replaced it (if any), how long the
 * first lived (hours, minutes, seconds since the first call), and whether it was reclaimed. Every
 * wait is divided by `timeScale`; the clock is injected so the algorithm is tested without waiting.
 */
import type { Benchmarker } from '../benchmarker.js';

export interface FunctionLifetimeParams {
  functionName: string;
  baselineSeconds: number;
  baselineEverySeconds: number;
  /** The idle time after which the platform reclaims (coldstart experiments' result; the reference's default 1200 s). */
  coldtimeSeconds: number;
  maxSeconds: number;
  timeScale: number;
}

export const FUNCTION_LIFETIME_DEFAULTS: FunctionLifetimeParams = {
  functionName: 'function1',
  baselineSeconds: 300,
  baselineEverySeconds: 10,
  coldtimeSeconds: 1200,
  maxSeconds: 24 * 3600,
  timeScale: 1,
};

/** The reference's Function_lifetime row (without exp_id, which the store adds). */
export interface FunctionLifetimeRow {
  /** The instance that replaced the first one ('' when none did). */
  instance_identifier: string;
  orig_identifier: string;
  hours: number;
  minutes: number;
  seconds: number;
  /** The interval of the calls after the baseline, in the reference's seconds. */
  sleep_time: number;
  reclaimed: boolean;
}

/** What the experiment needs of time: now in the reference's seconds, and a wait in them. */
export interface ScaledTime {
  nowSeconds(): number;
  wait(seconds: number): Promise<void>;
}

/** Real time divided by `timeScale`: the reference's seconds pass `timeScale` times faster. */
export function scaledTime(timeScale: number, sleep: (ms: number) => Promise<void>): ScaledTime {
  const origin = performance.now();
  return {
    nowSeconds: () => ((performance.now() - origin) / 1000) * timeScale,
    wait: (seconds) => sleep((seconds * 1000) / timeScale),
  };
}

export async function runFunctionLifetime(
  bench: Benchmarker,
  params: FunctionLifetimeParams,
  time: ScaledTime,
): Promise<FunctionLifetimeRow> {
  const identity = async (): Promise<string> => {
    const result = await bench.invoke(params.functionName);
    if (!result.ok)
      throw new Error(`${params.functionName} failed (${result.error.type}): ${result.error.message}`);
    return String(result.rows[0]?.instance_identifier ?? '');
  };
  const start = time.nowSeconds();
  const orig = await identity();
  const since = () => time.nowSeconds() - start;
  const row = (instance: string, reclaimed: boolean): FunctionLifetimeRow => {
    const lived = reclaimed ? since() : params.maxSeconds;
    return {
      instance_identifier: instance,
      orig_identifier: orig,
      hours: Math.floor(lived / 3600),
      minutes: Math.floor((lived % 3600) / 60),
      seconds: lived % 60,
      sleep_time: params.coldtimeSeconds / 2,
      reclaimed,
    };
  };
  while (since() < params.maxSeconds) {
    const inBaseline = since() < params.baselineSeconds;
    await time.wait(inBaseline ? params.baselineEverySeconds : params.coldtimeSeconds / 2);
    if (since() >= params.maxSeconds) break;
    const now = await identity();
    if (now !== orig) return row(now, true);
  }
  return row('', false);
}
