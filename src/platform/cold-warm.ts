/** The cold-start / warm-call measurement, on any Platform. */
import { pollUntil } from '../core/poll.js';
import type { InvokeRequest, Platform } from './api.js';

export interface ColdWarmResult {
  function: string;
  /** Replicas the function runs after the warm call (desired; some may still be starting). */
  replicas: number;
  /** Time the cold call waited for a replica to start, as the platform reports it (ms). */
  coldStartMs?: number;
  /** Whole cold call, as the caller saw it (ms). */
  coldMs: number;
  /** Whole warm call right after it (ms). */
  warmMs: number;
  status: number;
  /** Start of the warm response, for a glance. */
  response: string;
}

/**
 * Calls a function once cold and once warm: scales it to zero, waits until no replica is left,
 * calls it (the platform starts a replica), then calls it again. Works on any Platform.
 */
export async function measureColdWarm(
  platform: Platform,
  name: string,
  request: InvokeRequest,
  timeoutMs = 30_000,
): Promise<ColdWarmResult> {
  await platform.scale(name, 0);
  // A failing get (the function is gone, the gateway down) ends the wait at once.
  await pollUntil(async (fail) => ((await platform.get(name).catch(fail)).availableReplicas ?? 0) === 0, {
    timeoutMs,
    everyMs: 20,
    what: `${name} to scale to zero`,
  });
  let started = performance.now();
  const cold = await platform.invoke(name, request);
  const coldMs = performance.now() - started;
  started = performance.now();
  const warm = await platform.invoke(name, request);
  const warmMs = performance.now() - started;
  const status = await platform.get(name);
  const result: ColdWarmResult = {
    function: name,
    replicas: status.replicas ?? 0,
    coldMs,
    warmMs,
    status: warm.status,
    response: warm.body.toString('utf8'),
  };
  if (cold.coldStartMs !== undefined) result.coldStartMs = cold.coldStartMs;
  return result;
}
