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
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await platform.get(name);
    if ((status.availableReplicas ?? 0) === 0) break;
    if (performance.now() > deadline) throw new Error(`${name} did not scale to zero within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
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
