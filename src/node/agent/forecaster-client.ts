import { request } from 'undici';
import { NODE_METRICS, type NodeMetric } from '../../dataset/node-metrics.js';
import type { Forecaster } from '../../forecast/forecaster.js';
import { forecasterBody } from '../../offload/forecaster-body.js';
import type { NodeForecaster } from '../../offload/strategies/types.js';
import { ForecasterRequestError } from '../errors.js';

function metricsOf(usage: Record<string, unknown>): Partial<Record<NodeMetric, number>> {
  const out: Partial<Record<NodeMetric, number>> = {};
  for (const m of NODE_METRICS) if (typeof usage[m] === 'number') out[m] = usage[m];
  return out;
}

/**
 * The prediction in a /node_usage answer: the DFaaS forecaster (and `dfaas forecast serve`)
 * answers a one-element array, `[{"cpu_usage_node": …}]`; a bare object is taken as well. An
 * answer that is neither (not JSON, an empty array) has no metric.
 */
function usageOf(text: string): Record<string, unknown> {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return {};
  }
  const usage: unknown = Array.isArray(answer) ? answer[0] : answer;
  return typeof usage === 'object' && usage !== null ? (usage as Record<string, unknown>) : {};
}

/** Node-margin's forecaster from models loaded in this process (`forecaster_models`). */
export function inProcessForecaster(forecaster: Forecaster): NodeForecaster {
  return {
    predict: async (nodeType, load) =>
      metricsOf(forecaster.nodeUsage(forecasterBody(nodeType, load)) as Record<string, unknown>),
  };
}

/**
 * Node-margin's forecaster over HTTP (`forecaster_url`): POST /node_usage with the JSON body, as
 * the reference agent calls the DFaaS forecaster. node-margin asks the same question several times
 * a period (its own load, a neighbour's load before a step), so answers are memoized by body.
 * Each step of node-margin's loop is one or two calls: with a remote forecaster a period of many
 * steps takes that many round trips (in-process models are the fast path).
 */
export function httpForecaster(url: string, timeoutMs = 2000): NodeForecaster {
  const base = url.replace(/\/+$/, '');
  const memo = new Map<string, Partial<Record<NodeMetric, number>>>();
  return {
    async predict(nodeType, load) {
      const body = JSON.stringify(forecasterBody(nodeType, load));
      const cached = memo.get(body);
      if (cached) return cached;
      const res = await request(`${base}/node_usage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200)
        throw new ForecasterRequestError(`${base}/node_usage`, res.statusCode, text);
      const usage = metricsOf(usageOf(text));
      if (Object.keys(usage).length === 0)
        throw new ForecasterRequestError(`${base}/node_usage`, res.statusCode, `no node metric in ${text}`);
      if (memo.size > 10_000) memo.clear();
      memo.set(body, usage);
      return usage;
    },
  };
}
