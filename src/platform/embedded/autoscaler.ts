import type { ScalingPolicy } from './function-settings.js';

/** One past recommendation, kept for the scale-down stabilisation window. */
export interface Recommendation {
  at: number;
  replicas: number;
}

export interface AutoscaleInput {
  policy: ScalingPolicy;
  /** Replicas the function has now (desired count). */
  current: number;
  /**
   * Load over the last interval in the unit of the policy's type: requests/s (rps), mean
   * requests in flight (capacity), or millicores (cpu).
   */
  load: number;
  now: number;
  /** When the last invocation started, or the function was deployed (ms, same clock as now). */
  lastInvocationAt: number;
  /** Requests in flight or waiting for a replica. */
  inflight: number;
  history: readonly Recommendation[];
}

export interface AutoscaleDecision {
  replicas: number;
  history: Recommendation[];
}

/**
 * The embedded autoscaler's decision, a pure function of its input (the clock is injected).
 *
 * - Scale to zero: with com.openfaas.scale.zero, a function idle for zero-duration goes to 0;
 *   it comes back when a request arrives (the gateway does that), never from here.
 * - Target scaling (OpenFaaS Pro semantics): replicas = ceil(load / (target × proportion)),
 *   within [min, max]. Scaling up is immediate but one evaluation adds at most
 *   ceil(max × factor / 100) replicas (factor 0 disables target scaling). Scaling down takes
 *   the highest recommendation of the down window, so a short lull does not drop replicas
 *   that the next burst needs (the flapping OpenFaaS CE users report).
 */
export function decideReplicas(input: AutoscaleInput): AutoscaleDecision {
  const { policy, current, now } = input;
  const history = input.history.filter((r) => now - r.at < policy.downWindowMs);
  if (
    policy.zero &&
    current > 0 &&
    input.inflight === 0 &&
    now - input.lastInvocationAt >= policy.zeroDurationMs
  ) {
    return { replicas: 0, history: [] };
  }
  if (current === 0 || !policy.target || policy.factor === 0) {
    return { replicas: current, history };
  }
  const perReplica = policy.target.target * policy.target.proportion;
  const raw = Math.ceil(input.load / perReplica);
  const recommended = Math.min(policy.max, Math.max(policy.min, 1, raw));
  history.push({ at: now, replicas: recommended });
  if (recommended > current) {
    const step = Math.max(1, Math.ceil((policy.max * policy.factor) / 100));
    return { replicas: Math.min(recommended, current + step), history };
  }
  const stable = Math.max(...history.map((r) => r.replicas));
  return { replicas: Math.min(current, stable), history };
}
